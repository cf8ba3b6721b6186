"""Online-DDL predictions and the ALGORITHM=/LOCK= clause.

The server is the oracle: every case of ``tests/data/online_ddl.yaml`` is planned against the real
MariaDB, each ALTER TABLE must run with the clause it was given, and — so that a prediction is not
pessimistic — the next stronger clause must be refused (1845/1846). MySQL predictions follow the
manual (cited in ``schema_apply/online.py``); they are pinned here by unit tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pymysql
import pytest
import yaml

from conftest import ROOT, guarded
from schema_apply import changes as change_kinds
from schema_apply import online, render_ddl
from schema_apply.flavor import Flavor
from schema_apply.normalize import normalize
from schema_apply.introspect import detect_flavor, introspect
from schema_apply.parse.schemafile import parse_text
from schema_apply.plan import build_plan

CASES = yaml.safe_load((ROOT / "tests" / "data" / "online_ddl.yaml").read_text(encoding="utf-8"))
ER_ALTER_OPERATION_NOT_SUPPORTED = (1845, 1846)


def _desired(sql: str, flavor: Flavor, db: str):
    return normalize(parse_text(sql, "Schemafile.sql", flavor.server).schema, flavor, database=db)


def _with_clause(sql: str, table: str, clause: str, instead: str) -> str:
    """``sql`` with ``instead`` where ``clause`` was."""
    if clause:
        bare = sql.replace(f",\n  {clause}", "").replace(f", {clause}", "").replace(f" {clause} ", " ")
        assert bare != sql, sql
        sql = bare
    return render_ddl.append_clause(sql, table, instead)


def _stronger(p: online.Prediction) -> str | None:
    """The next stronger clause, which the server must refuse if the prediction is exact."""
    if p.lock:
        return f"ALGORITHM={'NOCOPY' if p.level == online.Level.INPLACE else 'INPLACE'}, LOCK=NONE"
    return {online.Level.INSTANT: None, online.Level.INPLACE: "ALGORITHM=INSTANT",
            online.Level.REBUILD: "ALGORITHM=NOCOPY", online.Level.COPY: "ALGORITHM=INPLACE"}[p.level]


def _run(conn: pymysql.connections.Connection, sql: str) -> int | None:
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    except pymysql.err.MySQLError as exc:
        return exc.args[0]
    return None


@pytest.mark.server
@pytest.mark.parametrize("name", sorted(CASES))
def test_prediction_is_what_the_server_does(server, databases, name):
    case = CASES[name]
    db = databases.new(case["current"])
    with guarded(server, db) as conn:
        flavor, _ = detect_flavor(conn, db)
        live = introspect(conn, db, flavor)
    plan = build_plan(live.schema, _desired(case["desired"], flavor, db), flavor,
                      allow_drop=bool(case.get("allow_drop")))
    assert not plan.refused, plan.refused
    alters = [st for st in plan.statements if online.is_alter(st.sql)]
    assert [st.prediction.label for st in alters] == case["expect"].split("; "), [st.sql for st in alters]
    raw = server.connect(db)
    try:
        for st in plan.statements:
            clause = online.clause(st.prediction, flavor)
            stronger = _stronger(st.prediction) if online.is_alter(st.sql) else None
            if stronger and not st.prediction.validates:  # a validating COPY is chosen for its check
                code = _run(raw, _with_clause(st.sql, st.table, clause, stronger))
                assert code in ER_ALTER_OPERATION_NOT_SUPPORTED, \
                    f"{stronger} was not refused ({code}): the prediction {st.prediction.label!r} is pessimistic\n{st.sql}"
            assert _run(raw, st.sql) is None, f"the server refused the predicted clause:\n{st.sql}"
    finally:
        raw.close()
    with guarded(server, db) as conn:
        after = introspect(conn, db, flavor)
    again = build_plan(after.schema, _desired(case["desired"], flavor, db), flavor, allow_drop=True)
    assert not again.changes, [c.describe() for c in again.changes]


ALTER_KINDS = {change_kinds.AddColumn, change_kinds.DropColumn, change_kinds.ModifyColumn, change_kinds.AddIndex,
               change_kinds.DropIndex, change_kinds.RenameIndex, change_kinds.ChangeIndexVisibility,
               change_kinds.AddForeignKey, change_kinds.DropForeignKey, change_kinds.AddCheck,
               change_kinds.DropCheck, change_kinds.ChangeTableOptions, change_kinds.ChangePartitioning,
               change_kinds.ModifyIndex, change_kinds.ModifyForeignKey, change_kinds.ModifyCheck}


def test_the_cases_hold_every_change_kind_of_an_alter():
    """Every Change subclass is either one an ALTER TABLE holds (and then a case exercises it on the
    server) or a statement of its own (CREATE/DROP/RENAME …, which copy no rows)."""
    flavor = Flavor.offline("mariadb-10.11")
    seen = set()
    for case in CASES.values():
        plan = build_plan(_desired(case["current"], flavor, "db"), _desired(case["desired"], flavor, "db"), flavor,
                          allow_drop=True)
        for st in plan.statements:
            if online.is_alter(st.sql):
                seen |= {type(c) for c in st.changes}
    assert ALTER_KINDS <= seen, ALTER_KINDS - seen
    all_kinds = {k for k in vars(change_kinds).values()
                 if isinstance(k, type) and issubclass(k, change_kinds.Change) and k is not change_kinds.Change}
    standalone = all_kinds - ALTER_KINDS
    assert standalone == {change_kinds.CreateTable, change_kinds.DropTable, change_kinds.RenameTable,
                          change_kinds.CreateView, change_kinds.DropView}, standalone


# --------------------------------------------------------------------------
# MySQL 5.7 / 8.0 / 8.4 and MariaDB 10.6: the documented matrices, pinned (no MySQL server here)
# --------------------------------------------------------------------------

T = ("CREATE TABLE t (id int NOT NULL PRIMARY KEY, a int, b varchar(50) CHARACTER SET utf8mb4, c varchar(20) COLLATE {coll},"
     " d int NOT NULL DEFAULT 1, KEY ix_a (a))")

MATRIX = [
    # (change, desired table, {flavor: (label, clause)})
    ("add a column at the end", T[:-1] + ", z int)",
     {"mysql-8.0.36": ("instant", "ALGORITHM=INSTANT"), "mysql-8.0.20": ("instant", "ALGORITHM=INSTANT"),
      "mysql-5.7": ("in place, rebuilds", "ALGORITHM=INPLACE, LOCK=NONE"),
      "mysql-8.4": ("instant", "ALGORITHM=INSTANT"), "mariadb-10.6": ("instant", "ALGORITHM=INSTANT")}),
    ("add a column in the middle", T.replace("a int,", "z int, a int,"),
     {"mysql-8.0.36": ("instant", "ALGORITHM=INSTANT"),  # 8.0.29+: at any position
      "mysql-8.0.20": ("in place, rebuilds", "ALGORITHM=INPLACE, LOCK=NONE"),
      "mariadb-10.6": ("instant", "ALGORITHM=INSTANT")}),
    ("drop a column", T.replace(" d int NOT NULL DEFAULT 1,", ""),
     {"mysql-8.0.36": ("instant", "ALGORITHM=INSTANT"), "mysql-8.0.20": ("in place, rebuilds", "ALGORITHM=INPLACE, LOCK=NONE"),
      "mysql-5.7": ("in place, rebuilds", "ALGORITHM=INPLACE, LOCK=NONE")}),
    ("set a default", T.replace("DEFAULT 1", "DEFAULT 2"),
     {"mysql-8.0.20": ("instant", "ALGORITHM=INSTANT"), "mysql-5.7": ("in place", "ALGORITHM=INPLACE, LOCK=NONE"),
      "mariadb-10.6": ("instant", "ALGORITHM=INSTANT")}),
    ("extend a VARCHAR within 255 bytes", T.replace("b varchar(50)", "b varchar(60)"),
     {"mysql-8.0.36": ("in place", "ALGORITHM=INPLACE, LOCK=NONE"), "mysql-5.7": ("in place", "ALGORITHM=INPLACE, LOCK=NONE"),
      "mariadb-10.6": ("instant", "ALGORITHM=INSTANT")}),
    ("extend a VARCHAR across 255 bytes", T.replace("b varchar(50)", "b varchar(70)"),
     {"mysql-8.0.36": ("copies the table, blocks writes", ""), "mariadb-10.6": ("copies the table, blocks writes", "")}),
    ("change a type", T.replace("a int,", "a bigint,"),
     {"mysql-8.0.36": ("copies the table, blocks writes", ""), "mysql-5.7": ("copies the table, blocks writes", "")}),
    ("make a column NOT NULL", T.replace("a int,", "a int NOT NULL,"),
     {"mysql-8.0.36": ("in place, rebuilds", "ALGORITHM=INPLACE, LOCK=NONE")}),
    ("change a collation", T.replace("{coll}", "utf8mb4_bin"),
     {"mysql-8.0.36": ("copies the table, blocks writes", ""), "mariadb-10.6": ("instant", "ALGORITHM=INSTANT")}),
    ("add an index", T[:-1] + ", KEY ix_b (b))",
     {"mysql-8.0.36": ("in place", "ALGORITHM=INPLACE, LOCK=NONE"), "mysql-5.7": ("in place", "ALGORITHM=INPLACE, LOCK=NONE"),
      "mariadb-10.6": ("in place", "ALGORITHM=NOCOPY, LOCK=NONE")}),
    ("add a column and an index", T[:-1] + ", z int, KEY ix_z (z))",
     {"mysql-8.0.36": ("in place, rebuilds", "ALGORITHM=INPLACE, LOCK=NONE"),
      "mariadb-10.6": ("in place, rebuilds", "ALGORITHM=INPLACE, LOCK=NONE")}),
    ("add a column, drop an index", T.replace(", KEY ix_a (a)", ", z int"),
     {"mysql-8.0.36": ("in place, rebuilds", "ALGORITHM=INPLACE, LOCK=NONE"),  # ADD COLUMN cannot be instant beside it
      "mariadb-10.6": ("in place", "ALGORITHM=NOCOPY, LOCK=NONE")}),
    ("add the first FULLTEXT index", T[:-1] + ", FULLTEXT KEY ft_b (b))",
     {"mysql-8.0.36": ("in place, rebuilds, blocks writes", "ALGORITHM=INPLACE, LOCK=SHARED")}),
    ("rename an index", T.replace("KEY ix_a (a)", "KEY ix_a2 (a) -- @renamed from=ix_a\n"),
     {"mysql-8.0.36": ("in place", "ALGORITHM=INPLACE, LOCK=NONE"), "mariadb-10.6": ("instant", "ALGORITHM=INSTANT")}),
    ("add a CHECK", T[:-1] + ", CONSTRAINT ck CHECK (a > 0))",
     {"mysql-8.0.36": ("copies the table, blocks writes", "ALGORITHM=COPY, LOCK=SHARED")}),
    ("change the table's default character set", T + " DEFAULT CHARSET=latin1",
     {"mysql-8.0.36": ("in place, rebuilds", "ALGORITHM=INPLACE, LOCK=NONE"),
      "mariadb-10.6": ("instant", "ALGORITHM=INSTANT")}),
    ("move a column", T.replace("a int, b varchar(50) CHARACTER SET utf8mb4,", "b varchar(50) CHARACTER SET utf8mb4, a int,"),
     {"mysql-8.0.36": ("in place, rebuilds", "ALGORITHM=INPLACE, LOCK=NONE"), "mariadb-10.6": ("instant", "ALGORITHM=INSTANT")}),
]


@pytest.mark.parametrize("what, desired, expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_documented_matrix(what, desired, expected):
    for name, (label, clause) in expected.items():
        flavor = Flavor.offline(name)
        coll = "utf8mb4_0900_ai_ci" if not flavor.is_mariadb and flavor.version >= (8, 0, 0) else "utf8mb4_general_ci"
        current = _desired(T.format(coll=coll), flavor, "db")
        plan = build_plan(current, _desired(desired.format(coll=coll), flavor, "db"), flavor, allow_drop=True)
        [st] = [s for s in plan.statements if online.is_alter(s.sql)]
        assert (st.prediction.label, online.clause(st.prediction, flavor)) == (label, clause), (name, st.sql)
        assert st.sql.endswith(clause), st.sql


def test_foreign_keys_on_mysql_and_mariadb():
    """Adding a foreign key with foreign_key_checks on copies the table (both manuals); dropping
    one is instant on MariaDB, in place (metadata) on MySQL."""
    parent = "CREATE TABLE p (id int NOT NULL PRIMARY KEY);\n"
    child = "CREATE TABLE c (id int NOT NULL PRIMARY KEY, p_id int, KEY ix_p (p_id){fk})"
    fk = ", CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id)"
    for name, drop in (("mysql-8.0.36", "in place"), ("mariadb-10.11", "instant")):
        flavor = Flavor.offline(name)
        without = _desired(parent + child.format(fk=""), flavor, "db")
        with_fk = _desired(parent + child.format(fk=fk), flavor, "db")
        [add] = build_plan(without, with_fk, flavor).statements
        assert add.prediction.label == "copies the table, blocks writes" and add.prediction.validates
        assert add.sql.endswith("ALGORITHM=COPY, LOCK=SHARED")
        [gone] = build_plan(with_fk, without, flavor).statements
        assert gone.prediction.label == drop


def test_algorithm_and_lock_policies():
    flavor = Flavor.offline("mariadb-10.11")
    current = _desired("CREATE TABLE t (id int PRIMARY KEY, a int)", flavor, "db")
    rebuild = _desired("CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL)", flavor, "db")
    copy = _desired("CREATE TABLE t (id int PRIMARY KEY, a bigint)", flavor, "db")
    sizes = {"t": online.TableSize(10, 16384)}

    def plan(desired, **policy):
        settings = online.OnlineSettings(online.ClausePolicy(**policy))
        return build_plan(current, desired, flavor, online=settings, sizes=sizes)
    assert plan(rebuild).statements[0].sql.endswith("MODIFY COLUMN `a` int(11) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE")
    refused = plan(rebuild, algorithm="instant")
    assert not refused.statements and "--algorithm=instant, but this statement runs in place, rebuilds" in \
        refused.refused[0].reason
    assert plan(copy, algorithm="inplace").refused and not plan(rebuild, algorithm="inplace").refused
    assert plan(copy, lock="none").refused[0].reason.startswith("--lock=none, but this statement blocks writes")
    assert plan(rebuild, algorithm="default").statements[0].sql.endswith("NOT NULL, LOCK=NONE")
    assert plan(rebuild, lock="default").statements[0].sql.endswith("NOT NULL, ALGORITHM=INPLACE")
    assert plan(rebuild, algorithm="default", lock="default").statements[0].sql.endswith("int(11) NOT NULL")


def test_blocking_policy_sizes_secret_tables_and_the_wrapper():
    flavor = Flavor.offline("mariadb-10.11")
    sql = "CREATE TABLE {t} (id int PRIMARY KEY, a int){fk}"
    current = _desired(sql.format(t="t", fk="") + ";\n" + sql.format(t="secret_t", fk=""), flavor, "db")
    desired = _desired(sql.format(t="t", fk="").replace("a int", "a bigint") + ";\n"
                       + sql.format(t="secret_t", fk="").replace("a int", "a bigint"), flavor, "db")
    big = {"t": online.TableSize(2_000_000, 200 * 2**20)}

    def plan(sizes, **blocking):
        return build_plan(current, desired, flavor, online=online.OnlineSettings(
            blocking=online.BlockingPolicy(**blocking)), sizes=sizes)
    refused = {r.change.table: r.reason for r in plan(big).refused}
    assert "t (~2.0M rows, 200.0 MB)" in refused["t"] and "larger than --max-blocking-size 32.0 MB" in refused["t"]
    assert "secret table whose size is never read" in refused["secret_t"]
    small = {"t": online.TableSize(10, 2**14)}
    assert [r.change.table for r in plan(small).refused] == ["secret_t"]
    allowed = plan(big, allow_blocking=re.compile("t|secret_t"))
    assert not allowed.refused
    assert {st.table: st.size.describe() for st in allowed.statements} == {"t": "~2.0M rows, 200.0 MB",
                                                                          "secret_t": "size withheld"}
    wrapped = plan(big, wrapper_tables=re.compile(".*"), allow_blocking=re.compile("secret_t"))
    assert not wrapped.refused
    assert [(st.table, st.via) for st in wrapped.statements] == [("secret_t", None), ("t", "pt-online-schema-change")]
    assert "ALGORITHM" not in wrapped.statements[1].sql  # pt-online-schema-change takes the clauses alone
    assert plan(None).refused == ()  # offline (diff): no sizes, no size limit
    by_size = plan(big, wrapper_min_size=100 * 2**20)
    assert [st.via for st in by_size.statements if st.table == "t"] == ["pt-online-schema-change"]


def test_the_wrapper_is_never_used_on_tables_with_foreign_keys():
    from schema_apply.model import ForeignKey, Index, IndexPart, Table
    pk = Index("PRIMARY", "primary", (IndexPart("id"),))
    plain = Table("t", (), indexes=(pk,))
    assert online.wrapper_problem(plain, referenced=False) is None
    assert "foreign keys" in online.wrapper_problem(Table("t", (), indexes=(pk,), foreign_keys=(
        ForeignKey("fk", ("a",), "p", ("id",)),)), referenced=False)
    assert "other tables" in online.wrapper_problem(plain, referenced=True)
    assert "no primary or unique key" in online.wrapper_problem(Table("t", ()), referenced=False)


def test_the_clause_goes_before_partitioning_options():
    assert render_ddl.append_clause("ALTER TABLE `t` PARTITION BY HASH (id)", "t", "ALGORITHM=COPY") == \
        "ALTER TABLE `t` ALGORITHM=COPY PARTITION BY HASH (id)"
    assert render_ddl.append_clause("ALTER TABLE `t`\n  ADD COLUMN `a` int,\n  ADD COLUMN `b` int", "t",
                                    "ALGORITHM=INSTANT").endswith(",\n  ALGORITHM=INSTANT")
    assert render_ddl.append_clause("ALTER TABLE `t` ADD INDEX `i` (`a`)", "t", "") == "ALTER TABLE `t` ADD INDEX `i` (`a`)"


def test_sizes_and_durations_parse():
    from schema_apply.errors import UsageError
    from schema_apply.limits import parse_duration
    assert online.parse_size("32M", "x") == 32 * 2**20 and online.parse_size("1.5G", "x") == int(1.5 * 2**30)
    assert online.parse_size("500k", "x") == 500 * 1024 and online.parse_size("1048576", "x") == 2**20
    assert parse_duration("90", "x") == 90 and parse_duration("15m", "x") == 900 and parse_duration("6h", "x") == 21600
    assert parse_duration("0", "x", allow_none=True) is None
    for bad in ("big", "-1", "1x"):
        with pytest.raises(UsageError):
            online.parse_size(bad, "--max-blocking-size")
    with pytest.raises(UsageError):
        parse_duration("soon", "--deadline")


def test_table_sizes_never_select_row_data_of_secret_tables():
    """The size read filters secret names out in the query itself (their TABLE_ROWS never reach
    us), and the prefix's LIKE wildcards are escaped."""
    from schema_apply.firewall.secrecy import SecrecyPolicy
    from schema_apply.table_sizes import like_prefix, read_sizes

    class Conn:
        def query(self, sql, params=()):
            self.sql, self.params = sql, params
            return [("orders", 10, 16384), ("secret_x", 5, 100)]  # a server that ignored the filter
    conn = Conn()
    sizes = read_sizes(conn, "app", SecrecyPolicy(("secret_", "pii%")))
    assert conn.sql.count("TABLE_NAME NOT LIKE %s") == 2 and conn.params == ("app", "secret\\_%", "pii\\%%")
    assert set(sizes) == {"orders"} and sizes["orders"].describe() == "~10 rows, 16.0 KB"
    assert like_prefix("a\\b") == "a\\\\b%"


SIZES_QUERY = "TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH"


@pytest.mark.parametrize("desired, asked", [
    ("CREATE TABLE t (id int PRIMARY KEY, a int);\n", False),  # in sync: no size is needed
    ("CREATE TABLE t (id int PRIMARY KEY, a int);\nCREATE TABLE u (id int PRIMARY KEY);\n", False),  # a new table
    ("CREATE TABLE t (id int PRIMARY KEY, a bigint);\n", True),  # an ALTER: its cost shows the size
], ids=["in sync", "only a new table", "an alter"])
def test_the_sizes_are_read_only_when_the_plan_needs_one(setup, cli, desired, asked):
    """read_sizes opens every table for its statistics: sent once when a statement's cost or the
    blocking-size limit needs a size, never for a plan that alters no existing table."""
    _, _, args = setup("CREATE TABLE t (id int PRIMARY KEY, a int);\n", desired)
    result = cli("plan", "-vv", *args)
    assert result.exit_code in (0, 2), result.stderr
    sent = [line for line in result.stderr.splitlines() if line.startswith("-- sent") and SIZES_QUERY in line]
    assert len(sent) == (1 if asked else 0)
    if asked:
        assert "rows" in result.stdout or "rows" in result.stderr  # the cost shows the size read


def test_the_clause_goes_before_the_partitioning():
    """Partitioning options end ALTER TABLE and take no comma (plan._alter puts them on a line of
    their own after the other clauses): the online-DDL clause is the last of the other clauses."""
    clause = "ALGORITHM=COPY, LOCK=SHARED"
    both = render_ddl.alter_table("t", ["ADD COLUMN `b` int", "ADD INDEX `ix` (`a`)"],
                                  "PARTITION BY HASH (`id`)\nPARTITIONS 4")
    assert render_ddl.append_clause(both, "t", clause) == (
        "ALTER TABLE `t`\n  ADD COLUMN `b` int,\n  ADD INDEX `ix` (`a`),\n  ALGORITHM=COPY, LOCK=SHARED\n"
        "  PARTITION BY HASH (`id`)\nPARTITIONS 4")
    alone = render_ddl.alter_table("t", [], "REMOVE PARTITIONING")
    assert render_ddl.append_clause(alone, "t", clause) == "ALTER TABLE `t` ALGORITHM=COPY, LOCK=SHARED REMOVE PARTITIONING"
    plain = render_ddl.alter_table("t", ["ADD COLUMN `b` int"])
    assert render_ddl.append_clause(plain, "t", clause) == "ALTER TABLE `t` ADD COLUMN `b` int, ALGORITHM=COPY, LOCK=SHARED"
    assert render_ddl.append_clause(plain, "t", "") == plain
