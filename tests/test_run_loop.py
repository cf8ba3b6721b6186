"""The pieces of the live-traffic run loop on their own: what the guard lets the run loop read and
send, who blocks a DDL, the pt-online-schema-change command line, the stop signal, the account,
and the audit line (caller identity from STS, in moto)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import time
from datetime import datetime, timedelta

import pytest

from schema_apply import wrapper
from schema_apply.blockers import BlockerFinder
from schema_apply.dsn import ConnectionTarget
from schema_apply.errors import SecretAccessRefused, ServerError
from schema_apply.firewall import statements as guard
from schema_apply.firewall.secrecy import SecrecyPolicy

POLICY = SecrecyPolicy(("secret_",))


# --------------------------------------------------------------------------
# the guard: session metadata by column, KILL of a connection id
# --------------------------------------------------------------------------

@pytest.mark.parametrize("sql", [
    "KILL QUERY 12", "KILL 12", "KILL CONNECTION 12",
    "SELECT ID FROM information_schema.PROCESSLIST WHERE ID = 12",
    "SELECT t.TRX_MYSQL_THREAD_ID, p.USER, p.HOST, t.TRX_STARTED, NOW() FROM information_schema.INNODB_TRX t"
    " JOIN information_schema.PROCESSLIST p ON p.ID = t.TRX_MYSQL_THREAD_ID",
    "SELECT m.THREAD_ID, p.USER, p.HOST, p.TIME FROM information_schema.METADATA_LOCK_INFO m"
    " JOIN information_schema.PROCESSLIST p ON p.ID = m.THREAD_ID WHERE m.TABLE_SCHEMA = 'a' AND m.TABLE_NAME = 'b'",
])
def test_the_run_loop_reads_sessions_and_kills_its_own(sql):
    assert guard.check(sql, POLICY).kind in (guard.METADATA_READ, guard.SESSION)


@pytest.mark.parametrize("sql", [
    "SELECT INFO FROM information_schema.PROCESSLIST",  # other sessions' statements, with their values
    "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE '%secret%'",
    "SELECT * FROM information_schema.PROCESSLIST",
    "SELECT COUNT(*) FROM information_schema.PROCESSLIST",
    "SELECT trx_query FROM information_schema.INNODB_TRX",
    "SELECT p.INFO_BINARY FROM information_schema.PROCESSLIST p",
    "KILL QUERY ID 5", "KILL USER root", "KILL 5; SELECT 1", "KILL (SELECT 1)",
])
def test_statement_texts_of_other_sessions_are_never_read(sql):
    with pytest.raises(SecretAccessRefused):
        guard.check(sql, POLICY)


# --------------------------------------------------------------------------
# who blocks
# --------------------------------------------------------------------------

class Rows:
    """Answers the finder's queries as a server would (MySQL or MariaDB rows)."""

    def __init__(self, plugin: str | None, trx=(), locks=(), error: int | None = None):
        self.plugin, self.trx, self.locks, self.error = plugin, trx, locks, error
        self.sent: list[str] = []

    def query(self, sql, params=()):
        self.sent.append(sql)
        if "PLUGINS" in sql:
            return [(self.plugin,)] if self.plugin else []
        if self.error:
            raise ServerError("denied", code=self.error)
        return list(self.locks if "METADATA_LOCK_INFO" in sql else self.trx)


def test_long_transactions_are_the_likely_blockers():
    now = datetime(2026, 1, 1, 12, 0, 0)
    conn = Rows(None, trx=[(7, "app", "10.0.0.5:53422", now - timedelta(seconds=42), now),
                           (8, "app", "10.0.0.6:1", now - timedelta(seconds=1), now),
                           (99, "schema_apply", "10.0.0.9:2", now - timedelta(seconds=300), now)])
    found = BlockerFinder(conn, "app", own_ids=(99,)).look("orders", 3)
    assert [b.connection_id for b in found.blockers] == [7] and not found.exact
    assert found.describe() == "connection 7 (user app, from 10.0.0.5:53422) has a transaction open for 42s"
    assert not any("INFO" in sql.upper().split("FROM")[0] for sql in conn.sent)


def test_metadata_lock_info_names_exactly_who_holds_the_table():
    conn = Rows("ACTIVE", locks=[(7, "app", "h:1", 42), (7, "app", "h:1", 42), (99, "me", "h:2", 1)])
    found = BlockerFinder(conn, "app", own_ids=(99,)).look("orders", 3)
    assert found.exact and [b.describe() for b in found.blockers] == ["connection 7 (user app, from h:1) holds a lock on the table for 42s"]


def test_without_the_process_privilege_the_report_says_so():
    found = BlockerFinder(Rows(None, error=1227), "app").look("orders", 3)
    assert not found.blockers and "PROCESS privilege" in found.describe()


# --------------------------------------------------------------------------
# pt-online-schema-change
# --------------------------------------------------------------------------

def test_the_wrapper_gets_the_clauses_and_never_the_password_on_its_command_line(tmp_path, monkeypatch):
    target = ConnectionTarget(host="db.internal", port=3306, user="osc", password="s3cr3t-pw", database="app")
    defaults = wrapper._defaults_file(target)
    try:
        assert stat.S_IMODE(os.stat(defaults).st_mode) == 0o600
        assert 's3cr3t-pw' in open(defaults).read()
        monkeypatch.setenv("SCHEMA_APPLY_PT_OSC_ARGS", "--max-load Threads_running=50")
        argv = wrapper.command("/usr/bin/pt-online-schema-change", target, "orders",
                               wrapper.alter_clauses("ALTER TABLE `orders`\n  MODIFY COLUMN `a` bigint,\n  ADD INDEX `i` (`b`)",
                                                     "orders"), defaults, 3)
    finally:
        os.unlink(defaults)
    assert "s3cr3t-pw" not in " ".join(argv)
    assert argv[1:3] == ["--alter", "MODIFY COLUMN `a` bigint, ADD INDEX `i` (`b`)"]
    assert "--set-vars=lock_wait_timeout=3" in argv and "--max-load" in argv
    assert argv[-1] == f"F={defaults},h=db.internal,P=3306,u=osc,D=app,t=orders"


def test_the_wrapper_refuses_a_secret_table_itself():
    target = ConnectionTarget(host="h", port=3306, user="u", password="p", database="app")
    with pytest.raises(wrapper.WrapperError, match="secret table secret_people"):
        wrapper.run(target, "secret_people", "ALTER TABLE `secret_people` MODIFY COLUMN `a` bigint",
                    secret=lambda t: t.startswith("secret_"), lock_wait=3, should_stop=lambda: None,
                    keepalive=lambda: None, log=print)


# --------------------------------------------------------------------------
# the stop signal
# --------------------------------------------------------------------------

def test_a_signal_before_the_statements_ends_at_once_and_during_them_only_asks():
    from schema_apply.errors import Stopped
    from schema_apply.stop import StopSignal
    stop = StopSignal()
    with stop.installed():
        with pytest.raises(Stopped, match="before any statement ran"):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler raises as soon as it runs
    stop = StopSignal()
    with stop.installed(), stop.deferred():
        os.kill(os.getpid(), signal.SIGINT)
        assert stop.requested and stop.name == "SIGINT" and not stop.hurry.is_set()
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.hurry.is_set()  # a second signal: no more grace
    assert signal.getsignal(signal.SIGTERM) is not stop._handler  # put back


# --------------------------------------------------------------------------
# the audit line
# --------------------------------------------------------------------------

@pytest.mark.server
@pytest.mark.aws
def test_the_audit_line_names_the_caller_the_schemafile_and_every_statement(server, databases, cli, tmp_path,
                                                                            monkeypatch):
    from moto import mock_aws

    from aws_helpers import clean_aws_env
    clean_aws_env(monkeypatch)
    db = databases.new("CREATE TABLE t (id int PRIMARY KEY);\nCREATE TABLE secret_t (id int PRIMARY KEY);")
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text("CREATE TABLE t (id int PRIMARY KEY, a int);\n"
                          "CREATE TABLE secret_t (id int PRIMARY KEY, a int);\n")
    with mock_aws():
        result = cli("apply", "--schema-file", str(schemafile), "--database-url", server.url(db), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # stdout: the report alone
    assert report["exit_code"] == 0
    audit = json.loads(result.stderr.strip().splitlines()[-1])  # stderr: the audit line, last
    assert audit["audit"] == "schema-apply" and audit["outcome"] == "done" and audit["exit_code"] == 0
    assert audit["caller"]["account"] == "123456789012" and audit["caller"]["arn"].startswith("arn:aws:")
    assert audit["schema_sha256"] == hashlib.sha256(schemafile.read_bytes()).hexdigest()
    assert audit["started"] <= audit["ended"] and audit["database"] == db
    by_table = {s["table"]: s for s in audit["statements"]}
    assert by_table["t"]["outcome"] == "applied" and isinstance(by_table["t"]["seconds"], float)
    assert by_table["secret_t"]["outcome"] == "applied" and by_table["secret_t"]["seconds"] is None
    assert by_table["t"]["changes"] == ["add column t.a"]


@pytest.mark.server
def test_without_aws_the_audit_line_has_no_caller_and_a_refused_apply_is_audited(server, databases, cli, tmp_path,
                                                                               monkeypatch):
    from aws_helpers import clean_aws_env
    clean_aws_env(monkeypatch, credentials=False)
    db = databases.new("CREATE TABLE t (id int PRIMARY KEY, a int);")
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text("CREATE TABLE t (id int PRIMARY KEY);\n")
    result = cli("apply", "--schema-file", str(schemafile), "--database-url", server.url(db))
    assert result.exit_code == 3
    audit = json.loads(result.stderr.strip().splitlines()[-1])
    assert audit["caller"] is None and audit["outcome"] == "refused" and audit["exit_code"] == 3
    assert audit["statements"] == []
