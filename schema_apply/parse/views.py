"""View queries: what they read, and (later) one canonical form."""

from __future__ import annotations

import functools

from sqlglot import exp

from . import expressions


def parse_query(query: str) -> str:
    """Check that ``query`` is a query sqlglot can read; return it."""
    tree = expressions._parse(query)
    if not isinstance(tree, (exp.Query, exp.Values)):
        raise expressions.ExpressionError("a view's definition must be a SELECT")
    return query


@functools.lru_cache(maxsize=1024)
def referenced_tables(query: str) -> frozenset[str]:
    """Names of the tables and views a query reads (CTE names excluded)."""
    try:
        tree = expressions._parse(query)
    except expressions.ExpressionError:
        return frozenset()
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    return frozenset(t.name for t in tree.find_all(exp.Table) if t.name and t.name not in ctes)
