"""Helpers for the proofs of the secret-table promise against the real server.

* :class:`Canary` — per-run marker values planted in secret rows, and every form in which they
  could leak (the marker, its case-folded form, a prefix the server may quote, its hex encoding,
  the numbers); :meth:`Canary.leaks` finds them in a text.
* :func:`plant_rows` — rows written through a raw PyMySQL connection, never through schema-apply.
* :func:`mysql_user` — a dedicated MySQL user with a password, created for one test and dropped
  after: the tool connects as it, so its password can be looked for in every output, and its
  connections are recognisable in the general query log.
* :class:`Transcript` — runs the CLI and keeps every stdout, stderr and written file, to check
  them all at the end.
* :class:`GeneralLog` — the server's general query log, on (``log_output=TABLE``) while in use
  and restored after; :meth:`GeneralLog.entries` gives what one user sent.
* :func:`row_read` — an independent, deliberately simple check that a logged statement does not
  read rows (of a secret table, or row-derived statistics), written without the guard's code.
"""

from __future__ import annotations

import json
import re
import secrets
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator


from schema_apply.firewall import statements as guard
from schema_apply.firewall.secrecy import SecrecyPolicy

# --------------------------------------------------------------------------------------------------
# The canary
# --------------------------------------------------------------------------------------------------

EMOJI = "\U0001F600"  # not representable in latin1: the server quotes it as \xF0\x9F\x98\x80


@dataclass(frozen=True)
class Canary:
    """Unique values for one test run. ``marker`` goes in strings; ``number`` (outside the INT
    range) in numbers and numbers-as-strings; ``counter`` is set as a secret table's AUTO_INCREMENT."""

    token: str
    number: int
    counter: int

    @classmethod
    def new(cls) -> "Canary":
        number = 10_000_000_000 + secrets.randbelow(80_000_000_000)   # 11 digits
        counter = 100_000_000 + secrets.randbelow(800_000_000)        # 9 digits
        return cls(secrets.token_hex(8), number, counter)

    @property
    def marker(self) -> str:
        return f"CANARY-{self.token}"

    def values(self, template: str) -> str:
        """``template`` with ``{M}`` (marker), ``{N}`` (number) and ``{E}`` (emoji) filled in."""
        return template.replace("{M}", self.marker).replace("{N}", str(self.number)).replace("{E}", EMOJI)

    def forms(self) -> dict[str, str]:
        """What must never appear in output, by the reason it would be there."""
        return {
            "marker": self.marker,
            "token": self.token,
            "marker prefix (an index prefix or a truncated value)": self.marker[:10],
            "marker, hex-encoded": self.marker.encode().hex(),
            "number": str(self.number),
            "AUTO_INCREMENT counter": str(self.counter),
            "emoji, as the server escapes it": "\\xF0\\x9F\\x98\\x80",
            "emoji": EMOJI,
        }

    def leaks(self, text: str) -> list[str]:
        folded = text.casefold()
        return [f"{why} ({form!r})" for why, form in self.forms().items() if form.casefold() in folded]


# --------------------------------------------------------------------------------------------------
# Rows and users, through raw connections
# --------------------------------------------------------------------------------------------------

def plant_rows(server, database: str, table: str, columns: tuple[str, ...], rows: list[tuple],
               canary: Canary) -> None:
    """INSERT ``rows`` (strings are templates for :meth:`Canary.values`) with FK checks off."""
    def fill(value):
        return canary.values(value) if isinstance(value, str) else value
    conn = server.connect(database)
    try:
        with conn.cursor() as cur:
            cur.execute("SET SESSION foreign_key_checks = 0")
            names = ", ".join(f"`{c}`" for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            cur.executemany(f"INSERT INTO `{table}` ({names}) VALUES ({marks})",
                            [tuple(fill(v) for v in row) for row in rows])
    finally:
        conn.close()


def root_execute(server, sql: str, params: tuple = (), database: str | None = None) -> list[tuple]:
    conn = server.connect(database)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall())
    finally:
        conn.close()


@dataclass(frozen=True)
class User:
    name: str
    password: str
    server: object

    def url(self, database: str, password: str | None = None, port: int | None = None) -> str:
        url = self.server.url(database, user=self.name, password=self.password if password is None else password)
        if port is not None:
            url = url.replace(f":{self.server.port}/", f":{port}/")
        return url

    def forms(self) -> dict[str, str]:
        """The password, and the ways it could be written out."""
        return {"password": self.password, "password, URL-encoded": urllib.parse.quote(self.password, safe=""),
                "password, JSON-escaped": json.dumps(self.password)[1:-1],
                "password's random part": self.password_token}

    @property
    def password_token(self) -> str:
        return self.password.split("|")[1]


@contextmanager
def mysql_user(server, grants: list[str], *, prefix: str = "sa_c") -> Iterator[User]:
    """A user ``<prefix>_<hex>``@'%' with a password full of URL and quoting hazards, holding
    ``grants`` (``"CREATE, ALTER ON `db`.*"``); dropped afterwards."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    password = f"Pw@:/%?#'\"|{secrets.token_hex(8)}|x"
    root_execute(server, "CREATE USER %s@'%%' IDENTIFIED BY %s", (name, password))
    try:
        for grant in grants:
            root_execute(server, f"GRANT {grant} TO %s@'%%'", (name,))
        yield User(name, password, server)
    finally:
        root_execute(server, "DROP USER IF EXISTS %s@'%%'", (name,))


# --------------------------------------------------------------------------------------------------
# Running the CLI and keeping everything it wrote
# --------------------------------------------------------------------------------------------------

@dataclass
class Transcript:
    """Every output of a series of CLI runs: ``(label, text)`` pairs."""

    run_cli: Callable
    items: list[tuple[str, str]] = field(default_factory=list)

    def run(self, *args: str, expect: int | None = None, env: dict[str, str] | None = None):
        # Each run starts as a fresh process would: nothing registered for masking yet.
        from schema_apply.firewall import redaction
        redaction._secrets.clear()
        result = self.run_cli(*args, env=env)
        label = "schema-apply " + " ".join(a if "://" not in a else "<url>" for a in args)
        self.items.append((f"{label} [stdout]", result.stdout))
        self.items.append((f"{label} [stderr]", result.stderr))
        if expect is not None:
            assert result.exit_code == expect, (
                f"{label}: exit {result.exit_code}, expected {expect}\n--- stdout\n{result.stdout}\n"
                f"--- stderr\n{result.stderr}")
        return result

    def add(self, label: str, text: str) -> None:
        self.items.append((label, text))

    def add_file(self, path: Path) -> None:
        self.items.append((f"file {path.name}", path.read_text(encoding="utf-8", errors="replace")))

    def assert_clean(self, canary: Canary | None = None, user: User | None = None) -> None:
        """No canary form and no password form in any output."""
        problems = []
        for label, text in self.items:
            found = canary.leaks(text) if canary else []
            if user is not None:
                folded = text.casefold()
                found += [why for why, form in user.forms().items() if form.casefold() in folded]
            if found:
                problems.append(f"{label}: {', '.join(found)}\n{text}")
        assert not problems, "secret values leaked:\n\n" + "\n\n".join(problems)

    @property
    def text(self) -> str:
        return "\n".join(text for _, text in self.items)


# --------------------------------------------------------------------------------------------------
# The general query log
# --------------------------------------------------------------------------------------------------

LOG_LOCK = "schema-apply-tests/general-log"


@dataclass(frozen=True)
class LogEntry:
    thread: int
    command: str
    argument: str


class GeneralLog:
    """The server's general query log, written to ``mysql.general_log`` while this is open.

    The global settings are restored on close, and the table emptied if it was not a log output
    before. A named lock serialises test sessions that use the log, so that one does not switch it
    off under another; other clients' statements are logged too, which is why :meth:`entries`
    selects by user.
    """

    def __init__(self, server):
        self.server = server
        self.conn = None
        self.saved: tuple[str, str] | None = None

    def __enter__(self) -> "GeneralLog":
        self.conn = self.server.connect()
        with self.conn.cursor() as cur:
            cur.execute("SELECT GET_LOCK(%s, 300)", (LOG_LOCK,))
            if cur.fetchone()[0] != 1:
                raise AssertionError(f"could not take {LOG_LOCK}: another test session holds the general log")
            cur.execute("SELECT @@GLOBAL.general_log, @@GLOBAL.log_output")
            general_log, log_output = cur.fetchone()
            self.saved = (str(general_log), log_output)
            outputs = {o for o in log_output.upper().split(",") if o and o != "NONE"}
            if str(general_log) in ("0", "OFF"):
                outputs = set()  # it was off: log to the table only while we need it
            cur.execute("SET GLOBAL log_output = %s", (",".join(sorted(outputs | {"TABLE"})),))
            cur.execute("SET GLOBAL general_log = ON")
        return self

    def __exit__(self, *exc) -> None:
        try:
            with self.conn.cursor() as cur:
                general_log, log_output = self.saved
                cur.execute("SET GLOBAL general_log = " + ("ON" if general_log in ("1", "ON") else "OFF"))
                cur.execute("SET GLOBAL log_output = %s", (log_output,))
                if "TABLE" not in log_output.upper():  # nobody else was logging to the table: empty it
                    cur.execute("TRUNCATE TABLE mysql.general_log")
                cur.execute("SELECT RELEASE_LOCK(%s)", (LOG_LOCK,))
        finally:
            self.conn.close()

    def entries(self, user: str, *, settle: float = 0.2) -> list[LogEntry]:
        """Everything logged from connections of ``user``, in order."""
        time.sleep(settle)  # the CSV log table is written by the server thread; let it land
        with self.conn.cursor() as cur:
            cur.execute("SELECT thread_id, command_type, CONVERT(argument USING utf8mb4) FROM mysql.general_log"
                        " WHERE user_host LIKE %s ORDER BY event_time", (user.replace("_", "\\_") + "[%",))
            return [LogEntry(int(t), c, a or "") for t, c, a in cur.fetchall()]


# --------------------------------------------------------------------------------------------------
# What a logged statement may be
# --------------------------------------------------------------------------------------------------

ALLOWED_COMMANDS = {"Connect", "Query", "Quit", "Init DB"}

_STRING = re.compile(r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.|\"\")*\"", re.S)
_COMMENT = re.compile(r"/\*.*?\*/|--[ \t][^\n]*|#[^\n]*", re.S)
_ROW_READING_START = re.compile(
    r"^\s*(SELECT|WITH|TABLE|VALUES|HANDLER|CHECKSUM|ANALYZE|OPTIMIZE|REPAIR|CHECK|INSERT|REPLACE|UPDATE|DELETE"
    r"|LOAD|CALL|DO|EXPLAIN|DESCRIBE|DESC|SHOW|EXECUTE|PREPARE)\b", re.I)
_ROW_DERIVED_COLUMNS = re.compile(
    r"\b(TABLE_ROWS|AUTO_INCREMENT|DATA_LENGTH|INDEX_LENGTH|DATA_FREE|AVG_ROW_LENGTH|MAX_DATA_LENGTH|CHECKSUM"
    r"|CARDINALITY|UPDATE_TIME|CHECK_TIME)\b", re.I)
_SELECT_INSIDE = re.compile(r"\b(SELECT|HANDLER|CHECKSUM|LOAD\s+DATA|INSERT\s+INTO)\b", re.I)
_STORED_PROGRAM = re.compile(
    r"^\s*(?:CREATE|ALTER)\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?"
    r"(TRIGGER|PROCEDURE|FUNCTION|EVENT)\s+(`(?:[^`]|``)+`|[\w$]+)", re.I)
_USER_TABLE_READ = re.compile(r"\b(FROM|JOIN)\s+(?!information_schema\.)[`\w]", re.I)


def _code_only(sql: str) -> str:
    """``sql`` without string literals and comments (an executable comment's body is kept)."""
    sql = re.sub(r"/\*[!M]!?\d*", " ", sql).replace("*/", " ") if "/*!" in sql or "/*M!" in sql else sql
    return _COMMENT.sub(" ", _STRING.sub("''", sql))


def row_read(sql: str, secret_prefix: str = "secret_") -> str | None:
    """Why ``sql`` could read rows of a secret table or row-derived data, or None.

    Independent of the guard on purpose: plain regular expressions over the statement with its
    string literals removed. Stricter than needed where that is simple (any SELECT from a
    non-information_schema table counts).
    """
    code = _code_only(sql)
    mentions_secret = re.search(re.escape(secret_prefix), code, re.I)
    program = _STORED_PROGRAM.match(code)
    if program:  # creating one runs nothing; what its body may do is the firewall's to decide
        named_secret = program.group(2).strip("`").lower().startswith(secret_prefix.lower())
        body = code[program.end():]
        if not named_secret and re.search(re.escape(secret_prefix), body, re.I):
            return f"a stored program outside the secret prefix naming a secret table in its {program.group(1)}"
        return None
    start = _ROW_READING_START.match(code)
    if start:
        verb = start.group(1).upper()
        if verb == "SHOW":  # SHOW CREATE is metadata; these show row-derived data or need SELECT
            shows_rows = re.match(r"\s*SHOW\s+(FULL\s+)?(INDEX|INDEXES|KEYS|TABLE\s+STATUS|COLUMNS|FIELDS)\b", code, re.I)
            return "SHOW of row-derived data" if shows_rows else None
        if mentions_secret:
            return f"{verb} naming a secret table"
        if verb in ("SELECT", "WITH") and _USER_TABLE_READ.search(code):
            return "SELECT from a table other than information_schema"
        if verb in ("SELECT", "WITH") and _ROW_DERIVED_COLUMNS.search(code) \
                and not _excludes_secret_tables(sql, secret_prefix):
            return "reads row-derived statistics (row counts, sizes, counters)"
        if verb not in ("SELECT", "DO"):
            return f"{verb} statement"
        return None
    if mentions_secret and _SELECT_INSIDE.search(code):
        return "a query inside DDL on a secret table"
    return None


def _excludes_secret_tables(sql: str, secret_prefix: str) -> bool:
    """A read of table sizes that leaves secret tables out in the query itself (the plan's size
    column): one table, information_schema.TABLES, and ``TABLE_NAME NOT LIKE '<prefix>%'`` among
    its AND-ed conditions, the prefix's ``_`` and ``%`` escaped as sent."""
    literal = secret_prefix.replace("\\", "\\\\\\\\").replace("_", "\\\\_").replace("%", "\\\\%")
    code = _code_only(sql)
    tables = re.findall(r"\b(?:FROM|JOIN)\s+([`\w.]+)", code, re.I)
    return (tables == ["information_schema.TABLES"] and not re.search(r"\b(OR|UNION|JOIN)\b", code, re.I)
            and re.search(r"\bAND\s+TABLE_NAME\s+NOT\s+LIKE\s+'" + re.escape(literal) + r"%'", sql) is not None)


def check_logged(entries: list[LogEntry], *, database: str, secret_prefixes=("secret_",)) -> list[str]:
    """Every entry must be an allowed command; every query allowed by the guard and not a row
    read by :func:`row_read`. Returns the queries, for further checks."""
    problems, queries = [], []
    for e in entries:
        if e.command not in ALLOWED_COMMANDS:
            problems.append(f"command {e.command}: {e.argument[:200]}")
            continue
        if e.command != "Query":
            continue
        queries.append(e.argument)
        try:
            info = guard.check(e.argument, SecrecyPolicy(tuple(secret_prefixes), 0, None), database)
        except Exception as exc:  # noqa: BLE001 — a refusal is the finding
            problems.append(f"the guard refuses a statement that was sent: {e.argument!r}: {exc}")
            continue
        if info.kind not in (guard.METADATA_READ, guard.LOCK, guard.SESSION, guard.DDL):
            problems.append(f"unexpected kind {info.kind}: {e.argument!r}")
        why = row_read(e.argument, secret_prefixes[0])
        if why:
            problems.append(f"{why}: {e.argument!r}")
    assert not problems, "statements in the general query log:\n" + "\n".join(problems)
    return queries
