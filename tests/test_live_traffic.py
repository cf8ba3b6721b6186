"""Live traffic: apply never blocks the application for long, survives being stopped, never
hangs, and always leaves an exact account — on the real server.

The ≥ 1M-row table is built once per module (MariaDB's seq_1_to_N: seconds); longer soak runs and
the latency benchmark live in scripts/bench-live-traffic.
"""

from __future__ import annotations

import json
import signal
import threading
import time

import pymysql
import pytest

from conftest import show_create
from live_helpers import (BIG_TABLE, Proxy, SilentServer, Writer, build_big_table, running_statement, start_apply,
                          wait_for_statement)

pytestmark = pytest.mark.server

SMALL = "CREATE TABLE small (id int NOT NULL PRIMARY KEY, a int NOT NULL, b varchar(40) NOT NULL)"


def _with(create: str, extra: str) -> str:
    """``CREATE TABLE … (…)`` with ``extra`` added before its closing parenthesis."""
    assert create.endswith(")")
    return create[:-1] + extra + ")"


def _schemafile(tmp_path, sql: str, name: str = "Schemafile.sql"):
    path = tmp_path / name
    path.write_text(sql + ";\n", encoding="utf-8")
    return path


def _args(server, db, schemafile, url=None):
    return ["--schema-file", str(schemafile), "--database-url", url or server.url(db)]


def _audit(stderr: str) -> dict:
    last = stderr.strip().splitlines()[-1]
    doc = json.loads(last)
    assert doc["audit"] == "schema-apply", last
    return doc


def _query(server, db, sql, params=()):
    conn = server.connect(db)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def big(server):
    """A database holding ``big`` (1M rows) and ``small``; built once for the module."""
    from conftest import Databases
    dbs = Databases(server)
    db = dbs.new(SMALL + ";", prefix="sa_live")
    build_big_table(server, db)
    yield db
    dbs.drop_all()


def _column_type(server, db, table="big", column="a") -> str:
    return _query(server, db, "SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s"
                              " AND TABLE_NAME = %s AND COLUMN_NAME = %s", (db, table, column))[0][0]


# --------------------------------------------------------------------------
# SIGTERM during a long ALTER
# --------------------------------------------------------------------------

def test_sigterm_during_a_long_alter_kills_it_or_lets_it_finish_and_the_rerun_converges(server, big, tmp_path):
    """ECS stops the task: SIGTERM during a copy of a 1M-row table. With a short grace period the
    ALTER is killed on the server (checked: the table is as before); with a long one it finishes
    and the next statement does not start. Exit 6 and an account either way; the next apply plans
    only what is left and converges."""
    before = _column_type(server, big)
    target = "bigint" if before == "int" else "int"
    big_table = BIG_TABLE.replace("a int", f"a {target}")
    schemafile = _schemafile(tmp_path, f"{big_table};\n" + _with(SMALL, ", KEY ix_b (b)"))
    args = [*_args(server, big, schemafile), "--allow-drop", "--allow-blocking", "big"]

    # 1. a short grace period: killed on the server
    proc = start_apply(*args, "--stop-grace", "0.2")
    ours = wait_for_statement(server, big, "ALTER TABLE `big`", after=0.1)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 6, out + err
    assert "stopped by SIGTERM" in err and "killed" in err and "did not take effect" in err, err
    assert running_statement(server, big) is None, "the ALTER is still running on the server"
    assert _column_type(server, big) == before, "the killed ALTER changed the table"
    assert not _query(server, big, "SELECT ID FROM information_schema.PROCESSLIST WHERE ID = %s AND COMMAND = 'Query'",
                      (ours,))
    audit = _audit(err)
    assert audit["outcome"] == "stopped" and audit["exit_code"] == 6
    assert [s["outcome"] for s in audit["statements"]] == ["killed", "not run"], audit["statements"]

    # 2. a long grace period: the ALTER finishes, the next statement never starts
    proc = start_apply(*args, "--stop-grace", "120", "--format", "json")
    wait_for_statement(server, big, "ALTER TABLE `big`", after=0.1)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 6, out + err
    doc = json.loads(out)  # --format json: stdout holds the one report object
    assert doc["state"] == "stopped" and doc["exit_code"] == 6
    assert [a["status"] for a in doc["applied"]] == ["applied", "not run"], doc["applied"]
    assert _column_type(server, big) == target
    assert "ix_b" not in show_create(server, big)["small"]

    # 3. the rerun does the rest
    proc = start_apply(*args)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    assert "[1/1]" in out and "small" in out and "ALTER TABLE `big`" not in out
    assert "ix_b" in show_create(server, big)["small"]


def test_a_connection_killed_by_the_server_mid_alter_is_checked_and_reported(server, big, tmp_path):
    """Someone runs KILL <our connection> while the ALTER of the 1M-row table runs: the outcome
    is unknown until checked; the account says it did not take effect (the server rolled it back),
    exit 1, and the rerun converges."""
    big_table = BIG_TABLE.replace("a int", f"a {_column_type(server, big)}")  # as the other test left it
    schemafile = _schemafile(tmp_path, _with(big_table, ", KEY ix_killed (b, c)") + f";\n{SMALL}")
    args = _args(server, big, schemafile)
    proc = start_apply(*args)
    ours = wait_for_statement(server, big, "ALTER TABLE `big`", after=0.3)
    killer = server.connect()
    with killer.cursor() as cur:
        cur.execute(f"KILL {ours}")
    killer.close()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, out + err
    assert "checked on the server: it did not take effect" in err, err
    assert "ix_killed" not in show_create(server, big)["big"]
    audit = _audit(err)
    assert audit["outcome"] == "lost" and audit["statements"][0]["checked"] is True
    proc = start_apply(*args)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    assert "ix_killed" in show_create(server, big)["big"]


# --------------------------------------------------------------------------
# Metadata locks: bounded waits, the blocker named, exit 4
# --------------------------------------------------------------------------

def test_a_long_transaction_makes_apply_wait_briefly_then_exit_4_naming_the_blocker(server, databases, cli, tmp_path):
    db = databases.new(SMALL + ";")
    _query(server, db, "INSERT INTO small VALUES (1, 1, 'x')")
    schemafile = _schemafile(tmp_path, _with(SMALL, ", KEY ix_a (a)"))
    blocker = server.connect(db)
    blocker.autocommit(False)
    with blocker.cursor() as cur:
        cur.execute("START TRANSACTION")
        cur.execute("SELECT COUNT(*) FROM small")  # holds a metadata lock until the transaction ends
        cur.execute("SELECT CONNECTION_ID()")
        blocker_id = cur.fetchone()[0]

    # the application: reads the table all along, timing each query
    stalls: list[tuple[float, float]] = []
    done = threading.Event()

    def application() -> None:
        conn = server.connect(db)
        with conn.cursor() as cur:
            while not done.is_set():
                started = time.monotonic()
                cur.execute("SELECT COUNT(*) FROM small")
                stalls.append((started, time.monotonic() - started))
                time.sleep(0.01)
        conn.close()
    app = threading.Thread(target=application, daemon=True)
    app.start()
    lock_wait, retries = 1, 2
    started = time.monotonic()
    result = cli("apply", *_args(server, db, schemafile), "--ddl-lock-wait", str(lock_wait),
                 "--ddl-retries", str(retries))
    took = time.monotonic() - started
    done.set()
    app.join(10)
    blocker.rollback()
    blocker.close()

    assert result.exit_code == 4, result.output
    assert f"connection {blocker_id} (user root, from 127.0.0.1:" in result.output and "has a transaction open" in result.output
    assert result.output.count("-- waited 1s for the metadata lock on small") == 1 + retries
    # the apply waited lock_wait x (1 + retries), plus backoff (at most 1 + 2 s), plus overhead
    assert took < lock_wait * (1 + retries) + 3 + 5, took
    # the application was never stalled for much longer than one lock wait
    worst = max(s for _, s in stalls)
    assert worst < lock_wait + 0.8, worst
    assert "ix_a" not in show_create(server, db)["small"], "a busy apply changed the table"
    audit = _audit(result.stderr)
    assert audit["outcome"] == "busy" and audit["exit_code"] == 4 and audit["statements"][0]["attempts"] == 3
    assert cli("apply", *_args(server, db, schemafile)).exit_code == 0  # the transaction is gone: it goes through


def test_the_deadline_kills_the_running_statement(server, databases, cli, tmp_path):
    """An ALTER that would wait long (here for a metadata lock, with a long lock wait) is killed
    on the server when the deadline passes: exit 1, checked, nothing changed."""
    db = databases.new(SMALL + ";")
    schemafile = _schemafile(tmp_path, _with(SMALL, ", KEY ix_a (a)"))
    blocker = server.connect(db)
    blocker.autocommit(False)
    with blocker.cursor() as cur:
        cur.execute("START TRANSACTION")
        cur.execute("SELECT COUNT(*) FROM small")
    started = time.monotonic()
    result = cli("apply", *_args(server, db, schemafile), "--ddl-lock-wait", "60", "--deadline", "3")
    took = time.monotonic() - started
    blocker.rollback()
    blocker.close()
    assert result.exit_code == 1, result.output
    assert took < 3 + 8, took
    assert "deadline" in result.stderr and "killed on the server at the deadline" in result.stderr
    assert "it did not take effect" in result.stderr
    assert running_statement(server, db) is None
    assert "ix_a" not in show_create(server, db)["small"]


# --------------------------------------------------------------------------
# Never hang: a server that never answers, a network gone silent, a reset connection
# --------------------------------------------------------------------------

def test_a_server_that_accepts_tcp_but_never_answers_ends_within_the_deadline(cli, tmp_path):
    silent = SilentServer()
    try:
        schemafile = _schemafile(tmp_path, SMALL)
        started = time.monotonic()
        result = cli("apply", "--schema-file", str(schemafile), "--database-url",
                     f"mysql://root@127.0.0.1:{silent.port}/app", "--deadline", "3")
        took = time.monotonic() - started
    finally:
        silent.close()
    assert result.exit_code == 1 and took < 3 + 3, (took, result.output)
    assert "accepted the connection but did not answer within 3s" in result.stderr
    assert _audit(result.stderr)["outcome"] == "error"


def _through_a_proxy_mid_alter(server, databases, tmp_path, index: str, cut, *args: str):
    """Apply an index add on a 300k-row table through a loopback proxy; once the ALTER runs on the
    server, ``cut(proxy)``. Returns (database, exit code, stdout, stderr, seconds)."""
    db = databases.new(SMALL + ";")
    build_big_table(server, db, rows=300_000, name="mid")
    schemafile = _schemafile(tmp_path, SMALL + ";\n" + _with(BIG_TABLE.replace("big", "mid"), f", KEY {index} (b, c)"))
    proxy = Proxy(server.host, server.port)
    try:
        started = time.monotonic()
        url = server.url(db).replace(f":{server.port}/", f":{proxy.port}/")
        proc = start_apply(*_args(server, db, schemafile, url=url), *args)
        wait_for_statement(server, db, "ALTER TABLE `mid`")
        cut(proxy)
        out, err = proc.communicate(timeout=90)
    finally:
        proxy.close()
    return db, proc.returncode, out, err, time.monotonic() - started


def test_a_network_gone_silent_mid_alter_ends_the_run_within_the_deadline(server, databases, tmp_path):
    _, code, out, err, took = _through_a_proxy_mid_alter(server, databases, tmp_path, "ix_silent", Proxy.silence,
                                                         "--deadline", "15")
    assert code == 1, out + err
    assert took < 15 + 10, took
    assert "the server does not answer on a second connection" in err, err
    assert "unknown" in err and "could not check what took effect" in err


def test_a_connection_reset_mid_alter_gives_the_account_the_server_agrees_with(server, databases, tmp_path):
    db, code, out, err, _ = _through_a_proxy_mid_alter(server, databases, tmp_path, "ix_reset", Proxy.reset,
                                                       "--format", "json")
    assert code == 1, out + err
    doc = json.loads(out)
    assert doc["state"] == "lost" and doc["applied"][0]["checked"] is True, doc
    on_server = "ix_reset" in show_create(server, db)["mid"]
    assert doc["applied"][0]["status"] == ("applied" if on_server else "unknown"), (doc["applied"], on_server)
    assert running_statement(server, db) is None, "our old session still runs the ALTER"


def test_sessions_give_up_on_a_silent_client(server, database):
    """The server closes an orphaned session (its client gone silent) after minutes, not hours:
    the apply lock it held is released."""
    from conftest import guarded
    from schema_apply.connection import SESSION_IDLE_TIMEOUT
    with guarded(server, database) as conn:
        assert conn.query("SELECT @@SESSION.wait_timeout, @@SESSION.net_read_timeout")[0] == (SESSION_IDLE_TIMEOUT, 30)
        assert SESSION_IDLE_TIMEOUT <= 300


# --------------------------------------------------------------------------
# Never weaker: a foreign key dropped for a change
# --------------------------------------------------------------------------

PARENT = "CREATE TABLE p (id int NOT NULL PRIMARY KEY, code varchar(10) NOT NULL)"
CHILD = ("CREATE TABLE c (id int NOT NULL PRIMARY KEY, p_id int NOT NULL, x int NOT NULL, KEY ix_p (p_id),"
         " CONSTRAINT fk_p FOREIGN KEY (p_id) REFERENCES p (id))")


def _fks(server, db) -> list[str]:
    return [r[0] for r in _query(server, db, "SELECT CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS"
                                             " WHERE CONSTRAINT_SCHEMA = %s", (db,))]


def test_a_failure_after_a_foreign_key_was_dropped_restores_it(server, databases, cli, tmp_path):
    """The key is dropped (statement 1) so both columns can widen; the parent's ALTER (statement 2)
    fails on its rows: the key is put back at once, in its old definition (the columns it joins
    are unchanged), and the account says so."""
    db = databases.new(f"{PARENT};\n{CHILD};")
    _query(server, db, "INSERT INTO p VALUES (1, 'dup'), (2, 'dup')")
    _query(server, db, "INSERT INTO c VALUES (1, 1, 7)")
    desired = (_with(PARENT.replace("id int", "id bigint"), ", UNIQUE KEY uq_code (code)") + ";\n"
               + CHILD.replace("p_id int", "p_id bigint") + ";")
    result = cli("apply", *_args(server, db, _schemafile(tmp_path, desired)), "--format", "json")
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    steps = [(a["table"], a["step"], a["status"]) for a in doc["applied"]]
    assert steps == [("c", "drop foreign keys", "applied"), ("p", "alter table", "failed"),
                     ("c", "alter table", "not run"), ("c", "restore foreign key", "applied")], steps
    assert doc["missing_constraints"] == []
    assert _fks(server, db) == ["fk_p"]


def test_a_foreign_key_that_cannot_be_restored_is_reported_loudly_and_the_next_run_adds_it(server, databases,
                                                                                          cli, tmp_path):
    """The parent widened, the child's ALTER failed: the old key no longer fits. The account says
    loudly which constraint is missing; the next run adds it."""
    db = databases.new(f"{PARENT};\n{CHILD};")
    _query(server, db, "INSERT INTO p VALUES (1, 'a')")
    _query(server, db, "INSERT INTO c VALUES (1, 1, 7), (2, 1, 7)")
    desired = (PARENT.replace("id int", "id bigint") + ";\n"
               + CHILD.replace("p_id int", "p_id bigint").replace("KEY ix_p", "UNIQUE KEY uq_x (x), KEY ix_p") + ";")
    args = _args(server, db, _schemafile(tmp_path, desired))
    result = cli("apply", *args)
    assert result.exit_code == 1, result.output
    assert "WARNING: constraint missing: foreign key fk_p on c" in result.stderr
    assert "1 constraint(s) MISSING" in result.stderr
    assert _fks(server, db) == []
    assert _audit(result.stderr)["missing_constraints"]
    _query(server, db, "UPDATE c SET x = id")  # the data is fixed
    again = cli("apply", *args)
    assert again.exit_code == 0, again.output
    assert _fks(server, db) == ["fk_p"]


# --------------------------------------------------------------------------
# What may block writes
# --------------------------------------------------------------------------

def test_a_copy_over_the_size_limit_is_refused_with_exit_3(server, databases, cli, tmp_path):
    db = databases.new(SMALL + ";")
    _query(server, db, "INSERT INTO small SELECT seq, seq, 'x' FROM seq_1_to_2000")
    schemafile = _schemafile(tmp_path, SMALL.replace("a int", "a bigint"))
    args = _args(server, db, schemafile)
    refused = cli("apply", *args, "--max-blocking-size", "1k")
    assert refused.exit_code == 3, refused.output
    assert "would wait for the whole copy" in refused.stdout and "larger than --max-blocking-size 1.0 KB" in refused.stdout
    assert "--allow-blocking=small" in refused.stdout
    assert cli("plan", *args, "--max-blocking-size", "1k").exit_code == 3
    assert cli("apply", *args, "--lock", "none").exit_code == 3  # no statement that blocks writes, whatever the size
    assert "bigint" not in show_create(server, db)["small"]
    allowed = cli("apply", *args, "--max-blocking-size", "1k", "--allow-blocking", "small")
    assert allowed.exit_code == 0, allowed.output
    assert "bigint" in show_create(server, db)["small"]


def test_a_copy_on_a_secret_table_is_refused_its_size_never_read(server, databases, cli, tmp_path):
    secret = SMALL.replace("small", "secret_people")
    db = databases.new(secret + ";")
    desired = secret.replace("a int", "a bigint")
    args = _args(server, db, _schemafile(tmp_path, desired))
    refused = cli("apply", *args, "--pt-osc-tables", "secret_.*", "--max-blocking-size", "100G")
    assert refused.exit_code == 3, refused.output
    assert "secret_people is a secret table whose size is never read" in refused.stdout
    assert "pt-online-schema-change is never used on a secret table" in refused.stdout
    plan = cli("plan", *args, "--allow-blocking", "secret_people")
    assert plan.exit_code == 2 and "copies the table, blocks writes; size withheld" in plan.stdout
    doc = json.loads(cli("plan", *args, "--allow-blocking", "secret_people", "--format", "json").stdout)
    assert doc["statements"][0]["online"]["table_size"] == "withheld"


def test_a_new_column_check_is_checked_against_the_rows(server, databases, cli, tmp_path):
    """Left to choose, MariaDB adds a column's CHECK instantly without checking the rows already
    there: ALGORITHM=COPY makes it check them."""
    db = databases.new(SMALL + ";")
    _query(server, db, "INSERT INTO small VALUES (1, -1, 'x')")
    result = cli("apply", *_args(server, db, _schemafile(tmp_path, SMALL.replace("a int NOT NULL",
                                                                                 "a int NOT NULL CHECK (a > 0)"))))
    assert result.exit_code == 1 and "(4025)" in result.stderr, result.output
    assert "CHECK" not in show_create(server, db)["small"]


def test_every_format_shows_the_cost_of_every_statement(server, databases, cli, tmp_path):
    db = databases.new(SMALL + ";\n" + SMALL.replace("small", "secret_small") + ";")
    desired = (_with(SMALL, ", c int, KEY ix_b (b)") + ";\n"
               + _with(SMALL.replace("small", "secret_small"), ", c int") + ";")
    args = _args(server, db, _schemafile(tmp_path, desired))
    text = cli("plan", *args).stdout
    assert "alter table: small — in place, rebuilds; ~0 rows" in text, text
    assert "alter table: secret_small — instant" in text
    sql = cli("plan", *args, "--format", "sql").stdout
    assert "-- in place, rebuilds; ~0 rows" in sql and "ALGORITHM=INPLACE, LOCK=NONE;" in sql and "-- instant" in sql
    markdown = cli("plan", *args, "--format", "markdown").stdout
    assert "-- in place, rebuilds" in markdown and "ALGORITHM=INSTANT;" in markdown
    doc = json.loads(cli("plan", *args, "--format", "json").stdout)
    online = {st["table"]: st["online"] for st in doc["statements"]}
    assert online["small"]["how"] == "inplace" and online["small"]["rebuilds"] is True
    assert online["small"]["table_size"]["rows"] == 0
    assert online["secret_small"]["how"] == "instant" and online["secret_small"]["table_size"] == "withheld"


# --------------------------------------------------------------------------
# pt-online-schema-change
# --------------------------------------------------------------------------

def test_pt_online_schema_change_runs_a_copy_while_the_writer_keeps_writing(server, databases, tmp_path):
    db = databases.new()
    build_big_table(server, db, rows=50_000, name="big")
    schemafile = _schemafile(tmp_path, BIG_TABLE.replace("a int", "a bigint"))
    args = _args(server, db, schemafile)
    with Writer(server, db, "big") as writer:
        time.sleep(0.3)
        started = time.monotonic()
        proc = start_apply(*args, "--pt-osc-tables", "big", "--max-blocking-size", "1k")
        out, err = proc.communicate(timeout=300)
        ended = time.monotonic()
        time.sleep(0.3)
    assert proc.returncode == 0, out + err
    assert "pt-online-schema-change: copies the table in chunks, writes continue" in out
    assert "Successfully altered" in out
    assert not writer.errors, writer.errors
    during = [s for t, s in writer.latencies if started <= t <= ended]
    assert len(during) > 10 and max(during) < 2.0, (len(during), max(during, default=None))
    assert "bigint" in show_create(server, db)["big"]
    count = _query(server, db, "SELECT COUNT(*) FROM big")[0][0]
    assert count == 50_000 + writer.count - len(writer.errors)  # every write kept


def test_killing_our_old_session_that_has_just_ended_is_no_error(server, databases):
    """After a lost connection the run loop kills its old session if the server still lists it. A
    session someone else killed is listed while it rolls back its ALTER and can be gone when our KILL
    comes ("Unknown thread id"): that is the outcome wanted, not a failure to check what took
    effect (seen under load: "could not check what took effect: (1094) Unknown thread id")."""
    from conftest import guarded
    from schema_apply.apply import _kill
    database = databases.new()
    with guarded(server, database) as conn, guarded(server, database) as other:
        victim = other.connection_id
        assert _kill(conn, victim) is True  # listed and killed
        deadline = time.monotonic() + 10
        while conn.query("SELECT ID FROM information_schema.PROCESSLIST WHERE ID = %s", (victim,)):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert _kill(conn, victim) is False  # ended by now: no error
        assert conn.query("SELECT 1") == [(1,)]  # the session that sent both KILLs goes on
