"""Shared fixtures: the real MariaDB/MySQL server (never a mock), scratch databases, the CLI.

A test that needs the server fails — it does not skip — when the server is
not reachable: CI must not go green on a machine where nothing was tested.
Server: MYSQL_HOST / MYSQL_PORT / MYSQL_USER / MYSQL_PASSWORD (default
127.0.0.1:3306, root, empty password).
"""

from __future__ import annotations

import os
import secrets
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pymysql
import pytest
from click.testing import CliRunner

from schema_apply.parse.lexer import split_statements

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "tests" / "cases"
PEER_CASES = ROOT.parent / "shared" / "peer-cases" / "sqldef-mysql"


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str
    password: str
    version: str

    @property
    def is_mariadb(self) -> bool:
        return "mariadb" in self.version.lower()

    def connect(self, database: str | None = None, **kw) -> pymysql.connections.Connection:
        return pymysql.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                               database=database, charset="utf8mb4", autocommit=True, **kw)

    def url(self, database: str, user: str | None = None, password: str | None = None) -> str:
        user = self.user if user is None else user
        password = self.password if password is None else password
        auth = urllib.parse.quote(user, safe="")
        if password:
            auth += ":" + urllib.parse.quote(password, safe="")
        return f"mysql://{auth}@{self.host}:{self.port}/{database}"


def _server_from_env() -> Server:
    host = os.environ.get("MYSQL_HOST", "127.0.0.1")
    port = int(os.environ.get("MYSQL_PORT", "3306"))
    user = os.environ.get("MYSQL_USER", "root")
    password = os.environ.get("MYSQL_PASSWORD", "")
    try:
        conn = pymysql.connect(host=host, port=port, user=user, password=password, connect_timeout=5)
    except pymysql.err.MySQLError as exc:
        pytest.fail(f"the MySQL/MariaDB server at {host}:{port} is not reachable ({exc}); "
                    "start it (see README: .ci/run does) — server tests fail rather than skip", pytrace=False)
    with conn.cursor() as cur:
        cur.execute("SELECT VERSION()")
        version = cur.fetchone()[0]
    conn.close()
    return Server(host, port, user, password, version)


@pytest.fixture(scope="session")
def server() -> Server:
    return _server_from_env()


def statements(sql: str) -> list[str]:
    """The statements of a script, as the mysql client would send them to the server (versioned
    comments kept, DELIMITER lines and delimiters gone)."""
    return [stmt.client_text() for stmt in split_statements(sql, "<test>")]


def load_sql(server: Server, database: str, sql: str) -> None:
    """Run a script in ``database`` (FK checks off; statements that fail because of
    order are retried while progress is made)."""
    raw = statements(sql)
    conn = server.connect(database)
    try:
        with conn.cursor() as cur:
            cur.execute("SET SESSION foreign_key_checks = 0")
            pending = list(raw)
            while pending:
                failed, errors = [], []
                for stmt in pending:
                    try:
                        cur.execute(stmt)
                    except pymysql.err.MySQLError as exc:
                        failed.append(stmt)
                        errors.append(exc)
                if len(failed) == len(pending):
                    raise errors[0]
                pending = failed
    finally:
        conn.close()


class Databases:
    """Creates scratch databases and drops them at the end of the test."""

    def __init__(self, server: Server):
        self.server = server
        self.created: list[str] = []

    def new(self, sql: str | None = None, *, prefix: str = "sa_test") -> str:
        name = f"{prefix}_{secrets.token_hex(4)}"
        conn = self.server.connect()
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}`")
        conn.close()
        self.created.append(name)
        if sql:
            load_sql(self.server, name, sql)
        return name

    def drop_all(self) -> None:
        conn = self.server.connect()
        with conn.cursor() as cur:
            for name in self.created:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


@pytest.fixture(scope="module")
def general_log(server: Server):
    """The server's general query log, on for the module (see secret_helpers.GeneralLog)."""
    from secret_helpers import GeneralLog
    with GeneralLog(server) as log:
        yield log


@pytest.fixture
def canary():
    """This test's marker values, to plant in secret rows and look for in every output."""
    from secret_helpers import Canary
    return Canary.new()


@pytest.fixture
def databases(server: Server):
    dbs = Databases(server)
    yield dbs
    dbs.drop_all()


@pytest.fixture
def database(databases: Databases) -> str:
    return databases.new()


def guarded(server: Server, database: str, **kw):
    """schema-apply's own guarded connection to ``database``."""
    from schema_apply.connection import GuardedConnection
    from schema_apply.dsn import parse_url
    return GuardedConnection.open(parse_url(server.url(database)), **kw)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run ``schema-apply ARGS`` in-process (click's runner), stdout and stderr apart."""
    from schema_apply.cli import main
    runner = CliRunner()
    result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def setup(server, databases, tmp_path):
    """A scratch database holding ``current`` and a Schemafile holding ``desired``: (database, file,
    the CLI arguments naming both)."""
    def make(current: str, desired: str):
        db = databases.new(current)
        f = tmp_path / "Schemafile.sql"
        f.write_text(desired, encoding="utf-8")
        return db, f, ["--schema-file", str(f), "--database-url", server.url(db)]
    return make


@pytest.fixture
def cli():
    return run_cli


def show_create(server: Server, database: str) -> dict[str, str]:
    """SHOW CREATE TABLE of every table (AUTO_INCREMENT counters removed)."""
    import re
    out = {}
    conn = server.connect(database)
    with conn.cursor() as cur:
        cur.execute("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA=%s AND TABLE_TYPE='BASE TABLE'",
                    (database,))
        for (name,) in cur.fetchall():
            cur.execute(f"SHOW CREATE TABLE `{database}`.`{name}`")
            out[name] = re.sub(r" AUTO_INCREMENT=\d+", "", cur.fetchone()[1])
    conn.close()
    return out
