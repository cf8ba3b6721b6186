"""The diff: two normalised models in, a list of change values out. Never touches a database.

Renames come only from ``-- @renamed from=old`` annotations, never from
guessing. Objects whose names the server made up (``a_2``, ``t_ibfk_1``,
``CONSTRAINT_1``) are matched by definition first, so a Schemafile that does
not name them never gets perpetual renames. Index order is not a change:
the server sorts keys itself.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Iterable, TypeVar

from .changes import (
    FIRST, AddCheck, AddColumn, AddForeignKey, AddIndex, Change, ChangeIndexVisibility, ChangePartitioning,
    ChangeTableOptions, CreateTable, CreateView, DropCheck, DropColumn, DropForeignKey, DropIndex, DropTable, DropView,
    ModifyCheck, ModifyColumn, ModifyForeignKey, ModifyIndex, Position, RenameIndex, RenameTable)
from .model import Column, Index, Schema, Table, key
from .program_diff import diff_programs
from .sequences import longest_increasing

T = TypeVar("T")


def diff(current: Schema, desired: Schema) -> list[Change]:
    """Changes that turn ``current`` into ``desired`` (both normalised for the same server)."""
    live = {t.name: t for t in current.tables}
    want = {t.name: t for t in desired.tables}
    changes: list[Change] = []

    renames = {t.renamed_from: t.name for t in desired.tables
               if t.name not in live and t.renamed_from and t.renamed_from in live and t.renamed_from not in want}
    for old, new in renames.items():
        changes.append(RenameTable(new, old))
    live = {renames.get(name, name): rename_table(t, renames) for name, t in live.items()}

    for table in desired.tables:
        if table.name not in live:
            changes.append(CreateTable(table.name, table))
    for name, table in live.items():
        if name not in want:
            changes.append(DropTable(name, table))
    for table in desired.tables:
        if table.name in live and live[table.name] != table:  # equal tables: nothing to look at
            changes.extend(diff_table(live[table.name], table))

    live_views = {v.name: v for v in current.views}
    want_views = {v.name: v for v in desired.views}
    for name, view in live_views.items():
        if name not in want_views:
            changes.append(DropView(name, view))
    for name, view in want_views.items():
        if name not in live_views:
            changes.append(CreateView(name, view))
        elif live_views[name] != view:
            changes.append(CreateView(name, view, replace=True))
    changes.extend(diff_programs(current, desired, renames))  # triggers, routines, events
    return changes


def rename_table(table: Table, renames: dict[str, str]) -> Table:
    """``table`` as it is after RENAME TABLE: its name, and foreign keys pointing at renamed tables."""
    if not renames:
        return table
    fks = tuple(replace(fk, ref_table=renames[fk.ref_table]) if fk.ref_schema is None and fk.ref_table in renames
                else fk for fk in table.foreign_keys)
    return replace(table, name=renames.get(table.name, table.name), foreign_keys=fks)


def _rename_columns(table: Table, mapping: dict[str, str]) -> Table:
    """``table`` as the server shows it once columns are renamed (indexes and keys follow)."""
    if not mapping:
        return table
    def new(name: str) -> str:
        return mapping.get(key(name), name)
    columns = tuple(replace(c, name=new(c.name)) for c in table.columns)
    indexes = tuple(replace(i, parts=tuple(replace(p, column=new(p.column)) if p.column else p for p in i.parts))
                    for i in table.indexes)
    fks = tuple(replace(fk, columns=tuple(new(c) for c in fk.columns)) for fk in table.foreign_keys)
    return replace(table, columns=columns, indexes=indexes, foreign_keys=fks)


def diff_table(old: Table, new: Table) -> list[Change]:
    changes: list[Change] = []
    name = new.name

    # -- columns: renames (annotated), drops, changes, adds, positions -------
    old_keys = {c.key for c in old.columns}
    new_keys = {c.key for c in new.columns}
    renamed: dict[str, str] = {}  # old key -> new name
    for col in new.columns:
        src = col.renamed_from
        if src and key(src) in old_keys and key(src) not in new_keys and col.key not in old_keys:
            renamed[key(src)] = col.name
    before_rename = {renamed[c.key]: c for c in old.columns if c.key in renamed}
    old = _rename_columns(old, renamed)
    current = {c.key: c for c in old.columns}

    # A column that becomes (or stops being) generated, or switches between
    # VIRTUAL and STORED, cannot be modified in place: it is dropped and added.
    rebuilt = {c.key for c in new.columns if c.key in current and _generation(current[c.key]) != _generation(c)}
    for col in old.columns:
        if col.key not in new_keys or col.key in rebuilt:
            changes.append(DropColumn(name, col))
    for k in rebuilt:
        del current[k]

    positions = _positions([c.key for c in old.columns if c.key in current and c.key in new_keys],
                           [c.key for c in new.columns])
    # New columns at the very end need no AFTER: ADD COLUMN appends, and stays
    # an instant change where the server can do that (an AFTER may force a rebuild).
    trailing: set[str] = set()
    for col in reversed(new.columns):
        if col.key in current:
            break
        trailing.add(col.key)
    previous: str | None = None
    for col in new.columns:
        moves = positions[col.key] and col.key not in trailing
        where = (Position(previous) if previous else FIRST) if moves else None
        if col.key not in current:
            changes.append(AddColumn(name, col, where))
        else:
            live = current[col.key]
            source = before_rename.get(col.name)
            old_col = source if source is not None else live
            if live != col or source is not None or where is not None:
                changes.append(ModifyColumn(name, old_col, col, where))
        previous = col.name

    # -- indexes ----------------------------------------------------------------
    pairs, dropped, added = _match(old.indexes, new.indexes, lambda i: i.key, Index.same_definition,
                                   lambda i: i.auto_named)
    for index in new.indexes:
        src = index.renamed_from
        if index in added and src and old.index(src) is not None and new.index(src) is None:
            source = old.index(src)
            if source in dropped and source.same_definition(index):
                dropped.remove(source)
                added.remove(index)
                changes.append(RenameIndex(name, source.name, index.name))
    modified: list[tuple[Index, Index]] = []
    for a, b in pairs:
        if rebuilt and any(key(c) in rebuilt for c in a.columns):  # its column is dropped and added again
            modified.append((a, b))
            continue
        if a != b and not a.same_definition(b):
            if replace(a, invisible=b.invisible).same_definition(b) and a.kind != "primary":
                changes.append(ChangeIndexVisibility(name, b))
            elif a.key == b.key:
                modified.append((a, b))
                continue
            else:
                dropped.append(a)
                added.append(b)
                continue
        if a.name != b.name and not b.auto_named:
            changes.append(RenameIndex(name, a.name, b.name))  # e.g. only the case differs
    for index in dropped:
        changes.append(DropIndex(name, index))
    order = {i.key: n for n, i in enumerate(new.indexes)}
    for a, b in sorted(modified, key=lambda pair: order[pair[1].key]):
        changes.append(ModifyIndex(name, a, b))
    for index in sorted(added, key=lambda i: order[i.key]):  # the file's order: the server keeps it
        changes.append(AddIndex(name, index))

    # -- foreign keys and checks: the server cannot alter them: drop and add ------
    changes.extend(_constraints(name, old.foreign_keys, new.foreign_keys, DropForeignKey, AddForeignKey,
                                ModifyForeignKey))
    changes.extend(_constraints(name, old.checks, new.checks, DropCheck, AddCheck, ModifyCheck))

    # -- table options and partitioning --------------------------------------------
    if old.options != new.options:
        changes.append(ChangeTableOptions(name, old.options, new.options))
    if old.partitioning != new.partitioning:
        changes.append(ChangePartitioning(name, old.partitioning, new.partitioning))
    return changes


def _constraints(table: str, old, new, drop, add, modify) -> list[Change]:
    """Foreign keys or CHECKs. One the Schemafile leaves unnamed matches a live one by definition,
    whatever the server numbered it (``t_ibfk_2`` or ``t_ibfk_10``); one it names, by name. A new
    unnamed one gets a name no live one has, so that the DDL can carry it and the plan shows it."""
    def same(a, b) -> bool:
        return replace(a, name=b.name) == b

    def auto(c) -> bool:  # (MariaDB names a column's own CHECK after the column: that name is fixed)
        return c.auto_named and not getattr(c, "column_level", False)

    old_left, new_left = list(old), list(new)
    pairs: list[tuple] = []

    def take(pred) -> None:
        for b in list(new_left):
            a = next((a for a in old_left if pred(a, b)), None)
            if a is not None:
                pairs.append((a, b))
                old_left.remove(a)
                new_left.remove(b)

    take(lambda a, b: auto(b) and same(a, b) and a.key == b.key)
    take(lambda a, b: auto(b) and same(a, b))
    take(lambda a, b: not auto(b) and a.key == b.key)
    renumbered = []
    if modify is ModifyForeignKey:  # an unnamed key whose definition changes keeps its number
        numbered = re.compile(re.escape(key(table)) + r"_ibfk_\d+")  # a name the server made up

        def renumber(a, b) -> bool:
            return auto(b) and a.key == b.key and not same(a, b) and numbered.fullmatch(a.key) is not None
        take(renumber)
        renumbered = [(a, b) for a, b in pairs if renumber(a, b)]
    out: list[Change] = [modify(table, a, b) for a, b in pairs if not same(a, b) and (a, b) not in renumbered]
    if len(renumbered) == 1 and not any(auto(b) for b in new_left):
        a, b = renumbered[0]
        others = {c.key for c in old} - {a.key}
        server_named = b.key == key(fresh_name(b.name, others))  # what the server numbers an unnamed key
        out.append(modify(table, a, b, server_named=server_named))
    else:
        out += [modify(table, a, b) for a, b in renumbered]
    out += [drop(table, a) for a in old_left]
    taken = {c.key for c in old} | {c.key for c in new if not auto(c)}  # names there will be
    for b in new_left:
        if auto(b) and b.key in taken:
            b = replace(b, name=fresh_name(b.name, taken))
        taken.add(b.key)
        out.append(add(table, b))
    return out


def fresh_name(name: str, taken: set[str]) -> str:
    """``name`` with its trailing number raised past every taken name of the same stem
    (``c_ibfk_2`` -> ``c_ibfk_11`` when ``c_ibfk_10`` is taken)."""
    m = re.fullmatch(r"(.*?)(\d+)", name)
    stem = m.group(1) if m else name + "_"
    numbers = [int(k[len(stem):]) for k in taken if k.startswith(key(stem)) and k[len(stem):].isdigit()]
    return f"{stem}{max(numbers, default=0) + 1}"


def _generation(column: Column) -> str:
    if column.generated is None:
        return "regular"
    return "stored" if column.generated.stored else "virtual"


def _positions(kept: list[str], desired: list[str]) -> dict[str, bool]:
    """Which columns need FIRST/AFTER: the new ones, and the kept ones outside the
    longest run already in desired order (so the fewest columns move)."""
    order = {k: n for n, k in enumerate(desired)}
    sequence = [order[k] for k in kept]
    stay = {kept[i] for i in longest_increasing(sequence)}
    return {k: (k not in stay) for k in desired}


def _match(old: Iterable[T], new: Iterable[T], name_of: Callable[[T], str], same: Callable[[T, T], bool],
           auto: Callable[[T], bool]) -> tuple[list[tuple[T, T]], list[T], list[T]]:
    """Pair old and new objects: objects whose names the server makes up are
    paired by definition first; the rest by name; then leftovers by definition."""
    old_left = list(old)
    new_left = list(new)
    pairs: list[tuple[T, T]] = []

    def take(pred) -> None:
        for b in list(new_left):
            for a in old_left:
                if pred(a, b):
                    pairs.append((a, b))
                    old_left.remove(a)
                    new_left.remove(b)
                    break

    take(lambda a, b: auto(b) and same(a, b) and (name_of(a) == name_of(b) or not _name_wanted(a, new_left, name_of)))
    take(lambda a, b: name_of(a) == name_of(b))
    take(lambda a, b: auto(b) and same(a, b))
    return pairs, old_left, new_left


def _name_wanted(obj, new_left, name_of) -> bool:
    """Whether some remaining desired object is named like ``obj`` (keep the name match for it)."""
    return any(name_of(n) == name_of(obj) for n in new_left)
