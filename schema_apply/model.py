"""The typed schema model: what the Schemafile declares and what the server has.

Both the parser and introspection produce these frozen values, and
``normalize.normalize`` brings them to the server's canonical form, so that the
model parsed from a Schemafile equals the model introspected after the server
ran that Schemafile. Equality is the contract: fields that only help
rendering (the source line, a rename annotation, an explicit ``USING BTREE``)
are declared with ``compare=False``.

Identifiers are kept as written (the server preserves their case) and looked
up through ``key()``: column, index and constraint names are case-insensitive
in MySQL; table names follow ``lower_case_table_names`` (see flavor).
"""

from __future__ import annotations

import copyreg
from dataclasses import field, fields, is_dataclass, replace
from typing import Callable, Iterable, Iterator, Literal

from .sql.quoting import quote_ident, quote_string
from .values import field_values, frozen


key: Callable[[str], str] = str.lower
"""Lookup key for case-insensitive identifiers (columns, indexes, constraints): the name in lower
case. (``str.lower`` itself rather than a function calling it: a plan of 1,000 tables asks for
some 60,000 keys, and a Python call costs more than the lowering.)"""


def evolve(value, **changes):
    """``dataclasses.replace`` for the model's frozen values, several times faster: the new value
    is the old one's fields with ``changes``, without running ``__init__`` again (none of these
    classes customises it; ``Schema``, which has a ``__post_init__``, is always built by its
    constructor). Normalisation makes one per table, column and key of a schema, introspection one
    per column.

    The new value's ``__dict__`` is a dict of its own (see :func:`made`)."""
    fields = {**value.__dict__, **changes}
    if len(fields) != len(value.__dataclass_fields__):  # (a name that is no field adds one)
        raise TypeError(f"{type(value).__name__} has no field {sorted(changes.keys() - value.__dataclass_fields__.keys())}")
    return made(type(value), fields)


def made(cls, fields: dict):
    """A value of the model class ``cls`` whose ``__dict__`` is ``fields`` (each of its fields, none
    other), without running ``__init__``.

    ``fields`` must be a dict of its own, not a copy of another value's ``__dict__``: CPython 3.11
    keeps the attributes of the instances of a class in a table of keys they share, and
    ``dict.copy()`` of such a ``__dict__`` shares that table too — but an instance whose ``__dict__``
    shares it gets the slow path of every attribute read (``LOAD_ATTR_WITH_HINT`` cannot read its
    values): reading ``column.type`` takes four times as long, comparing two columns two and a half
    times (the diff of two equal 1,000-table schemas compares 13,000 columns)."""
    new = object.__new__(cls)
    object.__setattr__(new, "__dict__", fields)
    return new


def _fields_getter(cls) -> Callable:
    """The values of every field of the dataclass ``cls``, in order, read as attributes (reading a
    value's ``__dict__`` would slow down every later read of its fields: see ``made``)."""
    return field_values([f.name for f in fields(cls)])


def pickled_by_fields(cls):
    """Class decorator: a value of the model class ``cls`` is pickled as its fields' values, in
    order, and unpickled by ``cls._from_fields(*values)``, a function written for the class that
    makes it as :func:`made` does, with a dict built at its size at once.

    A dataclass is otherwise pickled with its ``__dict__``, names and all, and unpickled by filling
    the ``__dict__`` of a new instance, which shares its class's key table when the process made
    values of the class by ``__init__`` before: slow to read (see ``made``). The Schemafile's model
    comes back pickled from the process that parsed it (``aside``). For the 21,000 values of a
    1,000-table model: 0.88 MB instead of 1.44, pickled with 0.73 times the instructions, unpickled
    with 0.64 times, and the plan's diff of it with 0.59 times. (A ``__reduce__`` method rather than
    ``copyreg`` pickles with 1.2 times as many; one function for every class, building the dict with
    ``dict(zip(names, values))``, unpickles with 1.5 times as many.)

    ``__init__`` is not run: the values are those of a value made already (a ``Schema``'s sorted)."""
    cls._from_fields = _FromFields()
    copyreg.pickle(cls, lambda value, values=_fields_getter(cls): (cls._from_fields, values(value)))
    return cls


class _FromFields:
    """A model class's ``_from_fields``, written when first asked for (by pickle, either way) and set
    on the class in its place: compiling it takes 0.1 ms a class, which would be paid at every start
    of a process, most of which pickle no model."""

    def __get__(self, value, cls):
        names = [f.name for f in fields(cls)]
        params = ", ".join(f"_{i}" for i in range(len(names)))
        items = ", ".join(f"{name!r}: _{i}" for i, name in enumerate(names))
        namespace = {"cls": cls, "new": object.__new__, "setattr": object.__setattr__}
        exec(f"def _from_fields({params}):\n"
             f"    value = new(cls)\n"
             f"    setattr(value, '__dict__', {{{items}}})\n"
             f"    return value\n", namespace)
        from_fields = namespace["_from_fields"]
        from_fields.__module__, from_fields.__qualname__ = cls.__module__, f"{cls.__qualname__}._from_fields"
        cls._from_fields = staticmethod(from_fields)  # (pickled by that name)
        return from_fields


@pickled_by_fields
@frozen
class Expr:
    """An SQL expression: ``sql`` to render, ``canon`` to compare.

    ``canon`` is a structural form produced by the parser package
    (``sql.expressions.canonical``) from either the Schemafile text or the
    server's text, so that ``(a+1)`` and ``` `a` + 1 ``` compare equal.
    """

    sql: str = field(compare=False)
    canon: str

    def __str__(self) -> str:
        return self.sql


# --------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------

INTEGER_TYPES = ("tinyint", "smallint", "mediumint", "int", "bigint")
DECIMAL_TYPES = ("decimal",)
FLOAT_TYPES = ("float", "double")
NUMERIC_TYPES = INTEGER_TYPES + DECIMAL_TYPES + FLOAT_TYPES + ("bit",)
TEMPORAL_TYPES = ("date", "time", "datetime", "timestamp", "year")
STRING_TYPES = ("char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set")
BINARY_TYPES = ("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob")
SPATIAL_TYPES = ("geometry", "point", "linestring", "polygon", "multipoint", "multilinestring",
                 "multipolygon", "geometrycollection")
OTHER_TYPES = ("json", "inet4", "inet6", "uuid", "vector")
ALL_TYPES = NUMERIC_TYPES + TEMPORAL_TYPES + STRING_TYPES + BINARY_TYPES + SPATIAL_TYPES + OTHER_TYPES


@frozen
class ColumnType:
    """A column type in canonical form.

    ``length`` is the display width of integers, the length of strings and
    binaries, the precision of decimals (and float(M,D)), the width of bit, or
    the fractional-seconds precision of time types (``None`` for 0).
    """

    name: str
    length: int | None = None
    scale: int | None = None
    unsigned: bool = False
    zerofill: bool = False
    values: tuple[str, ...] = ()

    @property
    def is_integer(self) -> bool:
        return self.name in INTEGER_TYPES

    @property
    def is_textual(self) -> bool:
        """Holds characters, so it has a character set and a collation."""
        return self.name in STRING_TYPES

    @property
    def is_blob_or_text(self) -> bool:
        return self.name in ("tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob", "mediumblob",
                             "longblob", "json")

    def sql(self) -> str:
        if self.values:
            text = f"{self.name}({','.join(quote_string(v) for v in self.values)})"
        elif self.length is not None and self.scale is not None:
            text = f"{self.name}({self.length},{self.scale})"
        elif self.length is not None:
            text = f"{self.name}({self.length})"
        else:
            text = self.name
        if self.unsigned:
            text += " unsigned"
        if self.zerofill:
            text += " zerofill"
        return text

    def __str__(self) -> str:
        return self.sql()

    def __reduce__(self):  # unpickled as the process's one such type (see ``interned``)
        return _unpickled, (ColumnType, *type_fields(self))


DefaultKind = Literal["null", "string", "number", "bits", "hex", "expression"]


@frozen
class Default:
    """A column default as the server stores it.

    ``string``: ``value`` is the unquoted text; ``number``: the server's
    normalised digits; ``bits``: the digits of ``b'…'``; ``hex``: the digits of
    ``x'…'``/``0x…`` as declared (a number in a numeric column, bytes in any other: normalisation
    turns it into one or the other, so it is never read back); ``expression``:
    ``expr`` holds it (``current_timestamp(3)``, ``(rand() * 10)``).
    """

    kind: DefaultKind
    value: str = ""
    expr: Expr | None = None

    def sql(self) -> str:
        if self.kind == "null":
            return "NULL"
        if self.kind == "string":
            return quote_string(self.value)
        if self.kind == "bits":
            return f"b'{self.value}'"
        if self.kind == "hex":
            return f"x'{self.value}'"
        if self.kind == "number":
            return self.value
        assert self.expr is not None
        return self.expr.sql

    def __reduce__(self):  # unpickled as the process's one such default (see ``interned``)
        return _unpickled, (Default, *_default_fields(self))


type_fields = _fields_getter(ColumnType)  # (a field added to either class is pickled and interned too)
_default_fields = _fields_getter(Default)
_INTERNED: dict[tuple, "ColumnType | Default"] = {}


def interned(value: "ColumnType | Default") -> "ColumnType | Default":
    """The one column type or default of the process with ``value``'s fields, ``value`` the first
    time. A schema repeats a few of each, and both sides of a plan make theirs so (introspection and
    normalisation as they make them, the Schemafile's when its pickle comes back from the process
    that parsed it): comparing two columns then finds their types and defaults identical at once,
    instead of calling their ``__eq__`` — half the calls of the diff of two equal schemas.

    Told apart by every field with its type (``1 == True`` in Python) and an expression by its text
    too (which is rendered, though not compared): values only equal stay two objects."""
    if isinstance(value, Default):
        values: tuple = (Default, *(v if not isinstance(v, Expr) else (v.sql, v.canon) for v in _default_fields(value)))
    else:
        values = (ColumnType, *type_fields(value))
    return _INTERNED.setdefault((values, tuple(map(type, values))), value)


def _unpickled(cls, *fields):
    return interned(cls(*fields))


@pickled_by_fields
@frozen
class Generated:
    expr: Expr
    stored: bool


@pickled_by_fields
@frozen
class Column:
    name: str
    type: ColumnType
    nullable: bool = True
    default: Default | None = None
    on_update: Expr | None = None
    auto_increment: bool = False
    charset: str | None = None
    collation: str | None = None
    comment: str = ""
    generated: Generated | None = None
    srid: int | None = None
    invisible: bool = False
    renamed_from: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return key(self.name)


# --------------------------------------------------------------------------
# Indexes and constraints
# --------------------------------------------------------------------------

IndexKind = Literal["primary", "unique", "index", "fulltext", "spatial"]


@pickled_by_fields
@frozen
class IndexPart:
    column: str | None = None
    length: int | None = None
    descending: bool = False
    expr: Expr | None = None

    def sql(self) -> str:
        if self.expr is not None:
            text = f"({self.expr.sql})"
        else:
            assert self.column is not None
            text = quote_ident(self.column)
            if self.length is not None:
                text += f"({self.length})"
        if self.descending:
            text += " DESC"
        return text


@pickled_by_fields
@frozen
class Index:
    name: str
    kind: IndexKind
    parts: tuple[IndexPart, ...]
    comment: str = ""
    invisible: bool = False
    # FULLTEXT … WITH PARSER is not visible in information_schema either.
    parser: str | None = field(default=None, compare=False)
    # An explicit USING clause (BTREE/HASH/RTREE) is not visible in
    # information_schema; it is kept only to reproduce the file's text.
    using: str | None = field(default=None, compare=False)
    # MariaDB's "long unique" (UNIQUE over blob/long text) is stored as HASH.
    hashed: bool = False
    renamed_from: str | None = field(default=None, compare=False)
    # The name was made up by the server (`a`, `a_2`, an FK's supporting index):
    # the diff may match it by definition instead of by name.
    auto_named: bool = field(default=False, compare=False)
    line: int | None = field(default=None, compare=False)
    # A UNIQUE that a column definition declares together with PRIMARY KEY (`id SERIAL PRIMARY
    # KEY`, `a int PRIMARY KEY UNIQUE`): MySQL makes both keys, MariaDB the primary key only.
    beside_primary: bool = field(default=False, compare=False)

    @property
    def key(self) -> str:
        return key(self.name)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(p.column for p in self.parts if p.column is not None)

    def same_definition(self, other: "Index") -> bool:
        """Equal apart from the name."""
        return replace(self, name=other.name) == other


@pickled_by_fields
@frozen
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str = "RESTRICT"
    on_update: str = "RESTRICT"
    ref_schema: str | None = None
    auto_named: bool = field(default=False, compare=False)
    # Parser only: the index named in FOREIGN KEY idx (...), and how many
    # indexes were declared before this key (where the server puts the index
    # it creates for the key when none exists).
    index_name: str | None = field(default=None, compare=False)
    position: int | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return key(self.name)


@pickled_by_fields
@frozen
class CheckConstraint:
    name: str
    expr: Expr
    enforced: bool = True
    # MariaDB keeps a column's CHECK with the column (named after it; MODIFY of
    # the column drops it unless repeated). Always False on MySQL.
    column_level: bool = False
    auto_named: bool = field(default=False, compare=False)
    line: int | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return key(self.name)


# --------------------------------------------------------------------------
# Partitioning
# --------------------------------------------------------------------------

@pickled_by_fields
@frozen
class Partition:
    name: str
    values: str | None = None  # canonical: "LESS THAN (10)", "LESS THAN MAXVALUE", "IN (1,2)"
    comment: str = ""
    subpartitions: tuple[str, ...] = ()


@pickled_by_fields
@frozen
class Partitioning:
    method: str  # RANGE, LIST, HASH, KEY, LINEAR HASH, LINEAR KEY, RANGE COLUMNS, LIST COLUMNS, SYSTEM_TIME
    expr: Expr | None  # the function or the column list (canon of "`a`,`b`")
    partitions: tuple[Partition, ...] = ()
    count: int | None = None  # PARTITIONS n, when partitions are not listed
    # KEY ALGORITHM=n: not in information_schema (only SHOW CREATE TABLE shows it), so not compared
    algorithm: int | None = field(default=None, compare=False)
    sub_method: str | None = None
    sub_expr: Expr | None = None
    sub_count: int | None = None


# --------------------------------------------------------------------------
# Tables, views, schema
# --------------------------------------------------------------------------

@pickled_by_fields
@frozen
class TableOptions:
    engine: str | None = None
    charset: str | None = None
    collation: str | None = None
    comment: str = ""
    row_format: str | None = None
    # Other CREATE_OPTIONS the server reports (key_block_size, stats_persistent,
    # checksum, pack_keys, ...), lower-case names, server-formatted values.
    extra: tuple[tuple[str, str], ...] = ()
    # Never compared: a counter, not a schema property. Used on CREATE only.
    auto_increment: int | None = field(default=None, compare=False)


@pickled_by_fields
@frozen
class Table:
    name: str
    columns: tuple[Column, ...]
    indexes: tuple[Index, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[CheckConstraint, ...] = ()
    options: TableOptions = TableOptions()
    partitioning: Partitioning | None = None
    renamed_from: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    def column(self, name: str) -> Column | None:
        k = key(name)
        for c in self.columns:
            if c.key == k:
                return c
        return None

    def index(self, name: str) -> Index | None:
        k = key(name)
        for i in self.indexes:
            if i.key == k:
                return i
        return None

    @property
    def primary_key(self) -> Index | None:
        for i in self.indexes:
            if i.kind == "primary":
                return i
        return None

    def duplicate_indexes(self) -> tuple[tuple[Index, Index], ...]:
        """(index, the earlier one it repeats): the pairs the server accepts with note 1831 ("Duplicate
        index … deprecated") — the same kind, USING and parts (columns, prefix lengths, directions)."""
        seen: dict[tuple, Index] = {}
        out = []
        for i in self.indexes:
            shape = (i.kind, (i.using or "").upper(), i.hashed,
                     tuple((key(p.column) if p.column else None, p.length, p.descending, p.expr) for p in i.parts))
            if shape in seen:
                out.append((i, seen[shape]))
            else:
                seen[shape] = i
        return tuple(out)


@pickled_by_fields
@frozen
class View:
    name: str
    definition: Expr  # the SELECT; canon is the server-normalised query
    # CREATE VIEW v (a, b): the server folds the list into the query's aliases,
    # which the canonical definition compares; the list is kept for rendering.
    columns: tuple[str, ...] = field(default=(), compare=False)
    algorithm: str = "UNDEFINED"
    security: str = "DEFINER"
    check_option: str = "NONE"  # NONE, CASCADED, LOCAL
    line: int | None = field(default=None, compare=False)


# --------------------------------------------------------------------------
# Stored programs: triggers, procedures and functions, events
# --------------------------------------------------------------------------

@pickled_by_fields
@frozen
class ProgramSettings:
    """The session a stored program was created in, which the server keeps with it and
    applies whenever the program runs: ``sql_mode`` (canonical: the server's mode names,
    combination modes expanded, sorted), the client character set and the connection
    collation (how its string literals are read), and for events the time zone (how
    STARTS/ENDS/AT are read). ``None`` means "the applying session's", which
    ``normalize.normalize`` fills in for the sql_mode and the time zone.

    The character sets are compared only where the Schemafile sets them (``SET NAMES``,
    ``SET character_set_client``, as mysqldump writes): each client loads a file with its own
    (the mysql client's default is utf8mb3 on MariaDB, latin1 on old MySQL), so a program
    loaded by one is not a change for the next; see ``program_diff``."""

    sql_mode: tuple[str, ...] | None = None
    client_charset: str | None = field(default=None, compare=False)
    collation: str | None = field(default=None, compare=False)
    time_zone: str | None = None


@pickled_by_fields
@frozen
class Trigger:
    name: str  # case-sensitive, unique in the database
    table: str
    timing: str  # BEFORE, AFTER
    event: str  # INSERT, UPDATE, DELETE
    body: Expr  # sql: the text to send; canon: its tokens, comments and spacing dropped
    # ACTION_ORDER: the position among the table's triggers of the same timing and event
    order: int = 1
    settings: ProgramSettings = ProgramSettings()
    # Who the server runs it as. None: the applying user (never compared then; see diff).
    definer: str | None = field(default=None, compare=False)
    # FOLLOWS / PRECEDES other_trigger as written (the parser turns it into ``order``)
    follows: tuple[str, str] | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return self.name


@pickled_by_fields
@frozen
class Parameter:
    name: str  # "" for a function's return value
    type: ColumnType
    mode: str = "IN"  # IN, OUT, INOUT ("" for a function's return value)
    charset: str | None = None
    collation: str | None = None


@pickled_by_fields
@frozen
class Routine:
    kind: str  # PROCEDURE, FUNCTION
    name: str  # case-insensitive
    parameters: tuple[Parameter, ...]
    body: Expr
    returns: Parameter | None = None  # FUNCTION only
    deterministic: bool = False
    data_access: str = "CONTAINS SQL"  # CONTAINS SQL, NO SQL, READS SQL DATA, MODIFIES SQL DATA
    security: str = "DEFINER"  # SQL SECURITY
    comment: str = ""
    settings: ProgramSettings = ProgramSettings()
    definer: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, key(self.name)

    @property
    def label(self) -> str:
        return f"{self.kind.lower()} {self.name}"


@pickled_by_fields
@frozen
class Schedule:
    """ON SCHEDULE AT ``at`` | EVERY ``every`` ``unit`` [STARTS ``starts``] [ENDS ``ends``].
    Times as the server shows them, 'YYYY-MM-DD HH:MM:SS'; ``every`` as the server
    reconstructs it ('90', '1 4', '1:30'). ``starts`` is compared only when declared (the
    server makes one up, the creation time): see diff."""

    at: str | None = None
    every: str | None = None
    unit: str | None = None
    starts: str | None = field(default=None, compare=False)
    ends: str | None = None
    # STARTS relative to now (CURRENT_TIMESTAMP + INTERVAL …), as written: rendered, never compared
    starts_sql: str | None = field(default=None, compare=False)


@pickled_by_fields
@frozen
class Event:
    name: str  # case-insensitive
    schedule: Schedule
    body: Expr
    preserve: bool = False  # ON COMPLETION [NOT] PRESERVE
    status: str = "ENABLED"  # ENABLED, DISABLED, SLAVESIDE_DISABLED
    comment: str = ""
    settings: ProgramSettings = ProgramSettings()
    definer: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return key(self.name)


@pickled_by_fields
@frozen
class Schema:
    """A database's schema: tables, views and stored programs by name, in name order."""

    tables: tuple[Table, ...] = ()
    views: tuple[View, ...] = ()
    charset: str | None = field(default=None, compare=False)
    collation: str | None = field(default=None, compare=False)
    triggers: tuple[Trigger, ...] = ()
    routines: tuple[Routine, ...] = ()
    events: tuple[Event, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", tuple(sorted(self.tables, key=lambda t: t.name)))
        object.__setattr__(self, "views", tuple(sorted(self.views, key=lambda v: v.name)))
        object.__setattr__(self, "triggers", tuple(sorted(self.triggers, key=lambda t: (t.table, t.name))))
        object.__setattr__(self, "routines", tuple(sorted(self.routines, key=lambda r: r.key)))
        object.__setattr__(self, "events", tuple(sorted(self.events, key=lambda e: e.key)))

    def table(self, name: str) -> Table | None:
        for t in self.tables:
            if t.name == name:
                return t
        return None

    def filtered(self, keep) -> "Schema":
        """Only the tables, views, routines and events for which ``keep(name)`` is true, and
        the triggers of the tables kept."""
        return replace(self, tables=tuple(t for t in self.tables if keep(t.name)),
                       views=tuple(v for v in self.views if keep(v.name)),
                       triggers=tuple(t for t in self.triggers if keep(t.table)),
                       routines=tuple(r for r in self.routines if keep(r.name)),
                       events=tuple(e for e in self.events if keep(e.name)))

    @property
    def programs(self) -> tuple[Trigger | Routine | Event, ...]:
        return self.routines + self.triggers + self.events

    def __iter__(self) -> Iterator[Table]:
        return iter(self.tables)


def differences(a, b, path: str = "") -> list[str]:
    """Where two models differ, field by field (compared fields only): for messages and tests."""
    if is_dataclass(a) and type(a) is type(b):
        out: list[str] = []
        for f in fields(a):
            if f.compare and getattr(a, f.name) != getattr(b, f.name):
                out += differences(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
        return out
    if isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b):
        return [d for k, (x, y) in enumerate(zip(a, b)) if x != y for d in differences(x, y, f"{path}[{k}]")]
    return [f"{path}: {a!r} != {b!r}"]


def unique_name(base: str, taken: Iterable[str]) -> str:
    """``base``, or ``base_2``, ``base_3``… — the server's rule for implicit index names."""
    used = {key(t) for t in taken}
    if key(base) not in used:
        return base
    n = 2
    while key(f"{base}_{n}") in used:
        n += 1
    return f"{base}_{n}"
