"""What the applying account can see and make of stored programs, said in the plan.

Without the TRIGGER privilege on a table, the server hides that table's
triggers from the account and refuses to create one; without EVENT, the
same for events; without CREATE ROUTINE no routine can be created; a routine
defined by another account shows no body. Rather than plan a CREATE that
would fail (or a replacement of something it cannot compare), those
programs are left out of the plan and a note says why and which grant is
missing. Where the account has roles, whose privileges information_schema
does not show it, a missing privilege is not assumed.
"""

from __future__ import annotations

from dataclasses import replace

from .introspect_programs import LivePrograms
from .model import Schema


def restrict(desired: Schema, live: Schema, programs: LivePrograms) -> tuple[Schema, list[str]]:
    """``desired`` without the programs this account cannot see or create here, and notes saying so."""
    notes: list[str] = []
    privileges = programs.privileges
    database = privileges.database if privileges else "the database"
    triggers, routines, events = desired.triggers, desired.routines, desired.events
    if privileges is not None:
        blind = sorted({t.table for t in triggers if privileges.has("TRIGGER", t.table) is False})
        if blind:
            left = [t.name for t in triggers if t.table in blind]
            triggers = tuple(t for t in triggers if t.table not in blind)
            notes.append(f"trigger(s) {', '.join(left)}: this account lacks the TRIGGER privilege on table(s)"
                         f" {', '.join(blind)}, so their live triggers are invisible to it and creating them would"
                         f" fail; not planned (GRANT TRIGGER ON `{database}`.* TO the applying account)")
        if events and privileges.has("EVENT") is False:
            notes.append(f"event(s) {', '.join(e.name for e in events)}: this account lacks the EVENT privilege,"
                         " so live events are invisible to it and creating them would fail; not planned"
                         f" (GRANT EVENT ON `{database}`.* TO the applying account)")
            events = ()
        live_routines = {r.key for r in live.routines}
        missing = [r for r in routines if r.key not in live_routines and r.label not in programs.hidden_routines]
        if missing and privileges.has("CREATE ROUTINE") is False:
            notes.append(f"{', '.join(r.label for r in missing)}: this account lacks the CREATE ROUTINE privilege;"
                         f" not planned (GRANT CREATE ROUTINE, ALTER ROUTINE ON `{database}`.* TO the applying"
                         " account)")
            routines = tuple(r for r in routines if r not in missing)
    hidden = [r for r in routines if r.label in programs.hidden_routines]
    if programs.hidden_routines:
        notes.append(f"{', '.join(programs.hidden_routines)}: definition not visible to this account (it is not the definer; MySQL"
                     " 8.0.20+ shows it with SHOW_ROUTINE, MariaDB with SELECT on mysql.proc); left alone")
        routines = tuple(r for r in routines if r not in hidden)
    if programs.unmanaged:
        notes.append(f"{', '.join(programs.unmanaged)}: not managed (Oracle-mode packages); left alone")
    if (triggers, routines, events) == (desired.triggers, desired.routines, desired.events):
        return desired, notes
    return replace(desired, triggers=triggers, routines=routines, events=events), notes
