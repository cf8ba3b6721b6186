"""Reading SQL text the way the server reads it: the layer under the statement guard and the object rules.

The text is scanned as the server's lexer scans it — quotes, doubled quotes, backslash escapes,
backquoted identifiers, ``/* */``, ``-- ``, ``#`` — and executable comments (``/*! … */``,
``/*!50700 … */``, MariaDB's ``/*M!100600 … */``) are treated as code. Because whether a versioned
comment runs depends on the server's version, and how quotes read depends on ``sql_mode``
(``ANSI_QUOTES``, ``NO_BACKSLASH_ESCAPES``), :func:`readings` gives every reading a server could give
a text; the callers allow a text only if every reading is allowed. Each reading is tokenised with
sqlglot's MySQL tokenizer (:func:`tokenize`) and, where a query must be understood, parsed with
sqlglot (:func:`parse`). Nothing here decides; it only reads. Failures raise :class:`Unreadable`,
whose message never quotes the text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sqlglot import exp
from sqlglot.dialects.mysql import MySQL
from sqlglot.errors import ErrorLevel, SqlglotError
from sqlglot.tokens import Token, TokenType

from ..values import frozen


class Unreadable(Exception):
    """The text cannot be read with certainty (the message says why, never quoting the text)."""


class Name(NamedTuple):
    """A table name as written: its database (None if unqualified) and the table itself. Kept as two
    parts because a quoted name may hold a dot (`` `secret_a.b` `` is one table)."""

    db: str | None
    table: str

    def __str__(self) -> str:
        return f"{self.db}.{self.table}" if self.db else self.table


def q(name: str) -> str:
    """``name`` backquoted (for messages)."""
    return "`" + name.replace("`", "``") + "`"


def unique(items: Iterable) -> tuple:
    return tuple(dict.fromkeys(items))


class _Ambiguous(Exception):
    """The text can be read in ways the guard cannot reconcile; refuse."""


class _Malformed(Exception):
    """The text does not lex in this reading (the server would reject it with a syntax error)."""


@frozen
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


def readings(sql: str) -> list[tuple[str, bool]]:
    """Every way a server could read ``sql``: (canonical code text, ANSI_QUOTES?) — default first.
    Raises :class:`Unreadable` when the readings cannot be reconciled or the default one does not lex."""
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
            raise Unreadable(str(why)) from None
        except _Malformed as why:
            if index == 0:
                raise Unreadable(f"the text does not lex ({why})") from None
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


# sqlglot logs statement text ("… contains unsupported syntax"): never do that. Its one logger is
# silenced rather than the method that logs overridden in a subclass: sqlglot's compiled build
# (sqlglotc, ``pip install sqlglot[c]``) refuses subclasses of its Parser.
logging.getLogger("sqlglot").disabled = True


_DIALECT = MySQL()

_STRING_TYPES = {TokenType.STRING, TokenType.NATIONAL_STRING, TokenType.HEX_STRING,
                 TokenType.BIT_STRING, TokenType.BYTE_STRING, TokenType.RAW_STRING,
                 TokenType.UNICODE_STRING, TokenType.HEREDOC_STRING}
WORD = re.compile(r"[\w$]+(?:\s+[\w$]+)*")


@frozen
class Tok:
    kind: str     # "word" (a bare word: keyword or name), "ident" (quoted), "string", "number", "punct"
    text: str     # the word upper-cased; an identifier unquoted; a string's content; punctuation as is
    raw: str      # as written (for names: the name)
    start: int
    end: int      # inclusive, in the reading's text

    def w(self, *words: str) -> bool:
        return self.kind == "word" and self.text in words

    def p(self, *puncts: str) -> bool:
        return self.kind == "punct" and self.text in puncts


def tokenize(text: str) -> tuple[list[Tok], list[Token]]:
    try:
        raw = _Tokenizer().tokenize(text)
    except SqlglotError:
        raise Unreadable("the text cannot be tokenised") from None
    toks: list[Tok] = []
    for t in raw:
        if t.token_type == TokenType.IDENTIFIER:
            toks.append(Tok("ident", t.text, t.text, t.start, t.end))
        elif t.token_type in _STRING_TYPES:
            toks.append(Tok("string", t.text, t.text, t.start, t.end))
        elif t.token_type == TokenType.NUMBER:
            toks.append(Tok("number", t.text, t.text, t.start, t.end))
        elif WORD.fullmatch(t.text):
            # sqlglot joins some keywords ("ORDER BY", "LOCK TABLES"): one token per word here
            for m in re.finditer(r"\S+", text[t.start:t.end + 1]):
                start = t.start + m.start()
                toks.append(Tok("word", m.group().upper(), m.group(), start, start + len(m.group()) - 1))
        else:
            toks.append(Tok("punct", t.text, t.text, t.start, t.end))
    return toks, raw


def depths(toks: Sequence[Tok]) -> list[int]:
    """Parenthesis depth of each token (the parentheses themselves at the outer depth)."""
    out, depth = [], 0
    for t in toks:
        if t.p(")"):
            depth -= 1
        out.append(depth)
        if t.p("("):
            depth += 1
    return out


def is_name(t: Tok | None) -> bool:
    return t is not None and (t.kind == "ident" or (t.kind == "word" and WORD.fullmatch(t.raw) is not None))


def name_at(toks: Sequence[Tok], i: int) -> tuple[Name, int] | None:
    """A possibly qualified table name at ``toks[i]``, and the index after it."""
    if i >= len(toks) or not is_name(toks[i]) or toks[i].raw == "":
        return None
    if i + 1 < len(toks) and toks[i + 1].p("."):
        if i + 2 >= len(toks) or not is_name(toks[i + 2]) or toks[i + 2].raw == "":
            return None
        return Name(toks[i].raw, toks[i + 2].raw), i + 3
    return Name(None, toks[i].raw), i + 1


# --- classification ---------------------------------------------------------------------------------


def without_odbc_joins(text: str) -> str:
    """``text`` with ODBC outer-join escapes opened up: ``{oj t LEFT OUTER JOIN u ON …}`` is the join
    itself to the server (sqlglot cannot parse the braces). Spaces keep every offset."""
    toks, raw = tokenize(text)
    chars = list(text)
    stack: list[bool] = []
    for k, t in enumerate(raw):
        if t.token_type == TokenType.L_BRACE:
            odbc = k + 1 < len(raw) and raw[k + 1].text.upper() == "OJ"
            stack.append(odbc)
            if odbc:
                for token in (t, raw[k + 1]):
                    chars[token.start:token.end + 1] = " " * (token.end + 1 - token.start)
        elif t.token_type == TokenType.R_BRACE and stack:
            if stack.pop():
                chars[t.start] = " "
    return "".join(chars)


def split_commas(toks: Sequence[Tok]) -> list[list[Tok]]:
    """``toks`` cut at the commas outside parentheses."""
    parts: list[list[Tok]] = [[]]
    for t, depth in zip(toks, depths(toks)):
        if depth == 0 and t.p(","):
            parts.append([])
        else:
            parts[-1].append(t)
    return parts


def parse(text: str, raw: Sequence[Token]) -> exp.Expr:
    """One statement's syntax tree; :class:`Unreadable` unless sqlglot reads all of it."""
    try:
        trees = MySQL.Parser(dialect=_DIALECT, error_level=ErrorLevel.IMMEDIATE).parse(list(raw), text)
    except SqlglotError:
        raise Unreadable("sqlglot cannot parse it") from None  # never quote sqlglot's message
    except Exception:  # a parser bug must refuse, not crash or allow
        raise Unreadable("sqlglot cannot parse it") from None
    trees = [t for t in trees if t is not None]
    if len(trees) != 1 or any(isinstance(n, exp.Command) for n in trees[0].walk()):
        raise Unreadable("sqlglot cannot parse it")
    return trees[0]
