"""What a query reads: the tables it names and the functions it calls, from its parsed form.

Shared by the statement guard (the tool's own metadata reads, and ``CREATE VIEW`` statements) and
the object rules (the views a Schemafile declares), so that both decide a view alike:
:func:`view_query_reasons` is *the* rule for a non-secret view's query.

Tables come from sqlglot's syntax tree (every ``exp.Table`` — in FROM, JOIN, subqueries in any
clause, derived tables, UNION branches, ``TABLE t`` — minus the CTE names in scope, resolved as the
server resolves them). Function calls come from the token stream of the same reading, where every
``name (`` is either a structural word, a type or alias column list in its place, or a call; the
tree is checked as well (every call sqlglot does not know, every qualified call).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from ..values import frozen
from . import builtins
from .reading import Name, Tok, parse, q, tokenize, unique, without_odbc_joins
from .secrecy import SYSTEM_SCHEMAS, SecrecyPolicy

INFORMATION_SCHEMA_TABLES = frozenset("""
    SCHEMATA SCHEMATA_EXTENSIONS TABLES TABLES_EXTENSIONS COLUMNS COLUMNS_EXTENSIONS STATISTICS
    KEY_COLUMN_USAGE REFERENTIAL_CONSTRAINTS TABLE_CONSTRAINTS TABLE_CONSTRAINTS_EXTENSIONS
    CHECK_CONSTRAINTS VIEWS VIEW_TABLE_USAGE VIEW_ROUTINE_USAGE PARTITIONS TRIGGERS ROUTINES
    PARAMETERS EVENTS COLLATIONS CHARACTER_SETS COLLATION_CHARACTER_SET_APPLICABILITY ENGINES PLUGINS
    USER_PRIVILEGES SCHEMA_PRIVILEGES TABLE_PRIVILEGES COLUMN_PRIVILEGES APPLICABLE_ROLES ENABLED_ROLES
    KEYWORDS SESSION_VARIABLES GLOBAL_VARIABLES SYSTEM_VARIABLES ST_GEOMETRY_COLUMNS
    ST_SPATIAL_REFERENCE_SYSTEMS ST_UNITS_OF_MEASURE TABLESPACES FILES SEQUENCES
""".split())
"""information_schema tables the tool's own metadata reads may use. Left out on purpose:
COLUMN_STATISTICS (histogram buckets hold column values), INNODB_FT_* (words from rows),
INNODB_LOCKS/INNODB_TRX/DATA_LOCKS (primary-key values, query texts), PROCESSLIST and
OPTIMIZER_TRACE (query texts), INNODB_BUFFER_PAGE*, and everything not listed. (A view may read no
information_schema table at all: TABLES and STATISTICS show row counts and cardinalities.)"""

LOCK_FUNCTIONS = frozenset({"GET_LOCK", "RELEASE_LOCK", "IS_FREE_LOCK", "IS_USED_LOCK", "RELEASE_ALL_LOCKS"})

TOOL_FUNCTIONS = LOCK_FUNCTIONS | frozenset("""
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
"""The short list of built-ins the tool's *own* statements may call (every server has them)."""

# Reserved words that may stand before "(" without calling anything (USE INDEX (…), PARTITION (p0),
# WITHIN GROUP (…)): a reserved word is never a function's name unless quoted.
STRUCTURAL = frozenset("""
    IN EXISTS FROM JOIN ON USING AS SELECT WHERE AND OR NOT XOR ALL ANY SOME UNION INTERSECT EXCEPT
    BY IS LIKE REGEXP RLIKE BETWEEN WHEN THEN ELSE CASE DISTINCT DISTINCTROW HAVING DIV BINARY
    STRAIGHT_JOIN LATERAL OVER ROW WITH RECURSIVE OF ESCAPE INDEX KEY PARTITION GROUP
""".split())

# Words before which a name followed by "(" is a type (CAST(x AS DATETIME(6)), JSON_VALUE … RETURNING
# DECIMAL(10,2)) or an alias's column list (… AS d (a, b)), never a call.
_TYPE_OR_ALIAS_BEFORE = frozenset({"AS", "RETURNING"})


@frozen
class Call:
    """A function call as written: ``name`` (unquoted), its ``qualifier`` (``db`` in ``db.f(``),
    whether the name was ``quoted`` and whether a space stood before the parenthesis."""

    name: str
    qualifier: str | None = None
    quoted: bool = False
    spaced: bool = False

    def shown(self) -> str:
        name = q(self.name) if self.quoted else self.name
        return (f"{q(self.qualifier)}." if self.qualifier else "") + name + "()"


def calls(toks: Sequence[Tok]) -> list[Call]:
    """Every ``name (`` in ``toks`` that the server reads as a function call."""
    out: list[Call] = []
    opener = _openers(toks)
    for k in range(len(toks) - 1):
        t, nxt = toks[k], toks[k + 1]
        if not nxt.p("(") or t.kind not in ("word", "ident"):
            continue
        before = toks[k - 1] if k > 0 else None
        if t.kind == "word" and t.text in STRUCTURAL and not (before is not None and before.p(".")):
            continue
        if before is not None and before.kind == "word" and before.text in _TYPE_OR_ALIAS_BEFORE:
            continue
        if before is not None and before.p(")") and t.kind == "word":
            continue  # MATCH (cols) AGAINST (…), (SELECT …) d (a, b): no call follows a ")" directly
        if before is not None and before.p(",") and _opener_word(toks, opener, k) in ("CONVERT", "CAST"):
            continue  # CONVERT(x, DATETIME(6)): a type
        if _column_list_then_as(toks, k + 1):
            continue  # WITH c (a, b) AS (…): a CTE's column list
        qualified = before is not None and before.p(".") and k >= 2
        out.append(Call(t.raw if t.kind == "word" else t.text, toks[k - 2].raw if qualified else None,
                        t.kind == "ident", nxt.start != t.end + 1))
    return out


def _openers(toks: Sequence[Tok]) -> list[int | None]:
    """For each token, the index of the "(" it sits in (None at the top level)."""
    out: list[int | None] = []
    stack: list[int] = []
    for k, t in enumerate(toks):
        if t.p(")") and stack:
            stack.pop()
        out.append(stack[-1] if stack else None)
        if t.p("("):
            stack.append(k)
    return out


def _opener_word(toks: Sequence[Tok], opener: list[int | None], k: int) -> str | None:
    at = opener[k]
    if at is None or at == 0:
        return None
    word = toks[at - 1]
    return word.text if word.kind == "word" else None


def _column_list_then_as(toks: Sequence[Tok], open_: int) -> bool:
    """``( name [, name]… ) AS (`` starting at ``toks[open_]``."""
    j = open_ + 1
    while j < len(toks) and toks[j].kind in ("word", "ident"):
        j += 1
        if j < len(toks) and toks[j].p(","):
            j += 1
            continue
        break
    return (j + 2 < len(toks) and toks[j].p(")") and toks[j + 1].w("AS") and toks[j + 2].p("(")
            and j > open_ + 1)


def tree_calls(tree: exp.Expr) -> list[Call]:
    """Calls sqlglot does not know (possibly stored functions) and qualified calls, from the tree."""
    out = []
    for node in tree.walk():
        if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Func):
            func = node.expression
            name = func.name if isinstance(func, exp.Anonymous) else func.sql_name()
            out.append(Call(str(name), node.this.name if isinstance(node.this, exp.Expression) else str(node.this)))
        elif isinstance(node, exp.Anonymous) and not isinstance(node.parent, exp.Dot):
            this = node.this
            quoted = isinstance(this, exp.Identifier) and this.quoted
            out.append(Call(this.name if isinstance(this, exp.Identifier) else str(this), quoted=quoted))
    return out


def cte_visible(table: exp.Table) -> bool:
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


def tables_read(tree: exp.Expr) -> tuple[list[Name], list[str]]:
    """(tables and views a parsed query reads, problems): CTE names in scope and ``DUAL`` left out;
    a problem is something the reader cannot vouch for (a table function, a three-part name, INTO)."""
    names, problems = [], []
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
            if cte_visible(t):
                continue
        names.append(Name(t.db or None, t.name))
    for node in tree.walk():
        if isinstance(node, exp.Into):
            problems.append("SELECT … INTO")
    return names, problems


def query_tables(tree: exp.Expr) -> tuple[list[str], list[Name], list[str]]:
    """(information_schema tables, user tables, problems) a parsed query references."""
    names, problems = tables_read(tree)
    meta = [n.table for n in names if n.db and n.db.lower() == "information_schema"]
    user = [n for n in names if not (n.db and n.db.lower() == "information_schema")]
    return meta, user, problems


# --- the rule for a non-secret view ---------------------------------------------------------------------

VIEW_RULE = ("a non-secret view may read only this database's non-secret tables and views, and call only"
             " the server's built-in functions")


@frozen
class ViewQuery:
    """What one reading of a view's query reads, and why a non-secret view may not read it."""

    reasons: tuple[str, ...]     # empty: a non-secret view may read this
    local: tuple[Name, ...]      # the tables and views it reads in the managed database
    read: tuple[Name, ...]       # every table and view it reads, as written


def view_query_reasons(text: str, policy: SecrecyPolicy, database: str | None) -> ViewQuery:
    """One reading of a non-secret view's query: why it may not be built (no reasons if it may), and
    the tables and views it reads in the managed database ``database`` (None: offline, unknown).

    Raises :class:`~schema_apply.firewall.reading.Unreadable` if the text cannot be parsed."""
    text = without_odbc_joins(text)
    toks, raw = tokenize(text)
    tree = parse(text, raw)
    names, problems = tables_read(tree)
    reasons = [f"uses {p}, which schema-apply cannot vouch for" for p in unique(problems)]
    local: list[Name] = []
    for name in unique(names):
        if name.db is not None and name.db.lower() in SYSTEM_SCHEMAS:
            reasons.append(f"reads {q(name.db)}.{q(name.table)}, in the system schema {name.db} (its rows"
                           " describe the server and can quote or count the rows of any table)")
        elif name.db is not None and (database is None or not policy.same_name(name.db, database)):
            managed = f" (this database is {q(database)})" if database else \
                " (offline, a qualified name cannot be shown to be this database's: write it unqualified)"
            reasons.append(f"reads {q(name.db)}.{q(name.table)}, in another database{managed}")
        elif policy.is_secret(name.table):
            reasons.append(f"reads secret table {q(name.table)} (matching secret prefix {policy.prefixes_text()})")
        else:
            local.append(Name(None, name.table))
    reasons += call_reasons(toks, tree, policy.server)
    return ViewQuery(unique(reasons), unique(local), unique(names))


SECRET_VIEW_RULE = ("a secret view may read anything, but one that reads a non-secret table or view must be"
                    " ALGORITHM=TEMPTABLE, which the server never writes through: updatable, it would let a"
                    " secret trigger, routine or event (which may write secret-named objects) write secret rows"
                    " into that table")


def secret_view_reasons(text: str, algorithm: str | None, policy: SecrecyPolicy, database: str | None) -> list[str]:
    """One reading of a secret-named view's query: why it may not be built (no reasons if it may).

    A secret view may read anything, but an updatable one writes the tables under it: a secret
    program may write secret-named objects, so ``INSERT INTO secret_v … SELECT email FROM secret_users``
    would put secret rows into the plain table ``secret_v`` reads. A view that reads anything but this
    database's secret tables must be ``ALGORITHM=TEMPTABLE`` (not updatable).

    Raises :class:`~schema_apply.firewall.reading.Unreadable` if the text cannot be parsed (and the
    view is not TEMPTABLE)."""
    if (algorithm or "").upper() == "TEMPTABLE":
        return []
    text = without_odbc_joins(text)
    _toks, raw = tokenize(text)
    names, problems = tables_read(parse(text, raw))
    out = [f"uses {p}, which schema-apply cannot vouch for, and is updatable — {SECRET_VIEW_RULE}"
           for p in unique(problems)]
    for name in unique(names):
        here = name.db is None or (database is not None and policy.same_name(name.db, database))
        if here and policy.is_secret(name.table):
            continue
        shown = q(name.table) if name.db is None else f"{q(name.db)}.{q(name.table)}"
        out.append(f"reads {shown}, which is not a secret table of this database, and is updatable"
                   f" (ALGORITHM={(algorithm or 'UNDEFINED').upper()}) — {SECRET_VIEW_RULE}")
    return out


def call_reasons(toks: Sequence[Tok], tree: exp.Expr, server) -> list[str]:
    """Why the calls in a view's query may not stand: any call that is not, with certainty, one of
    ``server``'s built-in functions (a stored function can read any table)."""
    found = calls(toks)
    seen = {((c.qualifier or "").lower(), c.name.lower()) for c in found}
    found += [c for c in tree_calls(tree) if ((c.qualifier or "").lower(), c.name.lower()) not in seen]
    out = []
    for call in unique(found):
        if call.qualifier or call.quoted:
            out.append(f"calls {call.shown()}, a stored function (a stored function can read any table)")
        elif call.name.upper() in builtins.WITHHELD:
            out.append(f"calls {call.shown()}, which {builtins.WITHHELD[call.name.upper()]}")
        elif not builtins.is_builtin(call.name, server):
            where = _server_name(server)
            out.append(f"calls {call.shown()}, which is not a built-in function of {where} (so the server"
                       " calls a stored function of that name, and a stored function can read any table)")
        elif call.spaced and call.name.upper() in builtins.SPACE_SENSITIVE:
            out.append(f"writes {call.name} ( with a space before the parenthesis, which the server can read"
                       f" as a call to a stored function named {call.name}; write {call.name}( instead")
    return out


def _server_name(server) -> str:
    if server is None:
        return "every supported server"
    kind, version = server
    return f"{'MariaDB' if kind == 'mariadb' else 'MySQL'} {'.'.join(map(str, version))}"
