"""The one place identifiers and strings are quoted for MySQL.

Rendered SQL assumes the session the guarded connection sets up: backslash
escapes on (no NO_BACKSLASH_ESCAPES) and no ANSI_QUOTES.
"""

from __future__ import annotations


def quote_ident(name: str) -> str:
    """`name` with backticks doubled, as the server itself quotes identifiers."""
    return "`" + name.replace("`", "``") + "`"


def quote_string(value: str) -> str:
    """A single-quoted string literal that reads back as ``value``."""
    out = value.replace("\\", "\\\\").replace("'", "''")
    out = out.replace("\0", "\\0").replace("\n", "\\n").replace("\r", "\\r").replace("\x1a", "\\Z")
    return "'" + out + "'"
