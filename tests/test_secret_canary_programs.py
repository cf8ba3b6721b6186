"""The secret-table promise with triggers, routines and events in the Schemafile (canary rows).

Like ``test_secret_canary``: secret tables hold this run's canary values, schema-apply connects as
a dedicated user with every privilege on the database (it could read the rows), runs every
command in every format, and no canary or password form may appear in any output or written file;
with the general query log on, every statement it sent is one the guard allows and none reads rows
(the independent detector of ``secret_helpers`` also checks that no stored program outside the
secret prefix names a secret table). Three paths: programs created, changed and exported over
secret tables (success); a program that would copy secret rows out (refused, exit 3, nothing
sent); a server error on a secret table in a plan that also creates programs (redacted).
"""

from __future__ import annotations

import json

import pytest

from secret_helpers import Canary, GeneralLog, Transcript, check_logged, mysql_user, plant_rows, root_execute, row_read
from conftest import show_create
from test_cases import programs

pytestmark = pytest.mark.server

FORMATS = ("text", "json", "sql", "markdown")

TABLES = """
CREATE TABLE secret_users (
  id int NOT NULL AUTO_INCREMENT,
  email varchar(100) DEFAULT NULL,
  updated_at datetime DEFAULT NULL,
  PRIMARY KEY (id)
);
CREATE TABLE secret_audit (
  id int NOT NULL AUTO_INCREMENT,
  user_id int DEFAULT NULL,
  note varchar(200) DEFAULT NULL,
  PRIMARY KEY (id)
);
CREATE TABLE orders (
  id int NOT NULL AUTO_INCREMENT,
  user_id int DEFAULT NULL,
  total int DEFAULT NULL,
  PRIMARY KEY (id)
);
"""

PROGRAMS = """
DELIMITER ;;
CREATE TRIGGER secret_users_bu BEFORE UPDATE ON secret_users FOR EACH ROW
BEGIN
  SET NEW.updated_at = NOW();
  INSERT INTO secret_audit (user_id, note) VALUES (NEW.id, CONCAT('was ', OLD.email));
END;;
CREATE FUNCTION secret_mail(p_id int) RETURNS varchar(100) READS SQL DATA
  RETURN (SELECT email FROM secret_users WHERE id = p_id);;
CREATE PROCEDURE order_total(IN p_user int, OUT p_total int) READS SQL DATA
  SELECT SUM(total) INTO p_total FROM orders WHERE user_id = p_user;;
CREATE EVENT tidy_orders ON SCHEDULE EVERY 1 DAY STARTS '2031-01-01 00:00:00' DISABLE
  DO DELETE FROM orders WHERE total IS NULL;;
DELIMITER ;
"""


@pytest.fixture(scope="module")
def general_log(server):
    with GeneralLog(server) as log:
        yield log


def _setup(server, databases, canary: Canary, sql: str) -> str:
    db = databases.new(sql, prefix="sa_canary")
    plant_rows(server, db, "secret_users", ("email",), [("{M}@example.com",), ("{M}@example.com",), ("{N}",)], canary)
    plant_rows(server, db, "secret_audit", ("note",), [("{E}{M}",)], canary)
    root_execute(server, f"ALTER TABLE secret_users AUTO_INCREMENT = {canary.counter}", database=db)
    return db


def test_programs_over_secret_tables_leak_nothing(server, databases, cli, general_log, tmp_path):
    canary = Canary.new()
    db = _setup(server, databases, canary, TABLES)
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(TABLES + PROGRAMS)
    changed = tmp_path / "Changed.sql"
    changed.write_text(TABLES + PROGRAMS.replace("CONCAT('was ', OLD.email)", "CONCAT('now ', NEW.email)")
                       .replace("EVERY 1 DAY", "EVERY 2 DAY"))
    t = Transcript(cli)
    with mysql_user(server, [f"ALL PRIVILEGES ON `{db}`.*"]) as user:
        args = ["--database-url", user.url(db)]
        for fmt in FORMATS:
            t.run("plan", "--schema-file", str(schemafile), *args, "--format", fmt, "-vv", expect=2)
        t.run("apply", "--schema-file", str(schemafile), *args, "-vv", expect=0)
        for fmt in FORMATS:
            t.run("plan", "--schema-file", str(schemafile), *args, "--format", fmt, expect=0)
            t.run("plan", "--schema-file", str(changed), *args, "--format", fmt, "-vv", expect=2)
        t.run("apply", "--schema-file", str(changed), *args, "--format", "json", "-vv", expect=0)
        t.run("export", *args, "-vv", expect=0)
        out = tmp_path / "exported.sql"
        t.run("export", *args, "-o", str(out), expect=0)
        t.add_file(out)
        t.run("plan", "--schema-file", str(out), *args, expect=0)  # the export plans nothing
        queries = check_logged(general_log.entries(user.name), database=db)
        assert any(q.startswith("CREATE TRIGGER `secret_users_bu`") for q in queries)
        assert any(q.startswith("CREATE OR REPLACE EVENT `tidy_orders`") for q in queries)
        t.assert_clean(canary, user)
    assert {"trigger secret_users_bu", "FUNCTION secret_mail", "PROCEDURE order_total",
            "event tidy_orders"} <= set(programs(server, db))


def test_a_program_copying_secret_rows_out_is_refused_and_sends_nothing(server, databases, cli, general_log,
                                                                        tmp_path):
    canary = Canary.new()
    db = _setup(server, databases, canary, TABLES)
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(TABLES + """
CREATE TRIGGER users_copy AFTER UPDATE ON secret_users FOR EACH ROW
  INSERT INTO orders (user_id, total) VALUES (NEW.id, LENGTH(NEW.email));
CREATE PROCEDURE leak() SELECT email FROM secret_users;
""")
    before = show_create(server, db), programs(server, db)
    t = Transcript(cli)
    with mysql_user(server, [f"ALL PRIVILEGES ON `{db}`.*"]) as user:
        args = ["--schema-file", str(schemafile), "--database-url", user.url(db)]
        for fmt in FORMATS:
            t.run("plan", *args, "--format", fmt, "-vv", expect=3)
            t.run("apply", *args, "--format", fmt, "-vv", expect=3)
        doc = json.loads(t.run("apply", *args, "--format", "json", expect=3).stdout)
        reasons = {r["table"]: r["reason"] for r in doc["refused"]}
        assert "secret rows must not leave the secret prefix" in reasons["secret_users"]
        assert "secret-named" in reasons["leak"]
        queries = check_logged(general_log.entries(user.name), database=db)
        assert queries and not any(q.startswith(("CREATE", "ALTER", "DROP")) for q in queries)
        t.assert_clean(canary, user)
    assert (show_create(server, db), programs(server, db)) == before


def test_server_error_in_a_plan_with_programs_is_redacted(server, databases, cli, general_log, tmp_path):
    canary = Canary.new()
    db = _setup(server, databases, canary, TABLES)
    schemafile = tmp_path / "Schemafile.sql"
    # the duplicate canary emails make the new unique key fail; the trigger is created before it
    schemafile.write_text(TABLES.replace("  PRIMARY KEY (id)\n);\nCREATE TABLE secret_audit",
                                         "  PRIMARY KEY (id),\n  UNIQUE KEY uq_email (email)\n);\nCREATE TABLE secret_audit")
                          + PROGRAMS)
    t = Transcript(cli)
    with mysql_user(server, [f"ALL PRIVILEGES ON `{db}`.*"]) as user:
        # the unique key depends on secret rows: a reviewed change, allowed as such
        args = ["--schema-file", str(schemafile), "--database-url", user.url(db), "--allow-secret-dependent"]
        for fmt in FORMATS:
            result = t.run("apply", *args, "--format", fmt, "-vv", expect=1)
            assert "secret_users" in result.output and "1062" in result.output
        check_logged(general_log.entries(user.name), database=db)
        t.assert_clean(canary, user)


@pytest.mark.parametrize("sql, flagged", [
    ("CREATE TRIGGER t BEFORE INSERT ON orders FOR EACH ROW SET NEW.total = (SELECT COUNT(*) FROM secret_users)", True),
    ("CREATE PROCEDURE `p`() SELECT email FROM secret_users", True),
    ("CREATE TRIGGER `secret_users_bu` BEFORE UPDATE ON `secret_users` FOR EACH ROW SET NEW.updated_at = NOW()", False),
    ("CREATE OR REPLACE EVENT `e` ON SCHEDULE EVERY 1 DAY DO DELETE FROM orders", False),
])
def test_row_read_detector_reads_stored_programs(sql, flagged):
    assert bool(row_read(sql)) is flagged


# -- red-team findings: each leaks when root builds it, and is refused when a Schemafile asks ---------------

SINK_VIEW = "CREATE VIEW secret_sink AS SELECT id, user_id, total FROM orders"
COPY = "SELECT id, CAST(SUBSTRING(email, 1, 1) = 'C' AS UNSIGNED) FROM secret_users"
SINKS = {
    # a secret-named view over a plain table is a secret object by its name, and updatable
    "secret view sink": [SINK_VIEW, "CREATE PROCEDURE secret_copy() MODIFIES SQL DATA"
                                     f" INSERT INTO secret_sink (user_id, total) {COPY}"],
    # the temporary table is never created: the name means the base table
    "temporary name": ["CREATE PROCEDURE secret_copy() MODIFIES SQL DATA BEGIN"
                       " IF 0 THEN CREATE TEMPORARY TABLE orders (user_id int, total int); END IF;"
                       f" INSERT INTO orders (user_id, total) {COPY}; END"],
}


@pytest.mark.parametrize("statements", SINKS.values(), ids=SINKS.keys())
def test_secret_rows_cannot_reach_a_plain_table_through_a_secret_view_or_a_temporary_name(
        server, databases, cli, general_log, tmp_path, statements):
    canary = Canary.new()
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(TABLES + "DELIMITER ;;\n" + "".join(f"{s};;\n" for s in statements) + "DELIMITER ;\n")
    # positive control: built by root (the plan refuses even root), CALL secret_copy() puts a value
    # of every secret row into orders
    proof = _setup(server, databases, canary, TABLES)
    assert cli("apply", "--schema-file", str(schemafile), "--database-url", server.url(proof)).exit_code == 3
    for statement in statements:
        root_execute(server, statement, database=proof)
    root_execute(server, "CALL secret_copy()", database=proof)
    assert root_execute(server, "SELECT COUNT(*) FROM orders", database=proof)[0][0] == 3
    # the Schemafile asks for it: refused, nothing sent
    db = _setup(server, databases, canary, TABLES)
    t = Transcript(cli)
    with mysql_user(server, [f"ALL PRIVILEGES ON `{db}`.*"]) as user:
        args = ["--schema-file", str(schemafile), "--database-url", user.url(db)]
        for fmt in FORMATS:
            t.run("plan", *args, "--format", fmt, expect=3)
            t.run("apply", *args, "--format", fmt, expect=3)
        queries = check_logged(general_log.entries(user.name), database=db)
        assert not any(q.startswith(("CREATE", "ALTER", "DROP")) for q in queries)
        t.assert_clean(canary, user)
    assert root_execute(server, "SELECT COUNT(*) FROM orders", database=db)[0][0] == 0
    assert "PROCEDURE secret_copy" not in programs(server, db)


def test_a_named_lock_taken_on_secret_values_is_refused(server, databases, cli, general_log, tmp_path):
    canary = Canary.new()
    sql = ("CREATE TRIGGER secret_users_au AFTER UPDATE ON secret_users FOR EACH ROW"
           " DO GET_LOCK(NEW.email, 0);\n")
    # positive control: any session, with no privilege at all, can test a guessed value
    proof = _setup(server, databases, canary, TABLES)
    root_execute(server, sql, database=proof)
    holder = server.connect(proof)
    try:
        with holder.cursor() as cur:
            cur.execute("UPDATE secret_users SET id = id WHERE id = 1")
        guess = canary.values("{M}@example.com")
        assert root_execute(server, "SELECT IS_FREE_LOCK(%s), IS_FREE_LOCK('nobody')", (guess,)) == [(0, 1)]
    finally:
        holder.close()
    db = _setup(server, databases, canary, TABLES)
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(TABLES + sql)
    t = Transcript(cli)
    with mysql_user(server, [f"ALL PRIVILEGES ON `{db}`.*"]) as user:
        args = ["--schema-file", str(schemafile), "--database-url", user.url(db)]
        result = t.run("plan", *args, expect=3)
        assert "named lock" in result.output
        t.run("apply", *args, "--format", "json", expect=3)
        check_logged(general_log.entries(user.name), database=db)
        t.assert_clean(canary, user)
    assert "trigger secret_users_au" not in programs(server, db)
