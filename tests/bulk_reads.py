"""Introspection's COLUMNS read sent both ways — as rows and as JSON chunks — and compared
(tests/test_introspect_json.py, and every schema of tests/test_oracle.py)."""

from __future__ import annotations

from schema_apply.introspect import columns_read
from schema_apply.introspect_bulk import rows_of_chunks


def typed(rows) -> list[tuple]:
    """Each value with its type: ``1 == True == 1.0`` in Python, and a read must not change types."""
    return [tuple((type(value).__name__, value) for value in row) for row in rows]


def assert_json_chunks_equal_rows(conn, database: str, flavor) -> int:
    """The COLUMNS read's JSON chunks give exactly its rows: the same values, of the same types, in
    the same order. Returns how many chunks they came in."""
    read = columns_read(flavor)
    rows = conn.query(read.rows_sql, (database,))
    chunks = conn.query(read.json_sql, (database,))
    decoded = rows_of_chunks(chunks)
    assert decoded is not None, "a chunk came cut short"
    assert typed(decoded) == typed(rows)
    return len(chunks)
