"""Which destructive changes ``--allow-drop`` approves: all of them, or the ones it names.

    --allow-drop                                   every destructive change (the blanket flag)
    --allow-drop table:old_logs,column:users.legacy  only these (repeatable, comma-separated)

A destructive change is named by what it destroys: ``column:TABLE.COLUMN`` for a dropped column
or a column change that can lose data, ``trigger:NAME``, ``procedure:NAME``, ``function:NAME``,
``event:NAME`` for a dropped stored program, ``table:TABLE`` for anything else (a dropped table,
an engine that discards rows, dropped partitions). Column, routine and event names compare without
regard to case, as the server compares them; table and trigger names as the server does
(``lower_case_table_names``).

An approval that names no destructive change of the plan is reported (a typo, or a review that no
longer matches the Schemafile), never silently ignored.
"""

from __future__ import annotations

import re

from .changes import Change, DropColumn, ModifyColumn
from .errors import UsageError
from .program_changes import DropEvent, DropRoutine, DropTrigger
from .values import frozen

KINDS = ("table", "column", "trigger", "procedure", "function", "event")
EVERYTHING = "*"  # what the bare flag stands for


def subject(change: Change) -> tuple[str, str]:
    """How ``--allow-drop`` names this change: (kind, name)."""
    if isinstance(change, DropTrigger):
        return "trigger", change.trigger.name
    if isinstance(change, DropRoutine):
        return change.routine.kind.lower(), change.routine.name
    if isinstance(change, DropEvent):
        return "event", change.event.name
    if isinstance(change, DropColumn):
        return "column", f"{change.table}.{change.column.name}"
    if isinstance(change, ModifyColumn):
        return "column", f"{change.table}.{change.old.name}"
    return "table", change.table


def spell(kind: str, name: str) -> str:
    return f"{kind}:{name}"


@frozen
class DropApprovals:
    everything: bool = False
    named: tuple[tuple[str, str], ...] = ()  # (kind, name) pairs

    @classmethod
    def parse(cls, values: tuple[str, ...] | list[str] | bool | None) -> "DropApprovals":
        """From the flag's values: ``("*",)`` for the bare flag, ``("table:a,column:b.c",)`` …"""
        if isinstance(values, bool) or values is None:
            return cls(everything=bool(values))
        everything = False
        named: list[tuple[str, str]] = []
        for value in values:
            for piece in value.split(","):
                piece = piece.strip()
                if not piece:
                    continue
                if piece == EVERYTHING:
                    everything = True
                    continue
                kind, sep, name = piece.partition(":")
                kind = kind.strip().lower()
                name = name.strip()
                if not sep or kind not in KINDS or not name:
                    raise UsageError(f"--allow-drop: expected KIND:NAME with KIND one of {', '.join(KINDS)}, "
                                     f"got {piece!r}",
                                     hint="e.g. --allow-drop table:old_logs,column:users.legacy; "
                                          "--allow-drop alone permits every destructive change")
                if kind == "column" and not re.fullmatch(r"[^.]+\.[^.]+", name):
                    raise UsageError(f"--allow-drop: {piece!r}: a column is named TABLE.COLUMN")
                if (kind, name) not in named:
                    named.append((kind, name))
        return cls(everything=everything, named=tuple(named))

    def __bool__(self) -> bool:
        return self.everything or bool(self.named)

    def _matches(self, approved: tuple[str, str], change: Change, lower_case_table_names: int) -> bool:
        kind, name = subject(change)
        if approved[0] != kind:
            return False
        if kind == "column":
            table, _, column = name.partition(".")
            a_table, _, a_column = approved[1].partition(".")
            return _same_table(a_table, table, lower_case_table_names) and a_column.lower() == column.lower()
        if kind in ("procedure", "function", "event"):
            return approved[1].lower() == name.lower()
        return _same_table(approved[1], name, lower_case_table_names)

    def permits(self, change: Change, lower_case_table_names: int = 0) -> bool:
        return self.everything or any(self._matches(a, change, lower_case_table_names) for a in self.named)

    def unused(self, destructive: list[Change], lower_case_table_names: int = 0) -> list[str]:
        """The named approvals that match none of ``destructive``, spelled as given."""
        return [spell(*a) for a in self.named
                if not any(self._matches(a, c, lower_case_table_names) for c in destructive)]


def _same_table(a: str, b: str, lower_case_table_names: int) -> bool:
    return a.lower() == b.lower() if lower_case_table_names else a == b
