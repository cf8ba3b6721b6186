"""The statement guard: classify every statement before it is sent, refuse what could read rows.

The guarded connection calls :func:`check` with the final text of each statement (parameters
already interpolated). The policy is a whitelist — anything not recognised with certainty is
refused — of four kinds of statement:

``metadata-read``
    ``SELECT`` over whitelisted ``information_schema`` tables only (joins, subqueries, UNION,
    CTEs among them), table-less ``SELECT`` of constants, ``@@`` variables and whitelisted
    built-in functions, and a handful of ``SHOW`` statements (``SHOW CREATE …``, ``VARIABLES``,
    ``GRANTS``, ``WARNINGS``/``ERRORS``, ``DATABASES``, ``[FULL] TABLES``, ``CHARACTER SET``,
    ``COLLATION``, ``ENGINES``). ``SHOW WARNINGS``/``ERRORS`` return server messages that can
    quote values: pass them through :func:`schema_apply.redact.redact_server_message`.
``lock``
    ``SELECT``/``DO`` of ``GET_LOCK``, ``RELEASE_LOCK``, ``IS_FREE_LOCK``, ``IS_USED_LOCK``.
``session``
    ``SET [SESSION] var = value`` (``SET NAMES``, ``SET CHARACTER SET``, user variables, several
    assignments), ``USE db``, ``START TRANSACTION``/``BEGIN``/``COMMIT``/``ROLLBACK``.
``ddl``
    ``CREATE/ALTER/DROP TABLE``, ``RENAME TABLE``, ``CREATE/DROP INDEX``, ``CREATE/ALTER/DROP
    VIEW``, ``CREATE/ALTER/DROP DATABASE`` — on secret tables too (DDL reads no rows); ``CREATE
    TRIGGER/PROCEDURE/FUNCTION/EVENT`` (a compound body is one statement) whose body passes the
    firewall's body rules (``program_firewall``), ``DROP`` of one, ``ALTER EVENT`` with its body,
    ``ALTER PROCEDURE/FUNCTION`` characteristics.

Everything else is refused with :class:`~schema_apply.errors.SecretAccessRefused`: any statement
that reads (or writes) rows of any user table, secret or not (schema-apply reads metadata only,
and a plain name may be a view over a secret table); ``CALL``, ``PREPARE``/``EXECUTE``,
``HANDLER``, ``LOAD``, ``CHECKSUM``/``ANALYZE TABLE``, ``EXPLAIN``/``DESCRIBE``, ``SHOW
COLUMNS``/``INDEX``/``TABLE STATUS``; more than one statement in one text; and DDL that would
*declassify* secret rows: renaming a secret table to a non-secret name, a non-secret view over a
secret table, moving partitions between a secret and a non-secret table, ``CREATE TABLE … SELECT``,
and storage engines that expose other tables' rows (MERGE, FEDERATED, CONNECT, SPIDER).

How a statement is read. The text is scanned the way the server's lexer scans it — quotes, doubled
quotes, backslash escapes, backquoted identifiers, ``/* */``, ``-- ``, ``#`` — and executable
comments (``/*! … */``, ``/*!50700 … */``, MariaDB's ``/*M!100600 … */``) are treated as code.
Because whether a versioned comment runs depends on the server's version, and how quotes read
depends on ``sql_mode`` (``ANSI_QUOTES``, ``NO_BACKSLASH_ESCAPES``), the statement is checked under
every reading a server could give it, and allowed only if every reading is allowed. Each reading
is tokenised with sqlglot's MySQL tokenizer; DDL and session statements are classified from the
token stream (DDL often uses syntax sqlglot cannot parse), and queries — a ``SELECT``, a view's
definition — are parsed with sqlglot to find every table they reference.

Decisions worth knowing. Unqualified names are user tables even after ``USE information_schema``
(the tool always writes ``information_schema.X``). Within a query every function call must be an
unqualified built-in from a short list, written ``NAME(`` with no space, since a stored function
can read any table. ``SHOW COLUMNS/FIELDS/INDEX/KEYS`` are refused: the tool reads the same from
information_schema, they need privileges on the table, and ``SHOW INDEX`` shows row-derived
cardinality. A text holding a NUL byte is refused. A failure inside the guard refuses the
statement (fail closed).

Refusal messages name the statement kind, the table(s) and the reason, never a literal value of
the statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlglot import exp
from sqlglot.dialects.mysql import MySQL
from sqlglot.errors import ErrorLevel, SqlglotError
from sqlglot.tokens import Token, TokenType

from .errors import SecretAccessRefused

__all__ = ["StatementInfo", "check", "is_secret_name",
           "METADATA_READ", "LOCK", "SESSION", "DDL"]

METADATA_READ = "metadata-read"
LOCK = "lock"
SESSION = "session"
DDL = "ddl"


@dataclass(frozen=True)
class StatementInfo:
    """What an allowed statement is.

    ``kind`` is one of ``"metadata-read"``, ``"lock"``, ``"session"``, ``"ddl"``. ``tables`` are the
    user tables (and views) the statement names, as written but unquoted — ``t`` or ``db.t`` — in
    order of appearance; ``secret_tables`` are those among them matching a secret prefix.
    """

    kind: str
    tables: tuple[str, ...] = ()
    secret_tables: tuple[str, ...] = ()


def is_secret_name(name: str, secret_prefixes: Sequence[str], lower_case_table_names: int = 0) -> bool:
    """Does table name ``name`` (unqualified, unquoted) match a secret prefix?

    Matched as the server matches table names: case-sensitively when ``lower_case_table_names``
    is 0 (the Linux default), case-insensitively otherwise.
    """
    if lower_case_table_names:
        folded = name.lower()
        return any(folded.startswith(p.lower()) for p in secret_prefixes)
    return any(name.startswith(p) for p in secret_prefixes)


def check(sql: str, *, secret_prefixes: Sequence[str], database: str | None = None,
          lower_case_table_names: int = 0) -> StatementInfo:
    """Classify ``sql`` (one statement, parameters interpolated); refuse it unless it is allowed.

    Returns a :class:`StatementInfo` if the statement is allowed; raises
    :class:`~schema_apply.errors.SecretAccessRefused` otherwise; besides its message (kind, tables,
    reason — never a literal of the statement) and ``hint``, the exception carries
    ``statement_kind``, ``tables`` and ``secret_tables``. ``database`` is the connection's current
    database; it is only used to qualify names in refusal messages. A failure inside the guard
    itself refuses the statement (fail closed).
    """
    if isinstance(secret_prefixes, str):  # a lone string is a prefix, not a sequence of letters
        secret_prefixes = (secret_prefixes,)
    policy = _Policy(tuple(secret_prefixes), int(lower_case_table_names or 0), database)
    try:
        return _check(sql, policy)
    except SecretAccessRefused:
        raise
    except Exception as bug:  # fail closed: a bug in the guard refuses, it never lets a statement through
        raise _Refusal("unclassifiable", f"the guard failed while classifying it ({type(bug).__name__});"
                       f" {UNKNOWN}").error(policy, alternative=False) from None


def _check(sql: str, policy: "_Policy") -> StatementInfo:
    if "\0" in sql:  # servers disagree on what follows a NUL byte; schema-apply never sends one
        raise _Refusal("unclassifiable", f"the text holds a NUL byte; {UNKNOWN}").error(policy, alternative=False)
    results: list[StatementInfo] = []
    for index, (text, ansi) in enumerate(_readings(sql)):
        try:
            results.append(_classify(text, policy, ansi_quotes=ansi))
        except _Refusal as refusal:
            raise refusal.error(policy, alternative=index > 0) from None
    first = results[0]
    tables = _unique(t for info in results for t in info.tables)
    secrets = _unique(t for info in results for t in info.secret_tables)
    return StatementInfo(first.kind, tables, secrets)


# --- refusals ---------------------------------------------------------------------------------------


class _Refusal(Exception):
    """Internal: why one reading of the statement is refused (turned into SecretAccessRefused)."""

    def __init__(self, kind: str, reason: str, *, tables: Iterable["_Name"] = (), hint: str | None = None):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.tables = _unique(tables)
        self.hint = hint

    def error(self, policy: "_Policy", *, alternative: bool) -> SecretAccessRefused:
        noun = "text" if self.kind in _TEXT_KINDS else "statement"
        message = f"refused {self.kind} {noun}: {self.reason}"
        if alternative:
            message += (" (this is how the server reads the statement under some server versions or"
                        " sql_mode settings: executable /*! */ comments, ANSI_QUOTES or"
                        " NO_BACKSLASH_ESCAPES)")
        error = SecretAccessRefused(message, hint=self.hint)
        error.statement_kind = self.kind  # type: ignore[attr-defined]
        error.tables = tuple(str(t) for t in self.tables)  # type: ignore[attr-defined]
        error.secret_tables = tuple(str(t) for t in self.tables if policy.secret(t))  # type: ignore[attr-defined]
        return error


_TEXT_KINDS = {"multi-statement", "empty", "unclassifiable", "unrecognised"}


@dataclass(frozen=True)
class _Policy:
    prefixes: tuple[str, ...]
    lctn: int
    database: str | None

    def secret(self, name: "_Name") -> bool:
        return is_secret_name(name.table, self.prefixes, self.lctn)

    def show(self, names: Iterable["_Name"]) -> str:
        """Names for a message: backquoted, qualified with the current database when known."""
        out = []
        for name in _unique(names):
            db = name.db or self.database
            out.append(f"{_q(db)}.{_q(name.table)}" if db else _q(name.table))
        return ", ".join(out)

    def prefixes_text(self) -> str:
        return ", ".join(repr(p) for p in self.prefixes) or "(none)"


class _Name(NamedTuple):
    """A table name as written: its database (None if unqualified) and the table itself. Kept as two
    parts because a quoted name may hold a dot (`` `secret_a.b` `` is one table)."""

    db: str | None
    table: str

    def __str__(self) -> str:
        return f"{self.db}.{self.table}" if self.db else self.table


def _q(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _unique(items: Iterable) -> tuple:
    return tuple(dict.fromkeys(items))


METADATA_ONLY = ("schema-apply reads metadata only (information_schema, SHOW CREATE) and sends DDL; it"
                 " never reads or writes rows of user tables, and a plain table name may be a view"
                 " over a secret table")
UNKNOWN = ("the guard allows only metadata reads, session settings, the apply lock and DDL, and"
           " refuses anything it cannot classify with certainty")


def _refuse_rows(kind: str, policy: _Policy, tables: Sequence[_Name], what: str = "reads rows of") -> _Refusal:
    secrets = [t for t in tables if policy.secret(t)]
    if secrets:
        return _Refusal(kind, f"it {what} secret table {policy.show(secrets)} (matching secret prefix"
                        f" {policy.prefixes_text()}); rows of secret tables are never read",
                        tables=tables,
                        hint="schema-apply needs no rows: read metadata from information_schema or"
                             " SHOW CREATE TABLE instead")
    named = f" {policy.show(tables)}" if tables else ""
    return _Refusal(kind, f"it {what} table{named}: {METADATA_ONLY}", tables=tables)


# --- reading the text as the server does ------------------------------------------------------------


class _Ambiguous(Exception):
    """The text can be read in ways the guard cannot reconcile; refuse."""


class _Malformed(Exception):
    """The text does not lex in this reading (the server would reject it with a syntax error)."""


@dataclass(frozen=True)
class _Versioned:
    family: str            # "mysql" for /*! … */, "mariadb" for /*M! … */
    version: int | None    # None: no version number (always run by the servers that run it)


_VERSIONED = re.compile(r"/\*(M?)!(\d*)")


def _lex(sql: str, *, backslash: bool, ansi: bool) -> list[tuple[_Versioned | None, str]]:
    """Split ``sql`` into code pieces, each under the executable comment it sits in (or None).

    Plain comments become a space; string literals are rewritten in one canonical form
    (single-quoted, backslash escapes), quoted identifiers as backquoted identifiers, so that
    sqlglot's tokenizer reads the pieces exactly as the server would in this reading.
    """
    pieces: list[tuple[_Versioned | None, str]] = []
    buf: list[str] = []
    cond: _Versioned | None = None
    cond_end = -1
    i, n = 0, len(sql)

    def flush(new: _Versioned | None) -> None:
        nonlocal buf, cond
        pieces.append((cond, "".join(buf)))
        buf = []
        cond = new

    while i < n:
        c = sql[i]
        if c in "'\"`":
            j, piece = _quoted(sql, i, backslash=backslash, ansi=ansi)
            if cond is not None and j > cond_end:
                raise _Ambiguous("a quoted span runs across the end of an executable comment")
            buf.append(piece)
            i = j
            continue
        if sql.startswith("/*", i):
            if cond is not None:
                raise _Ambiguous("a comment inside an executable comment")
            m = _VERSIONED.match(sql, i)
            end = sql.find("*/", i + 2)
            if end < 0:
                raise _Malformed("unterminated comment")
            if m:
                maria, digits = m.group(1) == "M", m.group(2)
                allowed = (0, 5, 6) if maria else (0, 5)
                if len(digits) not in allowed:
                    raise _Ambiguous("an executable comment whose version number servers read differently")
                buf.append(" ")
                flush(_Versioned("mariadb" if maria else "mysql", int(digits) if digits else None))
                buf.append(" ")
                cond_end = end
                i = m.end()
            else:
                buf.append(" ")
                i = end + 2
            continue
        if cond is not None and i == cond_end:
            buf.append(" ")
            flush(None)
            buf.append(" ")
            i += 2
            continue
        if c == "#" or (sql.startswith("--", i) and (i + 2 >= n or ord(sql[i + 2]) <= 32)):
            if cond is not None:
                raise _Ambiguous("a line comment inside an executable comment")
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
            buf.append(" ")
            continue
        if c == "-" and sql.startswith("--", i):  # "--1" is minus minus one, not a comment
            buf.append("- ")
            i += 1
            continue
        buf.append(c)
        i += 1
    if cond is not None:
        raise _Malformed("unterminated comment")
    flush(None)
    return pieces


def _quoted(sql: str, i: int, *, backslash: bool, ansi: bool) -> tuple[int, str]:
    """The quoted span starting at ``sql[i]``: (index after it, canonical rewriting)."""
    q = sql[i]
    ident = q == "`" or (q == '"' and ansi)
    n = len(sql)
    j = i + 1
    out: list[str] = []
    while True:
        if j >= n:
            raise _Malformed("unterminated quoted string or identifier")
        ch = sql[j]
        if ch == q:
            if j + 1 < n and sql[j + 1] == q:
                out.append(q if ident or q != "'" else "\\'")
                j += 2
                continue
            j += 1
            break
        if not ident and ch == "\\":
            if backslash:
                if j + 1 >= n:
                    raise _Malformed("unterminated string")
                out.append(sql[j:j + 2])
                j += 2
                continue
            out.append("\\\\")
            j += 1
            continue
        if not ident and ch == "'":  # a single quote inside a double-quoted string
            out.append("\\'")
        else:
            out.append(ch)
        j += 1
    body = "".join(out)
    if ident:
        return j, "`" + body.replace("`", "``") + "`"
    return j, "'" + body + "'"


def _readings(sql: str) -> list[tuple[str, bool]]:
    """Every way a server could read ``sql``: (canonical code text, ANSI_QUOTES?) — default first."""
    modes = [(True, False)]
    if "\\" in sql:
        modes.append((False, False))
    if '"' in sql:
        modes += [(b, True) for b, _ in list(modes)]
    texts: list[tuple[str, bool]] = []
    for index, (backslash, ansi) in enumerate(modes):
        try:
            pieces = _lex(sql, backslash=backslash, ansi=ansi)
        except _Ambiguous as why:
            raise _Refusal("unclassifiable", f"{why}; {UNKNOWN}").error(
                _Policy((), 0, None), alternative=False) from None
        except _Malformed as why:
            if index == 0:
                raise _Refusal("unclassifiable", f"the text does not lex ({why}); {UNKNOWN}").error(
                    _Policy((), 0, None), alternative=False) from None
            continue  # under this sql_mode the server would reject it with a syntax error
        for text in _versions(pieces):
            if (text, ansi) not in texts:
                texts.append((text, ansi))
    return texts


_ALWAYS, _NEVER = -1, 10 ** 9


def _versions(pieces: list[tuple[_Versioned | None, str]]) -> list[str]:
    """The code text under each server (MySQL or MariaDB, any version) — all comments run first."""
    conds = [c for c, _ in pieces if c is not None]
    if not conds:
        return ["".join(text for _, text in pieces)]
    cuts = sorted({_ALWAYS, _NEVER} | {c.version for c in conds if c.version is not None})

    def runs(c: _Versioned, family: str, version: int) -> bool:
        if c.family == "mariadb" and family == "mysql":
            return False  # MySQL reads /*M! … */ as a plain comment
        return c.version is None or c.version <= version

    out = ["".join(text for _, text in pieces)]  # every executable comment run
    for family in ("mysql", "mariadb"):
        for cut in cuts:
            text = "".join(text for c, text in pieces if c is None or runs(c, family, cut))
            if text not in out:
                out.append(text)
    return out


# --- tokens -----------------------------------------------------------------------------------------


class _Tokenizer(MySQL.Tokenizer):
    COMMANDS: set = set()  # never swallow the rest of a statement into one string token


class _Parser(MySQL.Parser):
    def _warn_unsupported(self) -> None:  # sqlglot logs the statement text here: never do that
        return None


_DIALECT = MySQL()

_STRING_TYPES = {TokenType.STRING, TokenType.NATIONAL_STRING, TokenType.HEX_STRING,
                 TokenType.BIT_STRING, TokenType.BYTE_STRING, TokenType.RAW_STRING,
                 TokenType.UNICODE_STRING, TokenType.HEREDOC_STRING}
_WORD = re.compile(r"[\w$]+(?:\s+[\w$]+)*")


@dataclass(frozen=True)
class _Tok:
    kind: str     # "word" (a bare word: keyword or name), "ident" (quoted), "string", "number", "punct"
    text: str     # the word upper-cased; an identifier unquoted; a string's content; punctuation as is
    raw: str      # as written (for names: the name)
    start: int
    end: int      # inclusive, in the reading's text

    def w(self, *words: str) -> bool:
        return self.kind == "word" and self.text in words

    def p(self, *puncts: str) -> bool:
        return self.kind == "punct" and self.text in puncts


def _tokenize(text: str) -> tuple[list[_Tok], list[Token]]:
    try:
        raw = _Tokenizer().tokenize(text)
    except SqlglotError:
        raise _Refusal("unclassifiable", f"the text cannot be tokenised; {UNKNOWN}") from None
    toks: list[_Tok] = []
    for t in raw:
        if t.token_type == TokenType.IDENTIFIER:
            toks.append(_Tok("ident", t.text, t.text, t.start, t.end))
        elif t.token_type in _STRING_TYPES:
            toks.append(_Tok("string", t.text, t.text, t.start, t.end))
        elif t.token_type == TokenType.NUMBER:
            toks.append(_Tok("number", t.text, t.text, t.start, t.end))
        elif _WORD.fullmatch(t.text):
            # sqlglot joins some keywords ("ORDER BY", "LOCK TABLES"): one token per word here
            for m in re.finditer(r"\S+", text[t.start:t.end + 1]):
                start = t.start + m.start()
                toks.append(_Tok("word", m.group().upper(), m.group(), start, start + len(m.group()) - 1))
        else:
            toks.append(_Tok("punct", t.text, t.text, t.start, t.end))
    return toks, raw


def _depths(toks: Sequence[_Tok]) -> list[int]:
    """Parenthesis depth of each token (the parentheses themselves at the outer depth)."""
    out, depth = [], 0
    for t in toks:
        if t.p(")"):
            depth -= 1
        out.append(depth)
        if t.p("("):
            depth += 1
    return out


def _is_name(t: _Tok | None) -> bool:
    return t is not None and (t.kind == "ident" or (t.kind == "word" and _WORD.fullmatch(t.raw) is not None))


def _name_at(toks: Sequence[_Tok], i: int) -> tuple[_Name, int] | None:
    """A possibly qualified table name at ``toks[i]``, and the index after it."""
    if i >= len(toks) or not _is_name(toks[i]) or toks[i].raw == "":
        return None
    if i + 1 < len(toks) and toks[i + 1].p("."):
        if i + 2 >= len(toks) or not _is_name(toks[i + 2]) or toks[i + 2].raw == "":
            return None
        return _Name(toks[i].raw, toks[i + 2].raw), i + 3
    return _Name(None, toks[i].raw), i + 1


# --- classification ---------------------------------------------------------------------------------

_QUERY_HEADS = {"SELECT", "WITH", "TABLE", "VALUES"}

# Statements refused whatever they name: (why, does it touch rows of the tables it names?)
_REFUSED_HEADS = {
    "INSERT": ("it writes rows", True), "REPLACE": ("it writes rows", True),
    "UPDATE": ("it reads and writes rows", True), "DELETE": ("it reads and deletes rows", True),
    "LOAD": ("it loads rows from a file", True), "HANDLER": ("it reads rows through a handler", True),
    "CHECKSUM": ("it reads every row to checksum it", True),
    "ANALYZE": ("it reads rows to build statistics and histograms", True),
    "OPTIMIZE": ("it is table maintenance schema-apply never runs", True),
    "REPAIR": ("it is table maintenance schema-apply never runs", True),
    "CHECK": ("it reads rows to check them", True),
    "TRUNCATE": ("it deletes every row; schema-apply never sends it", True),
    "CALL": ("a stored procedure can read any table, so schema-apply never calls one", False),
    "PREPARE": ("a prepared statement's text cannot be checked when it runs; schema-apply never"
                " prepares statements", False),
    "EXECUTE": ("a prepared statement cannot be checked before it runs", False),
    "DEALLOCATE": ("schema-apply never uses prepared statements", False),
    "EXPLAIN": ("EXPLAIN shows row estimates and EXPLAIN ANALYZE runs the query; schema-apply never"
                " explains", False),
    "DESCRIBE": ("DESCRIBE/EXPLAIN shows row estimates or runs a query; schema-apply reads columns"
                 " from information_schema", False),
    "DESC": ("DESCRIBE/EXPLAIN shows row estimates or runs a query; schema-apply reads columns"
             " from information_schema", False),
    "LOCK": ("schema-apply takes only its named apply lock (GET_LOCK), never table locks", False),
    "UNLOCK": ("schema-apply takes only its named apply lock (GET_LOCK), never table locks", False),
    "BINLOG": ("it replays row events", False), "GRANT": ("schema-apply never changes privileges", False),
    "REVOKE": ("schema-apply never changes privileges", False), "FLUSH": ("schema-apply never flushes", False),
    "KILL": ("schema-apply never kills sessions", False), "XA": ("schema-apply never uses XA transactions", False),
}


def _classify(text: str, policy: _Policy, *, ansi_quotes: bool) -> StatementInfo:
    toks, raw = _tokenize(text)
    if toks and toks[0].w("CREATE", "DROP", "ALTER") and _program_kind(toks):
        return _stored_program(text, toks, policy)
    semis = [k for k, t in enumerate(toks) if t.p(";")]
    if semis and semis != [len(toks) - 1]:
        raise _Refusal("multi-statement", "the text holds more than one statement; each statement"
                       " must be sent, and checked, on its own",
                       hint="send one statement per call (multi-statements are never allowed)")
    if semis:
        toks, raw = toks[:-1], raw[:-1]
        text = text[:raw[-1].end + 1] if raw else ""
    if not toks:
        raise _Refusal("empty", "the text holds no statement")
    head = toks[0]
    if head.p("(") or head.w(*_QUERY_HEADS):
        return _query_statement(text, toks, raw, policy, ansi_quotes=ansi_quotes)
    if head.kind != "word":
        raise _Refusal("unrecognised", UNKNOWN)
    word = head.text
    if word == "SHOW":
        return _show(toks, policy)
    if word == "SET":
        return _set(toks, policy)
    if word == "DO":
        kind = _expressions(toks[1:], "DO", policy)
        return StatementInfo(kind)
    if word == "USE":
        if len(toks) == 2 and _is_name(toks[1]):
            return StatementInfo(SESSION)
        raise _Refusal("USE", UNKNOWN)
    if word in ("START", "BEGIN", "COMMIT", "ROLLBACK"):
        return _transaction(toks)
    if word in ("CREATE", "ALTER", "DROP", "RENAME"):
        return _ddl(text, toks, policy)
    if word in _REFUSED_HEADS:
        kind = word if word not in ("DESC", "DESCRIBE") else "EXPLAIN/DESCRIBE"
        tables = _mentioned_tables(text, toks, raw)
        reason, rows = _REFUSED_HEADS[word]
        secrets = [t for t in tables if policy.secret(t)]
        if secrets:
            raise _Refusal(kind, f"{reason}, and it names secret table {policy.show(secrets)} (matching"
                           f" secret prefix {policy.prefixes_text()}); rows of secret tables are never read",
                           tables=tables)
        named = f" (on {policy.show(tables)})" if tables else ""
        raise _Refusal(kind, f"{reason}{named}" + (f"; {METADATA_ONLY}" if rows else ""), tables=tables)
    raise _Refusal(word if len(word) <= 20 else "unrecognised", UNKNOWN,
                   tables=[t for t in _secret_words(toks, policy)])


def _secret_words(toks: Sequence[_Tok], policy: _Policy) -> list[_Name]:
    """Every name (never a string) matching a secret prefix, qualified where written so."""
    out = []
    for k, t in enumerate(toks):
        if _is_name(t) and policy.secret(_Name(None, t.raw)):
            qualified = k >= 2 and toks[k - 1].p(".") and _is_name(toks[k - 2])
            out.append(_Name(toks[k - 2].raw if qualified else None, t.raw))
    return list(_unique(out))


def _mentioned_tables(text: str, toks: Sequence[_Tok], raw: Sequence[Token]) -> list[_Name]:
    """Best effort, for messages: the tables a refused statement names."""
    try:
        tree = _parse(text, raw)
        names = [_table_name(t) for t in tree.find_all(exp.Table) if t.name]
    except _Refusal:
        names = []
    if not names:
        keys = {"FROM", "JOIN", "UPDATE", "INTO", "TABLE", "TABLES", "HANDLER", "STRAIGHT_JOIN", "USING"}
        for k, t in enumerate(toks[:-1]):
            if t.w(*keys) or (t.p(",") and names):
                got = _name_at(toks, k + 1)
                if got and toks[k + 1].text not in ("SELECT", "TABLE", "VALUES", "WITH"):
                    names.append(got[0])
    return list(_unique(names))


# --- queries ----------------------------------------------------------------------------------------

INFORMATION_SCHEMA_TABLES = frozenset("""
    SCHEMATA SCHEMATA_EXTENSIONS TABLES TABLES_EXTENSIONS COLUMNS COLUMNS_EXTENSIONS STATISTICS
    KEY_COLUMN_USAGE REFERENTIAL_CONSTRAINTS TABLE_CONSTRAINTS TABLE_CONSTRAINTS_EXTENSIONS
    CHECK_CONSTRAINTS VIEWS VIEW_TABLE_USAGE VIEW_ROUTINE_USAGE PARTITIONS TRIGGERS ROUTINES
    PARAMETERS EVENTS COLLATIONS CHARACTER_SETS COLLATION_CHARACTER_SET_APPLICABILITY ENGINES PLUGINS
    USER_PRIVILEGES SCHEMA_PRIVILEGES TABLE_PRIVILEGES COLUMN_PRIVILEGES APPLICABLE_ROLES ENABLED_ROLES
    KEYWORDS SESSION_VARIABLES GLOBAL_VARIABLES SYSTEM_VARIABLES ST_GEOMETRY_COLUMNS
    ST_SPATIAL_REFERENCE_SYSTEMS ST_UNITS_OF_MEASURE TABLESPACES FILES SEQUENCES
""".split())
"""information_schema tables a metadata read may use. Left out on purpose: COLUMN_STATISTICS
(histogram buckets hold column values), INNODB_FT_* (words from rows), INNODB_LOCKS/INNODB_TRX/
DATA_LOCKS (primary-key values, query texts), PROCESSLIST and OPTIMIZER_TRACE (query texts),
INNODB_BUFFER_PAGE*, and everything not listed."""

_LOCK_FUNCTIONS = frozenset({"GET_LOCK", "RELEASE_LOCK", "IS_FREE_LOCK", "IS_USED_LOCK", "RELEASE_ALL_LOCKS"})

# Built-in functions (in MySQL 5.7+ and MariaDB 10.6+ alike) that read no table. An unqualified
# built-in name immediately followed by "(" always calls the built-in, never a stored function.
_FUNCTIONS = _LOCK_FUNCTIONS | frozenset("""
    VERSION DATABASE SCHEMA USER CURRENT_USER SESSION_USER SYSTEM_USER CONNECTION_ID
    CONCAT CONCAT_WS LOWER UPPER LCASE UCASE LENGTH CHAR_LENGTH CHARACTER_LENGTH OCTET_LENGTH
    SUBSTRING SUBSTR SUBSTRING_INDEX MID LEFT RIGHT REPLACE TRIM LTRIM RTRIM LOCATE INSTR POSITION
    LPAD RPAD HEX UNHEX REVERSE REPEAT SPACE ASCII ORD CHAR QUOTE FIND_IN_SET FIELD ELT STRCMP
    IF IFNULL NULLIF COALESCE GREATEST LEAST ISNULL CAST CONVERT CHARSET COLLATION INTERVAL
    COUNT MAX MIN SUM AVG GROUP_CONCAT BIT_OR BIT_AND
    ABS CEIL CEILING FLOOR ROUND MOD SIGN CONV
    NOW CURRENT_TIMESTAMP CURDATE CURRENT_DATE UTC_TIMESTAMP UNIX_TIMESTAMP FROM_UNIXTIME DATE_FORMAT
    DECIMAL DATETIME TIME
    JSON_OBJECT JSON_ARRAY JSON_EXTRACT JSON_UNQUOTE JSON_QUOTE
""".split())

# Reserved words that may stand before "(" without calling anything.
_STRUCTURAL = frozenset("""
    IN EXISTS FROM JOIN ON USING AS SELECT WHERE AND OR NOT XOR ALL ANY SOME UNION INTERSECT EXCEPT
    BY IS LIKE REGEXP RLIKE BETWEEN WHEN THEN ELSE CASE DISTINCT DISTINCTROW HAVING DIV BINARY
    STRAIGHT_JOIN LATERAL
""".split())


def _functions_ok(toks: Sequence[_Tok], kind: str) -> bool:
    """Check every ``name(`` in ``toks``; return whether a lock function is among them."""
    locks = False
    for k in range(len(toks) - 1):
        t, nxt = toks[k], toks[k + 1]
        if not nxt.p("("):
            continue
        if t.kind == "word" and t.text in _STRUCTURAL:
            continue
        if t.kind == "ident":
            raise _Refusal(kind, f"it calls a function by a quoted name ({_q(t.raw)}(…)), which calls a stored"
                           f" function; a stored function can read any table; {UNKNOWN}")
        if t.kind != "word":
            continue  # "(", ",", operators: a parenthesised expression, not a call
        qualified = k > 0 and toks[k - 1].p(".")
        if qualified or t.text not in _FUNCTIONS:
            name = f"{toks[k - 2].raw}.{t.raw}" if qualified and k >= 2 else t.raw
            raise _Refusal(kind, f"it calls {name}(), which is not a built-in function known to read no"
                           f" table (a stored function can read any table); {UNKNOWN}")
        if nxt.start != t.end + 1:
            raise _Refusal(kind, f"it writes {t.raw} ( with a space before the parenthesis, which the server"
                           f" can read as a call to a stored function; {UNKNOWN}")
        locks = locks or t.text in _LOCK_FUNCTIONS
    return locks


def _parse(text: str, raw: Sequence[Token]) -> exp.Expr:
    try:
        trees = _Parser(dialect=_DIALECT, error_level=ErrorLevel.IMMEDIATE).parse(list(raw), text)
    except SqlglotError:
        raise _Refusal("query", "sqlglot cannot parse it") from None  # never quote sqlglot's message
    except Exception:  # a parser bug must refuse, not crash or allow
        raise _Refusal("query", "sqlglot cannot parse it") from None
    trees = [t for t in trees if t is not None]
    if len(trees) != 1 or any(isinstance(n, exp.Command) for n in trees[0].walk()):
        raise _Refusal("query", "sqlglot cannot parse it")
    return trees[0]


def _table_name(t: exp.Table) -> _Name:
    return _Name(t.db or None, t.name)


def _cte_visible(table: exp.Table) -> bool:
    """Is this unqualified table reference a CTE in scope (as MySQL resolves it)?"""
    name = table.name
    child: exp.Expr = table
    node = table.parent
    handled: set[int] = set()
    while node is not None:
        if isinstance(node, exp.With):
            ctes = list(node.expressions)
            names = [c.alias for c in ctes]
            k = next((i for i, c in enumerate(ctes) if c is child), len(ctes))
            visible = names[:k] + ([names[k]] if k < len(ctes) and node.args.get("recursive") else [])
            if name in visible:
                return True
            handled.add(id(node))
        else:
            for with_ in node.args.values():  # the WITH of a SELECT / UNION … ("with_" in sqlglot)
                if isinstance(with_, exp.With) and id(with_) not in handled and with_ is not child:
                    if name in [c.alias for c in with_.expressions]:
                        return True
        child, node = node, node.parent
    return False


def _query_tables(tree: exp.Expr) -> tuple[list[str], list[_Name], list[str]]:
    """(information_schema tables, user tables, problems) a parsed query references."""
    meta, user, problems = [], [], []
    for t in tree.find_all(exp.Table):
        if t.args.get("catalog") is not None and t.catalog:
            problems.append("a three-part table name")
            continue
        if not t.name:
            problems.append("a table function or an unnamed table source")
            continue
        if not t.db:
            ident = t.this
            if t.name.upper() == "DUAL" and isinstance(ident, exp.Identifier) and not ident.quoted:
                continue
            if _cte_visible(t):
                continue
            user.append(_Name(None, t.name))
        elif t.db.lower() == "information_schema":
            meta.append(t.name)
        else:
            user.append(_table_name(t))
    for node in tree.walk():
        if isinstance(node, (exp.Into,)):
            problems.append("SELECT … INTO")
    return meta, user, problems


def _query_statement(text: str, toks: list[_Tok], raw: list[Token], policy: _Policy, *,
                     ansi_quotes: bool) -> StatementInfo:
    kind = "SELECT" if toks[0].p("(") else toks[0].text
    # Token-level checks first: they hold even where sqlglot would misread the statement.
    if not ansi_quotes:  # under ANSI_QUOTES a "string" reads as a name; the parse below decides then
        secrets = _secret_words(toks, policy)
        if secrets:
            raise _refuse_rows(kind, policy, _mentioned_tables(text, toks, raw) or secrets)
    for t in toks:
        if t.w("INTO"):
            raise _Refusal(kind, "SELECT … INTO writes the result to a file or variables; " + METADATA_ONLY,
                           tables=_mentioned_tables(text, toks, raw))
        if t.w("PROCEDURE", "HANDLER"):
            raise _Refusal(kind, UNKNOWN)
    for k, t in enumerate(toks):
        if k > 0 and t.w("TABLE"):
            raise _Refusal(kind, "it holds a TABLE statement, which reads every row of a table; "
                           + METADATA_ONLY, tables=_mentioned_tables(text, toks, raw))
    locks = _functions_ok(toks, kind)
    try:
        tree = _parse(text, raw)
    except _Refusal as why:
        raise _Refusal(kind, f"{why.reason}, so the tables it reads are unknown; {UNKNOWN}")
    meta, user, problems = _query_tables(tree)
    if user:
        raise _refuse_rows(kind, policy, user)
    if problems:
        raise _Refusal(kind, f"it uses {problems[0]}; {UNKNOWN}")
    unlisted = [m for m in meta if m.upper() not in INFORMATION_SCHEMA_TABLES]
    if unlisted:
        raise _Refusal(kind, f"information_schema.{unlisted[0]} is not on the guard's list of metadata"
                       " tables (some information_schema tables hold values from rows: histograms,"
                       " full-text words, locked keys, query texts)", hint="if schema-apply needs this"
                       " table, add it to guard.INFORMATION_SCHEMA_TABLES after checking it holds no row data")
    return StatementInfo(LOCK if locks else METADATA_READ)


def _expressions(toks: Sequence[_Tok], kind: str, policy: _Policy) -> str:
    """Check value expressions (SET, DO, SHOW … WHERE): no query, no stored function. Returns a kind."""
    for t in toks:
        if t.w("SELECT", "TABLE", "VALUES", "WITH", "FROM", "INTO", "FOR"):
            secrets = _secret_words(toks, policy)
            if secrets:
                raise _refuse_rows(kind, policy, secrets)
            raise _Refusal(kind, f"its value holds a query or a clause the guard does not allow here; {UNKNOWN}")
    if not toks:
        raise _Refusal(kind, UNKNOWN)
    return LOCK if _functions_ok(toks, kind) else SESSION


def _split_commas(toks: Sequence[_Tok]) -> list[list[_Tok]]:
    parts: list[list[_Tok]] = [[]]
    for t, depth in zip(toks, _depths(toks)):
        if depth == 0 and t.p(","):
            parts.append([])
        else:
            parts[-1].append(t)
    return parts


# --- SET, SHOW, transactions ------------------------------------------------------------------------

def _set(toks: list[_Tok], policy: _Policy) -> StatementInfo:
    kind = SESSION
    for part in _split_commas(toks[1:]):
        if not part:
            raise _Refusal("SET", UNKNOWN)
        i = 0
        if part[0].w("GLOBAL", "PERSIST", "PERSIST_ONLY"):
            raise _Refusal("SET", "it changes a server-wide setting; schema-apply sets session variables only")
        if part[0].w("SESSION", "LOCAL"):
            i = 1
        if i < len(part) and part[i].w("NAMES"):
            rest = part[i + 1:]
            ok = (len(rest) == 1 and (_is_name(rest[0]) or rest[0].kind == "string")) or (
                len(rest) == 3 and rest[1].w("COLLATE") and all(_is_name(r) or r.kind == "string"
                                                                for r in (rest[0], rest[2])))
            if not ok:
                raise _Refusal("SET", UNKNOWN)
            continue
        if i + 1 < len(part) and part[i].w("CHARACTER") and part[i + 1].w("SET"):
            i += 1
        if i < len(part) and part[i].w("CHARSET", "SET") and i + 2 == len(part):
            continue
        # the variable: name | @@[session.|local.]name | @user_var
        target = part[i:]
        if target and target[0].p("@@"):
            target = target[1:]
            if len(target) >= 2 and target[0].w("GLOBAL", "PERSIST", "PERSIST_ONLY") and target[1].p("."):
                raise _Refusal("SET", "it changes a server-wide setting; schema-apply sets session variables only")
            if len(target) >= 2 and target[0].w("SESSION", "LOCAL") and target[1].p("."):
                target = target[2:]
        elif target and target[0].p("@"):
            target = target[1:]
            if target and target[0].kind == "string":
                target = [_Tok("ident", target[0].text, target[0].raw, target[0].start, target[0].end)] + target[1:]
        if len(target) < 3 or not _is_name(target[0]) or not target[1].p("=", ":="):
            raise _Refusal("SET", UNKNOWN)
        if target[0].w("PASSWORD", "ROLE", "TRANSACTION", "STATEMENT", "DEFAULT"):
            raise _Refusal("SET", UNKNOWN)
        if _expressions(target[2:], "SET", policy) == LOCK:
            kind = LOCK
    return StatementInfo(kind)


_SHOW_CREATE = {"TABLE", "VIEW", "DATABASE", "SCHEMA", "TRIGGER", "PROCEDURE", "FUNCTION", "EVENT", "SEQUENCE"}


def _show(toks: list[_Tok], policy: _Policy) -> StatementInfo:
    rest = toks[1:]
    words = [t.text if t.kind == "word" else "" for t in rest]

    def tail(i: int) -> None:
        """What may follow: nothing, LIKE 'pattern', or WHERE expression."""
        if i >= len(rest):
            return
        if rest[i].w("LIKE") and len(rest) == i + 2 and rest[i + 1].kind == "string":
            return
        if rest[i].w("WHERE") and len(rest) > i + 1:
            _expressions(rest[i + 1:], "SHOW", policy)
            return
        raise _Refusal("SHOW", UNKNOWN)

    if words[:1] == ["CREATE"] and len(rest) >= 2:
        what = words[1]
        if what in _SHOW_CREATE:
            i = 2
            if what in ("DATABASE", "SCHEMA") and words[2:5] == ["IF", "NOT", "EXISTS"]:
                i = 5
            got = _name_at(rest, i)
            if got and got[1] == len(rest):
                return _info(METADATA_READ, [got[0]] if what in ("TABLE", "VIEW", "SEQUENCE") else [], policy)
        if what == "USER":
            raise _Refusal("SHOW CREATE USER", "it shows password hashes; " + UNKNOWN)
        raise _Refusal("SHOW CREATE", UNKNOWN)
    if words[:1] and words[0] in ("GLOBAL", "SESSION", "LOCAL"):
        if words[1:2] == ["VARIABLES"]:
            tail(2)
            return StatementInfo(METADATA_READ)
        raise _Refusal("SHOW", UNKNOWN)
    first = words[0] if words else ""
    if first == "VARIABLES" or first in ("DATABASES", "SCHEMAS", "COLLATION") or words[:2] == ["CHARACTER", "SET"] \
            or first == "CHARSET":
        tail(2 if words[:2] == ["CHARACTER", "SET"] else 1)
        return StatementInfo(METADATA_READ)
    if first == "ENGINES" and len(rest) == 1 or words[:2] == ["STORAGE", "ENGINES"] and len(rest) == 2:
        return StatementInfo(METADATA_READ)
    if first in ("WARNINGS", "ERRORS"):
        if len(rest) == 1 or (words[1:2] == ["LIMIT"] and all(t.kind == "number" or t.p(",") for t in rest[2:])
                              and len(rest) > 2):
            return StatementInfo(METADATA_READ)
        raise _Refusal("SHOW", UNKNOWN)
    if first == "GRANTS":
        if len(rest) == 1:
            return StatementInfo(METADATA_READ)
        if words[1:2] == ["FOR"] and len(rest) >= 3:
            user = rest[2:]
            if user[0].w("CURRENT_USER") and (len(user) == 1 or (len(user) == 3 and user[1].p("(") and user[2].p(")"))):
                return StatementInfo(METADATA_READ)
            if len(user) in (1, 3) and all(_is_name(u) or u.kind == "string" for u in user[::2]) \
                    and (len(user) == 1 or user[1].p("@")):
                return StatementInfo(METADATA_READ)
        raise _Refusal("SHOW GRANTS", UNKNOWN)
    j = 0
    if words[j:j + 1] == ["EXTENDED"]:
        j += 1
    if words[j:j + 1] == ["FULL"]:
        j += 1
    if words[j:j + 1] == ["TABLES"]:
        j += 1
        if words[j:j + 1] in (["FROM"], ["IN"]):
            if not _is_name(rest[j + 1] if j + 1 < len(rest) else None):
                raise _Refusal("SHOW TABLES", UNKNOWN)
            j += 2
        tail(j)
        return StatementInfo(METADATA_READ)
    if words[j:j + 1] and words[j] in ("COLUMNS", "FIELDS", "INDEX", "INDEXES", "KEYS"):
        tables = _show_target(rest, j + 1)
        on = f" (on {policy.show(tables)})" if tables else ""
        raise _Refusal(f"SHOW {words[j]}", f"schema-apply reads columns and indexes from information_schema{on}"
                       " (SHOW COLUMNS/INDEX need privileges on the table, and SHOW INDEX shows cardinality"
                       " estimates derived from rows)", tables=tables)
    if words[:2] == ["TABLE", "STATUS"]:
        raise _Refusal("SHOW TABLE STATUS", "it shows row counts, AUTO_INCREMENT counters and data sizes,"
                       " which are never shown for secret tables; " + UNKNOWN)
    shown = " ".join(w for w in words[:2] if w) or "…"
    raise _Refusal(f"SHOW {shown}", "it is not among the SHOW statements schema-apply uses; " + UNKNOWN)


def _show_target(rest: Sequence[_Tok], i: int) -> list[_Name]:
    if i < len(rest) and rest[i].w("FROM", "IN"):
        got = _name_at(rest, i + 1)
        if got:
            name, j = got
            if j + 1 < len(rest) and rest[j].w("FROM", "IN") and _is_name(rest[j + 1]):
                name = _Name(rest[j + 1].raw, name.table)
            return [name]
    return []


def _transaction(toks: list[_Tok]) -> StatementInfo:
    words = [t.text if t.kind == "word" else "?" for t in toks]
    allowed = (["COMMIT"], ["COMMIT", "WORK"], ["ROLLBACK"], ["ROLLBACK", "WORK"], ["BEGIN"], ["BEGIN", "WORK"],
               ["START", "TRANSACTION"], ["START", "TRANSACTION", "READ", "ONLY"],
               ["START", "TRANSACTION", "READ", "WRITE"],
               ["START", "TRANSACTION", "WITH", "CONSISTENT", "SNAPSHOT"])
    if words in allowed:
        return StatementInfo(SESSION)
    raise _Refusal(words[0], UNKNOWN)


# --- DDL --------------------------------------------------------------------------------------------

LOCAL_ENGINES = frozenset({"INNODB", "MYISAM", "ARIA", "MEMORY", "HEAP", "ARCHIVE", "BLACKHOLE", "CSV",
                           "ROCKSDB", "TOKUDB", "NDB", "NDBCLUSTER"})
"""Storage engines a CREATE/ALTER TABLE may name. MERGE (UNION=…), FEDERATED, CONNECT, SPIDER and the
like are refused: they make a table whose rows are another table's (or another server's)."""


def _ddl(text: str, toks: list[_Tok], policy: _Policy) -> StatementInfo:
    verb = toks[0].text
    i = 1
    if verb == "RENAME":
        if i < len(toks) and toks[i].w("TABLE", "TABLES"):
            return _rename_table(toks, i + 1, policy)
        raise _Refusal(f"RENAME {_word_of(toks, 1)}".strip(), UNKNOWN)
    if verb == "CREATE" and toks[i:i + 2] and toks[i].w("OR") and i + 1 < len(toks) and toks[i + 1].w("REPLACE"):
        i += 2
    # view options may come before VIEW: ALGORITHM = x, DEFINER = user, SQL SECURITY x
    j = _view_options(toks, i)
    if j is not None and j < len(toks) and toks[j].w("VIEW") and verb in ("CREATE", "ALTER"):
        return _view(text, toks, j + 1, verb, policy)
    if verb == "DROP":
        return _drop(toks, policy)
    if verb == "ALTER":
        while i < len(toks) and toks[i].w("ONLINE", "IGNORE"):
            i += 1
        if i < len(toks) and toks[i].w("TABLE"):
            return _alter_table(toks, i + 1, policy)
        if i < len(toks) and toks[i].w("DATABASE", "SCHEMA"):
            return _database(toks, i + 1, "ALTER DATABASE")
        raise _Refusal(f"ALTER {_word_of(toks, i)}".strip(), f"schema-apply alters tables, views and databases only; {UNKNOWN}")
    # CREATE
    if i < len(toks) and toks[i].w("TEMPORARY"):
        i += 1
    if i < len(toks) and toks[i].w("TABLE"):
        return _create_table(toks, i + 1, policy)
    k = i
    while k < len(toks) and toks[k].w("ONLINE", "OFFLINE", "UNIQUE", "FULLTEXT", "SPATIAL"):
        k += 1
    if k < len(toks) and toks[k].w("INDEX"):
        return _create_index(toks, k + 1, policy)
    if i < len(toks) and toks[i].w("DATABASE", "SCHEMA"):
        return _database(toks, i + 1, "CREATE DATABASE")
    what = _word_of(toks, i)
    raise _Refusal(f"CREATE {what}".strip(), UNKNOWN)


# --- stored programs --------------------------------------------------------------------------------

_PROGRAMS = ("TRIGGER", "PROCEDURE", "FUNCTION", "EVENT")
_ROUTINE_CHARACTERISTICS = {"COMMENT", "LANGUAGE", "SQL", "CONTAINS", "NO", "READS", "MODIFIES", "DATA", "SECURITY",
                            "DEFINER", "INVOKER"}


def _program_kind(toks: Sequence[_Tok]) -> str | None:
    """TRIGGER/PROCEDURE/FUNCTION/EVENT if the statement creates, drops or alters one (the kind word
    comes after OR REPLACE, DEFINER = account and AGGREGATE, in the first dozen tokens)."""
    for t in toks[1:14]:
        if t.w(*_PROGRAMS):
            return t.text
        if t.w("TABLE", "VIEW", "INDEX", "DATABASE", "SCHEMA", "USER", "ROLE", "SERVER", "TABLESPACE") or t.p("("):
            return None
    return None


def _stored_program(text: str, toks: list[_Tok], policy: _Policy) -> StatementInfo:
    """CREATE TRIGGER/PROCEDURE/FUNCTION/EVENT (a compound body holds semicolons: it is read as one
    statement by the Schemafile parser, and anything after it is refused), the ALTER EVENT of a
    replacement, ALTER PROCEDURE/FUNCTION characteristics, DROP of one. A body that reads or writes
    secret tables from a non-secret program, or moves secret rows out, is refused here too."""
    from .program_firewall import statement_refusals
    verb, kind = toks[0].text, _program_kind(toks)
    label = f"{verb} {kind}"
    if verb == "DROP":
        i = _skip_if_exists(toks, 2)
        got = _name_at(toks, i) if len(toks) > 2 and toks[1].w(kind) else None
        if got is None or got[1] != len(toks) - (1 if toks[-1].p(";") else 0):
            raise _Refusal(label, UNKNOWN)
        return StatementInfo(DDL)
    if verb == "ALTER" and kind in ("PROCEDURE", "FUNCTION"):
        got = _name_at(toks, 2) if toks[1].w(kind) else None
        rest = toks[got[1]:] if got else []
        if got is None or not all(t.kind == "string" or t.w(*_ROUTINE_CHARACTERISTICS) for t in rest):
            raise _Refusal(label, f"schema-apply alters only a routine's characteristics; {UNKNOWN}")
        return StatementInfo(DDL)
    if verb == "ALTER":  # ALTER EVENT …: read as the CREATE EVENT it amounts to
        if not any(t.w("DO") for t in toks):
            raise _Refusal(label, UNKNOWN)
        text = "CREATE" + text[toks[0].end + 1:]
    tables, reasons = statement_refusals(text, policy.prefixes, policy.lctn, policy.database)
    names = [_Name(*t.split(".", 1)) if "." in t else _Name(None, t) for t in tables]
    if reasons:
        raise _Refusal(label, "; ".join(reasons), tables=names)
    return _info(DDL, names, policy)


def _word_of(toks: Sequence[_Tok], i: int) -> str:
    return toks[i].text if i < len(toks) and toks[i].kind == "word" and len(toks[i].text) <= 20 else ""


def _skip_if_exists(toks: Sequence[_Tok], i: int, *, not_: bool = False) -> int:
    words = ["IF", "NOT", "EXISTS"] if not_ else ["IF", "EXISTS"]
    if all(i + k < len(toks) and toks[i + k].w(w) for k, w in enumerate(words)):
        return i + len(words)
    return i


def _need_name(toks: Sequence[_Tok], i: int, kind: str) -> tuple[_Name, int]:
    got = _name_at(toks, i)
    if got is None:
        raise _Refusal(kind, f"the guard cannot read the table name; {UNKNOWN}")
    return got


def _info(kind: str, tables: Iterable[_Name], policy: _Policy) -> StatementInfo:
    names = _unique(tables)
    return StatementInfo(kind, tuple(str(t) for t in names), tuple(str(t) for t in names if policy.secret(t)))


def _no_query(toks: Sequence[_Tok], kind: str, policy: _Policy, tables: Sequence[_Name]) -> None:
    """DDL other than a view must hold no query: nothing here may read rows."""
    for k, t in enumerate(toks):
        if t.w("SELECT") or (t.w("VALUES") and not (k + 1 < len(toks) and toks[k + 1].w("LESS", "IN"))):
            sources = [got[0] for j, s in enumerate(toks[:-1]) if s.w("FROM", "JOIN", "TABLE")
                       and (got := _name_at(toks, j + 1))]
            sources += [s for s in _secret_words(toks, policy) if s not in tables and s not in sources]
            raise _refuse_rows(kind, policy, _unique(sources),
                               what="copies rows (… SELECT / TABLE / VALUES) from")


def _engines(toks: Sequence[_Tok], kind: str, tables: Sequence[_Name]) -> None:
    for k, t in enumerate(toks):
        if t.w("ENGINE"):
            v = k + 1
            if v < len(toks) and toks[v].p("="):
                v += 1
            if v >= len(toks) or toks[v].kind not in ("word", "ident", "string"):
                raise _Refusal(kind, f"the guard cannot read the storage engine; {UNKNOWN}", tables=tables)
            engine = toks[v].raw.upper()
            if engine not in LOCAL_ENGINES:
                shown = toks[v].raw if _WORD.fullmatch(toks[v].raw) and len(engine) <= 30 else "…"
                raise _Refusal(kind, f"storage engine {shown} can make a table whose rows are another table's"
                               " or another server's; schema-apply allows local engines only"
                               f" ({', '.join(sorted(LOCAL_ENGINES))})", tables=tables)
        if t.w("UNION") or t.w("CONNECTION"):
            raise _Refusal(kind, f"the {t.text} table option makes a table read other tables' rows"
                           " (MERGE / FEDERATED); schema-apply never uses it", tables=tables)


def _references(toks: Sequence[_Tok]) -> list[_Name]:
    out = []
    for k, t in enumerate(toks):
        if t.w("REFERENCES"):
            got = _name_at(toks, k + 1)
            if got:
                out.append(got[0])
    return out


def _create_table(toks: list[_Tok], i: int, policy: _Policy) -> StatementInfo:
    kind = "CREATE TABLE"
    i = _skip_if_exists(toks, i, not_=True)
    name, i = _need_name(toks, i, kind)
    rest = toks[i:]
    # CREATE TABLE t LIKE src  |  CREATE TABLE t (LIKE src): the definition only, never rows
    if rest and rest[0].w("LIKE"):
        src, j = _need_name(rest, 1, kind)
        if j == len(rest):
            return _info("ddl", [name, src], policy)
    if len(rest) >= 3 and rest[0].p("(") and rest[1].w("LIKE"):
        src, j = _need_name(rest, 2, kind)
        if j + 1 == len(rest) and rest[j].p(")"):
            return _info("ddl", [name, src], policy)
    _no_query(rest, kind, policy, [name])
    for t in rest:
        if t.w("TABLE"):
            raise _Refusal(kind, f"the guard cannot classify this table definition; {UNKNOWN}", tables=[name])
    _engines(rest, kind, [name])
    return _info(DDL, [name, *_references(rest)], policy)


def _alter_table(toks: list[_Tok], i: int, policy: _Policy) -> StatementInfo:
    kind = "ALTER TABLE"
    i = _skip_if_exists(toks, i)
    name, i = _need_name(toks, i, kind)
    rest = toks[i:]
    _no_query(rest, kind, policy, [name])
    _engines(rest, kind, [name])
    tables = [name]
    depths = _depths(rest)
    for k, t in enumerate(rest):
        if depths[k] != 0:
            continue
        if t.w("RENAME"):
            nxt = rest[k + 1] if k + 1 < len(rest) else None
            if nxt is not None and nxt.w("COLUMN", "INDEX", "KEY", "CONSTRAINT"):
                continue
            j = k + 1
            if nxt is not None and nxt.w("TO", "AS"):
                j += 1
            new, _ = _need_name(rest, j, kind)
            tables.append(new)
            _declassify_check("ALTER TABLE … RENAME", name, new, policy)
        elif t.w("TABLE"):
            # EXCHANGE PARTITION p WITH TABLE x / CONVERT PARTITION p TO TABLE x / CONVERT TABLE x TO …
            other, _ = _need_name(rest, _skip_if_exists(rest, k + 1, not_=True), kind)
            tables.append(other)
            if policy.secret(name) != policy.secret(other):
                secret, plain = (name, other) if policy.secret(name) else (other, name)
                raise _Refusal(kind, f"it moves rows between secret table {policy.show([secret])} and"
                               f" non-secret table {policy.show([plain])}, which would expose secret rows",
                               tables=tables, hint="exchange or convert partitions only between tables that"
                                                   " are both secret or both not")
    return _info(DDL, tables + _references(rest), policy)


def _declassify_check(kind: str, old: _Name, new: _Name, policy: _Policy) -> None:
    if policy.secret(old) and not policy.secret(new):
        raise _Refusal(kind, f"it would rename secret table {policy.show([old])} to the non-secret name"
                       f" {policy.show([new])}, exposing its rows to anyone who may read non-secret tables",
                       tables=[old, new],
                       hint=f"keep a secret prefix ({policy.prefixes_text()}) on the new name")


def _rename_table(toks: list[_Tok], i: int, policy: _Policy) -> StatementInfo:
    kind = "RENAME TABLE"
    i = _skip_if_exists(toks, i)
    tables: list[_Name] = []
    pairs = _split_commas(toks[i:])
    for pair in pairs:
        old, j = _need_name(pair, 0, kind)
        if j < len(pair) and pair[j].w("NOWAIT"):
            j += 1
        elif j + 1 < len(pair) and pair[j].w("WAIT") and pair[j + 1].kind == "number":
            j += 2
        if j >= len(pair) or not pair[j].w("TO"):
            raise _Refusal(kind, UNKNOWN, tables=[old])
        new, k = _need_name(pair, j + 1, kind)
        if k != len(pair):
            raise _Refusal(kind, UNKNOWN, tables=[old, new])
        tables += [old, new]
        _declassify_check(kind, old, new, policy)
    return _info(DDL, tables, policy)


def _drop(toks: list[_Tok], policy: _Policy) -> StatementInfo:
    i = 1
    if i < len(toks) and toks[i].w("TEMPORARY"):
        i += 1
    what = _word_of(toks, i)
    if what in ("TABLE", "TABLES", "VIEW"):
        kind = f"DROP {what}"
        i = _skip_if_exists(toks, i + 1)
        names, rest = [], toks[i:]
        trailing = 0
        while trailing < len(rest) and rest[len(rest) - 1 - trailing].w("RESTRICT", "CASCADE", "NOWAIT"):
            trailing += 1
        body = rest[:len(rest) - trailing]
        if len(body) >= 2 and body[-2].w("WAIT") and body[-1].kind == "number":
            body = body[:-2]
        for part in _split_commas(body):
            name, j = _need_name(part, 0, kind)
            if j != len(part):
                raise _Refusal(kind, UNKNOWN, tables=[name])
            names.append(name)
        return _info(DDL, names, policy)
    if what == "INDEX":
        kind = "DROP INDEX"
        i = _skip_if_exists(toks, i + 1)
        if i < len(toks) and _is_name(toks[i]) and i + 1 < len(toks) and toks[i + 1].w("ON"):
            table, j = _need_name(toks, i + 2, kind)
            _options_only(toks[j:], kind, [table])
            return _info(DDL, [table], policy)
        raise _Refusal(kind, UNKNOWN)
    if what in ("DATABASE", "SCHEMA"):
        i = _skip_if_exists(toks, i + 1)
        if i + 1 == len(toks) and _is_name(toks[i]):
            return StatementInfo(DDL)
        raise _Refusal("DROP DATABASE", UNKNOWN)
    raise _Refusal(f"DROP {what}".strip(), f"schema-apply drops tables, views, indexes and databases only; {UNKNOWN}")


def _options_only(toks: Sequence[_Tok], kind: str, tables: Sequence[_Name]) -> None:
    """``ALGORITHM [=] x``, ``LOCK [=] x``, ``WAIT n``, ``NOWAIT`` — and nothing else."""
    k = 0
    while k < len(toks):
        if toks[k].w("ALGORITHM", "LOCK"):
            k += 1
            if k < len(toks) and toks[k].p("="):
                k += 1
            if k < len(toks) and toks[k].kind == "word":
                k += 1
                continue
        elif toks[k].w("NOWAIT"):
            k += 1
            continue
        elif toks[k].w("WAIT") and k + 1 < len(toks) and toks[k + 1].kind == "number":
            k += 2
            continue
        raise _Refusal(kind, UNKNOWN, tables=tables)


def _create_index(toks: list[_Tok], i: int, policy: _Policy) -> StatementInfo:
    kind = "CREATE INDEX"
    i = _skip_if_exists(toks, i, not_=True)
    depths = _depths(toks)
    on = next((k for k in range(i, len(toks)) if depths[k] == 0 and toks[k].w("ON")), None)
    if on is None:
        raise _Refusal(kind, UNKNOWN)
    table, j = _need_name(toks, on + 1, kind)
    _no_query(toks[j:], kind, policy, [table])
    for t in toks[j:]:
        if t.w("TABLE"):
            raise _Refusal(kind, UNKNOWN, tables=[table])
    return _info(DDL, [table], policy)


def _database(toks: list[_Tok], i: int, kind: str) -> StatementInfo:
    for t in toks[i:]:
        if t.w("SELECT", "TABLE", "VALUES") or t.p("(", ")"):
            raise _Refusal(kind, UNKNOWN)
    return StatementInfo(DDL)


def _view_options(toks: Sequence[_Tok], i: int) -> int | None:
    """Skip ``ALGORITHM = x``, ``DEFINER = user``, ``SQL SECURITY x``; return the index after them."""
    while i < len(toks):
        t = toks[i]
        if t.w("ALGORITHM") and i + 2 < len(toks) and toks[i + 1].p("=") and toks[i + 2].kind == "word":
            i += 3
        elif t.w("SQL") and i + 2 < len(toks) and toks[i + 1].w("SECURITY") and toks[i + 2].w("DEFINER", "INVOKER"):
            i += 3
        elif t.w("DEFINER") and i + 2 < len(toks) and toks[i + 1].p("="):
            j = i + 2
            if toks[j].w("CURRENT_USER"):
                j += 1
                if j + 1 < len(toks) and toks[j].p("(") and toks[j + 1].p(")"):
                    j += 2
            elif _is_name(toks[j]) or toks[j].kind == "string":
                j += 1
                if j + 1 < len(toks) and toks[j].p("@") and (_is_name(toks[j + 1]) or toks[j + 1].kind == "string"):
                    j += 2
            else:
                return None
            i = j
        else:
            return i
    return i


def _view(text: str, toks: list[_Tok], i: int, verb: str, policy: _Policy) -> StatementInfo:
    kind = f"{verb} VIEW"
    i = _skip_if_exists(toks, i, not_=True)
    name, i = _need_name(toks, i, kind)
    if i < len(toks) and toks[i].p("("):  # column list
        depths = _depths(toks)
        close = next((k for k in range(i + 1, len(toks)) if toks[k].p(")") and depths[k] == depths[i]), None)
        if close is None or not all(_is_name(t) or t.p(",") for t in toks[i + 1:close]):
            raise _Refusal(kind, UNKNOWN, tables=[name])
        i = close + 1
    if i >= len(toks) or not toks[i].w("AS") or i + 1 >= len(toks):
        raise _Refusal(kind, UNKNOWN, tables=[name])
    body_toks = toks[i + 1:]
    n = len(body_toks)  # drop a trailing WITH [CASCADED | LOCAL] CHECK OPTION
    if n >= 3 and body_toks[-1].w("OPTION") and body_toks[-2].w("CHECK"):
        n -= 3 if body_toks[-3].w("WITH") else 4
        if n < 1 or not body_toks[n].w("WITH"):
            raise _Refusal(kind, UNKNOWN, tables=[name])
    body_toks = body_toks[:n]
    if not body_toks:
        raise _Refusal(kind, UNKNOWN, tables=[name])
    body = text[body_toks[0].start:body_toks[-1].end + 1]
    try:
        _, raw = _tokenize(body)
        tree = _parse(body, raw)
        meta, user, _problems = _query_tables(tree)
        read = user
    except _Refusal:
        # The query is not parseable by sqlglot: fall back to every name in it (never a string).
        read = _secret_words(body_toks, policy)
    secret_read = [t for t in read if policy.secret(t)]
    if secret_read and not policy.secret(name):
        raise _Refusal(kind, f"view {policy.show([name])} reads secret table {policy.show(secret_read)} but is not"
                       " secret-named itself, so it would expose the secret rows to anyone who may read"
                       " non-secret objects", tables=[name, *secret_read],
                       hint=f"give the view a secret prefix ({policy.prefixes_text()}), or build it on"
                            " non-secret tables only")
    return _info(DDL, [name, *read, *secret_read], policy)

