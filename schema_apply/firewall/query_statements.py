"""The guard's rules for queries: ``SELECT``/``WITH``/``TABLE``/``VALUES`` statements, and the value
expressions of ``SET``, ``DO`` and ``SHOW … WHERE``.

A query may read whitelisted ``information_schema`` tables only (the session tables column by
column, from :data:`SESSION_METADATA_COLUMNS`) and call only unqualified built-ins written
``NAME(``; one that calls a lock function is a ``lock`` statement.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp
from sqlglot.tokens import Token

from .queries import INFORMATION_SCHEMA_TABLES, LOCK_FUNCTIONS, STRUCTURAL, TOOL_FUNCTIONS, query_tables
from .reading import Tok, q
from .verdicts import (LOCK, METADATA_ONLY, METADATA_READ, SESSION, UNKNOWN, Ctx, Refusal, StatementInfo,
                       mentioned_tables, parse_or_refuse, refuse_rows, secret_words)

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
            raise Refusal(kind, f"it reads * from information_schema.{tables[0]}, whose statement texts hold"
                          " values from rows; name the columns")
        if isinstance(node, exp.Column) and node.name.upper() not in allowed:
            raise Refusal(kind, f"it reads column {node.name} beside information_schema.{tables[0]}; of the"
                          f" session tables only {', '.join(sorted(allowed))} may be read (statement texts"
                          " hold values from rows)")


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
            raise Refusal(kind, f"it calls a function by a quoted name ({q(t.raw)}(…)), which calls a stored"
                          f" function; a stored function can read any table; {UNKNOWN}")
        if t.kind != "word":
            continue  # "(", ",", operators: a parenthesised expression, not a call
        qualified = k > 0 and toks[k - 1].p(".")
        if qualified or t.text not in TOOL_FUNCTIONS:
            name = f"{toks[k - 2].raw}.{t.raw}" if qualified and k >= 2 else t.raw
            raise Refusal(kind, f"it calls {name}(), which is not a built-in function known to read no"
                          f" table (a stored function can read any table); {UNKNOWN}")
        if nxt.start != t.end + 1:
            raise Refusal(kind, f"it writes {t.raw} ( with a space before the parenthesis, which the server"
                          f" can read as a call to a stored function; {UNKNOWN}")
        locks = locks or t.text in LOCK_FUNCTIONS
    return locks


def query_statement(text: str, toks: list[Tok], raw: list[Token], ctx: Ctx, *,
                    ansi_quotes: bool) -> StatementInfo:
    kind = "SELECT" if toks[0].p("(") else toks[0].text
    # Token-level checks first: they hold even where sqlglot would misread the statement.
    if not ansi_quotes:  # under ANSI_QUOTES a "string" reads as a name; the parse below decides then
        secrets = secret_words(toks, ctx)
        if secrets:
            raise refuse_rows(kind, ctx, mentioned_tables(text, toks, raw) or secrets)
    for t in toks:
        if t.w("INTO"):
            raise Refusal(kind, "SELECT … INTO writes the result to a file or variables; " + METADATA_ONLY,
                          tables=mentioned_tables(text, toks, raw))
        if t.w("PROCEDURE", "HANDLER"):
            raise Refusal(kind, UNKNOWN)
    for k, t in enumerate(toks):
        if k > 0 and t.w("TABLE"):
            raise Refusal(kind, "it holds a TABLE statement, which reads every row of a table; "
                          + METADATA_ONLY, tables=mentioned_tables(text, toks, raw))
    locks = _functions_ok(toks, kind)
    try:
        tree = parse_or_refuse(text, raw)
    except Refusal as why:
        raise Refusal(kind, f"{why.reason}, so the tables it reads are unknown; {UNKNOWN}")
    meta, user, problems = query_tables(tree)
    if user:
        raise refuse_rows(kind, ctx, user)
    if problems:
        raise Refusal(kind, f"it uses {problems[0]}; {UNKNOWN}")
    restricted = [m for m in meta if m.upper() in SESSION_METADATA_COLUMNS]
    if restricted:
        _session_metadata_columns(tree, kind, restricted)
    unlisted = [m for m in meta if m.upper() not in INFORMATION_SCHEMA_TABLES and m.upper() not in SESSION_METADATA_COLUMNS]
    if unlisted:
        raise Refusal(kind, f"information_schema.{unlisted[0]} is not on the guard's list of metadata"
                      " tables (some information_schema tables hold values from rows: histograms,"
                      " full-text words, locked keys, query texts)", hint="if schema-apply needs this"
                      " table, add it to firewall.queries.INFORMATION_SCHEMA_TABLES after checking it holds no row data")
    return StatementInfo(LOCK if locks else METADATA_READ)


def check_expressions(toks: Sequence[Tok], kind: str, ctx: Ctx) -> str:
    """Check value expressions (SET, DO, SHOW … WHERE): no query, no stored function. Returns a kind."""
    for t in toks:
        if t.w("SELECT", "TABLE", "VALUES", "WITH", "FROM", "INTO", "FOR"):
            secrets = secret_words(toks, ctx)
            if secrets:
                raise refuse_rows(kind, ctx, secrets)
            raise Refusal(kind, f"its value holds a query or a clause the guard does not allow here; {UNKNOWN}")
    if not toks:
        raise Refusal(kind, UNKNOWN)
    return LOCK if _functions_ok(toks, kind) else SESSION
