"""The block structure of stored-program bodies: BEGIN … END and the statements inside.

A trigger, routine or event body is one statement, often a compound one:
``BEGIN … END`` blocks (labelled, nested), ``IF … END IF``, ``CASE … END CASE``,
``LOOP``, ``WHILE``, ``REPEAT``, MariaDB's ``FOR``, ``DECLARE … HANDLER FOR …``
with its own statement. Semicolons inside it do not end the CREATE statement,
with or without the client's ``DELIMITER``. This module reads that structure
from the tokens (quotes and comments are already tokens or gone): where a body
ends, and the tree of its statements, each leaf a token span that
``parse.references`` reads with sqlglot for the firewall.

It knows nothing of the model; ``BlockError`` carries the token index of the
problem, which the caller turns into a file/line error.
"""

from __future__ import annotations

from dataclasses import field

from sqlglot.tokens import TokenType

from ..sql.lexer import Token
from ..values import mutable

STORED_PROGRAM_KINDS = ("TRIGGER", "PROCEDURE", "FUNCTION", "EVENT")


class BlockError(ValueError):
    def __init__(self, message: str, index: int):
        super().__init__(message)
        self.index = index


@mutable
class Node:
    """One statement of a body. ``kind``: block, if, case, loop, while, repeat, for, handler,
    or statement (a leaf: everything else, read by ``parse.references``). ``parts`` are the
    token spans (inclusive) of what the construct itself evaluates: conditions, CASE operands,
    a FOR range, a handler's conditions, a leaf's whole text."""

    kind: str
    first: int
    last: int
    parts: list[tuple[str, int, int]] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)
    label: str | None = None

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


# Words that cannot start a statement-list item other than as the end of the list.
_LIST_ENDS = {"END", "ELSE", "ELSEIF", "WHEN", "UNTIL"}
_LABELLED = {"BEGIN", "LOOP", "WHILE", "REPEAT", "FOR"}
_HANDLER_ACTIONS = {"CONTINUE", "EXIT", "UNDO"}


class _Reader:
    def __init__(self, tokens: list[Token], words: list[str], limit: int):
        self.toks = tokens
        self.words = words
        self.limit = limit  # index after the last token that may belong to the statement

    # -- helpers ----------------------------------------------------------------

    def word(self, i: int) -> str:
        return self.words[i] if i < self.limit else ""

    def type(self, i: int) -> TokenType | None:
        return self.toks[i].token_type if i < self.limit else None

    def semicolon(self, i: int) -> bool:
        return self.type(i) == TokenType.SEMICOLON

    def label_at(self, i: int) -> bool:
        """``name:`` (and not ``name :=``)."""
        return (i + 1 < self.limit and self.type(i + 1) == TokenType.COLON
                and (self.words[i] != "" or self.toks[i].token_type == TokenType.IDENTIFIER)
                and self.word(i) not in _LIST_ENDS and self.word(i + 2) in _LABELLED)

    def expect(self, i: int, *words: str) -> int:
        for k, w in enumerate(words):
            if self.word(i + k) != w:
                found = repr(self.toks[i + k].text) if i + k < self.limit else "the end of the statement"
                raise BlockError(f"expected {' '.join(words)}, found {found}", min(i + k, self.limit - 1))
        return i + len(words)

    def end_label(self, i: int, label: str | None) -> int:
        """An optional label after END/END LOOP/…; it must repeat the opening one."""
        if label is None or i >= self.limit or self.semicolon(i):
            return i
        if self.toks[i].text.lower() == label.lower() and (self.words[i] or self.type(i) == TokenType.IDENTIFIER):
            return i + 1
        if self.words[i] and self.words[i] not in _LIST_ENDS or self.type(i) == TokenType.IDENTIFIER:
            raise BlockError(f"END label {self.toks[i].text!r} does not match the label {label!r}", i)
        return i

    def until(self, i: int, *stops: str) -> int:
        """The index of the first stop word at depth 0 (parentheses, CASE … END) from ``i``."""
        depth = 0
        j = i
        while j < self.limit:
            t = self.toks[j].token_type
            w = self.words[j]
            if t == TokenType.L_PAREN:
                depth += 1
            elif t == TokenType.R_PAREN:
                depth -= 1
            elif w == "CASE" and not self._after_dot(j):
                depth += 1
            elif w == "END" and depth > 0 and not self._after_dot(j):
                depth -= 1
            elif depth == 0 and w in stops and not self._after_dot(j):
                return j
            elif depth == 0 and t == TokenType.SEMICOLON:
                break
            j += 1
        found = "';'" if j < self.limit else "the end of the statement"
        raise BlockError(f"expected {' or '.join(stops)}, found {found}", min(j, self.limit - 1))

    def _after_dot(self, j: int) -> bool:
        return j > 0 and self.toks[j - 1].token_type == TokenType.DOT

    # -- statements -------------------------------------------------------------------

    def statement(self, i: int) -> tuple[Node, int]:
        """One statement from ``i``; returns it and the index after its last token."""
        if i >= self.limit:
            raise BlockError("expected a statement, found the end of the statement", self.limit - 1)
        label = None
        start = i
        if self.label_at(i):
            label = self.toks[i].text
            i += 2
        w = self.word(i)
        if w == "BEGIN":
            j = i + 1
            if self.word(j) == "NOT" and self.word(j + 1) == "ATOMIC":
                j += 2
            children, j = self.statements(j, ("END",))
            j = self.end_label(self.expect(j, "END"), label)
            return Node("block", start, j - 1, children=children, label=label), j
        if w == "LOOP":
            children, j = self.statements(i + 1, ("END",))
            j = self.end_label(self.expect(j, "END", "LOOP"), label)
            return Node("loop", start, j - 1, children=children, label=label), j
        if w == "WHILE":
            do = self.until(i + 1, "DO")
            children, j = self.statements(do + 1, ("END",))
            j = self.end_label(self.expect(j, "END", "WHILE"), label)
            return Node("while", start, j - 1, [("expr", i + 1, do - 1)], children, label), j
        if w == "REPEAT":
            children, until = self.statements(i + 1, ("UNTIL",))
            end = self.until(until + 1, "END")
            j = self.end_label(self.expect(end, "END", "REPEAT"), label)
            return Node("repeat", start, j - 1, [("expr", until + 1, end - 1)], children, label), j
        if w == "FOR" and (label is not None or self._for_loop(i)):
            do = self.until(i + 1, "DO")
            children, j = self.statements(do + 1, ("END",))
            j = self.end_label(self.expect(j, "END", "FOR"), label)
            return Node("for", start, j - 1, [("for", i + 1, do - 1)], children, label), j
        if label is not None:
            raise BlockError("a label must be followed by BEGIN, LOOP, WHILE, REPEAT or FOR", i)
        if w == "IF":
            return self._if(i)
        if w == "CASE":
            return self._case(i)
        if w == "DECLARE" and self.word(i + 1) in _HANDLER_ACTIONS and self.word(i + 2) == "HANDLER":
            j = self.expect(i + 3, "FOR")
            conditions_end = self._conditions(j)
            action, k = self.statement(conditions_end)
            return Node("handler", i, k - 1, [("handler", j, conditions_end - 1)], [action]), k
        if w in _LIST_ENDS:
            raise BlockError(f"unexpected {self.toks[i].text}", i)
        # a leaf: up to the next ';' at depth 0 (CASE expressions end with END)
        j = i
        depth = 0
        while j < self.limit:
            t = self.toks[j].token_type
            ww = self.words[j]
            if t == TokenType.SEMICOLON and depth == 0:
                break
            if t == TokenType.L_PAREN:
                depth += 1
            elif t == TokenType.R_PAREN:
                depth -= 1
                if depth < 0:
                    raise BlockError("unbalanced parentheses", j)
            elif ww == "CASE" and not self._after_dot(j):
                depth += 1
            elif ww == "END" and not self._after_dot(j):
                if depth == 0:
                    break  # the END of an enclosing block: the ';' before it is missing
                depth -= 1
            j += 1
        if depth > 0:
            raise BlockError("unbalanced parentheses or CASE without END", j - 1)
        if j == i:
            raise BlockError(f"expected a statement, found {self.toks[i].text!r}", i)
        return Node("statement", i, j - 1, [("statement", i, j - 1)]), j

    def _for_loop(self, i: int) -> bool:
        """MariaDB's FOR loop (``FOR x IN … DO``), not a FOR UPDATE or the like."""
        return self.type(i + 2) == TokenType.IN or self.word(i + 2) == "IN"

    def statements(self, i: int, ends: tuple[str, ...]) -> tuple[list[Node], int]:
        """Statements separated by ';' until one of ``ends`` starts a statement."""
        out: list[Node] = []
        while True:
            while self.semicolon(i):
                i += 1
            if i >= self.limit:
                raise BlockError(f"expected {' or '.join(ends)} to close the block, found the end of the"
                                 " statement", self.limit - 1)
            if self.word(i) in ends:
                return out, i
            node, i = self.statement(i)
            out.append(node)
            if not self.semicolon(i):
                if self.word(i) in ends:  # "END" right after a statement: a missing ';' the server rejects
                    raise BlockError(f"expected ';' before {self.toks[i].text}", i)
                found = repr(self.toks[i].text) if i < self.limit else "the end of the statement"
                raise BlockError(f"expected ';' after the statement, found {found}", min(i, self.limit - 1))
            i += 1

    def _if(self, i: int) -> tuple[Node, int]:
        start = i
        parts: list[tuple[str, int, int]] = []
        children: list[Node] = []
        while True:
            then = self.until(i + 1, "THEN")
            parts.append(("expr", i + 1, then - 1))
            body, j = self.statements(then + 1, ("ELSEIF", "ELSE", "END"))
            children += body
            if self.word(j) == "ELSEIF":
                i = j
                continue
            if self.word(j) == "ELSE":
                body, j = self.statements(j + 1, ("END",))
                children += body
            j = self.expect(j, "END", "IF")
            return Node("if", start, j - 1, parts, children), j

    def _case(self, i: int) -> tuple[Node, int]:
        start = i
        parts: list[tuple[str, int, int]] = []
        children: list[Node] = []
        j = i + 1
        if self.word(j) != "WHEN":
            when = self.until(j, "WHEN")
            parts.append(("expr", j, when - 1))
            j = when
        while self.word(j) == "WHEN":
            then = self.until(j + 1, "THEN")
            parts.append(("expr", j + 1, then - 1))
            body, j = self.statements(then + 1, ("WHEN", "ELSE", "END"))
            children += body
        if self.word(j) == "ELSE":
            body, j = self.statements(j + 1, ("END",))
            children += body
        j = self.expect(j, "END", "CASE")
        return Node("case", start, j - 1, parts, children), j

    def _conditions(self, i: int) -> int:
        """A handler's condition list; the index of the action statement."""
        while True:
            w = self.word(i)
            if w == "SQLSTATE":
                i += 1
                if self.word(i) == "VALUE":
                    i += 1
                if self.type(i) != TokenType.STRING:
                    raise BlockError("expected an SQLSTATE value", min(i, self.limit - 1))
                i += 1
            elif w == "NOT" and self.word(i + 1) == "FOUND":
                i += 2
            elif self.type(i) in (TokenType.NUMBER,) or w in ("SQLWARNING", "SQLEXCEPTION") or (
                    i < self.limit and (self.words[i] or self.toks[i].token_type == TokenType.IDENTIFIER)):
                i += 1
            else:
                raise BlockError("expected a handler condition", min(i, self.limit - 1))
            if self.type(i) == TokenType.COMMA:
                i += 1
                continue
            return i


def read_body(tokens: list[Token], words: list[str], start: int, limit: int) -> tuple[Node, int]:
    """The body statement starting at ``tokens[start]``; returns it and the index after it.
    ``limit`` bounds the search (a DELIMITER boundary, or the end of the tokens)."""
    return _Reader(tokens, words, limit).statement(start)


# --------------------------------------------------------------------------
# Where a stored program's body starts (the header, read just enough to skip it)
# --------------------------------------------------------------------------

_CHARACTERISTIC_WORDS = {"LANGUAGE", "NOT", "DETERMINISTIC", "CONTAINS", "NO", "READS", "MODIFIES", "SQL", "COMMENT"}
_TYPE_MODIFIERS = {"UNSIGNED", "SIGNED", "ZEROFILL", "BINARY", "ASCII", "UNICODE", "BYTE", "PRECISION", "VARYING",
                   "CHARSET", "CHARACTER", "COLLATE"}


def program_kind(words: list[str], tokens: list[Token], i: int, limit: int) -> tuple[str, int] | None:
    """If ``CREATE …`` at ``i`` creates a trigger, routine or event: its kind and the index of
    the kind word. Skips OR REPLACE, DEFINER = account and AGGREGATE."""
    if words[i] != "CREATE":
        return None
    j = i + 1
    if j + 1 < limit and words[j] == "OR" and words[j + 1] == "REPLACE":
        j += 2
    if j < limit and words[j] == "DEFINER":
        j += 1
        if j < limit and tokens[j].token_type == TokenType.EQ:
            j += 1
        j = skip_account(tokens, words, j, limit)
    if j < limit and words[j] == "AGGREGATE":
        j += 1
    if j < limit and words[j] in STORED_PROGRAM_KINDS:
        return words[j], j
    return None


def skip_account(tokens: list[Token], words: list[str], j: int, limit: int) -> int:
    """``user@host`` / ``'user'@'host'`` / CURRENT_USER[()]: the index after it."""
    if j < limit and words[j] == "CURRENT_USER":
        j += 1
        if j + 1 < limit and tokens[j].token_type == TokenType.L_PAREN and tokens[j + 1].token_type == TokenType.R_PAREN:
            j += 2
        return j
    if j >= limit:
        return j
    j += 1
    if j < limit and tokens[j].token_type == TokenType.PARAMETER and tokens[j].text == "@":
        j += 1
        if j < limit:
            j += 1
            while j < limit and tokens[j].start == tokens[j - 1].end + 1 and tokens[j].token_type in (
                    TokenType.DOT, TokenType.NUMBER, TokenType.VAR, TokenType.DASH):
                j += 1
    return j


def body_start(kind: str, tokens: list[Token], words: list[str], at: int, limit: int) -> int:
    """The index of the body's first token; ``at`` is the index of the kind word."""
    def fail(message: str, k: int):
        raise BlockError(message, min(k, limit - 1))

    j = at + 1
    if words[j:j + 3] == ["IF", "NOT", "EXISTS"]:
        j += 3
    if kind == "TRIGGER":
        while j < limit and not (words[j] == "FOR" and words[j + 1:j + 3] == ["EACH", "ROW"]):
            j += 1
        if j >= limit:
            fail("expected FOR EACH ROW", j)
        j += 3
        if j < limit and words[j] in ("FOLLOWS", "PRECEDES"):
            j += 2
        return j
    if kind == "EVENT":
        depth = 0
        while j < limit:
            t = tokens[j].token_type
            depth += t == TokenType.L_PAREN
            depth -= t == TokenType.R_PAREN
            if depth == 0 and words[j] == "DO":
                return j + 1
            j += 1
        fail("expected DO and the event's body", j)
    # PROCEDURE / FUNCTION name ( parameters )
    while j < limit and tokens[j].token_type != TokenType.L_PAREN:
        j += 1
    j = _after_parentheses(tokens, j, limit)
    if kind == "FUNCTION" and j < limit and words[j] == "RETURNS":
        j += 2  # the type name
        if j < limit and tokens[j].token_type == TokenType.L_PAREN:
            j = _after_parentheses(tokens, j, limit)
        while j < limit and words[j] in _TYPE_MODIFIERS:
            if words[j] in ("CHARSET", "COLLATE"):
                j += 2
            elif words[j] == "CHARACTER":
                j += 3
            else:
                j += 1
    while j < limit and words[j] in _CHARACTERISTIC_WORDS:
        w = words[j]
        if w == "COMMENT":
            j += 2
        elif w == "LANGUAGE":
            j += 2
        elif w == "NOT":
            j += 2
        elif w in ("CONTAINS", "NO"):
            j += 2
        elif w in ("READS", "MODIFIES"):
            j += 3
        elif w == "SQL":
            if words[j + 1:j + 2] != ["SECURITY"]:
                break
            j += 3
        else:
            j += 1
    return j


def _after_parentheses(tokens: list[Token], j: int, limit: int) -> int:
    """The index after the ``( … )`` that opens at ``tokens[j]``."""
    depth = 0
    while j < limit:
        t = tokens[j].token_type
        depth += t == TokenType.L_PAREN
        depth -= t == TokenType.R_PAREN
        j += 1
        if depth == 0:
            break
    return j
