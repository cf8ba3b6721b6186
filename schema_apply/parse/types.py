"""Data types and column defaults: the grammar a column definition and information_schema's
COLUMN_TYPE share (``int(10) unsigned``, ``varchar(20) CHARACTER SET latin1 BINARY``, ``enum('a','b')``).

A type is read in three steps, each its own function: the name (multi-word names, aliases,
NATIONAL), its arguments (length, scale, values), then the attributes written after it (UNSIGNED,
ZEROFILL, BINARY, CHARACTER SET, COLLATE…). What a type implies for the column (SERIAL is NOT NULL
AUTO_INCREMENT UNIQUE; NCHAR is utf8mb3) comes back as ``TypeExtras`` for the column to apply.
"""

from __future__ import annotations

import functools

from sqlglot.tokens import TokenType

from ..model import ALL_TYPES, ColumnType, Default, Expr
from ..values import mutable
from .lexer import Cursor, split_statements

TYPE_ALIASES: dict[str, str] = {
    "integer": "int", "int4": "int", "int1": "tinyint", "int2": "smallint", "int3": "mediumint",
    "int8": "bigint", "middleint": "mediumint", "dec": "decimal", "numeric": "decimal", "fixed": "decimal",
    "real": "double", "float4": "float", "float8": "double", "character": "char", "nchar": "char",
    "nvarchar": "varchar", "geomcollection": "geometrycollection",
}
NATIONAL_CHARSET = "utf8mb3"
# Names of other databases' types: a clear "not a MySQL type" rather than "unknown".
_FOREIGN_TYPES = {"varchar2", "nvarchar2", "clob", "number", "string", "uuid_short", "money", "smallserial",
                  "bigserial", "bytea"}
NOW_WORDS = ("CURRENT_TIMESTAMP", "NOW", "LOCALTIME", "LOCALTIMESTAMP")
# The words a data type's name starts with (``_type_name``), upper-cased: after a word that may name a
# column or start a key (VECTOR), one of these makes it a column.
TYPE_WORDS = frozenset(word.upper() for word in (*ALL_TYPES, *TYPE_ALIASES, *_FOREIGN_TYPES,
                                                 "bool", "boolean", "serial", "national", "long"))


@mutable
class TypeExtras:
    """What a type's spelling says about its column beyond the type itself."""

    charset: str | None = None
    collation: str | None = None  # "*_bin": the BINARY attribute (the charset's _bin collation)
    serial: bool = False  # SERIAL: bigint unsigned NOT NULL AUTO_INCREMENT UNIQUE


def data_type(c: Cursor) -> tuple[ColumnType, TypeExtras]:
    tok = c.peek()
    extras = TypeExtras()
    name = _type_name(c, extras)
    if name in ("bool", "boolean"):
        unsigned, zerofill = _numeric_flags(c)
        return ColumnType("tinyint", 1, unsigned=unsigned, zerofill=zerofill), extras
    if name == "serial":
        extras.serial = True
        return ColumnType("bigint", unsigned=True), extras
    if name not in ALL_TYPES:
        if name in _FOREIGN_TYPES:
            c.fail(f"{name} is not a MySQL data type", tok=tok)
        c.fail(f"unknown data type {tok.text!r}", tok=tok)
    length, scale, values = _type_arguments(c, name)
    if name == "float" and length is not None and scale is None:
        # FLOAT(p): p <= 24 is FLOAT, 25..53 is DOUBLE; the precision is not kept
        name, length = ("float" if length <= 24 else "double"), None
    unsigned, zerofill = _numeric_flags(c)
    _string_attributes(c, extras)
    if name == "year" and length not in (None, 4):
        c.fail("YEAR(2) is not supported by current servers; write YEAR", tok=tok)
    if name in ("varchar", "varbinary") and length is None:
        c.fail(f"{name.upper()} needs a length, as in {name.upper()}(255)", tok=tok)
    if name in ("text", "blob"):  # TEXT(n): normalize picks the smallest type that holds n characters
        return ColumnType(name, length, unsigned=unsigned), extras
    return ColumnType(name, length, scale, unsigned, zerofill, values), extras


def _type_name(c: Cursor, extras: TypeExtras) -> str:
    """The type's name in canonical spelling (DOUBLE PRECISION, LONG VARCHAR, NATIONAL CHAR, aliases)."""
    word = c.word()
    if not word:
        c.fail("expected a data type")
    c.next()
    name = word.lower()
    if word == "DOUBLE":
        c.accept("PRECISION")
    elif word == "LONG":
        name = "mediumblob" if c.accept("VARBINARY") else "mediumtext"
        if name == "mediumtext":
            c.accept("VARCHAR") or c.accept("CHARACTER", "VARYING") or c.accept("CHAR", "VARYING")
    elif word in ("NATIONAL", "NCHAR", "NVARCHAR"):
        if word == "NATIONAL":
            nxt = c.word()
            if nxt not in ("CHAR", "CHARACTER", "VARCHAR"):
                c.fail("expected CHAR or VARCHAR after NATIONAL")
            c.next()
            name = "varchar" if nxt == "VARCHAR" else "char"
        if c.accept("VARYING") or c.accept("VARCHAR"):
            name = "varchar"
        extras.charset = NATIONAL_CHARSET
    elif word in ("CHAR", "CHARACTER") and c.accept("VARYING"):
        name = "varchar"
    return TYPE_ALIASES.get(name, name)


def _type_arguments(c: Cursor, name: str) -> tuple[int | None, int | None, tuple[str, ...]]:
    """(length, scale, values): ``(10)``, ``(10,2)``, ``('a','b')``."""
    if name in ("enum", "set"):
        return None, None, tuple(c.parenthesized(lambda: c.string("a quoted value"), "the list of values"))
    if not c.at_type(TokenType.L_PAREN):
        return None, None, ()
    c.next()
    length = c.integer("a length")
    scale = c.integer("a scale") if c.accept_type(TokenType.COMMA) else None
    c.expect_type(TokenType.R_PAREN, ")")
    return length, scale, ()


def _numeric_flags(c: Cursor) -> tuple[bool, bool]:
    """(unsigned, zerofill) from UNSIGNED / SIGNED / ZEROFILL (ZEROFILL implies UNSIGNED)."""
    unsigned = zerofill = False
    while True:
        if c.accept("UNSIGNED"):
            unsigned = True
        elif c.accept("SIGNED"):
            unsigned = False
        elif c.accept("ZEROFILL"):
            unsigned = zerofill = True
        else:
            return unsigned, zerofill


def _string_attributes(c: Cursor, extras: TypeExtras) -> None:
    """BINARY, ASCII, UNICODE, BYTE, CHARACTER SET and COLLATE written with the type."""
    while True:
        if c.at("BINARY") and not c.at_type(TokenType.L_PAREN, 1):
            c.next()
            extras.collation = "*_bin"
        elif c.accept("ASCII"):
            extras.charset = "latin1"
        elif c.accept("UNICODE"):
            extras.charset = "ucs2"
        elif c.accept("BYTE"):
            extras.charset = "binary"
        elif c.accept("CHARSET") or c.accept("CHARACTER", "SET"):
            c.accept_eq()
            extras.charset = c.name("a character set name").lower()
        elif c.accept("COLLATE"):
            c.accept_eq()
            extras.collation = c.name("a collation name").lower()
        else:
            return


@functools.lru_cache(maxsize=4096)
def parse_column_type(text: str) -> ColumnType:
    """A COLUMN_TYPE from information_schema (``int(10) unsigned``, ``enum('a','b')``) -> ColumnType."""
    stmt = split_statements(text, "<information_schema.COLUMNS>")[0]
    c = Cursor(stmt)
    ctype, _ = data_type(c)
    if not c.at_end():
        c.fail("unexpected text after the type")
    return ctype


# --------------------------------------------------------------------------
# Defaults
# --------------------------------------------------------------------------

def now_function(c: Cursor, what: str) -> Expr:
    """CURRENT_TIMESTAMP[(n)] and its synonyms, as DEFAULT and ON UPDATE take them."""
    first = c.pos
    if c.word() not in NOW_WORDS:
        c.fail(f"{what} accepts only CURRENT_TIMESTAMP[(n)]")
    c.next()
    if c.at_type(TokenType.L_PAREN):
        c.balanced()
    return c.expression(first, c.pos - 1, what)


def default_value(c: Cursor) -> Default:
    """The value after DEFAULT: a literal, NULL, CURRENT_TIMESTAMP or an (expression)."""
    tok = c.peek()
    if tok is None:
        c.fail("expected a default value")
    word = c.word()
    tt = tok.token_type
    if word == "NULL":
        c.next()
        return Default("null")
    if word in ("TRUE", "FALSE"):
        c.next()
        return Default("number", "1" if word == "TRUE" else "0")
    if word in NOW_WORDS:
        return Default("expression", expr=now_function(c, "DEFAULT"))
    if tt in (TokenType.STRING, TokenType.NATIONAL_STRING):
        return Default("string", c.string())
    if word in ("DATE", "TIME", "TIMESTAMP") and c.at_type(TokenType.STRING, 1):
        c.next()  # a typed literal: DATE '2020-01-01'
        return Default("string", c.string())
    if tt == TokenType.INTRODUCER:  # _utf8mb4'x'
        c.next()
        return Default("string", c.string())
    if tt == TokenType.BIT_STRING:
        c.next()
        return Default("bits", tok.text)
    if tt == TokenType.HEX_STRING:
        c.next()
        digits = tok.text if len(tok.text) % 2 == 0 else "0" + tok.text
        try:
            bytes.fromhex(digits)
        except ValueError:
            c.fail("not a valid hexadecimal literal", tok=tok)
        return Default("hex", digits.lower())  # a number or bytes, by the column's type (flavor.canonical_default)
    sign = ""
    if tt in (TokenType.DASH, TokenType.PLUS):
        c.next()
        sign = "-" if tt == TokenType.DASH else ""
        tok = c.peek()
        if tok is None or tok.token_type != TokenType.NUMBER:
            c.fail("expected a number after the sign")
        tt = tok.token_type
    if tt == TokenType.NUMBER:
        c.next()
        return Default("number", sign + tok.text)
    if tt == TokenType.L_PAREN:
        s, e = c.balanced()
        return Default("expression", expr=c.expression(s - 1, e + 1, "default expression"))
    c.fail("expected a default value (a literal, NULL, CURRENT_TIMESTAMP or an (expression))")
