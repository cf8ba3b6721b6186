"""Introspection's reads sent both ways — as rows and as JSON (COLUMNS in chunks, the others an
array a row) — and compared (tests/test_introspect_json.py, tests/test_live_normalize.py, and every
schema of tests/test_oracle.py)."""

from __future__ import annotations

from schema_apply.introspect import columns_read, row_reads
from schema_apply.introspect_bulk import rows_of_arrays, rows_of_chunks


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
    assert_json_rows_equal_rows(conn, database, flavor)
    return len(chunks)


def assert_json_rows_equal_rows(conn, database: str, flavor) -> None:
    """Each read introspection asks for as one JSON array a row gives exactly its rows: the same
    values, of the same types, in the same order (the server's: no ORDER BY)."""
    for read in row_reads(flavor):
        rows = conn.query(read.rows_sql, (database,))
        decoded = rows_of_arrays(conn.query(read.json_sql, (database,)))
        assert decoded is not None, f"a row came cut short: {read.rows_sql}"
        assert typed(decoded) == typed(rows), read.rows_sql
