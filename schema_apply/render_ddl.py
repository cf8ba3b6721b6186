"""DDL text from the model and from change values. Decides nothing.

Every identifier goes through ``sql.quoting.quote_ident``; every string through
``sql.quoting.quote_string``. The text is valid on MySQL 5.7/8.0/8.4 and MariaDB
10.6+, with the few spellings that differ taken from the flavor (IGNORED vs
INVISIBLE indexes, DROP CONSTRAINT vs DROP CHECK, generated columns).
"""

from __future__ import annotations

from dataclasses import replace

from .changes import (
    AddCheck, AddColumn, AddForeignKey, AddIndex, Change, ChangeIndexVisibility, ChangePartitioning,
    ChangeTableOptions, DropCheck,
    DropColumn, DropForeignKey, DropIndex, ModifyColumn, Position, RenameIndex)
from .flavor import Flavor
from .sql.expressions import is_now
from .model import CheckConstraint, Column, Default, ForeignKey, Index, Partitioning, Table, TableOptions, View
from .sql.quoting import quote_ident, quote_string

_BLOB_LIKE = ("tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob", "mediumblob", "longblob", "json",
              "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
              "geometrycollection")


# --------------------------------------------------------------------------
# Pieces
# --------------------------------------------------------------------------

def default_sql(default: Default, column: Column, flavor: Flavor) -> str:
    if default.kind == "expression":
        text = default.expr.sql
        if is_now(text) or (text.startswith("(") and text.endswith(")") and _balanced(text[1:-1])):
            return text
        return f"({text})"
    if default.kind == "string" and not flavor.is_mariadb and column.type.name in _BLOB_LIKE:
        return f"({quote_string(default.value)})"  # MySQL: only expression defaults on BLOB/TEXT
    return default.sql()


def _balanced(text: str) -> bool:
    depth = 0
    quote = None
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
            continue
        if ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def column_definition(column: Column, flavor: Flavor, *, table_charset: tuple[str | None, str | None] | None = None,
                      check: CheckConstraint | None = None) -> str:
    """`name` type … as in CREATE TABLE. Character set and collation are written
    when they differ from ``table_charset`` (always, when it is None)."""
    parts = [quote_ident(column.name), column.type.sql()]
    if column.type.is_textual and column.charset:
        if table_charset is None or (column.charset, column.collation) != table_charset:
            parts.append(f"CHARACTER SET {column.charset}")
            if column.collation:
                parts.append(f"COLLATE {column.collation}")
    if column.srid is not None and not flavor.is_mariadb:
        parts.append(f"SRID {column.srid}")
    if column.generated is not None:
        parts.append(f"GENERATED ALWAYS AS ({column.generated.expr.sql}) {'STORED' if column.generated.stored else 'VIRTUAL'}")
        if not flavor.is_mariadb and not column.nullable:
            parts.append("NOT NULL")
    else:
        if not column.nullable:
            parts.append("NOT NULL")
        elif column.type.name == "timestamp":
            parts.append("NULL")
        if column.default is not None and not (column.default.kind == "null" and not column.nullable):
            if not (column.default.kind == "null" and column.type.name in _BLOB_LIKE and not flavor.is_mariadb):
                parts.append("DEFAULT " + default_sql(column.default, column, flavor))
        if column.on_update is not None:
            parts.append(f"ON UPDATE {column.on_update.sql}")
        if column.auto_increment:
            parts.append("AUTO_INCREMENT")
    if column.invisible:
        parts.append("INVISIBLE")
    if column.comment:
        parts.append(f"COMMENT {quote_string(column.comment)}")
    if check is not None:
        parts.append(f"CHECK ({check.expr.sql})")
    return " ".join(parts)


def index_parts_sql(index: Index) -> str:
    return "(" + ",".join(p.sql() for p in index.parts) + ")"


def index_definition(index: Index, flavor: Flavor) -> str:
    """A key as in CREATE TABLE: PRIMARY KEY (…), UNIQUE KEY `u` (…), KEY `k` (…) …"""
    if index.kind == "primary":
        head = "PRIMARY KEY"
    else:
        word = {"unique": "UNIQUE KEY", "index": "KEY", "fulltext": "FULLTEXT KEY", "spatial": "SPATIAL KEY"}
        head = f"{word[index.kind]} {quote_ident(index.name)}"
    return head + " " + index_parts_sql(index) + _index_options(index, flavor)


def _index_options(index: Index, flavor: Flavor) -> str:
    out = ""
    if index.using and not index.hashed and index.kind not in ("fulltext", "spatial"):
        out += f" USING {index.using}"
    if index.parser:
        out += f" WITH PARSER {index.parser}"
    if index.comment:
        out += f" COMMENT {quote_string(index.comment)}"
    if index.invisible:
        out += " IGNORED" if flavor.is_mariadb else " INVISIBLE"
    return out


def foreign_key_definition(fk: ForeignKey, flavor: Flavor) -> str:
    ref = quote_ident(fk.ref_table) if fk.ref_schema is None else f"{quote_ident(fk.ref_schema)}.{quote_ident(fk.ref_table)}"
    text = (f"CONSTRAINT {quote_ident(fk.name)} FOREIGN KEY ({', '.join(quote_ident(c) for c in fk.columns)})"
            f" REFERENCES {ref} ({', '.join(quote_ident(c) for c in fk.ref_columns)})")
    if fk.on_delete != flavor.fk_default_action:
        text += f" ON DELETE {fk.on_delete}"
    if fk.on_update != flavor.fk_default_action:
        text += f" ON UPDATE {fk.on_update}"
    return text


def check_definition(check: CheckConstraint, flavor: Flavor) -> str:
    text = f"CONSTRAINT {quote_ident(check.name)} CHECK ({check.expr.sql})"
    if not check.enforced and not flavor.is_mariadb:
        text += " NOT ENFORCED"
    return text


_OPTION_SPELLING = {"stats_persistent": "STATS_PERSISTENT", "stats_auto_recalc": "STATS_AUTO_RECALC",
                    "stats_sample_pages": "STATS_SAMPLE_PAGES", "key_block_size": "KEY_BLOCK_SIZE",
                    "checksum": "CHECKSUM", "page_checksum": "PAGE_CHECKSUM", "pack_keys": "PACK_KEYS",
                    "delay_key_write": "DELAY_KEY_WRITE", "min_rows": "MIN_ROWS", "max_rows": "MAX_ROWS",
                    "avg_row_length": "AVG_ROW_LENGTH", "transactional": "TRANSACTIONAL",
                    "page_compressed": "PAGE_COMPRESSED", "page_compression_level": "PAGE_COMPRESSION_LEVEL",
                    "encryption_key_id": "ENCRYPTION_KEY_ID", "compression": "COMPRESSION",
                    "encryption": "ENCRYPTION", "encrypted": "ENCRYPTED"}
_OPTION_RESET = {"stats_persistent": "DEFAULT", "stats_auto_recalc": "DEFAULT", "stats_sample_pages": "DEFAULT",
                 "key_block_size": "0", "checksum": "0", "page_checksum": "DEFAULT", "pack_keys": "DEFAULT",
                 "delay_key_write": "0", "min_rows": "0", "max_rows": "0", "avg_row_length": "0",
                 "transactional": "DEFAULT", "page_compressed": "0", "page_compression_level": "DEFAULT",
                 "encryption_key_id": "DEFAULT", "compression": "'None'", "encryption": "'N'",
                 "encrypted": "DEFAULT"}


def _option_value(name: str, value: str) -> str:
    if name in ("compression", "encryption"):
        return quote_string(value)
    return value


def table_options_sql(options: TableOptions, flavor: Flavor, *, create: bool) -> list[str]:
    """The options of CREATE TABLE, but those the server implies (so that its SHOW CREATE TABLE
    of the result reads like the original)."""
    out = []
    implied = flavor.implied_table_options(options.engine, options.row_format)
    if options.engine:
        out.append(f"ENGINE={options.engine}")
    if create and options.auto_increment:
        out.append(f"AUTO_INCREMENT={options.auto_increment}")
    if options.charset:
        out.append(f"DEFAULT CHARSET={options.charset}")
    if options.collation:
        out.append(f"COLLATE={options.collation}")
    for name, value in options.extra:
        if implied.get(name) != value:
            out.append(f"{_OPTION_SPELLING.get(name, name.upper())}={_option_value(name, value)}")
    if options.row_format:
        out.append(f"ROW_FORMAT={options.row_format}")
    if options.comment:
        out.append(f"COMMENT={quote_string(options.comment)}")
    return out


def partitioning_sql(p: Partitioning) -> str:
    def method(m: str, expr, algorithm=None) -> str:
        if m in ("RANGE COLUMNS", "LIST COLUMNS"):
            return f"{m.split()[0]} COLUMNS({expr.sql if expr else ''})"
        if m.endswith("KEY"):
            alg = f" ALGORITHM={algorithm}" if algorithm else ""
            return f"{m}{alg} ({expr.sql if expr else ''})"
        return f"{m} ({expr.sql if expr else ''})"

    text = "PARTITION BY " + method(p.method, p.expr, p.algorithm)
    if p.count is not None and p.count != 1 and not p.partitions:
        text += f"\nPARTITIONS {p.count}"  # one partition is the default; the server does not print it
    if p.sub_method:
        text += "\nSUBPARTITION BY " + method(p.sub_method, p.sub_expr)
        if p.sub_count:
            text += f"\nSUBPARTITIONS {p.sub_count}"
    if p.partitions:
        defs = []
        for part in p.partitions:
            d = f"PARTITION {quote_ident(part.name)}"
            if part.values:
                d += f" VALUES {part.values}"
            if part.comment:
                d += f" COMMENT = {quote_string(part.comment)}"
            if part.subpartitions:
                d += " (" + ", ".join(f"SUBPARTITION {quote_ident(s)}" for s in part.subpartitions) + ")"
            defs.append(d)
        text += "\n(" + ",\n ".join(defs) + ")"
    return text


# --------------------------------------------------------------------------
# Statements
# --------------------------------------------------------------------------

def create_table(table: Table, flavor: Flavor, *, skip_foreign_keys: frozenset[str] = frozenset()) -> str:
    """CREATE TABLE in the house style (one definition per line)."""
    table_cs = (table.options.charset, table.options.collation)
    column_checks = {c.key: c for c in table.checks if c.column_level and flavor.column_level_checks}
    lines = [column_definition(c, flavor, table_charset=table_cs, check=column_checks.get(c.key))
             for c in table.columns]
    lines += [index_definition(i, flavor) for i in table.indexes]
    lines += [foreign_key_definition(fk, flavor) for fk in table.foreign_keys if fk.name not in skip_foreign_keys]
    lines += [check_definition(c, flavor) for c in table.checks
              if not (c.column_level and flavor.column_level_checks)]
    text = f"CREATE TABLE {quote_ident(table.name)} (\n  " + ",\n  ".join(lines) + "\n)"
    options = table_options_sql(table.options, flavor, create=True)
    if options:
        text += " " + " ".join(options)
    if table.partitioning is not None:
        text += "\n" + partitioning_sql(table.partitioning)
    return text


def drop_tables(names: list[str]) -> str:
    return "DROP TABLE " + ", ".join(quote_ident(n) for n in names)


def rename_tables(pairs: list[tuple[str, str]]) -> str:
    return "RENAME TABLE " + ", ".join(f"{quote_ident(a)} TO {quote_ident(b)}" for a, b in pairs)


def create_view(view: View, *, replace: bool) -> str:
    head = "CREATE OR REPLACE" if replace else "CREATE"
    if view.algorithm and view.algorithm != "UNDEFINED":
        head += f" ALGORITHM={view.algorithm}"
    if view.security and view.security != "DEFINER":
        head += f" SQL SECURITY {view.security}"
    columns = f" ({', '.join(quote_ident(c) for c in view.columns)})" if view.columns else ""
    text = f"{head} VIEW {quote_ident(view.name)}{columns} AS {view.definition.sql}"
    if view.check_option and view.check_option != "NONE":
        text += f" WITH {view.check_option} CHECK OPTION"
    return text


def drop_views(names: list[str]) -> str:
    return "DROP VIEW " + ", ".join(quote_ident(n) for n in names)


def _position(position: Position | None) -> str:
    if position is None:
        return ""
    return " FIRST" if position.after is None else f" AFTER {quote_ident(position.after)}"


def alter_clause(change: Change, flavor: Flavor, table: Table | None = None) -> str:
    """One clause of ALTER TABLE for a change."""
    if isinstance(change, AddColumn):
        check = _column_check(table, change.column.key, flavor)
        return "ADD COLUMN " + column_definition(change.column, flavor, check=check) + _position(change.position)
    if isinstance(change, DropColumn):
        return f"DROP COLUMN {quote_ident(change.column.name)}"
    if isinstance(change, ModifyColumn):
        # MariaDB: MODIFY/CHANGE drops the column's own CHECK unless it is repeated
        check = _column_check(table, change.new.key, flavor)
        if change.renamed:
            return (f"CHANGE COLUMN {quote_ident(change.old.name)} "
                    + column_definition(change.new, flavor, check=check) + _position(change.position))
        # (MariaDB's ALTER COLUMN … SET/DROP DEFAULT also drops ON UPDATE: such a column is modified)
        if _default_only(change) and check is None and change.new.on_update is None:
            new = change.new
            if new.default is None:
                return f"ALTER COLUMN {quote_ident(new.name)} DROP DEFAULT"
            return f"ALTER COLUMN {quote_ident(new.name)} SET DEFAULT {default_sql(new.default, new, flavor)}"
        return "MODIFY COLUMN " + column_definition(change.new, flavor, check=check) + _position(change.position)
    if isinstance(change, AddIndex):
        index = change.index
        if index.kind == "primary":
            return "ADD PRIMARY KEY " + index_parts_sql(index) + _index_options(index, flavor)
        word = {"unique": "ADD UNIQUE INDEX", "index": "ADD INDEX", "fulltext": "ADD FULLTEXT INDEX",
                "spatial": "ADD SPATIAL INDEX"}[index.kind]
        return f"{word} {quote_ident(index.name)} " + index_parts_sql(index) + _index_options(index, flavor)
    if isinstance(change, DropIndex):
        if change.index.kind == "primary":
            return "DROP PRIMARY KEY"
        return f"DROP INDEX {quote_ident(change.index.name)}"
    if isinstance(change, ChangeIndexVisibility):
        if flavor.is_mariadb:
            state = "IGNORED" if change.index.invisible else "NOT IGNORED"
        else:
            state = "INVISIBLE" if change.index.invisible else "VISIBLE"
        return f"ALTER INDEX {quote_ident(change.index.name)} {state}"
    if isinstance(change, RenameIndex):
        return f"RENAME INDEX {quote_ident(change.old_name)} TO {quote_ident(change.new_name)}"
    if isinstance(change, AddForeignKey):
        # always named, the name the plan shows (one the Schemafile leaves unnamed gets a name no
        # live key has: diff.fresh_name); the key's index is in the plan too, under its own name
        text = foreign_key_definition(change.foreign_key, flavor)
        if change.server_named:  # the server's own name for it is the one the plan shows (diff._constraints)
            text = text[text.index("FOREIGN KEY"):]
        return "ADD " + text
    if isinstance(change, DropForeignKey):
        return f"DROP FOREIGN KEY {quote_ident(change.foreign_key.name)}"
    if isinstance(change, AddCheck):
        if change.check.column_level and flavor.column_level_checks and table is not None:
            column = table.column(change.check.name)
            if column is not None:  # MariaDB: a column's own CHECK comes with the column's definition
                return "MODIFY COLUMN " + column_definition(column, flavor, check=change.check)
        return "ADD " + check_definition(change.check, flavor)
    if isinstance(change, DropCheck):
        if change.check.column_level and flavor.column_level_checks and table is not None:
            column = table.column(change.check.name)
            if column is not None:  # MariaDB cannot DROP CONSTRAINT a column's own CHECK: MODIFY drops it
                return "MODIFY COLUMN " + column_definition(column, flavor, check=_column_check(table, column.key, flavor))
        word = "CONSTRAINT" if flavor.supports_drop_constraint else "CHECK"
        return f"DROP {word} {quote_ident(change.check.name)}"
    if isinstance(change, ChangeTableOptions):
        return ", ".join(_option_changes(change.old, change.new))
    if isinstance(change, ChangePartitioning):
        if change.new is None:
            return "REMOVE PARTITIONING"
        return partitioning_sql(change.new)
    raise TypeError(f"no ALTER clause for {type(change).__name__}")


def _column_check(table: Table | None, column_key: str, flavor: Flavor) -> CheckConstraint | None:
    if table is None or not flavor.column_level_checks:
        return None
    return next((c for c in table.checks if c.column_level and c.key == column_key), None)


def _default_only(change: ModifyColumn) -> bool:
    old, new = change.old, change.new
    if change.position is not None or old.default == new.default:
        return False
    if new.default is not None and new.default.kind == "expression":
        return False
    if new.default is None and new.nullable:
        return False
    return replace(old, default=new.default) == new


def _option_changes(old: TableOptions, new: TableOptions) -> list[str]:
    out = []
    if old.engine != new.engine and new.engine:
        out.append(f"ENGINE={new.engine}")
    if (old.charset, old.collation) != (new.charset, new.collation) and new.charset:
        out.append(f"DEFAULT CHARSET={new.charset}" + (f" COLLATE={new.collation}" if new.collation else ""))
    if old.row_format != new.row_format:
        out.append(f"ROW_FORMAT={new.row_format or 'DEFAULT'}")
    old_extra, new_extra = dict(old.extra), dict(new.extra)
    for name in sorted(set(old_extra) | set(new_extra)):
        if old_extra.get(name) != new_extra.get(name):
            value = _option_value(name, new_extra[name]) if name in new_extra else _OPTION_RESET.get(name, "DEFAULT")
            out.append(f"{_OPTION_SPELLING.get(name, name.upper())}={value}")
    if old.comment != new.comment:
        out.append(f"COMMENT={quote_string(new.comment)}")
    return out


def append_clause(alter: str, table: str, clause: str) -> str:
    """ALTER TABLE ``table`` … with the online-DDL clause (``ALGORITHM=…, LOCK=…``) added ('' adds
    nothing). Partitioning options must come last in ALTER TABLE (:func:`alter_table` puts them on a
    line of their own, with no comma): the clause goes before them."""
    if not clause:
        return alter
    head = f"ALTER TABLE {quote_ident(table)} "
    if alter.startswith(head) and alter[len(head):].startswith(_PARTITIONING):
        return f"{head}{clause} {alter[len(head):]}"
    for start in _PARTITIONING:
        at = alter.find("\n  " + start)
        if at >= 0:
            return f"{alter[:at]},\n  {clause}{alter[at:]}"
    return alter + (",\n  " if "\n" in alter else ", ") + clause


_PARTITIONING = ("PARTITION BY ", "REMOVE PARTITIONING")


def alter_table(table: str, clauses: list[str], partitioning: str | None = None) -> str:
    """ALTER TABLE with its clauses, comma-separated, then the partitioning (which takes no comma)."""
    parts = [",\n  ".join(clauses)] if clauses else []
    if partitioning:
        parts.append(partitioning)
    if len(clauses) + bool(partitioning) == 1:
        return f"ALTER TABLE {quote_ident(table)} {parts[0]}"
    return f"ALTER TABLE {quote_ident(table)}\n  " + "\n  ".join(parts)
