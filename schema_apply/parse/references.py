"""What a stored program's body reads, writes and calls — parsed, not grepped.

The body is read the way the server reads it under the program's sql_mode
(``ANSI_QUOTES`` makes "x" a name, ``NO_BACKSLASH_ESCAPES`` changes strings)
and under every reading of its versioned comments. Its block structure comes
from ``compound``; every leaf statement and every expression the blocks
evaluate (IF conditions, CASE operands, DECLARE defaults, cursor queries,
RETURN values) is parsed with sqlglot, and the tables it reads and writes,
the routines it calls, and whether it runs dynamic SQL or touches files are
collected. Whatever cannot be read with certainty is a ``problem``: the
firewall refuses a body with one (fail closed).
"""

from __future__ import annotations

import functools
from dataclasses import field

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType

from ..errors import ParseError
from ..sql.lexer import Token
from ..values import frozen, mutable
from . import compound
from .builtins import BUILTIN_FUNCTIONS, FILE_FUNCTIONS
from .lexer import blank_versioned_comments, is_word, tokenize


@frozen
class TableRef:
    db: str | None
    name: str

    def __str__(self) -> str:
        return f"{self.db}.{self.name}" if self.db else self.name


@frozen
class Call:
    kind: str  # PROCEDURE or FUNCTION
    db: str | None
    name: str  # as written

    def __str__(self) -> str:
        return f"{self.db}.{self.name}" if self.db else self.name


@frozen
class References:
    reads: frozenset[TableRef] = frozenset()
    writes: frozenset[TableRef] = frozenset()
    calls: frozenset[Call] = frozenset()
    temporary: frozenset[str] = frozenset()  # temporary tables the body creates
    # every name written just before "(" (lower-case): a call of a stored function that sqlglot
    # reads as one of its own functions (it knows DATE_TRUNC, MySQL does not) is among them
    called_names: frozenset[str] = frozenset()
    dynamic_sql: bool = False  # PREPARE / EXECUTE / EXECUTE IMMEDIATE
    files: bool = False  # SELECT … INTO OUTFILE/DUMPFILE, LOAD DATA/XML, LOAD_FILE()
    problems: tuple[str, ...] = ()  # what could not be read: the body is refused

    def merge(self, other: "References") -> "References":
        return References(self.reads | other.reads, self.writes | other.writes, self.calls | other.calls,
                          self.temporary | other.temporary, self.called_names | other.called_names,
                          self.dynamic_sql or other.dynamic_sql,
                          self.files or other.files, tuple(dict.fromkeys(self.problems + other.problems)))


@mutable
class _Acc:
    reads: set[TableRef] = field(default_factory=set)
    writes: set[TableRef] = field(default_factory=set)
    calls: set[Call] = field(default_factory=set)
    temporary: set[str] = field(default_factory=set)
    called_names: set[str] = field(default_factory=set)
    dynamic_sql: bool = False
    files: bool = False
    problems: list[str] = field(default_factory=list)

    def freeze(self) -> References:
        return References(frozenset(self.reads), frozenset(self.writes), frozenset(self.calls),
                          frozenset(self.temporary), frozenset(self.called_names), self.dynamic_sql, self.files,
                          tuple(dict.fromkeys(self.problems)))


class _Unreadable(Exception):
    pass


@functools.lru_cache(maxsize=1024)
def analyse(body: str, sql_mode: tuple[str, ...] | None = None) -> References:
    """The references of a body (its text as written), under every reading of its versioned
    comments (all of them code, and none of them)."""
    mode = set(sql_mode or ())
    out = References()
    readings = [blank_versioned_comments(body, None)]
    stripped = _strip_versioned(body)
    if stripped != readings[0]:
        readings.append(stripped)
    for text in readings:
        out = out.merge(_analyse_reading(text, "ANSI_QUOTES" in mode, "NO_BACKSLASH_ESCAPES" in mode))
    return out


def _strip_versioned(text: str) -> str:
    """The text with every versioned comment a comment (a server that runs none of them)."""
    return blank_versioned_comments(text, ("mysql", (0, 0, 0)))


def _analyse_reading(text: str, ansi_quotes: bool, no_backslash: bool) -> References:
    acc = _Acc()
    try:
        text = _canonical_quotes(text, ansi_quotes=ansi_quotes, no_backslash=no_backslash)
        tokens, _ = tokenize(text, "<body>")
    except (ParseError, _Unreadable) as exc:
        acc.problems.append(f"the body cannot be tokenised ({exc})")
        return acc.freeze()
    words = [t.text.upper() if is_word(t) else "" for t in tokens]
    if not tokens:
        return acc.freeze()
    try:
        node, end = compound.read_body(tokens, words, 0, len(tokens))
    except compound.BlockError as exc:
        acc.problems.append(f"its block structure cannot be read ({exc})")
        return acc.freeze()
    if end < len(tokens) and not (end == len(tokens) - 1 and tokens[end].token_type == TokenType.SEMICOLON):
        acc.problems.append("text follows the end of the body")
    _Body(tokens, words, text, acc).node(node)
    for tok, nxt in zip(tokens, tokens[1:]):
        if nxt.token_type == TokenType.L_PAREN and (is_word(tok) or tok.token_type == TokenType.IDENTIFIER):
            acc.called_names.add(tok.text.lower())
    if any(name.upper() in FILE_FUNCTIONS for name in acc.called_names):
        acc.files = True
    return acc.freeze()


def _canonical_quotes(text: str, *, ansi_quotes: bool, no_backslash: bool) -> str:
    """Strings single-quoted with backslash escapes, "names" backquoted under ANSI_QUOTES: the
    spelling sqlglot's MySQL tokenizer reads the way the server does under this sql_mode."""
    if not ansi_quotes and not no_backslash:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "'\"`":
            ident = ch == "`" or (ch == '"' and ansi_quotes)
            j = i + 1
            body: list[str] = []
            while True:
                if j >= n:
                    raise _Unreadable("an unterminated quoted string or name")
                c = text[j]
                if c == ch:
                    if j + 1 < n and text[j + 1] == ch:
                        body.append(ch)
                        j += 2
                        continue
                    j += 1
                    break
                if c == "\\" and not ident and not no_backslash and j + 1 < n:
                    body.append(text[j:j + 2])
                    j += 2
                    continue
                body.append(c)
                j += 1
            value = "".join(body)
            if ident:
                out.append("`" + value.replace("`", "``") + "`")
            elif no_backslash:
                out.append("'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'")
            else:
                out.append("'" + value.replace("'", "\\'").replace("\\\\'", "\\'") + "'")
            i = j
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(text[i:end])
            i = end
            continue
        if ch == "#" or (text.startswith("--", i) and (i + 2 >= n or text[i + 2] in " \t\r\n")):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(text[i:end])
            i = end
            continue
        out.append(ch)
        i += 1
    return "".join(out)


# --------------------------------------------------------------------------
# The body's statements
# --------------------------------------------------------------------------

_TRANSACTION = {"START", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "XA"}
_NOTHING = {"LEAVE", "ITERATE", "CLOSE", "FETCH", "GET"}
_INSERT_MODIFIERS = {"LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "QUICK"}
_INTO_ENDS = {"FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "FOR", "LOCK", "UNION", "WINDOW", "INTO"}


class _Body:
    def __init__(self, tokens: list[Token], words: list[str], text: str, acc: _Acc):
        self.toks = tokens
        self.words = words
        self.text = text
        self.acc = acc

    def span_text(self, first: int, last: int, skip: set[int] = frozenset(), replace: dict[int, str] | None = None
                  ) -> str:
        parts = []
        prev = None
        for k in range(first, last + 1):
            if k in skip:
                continue
            tok = self.toks[k]
            piece = replace.get(k) if replace and k in replace else self.text[tok.start:tok.end + 1]
            if prev is not None and tok.start > prev.end + 1:
                parts.append(" ")
            parts.append(piece)
            prev = tok
        return "".join(parts)

    def problem(self, message: str) -> None:
        self.acc.problems.append(message)

    # -- the tree --------------------------------------------------------------------

    def node(self, node: compound.Node) -> None:
        for kind, first, last in node.parts:
            if kind == "expr":
                self.expression(first, last)
            elif kind == "statement":
                self.statement(first, last)
            elif kind == "for":
                self.for_range(first, last)
        for child in node.children:
            self.node(child)

    def for_range(self, first: int, last: int) -> None:
        """FOR x IN [REVERSE] a .. b | cursor | (SELECT …)."""
        k = first + 2 if self.words[first + 1] == "IN" or self.toks[first + 1].token_type == TokenType.IN else first
        if self.words[k] == "REVERSE":
            k += 1
        if k <= last and self.toks[k].token_type == TokenType.L_PAREN:
            self.query(k + 1, last - 1)
        elif k == last:
            return  # a cursor's name
        else:
            self.expression(k, last, allow_range=True)

    # -- leaf statements -----------------------------------------------------------------

    def statement(self, first: int, last: int) -> None:
        w = self.words[first]
        t = self.toks[first].token_type
        if t == TokenType.L_PAREN or w in ("SELECT", "WITH", "VALUES", "TABLE"):
            self.query(first, last)
        elif w in ("INSERT", "REPLACE"):
            self.insert(first, last)
        elif w == "UPDATE":
            self.update(first, last)
        elif w == "DELETE":
            self.delete(first, last)
        elif w == "SET":
            self.set(first + 1, last)
        elif w in ("RETURN", "DO"):
            self.expression(first + 1, last)
        elif w == "DECLARE":
            self.declare(first, last)
        elif w == "CALL":
            self.call(first + 1, last)
        elif w in ("PREPARE", "EXECUTE", "DEALLOCATE"):
            self.acc.dynamic_sql = True
        elif w == "DROP" and self.words[first + 1] == "PREPARE":
            self.acc.dynamic_sql = True
        elif w in ("SIGNAL", "RESIGNAL"):
            k = next((j for j in range(first, last + 1) if self.words[j] == "SET"), None)
            if k is not None:
                self.set(k + 1, last)
        elif w == "OPEN":
            if first + 2 <= last and self.toks[first + 2].token_type == TokenType.L_PAREN:
                self.expression(first + 3, last - 1)
        elif w in _NOTHING or w in _TRANSACTION:
            return
        elif w == "TRUNCATE":
            k = first + 1 + (self.words[first + 1] == "TABLE")
            self.acc.writes.add(self.table_at(k, last))
        elif w == "CREATE" and self.words[first + 1] == "TEMPORARY" and self.words[first + 2] == "TABLE":
            self.create_temporary(first + 3, last)
        elif w == "DROP" and self.words[first + 1] in ("TABLE", "TEMPORARY"):
            temporary = self.words[first + 1] == "TEMPORARY"
            k = first + 1 + temporary + 1
            if self.words[k:k + 2] == ["IF", "EXISTS"]:
                k += 2
            while k <= last:
                ref = self.table_at(k, last)
                # DROP TEMPORARY TABLE drops only a temporary table; DROP TABLE drops the base table
                # of that name when no temporary one stands
                if ref.db is not None or ref.name not in self.acc.temporary or not temporary:
                    self.acc.writes.add(ref)
                k += 3 if k + 1 <= last and self.toks[k + 1].token_type == TokenType.DOT else 1
                if k <= last and self.toks[k].token_type == TokenType.COMMA:
                    k += 1
                elif k <= last:
                    break
        elif w == "LOAD":
            self.acc.files = True
        else:
            shown = self.toks[first].text if len(self.toks[first].text) <= 20 else "…"
            self.problem(f"it holds a {shown} statement, which the firewall does not analyse")

    def table_at(self, k: int, last: int) -> TableRef:
        if k > last:
            self.problem(f"a table name is missing after {self.toks[last].text!r}")
            return TableRef(None, "?")
        if k + 2 <= last and self.toks[k + 1].token_type == TokenType.DOT:
            return TableRef(self.toks[k].text, self.toks[k + 2].text)
        return TableRef(None, self.toks[k].text)

    def declare(self, first: int, last: int) -> None:
        """DECLARE var … [DEFAULT expr] | name CONDITION FOR … | name CURSOR [(params)] FOR query."""
        words = self.words[first:last + 1]
        if "CURSOR" in words:
            k = self.outside_parentheses(first + words.index("CURSOR") + 1, last, "FOR")
            if k is None:
                self.problem("a cursor without FOR and its query")
            else:
                self.query(k + 1, last)
        elif "CONDITION" not in words:
            k = self.outside_parentheses(first + 1, last, "DEFAULT")
            if k is not None:
                self.expression(k + 1, last)

    def outside_parentheses(self, first: int, last: int, word: str) -> int | None:
        """The index of the first ``word`` outside parentheses in first..last."""
        depth = 0
        for j in range(first, last + 1):
            depth += (self.toks[j].token_type == TokenType.L_PAREN) - (self.toks[j].token_type == TokenType.R_PAREN)
            if depth == 0 and self.words[j] == word:
                return j
        return None

    def set(self, first: int, last: int) -> None:
        """SET target = expr, …  (a local variable, NEW.col, @user_var, a session variable)."""
        parts: list[tuple[int, int]] = []
        depth = 0
        start = first
        for j in range(first, last + 1):
            tt = self.toks[j].token_type
            depth += (tt == TokenType.L_PAREN) - (tt == TokenType.R_PAREN)
            if depth == 0 and tt == TokenType.COMMA:
                parts.append((start, j - 1))
                start = j + 1
        parts.append((start, last))
        for a, b in parts:
            if self.words[a] in ("GLOBAL", "PERSIST", "PERSIST_ONLY") or (
                    self.toks[a].token_type == TokenType.SESSION_PARAMETER and a + 1 <= b
                    and self.words[a + 1] in ("GLOBAL", "PERSIST", "PERSIST_ONLY")):
                self.problem("it changes a server-wide setting (SET GLOBAL)")
                continue
            if self.words[a] in ("PASSWORD", "ROLE", "DEFAULT"):
                self.problem(f"it runs SET {self.words[a]}")
                continue
            if self.words[a] in ("NAMES", "TRANSACTION", "CHARACTER", "CHARSET"):
                continue
            eq = next((j for j in range(a, b + 1) if self.toks[j].token_type in (TokenType.EQ, TokenType.COLON_EQ)),
                      None)
            if eq is None:
                self.problem("a SET without =")
                continue
            self.expression(eq + 1, b)

    def call(self, first: int, last: int) -> None:
        if first > last:
            self.problem("CALL without a procedure name")
            return
        ref = self.table_at(first, last)
        self.acc.calls.add(Call("PROCEDURE", ref.db, ref.name))
        k = first + (3 if ref.db else 1)
        if k <= last and self.toks[k].token_type == TokenType.L_PAREN and k + 1 <= last - 1:
            self.expression(k + 1, last - 1)

    # -- SQL through sqlglot ---------------------------------------------------------------

    def parse(self, sql: str) -> exp.Expression | None:
        try:
            tree = sqlglot.parse_one(sql, read="mysql")
        except (SqlglotError, ValueError, KeyError, TypeError, RecursionError) as exc:
            del exc
            self.problem(f"sqlglot cannot parse {self._shown(sql)}")
            return None
        if tree is None or any(isinstance(n, exp.Command) for n in tree.walk()):
            self.problem(f"sqlglot cannot parse {self._shown(sql)}")
            return None
        return tree

    @staticmethod
    def _shown(sql: str) -> str:
        head = " ".join(sql.split()[:3])
        return f"the statement starting {head[:40]!r}"

    def expression(self, first: int, last: int, *, allow_range: bool = False) -> None:
        """The names an expression (or a list of them: it is read as ``SELECT <text>``) refers to;
        with ``allow_range``, ``a..b`` (a FOR loop's bounds) read as the list ``a, b``."""
        if first > last:
            return
        text = self.span_text(first, last)
        if allow_range and ".." in text:
            text = text.replace("..", ", ")
        tree = self.parse(f"SELECT {text}")
        if tree is not None:
            self.tree(tree)

    def query(self, first: int, last: int) -> None:
        """SELECT/WITH/VALUES/TABLE …, its INTO clause taken out (variables; OUTFILE is a file)."""
        skip: set[int] = set()
        depth = 0
        dml = {}
        for k in range(first, last + 1):
            tt = self.toks[k].token_type
            depth += (tt == TokenType.L_PAREN) - (tt == TokenType.R_PAREN)
            if depth == 0 and self.words[k] in ("INSERT", "REPLACE", "UPDATE", "DELETE") and not (
                    self.words[k] == "UPDATE" and k > first and self.words[k - 1] == "FOR"):  # (SELECT … FOR UPDATE)
                dml = {k: "INSERT"} if self.words[k] == "REPLACE" else {k: self.toks[k].text}
                break
        if dml:  # WITH … INSERT/UPDATE/DELETE
            tree = self.parse(self.span_text(first, last, replace=dml))
            if tree is not None:
                self.tree(tree)
            return
        depth = 0
        k = first
        while k <= last:
            tt = self.toks[k].token_type
            depth += (tt == TokenType.L_PAREN) - (tt == TokenType.R_PAREN)
            if depth == 0 and self.words[k] == "INTO":
                if self.words[k + 1] in ("OUTFILE", "DUMPFILE") if k + 1 <= last else False:
                    self.acc.files = True
                    return
                j = k + 1
                while j <= last and not (self.words[j] in _INTO_ENDS and self.toks[j - 1].token_type != TokenType.PARAMETER):
                    if self.toks[j].token_type == TokenType.L_PAREN:
                        break
                    j += 1
                skip.update(range(k, j))
                k = j
                continue
            k += 1
        sql = self.span_text(first, last, skip)
        if self.words[first] == "TABLE":
            ref = self.table_at(first + 1, last)
            self.acc.reads.add(ref)
            return
        tree = self.parse(sql)
        if tree is not None:
            self.tree(tree)

    def _modifiers(self, first: int, last: int) -> set[int]:
        """LOW_PRIORITY, DELAYED, HIGH_PRIORITY, IGNORE, QUICK right after the verb (sqlglot reads few)."""
        skip = set()
        k = first + 1
        while k <= last and self.words[k] in _INSERT_MODIFIERS:
            skip.add(k)
            k += 1
        return skip

    def insert(self, first: int, last: int) -> None:
        """INSERT/REPLACE (REPLACE is read as INSERT: both write the target)."""
        tree = self.parse(self.span_text(first, last, self._modifiers(first, last), {first: "INSERT"}))
        if tree is not None:
            self.tree(tree)

    def update(self, first: int, last: int) -> None:
        tree = self.parse(self.span_text(first, last, self._modifiers(first, last)))
        if tree is not None:
            self.tree(tree)

    def delete(self, first: int, last: int) -> None:
        tree = self.parse(self.span_text(first, last, self._modifiers(first, last)))
        if tree is not None:
            self.tree(tree)

    def create_temporary(self, first: int, last: int) -> None:
        k = first
        if self.words[k:k + 3] == ["IF", "NOT", "EXISTS"]:
            k += 3
        ref = self.table_at(k, last)
        if ref.db is not None:
            self.acc.writes.add(ref)
        self.acc.temporary.add(ref.name)
        k += 3 if ref.db else 1
        words = self.words[k:last + 1]
        if "LIKE" in words:
            like = k + words.index("LIKE")
            self.acc.reads.add(self.table_at(like + 1, last))
        for j in range(k, last + 1):
            if self.words[j] in ("SELECT", "WITH") or (self.words[j] == "TABLE" and j > k):
                self.query(j, last)
                break

    def tree(self, tree: exp.Expression) -> None:
        """Tables a parsed statement reads and writes, and the functions it calls."""
        targets: set[int] = set()
        for node in tree.find_all(exp.Insert):
            target = node.this
            while isinstance(target, exp.Schema):
                target = target.this
            if isinstance(target, exp.Table):
                self.acc.writes.add(_ref(target))
                targets.add(id(target))  # written, not read
            else:
                self.problem("the target of an INSERT cannot be read")
        for node in tree.find_all(exp.Update):
            # every table of the UPDATE's table list may be written (SET t1.x = …, t2.y = …)
            for table in (node.this.find_all(exp.Table) if isinstance(node.this, exp.Expression) else []):
                if not self._is_cte(table):
                    self.acc.writes.add(_ref(table))
        for node in tree.find_all(exp.Delete):
            aliases = {t.alias: t for t in node.find_all(exp.Table) if t.alias}
            for t in list(node.args.get("tables") or []) or [node.this]:
                if isinstance(t, exp.Table):
                    self.acc.writes.add(_ref(aliases.get(t.name, t) if not t.db else t))
        for table in tree.find_all(exp.Table):
            if id(table) in targets:
                continue
            if isinstance(table.this, (exp.Anonymous, exp.Func)) or not table.name:
                self.problem("a table function or an unnamed table source")
                continue
            if self._is_cte(table):
                continue
            if table.args.get("catalog") is not None and table.catalog:
                self.problem("a three-part table name")
                continue
            self.acc.reads.add(_ref(table))
        for node in tree.find_all(exp.Anonymous):
            self.function(node)
        if any(isinstance(n, exp.Into) for n in tree.walk()):
            self.acc.files = True  # an INTO clause left inside (the leaf's own was taken out): refuse

    def function(self, node: exp.Anonymous) -> None:
        """A call sqlglot does not know: a built-in it lacks, or a stored function (qualified or not)."""
        name = str(node.this)
        parent = node.parent
        db = None
        if isinstance(parent, exp.Dot) and parent.expression is node:
            db = parent.this.name if isinstance(parent.this, (exp.Identifier, exp.Column)) else "?"
        if db is None and name.upper() in FILE_FUNCTIONS:
            self.acc.files = True
        elif db is not None or name.upper() not in BUILTIN_FUNCTIONS:
            self.acc.calls.add(Call("FUNCTION", db, name))

    @staticmethod
    def _is_cte(table: exp.Table) -> bool:
        """Whether an unqualified name is a CTE in scope, as the server resolves it: a WITH's
        own query sees all its CTEs; a CTE's query sees the ones before it (and, in a
        recursive WITH, itself)."""
        if table.db:
            return False
        name = table.name
        child: exp.Expression = table
        node = table.parent
        while node is not None:
            with_ = node if isinstance(node, exp.With) else None
            if with_ is not None:
                ctes = list(with_.expressions)
                k = next((i for i, c in enumerate(ctes) if c is child), None)
                if k is not None:  # inside a CTE's own definition
                    visible = [c.alias for c in ctes[:k + (1 if with_.args.get("recursive") else 0)]]
                    if name in visible:
                        return True
            else:
                for key in ("with", "with_"):
                    w = node.args.get(key)
                    if isinstance(w, exp.With) and w is not child and name in [c.alias for c in w.expressions]:
                        return True
            child, node = node, node.parent
        return False


def _ref(table: exp.Table) -> TableRef:
    return TableRef(table.db or None, table.name)
