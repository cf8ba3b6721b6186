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


def script(statements: list[str]) -> list[str]:
    """Statements as lines of a script the mysql client runs: each ends with ';', and one holding
    semicolons of its own (a trigger's or routine's BEGIN … END body) sits between DELIMITER lines."""
    out: list[str] = []
    for sql in statements:
        if ";" in sql:
            delimiter = next(d for d in (";;", "$$", "//") if d not in sql)
            out += [f"DELIMITER {delimiter}", sql + delimiter, "DELIMITER ;"]
        else:
            out.append(sql + ";")
    return out
