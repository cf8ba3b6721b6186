"""Where stored programs go in a plan, and the statements that make them.

- Triggers, events and routines that go away are dropped first, before any
  table changes (a table dropped later would take its triggers anyway; this
  way the drop is explicit and reported).
- Routines are created (or replaced, or altered) after the tables and before
  the views and triggers that may call them.
- Triggers come after the tables they are on and write to, in each table's
  order: each is created ``FOLLOWS`` the one before it (the first ``PRECEDES``
  the first unchanged one), so ACTION_ORDER ends as declared.
- Events come last: they may run as soon as they exist.
- A replacement is CREATE OR REPLACE where the server has it; otherwise DROP
  and CREATE, next to each other (ALTER EVENT for an event).
- A program declared under other session settings (sql_mode, character sets,
  time zone) is wrapped in ``SET SESSION`` statements that set them for its
  CREATE and restore the session after.
"""

from __future__ import annotations

from typing import Callable

from .changes import Change
from .flavor import Flavor
from .model import Schema, Trigger
from .program_changes import (
    AlterRoutine, CreateEvent, CreateRoutine, CreateTrigger, DropEvent, DropRoutine, DropTrigger)
from . import render_programs as render

Make = Callable[..., object]  # plan.Statement(sql, table, changes, step)


def drops(changes: list[Change], make: Make) -> list:
    out = []
    for change in changes:
        if isinstance(change, DropTrigger):
            out.append(make(render.drop_trigger(change.trigger), change.table, (change,), "drop programs"))
        elif isinstance(change, DropEvent):
            out.append(make(render.drop_event(change.event), change.table, (change,), "drop programs"))
        elif isinstance(change, DropRoutine):
            out.append(make(render.drop_routine(change.routine), change.table, (change,), "drop programs"))
    return out


def _wrapped(sql: str, settings, flavor: Flavor, change: Change, step: str, make: Make,
             before: list[str] = ()) -> list:
    """``before`` statements, then ``sql``, inside SET SESSION statements when the program's settings differ."""
    out = [make(s, change.table, (change,), step) for s in before]
    enter = render.session_sql(settings, flavor.session)
    if enter:
        out.append(make(enter, change.table, (change,), "session"))
    out.append(make(sql, change.table, (change,), step))
    if enter:
        out.append(make(render.session_restore_sql(settings, flavor.session), change.table, (change,), "session"))
    return out


def routines(changes: list[Change], desired: Schema, flavor: Flavor, make: Make) -> list:
    out = []
    default = (desired.charset, desired.collation)
    for change in changes:
        if isinstance(change, AlterRoutine):
            out.append(make(render.alter_routine(change.new), change.table, (change,), "routines"))
        elif isinstance(change, CreateRoutine):
            in_place = change.old is not None and flavor.replaces_programs_in_place
            before = [render.drop_routine(change.old)] if change.old is not None and not in_place else []
            sql = render.create_routine(change.routine, flavor, replace=in_place, default_charset=default)
            out += _wrapped(sql, change.routine.settings, flavor, change, "routines", make, before)
    return out


def triggers_and_events(changes: list[Change], desired: Schema, flavor: Flavor, make: Make) -> list:
    out = []
    created = sorted((c for c in changes if isinstance(c, CreateTrigger)),
                     key=lambda c: (c.trigger.table, c.trigger.timing, c.trigger.event, c.trigger.order))
    changed = {c.trigger.name for c in created}
    for change in created:
        trigger = change.trigger
        in_place = change.old is not None and flavor.replaces_programs_in_place
        before = [render.drop_trigger(change.old)] if change.old is not None and not in_place else []
        sql = render.create_trigger(trigger, flavor, replace=in_place, position=_position(trigger, desired, changed))
        out += _wrapped(sql, trigger.settings, flavor, change, "triggers", make, before)
    for change in changes:
        if isinstance(change, CreateEvent):
            sql = render.create_event(change.event, flavor, replace=change.old is not None)
            out += _wrapped(sql, change.event.settings, flavor, change, "events", make)
    return out


def _position(trigger: Trigger, desired: Schema, changed: set[str]) -> tuple[str, str] | None:
    group = sorted((t for t in desired.triggers
                    if (t.table, t.timing, t.event) == (trigger.table, trigger.timing, trigger.event)),
                   key=lambda t: t.order)
    if len(group) < 2:
        return None
    k = next(i for i, t in enumerate(group) if t.name == trigger.name)
    if k > 0:
        return "FOLLOWS", group[k - 1].name
    staying = [t for t in group if t.name not in changed]
    return ("PRECEDES", staying[0].name) if staying else None
