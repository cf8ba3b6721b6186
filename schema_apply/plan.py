"""The plan: which changes are allowed, in what order, grouped into statements.

Policy first (what is refused), then order, each step with its reason:

1. drop foreign keys that are in the way — dropped or changed ones, and those
   whose columns change type (the server refuses to change a column a
   foreign key uses; the key comes back in step 7);
2. drop views that go away;
3. drop tables (children first: one DROP TABLE for all of them);
4. rename tables (one RENAME TABLE);
5. alter tables: **one ALTER TABLE per table** holding all of its changes,
   columns in the file's order with FIRST/AFTER so the live order ends equal;
6. create tables, referenced tables before the tables that reference them;
   repartition tables (PARTITION BY must be an ALTER of its own);
7. add foreign keys last — they may rely on tables, columns or indexes made
   in steps 5-6 (skeema orders them the same way); a key whose parent is not
   touched by this plan goes into its table's ALTER in step 5 instead;
8. create or replace routines, then views, after the tables they read and the
   views they read;
9. triggers after their tables, events last (``program_plan``; triggers,
   events and routines that go away are dropped first, step 0).
"""

from __future__ import annotations

from dataclasses import dataclass

from .changes import (
    AddCheck, AddColumn, AddForeignKey, AddIndex, Change, ChangeIndexVisibility, ChangePartitioning,
    ChangeTableOptions, CreateTable,
    CreateView, DropCheck, DropColumn, DropForeignKey, DropIndex, DropTable, DropView, ModifyColumn, RenameIndex,
    RenameTable)
from .approvals import DropApprovals
from .diff import diff
from .flavor import Flavor
from .model import ForeignKey, Schema, Table, key
from .policy import Refusal, apply_policy
from .program_firewall import ProgramRules
from . import program_plan
from . import render_ddl as render


@dataclass(frozen=True)
class Statement:
    sql: str
    table: str | None
    changes: tuple[Change, ...]
    step: str

    @property
    def destructive(self) -> bool:
        return any(c.destructive for c in self.changes)


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    statements: tuple[Statement, ...]
    refused: tuple[Refusal, ...] = ()

    @property
    def in_sync(self) -> bool:
        return not self.changes and not self.refused

    @property
    def tables(self) -> list[str]:
        seen: dict[str, None] = {}
        for change in self.changes:
            seen.setdefault(change.table, None)
        for refusal in self.refused:
            seen.setdefault(refusal.change.table, None)
        return list(seen)


def build_plan(current: Schema, desired: Schema, flavor: Flavor, *, allow_drop: "bool | DropApprovals" = False,
               secret_prefixes: tuple[str, ...] = ("secret_",), programs: ProgramRules | None = None) -> Plan:
    """Diff, then policy, then order. ``current`` and ``desired`` are normalised for ``flavor``.
    ``programs``: the context of the stored-program rules (database, applying account, definers allowed)."""
    changes = diff(current, desired)
    changes = _rebuild_foreign_keys_around_column_changes(changes, current, desired)
    programs = programs or ProgramRules(desired, secret_prefixes, flavor.lower_case_table_names)
    allowed, refused = apply_policy(changes, desired, flavor, allow_drop, secret_prefixes, programs)
    statements = _order(allowed, current, desired, flavor)
    return Plan(tuple(allowed), tuple(statements), tuple(refused))


# --------------------------------------------------------------------------
# Foreign keys that a column change forces to drop and re-add
# --------------------------------------------------------------------------

def _rebuild_foreign_keys_around_column_changes(changes: list[Change], current: Schema, desired: Schema
                                                ) -> list[Change]:
    changed: set[tuple[str, str]] = set()
    for change in changes:
        if isinstance(change, ModifyColumn) and (
                change.old.type != change.new.type or change.old.charset != change.new.charset
                or change.old.collation != change.new.collation):
            changed.add((change.table, key(change.new.name)))
    if not changed:
        return changes
    already = {(c.table, c.foreign_key.key) for c in changes if isinstance(c, DropForeignKey)}
    extra: list[Change] = []
    wanted = {t.name: t for t in desired.tables}
    renames = {c.old_name: c.table for c in changes if isinstance(c, RenameTable)}
    for table in current.tables:
        name = renames.get(table.name, table.name)
        if name not in wanted:
            continue
        for fk in table.foreign_keys:
            ref = renames.get(fk.ref_table, fk.ref_table)
            touches = any((name, key(c)) in changed for c in fk.columns) or \
                any((ref, key(c)) in changed for c in fk.ref_columns)
            if not touches or (name, fk.key) in already:
                continue
            target = wanted[name]
            kept = next((f for f in target.foreign_keys if f.key == fk.key), None)
            extra.append(DropForeignKey(name, fk))
            if kept is not None:
                extra.append(AddForeignKey(name, kept))
    return changes + extra


# --------------------------------------------------------------------------
# Order
# --------------------------------------------------------------------------

_CLAUSE_ORDER = (DropForeignKey, DropCheck, DropIndex, DropColumn, RenameIndex, (AddColumn, ModifyColumn), AddIndex,
                 ChangeIndexVisibility, AddCheck, AddForeignKey, ChangeTableOptions)


def _clause_rank(change: Change) -> int:
    for rank, kinds in enumerate(_CLAUSE_ORDER):
        if isinstance(change, kinds):
            if isinstance(change, AddIndex) and change.index.kind == "primary":
                return rank  # the primary key first among added indexes (stable sort keeps the rest)
            return rank
    raise TypeError(type(change).__name__)


def _order(changes: list[Change], current: Schema, desired: Schema, flavor: Flavor) -> list[Statement]:
    out: list[Statement] = []
    desired_tables = {t.name: t for t in desired.tables}
    created = [c for c in changes if isinstance(c, CreateTable)]
    created_names = {c.table for c in created}
    per_table: dict[str, list[Change]] = {}
    for change in changes:
        if isinstance(change, (AddColumn, DropColumn, ModifyColumn, AddIndex, DropIndex, RenameIndex, AddCheck,
                               DropCheck, ChangeTableOptions, ChangeIndexVisibility)):
            per_table.setdefault(change.table, []).append(change)
    touched = created_names | set(per_table) | {c.table for c in changes if isinstance(c, (RenameTable, ChangePartitioning))}
    rebuilt = {(c.table, c.foreign_key.key) for c in changes if isinstance(c, DropForeignKey)}

    # 0. triggers, events and routines that go away (program_plan)
    out += program_plan.drops(changes, Statement)

    # 1. foreign keys in the way
    drops: dict[str, list[Change]] = {}
    for change in changes:
        if isinstance(change, DropForeignKey):
            drops.setdefault(change.table, []).append(change)
    for table, items in drops.items():
        out.append(_alter(table, items, flavor, "drop foreign keys", desired_tables.get(table)))

    # 2. views that go away
    dropped_views = [c for c in changes if isinstance(c, DropView)]
    if dropped_views:
        out.append(Statement(render.drop_views([c.table for c in dropped_views]), None, tuple(dropped_views),
                             "drop views"))

    # 3. tables that go away, children before their parents
    dropped = [c for c in changes if isinstance(c, DropTable)]
    if dropped:
        dropped = _children_first(dropped)
        out.append(Statement(render.drop_tables([c.table for c in dropped]), None, tuple(dropped), "drop tables"))

    # 4. renames
    renamed = [c for c in changes if isinstance(c, RenameTable)]
    if renamed:
        out.append(Statement(render.rename_tables([(c.old_name, c.table) for c in renamed]), None, tuple(renamed),
                             "rename tables"))

    # 5. one ALTER per table (foreign keys to untouched parents ride along)
    deferred_fks: list[AddForeignKey] = []
    for change in changes:
        if isinstance(change, AddForeignKey):
            fk = change.foreign_key
            parent_untouched = fk.ref_schema is not None or fk.ref_table == change.table or fk.ref_table not in touched
            if parent_untouched and (change.table, fk.key) not in rebuilt and change.table in per_table:
                per_table[change.table].append(change)
            else:
                deferred_fks.append(change)
    for table, items in per_table.items():
        out.append(_alter(table, items, flavor, "alter table", desired_tables.get(table)))

    # 6. new tables, parents first; foreign keys to tables made later wait for step 7
    for change, skipped in _creation_order(created):
        sql = render.create_table(change.definition, flavor, skip_foreign_keys=frozenset(fk.name for fk in skipped))
        out.append(Statement(sql, change.table, (change,), "create table"))
        deferred_fks.extend(AddForeignKey(change.table, fk) for fk in skipped)
    for change in changes:
        if isinstance(change, ChangePartitioning):
            out.append(Statement(render.alter_table(change.table, [render.alter_clause(change, flavor)]),
                                 change.table, (change,), "partitioning"))

    # 7. foreign keys last
    by_table: dict[str, list[Change]] = {}
    for change in deferred_fks:
        by_table.setdefault(change.table, []).append(change)
    for table, items in by_table.items():
        out.append(_alter(table, items, flavor, "add foreign keys", desired_tables.get(table)))

    # 8. routines, then views after what they read and the functions they call
    out += program_plan.routines(changes, desired, flavor, Statement)
    for change in _views_in_order([c for c in changes if isinstance(c, CreateView)]):
        out.append(Statement(render.create_view(change.view, replace=change.replace), change.table, (change,),
                             "views"))

    # 9. triggers, after their tables and what they call; events last, since they may run at once
    out += program_plan.triggers_and_events(changes, desired, flavor, Statement)
    return out


def _alter(table: str, items: list[Change], flavor: Flavor, step: str, definition: Table | None) -> Statement:
    items = sorted(items, key=_clause_rank)
    absorbed = _absorbed_column_checks(items, flavor)
    clauses = [render.alter_clause(c, flavor, definition) for c in items if c not in absorbed]
    return Statement(render.alter_table(table, clauses), table, tuple(items), step)


def _absorbed_column_checks(items: list[Change], flavor: Flavor) -> list[Change]:
    """MariaDB keeps a column's CHECK with the column: MODIFY/CHANGE/DROP of the column
    drops it, and the column's new definition carries the new one. Such check
    changes need no clause of their own (a separate DROP CONSTRAINT would fail)."""
    if not flavor.column_level_checks:
        return []
    redefined_old = {key(c.old.name) for c in items if isinstance(c, ModifyColumn)}
    redefined_old |= {c.column.key for c in items if isinstance(c, DropColumn)}
    # an added column CHECK is written as MODIFY COLUMN … CHECK, which replaces the old one
    redefined_old |= {c.check.key for c in items if isinstance(c, AddCheck) and c.check.column_level}
    redefined_new = {key(c.new.name) for c in items if isinstance(c, ModifyColumn)}
    redefined_new |= {c.column.key for c in items if isinstance(c, AddColumn)}
    out: list[Change] = []
    for change in items:
        if isinstance(change, DropCheck) and change.check.column_level and change.check.key in redefined_old:
            out.append(change)
        elif isinstance(change, AddCheck) and change.check.column_level and change.check.key in redefined_new:
            out.append(change)
    return out


def _children_first(dropped: list[DropTable]) -> list[DropTable]:
    names = {c.table for c in dropped}
    refs = {c.table: {fk.ref_table for fk in c.definition.foreign_keys if fk.ref_table in names and fk.ref_table != c.table}
            for c in dropped}
    ordered: list[DropTable] = []
    remaining = list(dropped)
    while remaining:
        # a table nobody left references can go now
        ready = [c for c in remaining if not any(c.table in refs[o.table] for o in remaining if o is not c)]
        if not ready:
            ready = remaining[:1]  # a cycle: one statement drops them together anyway
        for c in ready:
            ordered.append(c)
            remaining.remove(c)
    return ordered


def _creation_order(created: list[CreateTable]) -> list[tuple[CreateTable, list[ForeignKey]]]:
    """Parents before children; a key to a table not created yet is added afterwards."""
    pending = {c.table: c for c in created}
    done: set[str] = set()
    out: list[tuple[CreateTable, list[ForeignKey]]] = []
    while pending:
        progress = False
        for name in list(pending):
            change = pending[name]
            needs = {fk.ref_table for fk in change.definition.foreign_keys
                     if fk.ref_schema is None and fk.ref_table in pending and fk.ref_table != name}
            if not needs:
                out.append((change, []))
                done.add(name)
                del pending[name]
                progress = True
        if not progress:  # a cycle: create the first one without its keys to tables not made yet
            name = next(iter(pending))
            change = pending.pop(name)
            skipped = [fk for fk in change.definition.foreign_keys if fk.ref_schema is None and fk.ref_table in pending]
            out.append((change, skipped))
            done.add(name)
    return out


def _views_in_order(changes: list[CreateView]) -> list[CreateView]:
    from .parse.views import dependency_order
    by_name = {c.table: c for c in changes}
    return [by_name[n] for n in dependency_order({c.table: c.view.definition.sql for c in changes})]
