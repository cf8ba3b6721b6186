"""Stored programs need privileges beyond DDL; what schema-apply does with and without them.

The README's grant for a Schemafile with triggers, routines and events adds
``TRIGGER, CREATE ROUTINE, ALTER ROUTINE, EVENT`` to the DDL-only grant. Without them the server
hides live triggers and events from the account and refuses to create them: the plan says which
grant is missing instead of planning a CREATE that would fail. A routine defined by another
account shows this account no body: it is left alone with a note, never replaced blindly.
"""

from __future__ import annotations

import pytest

from conftest import load_sql
from secret_helpers import Transcript, mysql_user, root_execute
from test_cases import programs

pytestmark = pytest.mark.server

DDL_ONLY = "CREATE, ALTER, DROP, INDEX, REFERENCES"
PROGRAM_GRANTS = "TRIGGER, CREATE ROUTINE, ALTER ROUTINE, EVENT"

TABLE = "CREATE TABLE orders (id int NOT NULL PRIMARY KEY, total int, updated_at datetime);\n"
SCHEMAFILE = TABLE + """
CREATE TRIGGER orders_bu BEFORE UPDATE ON orders FOR EACH ROW SET NEW.updated_at = NOW();
CREATE PROCEDURE order_count(OUT n int) READS SQL DATA SELECT COUNT(*) INTO n FROM orders;
CREATE EVENT tidy ON SCHEDULE EVERY 1 DAY STARTS '2031-01-01 00:00:00' DISABLE DO DELETE FROM orders WHERE total IS NULL;
"""


def test_without_the_program_grants_the_plan_says_what_is_missing(server, databases, cli, tmp_path):
    db = databases.new(TABLE)
    # a live trigger this account cannot see
    root_execute(server, "CREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW SET NEW.total = 0", database=db)
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(SCHEMAFILE)
    t = Transcript(cli)
    with mysql_user(server, [f"{DDL_ONLY} ON `{db}`.*"]) as user:
        args = ["--schema-file", str(schemafile), "--database-url", user.url(db)]
        plan = t.run("plan", *args, expect=0)
        assert "orders_bu: this account lacks the TRIGGER privilege on table(s) orders" in plan.stdout
        assert "GRANT TRIGGER ON" in plan.stdout
        assert "tidy: this account lacks the EVENT privilege" in plan.stdout
        assert "procedure order_count: this account lacks the CREATE ROUTINE privilege" in plan.stdout
        t.run("apply", *args, expect=0)  # nothing it could do; nothing it tried
    assert set(programs(server, db)) == {"trigger orders_bi"}


def test_with_the_program_grants_everything_is_managed(server, databases, cli, tmp_path):
    db = databases.new(TABLE)
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(SCHEMAFILE)
    t = Transcript(cli)
    with mysql_user(server, [f"{DDL_ONLY}, {PROGRAM_GRANTS} ON `{db}`.*"]) as user:
        args = ["--schema-file", str(schemafile), "--database-url", user.url(db)]
        t.run("plan", *args, expect=2)
        t.run("apply", *args, expect=0)
        t.run("plan", *args, expect=0)
        changed = tmp_path / "Changed.sql"
        changed.write_text(SCHEMAFILE.replace("SET NEW.updated_at = NOW()", "SET NEW.updated_at = UTC_TIMESTAMP()")
                           .replace("READS SQL DATA", "READS SQL DATA COMMENT 'rows'"))
        t.run("apply", "--schema-file", str(changed), "--database-url", user.url(db), expect=0)
        t.run("plan", "--schema-file", str(changed), "--database-url", user.url(db), expect=0)
        export = t.run("export", "--database-url", user.url(db), expect=0)
    oracle = databases.new()
    load_sql(server, oracle, changed.read_text())
    assert programs(server, db) == programs(server, oracle)
    assert "CREATE TRIGGER `orders_bu`" in export.stdout and "DEFINER" not in export.stdout


def test_a_routine_defined_by_another_account_is_left_alone(server, databases, cli, tmp_path):
    db = databases.new(TABLE)
    root_execute(server, "CREATE DEFINER=root@localhost PROCEDURE order_count(OUT n int) SELECT COUNT(*) INTO n"
                         " FROM orders", database=db)
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(TABLE + "CREATE PROCEDURE order_count(OUT n int) SELECT 42 INTO n;\n")
    t = Transcript(cli)
    with mysql_user(server, [f"{DDL_ONLY}, {PROGRAM_GRANTS} ON `{db}`.*"]) as user:
        args = ["--schema-file", str(schemafile), "--database-url", user.url(db)]
        plan = t.run("plan", *args, expect=0)
        assert "procedure order_count: definition not visible to this account" in plan.stdout
        export = t.run("export", "--database-url", user.url(db), expect=0)
        assert "procedure order_count: its definition is not visible to this account; not exported" in export.stderr
    body = root_execute(server, "SELECT ROUTINE_DEFINITION FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = %s",
                        (db,))
    assert body == [("SELECT COUNT(*) INTO n FROM orders",)]


def test_a_definer_other_than_the_applying_account_is_refused_unless_allowed(server, databases, cli, tmp_path):
    db = databases.new(TABLE)
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(TABLE + "CREATE DEFINER=`root`@`localhost` PROCEDURE p() SELECT 1;\n")
    t = Transcript(cli)
    args = ["--schema-file", str(schemafile), "--database-url", server.url(db)]
    refused = t.run("plan", *args, expect=3)
    assert "its DEFINER root@localhost is not the applying account" in refused.stdout
    assert "--allow-definer" in refused.stdout
    t.run("apply", *args, "--allow-definer", "root@localhost", expect=0)
    assert root_execute(server, "SELECT DEFINER FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = %s",
                        (db,)) == [("root@localhost",)]
    t.run("plan", *args, "--allow-definer", "root@localhost", expect=0)
