"""Expressions in one canonical form, whoever wrote them.

The Schemafile says ``CHECK (price>0)``; MariaDB reports ``` `price` > 0 ```;
MySQL 8 reports ``(`price` > 0)`` and adds charset introducers to string
literals. ``canonical()`` parses any of them with sqlglot and prints a
structural form (an s-expression of the syntax tree) in which quoting,
keyword case, redundant parentheses, introducers and synonyms
(``now()``/``current_timestamp``) no longer show, while operator structure
does: ``(a+b)*c`` and ``a+(b*c)`` stay different.

Both the parser and introspection call it: this is how the model parsed from
a file and the model read from the server meet.
"""

from __future__ import annotations

import functools
import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError as SqlglotParseError
from sqlglot.errors import TokenError
from sqlglot.tokens import TokenType

from ..model import Expr
from .lexer import LexError
from .lexer import tokenize as lex

_NOW_SYNONYMS = {"now", "localtime", "localtimestamp", "current_timestamp"}


class ExpressionError(ValueError):
    """The text is not an expression sqlglot can read."""


@functools.lru_cache(maxsize=512)  # trees are large: kept for the few texts read more than once (views)
def _parse(text: str) -> exp.Expression:
    try:
        tree = sqlglot.parse_one(text, read="mysql")
    except (SqlglotParseError, TokenError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ExpressionError(first) from None
    if tree is None or isinstance(tree, exp.Command):
        raise ExpressionError("not an expression")
    return tree


def _strip(node: exp.Expression) -> exp.Expression:
    """Remove what the server adds or drops without changing meaning."""
    while isinstance(node, (exp.Paren, exp.Introducer)):
        # ((x)) -> x ; _utf8mb4'x' -> 'x' (transform does not revisit what it gets back)
        node = node.this if isinstance(node, exp.Paren) else node.expression
    if isinstance(node, (exp.Localtimestamp, exp.Localtime)) or (
            isinstance(node, exp.Anonymous) and str(node.this).lower() in _NOW_SYNONYMS):
        precision = node.expressions[0] if isinstance(node, exp.Anonymous) and node.expressions else None
        return exp.CurrentTimestamp(this=precision)
    if isinstance(node, exp.CurrentTimestamp) and isinstance(node.this, exp.Literal) and node.this.this == "0":
        return exp.CurrentTimestamp()
    if isinstance(node, exp.Ordered) and node.args.get("nulls_first") is not None:
        node = node.copy()
        node.set("nulls_first", None)  # MySQL has no NULLS FIRST/LAST: ASC already means nulls first
        return node
    if isinstance(node, (exp.Lead, exp.Lag)) and isinstance(node.args.get("offset"), exp.Literal) \
            and node.args["offset"].this == "1" and node.args.get("default") is None:
        node = node.copy()
        node.set("offset", None)  # the server prints lead(x) as lead(x,1)
        return node
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "octet_length" and len(node.expressions) == 1:
        return exp.Length(this=node.expressions[0], binary=True)  # MariaDB prints LENGTH(x) as octet_length(x)
    if isinstance(node, exp.Boolean):  # the server prints TRUE as 1
        return exp.Literal.number(1 if node.this else 0)
    if isinstance(node, exp.DataType) and isinstance(node.parent, exp.Cast):
        # MySQL/MariaDB print CAST(x AS CHAR) as cast(x as char charset <connection charset>)
        return exp.DataType(this=node.this, expressions=node.expressions, nested=node.args.get("nested"))
    return node


def _dump(node) -> str:
    if isinstance(node, exp.Expression):
        if isinstance(node, (exp.Identifier, exp.Var)):  # COLLATE x: a Var or an Identifier
            return "id:" + node.name.lower()
        if isinstance(node, exp.Literal):
            return ("str:" if node.is_string else "num:") + node.name
        if isinstance(node, exp.Anonymous):
            return f"fn:{str(node.this).lower()}(" + ",".join(_dump(a) for a in node.expressions) + ")"
        parts = []
        for name in sorted(node.args):
            value = node.args[name]
            if value is None or value is False or value == []:
                continue
            if name in ("quoted",):
                continue
            parts.append(f"{name}={_dump(value)}")
        return f"{node.key}(" + " ".join(parts) + ")"
    if isinstance(node, list):
        return "[" + ",".join(_dump(v) for v in node) + "]"
    if isinstance(node, str):
        return node.lower()
    return str(node)


def strip_tree(tree: exp.Expression) -> exp.Expression:
    """Apply ``_strip`` to every node of a (copied) tree, nested parentheses included.

    (sqlglot's ``transform`` does not descend into a node it got back in place
    of another, so ``((a) AND (b))`` would keep its inner parentheses.)
    """
    while isinstance(tree, (exp.Paren, exp.Introducer)):
        tree = tree.this if isinstance(tree, exp.Paren) else tree.expression
    tree = tree.copy()
    for node in list(tree.walk()):
        new = _strip(node)
        if new is node:
            continue
        if node is tree:
            tree = new.copy() if new.parent is not None else new
        else:
            node.replace(new)
    return tree


@functools.lru_cache(maxsize=None)  # each expression is parsed once per run, however often it recurs
def canonical(text: str) -> str:
    """The canonical form of an SQL expression (raises ExpressionError)."""
    shaped = _canonical_by_shape(text)
    if shaped is not None:
        return shaped
    return _read(text)


def _read(text: str) -> str:
    return _dump(strip_tree(_parse(text)))


# Quoted names stand for themselves alone in the canonical form ("id:" + the name in lower case):
# expressions that differ only in them have one shape, read by sqlglot once. The server writes
# every column name in backticks, so its 450 ``json_valid(`col`)`` CHECKs are one parse, not 450.
# A Schemafile writes them bare (``score >= 0``): a bare name that sqlglot surely reads as a column
# is a hole too (``_bare_column``), and a 1,000-table file's 280 CHECKs and generated columns are a
# handful of parses instead of 280 (35 ms of a cold parse).
_HOLE = "__schema_apply_name_"
_HOLES = re.compile(r"id:" + _HOLE + r"(\d+)__")


def _canonical_by_shape(text: str) -> str | None:
    """``canonical(text)`` through the shape of ``text`` with each quoted name (not a quoted function
    name) and each bare column name (``_bare_column``) made a numbered hole; None when the text has
    no such name or its shape is not read."""
    try:
        tokens = lex(text)
    except LexError:
        return None
    names: list[str] = []
    pieces: list[str] = []
    last = 0
    identifier, opening = TokenType.IDENTIFIER, TokenType.L_PAREN
    bare = _plain(tokens)
    for k, tok in enumerate(tokens):
        if tok.token_type is identifier:
            if k + 1 < len(tokens) and tokens[k + 1].token_type is opening:
                continue
        elif not (bare and _bare_column(tokens, k)):
            continue
        pieces.append(text[last:tok.start])
        pieces.append(f"`{_HOLE}{len(names)}__`")
        names.append(tok.text.lower())
        last = tok.end + 1
    if not names:
        return None
    pieces.append(text[last:])
    try:
        shape = _canonical_shape("".join(pieces))
    except ExpressionError:
        return None
    canon = _HOLES.sub(lambda m: "id:" + names[int(m.group(1))], shape)
    return None if _HOLE in canon else canon  # (a hole sqlglot read as no name: read the text itself)


_canonical_shape = functools.lru_cache(maxsize=None)(_read)  # one reading per shape


# A bare word is a hole only where sqlglot cannot read it as anything but a column, so that the
# quoted hole and the word give the same tree (a keyword can change how sqlglot reads its
# neighbours: ``interval + a`` is read as INTERVAL of ``+ a`` when ``a`` is quoted, and as a sum
# when it is bare). So only in an expression of names, literals, comparisons, arithmetic,
# AND/OR/NOT, BETWEEN, IN and IS [NOT] NULL/TRUE/FALSE (``_PLAIN``) — no function, no other keyword —
# and only a plain ASCII name (no introducer, no number) that sqlglot's MySQL tokenizer does not take
# for a keyword (alone or in one of its many-word keywords) nor its parser for a function without
# parentheses, between an operator or the start and an operator or the end.
_BARE_NAME = re.compile(r"[A-Za-z][0-9A-Za-z_]*")
_PLAIN_WORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN", "IS", "NULL", "TRUE", "FALSE"})
_PLAIN_TOKENS = frozenset({TokenType.VAR, TokenType.IDENTIFIER, TokenType.NUMBER, TokenType.STRING, TokenType.L_PAREN,
                           TokenType.R_PAREN, TokenType.COMMA, TokenType.EQ, TokenType.NEQ, TokenType.LT, TokenType.LTE,
                           TokenType.GT, TokenType.GTE, TokenType.PLUS, TokenType.DASH, TokenType.STAR,
                           TokenType.SLASH, TokenType.MOD})
_BEFORE_OPERAND = frozenset({"=", "<>", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "AND", "OR", "NOT",
                             "BETWEEN"})
_AFTER_OPERAND = frozenset({")", "=", "<>", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "AND", "OR",
                            "BETWEEN", "IN", "IS"})


@functools.lru_cache(maxsize=None)
def _sqlglot_words() -> frozenset[str]:
    """The words sqlglot's MySQL dialect reads as more than a name: its keywords (each word of a
    many-word keyword too) and its functions without parentheses."""
    from sqlglot.dialects.mysql import MySQL
    words = {word for keyword in MySQL.Tokenizer.KEYWORDS for word in keyword.split()}
    return frozenset(words | set(MySQL.Parser.NO_PAREN_FUNCTION_PARSERS))


def _plain(tokens: list) -> bool:
    """Whether an expression's tokens are all of ``_PLAIN`` (see above)."""
    sqlglot_words = _sqlglot_words()
    for k, tok in enumerate(tokens):
        if tok.token_type not in _PLAIN_TOKENS:
            return False
        if tok.token_type is TokenType.VAR:
            word = tok.text.upper()
            if word in _PLAIN_WORDS:
                continue
            if word in sqlglot_words or not _BARE_NAME.fullmatch(tok.text):
                return False
            if k + 1 < len(tokens) and tokens[k + 1].token_type is TokenType.L_PAREN:
                return False  # a function
    return True


def _bare_column(tokens: list, k: int) -> bool:
    """Whether ``tokens[k]`` of a ``_plain`` expression is a bare column name (see above)."""
    tok = tokens[k]
    if tok.token_type is not TokenType.VAR or tok.text.upper() in _PLAIN_WORDS:
        return False
    if k > 0:
        before = tokens[k - 1]
        if before.token_type is TokenType.L_PAREN:  # grouping (no function here), or IN's list
            if k > 1 and tokens[k - 2].token_type is TokenType.VAR:
                return False
        elif before.token_type is TokenType.STRING or before.text.upper() not in _BEFORE_OPERAND:
            return False
    if k + 1 < len(tokens):
        after = tokens[k + 1]
        if after.token_type is TokenType.STRING or after.text.upper() not in _AFTER_OPERAND:
            return False
    return True


def expression(text: str) -> Expr:
    """An ``Expr`` from SQL text: the text kept for rendering, the canonical form to compare."""
    text = text.strip()
    return Expr(sql=text, canon=canonical(text))


@functools.lru_cache(maxsize=4096)
def is_now(text: str) -> bool:
    """Whether ``text`` is CURRENT_TIMESTAMP / NOW() / LOCALTIMESTAMP, with or without precision."""
    try:
        tree = strip_tree(_parse(text))
    except ExpressionError:
        return False
    return isinstance(tree, exp.CurrentTimestamp)


@functools.lru_cache(maxsize=4096)
def now_precision(text: str) -> int:
    """The precision of a CURRENT_TIMESTAMP(n) expression (0 when absent)."""
    tree = strip_tree(_parse(text))
    if isinstance(tree, exp.CurrentTimestamp) and isinstance(tree.this, exp.Literal):
        return int(tree.this.this)
    return 0

