"""The diff of stored programs: two normalised models in, change values out. Pure.

- A trigger, routine or event that differs in anything the server keeps (its
  body's tokens, header, settings) is replaced; a routine whose only changes
  are COMMENT, SQL SECURITY or its data access is altered in place.
- A DEFINER written in the Schemafile is compared; without one, the program
  is whoever created it (the applying user on create) and the definer is not
  a difference. Likewise the client character set and connection collation
  (each client loads a file with its own) and an event's STARTS (the server
  otherwise records the creation time): compared only when declared.
- Triggers of a table renamed in this plan move with it (RENAME TABLE
  carries them).
- The order of a table's triggers of one timing and event (ACTION_ORDER) is
  kept: the longest run of unchanged triggers already in the desired order
  stays; the others are re-created in order (see ``program_plan``).
"""

from __future__ import annotations

from dataclasses import replace

from .changes import Change
from .model import Event, Routine, Schema, Trigger
from .sequences import longest_increasing
from .program_changes import (
    AlterRoutine, CreateEvent, CreateRoutine, CreateTrigger, DropEvent, DropRoutine, DropTrigger)

_ROUTINE_CHARACTERISTICS = ("comment", "security", "data_access")


def diff_programs(current: Schema, desired: Schema, renames: dict[str, str]) -> list[Change]:
    """``renames``: old table name -> new, for the tables this plan renames."""
    live_triggers = [replace(t, table=renames[t.table]) if t.table in renames else t for t in current.triggers]
    return (_triggers(live_triggers, list(desired.triggers))
            + _routines(current.routines, desired.routines)
            + _events(current.events, desired.events))


def _declared_differs(live, want) -> bool:
    """What is compared only where the Schemafile says it: the definer, the character sets."""
    if want.definer is not None and want.definer != live.definer:
        return True
    declared, kept = want.settings, live.settings
    return (declared.client_charset is not None and declared.client_charset != kept.client_charset) or \
        (declared.collation is not None and declared.collation != kept.collation)


def same_trigger(live: Trigger, want: Trigger) -> bool:
    """Equal but for the position among its table's triggers."""
    return replace(live, order=0) == replace(want, order=0) and not _declared_differs(live, want)


def _triggers(live: list[Trigger], want: list[Trigger]) -> list[Change]:
    live_by_name = {t.name: t for t in live}
    want_by_name = {t.name: t for t in want}
    out: list[Change] = []
    for trigger in live:
        if trigger.name not in want_by_name:
            out.append(DropTrigger(trigger.table, trigger))
    groups: dict[tuple[str, str, str], list[Trigger]] = {}
    for trigger in want:
        groups.setdefault((trigger.table, trigger.timing, trigger.event), []).append(trigger)
    for group in groups.values():
        group.sort(key=lambda t: t.order)
        position = {t.name: k for k, t in enumerate(group)}
        candidates = sorted((live_by_name[t.name] for t in group
                             if t.name in live_by_name and same_trigger(live_by_name[t.name], t)),
                            key=lambda t: t.order)
        keep = {candidates[k].name for k in longest_increasing([position[t.name] for t in candidates])}
        for trigger in group:
            if trigger.name in keep:
                continue
            old = live_by_name.get(trigger.name)
            out.append(CreateTrigger(trigger.table, trigger, old))
    return out


def _routines(live: tuple[Routine, ...], want: tuple[Routine, ...]) -> list[Change]:
    def change(old: Routine, new: Routine) -> Change | None:
        if old == new and old.name == new.name and not _declared_differs(old, new):
            return None
        in_place = {a: getattr(new, a) for a in _ROUTINE_CHARACTERISTICS}
        if replace(old, **in_place) == new and old.name == new.name and not _declared_differs(old, new):
            return AlterRoutine(new.name, old, new)
        return CreateRoutine(new.name, new, old)
    return _by_key(live, want, lambda r: DropRoutine(r.name, r), lambda r: CreateRoutine(r.name, r), change)


def _by_key(live, want, drop, create, change) -> list[Change]:
    """Routines or events matched by key: ``drop`` those that go, ``create`` the new, ``change`` the
    others (None when equal)."""
    live_by_key = {x.key: x for x in live}
    want_keys = {x.key for x in want}
    out: list[Change] = [drop(x) for x in live if x.key not in want_keys]
    for x in want:
        old = live_by_key.get(x.key)
        found = create(x) if old is None else change(old, x)
        if found is not None:
            out.append(found)
    return out


def same_event(live: Event, want: Event) -> bool:
    starts = want.schedule.starts
    return live == want and not _declared_differs(live, want) and (starts is None or starts == live.schedule.starts) \
        and live.name == want.name


def _events(live: tuple[Event, ...], want: tuple[Event, ...]) -> list[Change]:
    return _by_key(live, want, lambda e: DropEvent(e.name, e), lambda e: CreateEvent(e.name, e),
                   lambda old, new: None if same_event(old, new) else CreateEvent(new.name, new, old))
