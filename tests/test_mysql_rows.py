"""MySQL 5.7 / 8.0 / 8.4: introspection fed the information_schema rows MySQL returns.

Only MariaDB runs here, so MySQL's information_schema is reproduced row by row and
answered through a fake connection (the I/O edge): ``introspect()`` sends its real
queries, the fake projects the rows onto the columns asked for, and the model that
comes back must equal the model parsed from the equivalent Schemafile. A column the
reader asks for that the MySQL version's information_schema does not have is an error
here, as it would be on the server.

Where the row formats come from (cited again beside each case):

* [columns.cc]   mysql/mysql-server sql/dd/impl/system_views/columns.cc — the I_S.COLUMNS
  view of 8.0: COLUMN_DEFAULT is ``col.default_value_utf8``, GENERATION_EXPRESSION is
  ``generation_expression_utf8``, SRS_ID ``col.srs_id``.
* [dd_table.cc]  mysql/mysql-server sql/dd/dd_table.cc ``prepare_default_value_string``:
  literals as ``Field::val_str`` prints them (unquoted), ``CURRENT_TIMESTAMP[(n)]``, BIT as
  ``b'101'``, BINARY/VARBINARY as ``0x`` + hex (cut at the first zero byte: ``strlen``), no
  default for BLOB/TEXT (before 8.0.23), and expression defaults, generated columns and
  CHECK clauses as printed by the server and passed through ``convert_and_print`` — i.e.
  through ``String::print`` [sql_string.cc], which backslash-escapes ``\\ ' \\0 \\n \\r \\Z``.
  ``get_fk_rule``: an unspecified ON DELETE/UPDATE is stored as NO ACTION.
* [check.result] mysql/mysql-server mysql-test/r/check_constraints.result — CHECK_CLAUSE
  ``(`f1` < 10)``, automatic names ``t1_chk_1`` in declaration order, TABLE_CONSTRAINTS
  ENFORCED, ``_utf8mb4'A'`` introducers, SHOW CREATE listing checks by name.
* [findex.result] mysql/mysql-server mysql-test/r/functional_index.result — STATISTICS rows
  of functional key parts: COLUMN_NAME NULL, EXPRESSION ``abs(`int_col`)``,
  ``(`col1` + `col2`)``, SUBSTRING printed as ``substr``; names functional_index, _2, _3.
* [inno.result]  mysql/mysql-server mysql-test/r/information_schema_inno.result —
  REFERENTIAL_CONSTRAINTS UPDATE_RULE/DELETE_RULE as declared (RESTRICT, NO ACTION, ...).
* [table.cc]     mysql/mysql-server sql/table.cc ``append_unescaped`` — ENUM/SET values in
  COLUMN_TYPE: ``'`` doubled, ``\\`` doubled.
* [manual]       dev.mysql.com/doc/refman/8.0/en/information-schema-{columns,statistics,
  check-constraints,table-constraints,referential-constraints,views,partitions}-table.html
  (which columns exist; IS_VISIBLE, EXPRESSION, ENFORCED, SRS_ID; VIEWS has no ALGORITHM),
  data-type-defaults.html (BLOB/TEXT/JSON defaults only as expressions, 8.0.13+),
  timestamp-initialization.html (explicit_defaults_for_timestamp OFF on 5.7), and the
  8.0.19 / 8.0.30 release notes (integer display widths dropped; ``utf8mb3`` reported).
* [skeema]       skeema/skeema internal/tengo/table_introspect.go — what a schema tool meets
  on real MySQL 8: ``DEFAULT_GENERATED``, ``\\'`` in default / generation / index / CHECK
  expressions, BLOB/TEXT expression defaults missing from I_S in 8.0.13-8.0.22.
"""

from __future__ import annotations

import re

import pytest

from schema_apply.flavor import Flavor
from schema_apply.normalize import normalize
from schema_apply.introspect import decode_default, detect_flavor, introspect
from schema_apply.model import ColumnType, Default, differences
from schema_apply.parse.schemafile import parse_text

DB = "app"

MYSQL_57 = Flavor.from_version_string("5.7.44-log", explicit_defaults_for_timestamp=False)
MYSQL_8012 = Flavor.from_version_string("8.0.12")     # before DEFAULT_GENERATED, expression defaults
MYSQL_8016 = Flavor.from_version_string("8.0.16")    # CHECK constraints; int widths still shown
MYSQL_8018 = Flavor.from_version_string("8.0.18")    # last with integer display widths
MYSQL_8019 = Flavor.from_version_string("8.0.19")
MYSQL_8022 = Flavor.from_version_string("8.0.22")    # BLOB/TEXT expression defaults not in I_S
MYSQL_8028 = Flavor.from_version_string("8.0.28")    # reports utf8 / utf8_general_ci
MYSQL_8029 = Flavor.from_version_string("8.0.29")    # utf8mb3 / utf8_general_ci (charset renamed first)
MYSQL_8030 = Flavor.from_version_string("8.0.30")    # reports utf8mb3 / utf8mb3_general_ci
MYSQL_80 = Flavor.from_version_string("8.0.36")
MYSQL_84 = Flavor.from_version_string("8.4.3")

MYSQL_8 = [MYSQL_80, MYSQL_84]


def _id(flavor: Flavor) -> str:
    return "mysql-" + ".".join(map(str, flavor.version))


def _ids(value) -> str:
    return _id(value) if isinstance(value, Flavor) else str(value)


# --------------------------------------------------------------------------
# information_schema rows (dicts: column -> value, as MySQL names the columns)
# --------------------------------------------------------------------------

def table(name, collation="utf8mb4_0900_ai_ci", *, engine="InnoDB", options="", comment=""):
    return {"TABLE_NAME": name, "TABLE_TYPE": "BASE TABLE", "ENGINE": engine, "TABLE_COLLATION": collation,
            "CREATE_OPTIONS": options, "TABLE_COMMENT": comment}


def view_table(name):
    # [manual] information-schema-tables-table: a view has NULL engine/collation, comment 'VIEW'
    return {"TABLE_NAME": name, "TABLE_TYPE": "VIEW", "ENGINE": None, "TABLE_COLLATION": None,
            "CREATE_OPTIONS": None, "TABLE_COMMENT": "VIEW"}


def column(tbl, name, column_type, default=None, *, nullable="YES", charset=None, collation=None, extra="",
           comment="", generation="", srs_id=None):
    return {"TABLE_NAME": tbl, "COLUMN_NAME": name, "COLUMN_DEFAULT": default, "IS_NULLABLE": nullable,
            "COLUMN_TYPE": column_type, "CHARACTER_SET_NAME": charset, "COLLATION_NAME": collation,
            "EXTRA": extra, "COLUMN_COMMENT": comment, "GENERATION_EXPRESSION": generation, "SRS_ID": srs_id}


def text(tbl, name, column_type, default=None, *, charset="utf8mb4", collation="utf8mb4_0900_ai_ci", **kw):
    return column(tbl, name, column_type, default, charset=charset, collation=collation, **kw)


def stat(tbl, index, seq, col, *, non_unique=1, sub_part=None, collation="A", index_type="BTREE", comment="",
         visible="YES", expression=None):
    return {"TABLE_NAME": tbl, "INDEX_NAME": index, "NON_UNIQUE": non_unique, "SEQ_IN_INDEX": seq,
            "COLUMN_NAME": col, "SUB_PART": sub_part, "COLLATION": collation, "INDEX_TYPE": index_type,
            "INDEX_COMMENT": comment, "IS_VISIBLE": visible, "EXPRESSION": expression}


def primary(tbl, *cols):
    return [stat(tbl, "PRIMARY", k, c, non_unique=0) for k, c in enumerate(cols, 1)]


def foreign_key(tbl, name, cols, ref_table, ref_cols, *, delete_rule, update_rule, ref_schema=DB):
    """KEY_COLUMN_USAGE rows and the REFERENTIAL_CONSTRAINTS row of one foreign key."""
    kcu = [{"TABLE_NAME": tbl, "CONSTRAINT_NAME": name, "COLUMN_NAME": c, "ORDINAL_POSITION": k,
            "REFERENCED_TABLE_SCHEMA": ref_schema, "REFERENCED_TABLE_NAME": ref_table, "REFERENCED_COLUMN_NAME": r}
           for k, (c, r) in enumerate(zip(cols, ref_cols), 1)]
    rc = {"TABLE_NAME": tbl, "CONSTRAINT_NAME": name, "UPDATE_RULE": update_rule, "DELETE_RULE": delete_rule,
          "REFERENCED_TABLE_NAME": ref_table, "UNIQUE_CONSTRAINT_SCHEMA": ref_schema}
    return kcu, rc


def check(tbl, name, clause, *, enforced="YES"):
    """CHECK_CONSTRAINTS row and TABLE_CONSTRAINTS row of one CHECK ([check.result])."""
    return ({"CONSTRAINT_NAME": name, "CHECK_CLAUSE": clause},
            {"CONSTRAINT_NAME": name, "TABLE_NAME": tbl, "CONSTRAINT_TYPE": "CHECK", "ENFORCED": enforced})


# Which columns each information_schema table has on a MySQL version ([manual]).
def _layout(flavor: Flavor) -> dict[str, set[str]]:
    v = flavor.version
    columns = {"TABLE_SCHEMA", "TABLE_NAME", "COLUMN_NAME", "ORDINAL_POSITION", "COLUMN_DEFAULT", "IS_NULLABLE",
               "COLUMN_TYPE", "CHARACTER_SET_NAME", "COLLATION_NAME", "EXTRA", "COLUMN_COMMENT",
               "GENERATION_EXPRESSION"}
    if v >= (8, 0, 3):
        columns.add("SRS_ID")
    statistics = {"TABLE_SCHEMA", "TABLE_NAME", "INDEX_NAME", "NON_UNIQUE", "SEQ_IN_INDEX", "COLUMN_NAME",
                  "SUB_PART", "COLLATION", "INDEX_TYPE", "INDEX_COMMENT"}
    if v >= (8, 0, 0):
        statistics.add("IS_VISIBLE")
    if v >= (8, 0, 13):
        statistics.add("EXPRESSION")
    table_constraints = {"CONSTRAINT_SCHEMA", "CONSTRAINT_NAME", "TABLE_SCHEMA", "TABLE_NAME", "CONSTRAINT_TYPE"}
    if v >= (8, 0, 16):
        table_constraints.add("ENFORCED")
    out = {
        "TABLES": {"TABLE_SCHEMA", "TABLE_NAME", "TABLE_TYPE", "ENGINE", "TABLE_COLLATION", "CREATE_OPTIONS",
                   "TABLE_COMMENT"},
        "COLUMNS": columns,
        "STATISTICS": statistics,
        "KEY_COLUMN_USAGE": {"CONSTRAINT_SCHEMA", "CONSTRAINT_NAME", "TABLE_SCHEMA", "TABLE_NAME", "COLUMN_NAME",
                             "ORDINAL_POSITION", "REFERENCED_TABLE_SCHEMA", "REFERENCED_TABLE_NAME",
                             "REFERENCED_COLUMN_NAME"},
        "REFERENTIAL_CONSTRAINTS": {"CONSTRAINT_SCHEMA", "CONSTRAINT_NAME", "UNIQUE_CONSTRAINT_SCHEMA", "UPDATE_RULE",
                                    "DELETE_RULE", "TABLE_NAME", "REFERENCED_TABLE_NAME"},
        "TABLE_CONSTRAINTS": table_constraints,
        # MySQL has no ALGORITHM here (MariaDB adds it) [manual]
        "VIEWS": {"TABLE_SCHEMA", "TABLE_NAME", "VIEW_DEFINITION", "CHECK_OPTION", "IS_UPDATABLE", "DEFINER",
                  "SECURITY_TYPE", "CHARACTER_SET_CLIENT", "COLLATION_CONNECTION"},
        "PARTITIONS": {"TABLE_SCHEMA", "TABLE_NAME", "PARTITION_NAME", "SUBPARTITION_NAME",
                       "PARTITION_ORDINAL_POSITION", "SUBPARTITION_ORDINAL_POSITION", "PARTITION_METHOD",
                       "SUBPARTITION_METHOD", "PARTITION_EXPRESSION", "SUBPARTITION_EXPRESSION",
                       "PARTITION_DESCRIPTION", "PARTITION_COMMENT"},
        # [manual] information-schema-{triggers,routines,parameters,events}-table (5.7 and 8.0 alike)
        "TRIGGERS": {"TRIGGER_SCHEMA", "TRIGGER_NAME", "EVENT_MANIPULATION", "EVENT_OBJECT_SCHEMA",
                     "EVENT_OBJECT_TABLE", "ACTION_ORDER", "ACTION_STATEMENT", "ACTION_TIMING", "SQL_MODE", "DEFINER",
                     "CHARACTER_SET_CLIENT", "COLLATION_CONNECTION", "DATABASE_COLLATION"},
        "ROUTINES": {"SPECIFIC_NAME", "ROUTINE_SCHEMA", "ROUTINE_NAME", "ROUTINE_TYPE", "DATA_TYPE",
                     "CHARACTER_SET_NAME", "COLLATION_NAME", "DTD_IDENTIFIER", "ROUTINE_BODY", "ROUTINE_DEFINITION",
                     "IS_DETERMINISTIC", "SQL_DATA_ACCESS", "SECURITY_TYPE", "SQL_MODE", "ROUTINE_COMMENT", "DEFINER",
                     "CHARACTER_SET_CLIENT", "COLLATION_CONNECTION", "DATABASE_COLLATION"},
        "PARAMETERS": {"SPECIFIC_SCHEMA", "SPECIFIC_NAME", "ORDINAL_POSITION", "PARAMETER_MODE", "PARAMETER_NAME",
                       "DATA_TYPE", "CHARACTER_SET_NAME", "COLLATION_NAME", "DTD_IDENTIFIER", "ROUTINE_TYPE"},
        "EVENTS": {"EVENT_SCHEMA", "EVENT_NAME", "DEFINER", "TIME_ZONE", "EVENT_BODY", "EVENT_DEFINITION",
                   "EVENT_TYPE", "EXECUTE_AT", "INTERVAL_VALUE", "INTERVAL_FIELD", "SQL_MODE", "STARTS", "ENDS",
                   "STATUS", "ON_COMPLETION", "EVENT_COMMENT", "CHARACTER_SET_CLIENT", "COLLATION_CONNECTION",
                   "DATABASE_COLLATION"},
        "USER_PRIVILEGES": {"GRANTEE", "PRIVILEGE_TYPE", "IS_GRANTABLE"},
        "SCHEMA_PRIVILEGES": {"GRANTEE", "TABLE_SCHEMA", "PRIVILEGE_TYPE", "IS_GRANTABLE"},
        "TABLE_PRIVILEGES": {"GRANTEE", "TABLE_SCHEMA", "TABLE_NAME", "PRIVILEGE_TYPE", "IS_GRANTABLE"},
    }
    if v >= (8, 0, 19):  # [manual] information-schema-enabled-roles-table: added in 8.0.19
        out["ENABLED_ROLES"] = {"ROLE_NAME", "ROLE_HOST", "IS_DEFAULT", "IS_MANDATORY"}
    if v >= (8, 0, 16):  # [manual] CHECK_CONSTRAINTS appeared with CHECK support
        out["CHECK_CONSTRAINTS"] = {"CONSTRAINT_SCHEMA", "CONSTRAINT_NAME", "CHECK_CLAUSE"}
    return out


_SCHEMA_COLUMNS = ("TABLE_SCHEMA", "CONSTRAINT_SCHEMA", "EVENT_OBJECT_SCHEMA", "TRIGGER_SCHEMA", "ROUTINE_SCHEMA",
                   "SPECIFIC_SCHEMA", "EVENT_SCHEMA")


class MySQLInformationSchema:
    """A fake connection answering introspection's information_schema queries from rows."""

    def __init__(self, flavor: Flavor, *, tables=(), columns=(), statistics=(), foreign_keys=(), checks=(),
                 views=(), partitions=(), triggers=(), routines=(), parameters=(), events=(), privileges=(),
                 account="app@%"):
        self.flavor = flavor
        self.account = account
        layout = _layout(flavor)
        kcu = [row for rows, _ in foreign_keys for row in rows]
        rc = [row for _, row in foreign_keys]
        positions: dict[str, int] = {}
        numbered = []
        for row in columns:
            positions[row["TABLE_NAME"]] = positions.get(row["TABLE_NAME"], 0) + 1
            numbered.append(dict(row, ORDINAL_POSITION=positions[row["TABLE_NAME"]]))
        data = {"TABLES": tables, "COLUMNS": numbered, "STATISTICS": statistics, "KEY_COLUMN_USAGE": kcu,
                "REFERENTIAL_CONSTRAINTS": rc, "CHECK_CONSTRAINTS": [c for c, _ in checks],
                "TABLE_CONSTRAINTS": [t for _, t in checks], "VIEWS": views, "PARTITIONS": partitions,
                "TRIGGERS": triggers, "ROUTINES": routines, "PARAMETERS": parameters, "EVENTS": events,
                "USER_PRIVILEGES": [p for p in privileges if "TABLE_SCHEMA" not in p],
                "SCHEMA_PRIVILEGES": [p for p in privileges if "TABLE_SCHEMA" in p and "TABLE_NAME" not in p],
                "TABLE_PRIVILEGES": [p for p in privileges if "TABLE_NAME" in p], "ENABLED_ROLES": ()}
        self.tables = {}
        for name, rows in data.items():
            if name not in layout:
                assert not rows, f"information_schema.{name} does not exist on {flavor.name}"
                continue
            kept = []
            for row in rows:
                row = {**{c: DB for c in _SCHEMA_COLUMNS}, **row}
                kept.append({k: v for k, v in row.items() if k in layout[name]})
            self.tables[name] = kept
        self.statements: list[str] = []

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        self.statements.append(sql)
        if sql == "SELECT CURRENT_USER()":
            return [(self.account,)]
        if " UNION ALL " in sql:  # each part with the parameters its %s use
            params = list(params)
            out = []
            for part in sql.split(" UNION ALL "):
                n = part.count("%s")
                out += self._select(part, tuple(params[:n]))
                params = params[n:]
            return out
        return self._select(sql, params)

    def _select(self, sql: str, params: tuple) -> list[tuple]:
        m = re.match(r"\s*SELECT (?P<select>.*?) FROM information_schema\.(?P<t1>\w+)(?: (?P<a1>\w))?"
                     r"(?: JOIN information_schema\.(?P<t2>\w+) (?P<a2>\w) ON (?P<on>.*?))?"
                     r"(?: WHERE (?P<where>.*?))?(?: ORDER BY (?P<order>.*))?\s*$", sql, re.S)
        assert m, f"unexpected statement: {sql}"
        rows = self._rows(m["t1"], m["a1"])
        if m["t2"]:
            right = self._rows(m["t2"], m["a2"])
            rows = [{**left, **r} for left in rows for r in right if self._holds(m["on"], {**left, **r}, [])]
        params = list(params)
        if m["where"]:
            rows = [row for row in rows if self._holds(m["where"], row, list(params))]
        if m["order"]:
            keys = [k.strip() for k in m["order"].split(",")]
            rows = sorted(rows, key=lambda row: [self._get(row, k) for k in keys])
        select = [c.strip() for c in m["select"].split(",")]
        return [tuple(self._get(row, c) for c in select) for row in rows]

    def _rows(self, name: str, alias: str | None) -> list[dict]:
        assert name in self.tables, f"{self.flavor.name} has no information_schema.{name}"
        prefix = f"{alias}." if alias else ""
        return [{f"{prefix}{k}": v for k, v in row.items()} for row in self.tables[name]]

    def _get(self, row: dict, name: str):
        if re.fullmatch(r"'\w*'", name):  # a literal in the select list
            return name[1:-1]
        if name not in row:
            raise AssertionError(f"{self.flavor.name}'s information_schema has no column {name}")
        return row[name]

    def _holds(self, condition: str, row: dict, params: list) -> bool:
        for part in re.split(r"\s+AND\s+", condition.strip()):
            part = part.strip()
            if m := re.fullmatch(r"([\w.]+) = %s", part):
                if self._get(row, m[1]) != params.pop(0):
                    return False
            elif m := re.fullmatch(r"([\w.]+) = ([\w.]+)", part):
                if self._get(row, m[1]) != self._get(row, m[2]):
                    return False
            elif m := re.fullmatch(r"([\w.]+) = '(\w+)'", part):
                if self._get(row, m[1]) != m[2]:
                    return False
            elif m := re.fullmatch(r"([\w.]+) IS NOT NULL", part):
                if self._get(row, m[1]) is None:
                    return False
            elif m := re.fullmatch(r"([\w.]+) IN \(([%s, ]+)\)", part):
                values = [params.pop(0) for _ in range(m[2].count("%s"))]
                if self._get(row, m[1]) not in values:
                    return False
            else:
                raise AssertionError(f"the fake information_schema cannot evaluate {part!r}")
        return True


# --------------------------------------------------------------------------
# Comparing the two sides
# --------------------------------------------------------------------------



def live_schema(fake: MySQLInformationSchema):
    return introspect(fake, DB, fake.flavor).schema


def declared_schema(sql: str, flavor: Flavor):
    return normalize(parse_text(sql, "Schemafile.sql", flavor.server).schema, flavor, database=DB)


def assert_same(sql: str, fake: MySQLInformationSchema):
    declared, live = declared_schema(sql, fake.flavor), live_schema(fake)
    assert declared == live, "\n".join(differences(declared, live))
    return live


# --------------------------------------------------------------------------
# Types: integer display widths (8.0.19 release notes; [manual] numeric-type-attributes)
# --------------------------------------------------------------------------

INT_WIDTHS_SQL = """
CREATE TABLE t (
  id int NOT NULL AUTO_INCREMENT,
  flag tinyint(1) NOT NULL DEFAULT 0,
  small smallint unsigned,
  padded int(5) unsigned zerofill,
  big bigint,
  wide int(4),
  y year,
  PRIMARY KEY (id)
) AUTO_INCREMENT=100
"""


def _int_width_rows(flavor, types, collation="utf8mb4_0900_ai_ci"):
    return MySQLInformationSchema(
        flavor,
        tables=[table("t", collation)],
        columns=[column("t", "id", types[0], nullable="NO", extra="auto_increment"),
                 column("t", "flag", "tinyint(1)", "0", nullable="NO"),
                 column("t", "small", types[1]),
                 column("t", "padded", "int(5) unsigned zerofill"),
                 column("t", "big", types[2]),
                 column("t", "wide", types[3]),
                 column("t", "y", types[4])],
        statistics=primary("t", "id"))


@pytest.mark.parametrize("flavor", [MYSQL_57, MYSQL_8018], ids=_id)
def test_integer_widths_are_reported_before_8_0_19(flavor):
    # 5.7 and 8.0.0-8.0.18: COLUMN_TYPE carries the (default) display width, year(4)
    collation = "latin1_swedish_ci" if flavor.version < (8, 0, 0) else "utf8mb4_0900_ai_ci"
    fake = _int_width_rows(flavor, ["int(11)", "smallint(5) unsigned", "bigint(20)", "int(4)", "year(4)"], collation)
    live = assert_same(INT_WIDTHS_SQL, fake)
    assert live.table("t").column("wide").type == ColumnType("int", 4)


@pytest.mark.parametrize("flavor", [MYSQL_8019] + MYSQL_8, ids=_id)
def test_integer_widths_are_dropped_from_8_0_19_except_tinyint1_and_zerofill(flavor):
    fake = _int_width_rows(flavor, ["int", "smallint unsigned", "bigint", "int", "year"])
    live = assert_same(INT_WIDTHS_SQL, fake)
    t = live.table("t")
    assert t.column("flag").type == ColumnType("tinyint", 1)
    assert t.column("padded").type == ColumnType("int", 5, unsigned=True, zerofill=True)
    assert t.column("wide").type == ColumnType("int")
    assert t.options.auto_increment is None  # the counter is never part of the model


# --------------------------------------------------------------------------
# Character sets: utf8 -> utf8mb3 naming, default collations, inheritance
# ([manual] charset-unicode-utf8.html; 8.0.30 release notes: "utf8mb3_ prefix ... now used
# exclusively ... in the values displayed in the columns of Information Schema tables";
# the character set itself is reported as utf8mb3 from 8.0.29 — Connector/J 8.0.30 notes)
# --------------------------------------------------------------------------

UTF8_SQL = """
CREATE TABLE legacy (
  code varchar(10) NOT NULL,
  label varchar(50) CHARACTER SET utf8 COLLATE utf8_bin,
  emoji varchar(20) CHARACTER SET utf8mb4,
  PRIMARY KEY (code)
) DEFAULT CHARSET=utf8
"""


@pytest.mark.parametrize("flavor, charset, prefix", [
    (MYSQL_57, "utf8", "utf8"), (MYSQL_8028, "utf8", "utf8"), (MYSQL_8029, "utf8mb3", "utf8"),
    (MYSQL_8030, "utf8mb3", "utf8mb3"), (MYSQL_84, "utf8mb3", "utf8mb3")], ids=_ids)
def test_utf8_is_utf8mb3_whatever_the_server_calls_it(flavor, charset, prefix):
    utf8mb4_default = "utf8mb4_general_ci" if flavor.version < (8, 0, 0) else "utf8mb4_0900_ai_ci"
    fake = MySQLInformationSchema(
        flavor,
        tables=[table("legacy", f"{prefix}_general_ci")],
        columns=[text("legacy", "code", "varchar(10)", nullable="NO", charset=charset,
                      collation=f"{prefix}_general_ci"),
                 text("legacy", "label", "varchar(50)", charset=charset, collation=f"{prefix}_bin"),
                 text("legacy", "emoji", "varchar(20)", collation=utf8mb4_default)],
        statistics=primary("legacy", "code"))
    live = assert_same(UTF8_SQL, fake)
    t = live.table("legacy")
    assert (t.options.charset, t.options.collation) == ("utf8mb3", "utf8mb3_general_ci")
    assert (t.column("label").charset, t.column("label").collation) == ("utf8mb3", "utf8mb3_bin")


INHERIT_SQL = """
CREATE TABLE plain (name varchar(20));
CREATE TABLE unicode (name varchar(20), raw varchar(20) CHARACTER SET latin1, tag varchar(5) COLLATE utf8mb4_bin)
  COLLATE utf8mb4_unicode_ci;
CREATE TABLE western (name varchar(20)) CHARSET latin1;
"""


@pytest.mark.parametrize("flavor", MYSQL_8, ids=_id)
def test_default_collation_is_0900_ai_ci_and_columns_inherit_the_table(flavor):
    fake = MySQLInformationSchema(
        flavor,
        tables=[table("plain"), table("unicode", "utf8mb4_unicode_ci"), table("western", "latin1_swedish_ci")],
        columns=[text("plain", "name", "varchar(20)"),
                 text("unicode", "name", "varchar(20)", collation="utf8mb4_unicode_ci"),
                 text("unicode", "raw", "varchar(20)", charset="latin1", collation="latin1_swedish_ci"),
                 text("unicode", "tag", "varchar(5)", collation="utf8mb4_bin"),
                 text("western", "name", "varchar(20)", charset="latin1", collation="latin1_swedish_ci")])
    live = assert_same(INHERIT_SQL, fake)
    assert live.table("plain").column("name").collation == "utf8mb4_0900_ai_ci"
    assert live.table("unicode").column("name").collation == "utf8mb4_unicode_ci"


def test_default_collation_of_utf8mb4_on_5_7_is_general_ci():
    flavor = Flavor.from_version_string("5.7.44", charset="utf8mb4")
    fake = MySQLInformationSchema(
        flavor, tables=[table("plain", "utf8mb4_general_ci")],
        columns=[text("plain", "name", "varchar(20)", collation="utf8mb4_general_ci")])
    assert_same("CREATE TABLE plain (name varchar(20))", fake)


# --------------------------------------------------------------------------
# Literal defaults ([dd_table.cc] prepare_default_value_string; [manual] columns-table:
# "COLUMN_DEFAULT ... NULL if the column has an explicit default of NULL, or if the
# column definition includes no DEFAULT clause")
# --------------------------------------------------------------------------

LITERALS_SQL = r"""
CREATE TABLE lit (
  id int NOT NULL,
  qty int DEFAULT 5,
  neg int NOT NULL DEFAULT '-3',
  maybe int DEFAULT NULL,
  unset int,
  required int NOT NULL,
  name varchar(20) NOT NULL DEFAULT '',
  quoted varchar(20) DEFAULT 'it''s "x" \\ y',
  padded char(3) DEFAULT 'ab',
  price decimal(10,2) DEFAULT 1.5,
  ratio float DEFAULT 1.5,
  precise double DEFAULT 0.1,
  fixed float(7,3) DEFAULT 2,
  born date DEFAULT '2020-01-02',
  seen datetime(3) DEFAULT '2020-01-02 03:04:05',
  at_time time DEFAULT '10:00',
  size enum('s','m','l') NOT NULL DEFAULT 'm',
  tags set('a','b','c') DEFAULT 'c,a',
  y year DEFAULT 2024,
  flag tinyint(1) NOT NULL DEFAULT TRUE,
  bits bit(3) DEFAULT b'101',
  bit0 bit(1) NOT NULL DEFAULT b'0',
  code binary(4) DEFAULT 'ab',
  hex varbinary(8) DEFAULT 0xCAFE,
  empty varbinary(8) NOT NULL DEFAULT '',
  PRIMARY KEY (id)
)
"""


def _literal_rows(flavor, year="year"):
    t = "lit"
    return MySQLInformationSchema(
        flavor, tables=[table(t)],
        columns=[
            column(t, "id", "int", nullable="NO"),
            column(t, "qty", "int", "5"),
            column(t, "neg", "int", "-3", nullable="NO"),
            column(t, "maybe", "int", None),          # DEFAULT NULL: SQL NULL
            column(t, "unset", "int", None),          # no DEFAULT clause: SQL NULL too
            column(t, "required", "int", None, nullable="NO"),
            text(t, "name", "varchar(20)", "", nullable="NO"),
            text(t, "quoted", "varchar(20)", 'it\'s "x" \\ y'),   # bare, unescaped
            text(t, "padded", "char(3)", "ab"),
            column(t, "price", "decimal(10,2)", "1.50"),
            column(t, "ratio", "float", "1.5"),
            column(t, "precise", "double", "0.1"),
            column(t, "fixed", "float(7,3)", "2.000"),
            column(t, "born", "date", "2020-01-02"),
            column(t, "seen", "datetime(3)", "2020-01-02 03:04:05.000"),
            column(t, "at_time", "time", "10:00:00"),
            text(t, "size", "enum('s','m','l')", "m", nullable="NO"),
            text(t, "tags", "set('a','b','c')", "a,c"),
            column(t, "y", year, "2024"),
            column(t, "flag", "tinyint(1)", "1", nullable="NO"),
            column(t, "bits", "bit(3)", "b'101'"),
            column(t, "bit0", "bit(1)", "b'0'", nullable="NO"),
            column(t, "code", "binary(4)", "0x6162"),     # hex, cut at the first zero byte
            column(t, "hex", "varbinary(8)", "0xCAFE"),
            column(t, "empty", "varbinary(8)", "", nullable="NO"),
        ],
        statistics=primary(t, "id"))


@pytest.mark.parametrize("flavor", MYSQL_8, ids=_id)
def test_literal_defaults_are_bare_and_null_means_null_or_none(flavor):
    live = assert_same(LITERALS_SQL, _literal_rows(flavor))
    t = live.table("lit")
    assert t.column("maybe").default == Default("null") == t.column("unset").default
    assert t.column("required").default is None
    assert t.column("quoted").default == Default("string", 'it\'s "x" \\ y')
    assert t.column("bits").default == Default("bits", "101")


def test_decode_default_no_default_vs_default_null():
    """The row alone cannot tell them apart; nullability does."""
    int_type = ColumnType("int")
    assert decode_default(None, "", int_type, True, MYSQL_80) == Default("null")
    assert decode_default(None, "", int_type, False, MYSQL_80) is None
    assert decode_default(None, "auto_increment", int_type, False, MYSQL_80) is None


# --------------------------------------------------------------------------
# CURRENT_TIMESTAMP, ON UPDATE, DEFAULT_GENERATED ([dd_table.cc]: "CURRENT_TIMESTAMP" +
# "(n)"; EXTRA from INTERNAL_GET_DD_COLUMN_EXTRA [columns.cc]; skeema issue #78: 8.0.13
# added DEFAULT_GENERATED to EXTRA; tidb#11480 quotes MySQL's "on update CURRENT_TIMESTAMP(3)")
# --------------------------------------------------------------------------

NOW_SQL = """
CREATE TABLE stamps (
  id int NOT NULL PRIMARY KEY,
  created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  seen datetime DEFAULT NOW(),
  touched datetime ON UPDATE CURRENT_TIMESTAMP
)
"""


def _now_rows(flavor, generated):
    t = "stamps"
    dg = "DEFAULT_GENERATED" if generated else ""
    both = (dg + " " if dg else "")
    return MySQLInformationSchema(
        flavor, tables=[table(t, "latin1_swedish_ci" if flavor.version < (8, 0, 0) else "utf8mb4_0900_ai_ci")],
        columns=[column(t, "id", "int" if flavor.version >= (8, 0, 19) else "int(11)", nullable="NO"),
                 column(t, "created_at", "timestamp", "CURRENT_TIMESTAMP", nullable="NO", extra=dg),
                 column(t, "updated_at", "timestamp(3)", "CURRENT_TIMESTAMP(3)", nullable="NO",
                        extra=both + "on update CURRENT_TIMESTAMP(3)"),
                 column(t, "seen", "datetime", "CURRENT_TIMESTAMP", extra=dg),
                 column(t, "touched", "datetime", None, extra="on update CURRENT_TIMESTAMP")],
        statistics=primary(t, "id"))


@pytest.mark.parametrize("flavor", [MYSQL_8022] + MYSQL_8, ids=_id)
def test_current_timestamp_with_default_generated(flavor):
    assert_same(NOW_SQL, _now_rows(flavor, generated=True))


@pytest.mark.parametrize("flavor", [MYSQL_57, MYSQL_8012], ids=_id)
def test_current_timestamp_before_default_generated(flavor):
    live = assert_same(NOW_SQL, _now_rows(flavor, generated=False))
    assert live.table("stamps").column("created_at").default.kind == "expression"


# --------------------------------------------------------------------------
# Expression defaults (8.0.13+). COLUMN_DEFAULT is the expression as the server prints it,
# without the parentheses SHOW CREATE TABLE adds, passed through String::print, so quotes
# come back as \' ([dd_table.cc]; [sql_string.cc] String::print; [skeema]
# "MySQL 8 incorrectly mangles escaping of single quotes in the I_S value"):
#   DEFAULT (rand() * 10)   -> '(rand() * 10)'   (a binary operator prints its parentheses;
#                              SHOW CREATE TABLE shows DEFAULT ((rand() * 10)), cf. the
#                              manual's example DEFAULT ((rand() * rand())))
#   DEFAULT (uuid())        -> 'uuid()'          (dolthub/go-mysql-server#905, t8y2/dbx#6146 on 8.4)
#   DEFAULT ('abc') on TEXT -> "_utf8mb4\'abc\'" (8.0.23+; NULL in 8.0.13-8.0.22, [skeema])
# --------------------------------------------------------------------------

EXPR_DEFAULTS_SQL = r"""
CREATE TABLE exprs (
  id int NOT NULL PRIMARY KEY,
  score float DEFAULT (rand() * 10),
  token char(36) NOT NULL DEFAULT (uuid()),
  expires date DEFAULT (curdate() + interval 1 year),
  doc json DEFAULT (json_array()),
  note text DEFAULT ('abc'),
  label varchar(40) DEFAULT (concat('it''s', ' ', 'a \\ test')),
  pos point DEFAULT (point(0,0))
)
"""


@pytest.mark.parametrize("flavor", MYSQL_8, ids=_id)
def test_expression_defaults_are_unescaped_and_match(flavor):
    t = "exprs"
    fake = MySQLInformationSchema(
        flavor, tables=[table(t)],
        columns=[column(t, "id", "int", nullable="NO"),
                 column(t, "score", "float", "(rand() * 10)", extra="DEFAULT_GENERATED"),
                 text(t, "token", "char(36)", "uuid()", nullable="NO", extra="DEFAULT_GENERATED"),
                 column(t, "expires", "date", "(curdate() + interval 1 year)", extra="DEFAULT_GENERATED"),
                 column(t, "doc", "json", "json_array()", extra="DEFAULT_GENERATED"),
                 text(t, "note", "text", r"_utf8mb4\'abc\'", extra="DEFAULT_GENERATED"),
                 # concat('it''s', ...): the server prints the literal as _utf8mb4'it\'s', then
                 # String::print doubles the backslashes and escapes the quotes again
                 text(t, "label", "varchar(40)",
                      r"concat(_utf8mb4\'it\\\'s\',_utf8mb4\' \',_utf8mb4\'a \\\\ test\')",
                      extra="DEFAULT_GENERATED"),
                 column(t, "pos", "point", "point(0,0)", extra="DEFAULT_GENERATED")],
        statistics=primary(t, "id"))
    live = assert_same(EXPR_DEFAULTS_SQL, fake)
    assert live.table(t).column("note").default.kind == "expression"


# --------------------------------------------------------------------------
# Generated columns: EXTRA VIRTUAL GENERATED / STORED GENERATED, GENERATION_EXPRESSION
# printed by the server (backquotes, _utf8mb4 introducers) and, on 8.0, passed through
# String::print ([columns.cc], [dd_table.cc] "Prepare UTF expression for IS", [skeema]
# fixGenerationExpr). COLUMN_DEFAULT is NULL for them.
# --------------------------------------------------------------------------

GENERATED_SQL = """
CREATE TABLE people (
  id int NOT NULL PRIMARY KEY,
  first varchar(20),
  last varchar(20),
  price decimal(10,2),
  qty int,
  full_name varchar(41) GENERATED ALWAYS AS (concat(first, ' ', last)) VIRTUAL,
  total decimal(12,2) AS (price * qty) STORED NOT NULL,
  initials varchar(5) AS (concat(left(first, 1), '''', left(last, 1)))
)
"""


@pytest.mark.parametrize("flavor", MYSQL_8, ids=_id)
def test_generated_columns_on_mysql_8(flavor):
    t = "people"
    fake = MySQLInformationSchema(
        flavor, tables=[table(t)],
        columns=[column(t, "id", "int", nullable="NO"),
                 text(t, "first", "varchar(20)"), text(t, "last", "varchar(20)"),
                 column(t, "price", "decimal(10,2)"), column(t, "qty", "int"),
                 text(t, "full_name", "varchar(41)", extra="VIRTUAL GENERATED",
                      generation=r"concat(`first`,_utf8mb4\' \',`last`)"),
                 column(t, "total", "decimal(12,2)", nullable="NO", extra="STORED GENERATED",
                        generation="(`price` * `qty`)"),
                 text(t, "initials", "varchar(5)", extra="VIRTUAL GENERATED",
                      generation=r"concat(left(`first`,1),_utf8mb4\'\\\'\',left(`last`,1))")],
        statistics=primary(t, "id"))
    live = assert_same(GENERATED_SQL, fake)
    assert live.table(t).column("total").generated.stored is True
    assert live.table(t).column("full_name").generated.stored is False


def test_generated_columns_on_5_7():
    # 5.7 reports the expression text without String::print escaping; only arithmetic here,
    # whose spelling is the same (see the report: 5.7 literal spelling not confirmed)
    t = "calc"
    fake = MySQLInformationSchema(
        MYSQL_57, tables=[table(t, "latin1_swedish_ci")],
        columns=[column(t, "price", "decimal(10,2)"), column(t, "qty", "int(11)"),
                 column(t, "total", "decimal(12,2)", extra="STORED GENERATED", generation="(`price` * `qty`)"),
                 column(t, "half", "decimal(12,2)", extra="VIRTUAL GENERATED", generation="(`price` / 2)")])
    assert_same("CREATE TABLE calc (price decimal(10,2), qty int, total decimal(12,2) AS (price*qty) STORED,"
                " half decimal(12,2) AS (price / 2))", fake)


# --------------------------------------------------------------------------
# JSON is a type of its own on MySQL (no charset, no CHECK); ENUM/SET values in COLUMN_TYPE
# with '' and \\ ([table.cc] append_unescaped); comments raw, non-ASCII kept
# --------------------------------------------------------------------------

TYPES_SQL = r"""
CREATE TABLE misc (
  doc json NOT NULL,
  opt json,
  mood enum('it''s','back\\slash','plain') DEFAULT 'it''s',
  perms set('r','w','x''y') NOT NULL DEFAULT '',
  memo varchar(10) COMMENT 'l''été "chaud" \\ 価格'
) COMMENT 'Tabelle für Flyer — ''quoted'''
"""


@pytest.mark.parametrize("flavor", [MYSQL_57] + MYSQL_8, ids=_id)
def test_json_enum_set_and_comments(flavor):
    t = "misc"
    coll = "latin1_swedish_ci" if flavor.version < (8, 0, 0) else "utf8mb4_0900_ai_ci"
    cs = coll.split("_")[0]
    fake = MySQLInformationSchema(
        flavor, tables=[table(t, coll, comment="Tabelle für Flyer — 'quoted'")],
        columns=[column(t, "doc", "json", nullable="NO"),
                 column(t, "opt", "json"),
                 text(t, "mood", r"enum('it''s','back\\slash','plain')", "it's", charset=cs, collation=coll),
                 text(t, "perms", r"set('r','w','x''y')", "", nullable="NO", charset=cs, collation=coll),
                 text(t, "memo", "varchar(10)", charset=cs, collation=coll,
                      comment='l\'été "chaud" \\ 価格')])
    live = assert_same(TYPES_SQL, fake)
    m = live.table(t)
    assert m.column("doc").type == ColumnType("json") and m.column("doc").charset is None
    assert m.column("mood").type.values == ("it's", "back\\slash", "plain")
    assert m.options.comment == "Tabelle für Flyer — 'quoted'"


# --------------------------------------------------------------------------
# SRID (COLUMNS.SRS_ID, 8.0.3+), invisible columns (EXTRA INVISIBLE, 8.0.23+), AUTO_INCREMENT
# ([manual] columns-table; [columns.cc] SRS_ID col.srs_id)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("flavor", MYSQL_8, ids=_id)
def test_srid_invisible_column_and_auto_increment(flavor):
    t = "places"
    fake = MySQLInformationSchema(
        flavor, tables=[table(t)],
        columns=[column(t, "id", "bigint unsigned", nullable="NO", extra="auto_increment"),
                 column(t, "pos", "point", nullable="NO", srs_id=4326),
                 column(t, "area", "geometry"),
                 column(t, "secret", "int", extra="INVISIBLE")],
        statistics=primary(t, "id") + [stat(t, "pos", 1, "pos", sub_part=32, index_type="SPATIAL",
                                            collation=None)])
    live = assert_same("CREATE TABLE places (id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,"
                       " pos point NOT NULL SRID 4326, area geometry, secret int INVISIBLE, SPATIAL KEY (pos))"
                       " AUTO_INCREMENT=42", fake)
    m = live.table(t)
    assert m.column("pos").srid == 4326 and m.column("area").srid is None
    assert m.column("secret").invisible


# --------------------------------------------------------------------------
# TIMESTAMP on 5.7 with explicit_defaults_for_timestamp OFF (its default): the first
# TIMESTAMP becomes NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, later
# ones NOT NULL DEFAULT '0000-00-00 00:00:00' ([manual] timestamp-initialization.html,
# server-system-variables.html#sysvar_explicit_defaults_for_timestamp)
# --------------------------------------------------------------------------

def test_timestamp_implicit_not_null_on_5_7():
    t = "log"
    fake = MySQLInformationSchema(
        MYSQL_57, tables=[table(t, "latin1_swedish_ci")],
        columns=[column(t, "changed", "timestamp", "CURRENT_TIMESTAMP", nullable="NO",
                        extra="on update CURRENT_TIMESTAMP"),
                 column(t, "created", "timestamp", "0000-00-00 00:00:00", nullable="NO"),
                 column(t, "deleted", "timestamp", None, nullable="YES")])
    live = assert_same("CREATE TABLE log (changed timestamp, created timestamp, deleted timestamp NULL)", fake)
    assert not live.table(t).column("changed").nullable


# --------------------------------------------------------------------------
# Indexes: STATISTICS rows ([manual] information-schema-statistics-table: COLLATION A/D,
# IS_VISIBLE, EXPRESSION; [findex.result] functional key parts)
# --------------------------------------------------------------------------

INDEXES_SQL = """
CREATE TABLE items (
  id int NOT NULL,
  sku varchar(32) NOT NULL,
  name varchar(100),
  price int,
  body text,
  UNIQUE KEY (sku),
  UNIQUE (sku, name),
  KEY by_name (name(10)) INVISIBLE,
  KEY recent (price DESC, id),
  KEY ((abs(price))),
  KEY ((price * 2)),
  KEY mixed (id, (substring(name, 1, 2)) DESC) COMMENT 'half functional',
  FULLTEXT KEY body (body),
  PRIMARY KEY (id)
)
"""


@pytest.mark.parametrize("flavor", [MYSQL_8019] + MYSQL_8, ids=_id)
def test_indexes_functional_invisible_desc_and_implicit_names(flavor):
    t = "items"
    fake = MySQLInformationSchema(
        flavor, tables=[table(t)],
        columns=[column(t, "id", "int", nullable="NO"), text(t, "sku", "varchar(32)", nullable="NO"),
                 text(t, "name", "varchar(100)"), column(t, "price", "int"), text(t, "body", "text")],
        statistics=primary(t, "id") + [
            stat(t, "sku", 1, "sku", non_unique=0),
            stat(t, "sku_2", 1, "sku", non_unique=0), stat(t, "sku_2", 2, "name", non_unique=0),
            stat(t, "by_name", 1, "name", sub_part=10, visible="NO"),
            stat(t, "recent", 1, "price", collation="D"), stat(t, "recent", 2, "id"),
            stat(t, "functional_index", 1, None, expression="abs(`price`)"),
            stat(t, "functional_index_2", 1, None, expression="(`price` * 2)"),
            stat(t, "mixed", 1, "id", comment="half functional"),
            stat(t, "mixed", 2, None, collation="D", comment="half functional",
                 expression="substr(`name`,1,2)"),
            stat(t, "body", 1, "body", collation=None, index_type="FULLTEXT"),
        ])
    live = assert_same(INDEXES_SQL, fake)
    m = live.table(t)
    assert m.index("by_name").invisible
    assert m.index("recent").parts[0].descending
    assert m.index("functional_index_2").parts[0].expr is not None
    assert [i.name for i in m.indexes if i.name.startswith("sku")] == ["sku", "sku_2"]


def test_functional_key_part_with_a_string_literal_is_unescaped():
    # STATISTICS.EXPRESSION is the hidden column's generation_expression_utf8 ([columns.cc]
    # statistics view, [dd_table.cc]) -> String::print escaping, as for generated columns
    t = "f"
    fake = MySQLInformationSchema(
        MYSQL_80, tables=[table(t)],
        columns=[text(t, "name", "varchar(20)")],
        statistics=[stat(t, "functional_index", 1, None, expression=r"concat(`name`,_utf8mb4\'-x\')")])
    assert_same("CREATE TABLE f (name varchar(20), KEY ((concat(name, '-x'))))", fake)


def test_desc_index_on_5_7_is_parsed_and_ignored():
    # 5.7 accepts DESC and builds an ascending index: COLLATION 'A' ([manual] 5.7 create-index)
    t = "d"
    fake = MySQLInformationSchema(
        MYSQL_57, tables=[table(t, "latin1_swedish_ci")],
        columns=[column(t, "a", "int(11)")],
        statistics=[stat(t, "a", 1, "a")])
    assert_same("CREATE TABLE d (a int, KEY a (a DESC))", fake)


# --------------------------------------------------------------------------
# Foreign keys: the implicit index, automatic names, ON DELETE/UPDATE as reported
# ([inno.result]: REFERENTIAL_CONSTRAINTS rules as declared; [dd_table.cc] get_fk_rule:
# unspecified -> NO ACTION on 8.0; on 5.7 InnoDB reports an unspecified action as RESTRICT —
# the 8.0 upgrade code maps 5.7 metadata without an action bit to RULE_RESTRICT)
# --------------------------------------------------------------------------

FK_SQL = """
CREATE TABLE shops (id int NOT NULL PRIMARY KEY);
CREATE TABLE products (
  id int NOT NULL PRIMARY KEY,
  shop_id int NOT NULL,
  other_shop int,
  third int,
  CONSTRAINT fk_shop FOREIGN KEY (shop_id) REFERENCES shops (id) ON DELETE CASCADE,
  FOREIGN KEY (other_shop) REFERENCES shops (id) ON DELETE RESTRICT ON UPDATE NO ACTION,
  FOREIGN KEY (third) REFERENCES shops (id)
);
"""


def _fk_rows(flavor, unspecified):
    int_t = "int" if flavor.version >= (8, 0, 19) else "int(11)"
    coll = "utf8mb4_0900_ai_ci" if flavor.version >= (8, 0, 0) else "latin1_swedish_ci"
    p = "products"
    return MySQLInformationSchema(
        flavor, tables=[table("shops", coll), table(p, coll)],
        columns=[column("shops", "id", int_t, nullable="NO"),
                 column(p, "id", int_t, nullable="NO"), column(p, "shop_id", int_t, nullable="NO"),
                 column(p, "other_shop", int_t), column(p, "third", int_t)],
        statistics=primary("shops", "id") + primary(p, "id") + [
            stat(p, "fk_shop", 1, "shop_id"), stat(p, "other_shop", 1, "other_shop"), stat(p, "third", 1, "third")],
        foreign_keys=[
            foreign_key(p, "fk_shop", ["shop_id"], "shops", ["id"], delete_rule="CASCADE", update_rule=unspecified),
            foreign_key(p, "products_ibfk_1", ["other_shop"], "shops", ["id"], delete_rule="RESTRICT",
                        update_rule="NO ACTION"),
            foreign_key(p, "products_ibfk_2", ["third"], "shops", ["id"], delete_rule=unspecified,
                        update_rule=unspecified)])


@pytest.mark.parametrize("flavor", [MYSQL_8019] + MYSQL_8, ids=_id)
def test_foreign_keys_on_mysql_8_report_no_action_when_unspecified(flavor):
    live = assert_same(FK_SQL, _fk_rows(flavor, "NO ACTION"))
    fks = {fk.name: fk for fk in live.table("products").foreign_keys}
    assert (fks["products_ibfk_1"].on_delete, fks["products_ibfk_1"].on_update) == ("RESTRICT", "NO ACTION")
    assert fks["products_ibfk_2"].on_delete == "NO ACTION"


def test_foreign_keys_on_5_7_report_restrict_when_unspecified():
    live = assert_same(FK_SQL, _fk_rows(MYSQL_57, "RESTRICT"))
    fks = {fk.name: fk for fk in live.table("products").foreign_keys}
    assert fks["products_ibfk_2"].on_delete == "RESTRICT"


# --------------------------------------------------------------------------
# CHECK constraints (8.0.16+): [check.result] — CHECK_CLAUSE wrapped in parentheses with
# backquotes and introducers (and, being kept through String::print, \\' for quotes),
# automatic names <table>_chk_N in declaration order, ENFORCED in TABLE_CONSTRAINTS,
# SHOW CREATE TABLE / the diff listing them by name
# --------------------------------------------------------------------------

CHECKS_SQL = """
CREATE TABLE t1 (
  CHECK ((f1 + f2) > 10),
  f1 int CHECK (f1 < 10),
  f2 int,
  status varchar(10),
  CONSTRAINT min CHECK (f1 + f2 > 1),
  CONSTRAINT status_ok CHECK (status IN ('new', 'it''s')) NOT ENFORCED,
  CHECK (f2 BETWEEN 1 AND 9) NOT ENFORCED
)
"""


@pytest.mark.parametrize("flavor", [MYSQL_8016] + MYSQL_8, ids=_id)
def test_checks_names_clauses_and_enforcement(flavor):
    int_t = "int" if flavor.version >= (8, 0, 19) else "int(11)"
    fake = MySQLInformationSchema(
        flavor, tables=[table("t1")],
        columns=[column("t1", "f1", int_t), column("t1", "f2", int_t), text("t1", "status", "varchar(10)")],
        checks=[check("t1", "min", "((`f1` + `f2`) > 1)"),
                check("t1", "status_ok", r"(`status` in (_utf8mb4\'new\',_utf8mb4\'it\\\'s\'))", enforced="NO"),
                check("t1", "t1_chk_1", "((`f1` + `f2`) > 10)"),
                check("t1", "t1_chk_2", "(`f1` < 10)"),
                check("t1", "t1_chk_3", "(`f2` between 1 and 9)", enforced="NO")])
    live = assert_same(CHECKS_SQL, fake)
    checks = {c.name: c for c in live.table("t1").checks}
    assert not checks["status_ok"].enforced and checks["min"].enforced
    assert not checks["t1_chk_3"].enforced


def test_checks_are_ignored_before_8_0_16():
    # 5.7 and 8.0.0-8.0.15 parse CHECK and drop it ([manual] 5.7 create-table: "The CHECK
    # clause is parsed but ignored by all storage engines"); there is no CHECK_CONSTRAINTS
    for flavor, collation in ((MYSQL_57, "latin1_swedish_ci"), (MYSQL_8012, "utf8mb4_0900_ai_ci")):
        fake = MySQLInformationSchema(
            flavor, tables=[table("c", collation)], columns=[column("c", "a", "int(11)")])
        assert_same("CREATE TABLE c (a int CHECK (a > 0))", fake)


# --------------------------------------------------------------------------
# Table options: TABLES.CREATE_OPTIONS ([manual] information-schema-tables-table: "Extra
# options used with CREATE TABLE"; 'partitioned' for partitioned tables)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("flavor", MYSQL_8, ids=_id)
def test_table_options_from_create_options(flavor):
    fake = MySQLInformationSchema(
        flavor,
        tables=[table("o", options="row_format=COMPRESSED KEY_BLOCK_SIZE=8 stats_persistent=0", comment="opts"),
                table("plain")],
        columns=[column("o", "a", "int"), column("plain", "a", "int")])
    assert_same("CREATE TABLE o (a int) ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8 STATS_PERSISTENT=0 COMMENT 'opts';"
                " CREATE TABLE plain (a int) ENGINE=InnoDB", fake)


# --------------------------------------------------------------------------
# Partitions ([manual] information-schema-partitions-table; mysql-server
# sql/dd/impl/system_views/partitions.cc: PARTITION_EXPRESSION partition_expression_utf8,
# PARTITION_DESCRIPTION description_utf8, PARTITION_COMMENT '' when none)
# --------------------------------------------------------------------------

def _part(tbl, name, n, method, expression, description=None, comment=""):
    return {"TABLE_NAME": tbl, "PARTITION_NAME": name, "SUBPARTITION_NAME": None, "PARTITION_ORDINAL_POSITION": n,
            "SUBPARTITION_ORDINAL_POSITION": None, "PARTITION_METHOD": method, "SUBPARTITION_METHOD": None,
            "PARTITION_EXPRESSION": expression, "SUBPARTITION_EXPRESSION": None,
            "PARTITION_DESCRIPTION": description, "PARTITION_COMMENT": comment}


@pytest.mark.parametrize("flavor", [MYSQL_57] + MYSQL_8, ids=_id)
def test_partitions(flavor):
    coll = "latin1_swedish_ci" if flavor.version < (8, 0, 0) else "utf8mb4_0900_ai_ci"
    int_t = "int" if flavor.version >= (8, 0, 19) else "int(11)"
    fake = MySQLInformationSchema(
        flavor,
        tables=[table("r", coll, options="partitioned"), table("h", coll, options="partitioned")],
        columns=[column("r", "d", "date", nullable="NO"), column("h", "id", int_t, nullable="NO")],
        statistics=primary("h", "id"),
        partitions=[_part("r", "p2019", 1, "RANGE", "year(`d`)", "2020"),
                    _part("r", "pmax", 2, "RANGE", "year(`d`)", "MAXVALUE", "rest"),
                    *[_part("h", f"p{k}", k + 1, "KEY", "`id`") for k in range(4)]])
    assert_same("CREATE TABLE r (d date NOT NULL) PARTITION BY RANGE (year(d))"
                " (PARTITION p2019 VALUES LESS THAN (2020), PARTITION pmax VALUES LESS THAN MAXVALUE COMMENT 'rest');"
                " CREATE TABLE h (id int NOT NULL PRIMARY KEY) PARTITION BY KEY (id) PARTITIONS 4", fake)


# --------------------------------------------------------------------------
# Views: I_S.VIEWS has no ALGORITHM on MySQL ([manual] information-schema-views-table);
# VIEW_DEFINITION is the server's rewrite — qualified columns, every projection aliased,
# count(*) as count(0), _utf8mb4 introducers (the format EXPLAIN's warning shows too, e.g.
# "select `test`.`t1`.`int_col` AS `int_col` ... from `test`.`t1`" in [findex.result]).
# Assumed: VIEW_DEFINITION is not passed through String::print (no \\' in it).
# --------------------------------------------------------------------------

VIEWS_SQL = """
CREATE TABLE products (id int NOT NULL PRIMARY KEY, shop_id int, name varchar(20));
CREATE VIEW per_shop AS SELECT shop_id, count(*) AS n FROM products WHERE name <> 'x' GROUP BY shop_id;
CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW named AS SELECT id, name FROM products WITH CHECK OPTION;
CREATE VIEW total AS SELECT count(*) FROM products;
"""


@pytest.mark.parametrize("flavor", MYSQL_8, ids=_id)
def test_views_definition_and_no_algorithm_column(flavor):
    p = "products"

    def view(name, definition, check_option="NONE", security="DEFINER"):
        return {"TABLE_NAME": name, "VIEW_DEFINITION": definition, "CHECK_OPTION": check_option,
                "IS_UPDATABLE": "YES", "DEFINER": "root@%", "SECURITY_TYPE": security,
                "CHARACTER_SET_CLIENT": "utf8mb4", "COLLATION_CONNECTION": "utf8mb4_0900_ai_ci"}

    fake = MySQLInformationSchema(
        flavor,
        tables=[table(p), view_table("per_shop"), view_table("named"), view_table("total")],
        columns=[column(p, "id", "int", nullable="NO"), column(p, "shop_id", "int"), text(p, "name", "varchar(20)"),
                 column("per_shop", "shop_id", "int"), column("per_shop", "n", "bigint", "0", nullable="NO"),
                 column("named", "id", "int", "0", nullable="NO"), text("named", "name", "varchar(20)"),
                 column("total", "count(*)", "bigint", "0", nullable="NO")],
        statistics=primary(p, "id"),
        views=[view("per_shop", "select `app`.`products`.`shop_id` AS `shop_id`,count(0) AS `n` from `app`.`products`"
                                " where (`app`.`products`.`name` <> _utf8mb4'x') group by `app`.`products`.`shop_id`"),
               view("named", "select `app`.`products`.`id` AS `id`,`app`.`products`.`name` AS `name`"
                             " from `app`.`products`", check_option="CASCADED", security="INVOKER"),
               view("total", "select count(0) AS `count(*)` from `app`.`products`")])
    live = assert_same(VIEWS_SQL, fake)
    assert {v.name: v.algorithm for v in live.views} == {"named": "UNDEFINED", "per_shop": "UNDEFINED",
                                                         "total": "UNDEFINED"}


# --------------------------------------------------------------------------
# The server: VERSION(), @@version_comment, CHARACTER_SETS (utf8 before 8.0.29)
# --------------------------------------------------------------------------

class _ServerRows(MySQLInformationSchema):
    def __init__(self, flavor, version, comment, charsets, schemata):
        super().__init__(flavor)
        self.variables = (version, comment, 0, 1, "InnoDB", "utf8mb4", "utf8mb4_0900_ai_ci", "dynamic",
                          "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES", "utf8mb4", "utf8mb4_0900_ai_ci", "SYSTEM")
        self.tables["CHARACTER_SETS"] = [{"CHARACTER_SET_NAME": n, "DEFAULT_COLLATE_NAME": c, "MAXLEN": m}
                                         for n, c, m in charsets]
        self.tables["SCHEMATA"] = [{"SCHEMA_NAME": s, "DEFAULT_CHARACTER_SET_NAME": cs, "DEFAULT_COLLATION_NAME": co}
                                   for s, cs, co in schemata]

    def query(self, sql, params=()):
        if sql.startswith("SELECT VERSION()"):
            self.statements.append(sql)
            return [self.variables]
        return super().query(sql, params)


@pytest.mark.parametrize("version, charsets", [
    ("8.0.28", [("utf8", "utf8_general_ci", 3), ("utf8mb4", "utf8mb4_0900_ai_ci", 4),
                ("latin1", "latin1_swedish_ci", 1)]),
    # 8.0.29 renamed the character set but not yet its collations (8.0.30 release notes)
    ("8.0.29", [("utf8mb3", "utf8_general_ci", 3), ("utf8mb4", "utf8mb4_0900_ai_ci", 4),
                ("latin1", "latin1_swedish_ci", 1)]),
    ("8.0.36", [("utf8mb3", "utf8mb3_general_ci", 3), ("utf8mb4", "utf8mb4_0900_ai_ci", 4),
                ("latin1", "latin1_swedish_ci", 1)]),
])
def test_detect_flavor_on_mysql(version, charsets):
    conn = _ServerRows(MYSQL_80, version, "MySQL Community Server - GPL", charsets,
                       [(DB, "utf8mb4", "utf8mb4_0900_ai_ci")])
    flavor, exists = detect_flavor(conn, DB)
    assert exists and not flavor.is_mariadb and flavor.version == tuple(map(int, version.split(".")))
    assert (flavor.charset, flavor.collation) == ("utf8mb4", "utf8mb4_0900_ai_ci")
    assert flavor.default_collation("utf8mb3") == "utf8mb3_general_ci"
    assert flavor.charset_maxlen("utf8mb3") == 3


def test_introspection_sends_the_same_statements_whatever_the_number_of_tables():
    def fake(n):
        return MySQLInformationSchema(MYSQL_80, tables=[table(f"t{k}") for k in range(n)],
                                      columns=[column(f"t{k}", "a", "int") for k in range(n)])
    few, many = fake(3), fake(300)
    live_schema(few), live_schema(many)
    assert few.statements == many.statements
    # nothing derived from rows: no counters, row estimates or sizes (DESIGN: secret tables)
    for word in ("AUTO_INCREMENT", "TABLE_ROWS", "DATA_LENGTH", "CARDINALITY"):
        assert not any(word in sql for sql in many.statements)


# --------------------------------------------------------------------------
# Spelling that differs on MySQL: DROP CHECK (8.0.16-8.0.18) vs DROP CONSTRAINT (8.0.19+)
# ([check.result] uses ALTER TABLE ... DROP CHECK; 8.0.19 release notes add DROP CONSTRAINT)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("flavor, word", [(MYSQL_8016, "CHECK"), (MYSQL_8018, "CHECK"), (MYSQL_8019, "CONSTRAINT"),
                                          (MYSQL_84, "CONSTRAINT")], ids=_ids)
def test_drop_check_spelling(flavor, word):
    from schema_apply.changes import DropCheck
    from schema_apply.model import CheckConstraint
    from schema_apply.sql.expressions import expression
    from schema_apply.render_ddl import alter_clause
    change = DropCheck("t1", CheckConstraint("t1_chk_1", expression("a > 0")))
    assert alter_clause(change, flavor) == f"DROP {word} `t1_chk_1`"


@pytest.mark.parametrize("flavor", [MYSQL_57, MYSQL_80], ids=_id)
def test_unspecified_fk_actions_are_not_written(flavor):
    from schema_apply.render_ddl import foreign_key_definition
    declared = declared_schema("CREATE TABLE p (id int PRIMARY KEY);"
                               " CREATE TABLE c (p int, FOREIGN KEY (p) REFERENCES p (id))", flavor)
    text = foreign_key_definition(declared.table("c").foreign_keys[0], flavor)
    assert "ON DELETE" not in text and "ON UPDATE" not in text


# --------------------------------------------------------------------------
# A literal default on BLOB/TEXT/JSON: MySQL 8.0.13+ takes it only as an expression
# ([manual] data-type-defaults.html: "can be assigned a default value only if the value is
# written as an expression, even if the expression value is a literal"); the tool writes
# DEFAULT ('abc') for it (render_ddl.default_sql), so the server keeps an expression
# --------------------------------------------------------------------------

@pytest.mark.parametrize("flavor", MYSQL_8, ids=_id)
def test_literal_default_on_text_is_the_expression_mysql_keeps(flavor):
    t = "notes"
    fake = MySQLInformationSchema(
        flavor, tables=[table(t)],
        columns=[text(t, "body", "text", r"_utf8mb4\'abc\'", extra="DEFAULT_GENERATED"),
                 column(t, "raw", "blob", r"_utf8mb4\'xyz\'", extra="DEFAULT_GENERATED"),
                 column(t, "doc", "json", r"_utf8mb4\'{}\'", extra="DEFAULT_GENERATED")])
    assert_same("CREATE TABLE notes (body text DEFAULT 'abc', raw blob DEFAULT 'xyz', doc json DEFAULT '{}')", fake)
