"""Change values: what changes, not the SQL.

The diff produces these; the plan orders them and applies policy; rendering
turns them into DDL. Each change says whether it can destroy data
(``destructive``), with the reason, following DESIGN.md: dropping a table or
a column, any column change that can lose data, and moving a table's rows
into an engine that does not keep them. Dropping an index, a foreign key or
a CHECK is not destructive; neither is a rename.
"""

from __future__ import annotations

from dataclasses import field

from .model import (
    INTEGER_TYPES, CheckConstraint, Column, ColumnType, ForeignKey, Index, Partitioning, Table, TableOptions,
    View)
from .values import frozen


@frozen
class Position:
    """Where a column goes: FIRST (``after`` is None) or AFTER ``after``."""

    after: str | None


FIRST = Position(None)


@frozen
class Change:
    table: str

    @property
    def kind(self) -> str:
        name = type(self).__name__
        return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name).lstrip("_")

    @property
    def destructive(self) -> bool:
        return self.data_loss is not None

    @property
    def data_loss(self) -> str | None:
        """Why this change can destroy data, or None."""
        return None

    def describe(self) -> str:
        raise NotImplementedError


# -- tables -------------------------------------------------------------------

@frozen
class CreateTable(Change):
    definition: Table

    def describe(self) -> str:
        return f"create table {self.table}"


@frozen
class DropTable(Change):
    definition: Table

    @property
    def data_loss(self) -> str:
        return f"drops table {self.table} and all its rows"

    def describe(self) -> str:
        return f"drop table {self.table}"


@frozen
class RenameTable(Change):
    old_name: str

    def describe(self) -> str:
        return f"rename table {self.old_name} to {self.table}"


@frozen
class ChangeTableOptions(Change):
    old: TableOptions
    new: TableOptions

    @property
    def data_loss(self) -> str | None:
        """An engine change copies the rows into the new engine: destructive when that engine does
        not keep them (a new table in any engine loses nothing, so CreateTable never is)."""
        if self.old.engine == self.new.engine:
            return None
        return engine_data_loss(self.table, self.new.engine)

    def describe(self) -> str:
        parts = []
        for name in ("engine", "charset", "collation", "comment", "row_format"):
            a, b = getattr(self.old, name), getattr(self.new, name)
            if a != b:
                label = {"charset": "default charset", "collation": "default collation"}.get(name, name)
                parts.append(f"{label} {a or 'default'!s} -> {b or 'default'!s}" if name != "comment" else "comment")
        if self.old.extra != self.new.extra:
            parts.append("options " + " ".join(f"{k}={v}" for k, v in self.new.extra) if self.new.extra
                         else "options reset")
        return f"change table {self.table}: " + ", ".join(parts)


@frozen
class ChangePartitioning(Change):
    old: Partitioning | None
    new: Partitioning | None

    @property
    def data_loss(self) -> str | None:
        if self.old is None or self.new is None:
            return None
        if self.old.method == self.new.method and self.old.expr == self.new.expr and self.old.partitions:
            kept = {p.name for p in self.new.partitions}
            gone = [p.name for p in self.old.partitions if p.name not in kept]
            if gone and self.new.partitions and self.old.method.startswith(("RANGE", "LIST")):
                return f"drops partition(s) {', '.join(gone)} of {self.table} and their rows"
        return None

    def describe(self) -> str:
        if self.new is None:
            return f"remove partitioning of {self.table}"
        if self.old is None:
            return f"partition {self.table} by {self.new.method}"
        return f"repartition {self.table} by {self.new.method}"


# -- columns ------------------------------------------------------------------

@frozen
class AddColumn(Change):
    column: Column
    position: Position | None = None

    def describe(self) -> str:
        return f"add column {self.table}.{self.column.name}"


@frozen
class DropColumn(Change):
    column: Column

    @property
    def data_loss(self) -> str:
        return f"drops column {self.table}.{self.column.name} and its values"

    def describe(self) -> str:
        return f"drop column {self.table}.{self.column.name}"


# What can differ between two definitions of a column (``ModifyColumn.aspects``).
COLUMN_ASPECTS = ("name", "type", "nullable", "default", "charset", "on_update", "auto_increment", "comment",
                  "generated", "srid", "visibility", "position")


@frozen
class ModifyColumn(Change):
    """A column whose definition or place changes; a rename too when ``old.name`` differs from
    ``new.name``. ``aspects`` says what differs (``COLUMN_ASPECTS``), decided once, when the change
    is made: the plan, the renderer and the report read it rather than compare columns again."""

    old: Column
    new: Column
    position: Position | None = None
    aspects: frozenset[str] = field(default=frozenset(), compare=False)

    def __post_init__(self) -> None:
        if not self.aspects:
            object.__setattr__(self, "aspects", column_aspects(self.old, self.new, self.position))

    @property
    def renamed(self) -> bool:
        return "name" in self.aspects

    @property
    def changes_storage(self) -> bool:
        """Whether the stored values change form (type, character set or collation): the server
        refuses that on a column a foreign key uses."""
        return bool(self.aspects & {"type", "charset"})

    @property
    def data_loss(self) -> str | None:
        return column_data_loss(self.old, self.new)

    def describe(self) -> str:
        what = column_differences(self.old, self.new, self.aspects)
        name = f"{self.old.name} -> {self.new.name}" if self.renamed else self.new.name
        verb = "rename column" if self.renamed else "modify column"
        return f"{verb} {self.table}.{name}" + (f" ({', '.join(what)})" if what else "")


_ASPECT_FIELDS = {"type": ("type",), "nullable": ("nullable",), "default": ("default",),
                  "charset": ("charset", "collation"), "on_update": ("on_update",),
                  "auto_increment": ("auto_increment",), "comment": ("comment",), "generated": ("generated",),
                  "srid": ("srid",), "visibility": ("invisible",)}


def column_aspects(old: Column, new: Column, position: Position | None = None) -> frozenset[str]:
    """What differs between two definitions of a column (names from ``COLUMN_ASPECTS``)."""
    out = {aspect for aspect, fields in _ASPECT_FIELDS.items()
           if any(getattr(old, f) != getattr(new, f) for f in fields)}
    if old.name != new.name:
        out.add("name")
    if position is not None:
        out.add("position")
    return frozenset(out)


def column_differences(old: Column, new: Column, aspects: frozenset[str]) -> list[str]:
    """The aspects that differ, as a reader wants them: "int(11) -> bigint(20)", "NULL -> NOT NULL"…"""
    out = []
    if "type" in aspects:
        out.append(f"{old.type.sql()} -> {new.type.sql()}")
    if "nullable" in aspects:
        out.append("NULL -> NOT NULL" if new.nullable is False else "NOT NULL -> NULL")
    if "default" in aspects:
        out.append("default " + (old.default.sql() if old.default else "none") + " -> "
                   + (new.default.sql() if new.default else "none"))
    if "charset" in aspects:
        out.append(f"collation {old.collation} -> {new.collation}")
    for aspect, label in (("on_update", "on update"), ("auto_increment", "auto_increment"), ("comment", "comment"),
                          ("generated", "generated expression"), ("srid", "srid"), ("visibility", "visibility"),
                          ("position", "position")):
        if aspect in aspects:
            out.append(label)
    return out


# -- indexes and constraints ----------------------------------------------------

def index_text(index: Index) -> str:
    """``(`name`(250), `created` DESC)``: the key's parts as the DDL writes them."""
    return "(" + ", ".join(p.sql() for p in index.parts) + ")"


def index_label(index: Index) -> str:
    """``primary key``, ``index name``, ``unique index name``…"""
    if index.kind == "primary":
        return "primary key"
    return f"{'' if index.kind == 'index' else index.kind + ' '}index {index.name}"


def index_differences(old: Index, new: Index) -> list[str]:
    out = []
    if (old.kind, old.hashed) != (new.kind, new.hashed):
        out.append(f"{index_label(old).rsplit(' ', 1)[0]} -> {index_label(new).rsplit(' ', 1)[0]}")
    if old.parts != new.parts:
        out.append(f"{index_text(old)} -> {index_text(new)}")
    if old.comment != new.comment:
        out.append("comment")
    if old.invisible != new.invisible:
        out.append("visibility")
    return out or ["built again: a column it covers is dropped and added again"]


@frozen
class AddIndex(Change):
    index: Index

    def describe(self) -> str:
        return f"add {index_label(self.index)} on {self.table} {index_text(self.index)}"


@frozen
class DropIndex(Change):
    index: Index

    def describe(self) -> str:
        return f"drop {index_label(self.index)} on {self.table}"


@frozen
class ModifyIndex(Change):
    """A key whose definition changes under the same name: DROP INDEX and ADD INDEX in one ALTER."""

    old: Index
    new: Index

    def describe(self) -> str:
        return f"modify {index_label(self.new)} on {self.table}: {', '.join(index_differences(self.old, self.new))}"


@frozen
class RenameIndex(Change):
    old_name: str
    new_name: str

    def describe(self) -> str:
        return f"rename index {self.table}.{self.old_name} to {self.new_name}"


@frozen
class ChangeIndexVisibility(Change):
    """ALTER INDEX … IGNORED / NOT IGNORED (MariaDB), INVISIBLE / VISIBLE (MySQL): metadata only."""

    index: Index

    def describe(self) -> str:
        return f"make index {self.table}.{self.index.name} {'invisible' if self.index.invisible else 'visible'}"


def foreign_key_text(fk: ForeignKey) -> str:
    text = f"({', '.join(fk.columns)}) -> {fk.ref_table} ({', '.join(fk.ref_columns)})"
    return text + "".join(f" ON {what} {action}" for what, action in (("DELETE", fk.on_delete), ("UPDATE", fk.on_update))
                          if action not in ("", "RESTRICT", "NO ACTION"))


@frozen
class AddForeignKey(Change):
    foreign_key: ForeignKey
    # Added without CONSTRAINT: the server names it ``foreign_key.name`` itself (ModifyForeignKey.server_named)
    server_named: bool = False

    def describe(self) -> str:
        return f"add foreign key {self.foreign_key.name} on {self.table} {foreign_key_text(self.foreign_key)}"


@frozen
class DropForeignKey(Change):
    foreign_key: ForeignKey

    def describe(self) -> str:
        return f"drop foreign key {self.foreign_key.name} on {self.table}"


@frozen
class ModifyForeignKey(Change):
    """A foreign key dropped and added again under its name: its definition changes, or a column it
    joins changes type (``reason``). The server cannot alter one, nor drop and add the same name in one
    ALTER (errno 121): the plan drops it first and adds it with the table's other changes."""

    old: ForeignKey
    new: ForeignKey
    reason: str = ""
    # An unnamed key whose definition changes, re-added unnamed: the server gives it its old name back
    # (<table>_ibfk_<highest + 1>) and keeps its index, named after the first column, as loading the
    # Schemafile does; a CONSTRAINT name would rename that index after the key.
    server_named: bool = False

    def describe(self) -> str:
        what = self.reason or f"{foreign_key_text(self.old)} -> {foreign_key_text(self.new)}"
        return f"re-create foreign key {self.new.name} on {self.table}: {what}"


@frozen
class AddCheck(Change):
    check: CheckConstraint

    def describe(self) -> str:
        return f"add check {self.check.name} on {self.table} ({self.check.expr.sql})"


@frozen
class DropCheck(Change):
    check: CheckConstraint

    def describe(self) -> str:
        return f"drop check {self.check.name} on {self.table}"


@frozen
class ModifyCheck(Change):
    """A CHECK whose expression or enforcement changes under the same name (drop and add)."""

    old: CheckConstraint
    new: CheckConstraint

    def describe(self) -> str:
        if self.old.expr != self.new.expr:
            what = f"({self.old.expr.sql}) -> ({self.new.expr.sql})"
        else:
            what = "enforced" if self.new.enforced else "not enforced"
        return f"modify check {self.new.name} on {self.table}: {what}"


# -- views ----------------------------------------------------------------------

@frozen
class CreateView(Change):
    view: View
    replace: bool = False

    def describe(self) -> str:
        return f"{'replace' if self.replace else 'create'} view {self.table}"


@frozen
class DropView(Change):
    view: View

    def describe(self) -> str:
        return f"drop view {self.table}"


# --------------------------------------------------------------------------
# What loses data
# --------------------------------------------------------------------------

_INT_RANK = {name: k for k, name in enumerate(INTEGER_TYPES)}
_TEXT_BYTES = {"tinytext": 255, "text": 65535, "mediumtext": 16777215, "longtext": 4294967295,
               "tinyblob": 255, "blob": 65535, "mediumblob": 16777215, "longblob": 4294967295}
_UNICODE_FULL = {"utf8mb4", "utf16", "utf16le", "utf32", "gb18030"}
_SINGLE_BYTE = {"latin1", "latin2", "latin5", "latin7", "ascii", "cp1250", "cp1251", "cp1256", "cp1257", "cp850",
                "cp852", "cp866", "dec8", "greek", "hebrew", "hp8", "koi8r", "koi8u", "macce", "macroman",
                "swe7", "tis620", "armscii8", "geostd8", "keybcs2"}
_TIME_TYPES = ("time", "datetime", "timestamp")


def _charset_holds(old: str | None, new: str | None) -> bool:
    if old == new or old is None or new is None:
        return True
    if new in _UNICODE_FULL:
        return True
    if new == "utf8mb3":
        return old in _SINGLE_BYTE or old in ("ucs2", "utf8mb3")
    return old == "ascii"


def _max_chars(t: ColumnType) -> int | None:
    if t.name in ("char", "varchar", "binary", "varbinary"):
        return t.length
    return _TEXT_BYTES.get(t.name)


# the longest text of a value of each integer type, signed and unsigned: -128, 255, -32768, 65535 …
_INT_TEXT = {"tinyint": (4, 3), "smallint": (6, 5), "mediumint": (8, 8), "int": (11, 10), "bigint": (20, 20)}


def _longest_text(t: ColumnType) -> int | None:
    """The most characters a value of ``t`` takes as text (converted to a string column), or None
    for a type not converted so here. A ZEROFILL integer is padded to its display width; a decimal
    has its digits, a sign and a point; a time type its fractional digits after a point. Floats
    are printed with up to 17 significant digits and an exponent: 40 is safely above."""
    if t.is_integer:
        signed, unsigned = _INT_TEXT[t.name]
        width = unsigned if t.unsigned else signed
        return max(width, t.length or 0) if t.zerofill else width
    if t.name == "decimal":
        return (t.length or 10) + 1 + (1 if t.scale else 0)
    if t.name in _TIME_TYPES:  # (length: the fractional-seconds precision)
        return (10 if t.name == "time" else 19) + (1 + t.length if t.length else 0)
    return {"float": 40, "double": 40, "year": 4, "date": 10}.get(t.name)


def type_data_loss(old: ColumnType, new: ColumnType) -> str | None:
    """Why values of ``old`` may not survive conversion to ``new`` (None if they all do)."""
    if old == new:
        return None
    o, n = old, new
    if o.is_integer and n.is_integer:
        if _INT_RANK[n.name] < _INT_RANK[o.name]:
            return f"{o.name} -> {n.name} narrows the range"
        if n.unsigned and not o.unsigned:
            return "signed -> unsigned loses negative values"
        if o.unsigned and not n.unsigned and _INT_RANK[n.name] == _INT_RANK[o.name]:
            return f"unsigned {o.name} -> signed {n.name} loses the upper half of the range"
        return None
    if o.is_integer and n.name == "decimal":
        digits = {"tinyint": 3, "smallint": 5, "mediumint": 8, "int": 10, "bigint": 20}[o.name]
        return None if (n.length or 10) - (n.scale or 0) >= digits and (n.unsigned <= o.unsigned) else \
            f"{o.sql()} -> {n.sql()} may not hold every value"
    if o.name == "decimal" and n.name == "decimal":
        o_int, n_int = (o.length or 10) - (o.scale or 0), (n.length or 10) - (n.scale or 0)
        if n_int < o_int or (n.scale or 0) < (o.scale or 0):
            return f"{o.sql()} -> {n.sql()} reduces precision or scale"
        if n.unsigned and not o.unsigned:
            return "signed -> unsigned loses negative values"
        return None
    if o.name == "float" and n.name == "double":
        return None
    if o.name in ("float", "double") and n.name in ("float", "double"):
        return f"{o.sql()} -> {n.sql()} reduces precision"
    if o.name == "bit" and n.name == "bit":
        return None if (n.length or 1) >= (o.length or 1) else f"bit({o.length}) -> bit({n.length}) drops bits"
    if o.name in ("enum", "set") and n.name == o.name:
        if tuple(n.values[:len(o.values)]) == tuple(o.values):
            return None  # values appended at the end keep every stored value
        missing = [v for v in o.values if v not in n.values]
        if missing:
            return f"{o.name} loses value(s) {', '.join(repr(v) for v in missing)}"
        return f"{o.name} values reordered (stored positions change meaning)"
    if o.name in ("enum", "set") and n.name in ("char", "varchar", "tinytext", "text", "mediumtext", "longtext"):
        longest = max((len(v) for v in o.values), default=0) * (len(o.values) if o.name == "set" else 1)
        limit = _max_chars(n)
        return None if limit is None or limit >= longest else f"{o.name} -> {n.sql()} may truncate values"
    o_len, n_len = _max_chars(o), _max_chars(n)
    textual = ("char", "varchar", "tinytext", "text", "mediumtext", "longtext")
    binary = ("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob")
    if (o.name in textual and n.name in textual) or (o.name in binary and n.name in binary):
        if o_len is not None and n_len is not None and n_len < o_len:
            return f"{o.sql()} -> {n.sql()} may truncate values"
        if o.name in ("varchar", "varbinary") and n.name in ("char", "binary"):
            return f"{o.sql()} -> {n.sql()} pads or strips trailing spaces"
        return None
    if o.name in _TIME_TYPES and n.name == o.name:
        return None if (n.length or 0) >= (o.length or 0) else "fewer fractional-second digits round values"
    if o.name == "date" and n.name in ("datetime", "timestamp"):
        return None if n.name == "datetime" else "date -> timestamp cannot hold dates outside 1970-2038"
    if o.name == "timestamp" and n.name == "datetime":
        return None if (n.length or 0) >= (o.length or 0) else "fewer fractional-second digits round values"
    if o.name in ("json",) and n.name in ("longtext", "json"):
        return None
    if n.name in ("varchar", "char", "tinytext", "text", "mediumtext", "longtext") and \
            (needed := _longest_text(o)) is not None:
        return None if n_len is None or n_len >= needed else f"{o.sql()} -> {n.sql()} may truncate values"
    return f"{o.sql()} -> {n.sql()} converts values between unrelated types"


def column_data_loss(old: Column, new: Column) -> str | None:
    if old.generated is not None or new.generated is not None:
        return None  # generated values are recomputed, never lost
    loss = type_data_loss(old.type, new.type)
    if loss:
        return f"{old.name}: {loss}"
    if old.type.is_textual and new.type.is_textual and not _charset_holds(old.charset, new.charset):
        return f"{old.name}: character set {old.charset} -> {new.charset} cannot hold every character"
    return None


# Engines that keep every row they are given, across restarts. ARCHIVE keeps rows (no UPDATE or
# DELETE afterwards); CSV keeps them as text (the server refuses it for a table with nullable columns
# or indexes, so nothing is lost silently); S3 keeps them read-only.
ROW_KEEPING_ENGINES = frozenset({"INNODB", "MYISAM", "ARIA", "ARCHIVE", "CSV", "ROCKSDB", "TOKUDB", "NDB",
                                 "NDBCLUSTER", "S3"})
_ENGINE_LOSS = {
    "BLACKHOLE": "BLACKHOLE discards every row written to it",
    "MEMORY": "MEMORY keeps rows in memory only: they are lost when the server restarts",
    "HEAP": "MEMORY keeps rows in memory only: they are lost when the server restarts",
}


def engine_data_loss(table: str, engine: str | None) -> str | None:
    """Why moving the rows of ``table`` into ``engine`` loses them, or None."""
    if engine is None or engine.upper() in ROW_KEEPING_ENGINES:
        return None
    why = _ENGINE_LOSS.get(engine.upper(), f"{engine} does not keep the table's own rows (they are another"
                                           " table's, another server's, or none)")
    return f"changes the engine of {table} to {engine}: {why}"
