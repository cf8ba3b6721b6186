"""The command line against the real server: exit codes, formats, errors, the apply lock."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest

from conftest import ROOT, show_create

SHOPS = "CREATE TABLE shops (id int NOT NULL PRIMARY KEY, name varchar(50) NOT NULL);\n"
SHOPS_V2 = ("CREATE TABLE shops (id int NOT NULL PRIMARY KEY, name varchar(100) NOT NULL, phone varchar(20),"
            " KEY ix_name (name));\n")


@pytest.mark.server
def test_plan_apply_plan_exit_codes(setup, cli):
    db, f, args = setup(SHOPS, SHOPS_V2)
    assert cli("plan", *args).exit_code == 2
    assert cli("apply", "--dry-run", *args).exit_code == 2
    applied = cli("apply", *args)
    assert applied.exit_code == 0, applied.output
    assert "done:" in applied.stdout and "-- ok [1/1]" in applied.stdout
    again = cli("plan", *args)
    assert again.exit_code == 0 and "in sync" in again.stdout


@pytest.mark.server
def test_apply_without_allow_drop_on_a_dropped_column_exits_3_and_changes_nothing(server, setup, cli):
    db, f, args = setup(SHOPS_V2, "CREATE TABLE shops (id int NOT NULL PRIMARY KEY, name varchar(100) NOT NULL,"
                                  " KEY ix_name (name), KEY ix_id_name (id, name));")
    before = show_create(server, db)
    result = cli("apply", *args)
    assert result.exit_code == 3
    assert "refused" in result.output and "drop column shops.phone" in result.stdout
    assert show_create(server, db) == before  # the index that was allowed was not added either
    assert cli("apply", "--allow-drop", *args).exit_code == 0


@pytest.mark.server
def test_json_report(setup, cli):
    db, f, args = setup(SHOPS, SHOPS_V2)
    doc = json.loads(cli("plan", "--format", "json", *args).stdout)
    assert doc["format"] == 1 and doc["command"] == "plan" and doc["exit_code"] == 2
    assert {c["kind"] for c in doc["changes"]} == {"modify_column", "add_column", "add_index"}
    assert doc["statements"][0]["changes"] == [0, 1, 2]
    applied = json.loads(cli("apply", "--format", "json", *args).stdout)
    assert [a["status"] for a in applied["applied"]] == ["applied"] and applied["exit_code"] == 0


@pytest.mark.server
@pytest.mark.parametrize("fmt,needle", [("text", "-- DDL"), ("sql", "ALTER TABLE `shops`"),
                                        ("markdown", "```sql"), ("json", '"statements"')])
def test_formats(setup, cli, fmt, needle):
    db, f, args = setup(SHOPS, SHOPS_V2)
    result = cli("plan", "--format", fmt, *args)
    assert result.exit_code == 2 and needle in result.stdout
    assert "\033[" not in result.stdout  # colour only on a terminal


@pytest.mark.server
def test_bad_schemafile_names_file_line_object_and_changes_nothing(server, setup, cli):
    db, f, args = setup(SHOPS, "CREATE TABLE shops (\n  id int NOT NULL PRIMARY KEY,\n  name vchar(50)\n);\n")
    before = show_create(server, db)
    result = cli("apply", *args)
    assert result.exit_code == 1
    assert f"{f}:3:" in result.stderr and "column shops.name" in result.stderr and "vchar" in result.stderr
    assert "Traceback" not in result.output
    assert show_create(server, db) == before


# Gibbon 14.0.00 to 15.0.01 declare gibbonTT.nameShortDisplay so; their file loads only because it sets a
# non-strict sql_mode first
TIMETABLE = "CREATE TABLE tt (id int PRIMARY KEY, shown enum('day','name','','') NOT NULL DEFAULT 'day');\n"


@pytest.mark.server
def test_an_enum_member_listed_twice_fails_the_apply_before_anything_runs(server, setup, cli):
    db, f, args = setup("SET SESSION sql_mode = '';\n" + TIMETABLE, SHOPS + TIMETABLE.replace("tt", "tt2"))
    before = show_create(server, db)
    result = cli("apply", "--allow-drop", *args)
    assert result.exit_code == 1, result.output
    assert f"{f}:2: table tt2: column shown lists the ENUM member '' twice" in result.stderr
    assert show_create(server, db) == before  # shops, which came first, was not created either
    f.write_text(SHOPS + TIMETABLE, encoding="utf-8")  # the live column, made in non-strict mode, left as it is
    assert cli("apply", *args).exit_code == 0
    assert cli("plan", *args).exit_code == 0


@pytest.mark.server
def test_semantic_errors_are_reported_before_anything_runs(setup, cli):
    db, f, args = setup(SHOPS, "CREATE TABLE shops (\n  id int PRIMARY KEY,\n  KEY ix (nope)\n);\n")
    result = cli("plan", *args)
    assert result.exit_code == 1 and "names column nope" in result.stderr and ":3" in result.stderr


@pytest.mark.server
def test_empty_schemafile_is_refused(setup, cli):
    db, f, args = setup(SHOPS, "-- nothing\n")
    result = cli("apply", "--allow-drop", *args)
    assert result.exit_code == 3 and "declares no tables" in result.stderr


@pytest.mark.server
def test_tables_filters(setup, cli):
    db, f, args = setup(SHOPS + "CREATE TABLE audit (id int);", SHOPS_V2)
    assert cli("plan", "--ignore-tables", "^audit$", *args).exit_code == 2
    result = cli("plan", "--tables", "^shops$", "--format", "json", *args)
    assert {c["table"] for c in json.loads(result.stdout)["changes"]} == {"shops"}
    # without the filter the unmanaged table would be dropped: refused
    assert cli("plan", *args).exit_code == 3


@pytest.mark.server
def test_server_refusal_reports_ran_failed_and_not_run(server, setup, cli):
    db, f, args = setup(SHOPS + "CREATE TABLE other (id int);",
                        "CREATE TABLE shops (id int NOT NULL PRIMARY KEY, name varchar(50) NOT NULL, UNIQUE KEY uq (name));"
                        "CREATE TABLE other (id int, x int);")
    conn = server.connect(db)
    with conn.cursor() as cur:
        cur.execute("INSERT INTO shops VALUES (1, 'same'), (2, 'same')")
    conn.close()
    result = cli("apply", *args)
    assert result.exit_code == 1
    assert "(1062)" in result.stderr and "shops" in result.stderr
    assert "applied 1 statement(s), 1 failed" in result.stderr or "1 statement(s) had run" in result.stderr
    assert "'same'" not in result.output  # the duplicated value is redacted


@pytest.mark.server
def test_export_round_trip_plans_nothing(server, databases, cli, tmp_path):
    db = databases.new((ROOT / "Schemafile.sql").read_text())
    out = tmp_path / "exported.sql"
    result = cli("export", "-o", str(out), "--database-url", server.url(db))
    assert result.exit_code == 0 and out.exists()
    again = cli("plan", "--schema-file", str(out), "--database-url", server.url(db))
    assert again.exit_code == 0, again.output
    stdout = cli("export", "--database-url", server.url(db)).stdout
    assert stdout.strip() == out.read_text().strip()


@pytest.mark.server
def test_apply_lock_waits_then_gives_up(server, setup, cli):
    db, f, args = setup(SHOPS, SHOPS_V2)
    holder = server.connect(db)
    with holder.cursor() as cur:
        cur.execute("SELECT GET_LOCK(%s, 0)", (f"schema-apply/{db}",))
    started = time.monotonic()
    result = cli("apply", "--lock-timeout", "1", *args)
    waited = time.monotonic() - started
    holder.close()
    assert result.exit_code == 4 and "holds the lock" in result.stderr and waited >= 1  # busy: safe to retry
    assert cli("plan", *args).exit_code == 2  # changed nothing


@pytest.mark.server
def test_concurrent_applies_serialise(server, setup):
    db, f, args = setup(SHOPS, SHOPS_V2)
    results = []

    def run():
        proc = subprocess.run([sys.executable, "-m", "schema_apply", "apply", *args], capture_output=True, text=True)
        results.append(proc.returncode)
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 0]


@pytest.mark.server
def test_connection_errors_are_clear_and_exit_1(server, cli, tmp_path):
    f = tmp_path / "Schemafile.sql"
    f.write_text(SHOPS)
    result = cli("plan", "--schema-file", str(f), "--database-url", "mysql://root:pw@127.0.0.1:1/app")
    assert result.exit_code == 1 and "cannot connect" in result.stderr and "Traceback" not in result.output
    result = cli("plan", "--schema-file", str(f), "--database-url", server.url("no_such_database_here"))
    assert result.exit_code == 1 and "does not exist" in result.stderr
    result = cli("plan", "--schema-file", str(f))
    assert result.exit_code == 1 and "--database-url" in result.stderr


def test_diff_offline(tmp_path, cli):
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text(SHOPS)
    b.write_text(SHOPS_V2)
    result = cli("diff", str(a), str(b), "--format", "sql")
    assert result.exit_code == 2
    assert "ALTER TABLE `shops`" in result.stdout and "varchar(100)" in result.stdout
    assert cli("diff", str(a), str(a)).exit_code == 0
    assert cli("diff", str(b), str(a)).exit_code == 3  # drops phone: refused
    assert cli("diff", str(b), str(a), "--allow-drop").exit_code == 2
    assert cli("diff", str(a), str(b), "--flavor", "mysql-8.0", "--format", "sql").stdout.count("int(") == 0


def test_missing_schemafile(tmp_path, cli):
    result = cli("diff", str(tmp_path / "nope.sql"), str(tmp_path / "nope2.sql"))
    assert result.exit_code == 1 and "no such file" in result.stderr


@pytest.mark.server
def test_a_long_transaction_makes_the_ddl_fail_fast_not_queue(server, setup, cli):
    db, f, args = setup(SHOPS, SHOPS_V2)
    blocker = server.connect(db)
    blocker.autocommit(False)
    with blocker.cursor() as cur:
        cur.execute("START TRANSACTION")
        cur.execute("SELECT COUNT(*) FROM shops")  # holds a metadata lock until the transaction ends
    started = time.monotonic()
    result = cli("apply", *args, env={"SCHEMA_APPLY_DDL_LOCK_WAIT_TIMEOUT": "1", "SCHEMA_APPLY_DDL_RETRIES": "0"})
    waited = time.monotonic() - started
    blocker.rollback()
    blocker.close()
    assert result.exit_code == 4, result.output  # busy: safe to retry
    assert "metadata lock" in result.stderr
    assert waited < 10
    assert cli("apply", *args).exit_code == 0  # once the transaction is gone, it goes through


@pytest.mark.server
def test_strict_mode_even_on_a_lenient_server(server, setup, cli, monkeypatch):
    """A server configured without strict mode would cut values silently; our session is strict.
    (The lenient server is simulated per session: changing the global sql_mode would disturb
    tests running beside this one.)"""
    from schema_apply.connection import GuardedConnection
    real_setup = GuardedConnection._setup_session

    def lenient_then_real(self):
        self._raw.query("SET SESSION sql_mode = ''")
        real_setup(self)
    monkeypatch.setattr(GuardedConnection, "_setup_session", lenient_then_real)
    db, f, args = setup(SHOPS, "CREATE TABLE shops (id int NOT NULL PRIMARY KEY, name varchar(3) NOT NULL);")
    conn = server.connect(db)
    with conn.cursor() as cur:
        cur.execute("INSERT INTO shops VALUES (1, 'longer than three')")
    conn.close()
    result = cli("apply", "--allow-drop", *args)
    assert result.exit_code == 1 and ("(1265)" in result.stderr or "(1406)" in result.stderr), result.output


def test_usage_errors_exit_1_not_2(cli):
    assert cli("plan", "--bogus-option").exit_code == 1
    assert cli("plan", "--format", "yaml").exit_code == 1
    result = cli("plan", "--tables", "(", "--database-url", "mysql://u:pw@127.0.0.1/x")
    assert result.exit_code == 1 and "--tables" in result.stderr and "Traceback" not in result.output


@pytest.mark.server
def test_no_timing_or_row_position_is_shown_for_secret_tables(server, setup, cli):
    """How long an ALTER takes, and at which row it failed, tell how big a table is."""
    db, f, args = setup("CREATE TABLE secret_users (id int PRIMARY KEY, email varchar(50));" + SHOPS,
                        "CREATE TABLE secret_users (id int PRIMARY KEY, email varchar(50), phone varchar(20));"
                        + SHOPS_V2)
    result = cli("apply", *args)
    assert result.exit_code == 0
    lines = {line for line in result.stdout.splitlines() if line.startswith("-- ok")}
    assert any(line.endswith("s") and " in " in line for line in lines)  # shops: timed
    assert any(" in " not in line for line in lines)  # secret_users: not timed
    assert "statement(s) in" not in result.stdout  # no total either
    verbose = cli("plan", "-vv", *args)
    assert "(" not in "".join(l.split(":")[0] for l in verbose.stderr.splitlines() if "secret_users" in l)

    f.write_text("CREATE TABLE secret_users (id int PRIMARY KEY, email varchar(1), phone varchar(20));" + SHOPS_V2)
    conn = server.connect(db)
    with conn.cursor() as cur:
        cur.execute("INSERT INTO secret_users VALUES (1, 'a', '1'), (2, 'b', '2'), (3, 'ccc', 'x')")
    conn.close()
    refused = cli("apply", "--allow-drop", "--allow-blocking", "secret_users", *args)  # a narrowing of a secret
    assert refused.exit_code == 3 and "depends on secret rows" in refused.output  # table depends on its rows
    failed = cli("apply", "--allow-drop", "--allow-secret-dependent", "--allow-blocking", "secret_users", *args)
    assert failed.exit_code == 1 and "secret_users" in failed.stderr
    assert "at row <redacted>" in failed.stderr and "at row 3" not in failed.output
