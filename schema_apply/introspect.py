"""Read a live database's schema from information_schema into the model.

A fixed handful of bulk queries, each filtered by schema, whatever the number
of tables — never one query per table (Ridgepole sends SHOW FULL FIELDS and
SHOW KEYS per table, which also needs SELECT on every table). Only metadata
columns are selected: no TABLE_ROWS, AUTO_INCREMENT or DATA_LENGTH, which
are derived from rows (and would be secret for secret tables), and fewer
columns means fewer tables opened by the server. The largest read, COLUMNS, comes
back on MariaDB 10.6+ as JSON chunks, cheaper to decode (``introspect_bulk``):
the decoders below get the same tuples either way.
"""

from __future__ import annotations

import re
from collections import OrderedDict, defaultdict
from typing import Protocol

from . import flavor as flavors
from . import introspect_bulk
from .flavor import Flavor
from .normalize import normalize
from .introspect_bulk import CHUNK, BulkRead, RowRead
from .introspect_programs import LivePrograms, read_programs
from .model import (
    CheckConstraint, Column, ColumnType, Default, Expr, ForeignKey, Generated, Index, IndexPart, Partition,
    Partitioning, ProgramSettings, Schema, Table, TableOptions, View, ALL_TYPES, interned, made)
from .sql import expressions
from .parse.types import parse_column_type
from .values import frozen


class Connection(Protocol):
    def query(self, sql: str, params: tuple = ()) -> list[tuple]: ...


@frozen
class LiveSchema:
    schema: Schema
    flavor: Flavor
    database: str
    exists: bool = True
    # Views whose definition the server does not show this user (it needs SHOW VIEW and SELECT on
    # the view, or to be its definer): they cannot be compared, so they are not in ``schema``.
    hidden_views: tuple[str, ...] = ()
    # The applying account, its privileges for stored programs, routines it is not shown
    programs: LivePrograms = LivePrograms()


def detect_flavor(conn: Connection, database: str) -> tuple[Flavor, bool]:
    """The server's flavour and settings, and whether ``database`` exists (three queries)."""
    row = conn.query(
        "SELECT VERSION(), @@version_comment, @@lower_case_table_names, @@explicit_defaults_for_timestamp,"
        " @@default_storage_engine, @@character_set_server, @@collation_server, @@innodb_default_row_format,"
        " @@SESSION.sql_mode, @@character_set_client, @@collation_connection, @@SESSION.time_zone")[0]
    version, comment, lctn, edft, engine, server_cs, server_coll, row_format = row[:8]
    # what a stored program created by this session keeps
    session = ProgramSettings(tuple(sorted(p for p in (row[8] or "").split(",") if p)),
                              flavors.canonical_charset(row[9]), flavors.canonical_collation(row[10]), row[11])
    label = version if "mariadb" in f"{version} {comment}".lower() and "mariadb" in version.lower() else (
        f"{version}-MariaDB" if "mariadb" in str(comment).lower() else version)
    schemata = conn.query("SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA"
                          " WHERE SCHEMA_NAME = %s", (database,))
    charset, collation = schemata[0] if schemata else (server_cs, server_coll)
    # canonical collation names: MySQL 8.0.29 calls the character set utf8mb3 but its
    # collations still utf8_* (renamed in 8.0.30)
    charsets = {name: (flavors.canonical_collation(default), int(maxlen)) for name, default, maxlen in conn.query(
        "SELECT CHARACTER_SET_NAME, DEFAULT_COLLATE_NAME, MAXLEN FROM information_schema.CHARACTER_SETS")}
    if "utf8mb3" not in charsets and "utf8" in charsets:
        default, maxlen = charsets["utf8"]
        charsets["utf8mb3"] = (flavors.canonical_collation(default), maxlen)
    flavor = Flavor.from_version_string(
        label, lower_case_table_names=int(lctn or 0), explicit_defaults_for_timestamp=bool(int(edft or 0)),
        default_engine=engine or "InnoDB", innodb_row_format=(row_format or "DYNAMIC").upper(),
        charset=flavors.canonical_charset(charset),
        collation=flavors.canonical_collation(collation), charsets=charsets, session=session)
    return flavor, bool(schemata)


def introspect(conn: Connection, database: str, flavor: Flavor | None = None) -> LiveSchema:
    """The live schema of ``database``, normalised for its server."""
    exists = True
    if flavor is None:
        flavor, exists = detect_flavor(conn, database)
    reader = _Reader(conn, database, flavor)
    schema, programs = reader.read()
    return LiveSchema(normalize(schema, flavor, database=database), flavor, database, exists,
                      tuple(reader.hidden_views), programs)


def columns_read(flavor: Flavor) -> BulkRead:
    """COLUMNS, a table's columns in order: chunks of at most CHUNK columns of a table (of two, whose
    names differ only in case: information_schema groups names case-insensitively)."""
    srid = ("SRS_ID",) if not flavor.is_mariadb and flavor.version >= (8, 0, 3) else ()
    return BulkRead(("TABLE_NAME", "COLUMN_NAME", "COLUMN_COMMENT", "COLUMN_DEFAULT", "IS_NULLABLE", "COLUMN_TYPE",
                     "CHARACTER_SET_NAME", "COLLATION_NAME", "EXTRA", "GENERATION_EXPRESSION", *srid),
                    "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s", order="TABLE_NAME, ORDINAL_POSITION",
                    chunk=f"TABLE_NAME, ORDINAL_POSITION DIV {CHUNK}")


TABLES_READ = RowRead(("TABLE_NAME", "TABLE_TYPE", "ENGINE", "TABLE_COLLATION", "CREATE_OPTIONS", "TABLE_COMMENT"),
                      "FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s")


def statistics_read(flavor: Flavor) -> RowRead:
    """STATISTICS, a table's keys in the server's key order (the order SHOW CREATE TABLE lists them)."""
    extra: tuple[str, ...] = ()
    if flavor.is_mariadb and flavor.version >= (10, 6, 0):
        extra = ("IGNORED",)
    elif not flavor.is_mariadb and flavor.version >= (8, 0, 0):
        extra = ("IS_VISIBLE", "EXPRESSION") if flavor.version >= (8, 0, 13) else ("IS_VISIBLE",)
    return RowRead(("TABLE_NAME", "INDEX_NAME", "NON_UNIQUE", "SEQ_IN_INDEX", "COLUMN_NAME", "SUB_PART", "COLLATION",
                    "INDEX_TYPE", "INDEX_COMMENT", *extra),
                   "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = %s")


MARIADB_CHECKS_READ = RowRead(("TABLE_NAME", "CONSTRAINT_NAME", "CHECK_CLAUSE", "LEVEL"),
                              "FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = %s")


def row_reads(flavor: Flavor) -> tuple[RowRead, ...]:
    """The reads sent as one JSON array a row where the server's JSON gives their rows
    (``Flavor.json_chunks_match_rows``)."""
    return (TABLES_READ, statistics_read(flavor)) + ((MARIADB_CHECKS_READ,) if flavor.is_mariadb else ())


def foreign_keys_sql(flavor: Flavor) -> str:
    """The foreign keys' columns, in order. MariaDB reads REFERENTIAL_CONSTRAINTS first: joined
    second, it is filled from every database on the server (EXPLAIN: "Scanned all databases"),
    whose tables it opens — 0.16 s of a 1,000-table introspection here, 0.03 s read first. MySQL's
    read is left as it was (not measurable here)."""
    tables = ("information_schema.REFERENTIAL_CONSTRAINTS r STRAIGHT_JOIN information_schema.KEY_COLUMN_USAGE k"
              if flavor.is_mariadb else
              "information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r")
    return ("SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA,"
            " k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE"
            f" FROM {tables} ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA"
            " AND r.TABLE_NAME = k.TABLE_NAME AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME"
            " WHERE k.TABLE_SCHEMA = %s AND r.CONSTRAINT_SCHEMA = %s AND k.REFERENCED_TABLE_NAME IS NOT NULL"
            " ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION")


class _Reader:
    def __init__(self, conn: Connection, database: str, flavor: Flavor):
        self.conn = conn
        self.db = database
        self.flavor = flavor
        self.hidden_views: list[str] = []

    def q(self, sql: str, params: tuple | None = None) -> list[tuple]:
        return self.conn.query(sql, (self.db,) if params is None else params)

    def rows(self, read: RowRead) -> list[tuple]:
        """The rows of ``read`` (for this database), as JSON arrays where they give the same rows."""
        return introspect_bulk.read(self.conn, read, (self.db,), as_json=self.flavor.json_chunks_match_rows)

    def read(self) -> tuple[Schema, LivePrograms]:
        tables = self.rows(TABLES_READ)
        base = {name: row for name, kind, *row in tables if kind == "BASE TABLE"}
        views = [name for name, kind, *_ in tables if kind == "VIEW"]
        columns = self._columns() if tables else {}
        indexes = self._indexes() if base else {}
        fks = self._foreign_keys() if base else {}
        checks = self._checks() if base and self.flavor.supports_check else {}
        partitioned = [name for name, (_, _, options, _) in base.items() if "partitioned" in (options or "").lower()]
        partitions = self._partitions(partitioned) if partitioned else {}
        out = []
        for name, (engine, collation, options, comment) in base.items():
            out.append(Table(
                name=name,
                columns=tuple(columns.get(name, ())),
                indexes=tuple(indexes.get(name, ())),
                foreign_keys=tuple(fks.get(name, ())),
                checks=tuple(checks.get(name, ())),
                options=self._options(engine, collation, options, comment),
                partitioning=partitions.get(name),
            ))
        view_models = self._views(columns) if views else []
        programs = read_programs(self.conn, self.db, self.flavor)
        return Schema(tuple(out), tuple(view_models), triggers=programs.triggers, routines=programs.routines,
                      events=programs.events), programs

    # -- tables ---------------------------------------------------------------

    def _options(self, engine, collation, create_options, comment) -> TableOptions:
        row_format = None
        extra: dict[str, str] = {}
        for item in (create_options or "").split():
            name, _, value = item.partition("=")
            name = name.strip("`").lower()  # MariaDB quotes some: `page_compressed`='1'
            if name == "partitioned" or not value:
                continue
            if name == "row_format":
                row_format = value.upper()
            else:
                value = value.strip("'\"")
                extra[name] = value.upper() if name not in ("compression", "encryption") else value
        charset = flavors.charset_of_collation(collation) if collation else None
        return TableOptions(engine=engine, charset=flavors.canonical_charset(charset),
                            collation=flavors.canonical_collation(collation), comment=comment or "",
                            row_format=row_format, extra=tuple(sorted(extra.items())))

    # -- columns --------------------------------------------------------------

    def _columns(self) -> dict[str, list[Column]]:
        rows = introspect_bulk.read(self.conn, columns_read(self.flavor), (self.db,),
                                    as_json=self.flavor.json_chunks_match_rows)
        out: dict[str, list[Column]] = defaultdict(list)
        # a definition met before (most are: name and comment apart, a schema repeats a few): the
        # fields made for it the first time, with this column's name and comment
        seen: dict[tuple, dict] = {}
        for row in rows:  # (TABLE_NAME, COLUMN_NAME, COLUMN_COMMENT, definition…)
            definition = row[3:]
            first = seen.get(definition)
            if first is None:
                first = seen[definition] = dict(Column(name="", **column_fields(definition, self.flavor)).__dict__)
            fields = first.copy()  # (a copy of a dict of its own is one too: see model.made)
            fields["name"], fields["comment"] = row[1], row[2] or ""
            out[row[0]].append(made(Column, fields))
        return out

    # -- indexes --------------------------------------------------------------

    def _indexes(self) -> dict[str, list[Index]]:
        f = self.flavor
        rows = self.rows(statistics_read(f))
        grouped: dict[str, dict[str, list[tuple]]] = defaultdict(dict)
        for row in rows:
            grouped[row[0]].setdefault(row[1], []).append(row)
        out: dict[str, list[Index]] = {}
        parts_made: dict[tuple, IndexPart] = {}
        for table, by_name in grouped.items():
            out[table] = [index_from_rows(name, sorted(parts, key=lambda r: int(r[3])), f, parts_made)
                          for name, parts in by_name.items()]
        return out

    def _foreign_keys(self) -> dict[str, list[ForeignKey]]:
        rows = self.q(foreign_keys_sql(self.flavor), (self.db, self.db))
        grouped: dict[tuple[str, str], list[tuple]] = OrderedDict()
        for row in rows:
            grouped.setdefault((row[0], row[1]), []).append(row)
        out: dict[str, list[ForeignKey]] = defaultdict(list)
        for (table, name), parts in grouped.items():
            first = parts[0]
            ref_schema = first[3] if first[3] != self.db else None
            out[table].append(ForeignKey(
                name=name, columns=tuple(p[2] for p in parts), ref_table=first[4],
                ref_columns=tuple(p[5] for p in parts), on_delete=first[7], on_update=first[6],
                ref_schema=ref_schema))
        return out

    def _checks(self) -> dict[str, list[CheckConstraint]]:
        if self.flavor.is_mariadb:
            rows = self.rows(MARIADB_CHECKS_READ)
            rows = [(t, n, clause, level == "Column", "YES") for t, n, clause, level in rows]
        else:
            rows = self.q("SELECT t.TABLE_NAME, c.CONSTRAINT_NAME, c.CHECK_CLAUSE, t.ENFORCED"
                          " FROM information_schema.CHECK_CONSTRAINTS c"
                          " JOIN information_schema.TABLE_CONSTRAINTS t ON t.CONSTRAINT_SCHEMA = c.CONSTRAINT_SCHEMA"
                          " AND t.CONSTRAINT_NAME = c.CONSTRAINT_NAME AND t.CONSTRAINT_TYPE = 'CHECK'"
                          " WHERE c.CONSTRAINT_SCHEMA = %s AND t.TABLE_SCHEMA = %s", (self.db, self.db))
            rows = sorted(((t, n, clause, False, enforced) for t, n, clause, enforced in rows),
                          key=lambda r: (r[0], r[1]))
        out: dict[str, list[CheckConstraint]] = defaultdict(list)
        for table, name, clause, column_level, enforced in rows:
            out[table].append(CheckConstraint(name, is_expression(clause, self.flavor), enforced != "NO",
                                              column_level=column_level))
        return out

    def _partitions(self, tables: list[str]) -> dict[str, Partitioning]:
        marks = ", ".join(["%s"] * len(tables))
        rows = self.q(
            "SELECT TABLE_NAME, PARTITION_NAME, SUBPARTITION_NAME, PARTITION_METHOD, SUBPARTITION_METHOD,"
            " PARTITION_EXPRESSION, SUBPARTITION_EXPRESSION, PARTITION_DESCRIPTION, PARTITION_COMMENT"
            " FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = %s AND TABLE_NAME IN (" + marks + ")"
            " AND PARTITION_NAME IS NOT NULL"
            " ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION, SUBPARTITION_ORDINAL_POSITION",
            (self.db, *tables))
        grouped: dict[str, list[tuple]] = OrderedDict()
        for row in rows:
            grouped.setdefault(row[0], []).append(row)
        return {table: partitioning_from_rows(rows) for table, rows in grouped.items()}

    def _views(self, columns: dict[str, list[Column]]) -> list[View]:
        algorithm = ", ALGORITHM" if self.flavor.is_mariadb else ""
        rows = self.q("SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE" + algorithm +
                      " FROM information_schema.VIEWS WHERE TABLE_SCHEMA = %s")
        out = []
        for row in rows:
            name, definition, check_option, security = row[:4]
            if not definition:  # a view is never empty: the server hides it from this user
                self.hidden_views.append(name)
                continue
            out.append(View(name, Expr(definition or "", definition or ""), (),
                            (row[4] if len(row) > 4 else "UNDEFINED") or "UNDEFINED", security or "DEFINER",
                            check_option or "NONE"))
        return out


# --------------------------------------------------------------------------
# Row decoders (pure: unit-tested with the rows MySQL and MariaDB return)
# --------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", re.I)


def server_expression(text: str) -> Expr:
    return Expr(text, expressions.canonical(text))


_PRINT_ESCAPES = {"\\": "\\", "0": "\0", "'": "'", "n": "\n", "r": "\r", "Z": "\x1a"}


def unprint(text: str) -> str:
    """Undo MySQL's String::print (sql/sql_string.cc): ``\\\\ \\0 \\' \\n \\r \\Z`` -> the characters."""
    return re.sub(r"\\([\\0'nrZ])", lambda m: _PRINT_ESCAPES[m.group(1)], text)


def is_expression(text: str, flavor: Flavor) -> Expr:
    """An expression from an information_schema column that holds one (see
    ``Flavor.escapes_is_expressions``)."""
    return server_expression(unprint(text) if flavor.escapes_is_expressions else text)


def unquote_sql_string(text: str) -> str:
    """'x''y' / 'a\\nb' (a quoted SQL string as MariaDB reports it) -> the value."""
    body = text[1:-1]
    out = []
    i = 0
    escapes = {"0": "\0", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "Z": "\x1a", "\\": "\\", "'": "'",
               '"': '"'}
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            out.append(escapes.get(body[i + 1], body[i + 1]))
            i += 2
        elif ch == "'" and body[i + 1:i + 2] == "'":
            out.append("'")
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def decode_default(raw: str | None, extra: str, ctype: ColumnType, nullable: bool, flavor: Flavor) -> Default | None:
    """COLUMN_DEFAULT -> Default, for the flavour's way of writing it.

    MariaDB 10.2.7+ quotes string literals, writes ``NULL`` for DEFAULT NULL
    and leaves SQL NULL for "no default"; numbers and expressions are bare.
    MySQL writes literals bare, SQL NULL for both, and flags expressions with
    DEFAULT_GENERATED in EXTRA.
    """
    if flavor.is_mariadb:
        if raw is None:
            return None
        if raw == "NULL":
            return Default("null")
        if raw.startswith("'") and raw.endswith("'") and len(raw) >= 2:
            return Default("string", unquote_sql_string(raw))
        if re.fullmatch(r"b'[01]*'", raw):
            return Default("bits", raw[2:-1] or "0")
        if _NUMBER.fullmatch(raw):
            return Default("number", raw)
        return Default("expression", expr=server_expression(raw))
    if raw is None:
        return Default("null") if nullable else None
    # MySQL 5.7 and 8.0 before 8.0.13 write CURRENT_TIMESTAMP[(n)] without DEFAULT_GENERATED
    if "DEFAULT_GENERATED" in extra.upper() or (ctype.name in ("timestamp", "datetime")
                                                and expressions.is_now(raw)):
        text = raw if raw.startswith("(") or expressions.is_now(raw) else f"({raw})"
        return Default("expression", expr=is_expression(text, flavor))
    if ctype.name == "bit" and re.fullmatch(r"b'[01]*'", raw):
        return Default("bits", raw[2:-1] or "0")
    if ctype.name in ("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob") and \
            re.fullmatch(r"0x[0-9a-fA-F]*", raw):
        return Default("string", bytes.fromhex(raw[2:]).decode("latin-1"))
    if ctype.name in ("tinyint", "smallint", "mediumint", "int", "bigint", "decimal", "float", "double", "year"):
        return Default("number", raw)
    return Default("string", raw)


def decode_on_update(extra: str) -> Expr | None:
    m = re.search(r"on update (current_timestamp(?:\(\d*\))?)", extra, re.I)
    return server_expression(m.group(1)) if m else None


# COLUMN_TYPE as the server writes a type of no values: its name, length and scale, UNSIGNED, ZEROFILL
_PLAIN_TYPE = re.compile(r"([a-z0-9]+)(?:\((\d+)(?:,(\d+))?\))?( unsigned)?( zerofill)?")
_PLAIN_TYPES = frozenset(ALL_TYPES) - {"enum", "set"}


def column_type(text: str) -> ColumnType:
    """COLUMN_TYPE -> ColumnType. The plain forms (``int(11) unsigned``, ``varchar(255)``,
    ``decimal(10,2)``, ``enum('a','b')``) are decoded here as ``parse_column_type`` decodes them, ten
    times as fast the first time (480 distinct types at 1,000 tables, most of them ENUMs: 8 ms); the
    others — values with a quote or a backslash, and what that parser reads otherwise (FLOAT(p),
    TEXT(n), YEAR(2), VARCHAR without a length) — by it."""
    if text.startswith(("enum('", "set('")) and text.endswith("')"):
        name, _, listed = text[:-2].partition("('")
        values = listed.split("','")
        if not any("'" in v or "\\" in v for v in values):  # (none quoted or escaped: written as they are)
            return ColumnType(name, values=tuple(values))
        return parse_column_type(text)
    m = _PLAIN_TYPE.fullmatch(text)
    if m is None or m.group(1) not in _PLAIN_TYPES:
        return parse_column_type(text)
    name, length, scale, unsigned, zerofill = m.groups()
    if ((name == "float" and length is not None and scale is None)
            or (name in ("text", "blob") and (length, unsigned, zerofill) != (None, None, None))
            or (name == "year" and length not in (None, "4")) or (name in ("varchar", "varbinary") and length is None)):
        return parse_column_type(text)
    return ColumnType(name, None if length is None else int(length), None if scale is None else int(scale),
                      unsigned is not None or zerofill is not None, zerofill is not None)


def column_fields(row: tuple, flavor: Flavor) -> dict:
    """(COLUMN_DEFAULT, IS_NULLABLE, COLUMN_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, EXTRA,
    GENERATION_EXPRESSION[, SRS_ID]) -> the fields of a Column but its name and comment. Columns
    alike share them."""
    raw_default, is_nullable, type_text, charset, collation, extra, generation = row[:7]
    srid = row[7] if len(row) > 7 else None
    extra = extra or ""
    ctype = column_type(type_text)
    nullable = is_nullable == "YES"
    generated = None
    if generation and ("GENERATED" in extra.upper() or flavor.is_mariadb):
        generated = Generated(is_expression(generation, flavor),
                              "STORED" in extra.upper() or "PERSISTENT" in extra.upper())
    default = None if generated else decode_default(raw_default, extra, ctype, nullable, flavor)
    return dict(
        type=interned(ctype), nullable=nullable, default=None if default is None else interned(default),
        on_update=decode_on_update(extra),
        auto_increment="auto_increment" in extra.lower(), charset=flavors.canonical_charset(charset),
        collation=flavors.canonical_collation(collation), generated=generated,
        srid=int(srid) if srid is not None else None, invisible="INVISIBLE" in extra.upper())


def index_from_rows(name: str, rows: list[tuple], flavor: Flavor, parts_made: dict | None = None) -> Index:
    """STATISTICS rows of one index (in SEQ_IN_INDEX order) -> Index. ``parts_made``: the key parts
    made before (by their fields), shared by the keys of a read: a few columns are most tables' keys."""
    parts_made = {} if parts_made is None else parts_made
    first = rows[0]
    non_unique, index_type, comment = int(first[2]), first[7], first[8] or ""
    extra = first[9:]
    if name == "PRIMARY":
        kind = "primary"
    elif index_type == "FULLTEXT":
        kind = "fulltext"
    elif index_type == "SPATIAL":
        kind = "spatial"
    elif non_unique == 0:
        kind = "unique"
    else:
        kind = "index"
    invisible = False
    if flavor.is_mariadb and extra:
        invisible = extra[0] == "YES"
    elif not flavor.is_mariadb and extra:
        invisible = extra[0] == "NO"
    parts = []
    for row in rows:
        column, sub_part, collation = row[4], row[5], row[6]
        expression = row[10] if not flavor.is_mariadb and len(row) > 10 else None  # after IS_VISIBLE
        length = int(sub_part) if sub_part is not None and kind != "spatial" else None
        if column is None and expression:
            parts.append(IndexPart(expr=is_expression(expression, flavor), descending=collation == "D"))
        else:
            fields = (column, length, collation == "D")
            part = parts_made.get(fields)
            if part is None:
                part = parts_made[fields] = IndexPart(column=column, length=length, descending=collation == "D")
            parts.append(part)
    hashed = kind == "unique" and index_type == "HASH" and flavor.long_unique_as_hash
    return Index(name, kind, tuple(parts), comment=comment, invisible=invisible, hashed=hashed,
                 using="HASH" if hashed else None)


def partitioning_from_rows(rows: list[tuple]) -> Partitioning:
    """PARTITIONS rows of one table (ordered) -> Partitioning."""
    first = rows[0]
    method, sub_method, expression, sub_expression = first[3], first[4], first[5], first[6]

    def expr(text: str | None, method: str | None) -> Expr | None:
        if not text:
            return None
        if method and ("KEY" in method or "COLUMNS" in method):
            names = [n.strip().strip("`").replace("``", "`") for n in re.findall(r"`(?:[^`]|``)*`|[^,]+", text)]
            return Expr(",".join(f"`{n}`" for n in names), ",".join(n.lower() for n in names))
        return server_expression(text)

    partitions: OrderedDict[str, list[tuple]] = OrderedDict()
    for row in rows:
        partitions.setdefault(row[1], []).append(row)
    out = []
    for pname, prow in partitions.items():
        description = prow[0][7]
        values = None
        if method == "RANGE":
            values = "LESS THAN MAXVALUE" if description == "MAXVALUE" else f"LESS THAN ({description})"
        elif method.startswith("RANGE"):
            values = f"LESS THAN ({description})"
        elif method.startswith("LIST"):
            values = f"IN ({description})"
        subs = tuple(r[2] for r in prow if r[2])
        out.append(Partition(pname, values, prow[0][8] or "", subs))
    sub_count = None
    return Partitioning(method, expr(expression, method), tuple(out), None, None, sub_method,
                        expr(sub_expression, sub_method), sub_count)
