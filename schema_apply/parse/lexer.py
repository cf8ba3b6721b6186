"""Tokens and statements of a Schemafile, on top of the DDL lexer (``sql.lexer``).

- Versioned comments (``/*!50100 PARTITION BY … */``, ``/*M!100100 … */``, the
  form mysqldump writes) are code to the server, so they are code here: the
  comment markers are blanked before tokenizing (offsets and lines unchanged);
  as comments, the clause would vanish.
- Statements are split on top-level semicolons — but not inside the compound
  body of a trigger, routine or event (``BEGIN … END``, see ``compound``) —
  and on the delimiter a ``DELIMITER`` line sets, the mysql client's way;
  every token keeps its line and column so that errors can name them.
- ``Cursor`` walks one statement's tokens for the grammar in ``schemafile``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import field

from sqlglot.tokens import TokenType

from ..errors import ParseError, UnsupportedError
from ..model import Expr
from ..sql.expressions import ExpressionError
from ..sql.expressions import expression as read_expression
from ..sql.lexer import BACKTICKED, DOUBLE_QUOTED, NOT_WORDS, SINGLE_QUOTED, LexError, Token, scan, unquote
from ..sql.lexer import tokenize as lex
from ..values import mutable
from . import compound

WORD_TYPES_EXCLUDED = NOT_WORDS


def runs_versioned_comment(marker: str, version: str | None, server: tuple[str, tuple[int, int, int]] | None) -> bool:
    """Whether a server runs ``/*!NNNNN … */`` (``marker`` "!") or ``/*M!NNNNNN … */`` ("M!").

    MySQL runs ``/*!`` code when NNNNN <= its version and ignores ``/*M!``.
    MariaDB runs ``/*M!`` and ``/*!`` code when the number is <= its version,
    except five-digit numbers from 50700 up, which it keeps for MySQL 5.7+
    and ignores. Without a known server, all of it is code.
    """
    if server is None:
        return True
    kind, (major, minor, patch) = server
    if version is None:
        return kind == "mariadb" or marker == "!"
    number = int(version)
    if kind == "mariadb":
        if marker == "!" and len(version) == 5 and number >= 50700:
            return False
        return number <= major * 10000 + minor * 100 + patch
    if marker == "M!":
        return False
    return number <= major * 10000 + minor * 100 + patch


# Everything that can hide a "/*!" that is not one: quoted text and ordinary comments.
_SKIP_OR_VERSIONED = re.compile(
    r"'(?:[^'\\]|\\.|'')*'?"          # '...' with \x and '' escapes (unterminated: to the end)
    r'|"(?:[^"\\]|\\.|"")*"?'
    r"|`(?:[^`]|``)*`?"
    r"|#[^\n]*|--(?=[ \t\r\n]|$)[^\n]*"
    r"|/\*(M?!)(\d{5,6})?"
    r"|/\*.*?(?:\*/|\Z)",
    re.S)


def blank_versioned_comments(text: str, server: tuple[str, tuple[int, int, int]] | None = None) -> str:
    """Turn ``/*!NNNNN code */`` and ``/*M!NNNNNN code */`` into ``code``, same offsets.

    Comments the server would not run (see ``runs_versioned_comment``) stay comments.
    """
    if "/*" not in text:
        return text
    out: list[str] = []
    last = pos = 0
    n = len(text)
    while pos < n:
        m = _SKIP_OR_VERSIONED.search(text, pos)
        if m is None:
            break
        if m.group(1) is None:  # a string or an ordinary comment: skipped whole
            pos = max(m.end(), m.start() + 1)
            continue
        end = text.find("*/", m.end())
        if not runs_versioned_comment(m.group(1), m.group(2), server):
            pos = n if end < 0 else end + 2
            continue
        out.append(text[last:m.start()])
        out.append(" " * (m.end() - m.start()))
        if end < 0:
            last = pos = m.end()
            continue
        out.append(text[m.end():end])
        out.append("  ")
        last = pos = end + 2
    out.append(text[last:])
    return "".join(out)


# A scan for comment lines the mysql/mariadb client drops: strings and comments skipped whole,
# a ";" ending a statement, a line starting with "--" (whatever follows), other code.
_CLIENT_SCAN = re.compile(
    r"'(?:[^'\\]|\\.|'')*'?|\"(?:[^\"\\]|\\.|\"\")*\"?|`(?:[^`]|``)*`?"
    r"|#[^\n]*|--(?=[ \t\r\n]|$)[^\n]*|/\*.*?(?:\*/|\Z)"
    r"|(?P<end>;)|(?P<line>(?:^|(?<=\n))[ \t]*--[^\n]*)|(?P<code>[^\s'\"`#;/-]+|\S)",
    re.S | re.M)


# A line whose first characters are "--" and a character that is not a space: only such a line
# can be a comment to the client and not to the server ("-- x" is a comment to both). Looked for
# only where "--" and such a character are (``_DASHES``, a plain search for its first characters,
# 15 times as fast as one for a pattern that starts at the start of a line).
_CLIENT_ONLY_COMMENT = re.compile(r"^[ \t]*--[^ \t\r\n]", re.M)
_DASHES = re.compile(r"--[^ \t\r\n]")


def blank_client_comment_lines(text: str) -> str:
    """Blank the lines the mysql/mariadb client drops as comments: between statements, a line
    whose first characters are ``--`` is a comment to the client even without the space the
    server needs after ``--`` (``-----------`` rulers in schema files), same offsets."""
    if not _DASHES.search(text) or not _CLIENT_ONLY_COMMENT.search(text):
        return text
    out: list[str] = []
    last = 0
    in_statement = False
    for m in _CLIENT_SCAN.finditer(text):
        if m.group("end"):
            in_statement = False
        elif m.group("line") is not None:
            if not in_statement:
                out.append(text[last:m.start()])
                out.append(" " * (m.end() - m.start()))
                last = m.end()
            else:
                in_statement = True  # inside a statement, "--x" is code: minus, minus, x
        elif m.group("code"):
            in_statement = True
    out.append(text[last:])
    return "".join(out)


@mutable
class Statement:
    tokens: list[Token]
    source: str  # the whole (pre-processed) file text; tokens index into it
    file: str
    words: list[str] = field(default_factory=list)  # upper-cased bare words, '' for other tokens
    original: str = ""  # the file text as written (same offsets as ``source``)

    def __post_init__(self) -> None:
        if not self.words:
            self.words = keywords(self.tokens)

    @property
    def line(self) -> int:
        return self.tokens[0].line if self.tokens else 0

    def text(self, first: int = 0, last: int | None = None) -> str:
        """Source text of tokens[first..last], comments dropped, spacing kept."""
        toks = self.tokens[first:(len(self.tokens) if last is None else last + 1)]
        if not toks:
            return ""
        parts = [self.source[toks[0].start:toks[0].end + 1]]
        for prev, tok in zip(toks, toks[1:]):
            if tok.start > prev.end + 1:
                parts.append(" ")
            parts.append(self.source[tok.start:tok.end + 1])
        return "".join(parts)

    def raw(self, first: int, last: int) -> str:
        """The text of tokens[first..last] as written, comments and versioned comments included."""
        text = self.original or self.source
        return text[self.tokens[first].start:self.tokens[last].end + 1]

    def client_text(self) -> str:
        """The statement as the mysql client sends it: its original text, including the versioned
        comment markers mysqldump wraps around it (``/*!50003 CREATE*/ … END */``)."""
        text = self.original or self.source
        start, end = self.tokens[0].start, self.tokens[-1].end + 1
        opening = re.search(r"/\*M?!\d*\s*\Z", text[max(0, start - 24):start])
        if opening:
            start -= len(opening.group())
        closing = re.match(r"\s*\*/", text[end:])
        if closing and text.count("/*", start, end) > text.count("*/", start, end):
            end += closing.end()
        return text[start:end]

    def gap(self, after: int) -> str:
        """Raw text (whitespace and comments) between tokens[after] and the next token."""
        if after >= len(self.tokens):
            return ""
        start = self.tokens[after].end + 1 if after >= 0 else 0
        end = self.tokens[after + 1].start if after + 1 < len(self.tokens) else len(self.source)
        return self.source[start:end]


_DELIMITER_LINES = re.compile(r"(?im)^[ \t]*DELIMITER[ \t]")
# Looked for only where the text in lower case holds "delim" (a search for a pattern that starts at
# a line's start tries every offset of the text: 7 times as long); the pattern's I also matches a
# dotless i and a dotted capital I (whose lower case is an i and a combining dot)
_DELIMITER_WORD = re.compile("del[i\u0131]\u0307?m")
_DELIMITER_LINE = re.compile(r"[ \t]*DELIMITER[ \t]+(\S+)[ \t]*(?=\r?\n|\Z)", re.I)
_SKIP = re.compile(
    r"'(?:[^'\\]|\\.|'')*'?"
    r'|"(?:[^"\\]|\\.|"")*"?'
    r"|`(?:[^`]|``)*`?"
    r"|#[^\n]*|--(?=[ \t\r\n]|$)[^\n]*"
    r"|/\*.*?(?:\*/|\Z)",
    re.S)


def _delimiters(source: str, file: str) -> tuple[str, list[int]]:
    """The mysql client's ``DELIMITER xx`` lines: blanked (same offsets), with the offsets
    where a custom delimiter ended a statement. ``DELIMITER ;`` restores the default."""
    if not _DELIMITER_WORD.search(source.lower()) or not _DELIMITER_LINES.search(source):
        return source, []
    out = list(source)
    ends: list[int] = []
    delimiter = ";"
    pos = 0
    line_start = True
    n = len(source)
    while pos < n:
        if line_start:
            m = _DELIMITER_LINE.match(source, pos)
            if m:
                delimiter = m.group(1)
                for k in range(m.start(), m.end()):
                    out[k] = " "
                pos = m.end()
                continue
        ch = source[pos]
        if delimiter != ";" and source.startswith(delimiter, pos):
            for k in range(pos, pos + len(delimiter)):
                out[k] = " "
            ends.append(pos)
            pos += len(delimiter)
            line_start = False
            continue
        if ch in "'\"`#-/":
            m = _SKIP.match(source, pos)
            if m and m.end() > pos:
                line_start = source[m.end() - 1] == "\n"
                pos = m.end()
                continue
        line_start = ch == "\n" or (line_start and ch in " \t\r")
        pos += 1
    return "".join(out), ends


def prepare(text: str, file: str, server: tuple[str, tuple[int, int, int]] | None = None
            ) -> tuple[str, list[int]]:
    """The text the lexer reads (versioned comments and client comment lines resolved, DELIMITER
    lines blanked, same offsets) and the offsets where a custom delimiter ended a statement."""
    source = blank_client_comment_lines(blank_versioned_comments(text, server))
    return _delimiters(source, file)


def split_statements(text: str, file: str, server: tuple[str, tuple[int, int, int]] | None = None,
                     prepared: tuple[str, list[int]] | None = None) -> list[Statement]:
    """Tokenize a Schemafile and split it into statements."""
    source, ends = prepared or prepare(text, file, server)
    try:
        tokens, words = scan(source)
    except LexError as exc:
        raise ParseError(str(exc), file=file, line=source.count("\n", 0, exc.offset) + 1) from None
    statements: list[Statement] = []
    n = len(tokens)
    boundary = iter(ends + [len(source) + 1])
    next_end = next(boundary)
    limit = -1  # the index of the first token past the current delimiter (-1: not found yet)
    i = 0
    while i < n:
        while tokens[i].start > next_end:
            next_end = next(boundary)
            limit = -1
        if tokens[i].token_type == TokenType.SEMICOLON:
            i += 1
            continue
        if limit < 0:  # once per delimiter, not per statement
            limit = i
            while limit < n and tokens[limit].start < next_end:
                limit += 1
        end = _statement_end(tokens, words, i, limit, source, file)
        statements.append(Statement(tokens[i:end], source, file, words[i:end], text))
        i = end
    return statements


# -- the fast way: statements one at a time, repeated column definitions not tokenized ----------

class NotSimple(Exception):
    """The file holds what only ``split_statements`` reads right (a stored program, a delimiter, an
    unterminated string…): read it that way."""


# One statement's text up to its ";": code, quoted text and comments (as the DDL lexer reads them).
# Both possessive (never giving back what a repetition took): a run of comments that is not followed
# by CREATE TABLE — a boxed header of "#   …   #" lines before a DROP — would otherwise be retried
# in every way of splitting it into spaces and comments, exponentially many.
_SPAN = re.compile(
    r"(?:[^;'\"`#/-]++"
    rf"|{SINGLE_QUOTED}|{DOUBLE_QUOTED}|{BACKTICKED}"
    r"|#[^\n]*+|--(?=[ \t\r\n]|\Z)[^\n]*+|/\*[\s\S]*?\*/"
    r"|[/-])*+")
_TABLE_HEAD = re.compile(r"(?:\s++|#[^\n]*+|--(?=[ \t\r\n]|\Z)[^\n]*+|/\*[\s\S]*?\*/)*+CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:`(?:[^`]|``)+`|[0-9A-Za-z_$]+)\s*\(", re.I)
# One column definition of a CREATE TABLE: a name, then what only a column can hold (no comment, no
# nested parentheses, no backslash in a string), up to the "," or ")" after it. Possessive: a run
# of plain characters is taken whole and never given back (what follows a unit cannot start inside
# it), so a definition is matched in runs rather than character by character.
_COLUMN = re.compile(
    r"\s*(`(?:[^`]|``)+`|[A-Za-z_$][0-9A-Za-z_$]*)\s+"
    r"((?:[^,()'\"`#/\\-]++|'(?:[^'\\]++|'')*+'|\((?:[^()'\"`#/\\-]++|'(?:[^'\\]++|'')*+')*+\)|-(?!-)|/(?!\*))++)"
    r"(?=[,)])")
DEFINITION = TokenType.UNKNOWN  # a whole column definition met before, as one token (read_column)
# A column definition met before but for its COMMENT, the last thing in it: schemas comment columns
# of a common definition (``int NOT NULL DEFAULT '0' COMMENT 'the rate'``), 840 of the 1,500
# definitions of the 1,000-table benchmark that are not met twice. Its text before the comment is
# one token (read_column), the comment its COMMENT and string tokens.
COMMENTED = TokenType.SENTINEL
# A key's parts met before, ``(a, b DESC)``, as one token (TableReader.index_parts): in a CREATE
# TABLE after the columns, a key without options (``PRIMARY KEY``, ``UNIQUE [KEY|INDEX]``, ``KEY``,
# ``INDEX``, a name) whose parts hold names, ASC/DESC and prefix lengths only.
PARTS = TokenType.HINT
_KEY = re.compile(
    r"\s*(?:PRIMARY\s+KEY|UNIQUE(?:\s+(?:KEY|INDEX))?|KEY|INDEX)(?=[\s(])"
    r"(?:\s+(?!(?:USING|TYPE|IF)[\s(])(?:`(?:[^`]|``)+`|[A-Za-z_$][0-9A-Za-z_$]*))?\s*"
    r"(?P<parts>\((?:[^()'\"`#/\\-]++|`(?:[^`]|``)+`|\([0-9]+\))*+\))(?=\s*[,)])", re.I | re.ASCII)
# A CREATE TABLE's options met before, ``ENGINE=InnoDB DEFAULT CHARSET=utf8mb4``, as one token
# (TableReader.options): the text after the parenthesis that closes the definitions to the end of
# the statement, without parentheses (no PARTITION BY …) or comments.
OPTIONS = TokenType.BLOCK_END
_OPTIONS = re.compile(r"\)\s*((?:[^()'\"`#/\\\s-]++|\s++|'(?:[^'\\]|'')*'|-(?!-))+?)\s*\Z")
# the definition's text before a final COMMENT and one plain string (one token: no backslash, no
# second string after it)
TRAILING_COMMENT = re.compile(r"(.+?)\s+(COMMENT)\s+('(?:[^'\\]|'')*')", re.I | re.S | re.ASCII)
# The words that start a key or constraint in CREATE TABLE (anything else starts a column). PERIOD
# and VECTOR may name a column too (tables.at_key_or_constraint tells): the scan here stops at them.
CONSTRAINT_WORDS = {"CONSTRAINT", "PRIMARY", "UNIQUE", "KEY", "INDEX", "FULLTEXT", "SPATIAL", "FOREIGN", "CHECK",
                    "PERIOD", "VECTOR"}


def simple_statements(source: str, file: str, original: str, known: Callable[[str], bool],
                      known_commented: Callable[[str], bool] = lambda text: False,
                      known_parts: Callable[[str], bool] = lambda text: False,
                      known_options: Callable[[str], bool] = lambda text: False):
    """The statements of ``source`` (pre-processed as ``split_statements`` does, without delimiters)
    one at a time, as ``split_statements`` would give them — except that in a CREATE TABLE a column
    definition whose text ``known(text)`` (read before, see ``read_column``) is one ``DEFINITION``
    token after its name's, never tokenized, and one that ends in a COMMENT whose text before it
    ``known_commented(text)`` is that text as one ``COMMENTED`` token, then the comment's tokens,
    and a key's parts whose text ``known_parts(text)`` is one ``PARTS`` token (see ``_KEY``), and
    table options whose text ``known_options(text)`` one ``OPTIONS`` token.
    Raises NotSimple when the file needs ``split_statements`` (statements are given as they are
    read: the caller starts again then)."""
    pos, n = 0, len(source)
    line = 1
    while pos < n:
        m = _SPAN.match(source, pos)
        end = m.end()
        if end < n and source[end] != ";":
            raise NotSimple  # quoted text or a comment never closed
        if source[pos:end].strip():
            head = _TABLE_HEAD.match(source, pos, end)
            if head is not None:
                tokens, words = _table_tokens(source, pos, end, line, head.end(), known, known_commented,
                                              known_parts, known_options)
            else:
                tokens, words = _scan(source, pos, end, line)
                if tokens and compound.program_kind(words, tokens, 0, len(tokens)) is not None:
                    raise NotSimple
            if tokens:
                yield Statement(tokens, source, file, words, original)
        line += source.count("\n", pos, end)
        pos = end + 1


def _scan(source: str, pos: int, end: int, line: int) -> tuple[list[Token], list[str]]:
    try:
        return scan(source, pos, end, line)
    except LexError:
        raise NotSimple from None


def _newlines(source: str, line: int, counted: int, at: int, end: int) -> tuple[int, int, int]:
    """(the line of offset ``at``, the offset where that line starts, the offset of the next newline
    before ``end``, or ``end``), ``line`` being the line of offset ``counted`` and a newline being
    between the two."""
    next_newline = source.find("\n", at, end)
    return (line + source.count("\n", counted, at), source.rfind("\n", counted, at) + 1,
            end if next_newline < 0 else next_newline)


def _table_tokens(source: str, pos: int, end: int, line: int, body: int, known,
                  known_commented=lambda text: False, known_parts=lambda text: False,
                  known_options=lambda text: False) -> tuple[list[Token], list[str]]:
    """A CREATE TABLE's tokens, each known column definition one DEFINITION token (or COMMENTED and
    its comment's tokens: see ``simple_statements``). The definitions
    are found one by one (``_COLUMN``: a name, then text that is surely one definition); one that is
    not known is scanned alone; from the first key or constraint (they come after the columns) the
    keys of known parts (``_KEY``) are found one by one, their parts one PARTS token; from the
    first other definition, the rest of the statement is scanned (known table options after the
    definitions one OPTIONS token: ``_options_token``).

    Lines are counted only when an offset passes the next newline (a definition's line is usually
    free of them)."""
    tokens, words = _scan(source, pos, body, line)
    append, append_word = tokens.append, words.append
    line += source.count("\n", pos, body)
    line_start = source.rfind("\n", 0, body) + 1  # where the line of offset ``counted`` starts
    counted = body  # the newlines before it are counted in ``line``
    next_newline = source.find("\n", body, end)
    if next_newline < 0:
        next_newline = end
    at = body
    VAR, IDENTIFIER, COMMA, STRING = TokenType.VAR, TokenType.IDENTIFIER, TokenType.COMMA, TokenType.STRING
    column = _COLUMN.match
    constraint_words = CONSTRAINT_WORDS
    new = tuple.__new__
    while True:
        m = column(source, at, end)
        if m is None:
            break
        name, definition = m.group(1, 2)
        upper = name.upper()
        if upper in constraint_words:
            break
        after = m.end()  # the "," or ")" that ends the definition
        definition = definition.rstrip()
        kind = DEFINITION if known(definition) else None
        if kind is None and (commented := TRAILING_COMMENT.fullmatch(definition)) is not None \
                and known_commented(commented.group(1)):
            kind, definition = COMMENTED, commented.group(1)
        if kind is not None:
            name_at = m.start(1)
            if name_at > next_newline:
                line, line_start, next_newline = _newlines(source, line, counted, name_at, end)
                counted = name_at
            name_end = name_at + len(name)
            if name[0] == "`":
                append(new(Token, (IDENTIFIER, name[1:-1].replace("``", "`"), line, name_at - line_start + 1,
                                   name_at, name_end - 1)))
                append_word("")
            else:
                append(new(Token, (VAR, name, line, name_at - line_start + 1, name_at, name_end - 1)))
                append_word(upper)
            definition_at = m.start(2)
            if definition_at > next_newline:
                line, line_start, next_newline = _newlines(source, line, counted, definition_at, end)
                counted = definition_at
            append(new(Token, (kind, definition, line, definition_at - line_start + 1, definition_at,
                               definition_at + len(definition) - 1)))
            append_word("")
            if kind is COMMENTED:  # COMMENT 'text': the two tokens a scan would make, made here
                word_at, string_at = definition_at + commented.start(2), definition_at + commented.start(3)
                if word_at > next_newline:
                    line, line_start, next_newline = _newlines(source, line, counted, word_at, end)
                    counted = word_at
                append(new(Token, (VAR, commented.group(2), line, word_at - line_start + 1, word_at, word_at + 6)))
                append_word("COMMENT")
                if string_at > next_newline:
                    line, line_start, next_newline = _newlines(source, line, counted, string_at, end)
                    counted = string_at
                quoted = commented.group(3)
                append(new(Token, (STRING, unquote(quoted[1:-1]), line, string_at - line_start + 1, string_at,
                                   string_at + len(quoted) - 1)))
                append_word("")
        else:
            if at > next_newline:
                line, line_start, next_newline = _newlines(source, line, counted, at, end)
                counted = at
            more, more_words = _scan(source, at, after, line)
            tokens.extend(more)
            words.extend(more_words)
        at = after
        if source[after] != ",":
            break  # the ")" closing the definitions: the rest is scanned
        if after > next_newline:
            line, line_start, next_newline = _newlines(source, line, counted, after, end)
            counted = after
        append(new(Token, (COMMA, ",", line, after - line_start + 1, after, after)))
        append_word("")
        at = after + 1
    while m is not None:  # the keys after the columns (m: the definition that ended the columns)
        m = _KEY.match(source, at, end)
        if m is None or not known_parts(m.group("parts")):
            break
        parts_at, after = m.span("parts")
        if at > next_newline:
            line, line_start, next_newline = _newlines(source, line, counted, at, end)
            counted = at
        more, more_words = _scan(source, at, parts_at, line)  # PRIMARY KEY, UNIQUE KEY name …
        tokens.extend(more)
        words.extend(more_words)
        if parts_at > next_newline:
            line, line_start, next_newline = _newlines(source, line, counted, parts_at, end)
            counted = parts_at
        append(new(Token, (PARTS, m.group("parts"), line, parts_at - line_start + 1, parts_at, after - 1)))
        append_word("")
        at = after = m.end()
        while source[after] != "," and source[after] != ")":
            after += 1  # (whitespace)
        if source[after] != ",":
            break
        # (the "," token as in the columns' loop above, written out again: a shared closure makes the
        # line counters cell variables of this loop, measured 2-3 % slower on the whole parse)
        if after > next_newline:
            line, line_start, next_newline = _newlines(source, line, counted, after, end)
            counted = after
        append(new(Token, (COMMA, ",", line, after - line_start + 1, after, after)))
        append_word("")
        at = after + 1
    if at > next_newline:
        line = line + source.count("\n", counted, at)
    options = _OPTIONS.search(source, at, end)
    if options is not None and not known_options(options.group(1)):
        options = None
    more, more_words = _scan(source, at, end if options is None else options.start(1), line)
    if options is not None and not _closes_definitions(more):
        more, more_words = _scan(source, at, end, line)
        options = None
    tokens.extend(more)
    words.extend(more_words)
    if options is not None:
        options_at = options.start(1)
        line += source.count("\n", at, options_at)
        tokens.append(Token(OPTIONS, options.group(1), line, options_at - source.rfind("\n", 0, options_at),
                            options_at, options.end(1) - 1))
        words.append("")
    return tokens, words


def _closes_definitions(tokens: list[Token]) -> bool:
    """Whether ``tokens`` — a CREATE TABLE's after its definitions' "(" was opened and before its
    options — end with the ")" that closes the definitions, and hold it only there."""
    depth = 1
    opening, closing = TokenType.L_PAREN, TokenType.R_PAREN
    for tok in tokens:
        kind = tok[0]
        if kind is opening:
            depth += 1
        elif kind is closing:
            depth -= 1
            if depth == 0:
                return tok is tokens[-1]
    return False


def tokenize(text: str, file: str = "<text>") -> tuple[list[Token], str]:
    """The tokens of a text already free of client commands (a body read back from the server)."""
    try:
        return lex(text), text
    except LexError as exc:
        raise ParseError(str(exc), file=file, line=text.count("\n", 0, exc.offset) + 1) from None


def _statement_end(tokens: list[Token], words: list[str], i: int, limit: int, source: str, file: str) -> int:
    """The index after the statement starting at ``tokens[i]`` (its ';' not included)."""
    program = compound.program_kind(words, tokens, i, limit)
    if program is not None:
        try:
            start = compound.body_start(program[0], tokens, words, program[1], limit)
            _, end = compound.read_body(tokens, words, start, limit)
        except compound.BlockError as exc:
            tok = tokens[exc.index]
            name = tokens[program[1] + 1].text if program[1] + 1 < limit else ""
            raise ParseError(str(exc), file=file, line=tok.line, column=tok.start - source.rfind("\n", 0, tok.start),
                             obj=f"{program[0].lower()} {name}".strip()) from None
        if end < limit and tokens[end].token_type != TokenType.SEMICOLON:
            tok = tokens[end]
            raise ParseError(f"expected ';' after the end of the body, found {tok.text!r}", file=file,
                             line=tok.line, obj=f"{program[0].lower()} {tokens[program[1] + 1].text}")
        return end
    end = i
    while end < limit and tokens[end].token_type != TokenType.SEMICOLON:
        end += 1
    return end


def keywords(tokens: list[Token]) -> list[str]:
    """Each token's text upper-cased if it is a bare word, else ''; one string per distinct word."""
    upper: dict[str, str] = {}
    out = []
    for tok in tokens:
        if tok.token_type in WORD_TYPES_EXCLUDED:
            out.append("")
        else:
            text = tok.text
            word = upper.get(text)
            if word is None:
                word = upper[text] = text.upper()
            out.append(word)
    return out


def is_word(tok: Token | None) -> bool:
    return tok is not None and tok.token_type not in WORD_TYPES_EXCLUDED


@mutable
class Cursor:
    """A position in one statement, with the grammar's small vocabulary."""

    stmt: Statement
    pos: int = 0
    obj: str | None = None  # the object being parsed, for error messages

    @property
    def tokens(self) -> list[Token]:
        return self.stmt.tokens

    def peek(self, ahead: int = 0) -> Token | None:
        i = self.pos + ahead
        tokens = self.stmt.tokens
        return tokens[i] if i < len(tokens) else None

    def word(self, ahead: int = 0) -> str:
        """The upper-cased keyword at ``ahead``, or '' when it is not a bare word."""
        i = self.pos + ahead
        words = self.stmt.words
        return words[i] if 0 <= i < len(words) else ""

    def at_end(self) -> bool:
        return self.pos >= len(self.tokens)

    # at/accept/at_type/accept_type run for every token of a large Schemafile: kept to plain indexing

    def at(self, *words: str) -> bool:
        i = self.pos
        have = self.stmt.words
        if len(words) == 1:
            return i < len(have) and have[i] == words[0]
        return tuple(have[i:i + len(words)]) == words

    def accept(self, *words: str) -> bool:
        i = self.pos
        have = self.stmt.words
        if len(words) == 1:
            if i < len(have) and have[i] == words[0]:
                self.pos = i + 1
                return True
            return False
        if tuple(have[i:i + len(words)]) == words:
            self.pos = i + len(words)
            return True
        return False

    def expect(self, *words: str) -> None:
        if not self.accept(*words):
            self.fail(f"expected {' '.join(words)}")

    def at_type(self, token_type: TokenType, ahead: int = 0) -> bool:
        i = self.pos + ahead
        tokens = self.stmt.tokens
        return i < len(tokens) and tokens[i].token_type == token_type

    def accept_type(self, token_type: TokenType) -> Token | None:
        i = self.pos
        tokens = self.stmt.tokens
        if i < len(tokens) and tokens[i].token_type == token_type:
            self.pos = i + 1
            return tokens[i]
        return None

    def expect_type(self, token_type: TokenType, what: str) -> Token:
        tok = self.accept_type(token_type)
        if tok is None:
            self.fail(f"expected {what}")
        return tok

    def accept_eq(self) -> None:
        self.accept_type(TokenType.EQ)

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            self.fail("unexpected end of statement")
        self.pos += 1
        return tok

    def ident(self, what: str = "a name") -> str:
        tok = self.peek()
        if tok is not None and (tok.token_type == TokenType.IDENTIFIER or is_word(tok)
                                or tok.token_type == TokenType.STRING and what.startswith("a string or")):
            self.pos += 1
            return tok.text
        self.fail(f"expected {what}")

    def name(self, what: str = "a name") -> str:
        """A name the grammar also takes as a string: character sets, collations, engines
        (``CHARACTER SET 'utf8'``, ``ENGINE='InnoDB'``: MySQL's ident_or_text)."""
        tok = self.peek()
        if tok is not None and tok.token_type == TokenType.STRING:
            self.pos += 1
            return tok.text
        return self.ident(what)

    def qualified_name(self, what: str = "a table name") -> tuple[str | None, str]:
        first = self.ident(what)
        if self.accept_type(TokenType.DOT):
            return first, self.ident(what)
        return None, first

    def string(self, what: str = "a quoted string") -> str:
        tok = self.peek()
        if tok is None or tok.token_type not in (TokenType.STRING, TokenType.NATIONAL_STRING):
            self.fail(f"expected {what}")
        self.pos += 1
        value = tok.text
        while self.at_type(TokenType.STRING):  # 'a' 'b' is 'ab' in MySQL
            value += self.next().text
        return value

    def integer(self, what: str = "a number") -> int:
        tok = self.peek()
        if tok is None or tok.token_type != TokenType.NUMBER or not tok.text.isdigit():
            self.fail(f"expected {what}")
        self.pos += 1
        return int(tok.text)

    def value_word(self, what: str = "a value") -> str:
        """A bare word, number or string used as an option value."""
        tok = self.peek()
        if tok is None or tok.token_type in (TokenType.L_PAREN, TokenType.R_PAREN, TokenType.COMMA):
            self.fail(f"expected {what}")
        self.pos += 1
        return tok.text

    def parenthesized(self, item, what: str) -> list:
        """``( item {, item} )``: the items ``item()`` reads, in order."""
        self.expect_type(TokenType.L_PAREN, f"( and {what}")
        items = [item()]
        while self.accept_type(TokenType.COMMA):
            items.append(item())
        self.expect_type(TokenType.R_PAREN, ", or )")
        return items

    def balanced(self) -> tuple[int, int]:
        """Consume ``( … )``; return the token span inside the parentheses."""
        self.expect_type(TokenType.L_PAREN, "(")
        start = self.pos
        depth = 1
        while True:
            tok = self.peek()
            if tok is None:
                self.fail("unbalanced parentheses")
            if tok.token_type == TokenType.L_PAREN:
                depth += 1
            elif tok.token_type == TokenType.R_PAREN:
                depth -= 1
                if depth == 0:
                    end = self.pos - 1
                    self.pos += 1
                    return start, end
            self.pos += 1

    def text(self, first: int, last: int) -> str:
        return self.stmt.text(first, last)

    def expression(self, first: int, last: int, what: str) -> Expr:
        """The expression written in tokens ``first..last``; a clear error if it is not one."""
        if last < first:
            self.fail(f"empty {what}", tok=self.peek(-1))
        text = self.text(first, last)
        try:
            return read_expression(text)
        except ExpressionError as exc:
            tok = self.tokens[first]
            raise ParseError(f"cannot read the {what} {text!r}: {exc}", file=self.stmt.file, line=tok.line,
                             column=self.column_of(tok), obj=self.obj) from None

    def line(self, ahead: int = 0) -> int:
        tok = self.peek(ahead)
        if tok is None:
            tok = self.tokens[-1] if self.tokens else None
        return tok.line if tok is not None else 0

    def column_of(self, tok: Token) -> int:
        return tok.start - self.stmt.source.rfind("\n", 0, tok.start)

    def fail(self, message: str, tok: Token | None = None, hint: str | None = None):
        tok = tok or self.peek()
        if tok is None:
            last = self.tokens[-1] if self.tokens else None
            line, col, found = (last.line, last.col, "end of statement") if last else (0, 0, "nothing")
        else:
            line, col, found = tok.line, self.column_of(tok), repr(self.stmt.source[tok.start:tok.end + 1])
        raise ParseError(f"{message}, found {found}", file=self.stmt.file, line=line, column=col,
                         obj=self.obj, hint=hint)

    def unsupported(self, construct: str, tok: Token | None = None, hint: str | None = None):
        tok = tok or self.peek()
        raise UnsupportedError(f"{construct} is not supported", file=self.stmt.file,
                               line=tok.line if tok else self.line(), column=self.column_of(tok) if tok else None,
                               obj=self.obj, hint=hint)
