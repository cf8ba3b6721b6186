"""View queries in one canonical form (placeholder until view support lands)."""

from __future__ import annotations

from . import expressions


def parse_query(query: str) -> str:
    """Check that ``query`` is a SELECT sqlglot can read; return it (canonical form comes later)."""
    expressions._parse(query)
    return query
