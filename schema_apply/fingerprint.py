"""A digest of a schema model: what the diff compares, serialised deterministically.

Two models with the same digest plan the same changes: only fields that take part in equality
(``compare=True``) are serialised, so the source line of a declaration, a rename annotation or
an AUTO_INCREMENT counter (row-derived, and never shown for secret tables) do not count.
Tables and views are in name order (``Schema`` keeps them so); everything else keeps the order
the model gives it, which is meaningful (columns, index parts).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from enum import Enum

from .model import Schema


_SCALARS = (str, int, float, bool, type(None))


@functools.cache
def _compared_fields(cls: type) -> tuple[str, ...] | None:
    """The names of the fields of dataclass ``cls`` that take part in equality, sorted (None: not a
    dataclass). Sorted, so that the dictionaries ``_plain`` builds need no sorting to serialise."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple(sorted(f.name for f in dataclasses.fields(cls) if f.compare))


def _plain(value):
    cls = type(value)
    if cls in _SCALARS:
        return value
    if cls is tuple or cls is list:
        return [_plain(v) for v in value]
    names = _compared_fields(cls)
    if names is not None:
        out = {"@": cls.__name__}
        for name in names:
            out[name] = _plain(getattr(value, name))
        return out
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, _SCALARS):
        return value
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


def schema_digest(schema: Schema) -> str:
    """SHA-256 (hex) of the compared fields of ``schema``: of their JSON text (keys in order,
    compact), written table by table into the hash rather than built whole (at 5,000 tables the
    whole text and its dictionaries would take 90 MB)."""
    digest = hashlib.sha256()
    _write_json(schema, lambda text: digest.update(text.encode("utf-8")), depth=2)
    return digest.hexdigest()


def _dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _write_json(value, write, depth: int) -> None:
    """Write the text ``_dumps(_plain(value))`` in pieces: dataclasses and lists ``depth`` levels
    deep are opened here, what lies deeper is serialised whole."""
    cls = type(value)
    names = _compared_fields(cls) if depth else None
    if depth and (cls is tuple or cls is list):
        write("[")
        for k, item in enumerate(value):
            if k:
                write(",")
            _write_json(item, write, depth - 1)
        write("]")
    elif names is not None:
        write('{"@":' + _dumps(cls.__name__))
        for name in names:
            write("," + _dumps(name) + ":")
            _write_json(getattr(value, name), write, depth - 1)
        write("}")
    else:
        write(_dumps(_plain(value)))
