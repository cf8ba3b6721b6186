"""The plan: which changes are allowed, in what order, grouped into statements.

Policy first (what is refused), then order. **Each table is altered by one ALTER TABLE**
holding all of its changes — columns in the file's order with FIRST/AFTER so the live order
ends equal, keys, foreign keys to tables old or new, options, partitioning — so a large table is
copied at most once. The statements, each with the reason for its place:

1. drop foreign keys that are in the way, each table's in one ALTER: a key re-created under its
   name (the server cannot drop and add one name in one ALTER, errno 121), and a key whose parent
   goes away or changes the columns or keys it joins (the server refuses those while the key
   exists). Dropping a key is metadata only; any other dropped key rides in its table's ALTER;
2. drop views that go away;
3. drop tables (children first: one DROP TABLE for all of them);
4. rename tables (one RENAME TABLE);
5. create new tables before the ALTERs, parents first, so that an ALTER can add a key that
   references one (skeema adds such keys in a second ALTER; that copies the table again);
6. alter tables, a table after the tables whose keys or columns its new foreign keys need
   (and a new table after the ALTER of a parent it needs that way);
7. add foreign keys the order above cannot place: a cycle of tables that reference each other, and
   a key from a table to itself on columns its own ALTER changes (checked against the table as it
   was: errno 150);
8. create or replace routines, then views, after the tables they read, the views they read and
   the functions they call;
9. triggers after their tables, events last (``program_plan``; triggers, events and routines
   that go away are dropped first, step 0).

Steps 5-7 are one dependency order (``_dependency_order``); the step numbers only break ties.
"""

from __future__ import annotations

from dataclasses import field, replace
from typing import Mapping

from .changes import (
    AddCheck, AddColumn, AddForeignKey, AddIndex, Change, ChangeIndexVisibility, ChangePartitioning,
    ChangeTableOptions, CreateTable, CreateView, DropCheck, DropColumn, DropForeignKey, DropIndex, DropTable,
    DropView, ModifyCheck, ModifyColumn, ModifyForeignKey, ModifyIndex, RenameIndex, RenameTable)
from .approvals import DropApprovals
from .diff import diff
from .errors import ParseError
from .firewall.objects import Surroundings
from .firewall.secrecy import DEFAULT_PREFIXES, SecrecyPolicy
from .flavor import Flavor, member_key
from .model import Column, ForeignKey, Schema, Table, key
from .parse.views import dependency_order
from .policy import Refusal, SecretDependence, apply_policy
from . import online as online_ddl
from . import program_plan
from . import render_ddl as render
from .sql.quoting import quote_string
from .values import frozen, mutable


@frozen
class Statement:
    sql: str
    table: str | None
    changes: tuple[Change, ...]
    step: str
    # How the server will run it (online.py), the table's approximate size, and the wrapper that
    # runs it instead of the server (None: the server itself)
    prediction: online_ddl.Prediction | None = None
    size: online_ddl.TableSize | None = None
    via: str | None = None
    # Indexes it adds that repeat another of the table's: the server's note 1831 about them is expected
    duplicate_indexes: frozenset[str] = frozenset()

    @property
    def destructive(self) -> bool:
        return any(c.destructive for c in self.changes)


@frozen
class Plan:
    changes: tuple[Change, ...]
    statements: tuple[Statement, ...]
    refused: tuple[Refusal, ...] = ()
    secret_dependent: tuple[SecretDependence, ...] = ()  # allowed changes whose success depends on secret rows

    def depends_on_secret_rows(self, change: Change) -> str | None:
        """Why ``change`` (an allowed one) depends on secret rows, or None."""
        return next((d.reason for d in self.secret_dependent if d.change is change), None)

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
               allow_secret_dependent: bool = False, policy: SecrecyPolicy | None = None,
               around: Surroundings | None = None,
               online: online_ddl.OnlineSettings = online_ddl.OnlineSettings(),
               sizes: Mapping[str, online_ddl.TableSize] | None = None) -> Plan:
    """Diff, then policy, then order, then the online-DDL cost of each statement.
    ``current`` and ``desired`` are normalised for ``flavor``. ``policy`` is the run's secrecy policy
    (default: the default prefix on ``flavor``'s server); ``around``, what the built objects stand
    among (default: the views of ``current`` and ``desired``, in an unknown database); ``sizes`` (None
    offline) are the approximate sizes of the non-secret tables (table_sizes.read_sizes)."""
    policy = policy or SecrecyPolicy.for_server(DEFAULT_PREFIXES, flavor)
    around = around or Surroundings.of(current, desired, policy)
    changes = diff(current, desired)
    changes = _rebuild_foreign_keys_around_column_changes(changes, current, desired)
    decision = apply_policy(changes, current, desired, policy, around, allow_drop=allow_drop,
                            allow_secret_dependent=allow_secret_dependent)
    allowed, refused, dependent = list(decision.allowed), decision.refused, decision.secret_dependent
    statements = _order(allowed, desired, flavor)
    statements, blocked = _online(statements, allowed, current, flavor, policy, online, sizes)
    if blocked:
        gone = {id(r.change) for r in blocked}
        allowed = [c for c in allowed if id(c) not in gone]
        refused = refused + tuple(blocked)
        dependent = tuple(d for d in dependent if id(d.change) not in gone)
    return Plan(tuple(allowed), tuple(statements), refused, dependent)


def ensure_members_distinct(plan: Plan, file: str) -> None:
    """A column the plan writes (a new table's, an added or a modified one) whose ENUM or SET lists
    a member twice, as the server tells them apart (``flavor.member_key``), is an error before
    anything runs: in strict mode, which every apply runs in, the server refuses it (1291) only
    when its statement comes, after the ones before it have run. A live column made so in
    non-strict mode (a file loaded by the client after ``SET sql_mode = ''``) is no error while the
    plan leaves it as it is."""
    for change in plan.changes:
        if isinstance(change, CreateTable):
            columns = change.definition.columns
        elif isinstance(change, AddColumn):
            columns = (change.column,)
        elif isinstance(change, ModifyColumn):
            columns = (change.new,)
        else:
            continue
        for column in columns:
            if column.type.name in ("enum", "set"):
                _ensure_distinct(column, change.table, file)


def _ensure_distinct(column: Column, table: str, file: str) -> None:
    seen: dict[str, str] = {}  # member_key -> the member first spelt so
    for value in column.type.values:
        member = member_key(value, column.collation)
        if member not in seen:
            seen[member] = value
            continue
        first = seen[member]
        spelt = "" if first == value else f" (as {quote_string(first)} and {quote_string(value)})"
        raise ParseError(f"column {column.name} lists the {column.type.name.upper()} member"
                         f" {quote_string(first)} twice{spelt}; the server refuses that in strict mode"
                         " (1291), which every apply runs in", file=file, line=column.line,
                         obj=f"table {table}", hint="remove the repeated member")


# --------------------------------------------------------------------------
# Online DDL: the prediction, size and clause of each statement (online.py decides)
# --------------------------------------------------------------------------

def _online(statements: list[Statement], changes: list[Change], current: Schema, flavor: Flavor,
            policy: SecrecyPolicy, online: online_ddl.OnlineSettings,
            sizes: Mapping[str, online_ddl.TableSize] | None) -> tuple[list[Statement], list[Refusal]]:
    """Each ALTER TABLE gets its prediction and its ALGORITHM=/LOCK= clause; one that would block
    writes on a large (or secret, or unknown-size) table is refused unless allowed, or handed to
    pt-online-schema-change when the policy says so."""
    old_names = {c.table: c.old_name for c in changes if isinstance(c, RenameTable)}
    referenced = {fk.ref_table for t in current.tables for fk in t.foreign_keys}
    out: list[Statement] = []
    refused: list[Refusal] = []
    for st in statements:
        if st.table is None or not online_ddl.is_alter(st.sql):
            out.append(replace(st, prediction=online_ddl.METADATA))
            continue
        name = old_names.get(st.table, st.table)
        table = current.table(name)
        prediction = online_ddl.predict(_as_run(st), table, flavor)
        secret = policy.is_secret(st.table)
        size = online_ddl.size_of(name, sizes, secret, table is None)
        via, why = None, online.clauses.ceiling_refusal(prediction)
        if why is None and prediction.blocks_writes and size is not None and not prediction.new_table:
            via, why = online.blocking.decide(st.table, prediction, size, secret, table, name in referenced)
        if why is not None:
            cause = prediction.cause if prediction.cause in st.changes else st.changes[0]
            refused.append(Refusal(cause, why))
            refused.extend(Refusal(c, f"in the same ALTER TABLE as: {cause.describe()}") for c in st.changes
                           if c is not cause)
            continue
        sql = st.sql if via else render.append_clause(st.sql, st.table, online_ddl.clause(prediction, flavor, online.clauses))
        out.append(replace(st, sql=sql, prediction=prediction, size=size, via=via))
    return out, refused


def _as_run(st: Statement) -> list[Change]:
    """The changes a statement runs: step 1 drops the foreign keys that are re-created later."""
    if st.step != "drop foreign keys":
        return list(st.changes)
    return [DropForeignKey(c.table, c.old) if isinstance(c, ModifyForeignKey) else c for c in st.changes]


# --------------------------------------------------------------------------
# Foreign keys that a column change forces to drop and re-add
# --------------------------------------------------------------------------

def _rebuild_foreign_keys_around_column_changes(changes: list[Change], current: Schema, desired: Schema
                                                ) -> list[Change]:
    """The server refuses to change the type, character set or collation of a column a foreign key
    joins (either end): such a key is re-created around the change."""
    changed = {(c.table, key(c.new.name)) for c in changes if isinstance(c, ModifyColumn) and c.changes_storage}
    if not changed:
        return changes
    already = {(c.table, c.old.key) for c in changes if isinstance(c, ModifyForeignKey)}
    already |= {(c.table, c.foreign_key.key) for c in changes if isinstance(c, DropForeignKey)}
    wanted = {t.name: t for t in desired.tables}
    renames = {c.old_name: c.table for c in changes if isinstance(c, RenameTable)}
    extra: list[Change] = []
    for table in current.tables:
        name = renames.get(table.name, table.name)
        if name not in wanted:
            continue
        for fk in table.foreign_keys:
            ref = renames.get(fk.ref_table, fk.ref_table)
            mine = [c for c in fk.columns if (name, key(c)) in changed]
            theirs = [c for c in fk.ref_columns if (ref, key(c)) in changed]
            if not (mine or theirs) or (name, fk.key) in already:
                continue
            kept = _matching_foreign_key(fk, wanted[name])
            if kept is None:
                extra.append(DropForeignKey(name, fk))
            else:
                column = f"{name}.{mine[0]}" if mine else f"{ref}.{theirs[0]}"
                extra.append(ModifyForeignKey(name, fk, kept, reason=f"{column} changes type"))
    return changes + extra


def _matching_foreign_key(fk: ForeignKey, table: Table) -> ForeignKey | None:
    """The desired key ``fk`` stays as: the same name, else (a name the server made) the same definition."""
    named = next((f for f in table.foreign_keys if f.key == fk.key), None)
    if named is not None:
        return named
    return next((f for f in table.foreign_keys if f.auto_named and replace(f, name=fk.name) == fk), None)


# --------------------------------------------------------------------------
# Order
# --------------------------------------------------------------------------

# Clauses within one ALTER TABLE: drops before adds, columns before the keys on them.
_CLAUSE_ORDER = (DropForeignKey, DropCheck, DropIndex, DropColumn, RenameIndex, (AddColumn, ModifyColumn), AddIndex,
                 ChangeIndexVisibility, AddCheck, AddForeignKey, ChangeTableOptions)
_ALTERED = (AddColumn, DropColumn, ModifyColumn, AddIndex, DropIndex, ModifyIndex, RenameIndex, AddCheck, DropCheck,
            ModifyCheck, ChangeTableOptions, ChangeIndexVisibility, AddForeignKey, DropForeignKey, ModifyForeignKey,
            ChangePartitioning)


def _clause_rank(change: Change) -> int:
    for rank, kinds in enumerate(_CLAUSE_ORDER):
        if isinstance(change, kinds):
            return rank
    raise TypeError(type(change).__name__)


@mutable
class _Node:
    """One statement to be placed: a table's CREATE or ALTER (or the other steps' statements)."""

    step: int
    name: str
    table: str | None = None
    changes: list[Change] = field(default_factory=list)
    after: set[str] = field(default_factory=set)  # names of nodes that must come first


def _order(changes: list[Change], desired: Schema, flavor: Flavor) -> list[Statement]:
    desired_tables = {t.name: t for t in desired.tables}
    created = {c.table: c for c in changes if isinstance(c, CreateTable)}
    dropped = {c.table for c in changes if isinstance(c, DropTable)} | {c.old_name for c in changes
                                                                      if isinstance(c, RenameTable)}
    per_table: dict[str, list[Change]] = {}
    for change in changes:
        if isinstance(change, _ALTERED):
            per_table.setdefault(change.table, []).append(change)

    pre_drops: dict[str, list[Change]] = {}
    for table, items in per_table.items():
        for change in items:
            if isinstance(change, ModifyForeignKey) or (
                    isinstance(change, DropForeignKey) and _in_the_way(change.foreign_key, dropped, per_table)):
                pre_drops.setdefault(table, []).append(change)

    out: list[Statement] = []
    # 0. triggers, events and routines that go away (program_plan)
    out += program_plan.drops(changes, Statement)
    # 1. foreign keys in the way
    for table, items in pre_drops.items():
        drops = [DropForeignKey(c.table, c.old) if isinstance(c, ModifyForeignKey) else c for c in items]
        clauses = [render.alter_clause(c, flavor) for c in drops]
        out.append(Statement(render.alter_table(table, clauses), table, tuple(items), "drop foreign keys"))
    # 2. views that go away
    dropped_views = [c for c in changes if isinstance(c, DropView)]
    if dropped_views:
        out.append(Statement(render.drop_views([c.table for c in dropped_views]), None, tuple(dropped_views),
                             "drop views"))
    # 3. tables that go away, children before their parents
    dropped_tables = [c for c in changes if isinstance(c, DropTable)]
    if dropped_tables:
        dropped_tables = _children_first(dropped_tables)
        out.append(Statement(render.drop_tables([c.table for c in dropped_tables]), None, tuple(dropped_tables),
                             "drop tables"))
    # 4. renames
    renamed = [c for c in changes if isinstance(c, RenameTable)]
    if renamed:
        out.append(Statement(render.rename_tables([(c.old_name, c.table) for c in renamed]), None, tuple(renamed),
                             "rename tables"))
    # 5-7. new tables, one ALTER per table, foreign keys a cycle defers
    out += _tables_in_order(created, per_table, pre_drops, desired_tables, flavor)
    # 8. routines, then views after what they read and the functions they call
    out += program_plan.routines(changes, desired, flavor, Statement)
    for change in _views_in_order([c for c in changes if isinstance(c, CreateView)]):
        out.append(Statement(render.create_view(change.view, replace=change.replace), change.table, (change,),
                             "views"))
    # 9. triggers, after their tables and what they call; events last, since they may run at once
    out += program_plan.triggers_and_events(changes, desired, flavor, Statement)
    return out


def _in_the_way(fk: ForeignKey, dropped: set[str], per_table: dict[str, list[Change]]) -> bool:
    """Whether a dropped key must go before the other statements: its parent goes away (or is
    renamed), or the parent's ALTER changes or drops what the key joins (the server refuses that
    while the key exists)."""
    if fk.ref_schema is not None:
        return False
    return fk.ref_table in dropped or _touches(per_table.get(fk.ref_table, ()), fk.ref_columns)


def _touches(items, columns: tuple[str, ...]) -> bool:
    """Whether a table's changes touch ``columns``: their storage, their existence, or a key on them
    (a foreign key joining them needs that key, or can only be added once it exists)."""
    wanted = {key(c) for c in columns}
    for change in items:
        if isinstance(change, ModifyColumn) and key(change.new.name) in wanted and change.changes_storage:
            return True
        if isinstance(change, (AddColumn, DropColumn)) and change.column.key in wanted:
            return True
        indexes = {DropIndex: lambda c: (c.index,), AddIndex: lambda c: (c.index,),
                   ModifyIndex: lambda c: (c.old, c.new)}.get(type(change))
        if indexes and any(key(p.column or "") in wanted for i in indexes(change) for p in i.parts):
            return True
    return False


def _tables_in_order(created: dict[str, CreateTable], per_table: dict[str, list[Change]],
                     pre_drops: dict[str, list[Change]], desired: dict[str, Table], flavor: Flavor
                     ) -> list[Statement]:
    """CREATE and ALTER statements in one dependency order (``_dependency_order``), each table's
    changes in one statement; foreign keys a cycle of references cannot place come last."""
    nodes: dict[str, _Node] = {}
    for name, change in created.items():
        nodes[f"create {name}"] = _Node(5, f"create {name}", name, [change])
    for name, items in per_table.items():
        alter = [c for c in items if not (isinstance(c, DropForeignKey) and c in pre_drops.get(name, ()))]
        if alter:
            nodes[f"alter {name}"] = _Node(6, f"alter {name}", name, alter)

    def parent_node(fk: ForeignKey, child: str) -> str | None:
        """The node a key from ``child`` to its parent must wait for, if any."""
        if fk.ref_schema is not None or fk.ref_table == child:
            return None
        if fk.ref_table in created:
            return f"create {fk.ref_table}"
        if f"alter {fk.ref_table}" in nodes and _touches(per_table[fk.ref_table], fk.ref_columns):
            return f"alter {fk.ref_table}"
        return None

    deferred: dict[str, list[ForeignKey]] = {}
    for node in nodes.values():
        for fk in _added_foreign_keys(node):
            parent = parent_node(fk, node.table)
            if parent is not None:
                node.after.add(parent)
        if node.name.startswith("alter "):
            _defer_keys_to_itself(node, deferred)
    ordered = _dependency_order(nodes, lambda node: _defer_keys(node, parent_node, deferred))

    out = []
    for node in ordered:
        if node.name.startswith("create "):
            change = node.changes[0]
            skip = frozenset(fk.name for fk in deferred.get(node.table, ()))
            sql = render.create_table(change.definition, flavor, skip_foreign_keys=skip)
            out.append(Statement(sql, node.table, (change,), "create table",
                                 duplicate_indexes=_duplicates(change.definition, change.definition.indexes)))
        else:
            out.append(_alter(node.table, node.changes, flavor, "alter table", desired.get(node.table)))
    for table, fks in deferred.items():
        if table in created:
            items = [AddForeignKey(table, fk) for fk in fks]
            out.append(_alter(table, items, flavor, "add foreign keys", desired.get(table)))
        else:
            out.append(_alter(table, [c for c in per_table[table] if _adds_key(c, fks)], flavor, "add foreign keys",
                              desired.get(table)))
    return out


def _added_foreign_keys(node: _Node) -> list[ForeignKey]:
    out = []
    for change in node.changes:
        if isinstance(change, CreateTable):
            out += change.definition.foreign_keys
        elif isinstance(change, AddForeignKey):
            out.append(change.foreign_key)
        elif isinstance(change, ModifyForeignKey):
            out.append(change.new)
    return out


def _adds_key(change: Change, fks: list[ForeignKey]) -> bool:
    return (isinstance(change, AddForeignKey) and change.foreign_key in fks) or \
        (isinstance(change, ModifyForeignKey) and change.new in fks)


def _defer_keys_to_itself(node: _Node, deferred: dict[str, list[ForeignKey]]) -> None:
    """A key an ALTER adds from its table to itself is checked against the table as it was before
    that ALTER (MariaDB, InnoDB: errno 150 "Foreign key constraint is incorrectly formed"): when the
    same ALTER changes the referenced columns (their storage, their existence, a key on them), the
    key is added at the end, after it — as a key to another table waits for that table's ALTER.
    MySQL 8.0's data dictionary may accept the one ALTER; the split holds on every server."""
    late = [fk for fk in _added_foreign_keys(node)
            if fk.ref_schema is None and fk.ref_table == node.table and _touches(node.changes, fk.ref_columns)]
    if late:
        deferred.setdefault(node.table, []).extend(late)
        node.changes = [c for c in node.changes if not _adds_key(c, late)]


def _defer_keys(node: _Node, parent_node, deferred: dict[str, list[ForeignKey]]) -> None:
    """Break a cycle at ``node``: its foreign keys to the tables it waits for are added at the end."""
    late = [fk for fk in _added_foreign_keys(node) if parent_node(fk, node.table) in node.after]
    deferred.setdefault(node.table, []).extend(late)
    if not node.name.startswith("create "):
        node.changes = [c for c in node.changes if not _adds_key(c, late)]
    node.after.clear()


def _dependency_order(nodes: dict[str, _Node], break_cycle) -> list[_Node]:
    """Nodes in an order where each comes after the nodes it waits for; among the ready ones, the
    lower step first, then the order they were given in. A cycle is broken by ``break_cycle``
    at its first node."""
    position = {name: k for k, name in enumerate(nodes)}
    out: list[_Node] = []
    pending = dict(nodes)
    while pending:
        ready = [n for n in pending.values() if not n.after & pending.keys()]
        if not ready:
            first = min(pending.values(), key=lambda n: (n.step, position[n.name]))
            break_cycle(first)
            continue
        node = min(ready, key=lambda n: (n.step, position[n.name]))
        out.append(node)
        del pending[node.name]
    return out


def _halves(change: Change) -> list[Change]:
    """A change that is dropped and added again, as its two clauses' changes."""
    if isinstance(change, ModifyIndex):
        return [DropIndex(change.table, change.old), AddIndex(change.table, change.new)]
    if isinstance(change, ModifyCheck):
        return [DropCheck(change.table, change.old), AddCheck(change.table, change.new)]
    if isinstance(change, ModifyForeignKey):
        return [AddForeignKey(change.table, change.new, change.server_named)]  # its drop went first (step 1)
    return [change]


def _alter(table: str, items: list[Change], flavor: Flavor, step: str, definition: Table | None) -> Statement:
    """One ALTER TABLE for all of a table's changes (partitioning last: it takes no comma)."""
    clauses_of = [half for c in items if not isinstance(c, ChangePartitioning) for half in _halves(c)]
    clauses_of.sort(key=_clause_rank)
    absorbed = _absorbed_column_checks(clauses_of, flavor)
    clauses = [render.alter_clause(c, flavor, definition) for c in clauses_of if c not in absorbed]
    partitioning = next((c for c in items if isinstance(c, ChangePartitioning)), None)
    sql = render.alter_table(table, clauses, render.alter_clause(partitioning, flavor) if partitioning else None)
    ranked = sorted(items, key=lambda c: len(_CLAUSE_ORDER) if isinstance(c, ChangePartitioning)
                    else _clause_rank(_halves(c)[0]))
    added = [c.new if isinstance(c, ModifyIndex) else c.index for c in items if isinstance(c, (AddIndex, ModifyIndex))]
    return Statement(sql, table, tuple(ranked), step,
                     duplicate_indexes=_duplicates(definition, added) if definition and added else frozenset())


def _duplicates(table: Table, added) -> frozenset[str]:
    """The names of the ``added`` indexes that repeat another of ``table``'s, or are repeated (the
    server names whichever comes second in its own order)."""
    names = {key(i.name) for i in added}
    pairs = table.duplicate_indexes()
    return frozenset(i.key for pair in pairs if names & {pair[0].key, pair[1].key} for i in pair)


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


def _views_in_order(changes: list[CreateView]) -> list[CreateView]:
    by_name = {c.table: c for c in changes}
    return [by_name[n] for n in dependency_order({c.table: c.view.definition.sql for c in changes})]
