"""The one place output is scrubbed (interface stub; see guard helper's full version).

- ``register_secret(value)``: a value (password, credstash plaintext) that must never be printed.
- ``redact_text(text)``: mask registered secrets and passwords in URLs in any text bound for output.
- ``redact_server_message(code, message)``: replace values the server quotes from rows with <redacted>.
"""

from __future__ import annotations

import re

REDACTED = "<redacted>"
_secrets: set[str] = set()
_URL_PASSWORD = re.compile(r"(mysql(?:\+\w+)?://[^:/@\s]*:)[^@\s]*(@)")


def register_secret(value: str | None) -> None:
    if value and len(value) >= 3:
        _secrets.add(value)


def redact_text(text: str) -> str:
    text = _URL_PASSWORD.sub(r"\1***\2", text)
    for value in sorted(_secrets, key=len, reverse=True):
        text = text.replace(value, "***")
    return text


def redact_server_message(code: int | None, message: str) -> str:
    return re.sub(r"'(?:[^'\\]|\\.|'')*'", f"'{REDACTED}'", message)
