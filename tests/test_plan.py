"""The diff and the plan on their own: pure functions, no database."""

from __future__ import annotations

import pytest

from schema_apply.changes import (
    AddColumn, DropColumn, DropTable, ModifyColumn, ModifyForeignKey, RenameTable, type_data_loss)
from schema_apply.diff import diff
from schema_apply.errors import ParseError, PolicyRefused
from schema_apply.flavor import Flavor
from schema_apply.normalize import normalize
from schema_apply.model import ColumnType, Schema
from schema_apply.parse.schemafile import parse_text
from schema_apply.plan import build_plan, ensure_members_distinct
from schema_apply.validate import ensure_declares_tables

MARIADB = Flavor.from_version_string("10.11.6-MariaDB")
MYSQL = Flavor.from_version_string("8.0.36")


def schema(sql: str, flavor: Flavor = MARIADB) -> Schema:
    return normalize(parse_text(sql).schema, flavor)


def plan(current: str, desired: str, flavor: Flavor = MARIADB, **kw):
    return build_plan(schema(current, flavor), schema(desired, flavor), flavor, **kw)


def test_a_table_with_five_changes_is_altered_by_exactly_one_statement():
    p = plan("CREATE TABLE t (id int PRIMARY KEY, a varchar(10), b int, c int)",
             "CREATE TABLE t (id int PRIMARY KEY, a varchar(20) NOT NULL, b int COMMENT 'b', c int, d int,"
             " KEY ix_b (b)) COMMENT='five'")
    assert len(p.changes) == 5
    assert len(p.statements) == 1
    assert p.statements[0].sql.startswith("ALTER TABLE `t`")
    assert sum(1 for s in p.statements if s.sql.startswith("ALTER TABLE")) == 1


def test_diff_is_pure_and_empty_for_equal_models():
    a = schema("CREATE TABLE t (id int PRIMARY KEY, name varchar(10) DEFAULT 'x')")
    b = schema("create table `t` (`id` INT(11) not null, `name` VARCHAR(10) default 'x', primary key (id))")
    assert a == b and diff(a, b) == []


def test_destructive_changes_are_refused_without_allow_drop():
    p = plan("CREATE TABLE t (id int PRIMARY KEY, a int, b varchar(100))",
             "CREATE TABLE t (id int PRIMARY KEY, b varchar(10))")
    assert {type(r.change) for r in p.refused} == {DropColumn, ModifyColumn}
    assert all("--allow-drop" in r.reason for r in p.refused)
    assert not p.statements or all(not s.destructive for s in p.statements)
    allowed = plan("CREATE TABLE t (id int PRIMARY KEY, a int, b varchar(100))",
                   "CREATE TABLE t (id int PRIMARY KEY, b varchar(10))", allow_drop=True)
    assert not allowed.refused and len(allowed.statements) == 1


def test_an_empty_schemafile_is_always_refused():
    with pytest.raises(PolicyRefused) as info:
        ensure_declares_tables(parse_text("-- nothing here\n").schema, "Schemafile.sql")
    assert info.value.exit_code == 3


@pytest.mark.parametrize("desired,message", [
    ("CREATE TABLE t (id int PRIMARY KEY, e enum('day','name','',''))", "ENUM member '' twice"),
    ("CREATE TABLE t (id int PRIMARY KEY, e enum('a','b','a '))", "ENUM member 'a' twice"),
    ("CREATE TABLE t (id int PRIMARY KEY, s set('x','y','X'))", "SET member 'x' twice (as 'x' and 'X')"),
    ("CREATE TABLE u (id int PRIMARY KEY);\nCREATE TABLE t (id int PRIMARY KEY,\n"
     " e enum('a','A') COLLATE utf8mb4_unicode_ci)", "ENUM member 'a' twice (as 'a' and 'A')"),
])
def test_a_column_written_with_an_enum_or_set_member_twice_is_an_error(desired, message):
    modified = plan("CREATE TABLE t (id int PRIMARY KEY, e int, s int)", desired, allow_drop=True)
    created = plan("CREATE TABLE other (id int PRIMARY KEY)", desired, allow_drop=True)
    assert any(isinstance(c, ModifyColumn) for c in modified.changes)
    for p in (modified, created):
        with pytest.raises(ParseError) as info:
            ensure_members_distinct(p, "Schemafile.sql")
        assert message in str(info.value) and "strict mode (1291)" in str(info.value)
        assert str(info.value).startswith(f"Schemafile.sql:{desired.count(chr(10)) + 1}: table t: column ")


@pytest.mark.parametrize("members", ["enum('i','I') COLLATE utf8mb4_turkish_ci", "enum('a','A') COLLATE utf8mb4_bin",
                                     "enum('p ','p') CHARACTER SET binary", "enum('a','a\t')"])
def test_members_the_server_tells_apart_are_no_error(members):
    """(each made by the server in strict mode; 'a' and 'á', which utf8mb4_general_ci does not tell
    apart, are left for the server to refuse: flavor.member_key)"""
    p = plan("CREATE TABLE t (id int PRIMARY KEY)", f"CREATE TABLE t (id int PRIMARY KEY, e {members})")
    assert len(p.changes) == 1
    ensure_members_distinct(p, "Schemafile.sql")


def test_a_live_column_listing_a_member_twice_is_no_error_while_left_as_it_is():
    table = "CREATE TABLE t (id int PRIMARY KEY, e enum('a','','') NOT NULL DEFAULT 'a'{})"
    p = plan(table.format(""), table.format(", n int"))
    assert [type(c) for c in p.changes] == [AddColumn]
    ensure_members_distinct(p, "Schemafile.sql")


def test_dropping_an_index_or_a_foreign_key_is_not_destructive():
    p = plan("CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY, pid int, KEY ix (pid),"
             " CONSTRAINT fk FOREIGN KEY (pid) REFERENCES p (id), CONSTRAINT ck CHECK (pid > 0))",
             "CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY, pid int)")
    assert p.changes and not p.refused


def test_foreign_keys_in_the_way_are_dropped_first_and_added_with_the_childs_changes():
    p = plan("CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY, pid int,"
             " CONSTRAINT fk FOREIGN KEY (pid) REFERENCES p (id))",
             "CREATE TABLE p (id bigint PRIMARY KEY); CREATE TABLE c (id int PRIMARY KEY, pid bigint,"
             " CONSTRAINT fk FOREIGN KEY (pid) REFERENCES p (id))")
    assert [(s.step, s.table) for s in p.statements] == [
        ("drop foreign keys", "c"), ("alter table", "p"), ("alter table", "c")]
    # the re-created key's drop is metadata only; its table's ALTER checks every row (online.py)
    assert p.statements[0].sql == "ALTER TABLE `c` DROP FOREIGN KEY `fk`, ALGORITHM=INSTANT"
    assert p.statements[-1].sql.endswith(",\n  ALGORITHM=COPY, LOCK=SHARED")
    assert "MODIFY COLUMN `pid` bigint(20)" in p.statements[-1].sql
    assert "ADD CONSTRAINT `fk` FOREIGN KEY (`pid`) REFERENCES `p` (`id`)" in p.statements[-1].sql
    rebuilt = next(c for c in p.changes if isinstance(c, ModifyForeignKey))
    assert rebuilt.describe() == "re-create foreign key fk on c: c.pid changes type"


@pytest.mark.parametrize("current, desired", [
    # the referenced column changes type (pimcore v5.8.0 -> v6.9.0: quantityvalue_units, int -> varchar)
    ("CREATE TABLE u (id int unsigned NOT NULL PRIMARY KEY, base int unsigned,"
     " CONSTRAINT fk FOREIGN KEY (base) REFERENCES u (id))",
     "CREATE TABLE u (id varchar(50) NOT NULL PRIMARY KEY, base varchar(50),"
     " CONSTRAINT fk FOREIGN KEY (base) REFERENCES u (id))"),
    # the key on the referenced column is new
    ("CREATE TABLE u (id int PRIMARY KEY, code varchar(10) NOT NULL, parent varchar(10))",
     "CREATE TABLE u (id int PRIMARY KEY, code varchar(10) NOT NULL, parent varchar(10), UNIQUE KEY uk (code),"
     " CONSTRAINT fk FOREIGN KEY (parent) REFERENCES u (code))"),
    # the referenced column is new
    ("CREATE TABLE u (id int PRIMARY KEY, parent int)",
     "CREATE TABLE u (id int PRIMARY KEY, parent int, code int NOT NULL, UNIQUE KEY uk (code),"
     " CONSTRAINT fk FOREIGN KEY (parent) REFERENCES u (code))"),
], ids=["type change", "new key", "new column"])
@pytest.mark.parametrize("flavor", [MARIADB, MYSQL], ids=["mariadb", "mysql"])
def test_a_key_to_its_own_table_on_columns_its_alter_changes_is_added_after_that_alter(current, desired, flavor):
    """The server checks a foreign key an ALTER adds against the parent as it was before the
    statement (errno 150): when the parent is the table itself and the ALTER changes the referenced
    columns, the key is added by a second ALTER, as one to another table waits for that table's."""
    p = plan(current, desired, flavor)
    alters = [s for s in p.statements if s.step != "drop foreign keys"]
    assert [s.step for s in alters] == ["alter table", "add foreign keys"]
    assert "FOREIGN KEY" not in alters[0].sql
    assert alters[1].sql.startswith("ALTER TABLE `u` ADD CONSTRAINT `fk` FOREIGN KEY")


def test_a_key_to_its_own_table_on_unchanged_columns_stays_in_the_tables_one_alter():
    p = plan("CREATE TABLE u (id int PRIMARY KEY)",
             "CREATE TABLE u (id int PRIMARY KEY, parent int, CONSTRAINT fk FOREIGN KEY (parent) REFERENCES u (id))")
    assert [s.step for s in p.statements] == ["alter table"]
    assert "ADD CONSTRAINT `fk` FOREIGN KEY (`parent`) REFERENCES `u` (`id`)" in p.statements[0].sql


def test_renames_come_only_from_annotations():
    guessed = diff(schema("CREATE TABLE t (id int, username text)"), schema("CREATE TABLE t (id int, user_name text)"))
    assert {type(c) for c in guessed} == {DropColumn, AddColumn}
    annotated = diff(schema("CREATE TABLE t (id int, username text)"),
                     schema("CREATE TABLE t (id int,\n user_name text -- @renamed from=username\n)"))
    assert len(annotated) == 1 and annotated[0].renamed and not annotated[0].destructive
    table = diff(schema("CREATE TABLE a (id int)"), schema("CREATE TABLE b ( -- @renamed from=a\n id int)"))
    assert [type(c) for c in table] == [RenameTable]


def test_a_stale_rename_annotation_is_inert():
    both = schema("CREATE TABLE t (id int, user_name text)")
    annotated = schema("CREATE TABLE t (id int,\n user_name text -- @renamed from=username\n)")
    assert diff(both, annotated) == []


def test_column_positions_move_the_fewest_columns():
    p = plan("CREATE TABLE t (a int, b int, c int, d int, e int)", "CREATE TABLE t (b int, c int, d int, e int, a int)")
    moved = [c for c in p.changes if isinstance(c, ModifyColumn)]
    assert [c.new.name for c in moved] == ["a"] and moved[0].position.after == "e"


def test_new_columns_at_the_end_get_no_after_clause():
    p = plan("CREATE TABLE t (a int, b int)", "CREATE TABLE t (a int, b int, c int, d int)")
    assert "AFTER" not in p.statements[0].sql and "FIRST" not in p.statements[0].sql


def test_drop_tables_children_first_in_one_statement():
    p = plan("CREATE TABLE k (id int); CREATE TABLE p (id int PRIMARY KEY);"
             " CREATE TABLE c (id int, pid int, FOREIGN KEY (pid) REFERENCES p (id))",
             "CREATE TABLE k (id int)", allow_drop=True)
    drops = [s for s in p.statements if s.step == "drop tables"]
    assert len(drops) == 1 and drops[0].sql == "DROP TABLE `c`, `p`"
    assert all(isinstance(c, DropTable) for c in drops[0].changes)


@pytest.mark.parametrize("old,new,lossy", [
    ("int", "bigint", False), ("bigint", "int", True), ("int", "int unsigned", True),
    ("int unsigned", "bigint", False), ("varchar(10)", "varchar(20)", False), ("varchar(20)", "varchar(10)", True),
    ("varchar(300)", "text", False), ("text", "varchar(100)", True), ("decimal(10,2)", "decimal(12,2)", False),
    ("decimal(10,2)", "decimal(10,1)", True), ("datetime(3)", "datetime", True), ("datetime", "datetime(6)", False),
    ("enum('a','b')", "enum('a','b','c')", False), ("enum('a','b')", "enum('b','a')", True),
    ("enum('a','b')", "enum('a')", True), ("float", "double", False), ("double", "float", True),
    ("int", "varchar(5)", True), ("int", "varchar(30)", False), ("varchar(10)", "int", True),
    ("date", "datetime", False), ("char(10)", "varchar(10)", False), ("varchar(10)", "char(10)", True),
])
def test_what_loses_data(old, new, lossy):
    a = schema(f"CREATE TABLE t (c {old})").tables[0].columns[0].type
    b = schema(f"CREATE TABLE t (c {new})").tables[0].columns[0].type
    assert (type_data_loss(a, b) is not None) == lossy, type_data_loss(a, b)


def test_renaming_a_secret_table_out_of_its_prefix_is_refused_even_with_allow_drop():
    p = plan("CREATE TABLE secret_users (id int)", "CREATE TABLE users ( -- @renamed from=secret_users\n id int)",
             allow_drop=True)
    assert p.refused and isinstance(p.refused[0].change, RenameTable)


def test_mysql_spellings():
    p = plan("CREATE TABLE t (id int PRIMARY KEY, a int, CONSTRAINT ck CHECK (a > 0), KEY ix (a))",
             "CREATE TABLE t (id int PRIMARY KEY, a int, KEY ix (a) INVISIBLE)", MYSQL)
    sql = p.statements[0].sql
    assert "DROP CONSTRAINT `ck`" in sql and "ALTER INDEX `ix` INVISIBLE" in sql
    p = plan("CREATE TABLE t (id int PRIMARY KEY, a int, KEY ix (a))",
             "CREATE TABLE t (id int PRIMARY KEY, a int, KEY ix (a) IGNORED)", MARIADB)
    assert "ALTER INDEX `ix` IGNORED" in p.statements[0].sql


def test_offline_flavors():
    assert Flavor.offline("mysql-8.0").version == (8, 0, 99)
    assert Flavor.offline("mariadb-10.11").is_mariadb
    assert not Flavor.offline("mysql-8.4").keeps_int_width
    assert Flavor.offline("mysql-5.7").keeps_int_width
    assert ColumnType("int", 11).sql() == "int(11)"


def test_apply_lock_name_is_cut_to_64_characters():
    from schema_apply.connection import lock_name
    assert lock_name("app") == "schema-apply/app"
    long = lock_name("d" * 64)
    assert len(long) == 64 and long.startswith("schema-apply/ddd")


# The longest text of each type's values, one character short of it and at it: -2147483648,
# 4294967295, -9223372036854775808, 000000000000042, -99999999.99, 2038-01-19 03:14:07.123, -838:59:59.
@pytest.mark.parametrize("old,fits", [
    ("tinyint", 4), ("tinyint unsigned", 3), ("smallint", 6), ("mediumint", 8), ("int", 11), ("int unsigned", 10),
    ("bigint", 20), ("bigint unsigned", 20), ("int(15) zerofill", 15), ("decimal(10,2)", 12), ("decimal(5,0)", 6),
    ("year", 4), ("date", 10), ("time", 10), ("time(3)", 14), ("datetime", 19), ("datetime(3)", 23),
    ("timestamp(6)", 26), ("double", 40),
])
def test_a_number_or_a_time_fits_a_string_column_of_its_longest_text(old, fits):
    a = schema(f"CREATE TABLE t (c {old})").tables[0].columns[0].type
    for new, lossy in ((f"varchar({fits})", False), (f"char({fits})", False), (f"varchar({fits - 1})", True)):
        b = schema(f"CREATE TABLE t (c {new})").tables[0].columns[0].type
        assert (type_data_loss(a, b) is not None) == lossy, (old, new, type_data_loss(a, b))

