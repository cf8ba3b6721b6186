"""Policy: which planned changes may run. The plan step asks; rendering never decides.

A change is refused, each refusal with its reason (shown in every report format):

1. **by the firewall** — always, whatever the flags: when it would move secret rows out of the
   secret prefix (a rename), or build an object that is a way to secret rows: a non-secret view
   over secret tables, system schemas or other databases, or calling a stored function; a foreign
   key from a non-secret table into a secret one; a storage engine that exposes other tables' rows
   (the rules of ``firewall.objects``); a trigger, routine or event whose body (or a routine it
   calls) moves secret rows out of the prefix, reads another database, runs dynamic SQL, or whose
   DEFINER is another account (the rules of ``firewall.programs``);
2. **when it depends on secret rows** without ``--allow-secret-dependent``: a change to a secret
   table that may fail because of what its rows hold (a new UNIQUE or primary key, CHECK, foreign
   key or NOT NULL, a narrowing, …) tells whoever reads its outcome something about those rows;
   allowed, it is still marked in the plan;
3. **when it is destructive** and ``--allow-drop`` does not approve it (``Change.data_loss``,
   ``approvals.py``).
"""

from __future__ import annotations


from .approvals import DropApprovals, spell, subject
from .changes import (AddCheck, AddColumn, AddForeignKey, AddIndex, Change, ChangePartitioning, ChangeTableOptions,
                      CreateTable, CreateView, ModifyCheck, ModifyColumn, ModifyForeignKey, ModifyIndex,
                      RenameTable)
from .firewall import objects, programs
from .firewall.secrecy import SecrecyPolicy
from .model import Schema, Table, key
from .sql.expressions import is_now
from .program_changes import PROGRAM_CREATES
from .values import frozen

ALLOW_SECRET_DEPENDENT = "--allow-secret-dependent"


@frozen
class Refusal:
    change: Change
    reason: str


@frozen
class SecretDependence:
    """An allowed change whose success depends on secret rows, and why."""

    change: Change
    reason: str


@frozen
class Decision:
    allowed: tuple[Change, ...]
    refused: tuple[Refusal, ...]
    secret_dependent: tuple[SecretDependence, ...]


def apply_policy(changes: list[Change], current: Schema, desired: Schema, policy: SecrecyPolicy,
                 around: objects.Surroundings, *, allow_drop: "bool | DropApprovals" = False,
                 allow_secret_dependent: bool = False) -> Decision:
    approvals = allow_drop if isinstance(allow_drop, DropApprovals) else DropApprovals.parse(allow_drop)
    lctn = policy.lower_case_table_names or 0
    allowed: list[Change] = []
    refused: list[Refusal] = []
    dependent: list[SecretDependence] = []
    tables = {policy.name_key(t.name): t for t in desired.tables}
    for change in changes:
        added = as_added(change)
        reasons = firewall_refusals(added, desired, policy, around)
        depends = secret_dependence(added, tables.get(policy.name_key(change.table)), policy)
        if depends and not allow_secret_dependent:
            reasons.append(f"depends on secret rows: {depends}; give {ALLOW_SECRET_DEPENDENT} to permit it"
                           " (see README, Secret tables)")
        if change.destructive and not approvals.permits(change, lctn):
            reasons.append(f"{change.data_loss}; give --allow-drop {spell(*subject(change))} to permit it")
        if reasons:
            refused.append(Refusal(change, "; ".join(reasons)))
            continue
        allowed.append(change)
        if depends:
            dependent.append(SecretDependence(change, depends))
    return Decision(tuple(allowed), tuple(refused), tuple(dependent))


def as_added(change: Change) -> Change:
    """A key, CHECK or foreign key modified under its name is dropped and added again: the firewall
    and the secret-row rules judge it as the addition it ends in."""
    if isinstance(change, ModifyIndex):
        return AddIndex(change.table, change.new)
    if isinstance(change, ModifyCheck):
        return AddCheck(change.table, change.new)
    if isinstance(change, ModifyForeignKey):
        return AddForeignKey(change.table, change.new)
    return change


# --- the firewall --------------------------------------------------------------------------------------

def firewall_refusals(change: Change, desired: Schema, policy: SecrecyPolicy,
                      around: objects.Surroundings) -> list[str]:
    """Why the firewall refuses ``change`` (never overridden by a flag)."""
    if isinstance(change, RenameTable):
        return _rename_refusals(change, desired, policy)
    if isinstance(change, CreateView):
        return _named(f"view {change.table}", objects.view_refusals(change.view, policy, around))
    if isinstance(change, CreateTable):
        return _named(f"table {change.table}", objects.table_refusals(change.definition, policy, around))
    if isinstance(change, AddForeignKey):
        return _named(f"table {change.table}",
                      objects.foreign_key_refusals(change.table, change.foreign_key, policy, around))
    if isinstance(change, ChangeTableOptions) and change.old.engine != change.new.engine:
        return _named(f"table {change.table}", objects.engine_refusals(change.table, change.new.engine, policy, around))
    if isinstance(change, PROGRAM_CREATES):  # its reasons name the program already
        return programs.program_refusals(change.program, policy, around)
    return []


def _named(what: str, reasons: list[str]) -> list[str]:
    return [f"{what} {reason}" for reason in reasons]


def _rename_refusals(change: RenameTable, desired: Schema, policy: SecrecyPolicy) -> list[str]:
    old_secret, new_secret = policy.is_secret(change.old_name), policy.is_secret(change.table)
    if old_secret and not new_secret:
        return [f"renaming secret table {change.old_name} to {change.table} would move its rows out of the"
                " secret prefix (never allowed)"]
    if new_secret and not old_secret:  # into the prefix: keys that reach it from non-secret tables cross the line
        children = sorted(t.name for t in desired.tables if not policy.is_secret(t.name)
                          and any(fk.ref_schema is None and policy.same_name(fk.ref_table, change.table)
                                  for fk in t.foreign_keys))
        if children:
            return [f"renaming {change.old_name} to secret table {change.table} would leave foreign keys of"
                    f" non-secret table(s) {', '.join(children)} pointing into a secret table (an oracle on"
                    " its rows); drop those keys first"]
    return []


# --- what depends on secret rows ----------------------------------------------------------------------

def secret_dependence(change: Change, table: Table | None, policy: SecrecyPolicy) -> str | None:
    """Why ``change`` to a secret table can succeed or fail depending on the table's rows — which
    would tell whoever reads the outcome something about them — or None. ``table`` is the table's
    desired definition."""
    if not policy.is_secret(change.table):
        return None
    if isinstance(change, AddIndex) and change.index.kind in ("primary", "unique"):
        what = "primary key" if change.index.kind == "primary" else f"unique index {change.index.name}"
        return f"adding {what} fails if two rows hold the same values (or a NULL, for a primary key)"
    if isinstance(change, AddIndex) and _computes_over_rows(change.index, table):
        return f"adding index {change.index.name} computes an expression over every row, which can fail on a value"
    if isinstance(change, AddIndex) and change.index.kind == "spatial":
        return f"adding spatial index {change.index.name} fails on a geometry of another SRID"
    if isinstance(change, AddCheck) and change.check.enforced:
        return f"adding CHECK {change.check.name} fails if a row violates it"
    if isinstance(change, AddForeignKey):
        return f"adding foreign key {change.foreign_key.name} fails if a row's value has no parent row"
    if isinstance(change, ModifyColumn):
        return _column_dependence(change, table)
    if isinstance(change, AddColumn) and change.column.generated is not None and change.column.generated.stored:
        return f"adding stored generated column {change.column.name} computes it over every row, which can fail on a value"
    if isinstance(change, AddColumn) and change.column.default is not None and change.column.default.kind == "expression" \
            and not _is_now(change.column.default.expr):
        return f"adding column {change.column.name} computes its default expression for every row, which can fail"
    if isinstance(change, ChangePartitioning) and change.new is not None \
            and change.new.method.startswith(("RANGE", "LIST")):
        return "partitioning by RANGE or LIST fails if a row's value falls in no partition"
    if isinstance(change, ChangeTableOptions) and (change.old.engine != change.new.engine
                                                   or change.old.row_format != change.new.row_format):
        return "a new engine or row format can fail on the size or content of the rows"
    return None


def _column_dependence(change: ModifyColumn, table: Table | None) -> str | None:
    old, new = change.old, change.new
    if old.nullable and not new.nullable:
        return f"making {new.name} NOT NULL fails if a row holds NULL"
    if change.data_loss:
        return f"{change.data_loss}: the change fails if a row's value does not fit"
    if new.auto_increment and not old.auto_increment:
        return f"making {new.name} AUTO_INCREMENT renumbers its values, which fails on duplicates"
    if new.generated is not None and new.generated != old.generated and new.generated.stored:
        return f"computing {new.name} over every row can fail on a value"
    if (old.charset, old.collation) != (new.charset, new.collation) and table is not None and any(
            index.kind in ("primary", "unique") and key(new.name) in {key(c) for c in index.columns}
            for index in table.indexes):
        return f"a new collation for {new.name}, which a unique key covers, fails if two values become equal"
    return None


def _is_now(expr) -> bool:
    return expr is not None and is_now(expr.sql)


def _computes_over_rows(index, table: Table | None) -> bool:
    if any(part.expr is not None for part in index.parts):
        return True
    generated = {c.key for c in table.columns if c.generated is not None} if table is not None else set()
    return any(key(c) in generated for c in index.columns)
