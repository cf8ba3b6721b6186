"""What a Schemafile builds (issue 9): views, foreign keys, engines and changes that depend on secret rows.

Pure tests, no database: Schemafiles parsed, planned and checked by the plan's policy, and the same
views sent through the statement guard — the two must agree. The proofs on the real server (the
attacks of the issue, done by root as positive controls, refused when a Schemafile asks for them)
are in ``test_firewall_server.py``.
"""

from __future__ import annotations

import json

import pytest

from schema_apply.changes import (AddCheck, AddColumn, AddForeignKey, AddIndex, ChangePartitioning,
                                  ChangeTableOptions, CreateTable, CreateView, ModifyColumn, ModifyIndex, RenameTable)
from schema_apply.errors import SecretAccessRefused
from schema_apply.firewall import builtins, objects, statements
from schema_apply.firewall.objects import Surroundings
from schema_apply.firewall.secrecy import SecrecyPolicy
from schema_apply.flavor import Flavor
from schema_apply.normalize import normalize
from schema_apply.model import Schema
from schema_apply.parse.schemafile import parse_text
from schema_apply.plan import build_plan
from schema_apply.render_ddl import create_view

MARIADB = Flavor.from_version_string("10.11.6-MariaDB")
MYSQL = Flavor.from_version_string("8.0.36")
POLICY = SecrecyPolicy.for_server(("secret_",), MARIADB)
TABLES = """
CREATE TABLE shops (id bigint NOT NULL PRIMARY KEY, name varchar(50), doc json);
CREATE TABLE orders (id bigint NOT NULL PRIMARY KEY, shop_id bigint, user_id bigint);
CREATE TABLE secret_users (id bigint NOT NULL PRIMARY KEY, email varchar(255), doc json);
"""


def schema(sql: str, flavor: Flavor = MARIADB) -> Schema:
    return normalize(parse_text(sql, server=flavor.server).schema, flavor, database="app")


def plan(current: str, desired: str, flavor: Flavor = MARIADB, *, database: str | None = "app", **kw):
    policy = SecrecyPolicy.for_server(("secret_",), flavor)
    cur, des = schema(current, flavor), schema(desired, flavor)
    around = Surroundings.of(cur, des, policy, database=database, hidden_views=kw.pop("hidden", ()))
    return build_plan(cur, des, flavor, policy=policy, around=around, **kw)


def view_reasons(body: str, *, database: str | None = "app", flavor: Flavor = MARIADB, live: str = "") -> list[str]:
    """The plan's verdict on ``CREATE VIEW v AS <body>`` (reasons; empty: allowed)."""
    p = plan(TABLES + live, TABLES + live + f"CREATE VIEW v AS {body};", flavor, database=database)
    refused = [r for r in p.refused if isinstance(r.change, CreateView) and r.change.table == "v"]
    allowed = [c for c in p.changes if isinstance(c, CreateView) and c.table == "v"]
    assert bool(refused) != bool(allowed), (body, p)
    return [r.reason for r in refused]


# --------------------------------------------------------------------------------------------------
# 1-3. Views: only this database's non-secret tables and views, and built-in functions
# --------------------------------------------------------------------------------------------------

REFUSED_VIEWS = {
    # the examples
    "mysql.column_stats": "SELECT db_name, table_name, column_name, min_value, max_value FROM mysql.column_stats",
    "stored function": "SELECT s.id, app.user_email(s.id) AS e FROM shops s",
    "information_schema.TABLES": "SELECT TABLE_NAME, TABLE_ROWS, AUTO_INCREMENT, DATA_LENGTH, UPDATE_TIME"
                                 " FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
    "information_schema.STATISTICS": "SELECT INDEX_NAME, CARDINALITY FROM information_schema.STATISTICS",
    "INNODB_TRX": "SELECT trx_query FROM information_schema.INNODB_TRX",
    "PROCESSLIST": "SELECT INFO FROM information_schema.PROCESSLIST",
    "performance_schema": "SELECT SQL_TEXT FROM performance_schema.events_statements_history",
    "sys": "SELECT * FROM sys.statement_analysis",
    "another database": "SELECT * FROM other_db.customers",
    "secret table": "SELECT email FROM secret_users",
    # hiding tricks
    "versioned comment": "SELECT * FROM /*!50001 mysql. */ user",
    "MariaDB versioned comment": "SELECT * FROM /*M!100100 mysql. */ user",
    "versioned comment with a join": "SELECT * FROM shops /*!50001 , secret_users */",
    "backquotes": "SELECT * FROM `mysql`.`user`",
    "case": "SELECT * FROM MySQL.User",
    "information_schema case": "SELECT * FROM Information_Schema.Tables",
    "spaces around the dot": "SELECT * FROM mysql . user",
    "CTE": "WITH c AS (SELECT User FROM mysql.user) SELECT * FROM c",
    "CTE over a secret table": "WITH c AS (SELECT email FROM secret_users) SELECT * FROM c",
    "subquery in SELECT": "SELECT (SELECT COUNT(*) FROM secret_users) AS n FROM shops",
    "subquery in WHERE": "SELECT id FROM shops WHERE EXISTS (SELECT 1 FROM information_schema.PROCESSLIST)",
    "subquery in HAVING": "SELECT id FROM shops GROUP BY id HAVING id IN (SELECT id FROM secret_users)",
    "subquery in JOIN ON": "SELECT s.id FROM shops s JOIN orders o ON o.id = (SELECT MAX(id) FROM secret_users)",
    "derived table": "SELECT * FROM (SELECT email FROM secret_users) d",
    "nested derived table": "SELECT * FROM (SELECT * FROM (SELECT User FROM mysql.user) a) b",
    "UNION": "SELECT name FROM shops UNION SELECT email FROM secret_users",
    "UNION ALL with a system table": "SELECT name FROM shops UNION ALL SELECT User FROM mysql.user",
    "alias shadowing": "SELECT shops.email FROM secret_users AS shops",
    "qualified with this database": "SELECT * FROM app.secret_users",
    "backquoted qualified": "SELECT * FROM `app`.`secret_users`",
    "one quoted name with a dot": "SELECT * FROM `secret_users.x`",
    "TABLE statement": "TABLE secret_users",
    "TABLE of a system table": "TABLE mysql.user",
    "unknown function": "SELECT user_email(id) AS e FROM shops",
    "quoted function": "SELECT `user_email`(id) AS e FROM shops",
    "quoted built-in name": "SELECT `concat`(name) AS e FROM shops",
    "qualified function": "SELECT `app`.`user_email`(id) AS e FROM shops",
    "schema-qualified built-in name": "SELECT app.concat(name) AS e FROM shops",
    "sys function": "SELECT sys.format_bytes(id) AS b FROM shops",
    "a space before a parenthesis": "SELECT COUNT (id) AS n FROM shops",
    "LOAD_FILE": "SELECT LOAD_FILE('/var/lib/mysql/app/secret_users.ibd') AS f FROM shops",
    "a MySQL-only built-in on MariaDB": "SELECT regexp_like(name, 'x') AS m FROM shops",
    "JSON_TABLE": "SELECT j.x FROM shops, JSON_TABLE(shops.doc, '$[*]' COLUMNS (x INT PATH '$')) j",
}


@pytest.mark.parametrize("body", REFUSED_VIEWS.values(), ids=REFUSED_VIEWS.keys())
def test_a_non_secret_view_may_not_read_beyond_this_databases_plain_tables(body):
    reasons = view_reasons(body)
    assert reasons and all(r.startswith("view v ") for r in reasons), reasons


@pytest.mark.parametrize("body", REFUSED_VIEWS.values(), ids=REFUSED_VIEWS.keys())
def test_the_guard_refuses_the_same_views(body):
    """The plan and the statement guard decide a view alike: the CREATE VIEW the plan would send
    is refused by the guard too (and the other way round, below)."""
    with pytest.raises(SecretAccessRefused, match="view `app`.`v`"):
        statements.check(f"CREATE VIEW `v` AS {body}", POLICY, "app")


def test_withheld_built_ins_are_refused_for_what_they_read():
    """LOAD_FILE and the sequence functions are built-in, and refused all the same: the reason says why."""
    reasons = view_reasons("SELECT LOAD_FILE('/etc/passwd') AS f FROM shops")
    assert any("reads a file on the server" in r for r in reasons), reasons
    assert not any("not a built-in function" in r for r in reasons), reasons
    reasons = view_reasons("SELECT NEXTVAL(s) AS n FROM shops")
    assert any("a sequence is a table" in r for r in reasons), reasons


ALLOWED_VIEWS = {
    "plain": "SELECT id, name FROM shops",
    "qualified with this database": "SELECT s.id FROM app.shops s JOIN `app`.`orders` o ON o.shop_id = s.id",
    "built-ins": "SELECT id, upper(name) AS n, concat_ws('-', id, name) AS c, coalesce(name, '') AS d,"
                 " date_format(now(), '%Y') AS y, json_extract(doc, '$.a') AS j FROM shops",
    "window function": "SELECT id, row_number() OVER (ORDER BY id) AS r, lag(id) OVER w AS l FROM shops"
                       " WINDOW w AS (ORDER BY id)",
    "MariaDB-only built-in on MariaDB": "SELECT nvl(name, '-') AS n FROM shops",
    "types in CAST and CONVERT": "SELECT CAST(id AS DATETIME(6)) AS a, CONVERT(name, CHAR(10)) AS b,"
                                 " CAST(id AS DECIMAL(10,2)) AS c FROM shops",
    "CTE": "WITH c AS (SELECT id FROM shops) SELECT id FROM c",
    "CTE with a column list": "WITH c (a, b) AS (SELECT id, name FROM shops) SELECT a, b FROM c",
    "CTE shadowing a secret name": "WITH secret_users AS (SELECT id FROM shops) SELECT id FROM secret_users",
    "derived table": "SELECT d.id FROM (SELECT id FROM shops) d",
    "derived table with a column list": "SELECT d.a FROM (SELECT id FROM shops) AS d (a)",
    "subqueries": "SELECT id, (SELECT COUNT(*) FROM orders o WHERE o.shop_id = s.id) AS n FROM shops s"
                  " WHERE EXISTS (SELECT 1 FROM orders) HAVING id IN (SELECT shop_id FROM orders)",
    "UNION": "SELECT id FROM shops UNION SELECT id FROM orders",
    "ODBC outer join": "SELECT * FROM {oj shops LEFT OUTER JOIN orders ON orders.shop_id = shops.id}",
    "a quoted name holding a dot": "SELECT * FROM `mysql.user`",
    "no table": "SELECT 1 AS one",
    "DUAL": "SELECT 1 AS one FROM DUAL",
    "IF and CASE with spaces": "SELECT IF (id > 1, 'a', 'b') AS x, CASE WHEN id > 1 THEN 1 END AS y FROM shops",
}


@pytest.mark.parametrize("body", ALLOWED_VIEWS.values(), ids=ALLOWED_VIEWS.keys())
def test_a_view_over_plain_tables_and_built_ins_is_allowed(body):
    if "{oj" in body:  # the Schemafile parser does not read ODBC escapes: the guard alone is asked
        assert statements.check(f"CREATE VIEW `v` AS {body}", POLICY, "app").kind == "ddl"
        return
    assert view_reasons(body) == []
    assert statements.check(create_view(schema(TABLES + f"CREATE VIEW v AS {body};").views[0], replace=False),
                            POLICY, "app").kind == "ddl"


def test_the_reason_names_the_view_and_what_it_reads():
    reason = view_reasons(REFUSED_VIEWS["mysql.column_stats"])[0]
    assert "view v reads `mysql`.`column_stats`, in the system schema mysql" in reason
    reason = view_reasons(REFUSED_VIEWS["stored function"])[0]
    assert "view v calls `app`.user_email(), a stored function" in reason
    reason = view_reasons(REFUSED_VIEWS["unknown function"])[0]
    assert "user_email(), which is not a built-in function of MariaDB 10.11.6" in reason


def test_built_ins_are_the_servers():
    """A name is a built-in of one server and a stored function call on another."""
    assert view_reasons("SELECT nvl(name, '-') AS n FROM shops", flavor=MYSQL)
    assert view_reasons("SELECT regexp_like(name, 'x') AS m FROM shops", flavor=MYSQL) == []
    old_mysql = Flavor.from_version_string("5.7.44")
    assert view_reasons("SELECT row_number() OVER (ORDER BY id) AS r FROM shops", flavor=old_mysql)
    assert builtins.is_builtin("concat", None) and not builtins.is_builtin("row_number", None)


def test_offline_a_qualified_name_cannot_be_shown_to_be_this_database():
    reasons = view_reasons("SELECT * FROM app.shops", database=None)
    assert reasons and "write it unqualified" in reasons[0]
    assert view_reasons("SELECT * FROM shops", database=None) == []


def test_a_secret_view_keeps_its_rules():
    p = plan(TABLES, TABLES + "CREATE ALGORITHM=TEMPTABLE VIEW secret_stats AS SELECT * FROM mysql.column_stats;"
                              " CREATE VIEW secret_emails AS SELECT email, app.user_email(id) AS e FROM secret_users;")
    assert not p.refused and {c.table for c in p.changes} == {"secret_stats", "secret_emails"}


SECRET_SINKS = {
    "a plain table": "SELECT id, name FROM shops",
    "a join": "SELECT u.id, u.email, s.name FROM secret_users u JOIN shops s ON s.id = u.id",
    "a qualified name": "SELECT id, name FROM app.shops",
    "a plain view": "SELECT * FROM v_shops",
    "a system schema": "SELECT * FROM mysql.column_stats",
    "another database": "SELECT * FROM other_db.customers",
    "a subquery": "SELECT id FROM secret_users WHERE id IN (SELECT id FROM shops)",
}


@pytest.mark.parametrize("body", SECRET_SINKS.values(), ids=SECRET_SINKS.keys())
@pytest.mark.parametrize("algorithm", ["", "ALGORITHM=MERGE ", "ALGORITHM=UNDEFINED "])
def test_an_updatable_secret_view_over_a_plain_table_is_refused(body, algorithm):
    """A secret trigger, routine or event may write secret tables — and a secret-named view is one, by
    its name. Updatable over a plain table, it would take secret rows there: ``INSERT INTO secret_sink
    (name) SELECT email FROM secret_users`` writes ``shops``. Only a TEMPTABLE view is never written
    through."""
    live = TABLES + "CREATE VIEW v_shops AS SELECT id, name FROM shops;"
    sql = f"CREATE {algorithm}VIEW secret_sink AS {body}"
    p = plan(live, live + sql + ";")
    reasons = [r.reason for r in p.refused if r.change.table == "secret_sink"]
    assert reasons and "ALGORITHM=TEMPTABLE" in reasons[0], p
    with pytest.raises(SecretAccessRefused, match="TEMPTABLE"):
        statements.check(sql, POLICY, "app")
    # not updatable: allowed, by the plan and by the guard
    temptable = f"CREATE ALGORITHM=TEMPTABLE VIEW secret_sink AS {body}"
    assert not plan(live, live + temptable + ";").refused
    assert statements.check(temptable, POLICY, "app").kind == "ddl"


def test_a_secret_view_over_secret_tables_only_may_be_updatable():
    sql = "CREATE VIEW secret_emails AS SELECT id, email FROM secret_users"
    assert not plan(TABLES, TABLES + sql + ";").refused
    assert statements.check(sql, POLICY, "app").kind == "ddl"


# -- through other views, live ones included ------------------------------------------------------------

def test_a_view_over_a_view_over_secret_rows_is_refused_transitively():
    reasons = view_reasons("SELECT e FROM v1", live="CREATE VIEW v1 AS SELECT e FROM v0;"
                                                   " CREATE VIEW v0 AS SELECT email AS e FROM secret_users;")
    assert reasons == ["view v reads view `v1`, which reads view `v0`, which reads secret table `secret_users`"
                       " (matching secret prefix 'secret_')"]


def test_a_live_view_the_schemafile_does_not_manage_is_followed():
    """``legacy`` exists on the server only (say, --ignore-tables keeps it out of the Schemafile)."""
    policy = SecrecyPolicy.for_server(("secret_",), MARIADB)
    live = schema(TABLES + "CREATE VIEW legacy AS SELECT User FROM mysql.user;")
    desired = schema(TABLES + "CREATE VIEW v AS SELECT * FROM legacy;")
    around = Surroundings.of(live, desired, policy, database="app")
    p = build_plan(live.filtered(lambda n: n != "legacy"), desired, MARIADB, policy=policy, around=around)
    assert [r.reason for r in p.refused] == [
        "view v reads view `legacy`, which reads `mysql`.`user`, in the system schema mysql (its rows describe the"
        " server and can quote or count the rows of any table)"]


def test_a_view_over_a_view_this_user_cannot_see_is_refused():
    p = plan(TABLES, TABLES + "CREATE VIEW v AS SELECT * FROM hidden_one;", hidden=("hidden_one",))
    assert "whose definition this user cannot see" in p.refused[0].reason


def test_the_schemafiles_definition_wins_over_the_live_one():
    cured = plan(TABLES + "CREATE VIEW v1 AS SELECT email FROM secret_users;",
                 TABLES + "CREATE VIEW v1 AS SELECT name FROM shops; CREATE VIEW v AS SELECT * FROM v1;")
    assert not cured.refused


def test_a_view_cycle_ends():
    assert view_reasons("SELECT * FROM v1", live="CREATE VIEW v1 AS SELECT * FROM v2;"
                                                 " CREATE VIEW v2 AS SELECT * FROM v1;") == []


# --------------------------------------------------------------------------------------------------
# 4. Foreign keys across the line
# --------------------------------------------------------------------------------------------------

def test_a_foreign_key_from_a_plain_table_into_a_secret_table_is_refused():
    probe = ("CREATE TABLE probe (email varchar(255), CONSTRAINT fk FOREIGN KEY (email) REFERENCES secret_users"
             " (email) ON UPDATE CASCADE);")
    p = plan(TABLES, TABLES + probe, allow_drop=True, allow_secret_dependent=True)
    assert [type(r.change) for r in p.refused] == [CreateTable]
    assert "table probe has foreign key `fk`, which references secret table `secret_users`" in p.refused[0].reason
    assert "test which values exist" in p.refused[0].reason
    with pytest.raises(SecretAccessRefused, match="references secret table"):
        statements.check("CREATE TABLE `probe` (`email` varchar(255), CONSTRAINT `fk` FOREIGN KEY (`email`)"
                         " REFERENCES `secret_users` (`email`))", POLICY, "app")


def test_a_foreign_key_added_to_a_plain_table_is_refused():
    p = plan(TABLES, TABLES.replace("user_id bigint)", "user_id bigint, CONSTRAINT fk_user FOREIGN KEY (user_id)"
                                                       " REFERENCES secret_users (id))"),
             allow_drop=True, allow_secret_dependent=True)
    assert [type(r.change) for r in p.refused] == [AddForeignKey]
    assert not any(isinstance(c, AddForeignKey) for c in p.changes)


@pytest.mark.parametrize("child, parent", [("secret_cards", "secret_users"), ("secret_cards", "shops")])
def test_foreign_keys_from_secret_tables_are_allowed(child, parent):
    p = plan(TABLES, TABLES + f"CREATE TABLE {child} (id bigint PRIMARY KEY, p bigint,"
                              f" FOREIGN KEY (p) REFERENCES {parent} (id));")
    assert not p.refused and [type(c) for c in p.changes] == [CreateTable]


def test_a_foreign_key_into_a_system_schema_is_refused_from_any_table():
    p = plan(TABLES, TABLES + "CREATE TABLE secret_probe (u char(80), FOREIGN KEY (u) REFERENCES mysql.user (User));")
    assert "in the system schema mysql" in p.refused[0].reason


def test_renaming_a_parent_into_the_secret_prefix_under_plain_children_is_refused():
    current = "CREATE TABLE users (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, u bigint," \
              " CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id));"
    desired = "CREATE TABLE secret_users ( -- @renamed from=users\n id bigint PRIMARY KEY);" \
              " CREATE TABLE orders (id bigint PRIMARY KEY, u bigint, CONSTRAINT fk FOREIGN KEY (u) REFERENCES" \
              " secret_users (id));"
    p = plan(current, desired, allow_drop=True, allow_secret_dependent=True)
    assert any(isinstance(r.change, RenameTable) and "orders" in r.reason for r in p.refused)


# --------------------------------------------------------------------------------------------------
# 7. Engines that lose rows
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("engine, why", [("BLACKHOLE", "discards every row"), ("MEMORY", "lost when the server restarts"),
                                         ("FEDERATED", "does not keep the table's own rows")])
def test_an_engine_change_that_loses_rows_is_destructive(engine, why):
    p = plan("CREATE TABLE events (id bigint PRIMARY KEY) ENGINE=InnoDB;",
             f"CREATE TABLE events (id bigint PRIMARY KEY) ENGINE={engine};")
    change = next(r.change for r in p.refused)
    assert isinstance(change, ChangeTableOptions) and change.destructive and why in change.data_loss
    assert "--allow-drop" in p.refused[0].reason


@pytest.mark.parametrize("engine", ["InnoDB", "MyISAM", "Aria", "ARCHIVE"])
def test_an_engine_that_keeps_rows_is_not_destructive(engine):
    p = plan("CREATE TABLE events (id bigint PRIMARY KEY) ENGINE=MEMORY;",
             f"CREATE TABLE events (id bigint PRIMARY KEY) ENGINE={engine};")
    assert not p.refused and not any(c.destructive for c in p.changes)


def test_a_new_table_in_a_lossy_engine_loses_nothing():
    p = plan(TABLES, TABLES + "CREATE TABLE sink (id bigint PRIMARY KEY) ENGINE=BLACKHOLE;")
    assert not p.refused and not p.changes[0].destructive


def test_engines_that_expose_other_tables_are_refused_by_the_plan_even_with_allow_drop():
    p = plan(TABLES, TABLES + "CREATE TABLE remote (id bigint PRIMARY KEY) ENGINE=FEDERATED;", allow_drop=True)
    assert "uses storage engine FEDERATED" in p.refused[0].reason


def test_diff_reports_an_engine_change_to_blackhole_as_destructive(cli, tmp_path):
    """The issue's case 7: ``diff`` reported ``destructive: false``."""
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text("CREATE TABLE events (id bigint PRIMARY KEY) ENGINE=InnoDB;")
    b.write_text("CREATE TABLE events (id bigint PRIMARY KEY) ENGINE=BLACKHOLE;")
    result = cli("diff", str(a), str(b), "--format", "json")
    assert result.exit_code == 3, result.output
    doc = json.loads(result.stdout)
    assert doc["refused"][0]["kind"] == "change_table_options" and "BLACKHOLE discards" in doc["refused"][0]["reason"]
    allowed = json.loads(cli("diff", str(a), str(b), "--format", "json", "--allow-drop").stdout)
    assert allowed["changes"][0]["destructive"] is True


# --------------------------------------------------------------------------------------------------
# 8. Changes whose success depends on secret rows
# --------------------------------------------------------------------------------------------------

BASE = ("CREATE TABLE secret_users (id bigint NOT NULL, email varchar(255), nick varchar(20), code varchar(20)"
        " COLLATE utf8mb4_bin, n int, PRIMARY KEY (id), UNIQUE KEY uq_code (code)) ;")

DEPENDENT = {
    "unique key": (AddIndex, BASE.replace("UNIQUE KEY uq_code (code))", "UNIQUE KEY uq_code (code),"
                                          " UNIQUE KEY uq_email (email))")),
    "primary key": (ModifyIndex, "CREATE TABLE secret_users (id bigint NOT NULL, email varchar(255), nick varchar(20),"
                              " code varchar(20) COLLATE utf8mb4_bin, n int, UNIQUE KEY uq_code (code), PRIMARY KEY"
                              " (id, email));"),
    "check": (AddCheck, BASE.replace(") ;", ", CONSTRAINT chk CHECK (email < 'm')) ;")),
    "foreign key": (AddForeignKey, BASE.replace(") ;", ", CONSTRAINT fk FOREIGN KEY (n) REFERENCES secret_users (id)) ;")),
    "not null": (ModifyColumn, BASE.replace("nick varchar(20)", "nick varchar(20) NOT NULL")),
    "narrowing": (ModifyColumn, BASE.replace("email varchar(255)", "email varchar(10)")),
    "conversion": (ModifyColumn, BASE.replace("email varchar(255)", "email int")),
    "collation under a unique key": (ModifyColumn, BASE.replace("COLLATE utf8mb4_bin", "COLLATE utf8mb4_general_ci")),
    "stored generated column": (AddColumn, BASE.replace("n int,", "n int, g double AS (email + 0) STORED,")),
    "range partitioning": (ChangePartitioning, BASE.replace("UNIQUE KEY uq_code (code)) ;",
                                                            "UNIQUE KEY uq_code (code, id)) PARTITION BY RANGE (id)"
                                                            " (PARTITION p0 VALUES LESS THAN (10));")),
}


@pytest.mark.parametrize("kind, desired", DEPENDENT.values(), ids=DEPENDENT.keys())
def test_a_change_that_depends_on_secret_rows_needs_the_flag(kind, desired):
    p = plan(BASE, desired, allow_drop=True)
    refused = [r for r in p.refused if isinstance(r.change, kind)]
    assert refused and "depends on secret rows" in refused[0].reason and "--allow-secret-dependent" in refused[0].reason
    allowed = plan(BASE, desired, allow_drop=True, allow_secret_dependent=True)
    assert not allowed.refused
    change = next(c for c in allowed.changes if isinstance(c, kind))
    assert allowed.depends_on_secret_rows(change)


@pytest.mark.parametrize("kind, desired", DEPENDENT.values(), ids=DEPENDENT.keys())
def test_the_same_change_to_a_plain_table_needs_no_flag(kind, desired):
    plain = lambda sql: sql.replace("secret_users", "users")  # noqa: E731
    p = plan(plain(BASE), plain(desired), allow_drop=True)
    assert not p.refused and not p.secret_dependent


def test_changes_that_cannot_fail_on_rows_need_no_flag():
    p = plan(BASE, BASE.replace("n int,", "n int, phone varchar(20), KEY ix_nick (nick),")
             .replace("email varchar(255)", "email varchar(300)"))
    assert not p.refused and not p.secret_dependent and len(p.changes) == 3


def test_the_plan_marks_what_depends_on_secret_rows_in_every_format(cli, tmp_path):
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text(BASE)
    b.write_text(DEPENDENT["unique key"][1])
    refused = cli("diff", str(a), str(b))
    assert refused.exit_code == 3 and "depends on secret rows" in refused.stdout
    args = ["diff", str(a), str(b), "--allow-secret-dependent"]
    assert "[depends on secret rows, allowed by --allow-secret-dependent]" in cli(*args).stdout
    doc = json.loads(cli(*args, "--format", "json").stdout)
    assert doc["exit_code"] == 2 and "fails if two rows hold the same values" in doc["changes"][0]["depends_on_secret_rows"]
    assert "-- Depends on secret rows: add unique index uq_email" in cli(*args, "--format", "sql").stdout
    assert "🔒 depends on secret rows" in cli(*args, "--format", "markdown").stdout


# --------------------------------------------------------------------------------------------------
# The API other object kinds plug into
# --------------------------------------------------------------------------------------------------

def test_every_rule_is_found_through_the_registry():
    views = schema(TABLES + "CREATE VIEW v AS SELECT email FROM secret_users;")
    around = Surroundings.of(views, views, POLICY, database="app")
    assert objects.refusals(views.views[0], POLICY, around) == [
        "reads secret table `secret_users` (matching secret prefix 'secret_')"]
    assert objects.refusals(views.table("shops"), POLICY, around) == []
    with pytest.raises(TypeError):
        objects.refusals(object(), POLICY, around)
