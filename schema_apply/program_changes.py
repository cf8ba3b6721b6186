"""Change values for stored programs: triggers, procedures and functions, events.

``table`` is the trigger's table, or the routine's or event's own name (what
reports group by). A stored program holds no rows: dropping one loses its code
only, but it is still permitted only with ``--allow-drop`` (a Schemafile that
forgot a trigger must not silently remove it). Replacing one is not
destructive; it is DROP and CREATE in the same apply, or CREATE OR REPLACE
where the server has it.
"""

from __future__ import annotations


from .changes import Change
from .model import Event, Routine, Trigger
from .values import frozen


@frozen
class CreateTrigger(Change):
    trigger: Trigger
    old: Trigger | None = None  # set: a replacement of this live trigger

    @property
    def program(self) -> Trigger:
        return self.trigger

    def describe(self) -> str:
        verb = "replace" if self.old is not None else "create"
        return f"{verb} trigger {self.trigger.name} ({self.trigger.timing.lower()} {self.trigger.event.lower()}" \
               f" on {self.table})"


@frozen
class DropTrigger(Change):
    trigger: Trigger

    @property
    def data_loss(self) -> str:
        return f"drops trigger {self.trigger.name} on {self.table} (its code, no rows)"

    def describe(self) -> str:
        return f"drop trigger {self.trigger.name} on {self.table}"


@frozen
class CreateRoutine(Change):
    routine: Routine
    old: Routine | None = None

    @property
    def program(self) -> Routine:
        return self.routine

    def describe(self) -> str:
        return f"{'replace' if self.old is not None else 'create'} {self.routine.label}"


@frozen
class AlterRoutine(Change):
    """Only characteristics change (COMMENT, SQL SECURITY, data access): ALTER PROCEDURE/FUNCTION."""

    old: Routine
    new: Routine

    def describe(self) -> str:
        what = [label for attr, label in (("comment", "comment"), ("security", "sql security"),
                                          ("data_access", "data access"))
                if getattr(self.old, attr) != getattr(self.new, attr)]
        return f"alter {self.new.label} ({', '.join(what)})"


@frozen
class DropRoutine(Change):
    routine: Routine

    @property
    def data_loss(self) -> str:
        return f"drops {self.routine.label} (its code, no rows)"

    def describe(self) -> str:
        return f"drop {self.routine.label}"


@frozen
class CreateEvent(Change):
    event: Event
    old: Event | None = None

    @property
    def program(self) -> Event:
        return self.event

    def describe(self) -> str:
        return f"{'replace' if self.old is not None else 'create'} event {self.event.name}"


@frozen
class DropEvent(Change):
    event: Event

    @property
    def data_loss(self) -> str:
        return f"drops event {self.event.name} (its code and schedule, no rows)"

    def describe(self) -> str:
        return f"drop event {self.event.name}"


PROGRAM_CREATES = (CreateTrigger, CreateRoutine, CreateEvent)
PROGRAM_CHANGES = (CreateTrigger, DropTrigger, CreateRoutine, AlterRoutine, DropRoutine, CreateEvent, DropEvent)
