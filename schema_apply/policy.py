"""Policy: which planned changes may run. The plan step asks; rendering never decides.

A change is refused when it is destructive and ``--allow-drop`` does not approve it (approvals.py), or when it
would move secret rows out of the secret prefix. Each refusal carries its reason,
shown in every report format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .approvals import DropApprovals, spell, subject
from .changes import Change, CreateView, RenameTable
from .errors import PolicyRefused
from .flavor import Flavor
from .model import Schema

if TYPE_CHECKING:
    from .program_firewall import ProgramRules


@dataclass(frozen=True)
class Refusal:
    change: Change
    reason: str


def is_secret(name: str, prefixes: tuple[str, ...], lower_case_table_names: int = 0) -> bool:
    if lower_case_table_names:
        return any(name.lower().startswith(p.lower()) for p in prefixes)
    return any(name.startswith(p) for p in prefixes)


def apply_policy(changes: list[Change], desired: Schema, flavor: Flavor, allow_drop: "bool | DropApprovals",
                 prefixes: tuple[str, ...], programs: "ProgramRules | None" = None
                 ) -> tuple[list[Change], list[Refusal]]:
    """``programs``: the rules for stored programs' bodies and definers (``program_firewall.ProgramRules``)."""
    from .program_changes import PROGRAM_CREATES
    approvals = allow_drop if isinstance(allow_drop, DropApprovals) else DropApprovals.parse(allow_drop)
    allowed: list[Change] = []
    refused: list[Refusal] = []
    lctn = flavor.lower_case_table_names
    for change in changes:
        if isinstance(change, PROGRAM_CREATES) and programs is not None:
            reasons = programs.refusals(change.program)
            if reasons:
                refused.append(Refusal(change, "; ".join(reasons)))
                continue
        if isinstance(change, RenameTable) and is_secret(change.old_name, prefixes, lctn) \
                and not is_secret(change.table, prefixes, lctn):
            refused.append(Refusal(change, f"renaming secret table {change.old_name} to {change.table} would"
                                           " move its rows out of the secret prefix (never allowed)"))
        elif isinstance(change, CreateView) and not is_secret(change.table, prefixes, lctn):
            from .parse.views import referenced_tables
            secret = sorted(t for t in referenced_tables(change.view.definition.sql) if is_secret(t, prefixes, lctn))
            if secret:
                refused.append(Refusal(change, f"view {change.table} reads secret table(s) {', '.join(secret)};"
                                               " a view over secret rows must itself have a secret prefix"))
            else:
                allowed.append(change)
        elif change.destructive and not approvals.permits(change, lctn):
            refused.append(Refusal(change, f"{change.data_loss}; give --allow-drop {spell(*subject(change))}"
                                           " to permit it"))
        else:
            allowed.append(change)
    return allowed, refused


def ensure_declares_tables(desired: Schema, file: str, current: Schema | None = None) -> None:
    """A Schemafile that declares nothing is always refused (a wrong --schema-file must not drop
    everything); one that declares no tables, only views or stored programs, is refused against a
    database that has tables (``current``), for the same reason."""
    if desired.tables:
        return
    if not (desired.views or desired.programs):
        raise PolicyRefused(f"{file} declares no tables: refusing a plan that would drop every table",
                            hint="check --schema-file; an empty Schemafile is always refused")
    if current is not None and current.tables:
        raise PolicyRefused(f"{file} declares no tables: refusing a plan that would drop every table",
                            hint="check --schema-file; a Schemafile without tables is refused against a database"
                                 " that has tables")
