"""The one pass that brings a model to a server's canonical form.

``normalize`` is idempotent and runs on both sides: on the declared schema (fill in what the server
would: default widths, collations, index names, the index a foreign key needs) and on the
introspected one (undo what the server reports differently: MariaDB's JSON as LONGTEXT + CHECK, …).
It asks the flavor (``flavor``) every question whose answer depends on the server.
"""

from __future__ import annotations

import re
from dataclasses import fields as dataclass_fields, replace
from operator import attrgetter
from typing import Mapping

from .flavor import (Flavor, KeyLimits, canonical_charset, canonical_collation, canonical_default, resolve_charset,
                     stored_comment, typed_charset)
from .model import (CheckConstraint, Column, ColumnType, Default, Event, Expr, ForeignKey, Index, IndexPart, Parameter,
                    Partitioning, ProgramSettings, Routine, Schema, Table, TableOptions, Trigger, View, evolve,
                    interned, key, type_fields, unique_name)
from .parse.views import canonical_query, dependency_order
from .sql.expressions import canonical, expression, is_now, now_precision

def normalize(schema: Schema, flavor: Flavor, *, database: str | None = None) -> Schema:
    """Bring a declared or introspected schema to ``flavor``'s canonical form."""
    inherit = resolve_charset(schema.charset, schema.collation, (flavor.charset, flavor.collation), flavor)
    memo: dict = {}  # column definitions already made canonical (see _column)
    tables = tuple(_table(t, flavor, inherit, database, memo) for t in schema.tables)
    views = []
    if schema.views:
        columns = {t.name.lower(): tuple(c.key for c in t.columns) for t in tables}  # (views compare names lower-case)
        for view in views_by_dependency(schema.views):
            view, output = _view(view, flavor, columns, database)
            columns[view.name.lower()] = output  # views read by later views
            views.append(view)
    triggers, routines, events = normalize_programs(schema, flavor, inherit)
    return Schema(tables, tuple(views), inherit[0], inherit[1], triggers, routines, events)


def views_by_dependency(views: tuple[View, ...]) -> list[View]:
    """Views in an order each can be created in: after the views it reads."""
    by_name = {v.name: v for v in views}
    return [by_name[n] for n in dependency_order({v.name: v.definition.sql for v in views})]


def _view(view: View, flavor: Flavor, columns: Mapping[str, tuple[str, ...]], database: str | None
          ) -> tuple[View, tuple[str, ...]]:
    canon, output = canonical_query(view.definition.sql, columns, database=database, view_columns=view.columns)
    algorithm = view.algorithm.upper() if flavor.is_mariadb else "UNDEFINED"  # MySQL does not report it
    return replace(view, definition=Expr(view.definition.sql, canon), algorithm=algorithm,
                   security=view.security.upper(), check_option=view.check_option.upper()), output


def _table(table: Table, flavor: Flavor, inherit: tuple[str, str], database: str | None, memo: dict) -> Table:
    options = _options(table.options, flavor, inherit, memo)
    charset, collation, engine = options.charset, options.collation, options.engine

    pk = next((i for i in table.indexes if i.kind == "primary"), None)
    pk_columns = {key(c) for c in pk.columns} if pk else set()
    columns = []
    timestamps_seen = 0
    table_charset = (charset, collation)
    for col in table.columns:
        column = _column(col, flavor, table_charset, pk_columns, timestamps_seen, memo)
        if not column.comment.isascii():  # (an ASCII comment is stored as it is)
            column = evolve(column, comment=stored_comment(column.comment))
        columns.append(column)
        if col.type.name == "timestamp":
            timestamps_seen += 1
    table = fold_json(evolve(table, columns=tuple(columns), options=options), flavor)
    by_key = {key(c.name): c for c in table.columns}
    indexes = _indexes(table, by_key, flavor)
    foreign_keys, indexes = _foreign_keys(table, indexes, flavor, database, by_key)
    if engine not in ("InnoDB", "ndbcluster"):
        foreign_keys = []  # other engines take FOREIGN KEY silently and keep only its index
    # MySQL before 8.0.16 parses CHECK and ignores it: the table it creates has none
    checks = _checks(table.name, list(table.checks), flavor, by_key) if flavor.supports_check else []
    partitioning = _partitioning(table.partitioning)
    return evolve(table, indexes=tuple(indexes), foreign_keys=tuple(foreign_keys),
                   checks=tuple(checks), options=options, partitioning=partitioning)


# every field of TableOptions but the comment (a field added to it is in the memo's key)
_option_fields = attrgetter(*(f.name for f in dataclass_fields(TableOptions) if f.name != "comment"))


def _options(opts: TableOptions, flavor: Flavor, inherit: tuple[str, str], memo: dict) -> TableOptions:
    """A table's options in canonical form. ``memo``: what options met before became — tables share a
    few (the comment apart, made canonical for each)."""
    memo_key = ("options", _option_fields(opts))
    known = memo.get(memo_key)
    if known is None:
        charset, collation = resolve_charset(opts.charset, opts.collation, inherit, flavor)
        engine = _engine_name(opts.engine or flavor.default_engine)
        row_format = opts.row_format.upper() if opts.row_format else None
        if row_format == "DEFAULT":
            row_format = None
        extra = dict((k, v) for k, v in opts.extra if (k, v) not in _UNSHOWN_OPTIONS)
        extra = dict(flavor.implied_table_options(engine, row_format), **extra)
        known = memo[memo_key] = evolve(opts, engine=engine, charset=charset, collation=collation,
                                        row_format=row_format, extra=tuple(sorted(extra.items())), comment="")
    return evolve(known, comment=stored_comment(opts.comment))


# options the server takes but does not show, being the default: a Schemafile may write them
# (Aria's PAGE_CHECKSUM=1, its default, shows in CREATE_OPTIONS only once the table was altered)
_UNSHOWN_OPTIONS = {("stats_sample_pages", "DEFAULT"), ("checksum", "0"), ("delay_key_write", "0"),
                    ("pack_keys", "DEFAULT"), ("page_checksum", "1"),
                    ("page_compressed", "0")}  # (shown, once set back to 0: it is the default)



_ENGINE_NAMES = {"innodb": "InnoDB", "myisam": "MyISAM", "memory": "MEMORY", "heap": "MEMORY", "csv": "CSV",
                 "archive": "ARCHIVE", "aria": "Aria", "blackhole": "BLACKHOLE", "rocksdb": "ROCKSDB",
                 "merge": "MRG_MyISAM", "mrg_myisam": "MRG_MyISAM", "federated": "FEDERATED"}


def _engine_name(engine: str) -> str:
    return _ENGINE_NAMES.get(engine.lower(), engine)


def _is_json_valid(expr: Expr, column: str) -> bool:
    return expr.canon == canonical(f"json_valid(`{column}`)")


def _column(col: Column, flavor: Flavor, table_charset: tuple[str, str], pk_columns: set[str],
            timestamps_seen: int, memo: dict) -> Column:
    """One column in canonical form. ``memo`` (one per normalize) keeps what a definition became:
    a schema's columns repeat a few definitions, and the outcome depends on the definition, the
    table's character set, whether the column is in the primary key and whether it is the table's
    first TIMESTAMP — not on its name."""
    in_pk = key(col.name) in pk_columns
    # The key is made of the values' own fields (strings, numbers, tuples of them), which Python
    # hashes and compares without calling the dataclasses' __hash__ and __eq__ (the type's every
    # field, read from it: a field added to ColumnType is in the key). An expression's text is not
    # compared but is kept (it is rendered): part of the key.
    t, default, on_update = col.type, col.default, col.on_update
    memo_key = (type_fields(t), col.nullable,
                None if default is None else (default.kind, default.value, None if default.expr is None
                                              else (default.expr.canon, default.expr.sql)),
                None if on_update is None else (on_update.canon, on_update.sql), col.charset, col.collation,
                col.auto_increment, col.generated is None, table_charset, in_pk, timestamps_seen == 0)
    known = memo.get(memo_key)
    if known is None:
        fields = _canonical_column_fields(col, flavor, table_charset, in_pk, timestamps_seen)
        # whether the definition is canonical already: the key holds every field compared
        known = memo[memo_key] = (fields, fields == (t, col.nullable, col.charset, col.collation, default,
                                                     on_update))
    fields, canonical_already = known
    if canonical_already:
        return col
    t, nullable, charset, collation, default, on_update = fields
    return evolve(col, type=t, nullable=nullable, default=default, on_update=on_update, charset=charset,
                  collation=collation)


def _canonical_column_fields(col: Column, flavor: Flavor, table_charset: tuple[str, str], in_pk: bool,
                             timestamps_seen: int) -> tuple:
    """(type, nullable, charset, collation, default, on_update) of ``col`` in canonical form (the type
    and the default ``interned``)."""
    t, charset, collation = typed_charset(col.type, col.charset, col.collation, table_charset, flavor)
    nullable = col.nullable
    default = col.default
    on_update = col.on_update
    if in_pk:  # the server makes a primary key's columns NOT NULL, and drops a DEFAULT NULL with it
        nullable = False
        if default is not None and default.kind == "null":
            default = None
    if nullable is None:
        if t.name == "timestamp" and not flavor.explicit_defaults_for_timestamp and col.generated is None:
            nullable = False
            if default is None and timestamps_seen == 0:
                now = expression(f"current_timestamp({t.length})" if t.length else "current_timestamp()")
                default, on_update = Default("expression", expr=now), on_update or now
            elif default is None:
                default = Default("string", "0")
        else:
            nullable = True
    if default is None and nullable and not col.auto_increment and col.generated is None:
        default = Default("null")
    elif default is None and on_update is not None and t.name in ("timestamp", "datetime") and flavor.is_mariadb:
        default = Default("string", "0")  # MariaDB gives TIMESTAMP/DATETIME NOT NULL ON UPDATE … a zero default
    if col.generated is not None:
        default = None
    if default is not None and default.kind == "expression" and flavor.is_mariadb:
        default = constant_default(default.expr) or default
    fsp = (t.length or 0) if flavor.is_mariadb and t.name in ("datetime", "timestamp") else None
    if default is not None and default.kind == "expression":
        default = Default("expression", expr=_canonical_now(default.expr, fsp))
    else:
        default = canonical_default(default, t, flavor, collation)
    on_update = _canonical_now(on_update, fsp)
    return interned(t), nullable, charset, collation, None if default is None else interned(default), on_update


_CONSTANT = re.compile(r"(?P<neg>(?:neg\(this=)*)(?:num:(?P<num>[0-9.eE+-]+)|str:(?P<str>[^()\[\]=]*)|(?P<null>null\(\))"
                       r"|hexstring\(this=(?P<hex>[0-9a-fA-F]*)\)|bitstring\(this=(?P<bits>[01]*)\)|(?P<pi>pi\(\)))"
                       r"(?P<close>\)*)")


_INTRODUCER = re.compile(r"(?i)(?<![\w$])_[a-z0-9]+\s*'")


def constant_default(expr: Expr) -> Default | None:
    """MariaDB keeps a parenthesised constant default — ``(1)``, ``(-(1))``, ``('a')``, ``(x'41')``,
    ``(b'1')``, ``(NULL)``, ``(pi())`` — as the literal it is, not as an expression; None for any
    other expression."""
    m = _CONSTANT.fullmatch(expr.canon)
    if not m or _INTRODUCER.search(expr.sql):  # (_utf8mb4'x') is kept as written (for TEXT, at least)
        return None
    if not m or len(m.group("neg")) // len("neg(this=") != len(m.group("close")):
        return None
    negative = (len(m.group("close")) % 2) == 1
    if m.group("null") is not None:
        return None if m.group("neg") else Default("null")
    if m.group("str") is not None:
        return None if m.group("neg") else Default("string", m.group("str"))
    if m.group("hex") is not None or m.group("bits") is not None:
        return None if m.group("neg") else (Default("hex", m.group("hex")) if m.group("hex") is not None
                                              else Default("bits", m.group("bits")))
    number = "3.141592653589793" if m.group("pi") else m.group("num")
    return Default("number", ("-" if negative else "") + number)


def _canonical_now(expr: Expr | None, fsp: int | None = None) -> Expr | None:
    """current_timestamp / now() / localtimestamp (n) -> current_timestamp(n), the server's spelling.
    With ``fsp`` (MariaDB: the column's fractional-seconds precision) the server's precision: the
    column's when none (or 0) is given or when more is asked than the column keeps."""
    if expr is None:
        return None
    if not is_now(expr.sql):
        return expr
    n = now_precision(expr.sql)
    if fsp is not None and (n == 0 or n > fsp):
        n = fsp
    text = f"current_timestamp({n})" if n else "current_timestamp()"
    return Expr(text, canonical(text))


def fold_json(table: Table, flavor: Flavor) -> Table:
    """MariaDB: LONGTEXT utf8mb4_bin + CHECK (json_valid(col)) named after the column is JSON."""
    if not flavor.json_is_longtext or not table.checks:
        return table
    columns = list(table.columns)
    checks = list(table.checks)
    for k, col in enumerate(columns):
        if col.type.name != "longtext" or col.charset != "utf8mb4" or col.collation != "utf8mb4_bin":
            continue
        check = next((c for c in checks if c.key == col.key and _is_json_valid(c.expr, col.name)), None)
        if check is None:
            continue
        columns[k] = evolve(col, type=interned(ColumnType("json")), charset=None, collation=None)
        checks.remove(check)
    return evolve(table, columns=tuple(columns), checks=tuple(checks))


def _indexes(table: Table, columns: Mapping[str, Column], flavor: Flavor) -> list[Index]:
    limits = flavor.key_limits(table.options.engine, table.options.row_format)
    named: list[Index] = []
    for index in table.indexes:
        if index.beside_primary and flavor.primary_key_column_drops_unique:
            continue
        parts = tuple([_index_part(p, columns, index.kind, flavor, limits) for p in index.parts])
        name = index.name
        if index.kind == "primary":
            name = "PRIMARY"
        elif not name:
            first = next((p.column for p in parts if p.column), None)
            base = first if first else "functional_index"
            if first and first in columns:
                base = columns[first].name
            name = unique_name(base, [i.name for i in named] + ["PRIMARY"])
        memory = table.options.engine == "MEMORY"
        # MariaDB also makes a long unique of a UNIQUE … USING HASH that does not need one, but the
        # next ALTER TABLE that copies the table makes it a BTREE key again, silently: such a key
        # is compared as the plain unique key it may become (its parts lose DESC all the same)
        if limits.long_unique:
            hashed = index.kind == "unique" and _needs_long_unique(parts, columns, flavor, limits)
        else:
            hashed = index.hashed
        if hashed and memory:  # HASH is MEMORY's own key type, not a long unique
            hashed = False
        # a hash key has no order: the server drops DESC (a MEMORY key is HASH unless USING BTREE;
        # read back, a MEMORY key that kept DESC is a BTREE one, its USING not being visible)
        using = (index.using or "").upper()
        if hashed or index.hashed or using == "HASH" or (memory and index.kind != "fulltext" and not using and index.line is not None):
            parts = tuple(evolve(p, descending=False) if p.descending else p for p in parts)
        elif memory and not using and any(p.descending for p in parts):
            index = evolve(index, using="BTREE")  # (to be rendered so: an export must say it)
        if memory and using == "HASH":
            index = evolve(index, using=None)  # MEMORY's own key type, said or not
        if not index.comment.isascii():  # (an ASCII comment is stored as it is)
            index = evolve(index, comment=stored_comment(index.comment))
        canonical = (name, parts, hashed, "HASH" if hashed else index.using)
        if canonical != (index.name, index.parts, index.hashed, index.using):
            index = evolve(index, name=name, parts=parts, hashed=hashed, using=canonical[3])
        named.append(index)
    return named


def _index_part(part: IndexPart, columns: Mapping[str, Column], kind: str, flavor: Flavor,
                limits: KeyLimits) -> IndexPart:
    if part.column is None:
        return part
    column = columns.get(key(part.column))
    name = column.name if column else part.column
    length = part.length
    descending = part.descending and flavor.supports_desc_index and kind not in ("fulltext", "spatial")
    if kind in ("fulltext", "spatial"):
        length = None
    elif column is not None and length is not None and column.type.name in ("char", "varchar", "binary",
                                                                           "varbinary"):
        if column.type.length is not None and length >= column.type.length:
            length = None  # a "prefix" as long as the column is the whole column
    if kind == "index" and column is not None and limits.cuts_parts:
        # a plain key's part longer than the engine allows is cut to a prefix (note 1071 only)
        chars, per_char = _part_chars(column, length, flavor)
        if chars is not None and chars * per_char > limits.part_bytes:
            length = limits.part_bytes // per_char
    if (name, length, descending) == (part.column, part.length, part.descending) and part.expr is None:
        return part  # already canonical
    return IndexPart(column=name, length=length, descending=descending)


def _part_chars(column: Column, length: int | None, flavor: Flavor) -> tuple[int | None, int]:
    """(characters, bytes per character) a key part on ``column`` holds; None for non-string types."""
    t = column.type
    per_char = flavor.charset_maxlen(column.charset) if t.is_textual else 1
    if length is not None:
        return length, per_char
    if t.name in ("char", "varchar", "binary", "varbinary"):
        return t.length or 1, per_char
    return None, per_char


def _needs_long_unique(parts: tuple[IndexPart, ...], columns: Mapping[str, Column], flavor: Flavor,
                       limits: KeyLimits) -> bool:
    total = 0
    for part in parts:
        if part.column is None:
            return False
        col = columns.get(key(part.column))
        if col is None:
            return False
        if col.type.is_blob_or_text and part.length is None:
            return True
        chars, per_char = _part_chars(col, part.length, flavor)
        total += (chars or 0) * per_char
    return total > (limits.key_bytes or 0)


def sort_indexes(indexes: list[Index], columns: Mapping[str, Column]) -> list[Index]:
    """The server's key order (sql_table.cc sort_keys): unique NOT NULL keys
    (PRIMARY first, whole-column before prefix), other unique keys, plain
    keys, then FULLTEXT; declaration order within each class."""

    def nullable(index: Index) -> bool:
        for part in index.parts:
            if part.column is None:
                return True
            col = columns.get(key(part.column))
            if col is None or col.nullable:
                return True
        return False

    def rank(pair: tuple[int, Index]) -> tuple:
        position, index = pair
        if index.kind in ("primary", "unique"):
            if index.hashed or (index.kind == "unique" and (index.using or "").upper() == "HASH"):
                # (a long unique, or one made so by USING HASH: see _indexes)
                return (1, 1, 0, 0, position)
            has_prefix = any(p.length is not None for p in index.parts)
            return (0, 1 if nullable(index) else 0, 0 if index.kind == "primary" else 1, 1 if has_prefix else 0,
                    position)
        return (2, 1 if index.kind == "fulltext" else 0, 0, 0, position)

    return [i for _, i in sorted(enumerate(indexes), key=rank)]


def _fk_index_covers(index: Index, columns: tuple[str, ...]) -> bool:
    """Whether an index can serve a foreign key on ``columns`` (they are its leading whole columns)."""
    if index.kind in ("fulltext", "spatial") or index.hashed or index.using == "HASH":
        return False  # (MariaDB does not count a key declared USING HASH, even on InnoDB)
    if len(index.parts) < len(columns):
        return False
    for part, column in zip(index.parts, columns):
        if part.column is None or key(part.column) != key(column) or part.length is not None:
            return False
    return True


def _foreign_keys(table: Table, indexes: list[Index], flavor: Flavor, database: str | None,
                  columns: Mapping[str, Column]) -> tuple[list[ForeignKey], list[Index]]:
    out: list[ForeignKey] = []
    counter = 0
    explicit = {fk.name for fk in table.foreign_keys if fk.name}
    placed: list[tuple[int, Index]] = []
    for fk in table.foreign_keys:
        name = fk.name
        named = bool(name)
        if not name and fk.index_name and flavor.fk_index_name_names_constraint:
            name, named = fk.index_name, True  # FOREIGN KEY idx (…) without CONSTRAINT: the key is `idx`
        if not name:
            while True:
                counter += 1
                name = f"{table.name}_ibfk_{counter}"
                if name not in explicit:
                    break
        ref_schema = fk.ref_schema
        if ref_schema is not None and database is not None and ref_schema == database:
            ref_schema = None
        out.append(evolve(fk, name=name, ref_schema=ref_schema, auto_named=not named,
                           on_delete=flavor.fk_action(fk.on_delete), on_update=flavor.fk_action(fk.on_update)))
        if fk.position is None:
            continue  # introspected: the server already made the index
        if any(_fk_index_covers(i, fk.columns) for i in indexes) or \
                any(_fk_index_covers(i, fk.columns) for _, i in placed):
            continue
        # the index the server makes for the key: MariaDB names it after the key, MySQL 8.0.16+
        # after FOREIGN KEY idx (…) first; with neither name, after the first column
        if flavor.fk_index_name_names_constraint:
            index_name = name if named else fk.columns[0]
        else:
            index_name = fk.index_name or (name if named else fk.columns[0])
        index_name = unique_name(index_name, [i.name for i in indexes] + [i.name for _, i in placed])
        placed.append((fk.position, Index(index_name, "index", tuple(IndexPart(column=c) for c in fk.columns),
                                          auto_named=True, line=fk.line)))
    merged = indexes
    if placed:
        merged = []
        for k in range(len(indexes) + 1):
            merged.extend(index for position, index in placed if min(position, len(indexes)) == k)
            if k < len(indexes):
                merged.append(indexes[k])
    out.sort(key=lambda fk: fk.name)
    return out, sort_indexes(merged, columns)


def _checks(table: str, checks: list[CheckConstraint], flavor: Flavor,
            columns: Mapping[str, Column]) -> list[CheckConstraint]:
    """Name the unnamed CHECKs as the server does, in the server's order.

    MariaDB keeps an unnamed column CHECK with its column, named after it, and
    numbers the other unnamed ones CONSTRAINT_1, CONSTRAINT_2…; MySQL numbers
    every unnamed one <table>_chk_1, <table>_chk_2… in the order written.
    """
    column_level = [c for c in checks if c.column_level and flavor.column_level_checks]
    others = [evolve(c, column_level=False) if c.column_level else c
              for c in checks if not (c.column_level and flavor.column_level_checks)]
    out = list(column_level)
    if len(out) > 1:
        order = {k: n for n, k in enumerate(columns)}
        out.sort(key=lambda c: order.get(c.key, len(order)))
    taken = {c.name for c in others if not c.auto_named}
    counter = 0
    for check in others:
        if check.auto_named:
            while True:
                counter += 1
                name = flavor.check_auto_name(table, counter)
                if name not in taken:
                    break
            check = evolve(check, name=name, column_level=False)
        out.append(check)
    if flavor.lists_checks_by_name:
        out.sort(key=lambda c: (c.key, c.name))
    return out


def _partitioning(p: Partitioning | None) -> Partitioning | None:
    if p is None:
        return None
    partitions = p.partitions
    count = p.count
    sub_count = p.sub_count
    if p.method in ("HASH", "KEY", "LINEAR HASH", "LINEAR KEY") and partitions and all(
            part.values is None and not part.comment and not part.subpartitions for part in partitions) and \
            [part.name for part in partitions] == [f"p{k}" for k in range(len(partitions))]:
        count, partitions = len(partitions), ()
    if p.sub_method and partitions:
        subs = [part.subpartitions for part in partitions]
        n = len(subs[0])
        if n and all(s == tuple(f"{part.name}sp{k}" for k in range(n)) for s, part in zip(subs, partitions)):
            partitions = tuple(replace(part, subpartitions=()) for part in partitions)
            sub_count = n
    if count is not None and partitions:
        count = None
    if p.method in ("HASH", "KEY", "LINEAR HASH", "LINEAR KEY") and not partitions and count is None:
        count = 1
    # the server's spelling of the last range: MAXVALUE for RANGE, (MAXVALUE) for RANGE COLUMNS
    maxvalue = "LESS THAN MAXVALUE" if p.method == "RANGE" else "LESS THAN (MAXVALUE)"
    if p.method.startswith("RANGE") and any(part.values in ("LESS THAN MAXVALUE", "LESS THAN (MAXVALUE)")
                                            and part.values != maxvalue for part in partitions):
        partitions = tuple(replace(part, values=maxvalue) if part.values in ("LESS THAN MAXVALUE", "LESS THAN (MAXVALUE)")
                           else part for part in partitions)
    return replace(p, partitions=partitions, count=count, sub_count=sub_count)


# --------------------------------------------------------------------------
# Stored programs: what the server fills in when it stores a trigger, routine
# or event — the session's sql_mode (combination modes expanded) and time zone
# where the Schemafile set none; a parameter's character set (the database's
# default when not given, as for columns), integer display widths and the
# other type spellings of columns.
# --------------------------------------------------------------------------

def normalize_programs(schema: Schema, flavor: Flavor, inherit: tuple[str, str]
                       ) -> tuple[tuple[Trigger, ...], tuple[Routine, ...], tuple[Event, ...]]:
    triggers = tuple(replace(t, settings=program_settings(t.settings, flavor)) for t in schema.triggers)
    routines = tuple(_routine(r, flavor, inherit) for r in schema.routines)
    events = tuple(replace(e, settings=program_settings(e.settings, flavor, event=True)) for e in schema.events)
    return triggers, routines, events


def canonical_sql_mode(mode: tuple[str, ...], flavor: Flavor) -> tuple[str, ...]:
    """The modes the server stores for ``mode``: upper-case, combination modes expanded, sorted."""
    out: set[str] = set()
    combinations = flavor.sql_mode_combinations
    for name in mode:
        name = name.strip().upper()
        if not name:
            continue
        out.add(name)
        out.update(combinations.get(name, ()))
    return tuple(sorted(out))


def program_settings(declared: ProgramSettings, flavor: Flavor, *, event: bool = False) -> ProgramSettings:
    session = flavor.session
    mode = declared.sql_mode if declared.sql_mode is not None else session.sql_mode or ()
    client = canonical_charset(declared.client_charset)
    collation = canonical_collation(declared.collation)
    if collation is None and client is not None:  # SET NAMES x: x's default collation
        collation = flavor.default_collation(client)
    time_zone = (declared.time_zone or session.time_zone) if event else None
    return ProgramSettings(canonical_sql_mode(mode, flavor), client, collation, time_zone)


def _routine_parameter(p: Parameter, flavor: Flavor, inherit: tuple[str, str]) -> Parameter:
    t, charset, collation = typed_charset(p.type, p.charset, p.collation, inherit, flavor)
    return replace(p, type=t, mode=p.mode.upper(), charset=charset, collation=collation)


def _routine(r: Routine, flavor: Flavor, inherit: tuple[str, str]) -> Routine:
    return replace(r, kind=r.kind.upper(), parameters=tuple(_routine_parameter(p, flavor, inherit) for p in r.parameters),
                   returns=_routine_parameter(r.returns, flavor, inherit) if r.returns is not None else None,
                   data_access=r.data_access.upper(), security=r.security.upper(),
                   settings=program_settings(r.settings, flavor))
