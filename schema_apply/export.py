"""A live schema as a Schemafile, in the house style: stable, deterministic, readable.

Tables come parents first (so a plain ``mysql`` client can load the file),
then by name; views last, each after the views it reads. No AUTO_INCREMENT
counters, no row counts, no definers: only the schema.
"""

from __future__ import annotations

from .flavor import Flavor
from .model import Schema, Table
from .plan import _views_in_order
from .changes import CreateView
from . import render_ddl as render
from .sqltext import quote_ident


def tables_in_dependency_order(tables: tuple[Table, ...]) -> list[Table]:
    by_name = {t.name: t for t in tables}
    done: set[str] = set()
    out: list[Table] = []
    visiting: set[str] = set()

    def visit(table: Table) -> None:
        if table.name in done or table.name in visiting:
            return  # a cycle: the key is declared before its parent; loaders handle that
        visiting.add(table.name)
        for fk in sorted(table.foreign_keys, key=lambda f: f.ref_table):
            parent = by_name.get(fk.ref_table)
            if parent is not None and fk.ref_schema is None and parent.name != table.name:
                visit(parent)
        visiting.discard(table.name)
        done.add(table.name)
        out.append(table)

    for table in sorted(tables, key=lambda t: t.name):
        visit(table)
    return out


def schemafile(schema: Schema, flavor: Flavor, *, database: str, hidden_views: tuple[str, ...] = ()) -> str:
    """``hidden_views``: views whose definition the server did not show; named in a comment only."""
    parts = [f"-- Schemafile exported by schema-apply from `{database}` ({flavor.name}).",
             "-- Feed it back with --schema-file: the plan is empty.", ""]
    for table in tables_in_dependency_order(schema.tables):
        parts.append(render.create_table(table, flavor) + ";")
        parts.append("")
    views = _views_in_order([CreateView(v.name, v) for v in schema.views])
    for change in views:
        parts.append(render.create_view(change.view, replace=False) + ";")
        parts.append("")
    for name in hidden_views:
        parts.append(f"-- view {quote_ident(name)}: not exported, its definition is not visible to this user")
        parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"
