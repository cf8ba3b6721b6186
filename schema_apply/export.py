"""A live schema as a Schemafile, in the house style: stable, deterministic, readable.

Tables come parents first (so a plain ``mysql`` client can load the file),
then by name; routines, then views, each after the views it reads; then
triggers in each table's order, and events. Stored programs sit between
``DELIMITER ;;`` lines, as mysqldump writes them, with a ``SET SESSION``
before one whose sql_mode, character sets or time zone differ from this
session's (and ``= DEFAULT`` after it). No AUTO_INCREMENT counters, no row
counts, no definers: only the schema.
"""

from __future__ import annotations

from dataclasses import replace

from .flavor import Flavor
from .normalize import views_by_dependency
from .model import Schema, Table
from .model import ProgramSettings
from . import render_ddl as render
from . import render_programs
from .sql.quoting import quote_ident


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


def _programs(programs: list[tuple[str, ProgramSettings]], flavor: Flavor) -> list[str]:
    """(CREATE statement, settings) pairs between DELIMITER lines."""
    if not programs:
        return []
    delimiter = next(d for d in (";;", "$$", "//", "@@@") if not any(d in sql for sql, _ in programs))
    parts = [f"DELIMITER {delimiter}"]
    for sql, settings in programs:
        enter = render_programs.session_sql(settings, flavor.session)
        if enter:
            parts.append(enter + delimiter)
        parts.append(sql + delimiter)
        if enter:
            parts.append(render_programs.session_restore_sql(settings, flavor.session, defaults=True) + delimiter)
        parts.append("")
    parts += ["DELIMITER ;", ""]
    return parts


def schemafile(schema: Schema, flavor: Flavor, *, database: str, hidden_views: tuple[str, ...] = (),
               hidden_routines: tuple[str, ...] = ()) -> str:
    """``hidden_views``, ``hidden_routines``: what the server did not show; named in a comment only."""
    parts = [f"-- Schemafile exported by schema-apply from `{database}` ({flavor.name}).",
             "-- Feed it back with --schema-file: the plan is empty.", ""]
    for table in tables_in_dependency_order(schema.tables):
        parts.append(render.create_table(table, flavor) + ";")
        parts.append("")
    default = (schema.charset, schema.collation)
    parts += _programs([(render_programs.create_routine(replace(r, definer=None), flavor, default_charset=default),
                         r.settings) for r in schema.routines], flavor)
    for view in views_by_dependency(schema.views):
        parts.append(render.create_view(view, replace=False) + ";")
        parts.append("")
    for name in hidden_views:
        parts.append(f"-- view {quote_ident(name)}: not exported, its definition is not visible to this user")
        parts.append("")
    triggers = sorted(schema.triggers, key=lambda t: (t.table, t.timing, t.event, t.order))
    parts += _programs([(render_programs.create_trigger(replace(t, definer=None), flavor), t.settings)
                        for t in triggers]
                       + [(render_programs.create_event(replace(e, definer=None), flavor), e.settings)
                          for e in schema.events], flavor)
    for label in hidden_routines:
        parts.append(f"-- {label}: not exported, its definition is not visible to this user")
        parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"
