"""The lexical grammar of MySQL/MariaDB DDL: text in, tokens out, in one regular-expression scan.

One compiled pattern, one alternative per kind of token, scanned with ``finditer``: identifiers
(bare, and in backticks with ```` `` ```` for a backtick), strings in single or double quotes
with backslash escapes and doubled quotes, ``N'…'``, ``X'…'``/``0x…``, ``B'…'``/``0b…``,
charset introducers (``_utf8mb4'…'``), numbers, comments (``#``, ``-- ``, ``/* … */``) and
operators. Versioned comments (``/*! … */``) are code: ``parse.lexer`` blanks their markers
before this scan, offsets unchanged.

A ``Token`` has the attributes of sqlglot's (``token_type``, a sqlglot ``TokenType``, ``text``,
``line``, ``col``, ``start``, ``end``), so the grammar reads it as it read sqlglot's; it is a
plain tuple, made in C (a 150,000-token file makes 150,000 of them). Every bare word is a ``VAR``
(the grammar compares words by their text); ``line`` and ``col`` are where the token starts. The scan keeps
no state between calls: introspection lexes column types in a thread while the Schemafile lexes.
Text that is not a token (an unterminated string, quoted name or comment, a stray character)
raises ``LexError`` at its offset.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from sqlglot.tokens import TokenType

# characters of a bare identifier (MySQL: [0-9a-zA-Z$_] and U+0080 to U+FFFF), spelled as what
# they are not: the same set, and the pattern compiles in 1 ms instead of 25
_ID = r"^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f\U00010000-\U0010ffff"
SINGLE_QUOTED = r"'(?:[^'\\]|\\[\s\S]|'')*'"  # (patterns others build on: the statement splitter)
DOUBLE_QUOTED = r'"(?:[^"\\]|\\[\s\S]|"")*"'
BACKTICKED = r"`(?:[^`]|``)*`"

# One alternative per kind of token, each ending in an empty group: the index of the group that
# matched last (``lastindex``) is the kind; group 1, empty, marks where the token starts (after the
# whitespace). Every alternative starts with a plain character or character set (``[0-9][0-9]*``,
# not ``[0-9]+``) and no group opens before it: the regular-expression engine then passes over an
# alternative that cannot start at the character without entering it (a word is tried after ten
# others: a third of the scan's time when each was entered).
_PATTERN = re.compile(
    r"\s*()(?:"
    r"#[^\n]*()|--(?=[ \t\r\n]|\Z)[^\n]*()|/\*[\s\S]*?(?:\*/|\Z)()"  # 2-4 comment (unterminated: to the end)
    rf"|{BACKTICKED}()"  # 5 quoted identifier
    rf"|[nN](?:{SINGLE_QUOTED}|{DOUBLE_QUOTED})()"  # 6 national string
    rf"|[xX]'[0-9a-fA-F]*'()|0x[0-9a-fA-F]+(?![{_ID}])()"  # 7-8 hexadecimal literal
    rf"|[bB]'[01]*'()|0b[01]+(?![{_ID}])()"  # 9-10 bit literal
    rf"|_[0-9A-Za-z_]+(?=\s*['\"])()"  # 11 charset introducer
    rf"|{SINGLE_QUOTED}()|{DOUBLE_QUOTED}()"  # 12-13 string
    rf"|[0-9][0-9]*(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?(?![{_ID}])()"  # 14-15 number
    rf"|\.[0-9]+(?:[eE][+-]?[0-9]+)?(?![{_ID}])()"
    rf"|[{_ID}][{_ID}]*()"  # 16 word
    r"|(?::=|<=>|->>|->|>=|<=|<>|!=|\|\||&&|@@|[-+*/%<>=!~^&|(),.;:@?{}\[\]])()"  # 17 operator
    r"|\S()"  # 18 anything else: an error
    r")")
_WORD, _OPERATOR, _BLOCK_COMMENT = 16, 17, 4

_OPERATORS = {
    ":=": TokenType.COLON_EQ, "<=>": TokenType.NULLSAFE_EQ, "->>": TokenType.DARROW, "->": TokenType.ARROW,
    ">=": TokenType.GTE, "<=": TokenType.LTE, "<>": TokenType.NEQ, "!=": TokenType.NEQ, "||": TokenType.DPIPE,
    "&&": TokenType.DAMP, "@@": TokenType.SESSION_PARAMETER, "-": TokenType.DASH, "+": TokenType.PLUS,
    "*": TokenType.STAR, "/": TokenType.SLASH, "%": TokenType.MOD, "<": TokenType.LT, ">": TokenType.GT,
    "=": TokenType.EQ, "!": TokenType.NOT, "~": TokenType.TILDE, "^": TokenType.CARET, "&": TokenType.AMP,
    "|": TokenType.PIPE, "(": TokenType.L_PAREN, ")": TokenType.R_PAREN, ",": TokenType.COMMA, ".": TokenType.DOT,
    ";": TokenType.SEMICOLON, ":": TokenType.COLON, "@": TokenType.PARAMETER, "?": TokenType.PLACEHOLDER,
    "{": TokenType.L_BRACE, "}": TokenType.R_BRACE, "[": TokenType.L_BRACKET, "]": TokenType.R_BRACKET,
}

# MySQL's escapes in strings (sql/sql_lex.cc): \% and \_ keep their backslash (for LIKE); any
# other escaped character stands for itself.
_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a", "%": "\\%", "_": "\\_"}
_ESCAPE = re.compile(r"\\([\s\S])|''|\"\"")


def _unescape(match: re.Match) -> str:
    escaped = match.group(1)
    if escaped is None:
        return match.group()[0]  # '' or ""
    return _ESCAPES.get(escaped, escaped)


def unquote(body: str) -> str:
    """The value of a string literal's body (between its quotes)."""
    if "\\" not in body and "''" not in body and '""' not in body:
        return body
    return _ESCAPE.sub(_unescape, body)


class Token(NamedTuple):
    token_type: TokenType
    text: str  # a string's value, a quoted name's name; else as written
    line: int
    col: int
    start: int  # offsets of the first and the last character
    end: int


class LexError(ValueError):
    """Text that is not a token, at ``offset`` of the text."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` (comments and whitespace dropped)."""
    return scan(text)[0]


# Token types that are never a keyword (``scan``'s words are '' for them); every other token's word
# is its text upper-cased.
NOT_WORDS = frozenset({
    TokenType.STRING, TokenType.NUMBER, TokenType.IDENTIFIER, TokenType.L_PAREN, TokenType.R_PAREN,
    TokenType.COMMA, TokenType.DOT, TokenType.SEMICOLON, TokenType.EQ, TokenType.HEX_STRING,
    TokenType.BIT_STRING, TokenType.NATIONAL_STRING, TokenType.BYTE_STRING, TokenType.RAW_STRING,
    TokenType.DASH, TokenType.PLUS, TokenType.STAR, TokenType.SLASH, TokenType.PARAMETER,
    TokenType.SESSION_PARAMETER,
})


def scan(text: str, pos: int = 0, endpos: int | None = None, line: int = 1) -> tuple[list[Token], list[str]]:
    """The tokens of ``text`` and, for each, its word: the text upper-cased for a bare word (or an
    operator that is not in ``NOT_WORDS``), '' otherwise — what the grammar compares keywords with.
    ``pos``/``endpos`` scan a part of ``text`` (offsets stay the text's), ``line`` being the line
    ``pos`` is on.

    The hot loop of a Schemafile parse (150,000 tokens for 1,000 tables): a line number is
    counted only when a token starts past the next newline, and one string is kept per distinct
    word and per distinct upper-cased word (a schema repeats its words)."""
    out: list[Token] = []
    words_out: list[str] = []
    append = out.append
    append_word = words_out.append
    n = len(text) if endpos is None else endpos
    line_start = text.rfind("\n", 0, pos) + 1  # offset where the current line starts
    find = text.find
    find_newline = text.rfind
    count = text.count
    next_newline = find("\n", pos, n)
    if next_newline < 0:
        next_newline = n
    var, ident, string, number = TokenType.VAR, TokenType.IDENTIFIER, TokenType.STRING, TokenType.NUMBER
    operators = _OPERATORS
    not_words = NOT_WORDS
    new = tuple.__new__
    word_kind, operator_kind = _WORD, _OPERATOR
    words: dict[str, str] = {}  # one string for each distinct word
    uppers: dict[str, str] = {}  # its upper-cased form
    m = None
    for m in _PATTERN.finditer(text, pos, n):
        kind = m.lastindex
        start = m.end(1)
        if start > next_newline:  # a newline in the whitespace before the token
            line += count("\n", pos, start)
            line_start = find_newline("\n", pos, start) + 1
            next_newline = find("\n", start, n)
            if next_newline < 0:
                next_newline = n
            pos = start
        end = m.end()
        if kind == word_kind:
            word = text[start:end]
            same = words.get(word)
            if same is None:
                same = words[word] = word
                uppers[word] = word.upper()
            append(new(Token, (var, same, line, start - line_start + 1, start, end - 1)))
            append_word(uppers[same])
            continue
        if kind == operator_kind:
            op = text[start:end]
            token_type = operators[op]
            append(new(Token, (token_type, op, line, start - line_start + 1, start, end - 1)))
            append_word("" if token_type in not_words else op)
            continue
        col = start - line_start + 1
        if kind == 14 or kind == 15:
            append(new(Token, (number, text[start:end], line, col, start, end - 1)))
            append_word("")
        elif kind == 12 or kind == 13:
            append(new(Token, (string, unquote(text[start + 1:end - 1]), line, col, start, end - 1)))
            append_word("")
        elif kind == 5:
            append(new(Token, (ident, text[start + 1:end - 1].replace("``", "`"), line, col, start, end - 1)))
            append_word("")
        elif kind <= _BLOCK_COMMENT:
            if kind == _BLOCK_COMMENT and (end - start < 4 or not text.startswith("*/", end - 2)):
                raise _error(text, start)
        elif kind == 6:
            append(new(Token, (TokenType.NATIONAL_STRING, unquote(text[start + 2:end - 1]), line, col, start, end - 1)))
            append_word("")
        elif kind == 7 or kind == 8:
            raw = text[start:end]
            append(new(Token, (TokenType.HEX_STRING, raw[2:-1] if kind == 7 else raw[2:], line, col, start, end - 1)))
            append_word("")
        elif kind == 9 or kind == 10:
            raw = text[start:end]
            append(new(Token, (TokenType.BIT_STRING, raw[2:-1] if kind == 9 else raw[2:], line, col, start, end - 1)))
            append_word("")
        elif kind == 11:
            introducer = text[start:end]
            append(new(Token, (TokenType.INTRODUCER, introducer, line, col, start, end - 1)))
            append_word(introducer.upper())
        else:
            raise _error(text, start)
        if end > next_newline:  # a string, a quoted name or a comment over several lines
            line += count("\n", start, end)
            line_start = find_newline("\n", start, end) + 1
            next_newline = find("\n", end, n)
            if next_newline < 0:
                next_newline = n
            pos = end
    if m is not None:
        pos = m.end()
    if pos < n and text[pos:n].strip():
        raise _error(text, pos)
    return out, words_out


def _error(text: str, offset: int) -> LexError:
    char = text[offset]
    if text.startswith("/*", offset):
        return LexError("unterminated /* comment", offset)
    if char in "'\"`":
        kind = "quoted identifier" if char == "`" else "string"
        return LexError(f"unterminated {kind} (opening {char} never closed)", offset)
    return LexError(f"unexpected character {char!r}", offset)
