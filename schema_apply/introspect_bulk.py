"""An ordered bulk read of information_schema, answered as rows or as chunks of JSON.

PyMySQL decodes a result field by field in Python. Introspection's COLUMNS read is its largest
(13,000 rows of 10 fields at 1,000 tables): asked instead for ``GROUP_CONCAT(JSON_ARRAY(…))``,
the server sends the same values a table's worth (at most :data:`CHUNK` rows) at a time, and
``json.loads`` decodes them in C — 0.68× the time at 1,000 tables, 0.57× at 5,000. The decoders
get the same tuples in the same order either way. (The other bulk reads are not chunked: few
rows, or time spent in the server; and those that rely on the order the server reads rows in — a
table's keys in key order — have no ORDER BY a chunk could keep.) TABLES, STATISTICS and MariaDB's
CHECK_CONSTRAINTS are asked for one JSON array a row instead (:class:`RowRead`): the same statement,
so the same rows in the same order, one field for PyMySQL to decode instead of four to ten — 0.5×
the STATISTICS read's client time at 1,000 tables.

Only where that is verified (``Flavor.json_chunks_match_rows``): MariaDB 10.6 and later, the
MariaDB releases schema-apply supports, whose values are checked identical on the server (every
schema ``tests/test_oracle.py`` loads; ``tests/test_introspect_json.py``). MySQL keeps the rows: its
JSON_ARRAY writes binary strings as ``"base64:type…"`` values and some of its information_schema
columns have other types — nothing here shows its JSON gives back what its rows do.

Bounded: a chunk is at most :data:`CHUNK` rows of one table (tens of kilobytes of ordinary
metadata), far below MariaDB's ``group_concat_max_len`` (1 MB by default) and
``max_allowed_packet``, so 20,000 tables are 20,000 small chunks, not one large document. A chunk
cut short all the same (a lowered ``group_concat_max_len``, enormous ENUMs or comments) is caught
by its row count, and the read is sent again as rows. A row's own array is NULL only past
``max_allowed_packet`` (a CHECK clause of megabytes): that read too is sent again as rows.
"""

from __future__ import annotations

import json
from typing import Protocol

from .values import frozen

CHUNK = 200
"""Rows per JSON chunk, at most."""


class Connection(Protocol):
    def query(self, sql: str, params: tuple = ()) -> list[tuple]: ...


@frozen
class BulkRead:
    """``SELECT columns source ORDER BY order``, and how to cut it into chunks in that order:
    ``chunk`` is the GROUP BY whose keys sort as ``order``'s do (``TABLE_NAME, ORDINAL_POSITION
    DIV 200`` for ``TABLE_NAME, ORDINAL_POSITION``), each group at most :data:`CHUNK` rows."""

    columns: tuple[str, ...]
    source: str  # FROM … WHERE …
    order: str
    chunk: str

    @property
    def rows_sql(self) -> str:
        return f"SELECT {', '.join(self.columns)} {self.source} ORDER BY {self.order}"

    @property
    def json_sql(self) -> str:
        """Per chunk: its number of rows, and its rows as JSON arrays joined by commas."""
        return (f"SELECT COUNT(*), GROUP_CONCAT(JSON_ARRAY({', '.join(self.columns)}) ORDER BY {self.order}"
                f" SEPARATOR ',') {self.source} GROUP BY {self.chunk} ORDER BY {self.chunk}")

    @staticmethod
    def rows_of_json(result: list[tuple]) -> list[tuple] | None:
        return rows_of_chunks(result)


def read(conn: Connection, bulk: BulkRead | RowRead, params: tuple, *, as_json: bool) -> list[tuple]:
    """The rows of ``bulk``: from its JSON form (chunks, or one array a row) if ``as_json`` and all of
    it came whole, else as rows."""
    if as_json:
        rows = bulk.rows_of_json(conn.query(bulk.json_sql, params))
        if rows is not None:
            return rows
    return conn.query(bulk.rows_sql, params)


def rows_of_chunks(chunks: list[tuple]) -> list[tuple] | None:
    """``(row count, JSON arrays joined by commas)`` per chunk -> the rows as tuples; None if a
    chunk is not whole. GROUP_CONCAT cuts a text longer than ``group_concat_max_len`` wherever it
    falls: inside an array (no longer JSON once bracketed) or between two (fewer rows than counted)."""
    rows: list[tuple] = []
    for count, text in chunks:
        if isinstance(text, (bytes, bytearray)):
            text = text.decode()
        try:
            arrays = json.loads(f"[{text}]")
        except ValueError:  # cut inside an array; or NULL
            return None
        if len(arrays) != count:
            return None
        rows += map(tuple, arrays)
    return rows


@frozen
class RowRead:
    """``SELECT columns source``, in the order the server gives its rows (no ORDER BY): a table's
    keys come in the server's key order, which no column holds."""

    columns: tuple[str, ...]
    source: str  # FROM … WHERE …

    @property
    def rows_sql(self) -> str:
        return f"SELECT {', '.join(self.columns)} {self.source}"

    @property
    def json_sql(self) -> str:
        """The same rows, each as one JSON array."""
        return f"SELECT JSON_ARRAY({', '.join(self.columns)}) {self.source}"

    @staticmethod
    def rows_of_json(result: list[tuple]) -> list[tuple] | None:
        return rows_of_arrays(result)


def rows_of_arrays(texts: list[tuple]) -> list[tuple] | None:
    """``(JSON array,)`` per row -> the rows as tuples; None if one is NULL (longer than
    ``max_allowed_packet``) or not an array."""
    try:
        arrays = json.loads("[" + ",".join(text.decode() if isinstance(text, (bytes, bytearray)) else text
                                           for (text,) in texts) + "]")
    except (TypeError, ValueError):
        return None
    if len(arrays) != len(texts) or not all(isinstance(a, list) for a in arrays):
        return None
    return list(map(tuple, arrays))
