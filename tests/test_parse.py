"""The Schemafile parser on its own: every construct sqlglot 30.30 fails on, degrades to an
opaque Command, or gets silently wrong (issue #2's list) is read correctly here, and
anything unsupported is an error naming the file, line and object."""

from __future__ import annotations

import pytest
import sqlglot

from schema_apply.errors import ParseError, UnsupportedError
from schema_apply.flavor import Flavor
from schema_apply.normalize import normalize
from schema_apply.parse.schemafile import parse_text
from schema_apply.parse.types import parse_column_type

MARIADB = Flavor.from_version_string("10.11.6-MariaDB")
MYSQL8 = Flavor.from_version_string("8.0.36")


def table(sql: str, name: str | None = None, flavor: Flavor | None = None):
    schema = parse_text(sql).schema
    if flavor is not None:
        schema = normalize(schema, flavor)
    return schema.table(name) if name else schema.tables[0]


# -- what sqlglot alone gets wrong ----------------------------------------------------------

SQLGLOT_FAILS = {
    "spatial types and SPATIAL index": "CREATE TABLE t (p POINT NOT NULL, g GEOMETRY, pg POLYGON, SPATIAL KEY (p))",
    "SRID": "CREATE TABLE t (p POINT NOT NULL SRID 4326)",
    "PERSISTENT": "CREATE TABLE t (a int, b int AS (a+1) PERSISTENT)",
    "CHECK NOT ENFORCED": "CREATE TABLE t (a int, CONSTRAINT c CHECK (a > 0) NOT ENFORCED)",
    "IGNORED index": "CREATE TABLE t (a int, KEY ix (a) IGNORED)",
    "VALUES LESS THAN MAXVALUE": ("CREATE TABLE t (a int) PARTITION BY RANGE (a) (PARTITION p0 VALUES LESS THAN (10),"
                                  " PARTITION p1 VALUES LESS THAN MAXVALUE)"),
    "RANGE COLUMNS": ("CREATE TABLE t (a int, b varchar(5)) PARTITION BY RANGE COLUMNS(a, b)"
                      " (PARTITION p0 VALUES LESS THAN (10, 'm'), PARTITION p1 VALUES LESS THAN (MAXVALUE, MAXVALUE))"),
}
SQLGLOT_COMMANDS = {
    "PARTITION BY HASH … PARTITIONS n": "CREATE TABLE t (a int) PARTITION BY HASH (a) PARTITIONS 4",
    "CHECKSUM=1": "CREATE TABLE t (a int) CHECKSUM=1",
    "WITH CHECK OPTION": "CREATE TABLE t (a int); CREATE VIEW v AS SELECT a FROM t WITH CHECK OPTION",
}
CREATE_INDEX = {
    "CREATE UNIQUE INDEX … ON": "CREATE TABLE t (a int); CREATE UNIQUE INDEX ux ON t (a) USING BTREE COMMENT 'c'",
    "CREATE FULLTEXT INDEX … ON": "CREATE TABLE t (a text); CREATE FULLTEXT INDEX fx ON t (a)",
}


@pytest.mark.parametrize("sql", SQLGLOT_FAILS.values(), ids=SQLGLOT_FAILS.keys())
def test_constructs_sqlglot_rejects_are_read(sql):
    with pytest.raises(sqlglot.errors.ParseError):
        sqlglot.parse(sql, read="mysql")  # the reason this parser exists; if this starts passing, fine
    assert parse_text(sql).schema.tables


@pytest.mark.parametrize("sql", SQLGLOT_COMMANDS.values(), ids=SQLGLOT_COMMANDS.keys())
def test_constructs_sqlglot_degrades_to_command_are_read(sql):
    assert any(isinstance(e, sqlglot.exp.Command) for e in sqlglot.parse(sql, read="mysql"))
    assert parse_text(sql).schema.tables


def test_spatial_and_srid():
    t = table("CREATE TABLE t (p POINT NOT NULL SRID 4326, g geometry, SPATIAL KEY sp (p))")
    assert t.column("p").type.name == "point" and t.column("p").srid == 4326
    assert t.column("g").type.name == "geometry"
    assert t.index("sp").kind == "spatial"


def test_persistent_is_stored():
    t = table("CREATE TABLE t (a int, b int AS (a+1) PERSISTENT, c int GENERATED ALWAYS AS (a*2) VIRTUAL)")
    assert t.column("b").generated.stored is True
    assert t.column("c").generated.stored is False


def test_check_not_enforced():
    t = table("CREATE TABLE t (a int, CONSTRAINT c CHECK (a > 0) NOT ENFORCED)")
    assert t.checks[0].enforced is False


def test_ignored_and_invisible_index():
    t = table("CREATE TABLE t (a int, b int, KEY ia (a) IGNORED, KEY ib (b) INVISIBLE)")
    assert t.index("ia").invisible and t.index("ib").invisible


def test_range_partitions_with_maxvalue():
    t = table(SQLGLOT_FAILS["VALUES LESS THAN MAXVALUE"])
    assert t.partitioning.method == "RANGE"
    assert [p.values for p in t.partitioning.partitions] == ["LESS THAN (10)", "LESS THAN MAXVALUE"]


def test_range_columns():
    t = table(SQLGLOT_FAILS["RANGE COLUMNS"])
    assert t.partitioning.method == "RANGE COLUMNS"
    assert t.partitioning.partitions[0].values == "LESS THAN (10,'m')"


def test_partition_by_hash_partitions_n_is_kept():
    t = table(SQLGLOT_COMMANDS["PARTITION BY HASH … PARTITIONS n"])
    assert t.partitioning.method == "HASH" and t.partitioning.count == 4


def test_checksum_option_is_kept():
    t = table(SQLGLOT_COMMANDS["CHECKSUM=1"])
    assert ("checksum", "1") in t.options.extra


def test_create_unique_and_fulltext_index_statements():
    t = table(CREATE_INDEX["CREATE UNIQUE INDEX … ON"])
    assert t.index("ux").kind == "unique" and t.index("ux").comment == "c"
    t = table(CREATE_INDEX["CREATE FULLTEXT INDEX … ON"])
    assert t.index("fx").kind == "fulltext"


def test_view_with_check_option():
    view = parse_text(SQLGLOT_COMMANDS["WITH CHECK OPTION"]).schema.views[0]
    assert view.check_option == "CASCADED" and view.definition.sql == "SELECT a FROM t"


def test_prefix_part_in_create_index_is_a_prefix_not_a_function():
    # sqlglot reads b(10) as a function call B(10)
    tree = sqlglot.parse("CREATE TABLE t (a int, b text); CREATE INDEX ix ON t (a, b(10))", read="mysql")[1]
    assert "B(10)" in tree.sql("mysql")
    t = table("CREATE TABLE t (a int, b text); CREATE INDEX ix ON t (a, b(10))")
    parts = t.index("ix").parts
    assert [(p.column, p.length) for p in parts] == [("a", None), ("b", 10)]


def test_versioned_comment_partitioning_is_not_dropped():
    sql = "CREATE TABLE t (a int) ENGINE=InnoDB /*!50100 PARTITION BY HASH (a) PARTITIONS 2 */"
    # sqlglot keeps it as a plain comment: the partitioning would vanish
    assert "PARTITION" not in sqlglot.parse_one(sql, read="mysql").sql("mysql").replace("/*", "").split("*/")[-1]
    t = table(sql)
    assert t.partitioning is not None and t.partitioning.count == 2


def test_versioned_comments_follow_the_server():
    sql = "CREATE TABLE t (p point NOT NULL /*!80003 SRID 4326 */)"
    assert parse_text(sql, server=("mysql", (8, 0, 36))).schema.tables[0].column("p").srid == 4326
    # MariaDB ignores five-digit versions from 50700 up (kept for MySQL)
    assert parse_text(sql, server=("mariadb", (10, 11, 6))).schema.tables[0].column("p").srid is None
    sql = "CREATE TABLE t (a int) /*M!100100 COMMENT 'maria' */"
    assert parse_text(sql, server=("mariadb", (10, 11, 6))).schema.tables[0].options.comment == "maria"
    assert parse_text(sql, server=("mysql", (8, 0, 36))).schema.tables[0].options.comment == ""


def test_fk_actions_are_structured():
    t = table("CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int, "
              "FOREIGN KEY (pid) REFERENCES p (id) ON DELETE SET NULL ON UPDATE NO ACTION)", "c")
    fk = t.foreign_keys[0]
    assert (fk.on_delete, fk.on_update) == ("SET NULL", "NO ACTION")


# -- types ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("int", "int(11)"), ("int unsigned", "int(10) unsigned"), ("INTEGER", "int(11)"), ("bool", "tinyint(1)"),
    ("boolean", "tinyint(1)"), ("tinyint(1)", "tinyint(1)"), ("int(5) zerofill", "int(5) unsigned zerofill"),
    ("dec", "decimal(10,0)"), ("numeric(5)", "decimal(5,0)"), ("decimal(10,2)", "decimal(10,2)"),
    ("real", "double"), ("double precision", "double"), ("float(30)", "double"), ("float(10)", "float"),
    ("float(7,4)", "float(7,4)"), ("char", "char(1)"), ("binary", "binary(1)"), ("bit", "bit(1)"),
    ("year", "year(4)"), ("datetime(0)", "datetime"), ("timestamp(6)", "timestamp(6)"),
    ("text(100)", "text"), ("text(20000)", "mediumtext"), ("blob(300)", "blob"), ("long varchar", "mediumtext"),
    ("long varbinary", "mediumblob"), ("serial", "bigint(20) unsigned"), ("middleint", "mediumint(9)"),
    ("enum('a','b''c')", "enum('a','b''c')"), ("set('x','y')", "set('x','y')"), ("json", "json"),
])
def test_type_aliases_and_sizes_on_mariadb(text, expected):
    t = table(f"CREATE TABLE t (c {text})", flavor=MARIADB)
    assert t.columns[0].type.sql() == expected


@pytest.mark.parametrize("text,expected", [
    ("int", "int"), ("int(11)", "int"), ("int unsigned", "int unsigned"), ("tinyint(1)", "tinyint(1)"),
    ("int(5) zerofill", "int(5) unsigned zerofill"), ("bigint(20)", "bigint"), ("year(4)", "year"),
    ("bool", "tinyint(1)"),
])
def test_integer_display_widths_on_mysql_8(text, expected):
    t = table(f"CREATE TABLE t (c {text})", flavor=MYSQL8)
    assert t.columns[0].type.sql() == expected


def test_text_n_depends_on_the_character_set():
    t = table("CREATE TABLE t (a text(100) CHARACTER SET latin1, b text(100) CHARACTER SET utf8mb4)", flavor=MARIADB)
    assert (t.column("a").type.name, t.column("b").type.name) == ("tinytext", "text")


def test_information_schema_column_types():
    assert parse_column_type("int(10) unsigned zerofill").sql() == "int(10) unsigned zerofill"
    assert parse_column_type("enum('a','b''c','\\\\')").values == ("a", "b'c", "\\")
    assert parse_column_type("decimal(10,2) unsigned").unsigned


# -- the keys a column definition declares ----------------------------------------------------

@pytest.mark.parametrize("column, mariadb, mysql", [
    ("a serial PRIMARY KEY", ["PRIMARY"], ["PRIMARY", "a"]),               # SERIAL says UNIQUE
    ("a int PRIMARY KEY UNIQUE", ["PRIMARY"], ["PRIMARY", "a"]),
    ("a int UNIQUE KEY PRIMARY KEY", ["PRIMARY"], ["PRIMARY", "a"]),
    ("a int SERIAL DEFAULT VALUE KEY", ["PRIMARY"], ["PRIMARY", "a"]),
    ("a int UNIQUE UNIQUE", ["a"], ["a"]),                                  # one flag per kind
    ("a serial UNIQUE", ["a"], ["a"]),
    ("a int PRIMARY KEY PRIMARY KEY", ["PRIMARY"], ["PRIMARY"]),
    ("a serial, PRIMARY KEY (a)", ["PRIMARY", "a"], ["PRIMARY", "a"]),     # a table's key is its own
    ("a int PRIMARY KEY, UNIQUE KEY (a)", ["PRIMARY", "a"], ["PRIMARY", "a"]),
])
def test_a_column_definition_makes_one_key_of_each_kind_and_mariadb_no_unique_beside_its_primary(column, mariadb, mysql):
    """The server keeps a flag per kind of key a column definition says (PRIMARY KEY, UNIQUE; SERIAL
    and SERIAL DEFAULT VALUE say UNIQUE), and makes a key of each: MySQL both (Alter_info::add_field),
    MariaDB the primary key only (grammar.yaml's clauses check it on the server). Pandora FMS
    declares `id serial PRIMARY KEY`: on MariaDB every plan added a UNIQUE key `id` that the server
    never made."""
    sql = f"CREATE TABLE t ({column})"
    assert [i.name for i in table(sql, flavor=MARIADB).indexes] == mariadb
    assert [i.name for i in table(sql, flavor=MYSQL8).indexes] == mysql


# -- annotations ------------------------------------------------------------------------------

def test_renamed_annotations():
    schema = parse_text("""
CREATE TABLE users ( -- @renamed from=members
  id int NOT NULL,
  user_name text, -- @renamed from=username
  `e mail` varchar(10) /* @renamed from="old mail" */,
  age int
);
""").schema
    t = schema.tables[0]
    assert t.renamed_from == "members"
    assert t.column("user_name").renamed_from == "username"
    assert t.column("e mail").renamed_from == "old mail"
    assert t.column("age").renamed_from is None and t.column("id").renamed_from is None


def test_comments_anywhere():
    t = table("""
# a hash comment
CREATE TABLE t ( -- the table
  a int /* inline */ NOT NULL, -- trailing
  b int -- last
) /* options */ ENGINE=InnoDB; -- done
""")
    assert [c.name for c in t.columns] == ["a", "b"] and t.options.engine == "InnoDB"


# -- errors: file, line, object, no silent omission -----------------------------------------

@pytest.mark.parametrize("sql,line,fragment", [
    ("CREATE TABLE t (\n  a int,\n  b int COLUMN_FORMAT FIXED\n)", 3, "COLUMN_FORMAT"),
    ("CREATE TABLE t (\n  a int\n) WITH SYSTEM VERSIONING", 3, "SYSTEM VERSIONING"),
    ("CREATE TABLE t (a int);\n\nCREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN\n  SET NEW.a = 1;\n", 4,
     "expected END to close the block"),
    ("CREATE TABLE t (a int);\nCREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN\n  SET NEW.a = 1\nEND;", 4,
     "expected ';' before END"),
    ("CREATE TABLE t (a int);\nCREATE PROCEDURE p() l1: BEGIN SELECT 1; END l2;", 2, "does not match"),
    ("CREATE TABLE t (a int);\nCREATE EVENT e ON SCHEDULE AT NOW() + INTERVAL 1 DAY DO SELECT 1;", 2,
     "must be a fixed date"),
    ("CREATE TABLE t (a int);\nCREATE TRIGGER tr BEFORE TRUNCATE ON t FOR EACH ROW SET NEW.a = 1;", 2,
     "expected INSERT, UPDATE or DELETE"),
    ("CREATE TABLE t (\n  a int,\n  b intt\n)", 3, "unknown data type"),
    ("CREATE TABLE t (\n  a int\n) ENGINE=InnoDB FOO=1", 3, "unknown table option"),
    ("CREATE TABLE t (a int);\nINSERT INTO t VALUES (1)", 2, "INSERT"),
    ("CREATE TABLE t (\n  a int,\n  a int\n)", 3, "declared twice"),
    ("CREATE TABLE t (a int);\nCREATE TABLE t (b int)", 2, "declared twice"),
    ("CREATE TABLE t (\n  a varchar\n)", 2, "VARCHAR needs a length"),
    ("CREATE TABLE t (\n  a int DEFAULT 'x\n)", 2, "unterminated string"),
    ("CREATE TABLE t (a int) PARTITION BY RANGE (a)", 1, "needs a list of partitions"),
    ("CREATE TABLE t (a int CHECK (a >))", 1, "CHECK expression"),
    ("CREATE TABLE t (a int) SELECT 1", 1, "CREATE TABLE … SELECT"),
])
def test_errors_name_file_line_and_object(sql, line, fragment):
    with pytest.raises(ParseError) as info:
        parse_text(sql, "schema/Schemafile.sql")
    err = info.value
    assert err.file == "schema/Schemafile.sql"
    assert err.line == line, str(err)
    assert fragment.lower() in str(err).lower()
    assert str(err).startswith(f"schema/Schemafile.sql:{line}")


# PERIOD and VECTOR start a definition that is no column (PERIOD FOR, a VECTOR index) but are not
# reserved words: unquoted, they name columns (Icinga Director's branched_icinga_user has ``period``).
@pytest.mark.parametrize("sql", [
    "CREATE TABLE t (id int, period varchar(255) DEFAULT NULL, vector int, KEY ix (period))",
    "CREATE TABLE t (period date, Vector varchar(10), PRIMARY KEY (period))",
    "CREATE TABLE t (id int, vector enum('y','n'), period national char(3), `x` int)",
    "CREATE TABLE t (id int);\nALTER TABLE t ADD vector int, ADD COLUMN period int",
])
def test_period_and_vector_name_columns(sql):
    names = [c.name.lower() for c in table(sql).columns]
    assert "period" in names and "vector" in names, names


@pytest.mark.parametrize("sql,fragment", [
    ("CREATE TABLE t (s date, e date, PERIOD FOR p (s, e))", "PERIOD FOR"),
    ("CREATE TABLE t (s date, e date, period FOR SYSTEM_TIME (s, e))", "PERIOD FOR"),
    ("CREATE TABLE t (v vector(3) NOT NULL, VECTOR INDEX (v))", "VECTOR indexes"),
    ("CREATE TABLE t (v vector(3) NOT NULL, VECTOR KEY ix (v))", "VECTOR indexes"),
    ("CREATE TABLE t (v vector(3) NOT NULL, VECTOR (v))", "VECTOR indexes"),
    ("CREATE TABLE t (v vector(3) NOT NULL, VECTOR ix (v))", "VECTOR indexes"),
    ("CREATE TABLE t (v vector(3) NOT NULL, VECTOR `ix` (v))", "VECTOR indexes"),
    ("CREATE TABLE t (v vector(3) NOT NULL, VECTOR IF NOT EXISTS ix (v))", "VECTOR indexes"),
    ("CREATE TABLE t (s date, e date);\nALTER TABLE t ADD PERIOD FOR p (s, e)", "PERIOD FOR"),
    ("CREATE TABLE t (v vector(3) NOT NULL);\nALTER TABLE t ADD VECTOR INDEX (v)", "VECTOR indexes"),
])
def test_period_for_and_vector_indexes_stay_unsupported(sql, fragment):
    with pytest.raises(UnsupportedError, match=fragment):
        parse_text(sql)


def test_alter_table_add_period_without_column_is_refused_as_the_server_refuses_it():
    """The server reads ALTER TABLE … ADD PERIOD as ADD PERIOD FOR (a syntax error before a type):
    a column named period is added with ADD COLUMN."""
    with pytest.raises(ParseError, match="ADD COLUMN") as info:
        parse_text("CREATE TABLE t (id int);\nALTER TABLE t ADD period int")
    assert not isinstance(info.value, UnsupportedError)


def test_unsupported_is_its_own_error_class():
    with pytest.raises(UnsupportedError):
        parse_text("CREATE AGGREGATE FUNCTION f() RETURNS int RETURN 1")


def test_mysqldump_output_is_accepted():
    dump = """
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
DROP TABLE IF EXISTS `t`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
CREATE TABLE `t` (
  `id` int(11) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci
/*!50100 PARTITION BY HASH (`id`)
PARTITIONS 2 */;
/*!40101 SET character_set_client = @saved_cs_client */;
"""
    t = parse_text(dump, server=("mariadb", (10, 11, 6))).schema.tables[0]
    assert t.partitioning.count == 2 and t.primary_key is not None


def test_a_setting_computed_by_an_expression_matters_only_to_stored_programs():
    """A session setting set to an expression (or to a user variable that was) cannot be told; only
    a stored program keeps it (an event also the time zone), so only a program created under it is
    refused, at the SET; a later quoted value makes it known again."""
    head = ("SET @mode = (SELECT REPLACE(@@sql_mode, 'NO_ZERO_DATE', ''));\n"
            "SET SESSION sql_mode = @mode;\n"
            "SET time_zone = (SELECT '+00:00');\n"
            "CREATE TABLE t (id int PRIMARY KEY, d datetime NOT NULL DEFAULT '0000-00-00 00:00:00');\n")
    assert [t.name for t in parse_text(head).schema.tables] == ["t"]
    with pytest.raises(ParseError) as caught:
        parse_text(head + "CREATE PROCEDURE p() SELECT 1;")
    assert (caught.value.line, caught.value.column) == (2, 24)
    assert "sql_mode" in caught.value.reason and "procedure p" in caught.value.reason
    known = parse_text(head + "SET sql_mode = 'ANSI_QUOTES';\nCREATE PROCEDURE p() SELECT 1;").schema
    assert known.routines[0].settings.sql_mode == ("ANSI_QUOTES",)
    with pytest.raises(ParseError) as caught:  # an event keeps the time zone
        parse_text(head + "SET sql_mode = '';\nCREATE EVENT e ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01' DO SELECT 1;")
    assert caught.value.line == 3 and "time_zone" in caught.value.reason


def test_select_into_a_user_variable_is_skipped_and_its_value_unknown():
    """SELECT … INTO @var (never run) sets a variable a later SET may read: the statement is skipped,
    the variable's value cannot be told (as above). Any other SELECT is not a Schemafile's."""
    head = ("CREATE FUNCTION strict() RETURNS tinyint DETERMINISTIC RETURN 1;\n"
            "SELECT IF(strict(), 'STRICT_TRANS_TABLES', '') INTO @mode;\n"
            "SET SESSION sql_mode = @mode;\n"
            "CREATE TABLE t (id int PRIMARY KEY);\n")
    parsed = parse_text(head)
    assert [t.name for t in parsed.schema.tables] == ["t"] and "SELECT … INTO @variable at line 2" in parsed.skipped_note()
    with pytest.raises(ParseError, match="procedure p is created under it") as caught:
        parse_text(head + "CREATE PROCEDURE p() SELECT 1;")
    assert caught.value.line == 3
    for other in ("SELECT 1", "SELECT a FROM t INTO OUTFILE '/tmp/x'"):
        with pytest.raises(ParseError, match="unexpected statement"):
            parse_text(f"CREATE TABLE t (a int);\n{other};\n")


def test_byte_order_mark_crlf_and_unicode_names():
    schema = parse_text("\ufeffCREATE TABLE `テーブル` (`列` int COMMENT '説明')\r\n;\r\nCREATE TABLE u (b int);").schema
    assert [t.name for t in schema.tables] == ["u", "テーブル"]
    assert schema.table("テーブル").columns[0].comment == "説明"
