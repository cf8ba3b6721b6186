"""A digest of a schema model: what the diff compares, serialised deterministically.

Two models with the same digest plan the same changes: only fields that take part in equality
(``compare=True``) are serialised, so the source line of a declaration, a rename annotation or
an AUTO_INCREMENT counter (row-derived, and never shown for secret tables) do not count.
Tables and views are in name order (``Schema`` keeps them so); everything else keeps the order
the model gives it, which is meaningful (columns, index parts).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from enum import Enum

from .model import Schema


def _plain(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {"@": type(value).__name__}
        for f in dataclasses.fields(value):
            if f.compare:
                out[f.name] = _plain(getattr(value, f.name))
        return out
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, Enum):
        return value.value
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


def schema_digest(schema: Schema) -> str:
    """SHA-256 (hex) of the compared fields of ``schema``."""
    text = json.dumps(_plain(schema), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
