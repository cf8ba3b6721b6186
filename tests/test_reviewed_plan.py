"""plan --out / apply --plan against the real server: a reviewed plan is the plan that runs (exit 5
when the live schema, the Schemafile or the statements changed since); --allow-drop per object;
anchored --tables; show; --schema-sha256."""

from __future__ import annotations

import json

import pytest

from conftest import show_create

pytestmark = pytest.mark.server

SHOPS = "CREATE TABLE shops (id int NOT NULL PRIMARY KEY, name varchar(50) NOT NULL);\n"
SHOPS_V2 = "CREATE TABLE shops (id int NOT NULL PRIMARY KEY, name varchar(100) NOT NULL, phone varchar(20));\n"


def run_sql(server, db, sql):
    conn = server.connect(db)
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def test_plan_out_then_apply_plan_applies_exactly_the_reviewed_statements(server, setup, cli, tmp_path):
    db, f, args = setup(SHOPS, SHOPS_V2)
    out = tmp_path / "plan.json"
    planned = cli("plan", "--out", str(out), *args)
    assert planned.exit_code == 2, planned.output
    assert f"wrote {out}: 1 statement(s)" in planned.stderr
    record = json.loads(out.read_text())
    assert record["command"] == "plan" and record["database"] == db
    assert len(record["schema_sha256"]) == 64 and len(record["live_sha256"]) == 64
    assert record["server"].startswith("MariaDB")
    applied = cli("apply", "--plan", str(out), "--format", "json", *args)
    assert applied.exit_code == 0, applied.output
    doc = json.loads(applied.stdout)
    assert [a["sql"] for a in doc["applied"]] == [s["sql"] for s in record["statements"]]
    assert "phone" in show_create(server, db)["shops"]


def test_a_live_change_after_the_review_is_stale(server, setup, cli, tmp_path):
    db, f, args = setup(SHOPS, SHOPS_V2)
    out = tmp_path / "plan.json"
    assert cli("plan", "--out", str(out), *args).exit_code == 2
    run_sql(server, db, "ALTER TABLE shops ADD COLUMN added_by_hand int")  # drift nobody reviewed
    before = show_create(server, db)
    result = cli("apply", "--plan", str(out), "--allow-drop", *args)
    assert result.exit_code == 5, result.output
    assert "the live schema of" in result.stderr and "changed since the plan" in result.stderr
    assert show_create(server, db) == before  # nothing applied
    as_json = cli("apply", "--plan", str(out), "--allow-drop", "--format", "json", *args)
    doc = json.loads(as_json.stdout)
    assert as_json.exit_code == 5 and doc["exit_code"] == 5 and "changed since the plan" in doc["error"]
    assert "applied" not in doc
    # the dry run says the same, without the lock
    assert cli("apply", "--dry-run", "--plan", str(out), *args).exit_code == 5


def test_a_changed_schemafile_is_stale_before_connecting(server, setup, cli, tmp_path):
    db, f, args = setup(SHOPS, SHOPS_V2)
    out = tmp_path / "plan.json"
    assert cli("plan", "--out", str(out), *args).exit_code == 2
    f.write_text(SHOPS_V2.replace("phone varchar(20)", "phone varchar(30)"))
    result = cli("apply", "--plan", str(out), *args[:2], "--database-url", "mysql://nobody@127.0.0.1:1/none")
    assert result.exit_code == 5, result.output
    assert "the Schemafile changed since the plan" in result.stderr


def test_different_flags_give_a_different_plan_and_are_refused(server, setup, cli, tmp_path):
    db, f, args = setup(SHOPS + "CREATE TABLE old_logs (id int);", SHOPS_V2)
    out = tmp_path / "plan.json"
    assert cli("plan", "--out", str(out), *args).exit_code == 3  # the drop was refused in review
    result = cli("apply", "--plan", str(out), "--allow-drop", *args)
    assert result.exit_code == 5 and "the statements differ from the plan" in result.stderr, result.output
    assert "old_logs" in show_create(server, db)


def test_an_in_sync_review_applies_nothing_and_succeeds(server, setup, cli, tmp_path):
    db, f, args = setup(SHOPS, SHOPS)
    out = tmp_path / "plan.json"
    assert cli("plan", "--out", str(out), *args).exit_code == 0
    assert cli("apply", "--plan", str(out), *args).exit_code == 0


def test_the_json_report_of_a_plan_is_a_plan_file(server, setup, cli, tmp_path):
    db, f, args = setup(SHOPS, SHOPS_V2)
    report = tmp_path / "report.json"
    report.write_text(cli("plan", "--format", "json", *args).stdout)
    assert cli("apply", "--plan", str(report), *args).exit_code == 0


def test_not_a_plan_file(setup, cli, tmp_path):
    db, f, args = setup(SHOPS, SHOPS_V2)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1, "command": "diff", "statements": []}')
    result = cli("apply", "--plan", str(bad), *args)
    assert result.exit_code == 1 and "not the report of a plan" in result.stderr
    bad.write_text("not json")
    assert "not a plan file" in cli("apply", "--plan", str(bad), *args).stderr


def test_show_renders_a_saved_plan_in_every_format(setup, cli, tmp_path):
    db, f, args = setup(SHOPS, SHOPS_V2)
    out = tmp_path / "plan.json"
    cli("plan", "--out", str(out), *args)
    live = {fmt: cli("plan", "--format", fmt, *args).stdout for fmt in ("text", "markdown", "sql", "json")}
    for fmt, expected in live.items():
        shown = cli("show", str(out), "--format", fmt)
        assert shown.exit_code == 0, shown.output
        assert shown.stdout == expected, fmt


# --- --allow-drop per object ----------------------------------------------------------------------

LEGACY = ("CREATE TABLE users (id int NOT NULL PRIMARY KEY, legacy int, Nick varchar(20));"
          "CREATE TABLE old_logs (id int); CREATE TABLE other_logs (id int);")


def test_allow_drop_approves_only_the_named_changes(server, setup, cli):
    db, f, args = setup(LEGACY, "CREATE TABLE users (id int NOT NULL PRIMARY KEY, Nick varchar(10));")
    doc = json.loads(cli("plan", "--format", "json", "--allow-drop", "table:old_logs,column:users.legacy",
                         *args).stdout)
    assert {c["description"] for c in doc["changes"]} == {"drop table old_logs", "drop column users.legacy"}
    refused = {(r["kind"], r["table"]): r["reason"] for r in doc["refused"]}
    assert set(refused) == {("drop_table", "other_logs"), ("modify_column", "users")}
    assert refused["drop_table", "other_logs"].endswith("give --allow-drop table:other_logs to permit it")
    assert "give --allow-drop column:users.Nick to permit it" in refused["modify_column", "users"]
    before = show_create(server, db)
    assert cli("apply", "--allow-drop", "table:old_logs", "--allow-drop", "column:users.legacy", *args).exit_code == 3
    assert show_create(server, db) == before
    # repeatable, case as the server compares column names; then everything approved applies
    approved = cli("apply", "--allow-drop", "table:old_logs", "--allow-drop=column:users.LEGACY,column:users.nick",
                   "--allow-drop", "table:other_logs", *args)
    assert approved.exit_code == 0, approved.output
    assert set(show_create(server, db)) == {"users"}


def test_unused_approvals_are_reported(setup, cli):
    db, f, args = setup(LEGACY, LEGACY.replace(" legacy int,", ""))
    result = cli("plan", "--allow-drop", "column:users.legacy,table:old_logz", *args)
    assert result.exit_code == 2
    assert "note: --allow-drop table:old_logz: no destructive change of this plan matches it" in result.stdout
    assert "column:users.legacy: no destructive" not in result.stdout


@pytest.mark.parametrize("value, message", [
    ("tabel:old_logs", "expected KIND:NAME with KIND one of table, column, trigger, procedure, function, event, got 'tabel:old_logs'"),
    ("column:legacy", "a column is named TABLE.COLUMN"),
    ("old_logs", "expected KIND:NAME"),
])
def test_bad_approvals_are_usage_errors(setup, cli, value, message):
    db, f, args = setup(LEGACY, LEGACY)
    result = cli("plan", "--allow-drop", value, *args)
    assert result.exit_code == 1 and message in result.stderr, result.stderr


def test_bare_allow_drop_still_approves_everything(setup, cli):
    db, f, args = setup(LEGACY, "CREATE TABLE users (id int NOT NULL PRIMARY KEY);")
    assert cli("apply", "--allow-drop", *args).exit_code == 0


# --- anchored table filters -----------------------------------------------------------------------

def test_tables_match_whole_names(setup, cli):
    db, f, args = setup("CREATE TABLE shops (id int); CREATE TABLE followed_shops (id int);",
                        "CREATE TABLE shops (id int, name varchar(10));")
    doc = json.loads(cli("plan", "--tables", "shops", "--format", "json", *args).stdout)
    assert {c["table"] for c in doc["changes"]} == {"shops"} and not doc["refused"]  # followed_shops untouched
    doc = json.loads(cli("plan", "--ignore-tables", "followed", "--format", "json", *args).stdout)
    assert any(r["table"] == "followed_shops" for r in doc["refused"])  # "followed" is not its whole name
    doc = json.loads(cli("plan", "--ignore-tables", "followed_.*", "--format", "json", *args).stdout)
    assert not doc["refused"]


# --- the Schemafile's digest ------------------------------------------------------------------------

def test_schema_sha256_pins_the_schemafile(setup, cli):
    import hashlib
    db, f, args = setup(SHOPS, SHOPS_V2)
    digest = hashlib.sha256(f.read_bytes()).hexdigest()
    assert cli("plan", "--schema-sha256", digest, *args).exit_code == 2
    wrong = cli("plan", "--schema-sha256", "0" * 64, *args)
    assert wrong.exit_code == 1 and f"its SHA-256 is {digest}, expected {'0' * 64}" in wrong.stderr
    assert "refusing a Schemafile that is not the one that was sent" in wrong.stderr
    assert cli("plan", "--schema-sha256", "abc", *args).exit_code == 1
