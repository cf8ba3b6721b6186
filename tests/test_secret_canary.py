"""The secret-table promise, proved on the real server with canary rows.

Each scenario is one scratch database whose ``secret_`` tables hold rows with this run's canary
values (planted through a raw PyMySQL connection), and a Schemafile whose change the server
refuses because of those rows: a unique or primary key over duplicates, a type the values do not
fit, a narrowing, a foreign key or CHECK the rows violate, NOT NULL over NULLs, an enum that loses
a stored value, a stored generated column the values break, a partitioning with no place for a
value. schema-apply connects as a dedicated user with a password and every privilege on the
database (it *could* read the rows), and runs every command: plan in every format, apply --dry-run,
apply in every format, export to stdout and to a file, quiet, -v and -vv.

For every scenario:

* no canary form (see ``Canary.forms``) and no form of the password appears in any stdout, stderr
  or written file, on the error paths as on the success paths;
* the error still names the table and the server's error code, in text and in JSON, and the
  exit codes are those of DESIGN.md (1 when the server refuses, 3 when the policy does);
* with the general query log on, every statement logged from the user's connections is one the
  guard allows and none reads rows (checked again by an independent regular expression), and the
  log did capture the run (the failing ALTER is in it) — so the check cannot pass on an empty log.

Also: the policy refusal (exit 3) and success paths; the password on every path (bad password,
unknown or ungranted database, closed port, malformed URL, lock timeout), in-process and through
the installed console script; every scenario's real server message in 25 locales; positive
controls for the instruments themselves; and regressions for the leaks found on the way (click's
usage errors, run-task's notes, non-English server messages).
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pymysql
import pytest

from schema_apply.commands import load_schemafile
from schema_apply.introspect import detect_flavor, introspect
from schema_apply.plan import build_plan
from schema_apply.settings import Settings
from schema_apply.source import read_schemafile
from schema_apply.connection import lock_name
from secret_helpers import (Canary, GeneralLog, Transcript, check_logged, mysql_user, plant_rows, root_execute,
                            row_read)
from conftest import guarded, show_create

pytestmark = pytest.mark.server

FORMATS = ("text", "json", "sql", "markdown")


@pytest.fixture(scope="module")
def general_log(server):
    with GeneralLog(server) as log:
        yield log


@pytest.fixture
def canary() -> Canary:
    return Canary.new()


# --------------------------------------------------------------------------------------------------
# Scenarios: the live schema (before), the rows, the Schemafile (after), what the server must say
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    id: str
    before: str
    rows: dict[str, tuple[tuple[str, ...], list[tuple]]]
    after: str
    table: str                      # the table whose statement the server refuses
    codes: frozenset[int]           # the error codes it may give (MariaDB / MySQL)
    allow_drop: bool = False
    counter_table: str | None = None  # a table whose AUTO_INCREMENT is set to the canary counter


USERS = "CREATE TABLE secret_users (\n  id int NOT NULL AUTO_INCREMENT,\n{cols}  PRIMARY KEY (id){keys}\n)"


def users(cols: str, keys: str = "") -> str:
    return USERS.format(cols="".join(f"  {c},\n" for c in cols.split(";") if c), keys=keys) + ";\n"


SCENARIOS = [
    Scenario(
        "unique-index-over-duplicates",
        users("email varchar(100) DEFAULT NULL"),
        {"secret_users": (("email",), [("{M}@example.com",), ("{M}@example.com",)])},
        users("email varchar(100) DEFAULT NULL", ",\n  UNIQUE KEY uq_email (email)"),
        "secret_users", frozenset({1062, 1586}), counter_table="secret_users"),
    Scenario(
        "primary-key-over-duplicates",
        "CREATE TABLE secret_cards (\n  number varchar(40) NOT NULL,\n  holder varchar(100) DEFAULT NULL\n);\n",
        {"secret_cards": (("number", "holder"), [("{M}-4111", "{M}"), ("{M}-4111", "{M} 2")])},
        "CREATE TABLE secret_cards (\n  number varchar(40) NOT NULL,\n  holder varchar(100) DEFAULT NULL,\n"
        "  PRIMARY KEY (number)\n);\n",
        "secret_cards", frozenset({1062})),
    Scenario(
        "unique-prefix-index-quotes-a-prefix",
        users("email varchar(100) DEFAULT NULL"),
        {"secret_users": (("email",), [("{M}-one",), ("{M}-two",)])},
        users("email varchar(100) DEFAULT NULL", ",\n  UNIQUE KEY uq_email10 (email(10))"),
        "secret_users", frozenset({1062})),
    Scenario(
        "collation-change-makes-duplicates",
        users("code varchar(40) COLLATE utf8mb4_bin DEFAULT NULL", ",\n  UNIQUE KEY uq_code (code)"),
        {"secret_users": (("code",), [("{M}-a",), ("{M}-A",)])},
        users("code varchar(40) COLLATE utf8mb4_general_ci DEFAULT NULL", ",\n  UNIQUE KEY uq_code (code)"),
        "secret_users", frozenset({1062})),
    Scenario(
        "varchar-to-int",
        users("age varchar(40) DEFAULT NULL"),
        {"secret_users": (("age",), [("{M}",), ("12",)])},
        users("age int DEFAULT NULL"),
        "secret_users", frozenset({1292, 1366}), allow_drop=True, counter_table="secret_users"),
    Scenario(
        "varchar-to-datetime",
        users("born varchar(40) DEFAULT NULL"),
        {"secret_users": (("born",), [("{M}",)])},
        users("born datetime DEFAULT NULL"),
        "secret_users", frozenset({1292, 1366}), allow_drop=True),
    Scenario(
        "varchar-to-decimal",
        users("score varchar(40) DEFAULT NULL"),
        {"secret_users": (("score",), [("{M}",)])},
        users("score decimal(5,2) DEFAULT NULL"),
        "secret_users", frozenset({1292, 1366}), allow_drop=True),
    Scenario(
        "narrower-varchar",
        users("email varchar(100) DEFAULT NULL"),
        {"secret_users": (("email",), [("{M}@example.com",)])},
        users("email varchar(8) DEFAULT NULL"),
        "secret_users", frozenset({1406, 1265}), allow_drop=True),
    Scenario(
        "numbers-and-numbers-as-strings-out-of-range",
        users("big bigint DEFAULT NULL;phone varchar(32) DEFAULT NULL"),
        {"secret_users": (("big", "phone"), [("{N}", "{N}"), ("1", "{N}")])},
        users("big int DEFAULT NULL;phone int DEFAULT NULL"),
        "secret_users", frozenset({1264, 1292, 1366}), allow_drop=True),
    Scenario(
        "charset-narrowing",
        users("note varchar(100) CHARACTER SET utf8mb4 DEFAULT NULL"),
        {"secret_users": (("note",), [("{E}{M}",), ("{M}{E}",)])},
        users("note varchar(100) CHARACTER SET latin1 DEFAULT NULL"),
        "secret_users", frozenset({1366}), allow_drop=True),
    Scenario(
        "not-null-over-nulls",
        users("email varchar(100) DEFAULT NULL;nick varchar(20) DEFAULT NULL"),
        {"secret_users": (("email", "nick"), [("{M}", None), ("{M}-2", "n")])},
        users("email varchar(100) DEFAULT NULL;nick varchar(20) NOT NULL"),
        "secret_users", frozenset({1265, 1138, 1263, 1048})),
    Scenario(
        "foreign-key-violated",
        users("parent_code varchar(40) DEFAULT NULL"),
        {"secret_users": (("parent_code",), [("{M}-parent",)])},
        "CREATE TABLE secret_parents (\n  code varchar(40) NOT NULL,\n  PRIMARY KEY (code)\n);\n"
        + users("parent_code varchar(40) DEFAULT NULL",
                ",\n  KEY ix_parent (parent_code),\n"
                "  CONSTRAINT fk_parent FOREIGN KEY (parent_code) REFERENCES secret_parents (code)"),
        "secret_users", frozenset({1452, 1216})),
    Scenario(
        "check-violated",
        users("email varchar(100) DEFAULT NULL"),
        {"secret_users": (("email",), [("{M}@example.com",)])},
        users("email varchar(100) DEFAULT NULL",
              ",\n  CONSTRAINT chk_email CHECK (email LIKE '%@example.org')"),
        "secret_users", frozenset({4025, 3819})),
    Scenario(
        "enum-narrowing",
        users("email varchar(100) DEFAULT NULL;tier enum('basic','gold','platinum') DEFAULT NULL"),
        {"secret_users": (("email", "tier"), [("{M}", "platinum")])},
        users("email varchar(100) DEFAULT NULL;tier enum('basic','gold') DEFAULT NULL"),
        "secret_users", frozenset({1265}), allow_drop=True),
    Scenario(
        "stored-generated-column-over-values",
        users("email varchar(100) DEFAULT NULL"),
        {"secret_users": (("email",), [("{M}@example.com",)])},
        users("email varchar(100) DEFAULT NULL;email_number double AS (email + 0) STORED"),
        "secret_users", frozenset({1292, 1366})),
    Scenario(
        "partition-without-a-place-for-a-value",
        "CREATE TABLE secret_events (\n  id bigint NOT NULL,\n  PRIMARY KEY (id)\n);\n",
        {"secret_events": (("id",), [("{N}",)])},
        "CREATE TABLE secret_events (\n  id bigint NOT NULL,\n  PRIMARY KEY (id)\n)\n"
        "PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (1000));\n",
        "secret_events", frozenset({1526}), allow_drop=True),
]


def _setup(server, databases, canary: Canary, scenario: Scenario) -> str:
    db = databases.new(scenario.before, prefix="sa_canary")
    for table, (columns, rows) in scenario.rows.items():
        plant_rows(server, db, table, columns, rows, canary)
    if scenario.counter_table:
        root_execute(server, f"ALTER TABLE `{scenario.counter_table}` AUTO_INCREMENT = {canary.counter}",
                     database=db)
    return db


def _common(user, db: str, schemafile: Path, allow_drop: bool) -> list[str]:
    return ["--schema-file", str(schemafile), "--database-url", user.url(db)] + (["--allow-drop"] if allow_drop else [])


def _proof_from_log(general_log: GeneralLog, user, db: str, must_contain: str) -> list[str]:
    """The log holds this user's run (``must_contain`` is in it) and nothing in it reads rows."""
    queries = check_logged(general_log.entries(user.name), database=db)
    assert any(must_contain in q for q in queries), (
        f"the general log did not capture {must_contain!r} from {user.name}: logged {len(queries)} queries")
    assert any("information_schema" in q for q in queries)
    return queries


def _applied(result) -> list[dict]:
    """The statements an apply reported as run: from its JSON, or from its text progress lines."""
    try:
        return json.loads(result.stdout)["applied"]
    except ValueError:
        done = re.findall(r"^-- running \[\d+/\d+\] [^:]+: (\S+)\n-- ok ", result.stdout, re.M)
        return [{"table": table, "status": "applied"} for table in done]


# --------------------------------------------------------------------------------------------------
# The server refuses the change because of the rows
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_server_refusal_leaks_nothing(scenario: Scenario, server, databases, cli, canary, general_log, tmp_path):
    db = _setup(server, databases, canary, scenario)
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(scenario.after)
    before = show_create(server, db)
    t = Transcript(cli)
    with mysql_user(server, [f"ALL PRIVILEGES ON `{db}`.*"]) as user:
        args = _common(user, db, schemafile, scenario.allow_drop)
        for fmt in FORMATS:
            t.run("plan", *args, "--format", fmt, "-vv", expect=2)
        t.run("plan", *args, expect=2)
        t.run("apply", "--dry-run", *args, "-v", expect=2)

        text = t.run("apply", *args, "-vv", expect=1)
        as_json = t.run("apply", *args, "--format", "json", "-v", expect=1)
        markdown = t.run("apply", *args, "--format", "markdown", expect=1)
        sql = t.run("apply", *args, "--format", "sql", "-vv", expect=1)

        t.run("export", "--database-url", user.url(db), "-vv", expect=0)
        out = tmp_path / "exported.sql"
        t.run("export", "--database-url", user.url(db), "-o", str(out), "-v", expect=0)
        t.add_file(out)
        queries = _proof_from_log(general_log, user, db, f"ALTER TABLE `{scenario.table}`")

        t.assert_clean(canary, user)

    # The error names the table and the server's code, in every format.
    codes = "|".join(str(c) for c in scenario.codes)
    for result in (text, markdown, sql):
        assert re.search(rf"error: statement \d+ of \d+ failed on {scenario.table}: \(({codes})\) ", result.stderr), \
            result.stderr
    doc = json.loads(as_json.stdout)
    failed = [a for a in doc["applied"] if a["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["table"] == scenario.table and failed[0]["code"] in scenario.codes, doc
    assert re.match(rf"statement \d+ of \d+ failed on {scenario.table}: \(({codes})\) ", doc["error"]), doc
    assert doc["exit_code"] == 1, doc
    # Only DDL on the secret tables themselves: the failing statement is one the tool logged.
    assert any(q.startswith(f"ALTER TABLE `{scenario.table}`") for q in queries)
    # The refused ALTER changed nothing on that table (unless an earlier statement of the plan, which
    # the server accepted, was on the same table: foreign keys are added last, in their own ALTER).
    applied_first = any(a["table"] == scenario.table and a["status"] == "applied"
                        for run in (text, markdown, sql, as_json) for a in _applied(run))
    if not applied_first:
        assert show_create(server, db)[scenario.table] == before[scenario.table]


def _statements(server, db: str, scenario: Scenario) -> list[tuple[str, str]]:
    """(table, statement) that schema-apply plans for ``scenario`` (allowing destructive changes)."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        schemafile = Path(tmp) / "Schemafile.sql"
        schemafile.write_text(scenario.after)
        with guarded(server, db) as conn:
            flavor, _ = detect_flavor(conn, db)
            desired = load_schemafile(read_schemafile(str(schemafile)), flavor, db, Settings(schema_file=str(schemafile)))
            plan = build_plan(introspect(conn, db, flavor).schema, desired, flavor, allow_drop=True)
    return [(st.table, st.sql) for st in plan.statements]


def _refusal(server, db: str, pending: list[tuple[str, str]], scenario: Scenario, *,
             locales: tuple[str, ...] = ("en_US",)) -> list[tuple[int, str, str]]:
    """For each locale, send ``pending`` as root until the server refuses one: (code, message,
    table) per locale. Statements the server accepts are removed from ``pending`` (they are done)."""
    raw = server.connect(db)
    out = []
    try:
        with raw.cursor() as cur:
            for locale in locales:
                cur.execute("SET SESSION lc_messages = %s", (locale,))
                while pending:
                    table, sql = pending[0]
                    try:
                        cur.execute(sql)
                    except pymysql.err.MySQLError as exc:
                        out.append((exc.args[0], str(exc.args[1]), table))
                        break
                    pending.pop(0)
                else:
                    raise AssertionError(f"{scenario.id}: the server accepted the change; it proves nothing")
    finally:
        raw.close()
    return out


def test_policy_refusal_exits_3_and_leaks_nothing(server, databases, cli, canary, general_log, tmp_path):
    scenario = next(s for s in SCENARIOS if s.id == "narrower-varchar")
    db = _setup(server, databases, canary, scenario)
    root_execute(server, f"ALTER TABLE secret_users AUTO_INCREMENT = {canary.counter}", database=db)
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(scenario.after)
    before = show_create(server, db)
    t = Transcript(cli)
    with mysql_user(server, [f"ALL PRIVILEGES ON `{db}`.*"]) as user:
        args = _common(user, db, schemafile, allow_drop=False)
        for fmt in FORMATS:
            plan = t.run("plan", *args, "--format", fmt, "-vv", expect=3)
            assert "refused" in plan.output.lower() or "Refused" in plan.output
            t.run("apply", *args, "--format", fmt, "-vv", expect=3)
        refused = json.loads(t.run("apply", *args, "--format", "json", expect=3).stdout)
        assert refused["refused"] and refused["refused"][0]["table"] == "secret_users", refused
        queries = check_logged(general_log.entries(user.name), database=db)
        assert queries and not any(q.startswith("ALTER") for q in queries), "a refused plan must send no DDL"
        t.assert_clean(canary, user)
    assert show_create(server, db) == before


def test_successful_apply_on_secret_tables_leaks_nothing(server, databases, cli, canary, general_log, tmp_path):
    """The success path: a change on secret tables full of canary rows applies, verifies and plans
    nothing afterwards; no output shows a value, a row count or the AUTO_INCREMENT counter."""
    before = users("email varchar(100) DEFAULT NULL;note varchar(200) DEFAULT NULL")
    db = databases.new(before, prefix="sa_canary")
    plant_rows(server, db, "secret_users", ("email", "note"),
               [("{M}@example.com", "{E}{M}"), ("{M}-2@example.com", "{N}")] * 20, canary)
    root_execute(server, f"ALTER TABLE secret_users AUTO_INCREMENT = {canary.counter}", database=db)
    after = users("email varchar(100) DEFAULT NULL;note varchar(200) DEFAULT NULL;phone varchar(32) DEFAULT NULL",
                  ",\n  KEY ix_email (email),\n  KEY ix_phone (phone)")
    after += ("CREATE TABLE secret_cards (\n  id int NOT NULL AUTO_INCREMENT,\n  user_id int NOT NULL,\n"
              "  number varchar(40) NOT NULL,\n  PRIMARY KEY (id),\n  UNIQUE KEY uq_number (number),\n"
              "  KEY ix_user (user_id),\n"
              "  CONSTRAINT fk_card_user FOREIGN KEY (user_id) REFERENCES secret_users (id)\n);\n")
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(after)
    t = Transcript(cli)
    with mysql_user(server, [f"ALL PRIVILEGES ON `{db}`.*"]) as user:
        args = _common(user, db, schemafile, allow_drop=False)
        for fmt in FORMATS:
            t.run("plan", *args, "--format", fmt, "-vv", expect=2)
        t.run("apply", *args, "--format", "json", "-vv", expect=0)
        for fmt in FORMATS:
            t.run("plan", *args, "--format", fmt, "-v", expect=0)
            t.run("apply", *args, "--format", fmt, "-vv", expect=0)
        t.run("export", "--database-url", user.url(db), "-vv", expect=0)
        out = tmp_path / "exported.sql"
        t.run("export", "--database-url", user.url(db), "-o", str(out), expect=0)
        t.add_file(out)
        _proof_from_log(general_log, user, db, "ALTER TABLE `secret_users`")
        t.assert_clean(canary, user)
    # The export holds the schema only: fed back, it plans nothing.
    t2 = Transcript(cli)
    t2.run("plan", "--schema-file", str(out), "--database-url", server.url(db), expect=0)


# --------------------------------------------------------------------------------------------------
# The password
# --------------------------------------------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_password_never_printed_on_any_path(server, databases, cli, tmp_path):
    db = databases.new(users("email varchar(100) DEFAULT NULL"), prefix="sa_canary")
    other = databases.new("CREATE TABLE t (id int PRIMARY KEY);", prefix="sa_canary")
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(users("email varchar(100) DEFAULT NULL", ",\n  KEY ix_email (email)"))
    bad_schemafile = tmp_path / "Bad.sql"
    bad_schemafile.write_text("CREATE TABLE secret_users (id int NOT NULL, PRIMARY KEY (nope)) GARBAGE;\n")
    t = Transcript(cli)
    with mysql_user(server, [f"ALL PRIVILEGES ON `{db}`.*"]) as user:
        ok = ["--schema-file", str(schemafile), "--database-url", user.url(db)]
        # success and pending paths, every format, most verbose
        for fmt in FORMATS:
            t.run("plan", *ok, "--format", fmt, "-vv", expect=2)
        t.run("apply", *ok, "-vv", expect=0)
        t.run("apply", *ok, "--format", "json", "-vv", expect=0)
        t.run("export", "--database-url", user.url(db), "-vv", expect=0)
        # the URL from the environment instead of the flag
        t.run("plan", "--schema-file", str(schemafile), "-vv", expect=0,
              env={"SCHEMA_APPLY_DATABASE_URL": user.url(db)})
        # error paths
        failures = {
            "bad password": user.url(db, password=user.password[::-1]),
            "unknown database": user.url("sa_canary_no_such_db"),
            "no grant on the database": user.url(other),
            "unreachable port": user.url(db, port=_closed_port()),
            "malformed port": user.url(db).replace(f":{server.port}/", ":33o6/"),
            "wrong scheme": user.url(db).replace("mysql://", "postgres://"),
            "no database": user.url(db).rsplit("/", 1)[0],
        }
        for what, url in failures.items():
            for command in (["plan", "--schema-file", str(schemafile)], ["apply", "--schema-file", str(schemafile)],
                            ["export"]):
                r = t.run(*command, "--database-url", url, "-vv", expect=1)
                assert r.stderr.startswith("error: ") and "Traceback" not in r.output, (what, r.stderr)
        # a Schemafile error after connecting, and a lock timeout, with the URL in play
        t.run("plan", "--schema-file", str(bad_schemafile), "--database-url", user.url(db), "-vv", expect=1)
        holder = server.connect()
        try:
            with holder.cursor() as cur:
                cur.execute("SELECT GET_LOCK(%s, 5)", (lock_name(db),))
            r = t.run("apply", "--schema-file", str(schemafile), "--database-url", user.url(db), "--lock-timeout", "0",
                      "-vv", expect=4)
            assert "lock" in r.stderr
        finally:
            holder.close()
        t.assert_clean(user=user)


def test_password_never_printed_by_the_console_script(server, databases, tmp_path):
    """The same in a real process (``schema-apply`` as installed): nothing written outside the CLI's
    own output (warnings, tracebacks, logging) shows the password either."""
    db = databases.new(users("email varchar(100) DEFAULT NULL"), prefix="sa_canary")
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(users("email varchar(100) DEFAULT NULL"))
    script = Path(sys.executable).with_name("schema-apply")
    assert script.exists(), script
    with mysql_user(server, [f"ALL PRIVILEGES ON `{db}`.*"]) as user:
        texts = []
        for url, expect in ((user.url(db), 0), (user.url(db, password="wrong" + user.password), 1),
                            (user.url(db, port=_closed_port()), 1)):
            p = subprocess.run([str(script), "plan", "--schema-file", str(schemafile), "--database-url", url, "-vv"],
                               capture_output=True, text=True, timeout=60)
            assert p.returncode == expect, (p.returncode, p.stdout, p.stderr)
            texts += [p.stdout, p.stderr]
        for text in texts:
            for why, form in user.forms().items():
                assert form not in text, f"{why} printed:\n{text}"


# --------------------------------------------------------------------------------------------------
# The proof's own instruments can fail
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sql", [
    "SELECT * FROM secret_users",
    "select email from `secret_users` where id = 1",
    "SELECT COUNT(*) FROM app.secret_users",
    "WITH x AS (SELECT 1) SELECT * FROM secret_users",
    "TABLE secret_users",
    "HANDLER secret_users OPEN",
    "CHECKSUM TABLE secret_users",
    "SHOW INDEX FROM secret_users",
    "SHOW TABLE STATUS",
    "SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'a'",
    "SELECT AUTO_INCREMENT FROM information_schema.TABLES",
    "SELECT * FROM accounts",
    "CREATE TABLE x AS SELECT * FROM secret_users",
    "INSERT INTO x SELECT * FROM secret_users",
    "/*!40101 SELECT * FROM secret_users */",
])
def test_row_read_detector_flags(sql):
    assert row_read(sql)


@pytest.mark.parametrize("sql", [
    "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'secret_db'",
    "SELECT GET_LOCK('schema-apply/app', 60)",
    "SELECT @@SESSION.sql_mode",
    "ALTER TABLE `secret_users` ADD UNIQUE INDEX `uq_email` (`email`)",
    "CREATE TABLE `secret_cards` (`id` int NOT NULL, CONSTRAINT c CHECK (`id` > 0))",
    "SET SESSION lock_wait_timeout = 10",
    "SHOW CREATE TABLE `secret_users`",
])
def test_row_read_detector_passes(sql):
    assert row_read(sql) is None


def test_general_log_catches_a_row_read(server, databases, general_log, canary):
    """Positive control: a raw SELECT on a secret table by a test user shows up in the log and is
    flagged, so an empty or blind log cannot make the proofs above pass."""
    db = databases.new(users("email varchar(100) DEFAULT NULL"), prefix="sa_canary")
    with mysql_user(server, [f"ALL PRIVILEGES ON `{db}`.*"]) as user:
        conn = pymysql.connect(host=server.host, port=server.port, user=user.name, password=user.password,
                               database=db)
        with conn.cursor() as cur:
            cur.execute("SELECT email FROM secret_users")
        conn.close()
        entries = general_log.entries(user.name)
        with pytest.raises(AssertionError, match="secret"):
            check_logged(entries, database=db)


# --------------------------------------------------------------------------------------------------
# Regressions: leaks found while building this suite
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("plan", "{url}"),                                   # --database-url forgotten
    ("apply", "--schema-file", "x.sql", "{url}"),
    ("plan", "--format", "{url}"),
    ("plan", "--lock-timeout", "{url}"),
    ("{url}",),                                          # as a command name
    ("diff", "a.sql", "b.sql", "{url}"),
    ("export", "--bogus", "{url}"),
])
def test_usage_errors_never_print_the_password(args, cli):
    """click prints usage errors itself, quoting the argument at fault (found: ``schema-apply plan
    mysql://app:pw@db/app`` printed the password in "Got unexpected extra argument (…)")."""
    password = f"Pw-{Canary.new().token}"
    url = f"mysql://app:{password}@127.0.0.1:3306/app"
    t = Transcript(cli)
    r = t.run(*(a.replace("{url}", url) for a in args))
    assert r.exit_code != 0 and "Error:" in r.stderr, r.stderr
    assert password not in r.output, r.output
    assert "mysql://app:***@" in r.output or "No such option '--bogus'" in r.output, r.output


@pytest.mark.aws
def test_run_task_never_prints_the_password_it_passes_on(monkeypatch, tmp_path):
    """``run-task -- plan --database-url mysql://app:pw@…`` said "started task …: plan --database-url
    mysql://app:pw@…" on the terminal, and printed the container's log lines unmasked."""
    import boto3
    from click.testing import CliRunner
    from moto import mock_aws

    from aws_helpers import REGION, REPO, clean_aws_env
    from schema_apply.cli import main

    clean_aws_env(monkeypatch)
    monkeypatch.setenv("SCHEMA_APPLY_ECS_POLL_INTERVAL", "0.01")
    password = f"Pw-{Canary.new().token}"
    url = f"mysql://app:{password}@db.internal:3306/app"
    with mock_aws():
        ecs = boto3.client("ecs", region_name=REGION)
        ecs.create_cluster(clusterName="default")
        definition = json.loads((REPO / "ecs" / "task-definition.json").read_text())
        definition["containerDefinitions"][0]["memory"] = int(definition["memory"])
        ecs.register_task_definition(**definition)
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        group = ec2.create_security_group(GroupName="schema-apply", Description="x", VpcId=vpc)["GroupId"]
        result = CliRunner().invoke(main, ["run-task", "--cluster", "default", "--subnet", subnet,
                                           "--security-group", group, "--",
                                           "plan", "--database-url", url])
    assert "started task" in result.stderr, result.output
    assert password not in result.output, result.output
    assert "mysql://app:***@db.internal" in result.stderr


# Locales whose server messages the redaction must survive (MariaDB's errmsg translations).
LOCALES = ("en_US", "de_DE", "fr_FR", "es_ES", "it_IT", "pt_BR", "nl_NL", "sv_SE", "cs_CZ", "da_DK", "el_GR",
           "hu_HU", "ja_JP", "ko_KR", "nb_NO", "pl_PL", "ro_RO", "ru_RU", "sk_SK", "uk_UA", "zh_CN", "ka_GE",
           "bg_BG", "hi_IN", "et_EE")


def test_scenarios_really_fail_and_every_language_is_redacted(server, databases, canary):
    """Each scenario's statements, as planned by schema-apply and sent by hand as root over a raw
    connection, are refused by the server on that table with an expected code, and most of the
    server's own messages quote a canary value: the suite is not vacuous, the redaction above did
    have something to remove.

    And in every locale: a server whose lc_messages is not English words its errors differently
    (found: German, Spanish, Chinese and Georgian put the partition value of error 1526 bare, with
    no quotes for default deny to find). Every scenario's real message in every locale goes
    through the redaction the tool applies to server errors."""
    from schema_apply.connection import server_error
    quoting = {locale: 0 for locale in LOCALES}
    for scenario in SCENARIOS:
        db = _setup(server, databases, canary, scenario)
        refusals = _refusal(server, db, _statements(server, db, scenario), scenario, locales=LOCALES)
        for locale, (code, message, table) in zip(LOCALES, refusals):
            assert code in scenario.codes and table == scenario.table, (scenario.id, locale, code, message)
            quoting[locale] += bool(canary.leaks(message))
            shown = str(server_error(pymysql.err.OperationalError(code, message)))
            assert not canary.leaks(shown), (scenario.id, locale, code, message, shown)
            assert shown.startswith(f"({code}) ")
    assert quoting["en_US"] >= 8, f"only {quoting['en_US']} scenarios make the server quote a canary value"
    assert sum(quoting.values()) >= len(LOCALES) * 8, quoting


@pytest.mark.parametrize("locale", ["de_DE", "zh_CN", "ja_JP"])
def test_non_english_server_leaks_nothing_end_to_end(locale, server, databases, cli, canary, monkeypatch,
                                                     general_log, tmp_path):
    """The whole CLI against a server whose messages are in another language (the session default
    is set on connect, as a server configured with lc_messages would): the partition value, which
    German and Chinese messages put bare, and the duplicate value must not show."""
    scenario = next(s for s in SCENARIOS if s.id == "partition-without-a-place-for-a-value")
    db = _setup(server, databases, canary, scenario)
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(scenario.after)
    t = Transcript(cli)
    with mysql_user(server, [f"ALL PRIVILEGES ON `{db}`.*"]) as user:
        connect = pymysql.connect

        def connect_as_configured(*args, **kwargs):
            if kwargs.get("user") == user.name:
                kwargs["init_command"] = f"SET SESSION lc_messages = '{locale}'"
            return connect(*args, **kwargs)
        monkeypatch.setattr(pymysql, "connect", connect_as_configured)
        args = _common(user, db, schemafile, allow_drop=True)
        t.run("plan", *args, "-vv", expect=2)
        text = t.run("apply", *args, "-vv", expect=1)
        as_json = t.run("apply", *args, "--format", "json", expect=1)
        assert "(1526)" in text.stderr and "secret_events" in text.stderr, text.stderr
        assert json.loads(as_json.stdout)["applied"][0]["code"] == 1526
        monkeypatch.undo()
        check_logged(general_log.entries(user.name), database=db)
        t.assert_clean(canary, user)


def test_internal_error_while_reporting_a_server_error_leaks_nothing(server, databases, cli, canary, monkeypatch,
                                                                     tmp_path):
    """A bug that strikes while a server error is being handled: with -v the CLI prints the
    traceback, whose chain holds the server error. The driver's own exception (with the raw
    message) must not be in it: the guarded connection raises ``from None``."""
    from schema_apply.report import Reporter
    scenario = next(s for s in SCENARIOS if s.id == "unique-index-over-duplicates")
    db = _setup(server, databases, canary, scenario)
    real_progress = Reporter.progress

    def failing_progress(self, total):
        show = real_progress(self, total)

        def progress(k, outcome, phase):
            if phase == "done" and outcome.status == "failed":
                raise RuntimeError("a bug in the progress display")
            return show(k, outcome, phase)
        return progress
    monkeypatch.setattr(Reporter, "progress", failing_progress)
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(scenario.after)
    t = Transcript(cli)
    with mysql_user(server, [f"ALL PRIVILEGES ON `{db}`.*"]) as user:
        r = t.run("apply", "--schema-file", str(schemafile), "--database-url", user.url(db), "-vv", expect=1)
        t.assert_clean(canary, user)
    assert "internal error: RuntimeError" in r.stderr and "Traceback" in r.stderr
    assert "(1062) Duplicate entry '<redacted>'" in r.stderr, "the chain shows the redacted server error"
