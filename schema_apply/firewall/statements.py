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
    ``METADATA_LOCK_INFO``) only column by column, from
    :data:`~.query_statements.SESSION_METADATA_COLUMNS` (never the statement texts, which hold values).
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
applies), a secret view that could be written through into anything but secret tables (not
``ALGORITHM=TEMPTABLE``: :func:`~schema_apply.firewall.queries.secret_view_reasons`), a foreign key from a non-secret table into a secret table or into a system schema,
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

Where it lives: this module reads each text under every reading and dispatches on the statement's
first word (and refuses outright the statements schema-apply never sends); the rules are in
:mod:`.query_statements` (queries and value expressions), :mod:`.session_statements` (``SET``,
``SHOW``, transactions, ``KILL``) and :mod:`.ddl_statements` (DDL and stored programs), and what
the guard answers — :class:`StatementInfo`, the refusal and its texts — in :mod:`.verdicts`.
"""

from __future__ import annotations

from ..errors import SecretAccessRefused
from .ddl_statements import ddl, program_kind, stored_program
from .query_statements import check_expressions, query_statement
from .reading import Unreadable, is_name, readings, unique
from .secrecy import SecrecyPolicy
from .session_statements import kill, set_statement, show_statement, transaction
from .verdicts import (DDL, LOCK, METADATA_ONLY, METADATA_READ, SESSION, UNKNOWN, Ctx, Refusal, StatementInfo,
                       mentioned_tables, secret_words, tokenize_or_refuse)

__all__ = ["StatementInfo", "check", "METADATA_READ", "LOCK", "SESSION", "DDL"]


def check(sql: str, policy: SecrecyPolicy, database: str | None = None) -> StatementInfo:
    """Classify ``sql`` (one statement, parameters interpolated); refuse it unless it is allowed.

    Returns a :class:`StatementInfo` if the statement is allowed; raises
    :class:`~schema_apply.errors.SecretAccessRefused` otherwise; besides its message (kind, tables,
    reason — never a literal of the statement) and ``hint``, the exception carries
    ``statement_kind``, ``tables`` and ``secret_tables``. ``database`` is the connection's current
    database: the managed one, which a view may read, and which qualifies names in messages. A
    failure inside the guard itself refuses the statement (fail closed).
    """
    ctx = Ctx(policy, database)
    try:
        return _check(sql, ctx)
    except SecretAccessRefused:
        raise
    except Exception as bug:  # fail closed: a bug in the guard refuses, it never lets a statement through
        raise Refusal("unclassifiable", f"the guard failed while classifying it ({type(bug).__name__});"
                      f" {UNKNOWN}").error(ctx, alternative=False) from None


def _check(sql: str, ctx: Ctx) -> StatementInfo:
    if "\0" in sql:  # servers disagree on what follows a NUL byte; schema-apply never sends one
        raise Refusal("unclassifiable", f"the text holds a NUL byte; {UNKNOWN}").error(ctx, alternative=False)
    try:
        texts = readings(sql)
    except Unreadable as why:
        raise Refusal("unclassifiable", f"{why}; {UNKNOWN}").error(ctx, alternative=False) from None
    results: list[StatementInfo] = []
    for index, (text, ansi) in enumerate(texts):
        try:
            results.append(_classify(text, ctx, ansi_quotes=ansi))
        except Refusal as refusal:
            raise refusal.error(ctx, alternative=index > 0) from None
    first = results[0]
    tables = unique(t for info in results for t in info.tables)
    secrets = unique(t for info in results for t in info.secret_tables)
    return StatementInfo(first.kind, tables, secrets)


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
    "XA": ("schema-apply never uses XA transactions", False),
}


def _classify(text: str, ctx: Ctx, *, ansi_quotes: bool) -> StatementInfo:
    toks, raw = tokenize_or_refuse(text)
    if toks and toks[0].w("CREATE", "DROP", "ALTER") and program_kind(toks):
        return stored_program(text, toks, ctx)
    semis = [k for k, t in enumerate(toks) if t.p(";")]
    if semis and semis != [len(toks) - 1]:
        raise Refusal("multi-statement", "the text holds more than one statement; each statement"
                      " must be sent, and checked, on its own",
                      hint="send one statement per call (multi-statements are never allowed)")
    if semis:
        toks, raw = toks[:-1], raw[:-1]
        text = text[:raw[-1].end + 1] if raw else ""
    if not toks:
        raise Refusal("empty", "the text holds no statement")
    head = toks[0]
    if head.p("(") or head.w(*_QUERY_HEADS):
        return query_statement(text, toks, raw, ctx, ansi_quotes=ansi_quotes)
    if head.kind != "word":
        raise Refusal("unrecognised", UNKNOWN)
    word = head.text
    if word == "SHOW":
        return show_statement(toks, ctx)
    if word == "SET":
        return set_statement(toks, ctx)
    if word == "DO":
        kind = check_expressions(toks[1:], "DO", ctx)
        return StatementInfo(kind)
    if word == "USE":
        if len(toks) == 2 and is_name(toks[1]):
            return StatementInfo(SESSION)
        raise Refusal("USE", UNKNOWN)
    if word in ("START", "BEGIN", "COMMIT", "ROLLBACK"):
        return transaction(toks)
    if word in ("CREATE", "ALTER", "DROP", "RENAME"):
        return ddl(text, toks, ctx)
    if word == "KILL":
        return kill(toks)
    if word in _REFUSED_HEADS:
        kind = word if word not in ("DESC", "DESCRIBE") else "EXPLAIN/DESCRIBE"
        tables = mentioned_tables(text, toks, raw)
        reason, rows = _REFUSED_HEADS[word]
        secrets = [t for t in tables if ctx.secret(t)]
        if secrets:
            raise Refusal(kind, f"{reason}, and it names secret table {ctx.show(secrets)} (matching"
                          f" secret prefix {ctx.prefixes_text()}); rows of secret tables are never read",
                          tables=tables)
        named = f" (on {ctx.show(tables)})" if tables else ""
        raise Refusal(kind, f"{reason}{named}" + (f"; {METADATA_ONLY}" if rows else ""), tables=tables)
    raise Refusal(word if len(word) <= 20 else "unrecognised", UNKNOWN,
                  tables=secret_words(toks, ctx))
