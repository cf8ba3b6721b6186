"""The guarded connection: the one way schema-apply talks to the server.

Every statement passes ``GuardedConnection._send``: it is interpolated,
checked by ``guard.check`` (refused before sending if it could read secret
rows, or any rows at all), counted, optionally logged, executed, and a
server error comes back as ``ServerError`` with the values the server quoted
from data redacted. Nothing else in the package imports PyMySQL's cursor.
"""

from __future__ import annotations

import re
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

import pymysql
import pymysql.err

from . import guard
from .dsn import ConnectionTarget
from .errors import ConnectionError_, LockTimeout, ServerError
from .redact import redact_server_message
from .sqltext import quote_string

# server error codes worth their own message
ER_ACCESS_DENIED = 1045
ER_DBACCESS_DENIED = 1044
ER_BAD_DB = 1049
ER_LOCK_WAIT_TIMEOUT = 1205
CR_CONNECTION_ERROR = 2002
CR_CONN_HOST_ERROR = 2003
CR_UNKNOWN_HOST = 2005
CR_SERVER_GONE = 2006
CR_SERVER_LOST = 2013
ER_QUERY_INTERRUPTED = 1317
ER_CONNECTION_KILLED = 1927  # MariaDB: "Connection was killed"
LOST_CONNECTION = frozenset({CR_SERVER_GONE, CR_SERVER_LOST, 2055, ER_CONNECTION_KILLED})

# Every socket operation is bounded: a server that accepts TCP and then says nothing, or a network
# gone silent, ends in an error, never a hang. A statement that legitimately runs long (an ALTER)
# gets a longer read timeout from ``statement_timeout``; while it runs, the apply's watchdog checks
# over a second connection that the server is still working on it.
READ_TIMEOUT = 30.0
WRITE_TIMEOUT = 30.0
# The server side of our sessions: an orphaned session (its client gone silent) is closed by the
# server after this many idle seconds, releasing the apply lock; the server also gives up on a
# client that stops reading or writing mid-packet (net_read/net_write_timeout).
SESSION_IDLE_TIMEOUT = 120
SESSION_NET_TIMEOUT = 30


@dataclass
class Sent:
    sql: str
    seconds: float
    info: guard.StatementInfo | None = None


class GuardedConnection:
    """A PyMySQL connection that only sends what the guard allows."""

    def __init__(self, raw: pymysql.connections.Connection, *, database: str,
                 secret_prefixes: tuple[str, ...] = ("secret_",), lower_case_table_names: int = 0,
                 on_statement: Callable[[Sent], None] | None = None):
        self._raw = raw
        self.database = database
        self.secret_prefixes = secret_prefixes
        self.lower_case_table_names = lower_case_table_names
        self.on_statement = on_statement
        self.sent: list[Sent] = []
        self.connection_id: int | None = None  # the server's id of this session (CONNECTION_ID())

    # -- opening ------------------------------------------------------------

    @classmethod
    def open(cls, target: ConnectionTarget, *, secret_prefixes: tuple[str, ...] = ("secret_",),
             connect_timeout: float = 10.0, on_statement: Callable[[Sent], None] | None = None,
             use_database: bool = True, read_timeout: float = READ_TIMEOUT) -> "GuardedConnection":
        ssl = {"ca": target.ssl_ca} if target.ssl_ca else None
        try:
            raw = pymysql.connect(
                host=target.host, port=target.port, user=target.user, password=target.password,
                database=target.database if use_database else None, unix_socket=target.unix_socket,
                charset="utf8mb4", autocommit=True, connect_timeout=connect_timeout, ssl=ssl,
                ssl_verify_cert=True if ssl else None, ssl_verify_identity=bool(ssl), local_infile=False,
                read_timeout=read_timeout, write_timeout=WRITE_TIMEOUT)
        except pymysql.err.MySQLError as exc:
            raise _connect_error(exc, target, read_timeout) from None
        except (OSError, ValueError) as exc:
            raise ConnectionError_(f"cannot connect to {target}: {type(exc).__name__}") from None
        conn = cls(raw, database=target.database, secret_prefixes=secret_prefixes, on_statement=on_statement)
        conn._setup_session()
        conn._session_limits()
        return conn

    def _setup_session(self) -> None:
        """Quote rules our rendered SQL relies on: backslash escapes on, no ANSI_QUOTES; strict mode,
        so that a value that does not fit a changed column fails the ALTER instead of being silently
        cut or zeroed on a server configured without it; and server messages in English, the
        language whose exact formats the redaction knows (in another, a value from a row can stand
        bare, e.g. German 1526 "Tabelle hat für den Wert 42 keine Partition")."""
        mode, messages = self.query("SELECT @@SESSION.sql_mode, @@SESSION.lc_messages")[0]
        given = [p for p in (mode or "").split(",") if p]
        parts = [p for p in given if p not in ("ANSI_QUOTES", "NO_BACKSLASH_ESCAPES", "ANSI")]
        if "STRICT_TRANS_TABLES" not in parts and "STRICT_ALL_TABLES" not in parts:
            parts.append("STRICT_ALL_TABLES")
        if parts != given:
            self.execute("SET SESSION sql_mode = " + quote_string(",".join(parts)))
        if (messages or "").lower() != "en_us":
            try:
                self.execute("SET SESSION lc_messages = 'en_US'")
            except ServerError:
                pass  # the redaction's fallbacks still apply
        row = self.query("SELECT @@lower_case_table_names")[0]
        self.lower_case_table_names = int(row[0] or 0)

    def _session_limits(self) -> None:
        """The server side gives up on us too: see SESSION_IDLE_TIMEOUT."""
        self.execute(f"SET SESSION wait_timeout = {SESSION_IDLE_TIMEOUT}, net_read_timeout = {SESSION_NET_TIMEOUT},"
                     f" net_write_timeout = {SESSION_NET_TIMEOUT}")
        self.connection_id = int(self.query("SELECT CONNECTION_ID()")[0][0])

    @contextmanager
    def statement_timeout(self, seconds: float | None) -> Iterator[None]:
        """Wait up to ``seconds`` (None: no limit) for the answer to the statements sent inside."""
        before = self._raw._read_timeout  # PyMySQL applies it to the socket before each read
        self._raw._read_timeout = seconds
        try:
            yield
        finally:
            self._raw._read_timeout = before

    def abort(self) -> None:
        """From another thread: cut the connection, so that a statement waiting for its answer
        fails at once (the server is told nothing: kill the statement from a second connection)."""
        sock = getattr(self._raw, "_sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def kill_query(self, connection_id: int) -> None:
        """Stop the statement that connection ``connection_id`` (one of ours) is running."""
        self.execute(f"KILL QUERY {int(connection_id)}")

    def ping(self) -> None:
        """Keep the session from idling out (wait_timeout) while we wait for something else."""
        try:
            self._raw.ping(reconnect=False)
        except pymysql.err.MySQLError as exc:
            raise server_error(exc) from None

    def close(self) -> None:
        try:
            self._raw.close()
        except Exception:
            pass

    def __enter__(self) -> "GuardedConnection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- sending --------------------------------------------------------------

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self._send(sql, params, fetch=True)

    def execute(self, sql: str, params: tuple = ()) -> None:
        self._send(sql, params, fetch=False)

    @property
    def statements_sent(self) -> int:
        return len(self.sent)

    def _send(self, sql: str, params: tuple, *, fetch: bool) -> list[tuple]:
        text = self._raw.cursor().mogrify(sql, params) if params else sql
        info = guard.check(text, secret_prefixes=self.secret_prefixes, database=self.database,
                           lower_case_table_names=self.lower_case_table_names)
        started = time.monotonic()
        try:
            with self._raw.cursor() as cursor:
                cursor.execute(text)
                rows = list(cursor.fetchall()) if fetch else []
        except pymysql.err.MySQLError as exc:
            raise server_error(exc, secret=bool(info.secret_tables)) from None
        finally:
            record = Sent(text, time.monotonic() - started, info)
            self.sent.append(record)
            if self.on_statement is not None:
                self.on_statement(record)
        return rows


def error_code(exc: BaseException) -> int | None:
    args = getattr(exc, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


_ROW_NUMBER = re.compile(r"\b(at row) \d+")


def server_error(exc: pymysql.err.MySQLError, *, secret: bool = False) -> ServerError:
    """A PyMySQL error as ServerError, its message redacted of any value quoted from rows; for a
    statement on a secret table the row number is redacted too (it bounds the table's size)."""
    code = error_code(exc)
    message = str(exc.args[1]) if len(exc.args) > 1 else type(exc).__name__
    text = redact_server_message(code, message)
    if secret:
        text = _ROW_NUMBER.sub(r"\1 <redacted>", text)
    if code == ER_LOCK_WAIT_TIMEOUT or code == 1206:
        return ServerError(f"({code}) {text}", code=code,
                           hint="another session holds a lock on the table (a long transaction?);"
                                " retry when it is done — nothing after this statement ran")
    if code in (CR_SERVER_GONE, CR_SERVER_LOST):
        return ServerError(f"({code}) lost the connection to the server: {text}", code=code)
    return ServerError(f"({code}) {text}" if code else text, code=code)


def _connect_error(exc: pymysql.err.MySQLError, target: ConnectionTarget, read_timeout: float | None = None
                   ) -> ConnectionError_:
    code = error_code(exc)
    if code in (CR_SERVER_LOST, CR_SERVER_GONE) and "timed out" in str(exc):
        return ConnectionError_(f"{target.host}:{target.port} accepted the connection but did not answer within"
                                f" {round(read_timeout or READ_TIMEOUT, 1):g}s",
                                hint="is it a MySQL server, and is it (or the network to it) alive?")
    if code in (ER_ACCESS_DENIED, ER_DBACCESS_DENIED):
        return ConnectionError_(f"access denied for {target.user} at {target.host}:{target.port}"
                                f" (server error {code})",
                                hint="check the credentials (credstash key / --database-url) and the user's grants")
    if code == ER_BAD_DB:
        return ConnectionError_(f"database {target.database} does not exist on {target.host}:{target.port}",
                                hint="create it first: schema-apply manages the tables of an existing database")
    if code in (CR_CONNECTION_ERROR, CR_CONN_HOST_ERROR, CR_UNKNOWN_HOST):
        return ConnectionError_(f"cannot connect to {target.host}:{target.port} (error {code})",
                                hint="is the server running and reachable from here?")
    message = redact_server_message(code, str(exc.args[1]) if len(exc.args) > 1 else type(exc).__name__)
    return ConnectionError_(f"cannot connect to {target}: ({code}) {message}")


LOCK_NAME_LIMIT = 64


def lock_name(database: str) -> str:
    """``schema-apply/<database>``, cut to MySQL's 64-character limit for named locks."""
    return ("schema-apply/" + database)[:LOCK_NAME_LIMIT]


class ApplyLock:
    """The named lock ``schema-apply/<database>`` held for a whole apply."""

    def __init__(self, conn: GuardedConnection, database: str, timeout: float):
        self.conn = conn
        self.name = lock_name(database)
        self.timeout = timeout
        self.held = False

    def __enter__(self) -> "ApplyLock":
        got = self.conn.query("SELECT GET_LOCK(%s, %s)", (self.name, int(self.timeout) if self.timeout == int(self.timeout) else self.timeout))[0][0]
        if got != 1:
            holder = self.conn.query("SELECT IS_USED_LOCK(%s)", (self.name,))[0][0]
            raise LockTimeout(f"another schema-apply run holds the lock {self.name}"
                              + (f" (connection {holder})" if holder else "")
                              + f"; waited {self.timeout:g}s, changed nothing",
                              hint="wait for the other run to finish, or raise --lock-timeout")
        self.held = True
        return self

    def __exit__(self, *exc) -> None:
        if self.held:
            try:
                self.conn.query("SELECT RELEASE_LOCK(%s)", (self.name,))
            except Exception:
                pass  # the session ends anyway, and the lock with it
            self.held = False
