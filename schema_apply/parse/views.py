"""View queries: what they read, and one canonical form for comparing them.

The server stores a view's query rewritten: every column qualified with its
table (and the database), ``*`` expanded, every projection aliased, joins in
parentheses, ``count(*)`` as ``count(0)``. ``canonical_query`` brings the
Schemafile's query to the same form (with the tables' columns from the
model) and strips what the server adds, so that the two compare equal.
"""

from __future__ import annotations

import functools
import re
from typing import Mapping

from sqlglot import exp
from sqlglot.errors import OptimizeError, SqlglotError
from sqlglot.optimizer.qualify import qualify

from . import expressions

AUTO_ALIAS = "<auto>"
_PLAIN_NAME = re.compile(r"[A-Za-z_$][\w$]*\Z")


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


def dependency_order(queries: dict[str, str]) -> list[str]:
    """View names, each after the views (among ``queries``) it reads; by name otherwise.
    A cycle, which the server would not accept anyway, is broken by name."""
    pending = dict(queries)
    out: list[str] = []
    while pending:
        ready = [n for n in sorted(pending) if not (referenced_tables(pending[n]) & (set(pending) - {n}))]
        for name in ready or [min(pending)]:
            out.append(name)
            del pending[name]
    return out


def canonical_query(query: str, columns: Mapping[str, tuple[str, ...]], *, database: str | None,
                    view_columns: tuple[str, ...] = ()) -> tuple[str, tuple[str, ...]]:
    """The structural form of a view's query, as it compares with the server's,
    and the names of the view's columns."""
    try:
        tree = expressions._parse(query).copy()
    except expressions.ExpressionError:
        return query, view_columns
    tree = tree.transform(lambda node: _strip_database(node, database))
    tree = tree.transform(_unparenthesize_joins)
    tree = tree.transform(_inner_join)
    select = tree if isinstance(tree, exp.Select) else None
    had_alias: list[bool] = []
    if select is not None:
        had_alias = [isinstance(e, exp.Alias) or isinstance(e, exp.Column) or isinstance(e, exp.Star)
                     for e in select.expressions]
    schema = {name.lower(): {c.lower(): "text" for c in cols} for name, cols in columns.items()}
    try:
        tree = qualify(tree, schema=schema, dialect="mysql", quote_identifiers=False, identify=False,
                       validate_qualify_columns=False)
    except (OptimizeError, SqlglotError, KeyError, ValueError):
        pass
    tree = tree.transform(_drop_self_alias)
    if isinstance(tree, exp.Select):
        projections = list(tree.expressions)
        for k, item in enumerate(projections):
            if view_columns and k < len(view_columns):
                projections[k] = exp.alias_(item.unalias() if isinstance(item, exp.Alias) else item,
                                            view_columns[k])
            elif isinstance(item, exp.Alias) and (not _PLAIN_NAME.match(item.alias) or item.alias.startswith("_col_")
                                                  or (k < len(had_alias) and not had_alias[k])):
                projections[k] = exp.alias_(item.this, AUTO_ALIAS, quoted=True)
        tree.set("expressions", projections)
    output = view_columns or (tuple(tree.named_selects) if isinstance(tree, exp.Query) else ())
    tree = tree.transform(_count_star)
    return expressions._dump(expressions.strip_tree(tree)), output


def _strip_database(node: exp.Expression, database: str | None) -> exp.Expression:
    if database is None:
        return node
    if isinstance(node, (exp.Table, exp.Column)):
        db = node.args.get("db")
        if isinstance(db, exp.Identifier) and db.name == database:
            node.set("db", None)
    return node


def _unparenthesize_joins(node: exp.Expression) -> exp.Expression:
    """``FROM ((t JOIN p ON …) JOIN q ON …)`` (the server's spelling, nested once per join) ->
    ``FROM t JOIN p ON … JOIN q ON …``."""
    if isinstance(node, exp.Select):
        source = node.args.get("from_") or node.args.get("from")
        inner = source.this if isinstance(source, exp.From) else None
        if not (isinstance(inner, exp.Subquery) and not inner.alias and _joined(inner)):
            return node
        joins: list[exp.Expression] = []
        while isinstance(inner, exp.Subquery) and not inner.alias and _joined(inner):
            joins = list(inner.args.get("joins") or []) + joins
            inner.set("joins", None)
            inner = inner.this
        joins = list(inner.args.get("joins") or []) + joins
        inner.set("joins", None)
        source.set("this", inner)
        node.set("joins", joins + list(node.args.get("joins") or []))
    return node


def _joined(node: exp.Expression) -> bool:
    """A parenthesised join: a table (or another such) with joins, inside unaliased parentheses."""
    inner = node.this
    if isinstance(inner, exp.Table):
        return bool(inner.args.get("joins")) or bool(node.args.get("joins"))
    return isinstance(inner, exp.Subquery) and not inner.alias and _joined(inner)


def _inner_join(node: exp.Expression) -> exp.Expression:
    """``INNER JOIN`` is ``JOIN`` (the server prints the latter)."""
    if isinstance(node, exp.Join) and (node.args.get("kind") or "").upper() == "INNER" and not node.args.get("side"):
        node.set("kind", None)
    return node


def _drop_self_alias(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Table) and node.alias and node.alias == node.name:
        node.set("alias", None)
    return node


def _count_star(node: exp.Expression) -> exp.Expression:
    """MySQL stores count(*) as count(0)."""
    if isinstance(node, exp.Count) and isinstance(node.this, exp.Star):
        node.set("this", exp.Literal.number(0))
    return node
