"""The guarded connection: the one way schema-apply talks to the server.

Every statement passes ``GuardedConnection._send``: it is interpolated,
checked by the statement guard (``firewall.statements.check``, refused before
sending if it could read secret rows, or any rows at all) under the
connection's secrecy policy, counted, optionally logged, executed, and a
server error comes back as ``ServerError`` with the values the server quoted
from data redacted. Nothing else in the package imports PyMySQL's cursor.

The connection opens with an unsettled policy (the secret prefixes only: no
DDL passes); ``settle(flavor)`` makes it the run's one policy once the
server's settings are known.
"""

from __future__ import annotations

import re
import socket
import ssl
import time
from contextlib import contextmanager
from typing import Callable, Iterator

import pymysql
import pymysql.err
from pymysql.constants import CLIENT

from .dsn import VERIFYING_MODES, ConnectionTarget
from .errors import ConnectionError_, LockTimeout, ServerError
from .firewall import statements
from .firewall.redaction import redact_server_message
from .firewall.secrecy import DEFAULT_PREFIXES, SecrecyPolicy
from .sql.quoting import quote_string
from .values import frozen, mutable

# server error codes worth their own message
ER_ACCESS_DENIED = 1045
ER_DBACCESS_DENIED = 1044
ER_BAD_DB = 1049
ER_LOCK_WAIT_TIMEOUT = 1205
ER_NO_SUCH_THREAD = 1094  # KILL of a session that has ended
CR_CONNECTION_ERROR = 2002
CR_CONN_HOST_ERROR = 2003
CR_UNKNOWN_HOST = 2005
CR_SERVER_GONE = 2006
CR_SERVER_LOST = 2013
CR_SSL_CONNECTION_ERROR = 2026
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


@mutable
class Sent:
    sql: str
    seconds: float
    info: statements.StatementInfo | None = None


@frozen
class TLS:
    """``--ssl-mode`` (``dsn.SSL_MODES``) and the CA bundle the verifying modes check the server against."""

    mode: str = "preferred"
    ca: str | None = None

    def context(self):
        """The SSL context for a connection that does use TLS (never built for one that does not:
        loading a trust store costs more than the rest of connecting)."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.mode in VERIFYING_MODES:
            ctx.load_verify_locations(cafile=self.ca)
            ctx.check_hostname = self.mode == "verify-identity"
            ctx.verify_mode = ssl.CERT_REQUIRED
        else:  # preferred / required: encrypted, not verified (as MySQL clients do)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx


class RawConnection(pymysql.connections.Connection):
    """PyMySQL's connection with MySQL clients' ``--ssl-mode``: TLS is negotiated when the server offers
    it (``preferred``) or the connection fails before any credential is sent (``required`` and the
    verifying modes); the SSL context is built only then."""

    def __init__(self, *args, tls: TLS, **kwargs):
        self._tls = tls
        super().__init__(*args, ssl_disabled=True, **kwargs)  # no eager (and costly) default context

    def _request_authentication(self) -> None:  # called once the server's greeting is read
        mode = self._tls.mode
        if mode != "disabled":
            if self.server_capabilities & CLIENT.SSL:
                self.ssl, self._ssl_required, self.ctx = True, mode != "preferred", self._tls.context()
            elif mode != "preferred":
                raise pymysql.err.OperationalError(CR_SSL_CONNECTION_ERROR, f"the server does not offer TLS, and"
                                                   f" --ssl-mode {mode} requires it; no credential was sent")
        super()._request_authentication()


class GuardedConnection:
    """A PyMySQL connection that only sends what the guard allows."""

    def __init__(self, raw: pymysql.connections.Connection, *, database: str,
                 policy: SecrecyPolicy | None = None, on_statement: Callable[[Sent], None] | None = None):
        self._raw = raw
        self.database = database
        self.policy = policy or SecrecyPolicy.unsettled()
        self.on_statement = on_statement
        self.sent: list[Sent] = []
        self.last_warning_count = 0
        self.connection_id: int | None = None  # the server's id of this session (CONNECTION_ID())

    def settle(self, flavor) -> SecrecyPolicy:
        """Make the run's one secrecy policy from the server's settings (``flavor``, as
        ``detect_flavor`` read them) and this connection's secret prefixes; return it."""
        self.policy = SecrecyPolicy.for_server(self.policy.prefixes, flavor)
        return self.policy

    # -- opening ------------------------------------------------------------

    @classmethod
    def open(cls, target: ConnectionTarget, *, secret_prefixes: tuple[str, ...] = DEFAULT_PREFIXES,
             connect_timeout: float = 10.0, on_statement: Callable[[Sent], None] | None = None,
             use_database: bool = True, read_timeout: float = READ_TIMEOUT) -> "GuardedConnection":
        try:
            raw = RawConnection(
                host=target.host, port=target.port, user=target.user, password=target.password,
                database=target.database if use_database else None, unix_socket=target.unix_socket,
                charset="utf8mb4", autocommit=True, connect_timeout=connect_timeout, local_infile=False,
                read_timeout=read_timeout, write_timeout=WRITE_TIMEOUT,
                tls=TLS(target.tls, target.ssl_ca))
        except pymysql.err.MySQLError as exc:
            raise _connect_error(exc, target, read_timeout) from None
        except (OSError, ValueError) as exc:
            raise ConnectionError_(f"cannot connect to {target}: {type(exc).__name__}") from None
        conn = cls(raw, database=target.database, policy=SecrecyPolicy.unsettled(secret_prefixes),
                   on_statement=on_statement)
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
        info = statements.check(text, self.policy, self.database)
        try:
            return self._send_once(text, info, fetch)
        except pymysql.err.MySQLError as exc:
            if not (info.kind == statements.METADATA_READ and error_code(exc) in TRANSIENT_READ_ERRORS):
                raise server_error(exc, secret=bool(info.secret_tables)) from None
        try:
            return self._send_once(text, info, fetch)  # a read changes nothing: sent once more
        except pymysql.err.MySQLError as exc:
            raise server_error(exc, secret=bool(info.secret_tables)) from None

    def _send_once(self, text: str, info: statements.StatementInfo, fetch: bool) -> list[tuple]:
        """One send of a statement the guard passed, on record (``sent``, ``on_statement``) however it ends."""
        started = time.monotonic()
        try:
            with self._raw.cursor() as cursor:
                cursor.execute(text)
                rows = list(cursor.fetchall()) if fetch else []
                self.last_warning_count = cursor.warning_count
            return rows
        finally:
            record = Sent(text, time.monotonic() - started, info)
            self.sent.append(record)
            if self.on_statement is not None:
                self.on_statement(record)

    def warnings(self) -> tuple[str, ...]:
        """The warnings and notes the server gave about the last statement (``SHOW WARNINGS``, asked
        only when it reported some), redacted like its errors: "Note 1071: Specified key was too long…".
        After DDL each one is a change the server made silently that the model did not predict."""
        if not self.last_warning_count:
            return ()
        secret = bool(self.sent and self.sent[-1].info is not None and self.sent[-1].info.secret_tables)
        rows = self.query("SHOW WARNINGS")
        return tuple(f"{level} {code}: {redacted_message(int(code), str(message), secret=secret)}"
                     for level, code, message in rows)


# Errors of the server's own housekeeping, not of the statement: MariaDB sometimes fails to delete the
# temporary file behind an information_schema read ("Error on delete of '…#sql…MAI' (Errcode: 2)",
# seen about once in 4,000 test runs of the bulk COLUMNS read). A metadata read so failed is sent once more.
TRANSIENT_READ_ERRORS = frozenset({6})


def error_code(exc: BaseException) -> int | None:
    args = getattr(exc, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


_ROW_NUMBER = re.compile(r"\b(at row) \d+")


def redacted_message(code: int | None, message: str, *, secret: bool = False) -> str:
    """A server message with any value quoted from rows redacted; for a statement on a secret
    table the row number too (it bounds the table's size)."""
    text = redact_server_message(code, message)
    return _ROW_NUMBER.sub(r"\1 <redacted>", text) if secret else text


def server_error(exc: pymysql.err.MySQLError, *, secret: bool = False) -> ServerError:
    """A PyMySQL error as ServerError, its message redacted (``redacted_message``)."""
    code = error_code(exc)
    message = str(exc.args[1]) if len(exc.args) > 1 else type(exc).__name__
    text = redacted_message(code, message, secret=secret)
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
    tls_failure = _tls_failure(exc)
    if tls_failure is not None or code == CR_SSL_CONNECTION_ERROR:
        why = tls_failure or (str(exc.args[1]) if len(exc.args) > 1 else "TLS failed")
        hint = ("the server must be configured for TLS, or the mode lowered to preferred (SCHEMA_APPLY_SSL_MODE)"
                if tls_failure is None else
                "verify-ca needs the CA bundle that signed the server's certificate (--ssl-ca, SCHEMA_APPLY_SSL_CA);"
                " verify-identity also a certificate that names the host connected to")
        return ConnectionError_(f"cannot connect to {target.host}:{target.port} over TLS (--ssl-mode {target.tls}):"
                                f" {why}", hint=hint)
    if code in (CR_CONNECTION_ERROR, CR_CONN_HOST_ERROR, CR_UNKNOWN_HOST):
        return ConnectionError_(f"cannot connect to {target.host}:{target.port} (error {code})",
                                hint="is the server running and reachable from here?")
    message = redact_server_message(code, str(exc.args[1]) if len(exc.args) > 1 else type(exc).__name__)
    return ConnectionError_(f"cannot connect to {target}: ({code}) {message}")


def _tls_failure(exc: BaseException) -> str | None:
    """The TLS reason a connection failed (certificate not verified, host name mismatch…), or None."""
    original = getattr(exc, "original_exception", None)
    if isinstance(original, ssl.SSLError):
        return getattr(original, "verify_message", None) or getattr(original, "reason", None) or type(original).__name__
    return None


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

    def take_if_free(self) -> bool:
        """Take the lock if no other session holds it, without waiting (``with`` then keeps it)."""
        self.held = self.held or self.conn.query("SELECT GET_LOCK(%s, %s)", (self.name, 0))[0][0] == 1
        return self.held

    def __enter__(self) -> "ApplyLock":
        if self.held:  # (take_if_free took it)
            return self
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
