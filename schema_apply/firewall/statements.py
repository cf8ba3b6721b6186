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
    quote values: pass them through :func:`schema_apply.firewall.redaction.redact_server_message`.
    The session tables the apply's lock-wait checks read (``PROCESSLIST``, ``INNODB_TRX``,
    ``METADATA_LOCK_INFO``) only column by column, from :data:`SESSION_METADATA_COLUMNS` (never the
    statement texts, which hold values).
``lock``
    ``SELECT``/``DO`` of ``GET_LOCK``, ``RELEASE_LOCK``, ``IS_FREE_LOCK``, ``IS_USED_LOCK``.
``session``
    ``SET [SESSION] var = value`` (``SET NAMES``, ``SET CHARACTER SET``, user variables, several
    assignments), ``USE db``, ``START TRANSACTION``/``BEGIN``/``COMMIT``/``ROLLBACK``, and
    ``KILL [QUERY | CONNECTION] <id>`` (the apply stops its own statement or session).
``ddl``
    ``CREATE/ALTER/DROP TABLE``, ``RENAME TABLE``, ``CREATE/DROP INDEX``, ``CREATE/ALTER/DROP
    VIEW``, ``CREATE/ALTER/DROP DATABASE`` — on secret tables too (DDL reads no rows); ``CREATE
    TRIGGER/PROCEDURE/FUNCTION/EVENT`` (a compound body is one statement) whose body passes the
    firewall's body rules (``firewall.programs``), ``DROP`` of one, ``ALTER EVENT`` with its body,
    ``ALTER PROCEDURE/FUNCTION`` characteristics — all of it once the secrecy policy is settled (the
    server's ``lower_case_table_names`` known).

Everything else is refused with :class:`~schema_apply.errors.SecretAccessRefused`: any statement
that reads (or writes) rows of any user table, secret or not (schema-apply reads metadata only,
and a plain name may be a view over a secret table); ``CALL``, ``PREPARE``/``EXECUTE``,
``HANDLER``, ``LOAD``, ``CHECKSUM``/``ANALYZE TABLE``, ``EXPLAIN``/``DESCRIBE``, ``SHOW
COLUMNS``/``INDEX``/``TABLE STATUS``; more than one statement in one text; and DDL that would
build a way to secret rows — the rules of :mod:`schema_apply.firewall.objects`, as far as the
statement's text shows them: renaming a secret table to a non-secret name, a non-secret view that
reads a secret table, another database or a system schema or calls anything but a built-in
function (:func:`~schema_apply.firewall.queries.view_query_reasons`, the same rule the plan
applies), a foreign key from a non-secret table into a secret table or into a system schema,
moving partitions between a secret and a non-secret table, ``CREATE TABLE … SELECT``, and storage
engines that expose other tables' rows (MERGE, FEDERATED, CONNECT, SPIDER).

How a statement is read: :mod:`schema_apply.firewall.reading` gives every reading a server could
give the text (versioned comments, ``ANSI_QUOTES``, ``NO_BACKSLASH_ESCAPES``), and the statement is
allowed only if every reading is allowed. DDL and session statements are classified from the token
stream (DDL often uses syntax sqlglot cannot parse); queries — a ``SELECT``, a view's definition —
are parsed with sqlglot to find every table they reference.

Decisions worth knowing. Unqualified names are user tables even after ``USE information_schema``
(the tool always writes ``information_schema.X``). Within the tool's own queries every function
call must be an unqualified built-in from a short list, written ``NAME(`` with no space, since a
stored function can read any table. ``SHOW COLUMNS/FIELDS/INDEX/KEYS`` are refused: the tool reads
the same from information_schema, they need privileges on the table, and ``SHOW INDEX`` shows
row-derived cardinality. A text holding a NUL byte is refused. A failure inside the guard refuses
the statement (fail closed).

Refusal messages name the statement kind, the table(s) and the reason, never a literal value of
the statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.tokens import Token

from ..errors import SecretAccessRefused
from .objects import LOCAL_ENGINES, foreign_key_reason
from .programs import statement_refusals
from .queries import (INFORMATION_SCHEMA_TABLES, LOCK_FUNCTIONS, STRUCTURAL, TOOL_FUNCTIONS, VIEW_RULE, query_tables,
                      view_query_reasons)
from .reading import (WORD, Name, Tok, Unreadable, depths, is_name, name_at, parse, q, readings, split_commas,
                      tokenize, unique)
from .secrecy import SecrecyPolicy

__all__ = ["StatementInfo", "check", "METADATA_READ", "LOCK", "SESSION", "DDL"]

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


def check(sql: str, policy: SecrecyPolicy, database: str | None = None) -> StatementInfo:
    """Classify ``sql`` (one statement, parameters interpolated); refuse it unless it is allowed.

    Returns a :class:`StatementInfo` if the statement is allowed; raises
    :class:`~schema_apply.errors.SecretAccessRefused` otherwise; besides its message (kind, tables,
    reason — never a literal of the statement) and ``hint``, the exception carries
    ``statement_kind``, ``tables`` and ``secret_tables``. ``database`` is the connection's current
    database: the managed one, which a view may read, and which qualifies names in messages. A
    failure inside the guard itself refuses the statement (fail closed).
    """
    ctx = _Ctx(policy, database)
    try:
        return _check(sql, ctx)
    except SecretAccessRefused:
        raise
    except Exception as bug:  # fail closed: a bug in the guard refuses, it never lets a statement through
        raise _Refusal("unclassifiable", f"the guard failed while classifying it ({type(bug).__name__});"
                       f" {UNKNOWN}").error(ctx, alternative=False) from None


def _check(sql: str, ctx: "_Ctx") -> StatementInfo:
    if "\0" in sql:  # servers disagree on what follows a NUL byte; schema-apply never sends one
        raise _Refusal("unclassifiable", f"the text holds a NUL byte; {UNKNOWN}").error(ctx, alternative=False)
    try:
        texts = readings(sql)
    except Unreadable as why:
        raise _Refusal("unclassifiable", f"{why}; {UNKNOWN}").error(ctx, alternative=False) from None
    results: list[StatementInfo] = []
    for index, (text, ansi) in enumerate(texts):
        try:
            results.append(_classify(text, ctx, ansi_quotes=ansi))
        except _Refusal as refusal:
            raise refusal.error(ctx, alternative=index > 0) from None
    first = results[0]
    tables = unique(t for info in results for t in info.tables)
    secrets = unique(t for info in results for t in info.secret_tables)
    return StatementInfo(first.kind, tables, secrets)


# --- refusals ---------------------------------------------------------------------------------------


class _Refusal(Exception):
    """Internal: why one reading of the statement is refused (turned into SecretAccessRefused)."""

    def __init__(self, kind: str, reason: str, *, tables: Iterable["Name"] = (), hint: str | None = None):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.tables = unique(tables)
        self.hint = hint

    def error(self, ctx: "_Ctx", *, alternative: bool) -> SecretAccessRefused:
        noun = "text" if self.kind in _TEXT_KINDS else "statement"
        message = f"refused {self.kind} {noun}: {self.reason}"
        if alternative:
            message += (" (this is how the server reads the statement under some server versions or"
                        " sql_mode settings: executable /*! */ comments, ANSI_QUOTES or"
                        " NO_BACKSLASH_ESCAPES)")
        error = SecretAccessRefused(message, hint=self.hint)
        error.statement_kind = self.kind  # type: ignore[attr-defined]
        error.tables = tuple(str(t) for t in self.tables)  # type: ignore[attr-defined]
        error.secret_tables = tuple(str(t) for t in self.tables if ctx.secret(t))  # type: ignore[attr-defined]
        return error


_TEXT_KINDS = {"multi-statement", "empty", "unclassifiable", "unrecognised"}


@dataclass(frozen=True)
class _Ctx:
    """The policy and the connection's current database, for one statement."""

    policy: SecrecyPolicy
    database: str | None

    def secret(self, name: Name) -> bool:
        return self.policy.is_secret(name.table)

    def show(self, names: Iterable[Name]) -> str:
        """Names for a message: backquoted, qualified with the current database when known."""
        out = []
        for name in unique(names):
            db = name.db or self.database
            out.append(f"{q(db)}.{q(name.table)}" if db else q(name.table))
        return ", ".join(out)

    def prefixes_text(self) -> str:
        return self.policy.prefixes_text()


def _tokenize(text: str) -> tuple[list[Tok], list[Token]]:
    try:
        return tokenize(text)
    except Unreadable as why:
        raise _Refusal("unclassifiable", f"{why}; {UNKNOWN}") from None


def _parse(text: str, raw: Sequence[Token]) -> exp.Expr:
    try:
        return parse(text, raw)
    except Unreadable as why:
        raise _Refusal("query", str(why)) from None


METADATA_ONLY = ("schema-apply reads metadata only (information_schema, SHOW CREATE) and sends DDL; it"
                 " never reads or writes rows of user tables, and a plain table name may be a view"
                 " over a secret table")
UNKNOWN = ("the guard allows only metadata reads, session settings, the apply lock and DDL, and"
           " refuses anything it cannot classify with certainty")


def _refuse_rows(kind: str, ctx: _Ctx, tables: Sequence[Name], what: str = "reads rows of") -> _Refusal:
    secrets = [t for t in tables if ctx.secret(t)]
    if secrets:
        return _Refusal(kind, f"it {what} secret table {ctx.show(secrets)} (matching secret prefix"
                        f" {ctx.prefixes_text()}); rows of secret tables are never read",
                        tables=tables,
                        hint="schema-apply needs no rows: read metadata from information_schema or"
                             " SHOW CREATE TABLE instead")
    named = f" {ctx.show(tables)}" if tables else ""
    return _Refusal(kind, f"it {what} table{named}: {METADATA_ONLY}", tables=tables)


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


def _classify(text: str, ctx: _Ctx, *, ansi_quotes: bool) -> StatementInfo:
    toks, raw = _tokenize(text)
    if toks and toks[0].w("CREATE", "DROP", "ALTER") and _program_kind(toks):
        return _stored_program(text, toks, ctx)
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
        return _query_statement(text, toks, raw, ctx, ansi_quotes=ansi_quotes)
    if head.kind != "word":
        raise _Refusal("unrecognised", UNKNOWN)
    word = head.text
    if word == "SHOW":
        return _show(toks, ctx)
    if word == "SET":
        return _set(toks, ctx)
    if word == "DO":
        kind = _expressions(toks[1:], "DO", ctx)
        return StatementInfo(kind)
    if word == "USE":
        if len(toks) == 2 and is_name(toks[1]):
            return StatementInfo(SESSION)
        raise _Refusal("USE", UNKNOWN)
    if word in ("START", "BEGIN", "COMMIT", "ROLLBACK"):
        return _transaction(toks)
    if word in ("CREATE", "ALTER", "DROP", "RENAME"):
        return _ddl(text, toks, ctx)
    if word == "KILL":
        return _kill(toks)
    if word in _REFUSED_HEADS:
        kind = word if word not in ("DESC", "DESCRIBE") else "EXPLAIN/DESCRIBE"
        tables = _mentioned_tables(text, toks, raw)
        reason, rows = _REFUSED_HEADS[word]
        secrets = [t for t in tables if ctx.secret(t)]
        if secrets:
            raise _Refusal(kind, f"{reason}, and it names secret table {ctx.show(secrets)} (matching"
                           f" secret prefix {ctx.prefixes_text()}); rows of secret tables are never read",
                           tables=tables)
        named = f" (on {ctx.show(tables)})" if tables else ""
        raise _Refusal(kind, f"{reason}{named}" + (f"; {METADATA_ONLY}" if rows else ""), tables=tables)
    raise _Refusal(word if len(word) <= 20 else "unrecognised", UNKNOWN,
                   tables=[t for t in _secret_words(toks, ctx)])


def _secret_words(toks: Sequence[Tok], ctx: _Ctx) -> list[Name]:
    """Every name (never a string) matching a secret prefix, qualified where written so."""
    out = []
    for k, t in enumerate(toks):
        if is_name(t) and ctx.secret(Name(None, t.raw)):
            qualified = k >= 2 and toks[k - 1].p(".") and is_name(toks[k - 2])
            out.append(Name(toks[k - 2].raw if qualified else None, t.raw))
    return list(unique(out))


def _mentioned_tables(text: str, toks: Sequence[Tok], raw: Sequence[Token]) -> list[Name]:
    """Best effort, for messages: the tables a refused statement names."""
    try:
        tree = _parse(text, raw)
        names = [Name(t.db or None, t.name) for t in tree.find_all(exp.Table) if t.name]
    except _Refusal:
        names = []
    if not names:
        keys = {"FROM", "JOIN", "UPDATE", "INTO", "TABLE", "TABLES", "HANDLER", "STRAIGHT_JOIN", "USING"}
        for k, t in enumerate(toks[:-1]):
            if t.w(*keys) or (t.p(",") and names):
                got = name_at(toks, k + 1)
                if got and toks[k + 1].text not in ("SELECT", "TABLE", "VALUES", "WITH"):
                    names.append(got[0])
    return list(unique(names))


# --- queries ----------------------------------------------------------------------------------------

# Sessions and transactions, for the apply's lock-wait checks (who blocks a DDL, is our statement
# still running): readable column by column. PROCESSLIST.INFO and INNODB_TRX.trx_query hold the text of
# other sessions' statements — with the values in them — and are never selected.
SESSION_METADATA_COLUMNS = {
    "PROCESSLIST": frozenset({"ID", "USER", "HOST", "DB", "COMMAND", "TIME", "STATE"}),
    "INNODB_TRX": frozenset({"TRX_ID", "TRX_STATE", "TRX_STARTED", "TRX_MYSQL_THREAD_ID", "TRX_TABLES_IN_USE",
                             "TRX_TABLES_LOCKED"}),
    "METADATA_LOCK_INFO": frozenset({"THREAD_ID", "LOCK_MODE", "LOCK_DURATION", "LOCK_TYPE", "TABLE_SCHEMA",
                                     "TABLE_NAME"}),
}


def _session_metadata_columns(tree: exp.Expr, kind: str, tables: Sequence[str]) -> None:
    """A query over the session tables names each column it reads, from their allowed columns only."""
    allowed = frozenset().union(*(SESSION_METADATA_COLUMNS[t.upper()] for t in tables))
    for node in tree.walk():
        if isinstance(node, exp.Star):
            raise _Refusal(kind, f"it reads * from information_schema.{tables[0]}, whose statement texts hold"
                           " values from rows; name the columns")
        if isinstance(node, exp.Column) and node.name.upper() not in allowed:
            raise _Refusal(kind, f"it reads column {node.name} beside information_schema.{tables[0]}; of the"
                           f" session tables only {', '.join(sorted(allowed))} may be read (statement texts"
                           " hold values from rows)")


def _kill(toks: list[Tok]) -> StatementInfo:
    """``KILL [QUERY | CONNECTION] <id>``: stops a statement or session; reads nothing."""
    rest = toks[1:]
    if rest and rest[0].w("QUERY", "CONNECTION"):
        rest = rest[1:]
    if len(rest) == 1 and re.fullmatch(r"[0-9]+", rest[0].raw):
        return StatementInfo(SESSION)
    raise _Refusal("KILL", f"only KILL [QUERY | CONNECTION] <connection id> is allowed; {UNKNOWN}")


def _functions_ok(toks: Sequence[Tok], kind: str) -> bool:
    """Check every ``name(`` in ``toks``; return whether a lock function is among them."""
    locks = False
    for k in range(len(toks) - 1):
        t, nxt = toks[k], toks[k + 1]
        if not nxt.p("("):
            continue
        if t.kind == "word" and t.text in STRUCTURAL:
            continue
        if t.kind == "ident":
            raise _Refusal(kind, f"it calls a function by a quoted name ({q(t.raw)}(…)), which calls a stored"
                           f" function; a stored function can read any table; {UNKNOWN}")
        if t.kind != "word":
            continue  # "(", ",", operators: a parenthesised expression, not a call
        qualified = k > 0 and toks[k - 1].p(".")
        if qualified or t.text not in TOOL_FUNCTIONS:
            name = f"{toks[k - 2].raw}.{t.raw}" if qualified and k >= 2 else t.raw
            raise _Refusal(kind, f"it calls {name}(), which is not a built-in function known to read no"
                           f" table (a stored function can read any table); {UNKNOWN}")
        if nxt.start != t.end + 1:
            raise _Refusal(kind, f"it writes {t.raw} ( with a space before the parenthesis, which the server"
                           f" can read as a call to a stored function; {UNKNOWN}")
        locks = locks or t.text in LOCK_FUNCTIONS
    return locks


def _query_statement(text: str, toks: list[Tok], raw: list[Token], ctx: _Ctx, *,
                     ansi_quotes: bool) -> StatementInfo:
    kind = "SELECT" if toks[0].p("(") else toks[0].text
    # Token-level checks first: they hold even where sqlglot would misread the statement.
    if not ansi_quotes:  # under ANSI_QUOTES a "string" reads as a name; the parse below decides then
        secrets = _secret_words(toks, ctx)
        if secrets:
            raise _refuse_rows(kind, ctx, _mentioned_tables(text, toks, raw) or secrets)
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
    meta, user, problems = query_tables(tree)
    if user:
        raise _refuse_rows(kind, ctx, user)
    if problems:
        raise _Refusal(kind, f"it uses {problems[0]}; {UNKNOWN}")
    restricted = [m for m in meta if m.upper() in SESSION_METADATA_COLUMNS]
    if restricted:
        _session_metadata_columns(tree, kind, restricted)
    unlisted = [m for m in meta if m.upper() not in INFORMATION_SCHEMA_TABLES and m.upper() not in SESSION_METADATA_COLUMNS]
    if unlisted:
        raise _Refusal(kind, f"information_schema.{unlisted[0]} is not on the guard's list of metadata"
                       " tables (some information_schema tables hold values from rows: histograms,"
                       " full-text words, locked keys, query texts)", hint="if schema-apply needs this"
                       " table, add it to guard.INFORMATION_SCHEMA_TABLES after checking it holds no row data")
    return StatementInfo(LOCK if locks else METADATA_READ)


def _expressions(toks: Sequence[Tok], kind: str, ctx: _Ctx) -> str:
    """Check value expressions (SET, DO, SHOW … WHERE): no query, no stored function. Returns a kind."""
    for t in toks:
        if t.w("SELECT", "TABLE", "VALUES", "WITH", "FROM", "INTO", "FOR"):
            secrets = _secret_words(toks, ctx)
            if secrets:
                raise _refuse_rows(kind, ctx, secrets)
            raise _Refusal(kind, f"its value holds a query or a clause the guard does not allow here; {UNKNOWN}")
    if not toks:
        raise _Refusal(kind, UNKNOWN)
    return LOCK if _functions_ok(toks, kind) else SESSION


# --- SET, SHOW, transactions ------------------------------------------------------------------------

def _set(toks: list[Tok], ctx: _Ctx) -> StatementInfo:
    kind = SESSION
    for part in split_commas(toks[1:]):
        if not part:
            raise _Refusal("SET", UNKNOWN)
        i = 0
        if part[0].w("GLOBAL", "PERSIST", "PERSIST_ONLY"):
            raise _Refusal("SET", "it changes a server-wide setting; schema-apply sets session variables only")
        if part[0].w("SESSION", "LOCAL"):
            i = 1
        if i < len(part) and part[i].w("NAMES"):
            rest = part[i + 1:]
            ok = (len(rest) == 1 and (is_name(rest[0]) or rest[0].kind == "string")) or (
                len(rest) == 3 and rest[1].w("COLLATE") and all(is_name(r) or r.kind == "string"
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
                target = [Tok("ident", target[0].text, target[0].raw, target[0].start, target[0].end)] + target[1:]
        if len(target) < 3 or not is_name(target[0]) or not target[1].p("=", ":="):
            raise _Refusal("SET", UNKNOWN)
        if target[0].w("PASSWORD", "ROLE", "TRANSACTION", "STATEMENT", "DEFAULT"):
            raise _Refusal("SET", UNKNOWN)
        if _expressions(target[2:], "SET", ctx) == LOCK:
            kind = LOCK
    return StatementInfo(kind)


_SHOW_CREATE = {"TABLE", "VIEW", "DATABASE", "SCHEMA", "TRIGGER", "PROCEDURE", "FUNCTION", "EVENT", "SEQUENCE"}


def _show(toks: list[Tok], ctx: _Ctx) -> StatementInfo:
    rest = toks[1:]
    words = [t.text if t.kind == "word" else "" for t in rest]

    def tail(i: int) -> None:
        """What may follow: nothing, LIKE 'pattern', or WHERE expression."""
        if i >= len(rest):
            return
        if rest[i].w("LIKE") and len(rest) == i + 2 and rest[i + 1].kind == "string":
            return
        if rest[i].w("WHERE") and len(rest) > i + 1:
            _expressions(rest[i + 1:], "SHOW", ctx)
            return
        raise _Refusal("SHOW", UNKNOWN)

    if words[:1] == ["CREATE"] and len(rest) >= 2:
        what = words[1]
        if what in _SHOW_CREATE:
            i = 2
            if what in ("DATABASE", "SCHEMA") and words[2:5] == ["IF", "NOT", "EXISTS"]:
                i = 5
            got = name_at(rest, i)
            if got and got[1] == len(rest):
                return _info(METADATA_READ, [got[0]] if what in ("TABLE", "VIEW", "SEQUENCE") else [], ctx)
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
            if len(user) in (1, 3) and all(is_name(u) or u.kind == "string" for u in user[::2]) \
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
            if not is_name(rest[j + 1] if j + 1 < len(rest) else None):
                raise _Refusal("SHOW TABLES", UNKNOWN)
            j += 2
        tail(j)
        return StatementInfo(METADATA_READ)
    if words[j:j + 1] and words[j] in ("COLUMNS", "FIELDS", "INDEX", "INDEXES", "KEYS"):
        tables = _show_target(rest, j + 1)
        on = f" (on {ctx.show(tables)})" if tables else ""
        raise _Refusal(f"SHOW {words[j]}", f"schema-apply reads columns and indexes from information_schema{on}"
                       " (SHOW COLUMNS/INDEX need privileges on the table, and SHOW INDEX shows cardinality"
                       " estimates derived from rows)", tables=tables)
    if words[:2] == ["TABLE", "STATUS"]:
        raise _Refusal("SHOW TABLE STATUS", "it shows row counts, AUTO_INCREMENT counters and data sizes,"
                       " which are never shown for secret tables; " + UNKNOWN)
    shown = " ".join(w for w in words[:2] if w) or "…"
    raise _Refusal(f"SHOW {shown}", "it is not among the SHOW statements schema-apply uses; " + UNKNOWN)


def _show_target(rest: Sequence[Tok], i: int) -> list[Name]:
    if i < len(rest) and rest[i].w("FROM", "IN"):
        got = name_at(rest, i + 1)
        if got:
            name, j = got
            if j + 1 < len(rest) and rest[j].w("FROM", "IN") and is_name(rest[j + 1]):
                name = Name(rest[j + 1].raw, name.table)
            return [name]
    return []


def _transaction(toks: list[Tok]) -> StatementInfo:
    words = [t.text if t.kind == "word" else "?" for t in toks]
    allowed = (["COMMIT"], ["COMMIT", "WORK"], ["ROLLBACK"], ["ROLLBACK", "WORK"], ["BEGIN"], ["BEGIN", "WORK"],
               ["START", "TRANSACTION"], ["START", "TRANSACTION", "READ", "ONLY"],
               ["START", "TRANSACTION", "READ", "WRITE"],
               ["START", "TRANSACTION", "WITH", "CONSISTENT", "SNAPSHOT"])
    if words in allowed:
        return StatementInfo(SESSION)
    raise _Refusal(words[0], UNKNOWN)


# --- DDL --------------------------------------------------------------------------------------------

def _need_settled(kind: str, ctx: _Ctx) -> None:
    if not ctx.policy.settled:
        raise _Refusal(kind, "DDL is judged by the secrecy policy, which is settled once the server's"
                       " lower_case_table_names is known; nothing sends DDL before that",
                       hint="a bug in schema-apply: the connection's policy was never settled")


def _ddl(text: str, toks: list[Tok], ctx: _Ctx) -> StatementInfo:
    verb = toks[0].text
    _need_settled(verb, ctx)
    i = 1
    if verb == "RENAME":
        if i < len(toks) and toks[i].w("TABLE", "TABLES"):
            return _rename_table(toks, i + 1, ctx)
        raise _Refusal(f"RENAME {_word_of(toks, 1)}".strip(), UNKNOWN)
    if verb == "CREATE" and toks[i:i + 2] and toks[i].w("OR") and i + 1 < len(toks) and toks[i + 1].w("REPLACE"):
        i += 2
    # view options may come before VIEW: ALGORITHM = x, DEFINER = user, SQL SECURITY x
    j = _view_options(toks, i)
    if j is not None and j < len(toks) and toks[j].w("VIEW") and verb in ("CREATE", "ALTER"):
        return _view(text, toks, j + 1, verb, ctx)
    if verb == "DROP":
        return _drop(toks, ctx)
    if verb == "ALTER":
        while i < len(toks) and toks[i].w("ONLINE", "IGNORE"):
            i += 1
        if i < len(toks) and toks[i].w("TABLE"):
            return _alter_table(toks, i + 1, ctx)
        if i < len(toks) and toks[i].w("DATABASE", "SCHEMA"):
            return _database(toks, i + 1, "ALTER DATABASE")
        raise _Refusal(f"ALTER {_word_of(toks, i)}".strip(), f"schema-apply alters tables, views and databases only; {UNKNOWN}")
    # CREATE
    if i < len(toks) and toks[i].w("TEMPORARY"):
        i += 1
    if i < len(toks) and toks[i].w("TABLE"):
        return _create_table(toks, i + 1, ctx)
    k = i
    while k < len(toks) and toks[k].w("ONLINE", "OFFLINE", "UNIQUE", "FULLTEXT", "SPATIAL"):
        k += 1
    if k < len(toks) and toks[k].w("INDEX"):
        return _create_index(toks, k + 1, ctx)
    if i < len(toks) and toks[i].w("DATABASE", "SCHEMA"):
        return _database(toks, i + 1, "CREATE DATABASE")
    what = _word_of(toks, i)
    raise _Refusal(f"CREATE {what}".strip(), UNKNOWN)


# --- stored programs --------------------------------------------------------------------------------

_PROGRAMS = ("TRIGGER", "PROCEDURE", "FUNCTION", "EVENT")
_ROUTINE_CHARACTERISTICS = {"COMMENT", "LANGUAGE", "SQL", "CONTAINS", "NO", "READS", "MODIFIES", "DATA", "SECURITY",
                            "DEFINER", "INVOKER"}


def _program_kind(toks: Sequence[Tok]) -> str | None:
    """TRIGGER/PROCEDURE/FUNCTION/EVENT if the statement creates, drops or alters one (the kind word
    comes after OR REPLACE, DEFINER = account and AGGREGATE, in the first dozen tokens)."""
    for t in toks[1:14]:
        if t.w(*_PROGRAMS):
            return t.text
        if t.w("TABLE", "VIEW", "INDEX", "DATABASE", "SCHEMA", "USER", "ROLE", "SERVER", "TABLESPACE") or t.p("("):
            return None
    return None


def _stored_program(text: str, toks: list[Tok], ctx: _Ctx) -> StatementInfo:
    """CREATE TRIGGER/PROCEDURE/FUNCTION/EVENT (a compound body holds semicolons: it is read as one
    statement by the Schemafile parser, and anything after it is refused), the ALTER EVENT of a
    replacement, ALTER PROCEDURE/FUNCTION characteristics, DROP of one. A body that reads or writes
    secret tables from a non-secret program, or moves secret rows out, is refused here too."""
    verb, kind = toks[0].text, _program_kind(toks)
    label = f"{verb} {kind}"
    _need_settled(label, ctx)
    if verb == "DROP":
        i = _skip_if_exists(toks, 2)
        got = name_at(toks, i) if len(toks) > 2 and toks[1].w(kind) else None
        if got is None or got[1] != len(toks) - (1 if toks[-1].p(";") else 0):
            raise _Refusal(label, UNKNOWN)
        return StatementInfo(DDL)
    if verb == "ALTER" and kind in ("PROCEDURE", "FUNCTION"):
        got = name_at(toks, 2) if toks[1].w(kind) else None
        rest = toks[got[1]:] if got else []
        if got is None or not all(t.kind == "string" or t.w(*_ROUTINE_CHARACTERISTICS) for t in rest):
            raise _Refusal(label, f"schema-apply alters only a routine's characteristics; {UNKNOWN}")
        return StatementInfo(DDL)
    if verb == "ALTER":  # ALTER EVENT …: read as the CREATE EVENT it amounts to
        if not any(t.w("DO") for t in toks):
            raise _Refusal(label, UNKNOWN)
        text = "CREATE" + text[toks[0].end + 1:]
    tables, reasons = statement_refusals(text, ctx.policy, ctx.database)
    names = [Name(*t.split(".", 1)) if "." in t else Name(None, t) for t in tables]
    if reasons:
        raise _Refusal(label, "; ".join(reasons), tables=names)
    return _info(DDL, names, ctx)


def _word_of(toks: Sequence[Tok], i: int) -> str:
    return toks[i].text if i < len(toks) and toks[i].kind == "word" and len(toks[i].text) <= 20 else ""


def _skip_if_exists(toks: Sequence[Tok], i: int, *, not_: bool = False) -> int:
    words = ["IF", "NOT", "EXISTS"] if not_ else ["IF", "EXISTS"]
    if all(i + k < len(toks) and toks[i + k].w(w) for k, w in enumerate(words)):
        return i + len(words)
    return i


def _need_name(toks: Sequence[Tok], i: int, kind: str) -> tuple[Name, int]:
    got = name_at(toks, i)
    if got is None:
        raise _Refusal(kind, f"the guard cannot read the table name; {UNKNOWN}")
    return got


def _info(kind: str, tables: Iterable[Name], ctx: _Ctx) -> StatementInfo:
    names = unique(tables)
    return StatementInfo(kind, tuple(str(t) for t in names), tuple(str(t) for t in names if ctx.secret(t)))


def _no_query(toks: Sequence[Tok], kind: str, ctx: _Ctx, tables: Sequence[Name]) -> None:
    """DDL other than a view must hold no query: nothing here may read rows."""
    for k, t in enumerate(toks):
        if t.w("SELECT") or (t.w("VALUES") and not (k + 1 < len(toks) and toks[k + 1].w("LESS", "IN"))):
            sources = [got[0] for j, s in enumerate(toks[:-1]) if s.w("FROM", "JOIN", "TABLE")
                       and (got := name_at(toks, j + 1))]
            sources += [s for s in _secret_words(toks, ctx) if s not in tables and s not in sources]
            raise _refuse_rows(kind, ctx, unique(sources),
                               what="copies rows (… SELECT / TABLE / VALUES) from")


def _engines(toks: Sequence[Tok], kind: str, tables: Sequence[Name]) -> None:
    for k, t in enumerate(toks):
        if t.w("ENGINE"):
            v = k + 1
            if v < len(toks) and toks[v].p("="):
                v += 1
            if v >= len(toks) or toks[v].kind not in ("word", "ident", "string"):
                raise _Refusal(kind, f"the guard cannot read the storage engine; {UNKNOWN}", tables=tables)
            engine = toks[v].raw.upper()
            if engine not in LOCAL_ENGINES:
                shown = toks[v].raw if WORD.fullmatch(toks[v].raw) and len(engine) <= 30 else "…"
                raise _Refusal(kind, f"storage engine {shown} can make a table whose rows are another table's"
                               " or another server's; schema-apply allows local engines only"
                               f" ({', '.join(sorted(LOCAL_ENGINES))})", tables=tables)
        if t.w("UNION") or t.w("CONNECTION"):
            raise _Refusal(kind, f"the {t.text} table option makes a table read other tables' rows"
                           " (MERGE / FEDERATED); schema-apply never uses it", tables=tables)


def _references(toks: Sequence[Tok]) -> list[Name]:
    out = []
    for k, t in enumerate(toks):
        if t.w("REFERENCES"):
            got = name_at(toks, k + 1)
            if got:
                out.append(got[0])
    return out


def _create_table(toks: list[Tok], i: int, ctx: _Ctx) -> StatementInfo:
    kind = "CREATE TABLE"
    i = _skip_if_exists(toks, i, not_=True)
    name, i = _need_name(toks, i, kind)
    rest = toks[i:]
    # CREATE TABLE t LIKE src  |  CREATE TABLE t (LIKE src): the definition only, never rows
    if rest and rest[0].w("LIKE"):
        src, j = _need_name(rest, 1, kind)
        if j == len(rest):
            return _info("ddl", [name, src], ctx)
    if len(rest) >= 3 and rest[0].p("(") and rest[1].w("LIKE"):
        src, j = _need_name(rest, 2, kind)
        if j + 1 == len(rest) and rest[j].p(")"):
            return _info("ddl", [name, src], ctx)
    _no_query(rest, kind, ctx, [name])
    for t in rest:
        if t.w("TABLE"):
            raise _Refusal(kind, f"the guard cannot classify this table definition; {UNKNOWN}", tables=[name])
    _engines(rest, kind, [name])
    references = _references(rest)
    _foreign_keys(kind, name, references, ctx)
    return _info(DDL, [name, *references], ctx)


def _foreign_keys(kind: str, table: Name, references: Sequence[Name], ctx: _Ctx) -> None:
    """A foreign key may not reach from a non-secret table into a secret one, nor into a system schema."""
    for ref in references:
        why = foreign_key_reason(table.table, ref.db, ref.table, ctx.policy)
        if why:
            raise _Refusal(kind, f"table {ctx.show([table])} {why}", tables=[table, ref],
                           hint="keep foreign keys into secret tables on secret tables")


def _alter_table(toks: list[Tok], i: int, ctx: _Ctx) -> StatementInfo:
    kind = "ALTER TABLE"
    i = _skip_if_exists(toks, i)
    name, i = _need_name(toks, i, kind)
    rest = toks[i:]
    _no_query(rest, kind, ctx, [name])
    _engines(rest, kind, [name])
    tables = [name]
    level = depths(rest)
    for k, t in enumerate(rest):
        if level[k] != 0:
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
            _declassify_check("ALTER TABLE … RENAME", name, new, ctx)
        elif t.w("TABLE"):
            # EXCHANGE PARTITION p WITH TABLE x / CONVERT PARTITION p TO TABLE x / CONVERT TABLE x TO …
            other, _ = _need_name(rest, _skip_if_exists(rest, k + 1, not_=True), kind)
            tables.append(other)
            if ctx.secret(name) != ctx.secret(other):
                secret, plain = (name, other) if ctx.secret(name) else (other, name)
                raise _Refusal(kind, f"it moves rows between secret table {ctx.show([secret])} and"
                               f" non-secret table {ctx.show([plain])}, which would expose secret rows",
                               tables=tables, hint="exchange or convert partitions only between tables that"
                                                   " are both secret or both not")
    references = _references(rest)
    _foreign_keys(kind, name, references, ctx)
    return _info(DDL, tables + references, ctx)


def _declassify_check(kind: str, old: Name, new: Name, ctx: _Ctx) -> None:
    if ctx.secret(old) and not ctx.secret(new):
        raise _Refusal(kind, f"it would rename secret table {ctx.show([old])} to the non-secret name"
                       f" {ctx.show([new])}, exposing its rows to anyone who may read non-secret tables",
                       tables=[old, new],
                       hint=f"keep a secret prefix ({ctx.prefixes_text()}) on the new name")


def _rename_table(toks: list[Tok], i: int, ctx: _Ctx) -> StatementInfo:
    kind = "RENAME TABLE"
    i = _skip_if_exists(toks, i)
    tables: list[Name] = []
    pairs = split_commas(toks[i:])
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
        _declassify_check(kind, old, new, ctx)
    return _info(DDL, tables, ctx)


def _drop(toks: list[Tok], ctx: _Ctx) -> StatementInfo:
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
        for part in split_commas(body):
            name, j = _need_name(part, 0, kind)
            if j != len(part):
                raise _Refusal(kind, UNKNOWN, tables=[name])
            names.append(name)
        return _info(DDL, names, ctx)
    if what == "INDEX":
        kind = "DROP INDEX"
        i = _skip_if_exists(toks, i + 1)
        if i < len(toks) and is_name(toks[i]) and i + 1 < len(toks) and toks[i + 1].w("ON"):
            table, j = _need_name(toks, i + 2, kind)
            _options_only(toks[j:], kind, [table])
            return _info(DDL, [table], ctx)
        raise _Refusal(kind, UNKNOWN)
    if what in ("DATABASE", "SCHEMA"):
        i = _skip_if_exists(toks, i + 1)
        if i + 1 == len(toks) and is_name(toks[i]):
            return StatementInfo(DDL)
        raise _Refusal("DROP DATABASE", UNKNOWN)
    raise _Refusal(f"DROP {what}".strip(), f"schema-apply drops tables, views, indexes and databases only; {UNKNOWN}")


def _options_only(toks: Sequence[Tok], kind: str, tables: Sequence[Name]) -> None:
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


def _create_index(toks: list[Tok], i: int, ctx: _Ctx) -> StatementInfo:
    kind = "CREATE INDEX"
    i = _skip_if_exists(toks, i, not_=True)
    level = depths(toks)
    on = next((k for k in range(i, len(toks)) if level[k] == 0 and toks[k].w("ON")), None)
    if on is None:
        raise _Refusal(kind, UNKNOWN)
    table, j = _need_name(toks, on + 1, kind)
    _no_query(toks[j:], kind, ctx, [table])
    for t in toks[j:]:
        if t.w("TABLE"):
            raise _Refusal(kind, UNKNOWN, tables=[table])
    return _info(DDL, [table], ctx)


def _database(toks: list[Tok], i: int, kind: str) -> StatementInfo:
    for t in toks[i:]:
        if t.w("SELECT", "TABLE", "VALUES") or t.p("(", ")"):
            raise _Refusal(kind, UNKNOWN)
    return StatementInfo(DDL)


def _view_options(toks: Sequence[Tok], i: int) -> int | None:
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
            elif is_name(toks[j]) or toks[j].kind == "string":
                j += 1
                if j + 1 < len(toks) and toks[j].p("@") and (is_name(toks[j + 1]) or toks[j + 1].kind == "string"):
                    j += 2
            else:
                return None
            i = j
        else:
            return i
    return i


def _view(text: str, toks: list[Tok], i: int, verb: str, ctx: _Ctx) -> StatementInfo:
    kind = f"{verb} VIEW"
    i = _skip_if_exists(toks, i, not_=True)
    name, i = _need_name(toks, i, kind)
    if i < len(toks) and toks[i].p("("):  # column list
        level = depths(toks)
        close = next((k for k in range(i + 1, len(toks)) if toks[k].p(")") and level[k] == level[i]), None)
        if close is None or not all(is_name(t) or t.p(",") for t in toks[i + 1:close]):
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
    if ctx.secret(name):  # a secret view may read secret tables: its own rows are secret
        try:
            _, raw = _tokenize(body)
            read = query_tables(_parse(body, raw))[1]
        except _Refusal:  # not parseable by sqlglot: every name in it (never a string)
            read = _secret_words(body_toks, ctx)
        return _info(DDL, [name, *read], ctx)
    if name.db is not None and (ctx.database is None or not ctx.policy.same_name(name.db, ctx.database)):
        raise _Refusal(kind, f"view {ctx.show([name])} would be made in another database than this one;"
                       " schema-apply makes views in the managed database only", tables=[name])
    try:
        found = view_query_reasons(body, ctx.policy, ctx.database)
    except Unreadable as why:
        raise _Refusal(kind, f"view {ctx.show([name])} is not secret-named, and the guard cannot analyse its"
                       f" query ({why}): {VIEW_RULE}", tables=[name]) from None
    if found.reasons:
        raise _Refusal(kind, f"view {ctx.show([name])} {'; '.join(found.reasons)} — {VIEW_RULE}",
                       tables=[name, *found.read], hint=VIEW_HINT.format(prefixes=ctx.prefixes_text()))
    return _info(DDL, [name, *found.local], ctx)


VIEW_HINT = ("give the view a secret prefix ({prefixes}) if it must read such data (its readers then need"
             " access to secret objects), or build it on this database's non-secret tables only")
