"""Approximate table sizes, for the plan's cost column and the blocking-size limit.

One bulk query per run, sent only when the plan needs a size (``SizesWhenAsked``), kept apart
from the schema introspection (which selects no row-derived column at all). The row estimate and
the data and index lengths are derived from rows, so for a secret table they are never read: the
query itself filters secret names out, so the server never sends them (and the result is filtered
again here, belt and braces). Secret tables are reported as "size withheld" by the plan.

The figures are InnoDB's estimates (``TABLE_ROWS`` is a sample; MySQL 8.0 caches them for
``information_schema_stats_expiry`` seconds, a day by default): good to tell a 2 GB table from a
2 MB one, which is all they are used for.
"""

from __future__ import annotations

from typing import Callable, Iterator, Mapping, Protocol

from .firewall.secrecy import SecrecyPolicy
from .online import TableSize


class Connection(Protocol):
    def query(self, sql: str, params: tuple = ()) -> list[tuple]: ...


def like_prefix(prefix: str) -> str:
    """A LIKE pattern matching names that start with ``prefix`` (its ``\\``, ``%`` and ``_`` escaped)."""
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def read_sizes(conn: Connection, database: str, policy: SecrecyPolicy) -> dict[str, TableSize]:
    """{table: TableSize} for the non-secret base tables of ``database`` (one query).

    The LIKE comparison of information_schema names is case-insensitive, so a name matching a
    secret prefix in any letter case is left out too (stricter than the secret-table rule when
    ``lower_case_table_names`` is 0: such a table shows "size unknown")."""
    exclude = "".join(" AND TABLE_NAME NOT LIKE %s" for _ in policy.prefixes)
    rows = conn.query(
        "SELECT TABLE_NAME, TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH FROM information_schema.TABLES"
        " WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE'" + exclude,
        (database, *(like_prefix(p) for p in policy.prefixes)))
    return {name: TableSize(None if n is None else int(n), None if size is None else int(size))
            for name, n, size in rows if not policy.is_secret(name)}


class SizesWhenAsked(Mapping[str, TableSize]):
    """``read(): read_sizes(…)``, sent the first time a size is asked for. A plan asks only for the
    tables it would ALTER: an in-sync plan sends no such query, and the server does not open every
    table for its statistics (one of the costlier reads of information_schema on a large database)."""

    def __init__(self, read: Callable[[], dict[str, TableSize]]):
        self._read = read
        self._sizes: dict[str, TableSize] | None = None

    def _all(self) -> dict[str, TableSize]:
        if self._sizes is None:
            self._sizes = self._read()
        return self._sizes

    def __getitem__(self, table: str) -> TableSize:
        return self._all()[table]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())
