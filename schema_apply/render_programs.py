"""DDL text for stored programs. Decides nothing.

A program keeps the sql_mode, character sets and (for an event) time zone of
the session that creates it: when the declared ones differ from the applying
session's, ``session_sql`` gives the ``SET SESSION …`` to send before the
CREATE and the one that restores the session after it. The body is sent as
written; the header is built from the model, with its string literals quoted
for the sql_mode the CREATE runs under.
"""

from __future__ import annotations

from .flavor import Flavor
from .model import Event, Parameter, ProgramSettings, Routine, Trigger
from .sql.quoting import quote_ident, quote_string


def _string(value: str, settings: ProgramSettings) -> str:
    """A string literal that reads back as ``value`` under the program's sql_mode."""
    if settings.sql_mode and "NO_BACKSLASH_ESCAPES" in settings.sql_mode:
        return "'" + value.replace("'", "''") + "'"
    return quote_string(value)


def definer_sql(account: str | None) -> str:
    if account is None:
        return ""
    user, _, host = account.rpartition("@")
    return f" DEFINER={quote_string(user)}@{quote_string(host)}"


def _session_changes(settings: ProgramSettings, session: ProgramSettings) -> list[tuple[str, str, str]]:
    """(variable, value for the program, the session's value) where the program's settings differ."""
    out = []
    if settings.sql_mode is not None and settings.sql_mode != session.sql_mode:
        out.append(("sql_mode", quote_string(",".join(settings.sql_mode)), quote_string(",".join(session.sql_mode or ()))))
    if settings.client_charset and settings.client_charset != session.client_charset:
        out.append(("character_set_client", settings.client_charset, session.client_charset or "DEFAULT"))
    if settings.collation and settings.collation != session.collation:
        out.append(("collation_connection", settings.collation, session.collation or "DEFAULT"))
    if settings.time_zone and session.time_zone and settings.time_zone != session.time_zone:
        out.append(("time_zone", quote_string(settings.time_zone), quote_string(session.time_zone)))
    return out


def session_sql(settings: ProgramSettings, session: ProgramSettings) -> str | None:
    """``SET SESSION …`` that gives a session with ``session`` settings the program's; None if it has them."""
    changes = _session_changes(settings, session)
    return "SET SESSION " + ", ".join(f"{name} = {value}" for name, value, _ in changes) if changes else None


def session_restore_sql(settings: ProgramSettings, session: ProgramSettings, *, defaults: bool = False) -> str | None:
    """The ``SET SESSION …`` that undoes ``session_sql(settings, session)``: back to the session's values,
    or (``defaults``, an export's way, for whichever client loads it) to ``DEFAULT``."""
    changes = _session_changes(settings, session)
    return "SET SESSION " + ", ".join(f"{name} = {'DEFAULT' if defaults else old}" for name, _, old in changes) \
        if changes else None


# --------------------------------------------------------------------------
# Triggers
# --------------------------------------------------------------------------

def create_trigger(trigger: Trigger, flavor: Flavor, *, replace: bool = False,
                   position: tuple[str, str] | None = None) -> str:
    """``position``: ("FOLLOWS" | "PRECEDES", other trigger) — where it goes among its table's
    triggers of the same timing and event."""
    head = "CREATE OR REPLACE" if replace else "CREATE"
    text = (f"{head}{definer_sql(trigger.definer)} TRIGGER {quote_ident(trigger.name)} {trigger.timing} {trigger.event}"
            f" ON {quote_ident(trigger.table)} FOR EACH ROW")
    if position is not None:
        text += f" {position[0]} {quote_ident(position[1])}"
    return f"{text}\n{trigger.body.sql}"


def drop_trigger(trigger: Trigger) -> str:
    return f"DROP TRIGGER {quote_ident(trigger.name)}"


# --------------------------------------------------------------------------
# Routines
# --------------------------------------------------------------------------

def _type_sql(p: Parameter, default: tuple[str | None, str | None]) -> str:
    text = p.type.sql()
    if p.type.is_textual and p.charset and (p.charset, p.collation) != default:
        text += f" CHARSET {p.charset}"
        if p.collation:
            text += f" COLLATE {p.collation}"
    return text


def routine_characteristics(routine: Routine, *, for_alter: bool = False) -> list[str]:
    out = []
    if routine.comment or for_alter:
        out.append(f"COMMENT {_string(routine.comment, routine.settings)}")
    if routine.deterministic and not for_alter:
        out.append("DETERMINISTIC")
    if routine.data_access != "CONTAINS SQL" or for_alter:
        out.append(routine.data_access)
    if routine.security != "DEFINER" or for_alter:
        out.append(f"SQL SECURITY {routine.security}")
    return out


def create_routine(routine: Routine, flavor: Flavor, *, replace: bool = False,
                   default_charset: tuple[str | None, str | None] = (None, None)) -> str:
    """``default_charset``: the database's (charset, collation); parameters with those are written without."""
    head = "CREATE OR REPLACE" if replace else "CREATE"
    params = ", ".join(
        (f"{p.mode} " if routine.kind == "PROCEDURE" else "") + f"{quote_ident(p.name)} {_type_sql(p, default_charset)}"
        for p in routine.parameters)
    text = f"{head}{definer_sql(routine.definer)} {routine.kind} {quote_ident(routine.name)}({params})"
    if routine.returns is not None:
        text += f" RETURNS {_type_sql(routine.returns, default_charset)}"
    characteristics = routine_characteristics(routine)
    if characteristics:
        text += "\n    " + "\n    ".join(characteristics)
    return f"{text}\n{routine.body.sql}"


def alter_routine(routine: Routine) -> str:
    return f"ALTER {routine.kind} {quote_ident(routine.name)} " + " ".join(
        routine_characteristics(routine, for_alter=True))


def drop_routine(routine: Routine) -> str:
    return f"DROP {routine.kind} {quote_ident(routine.name)}"


# --------------------------------------------------------------------------
# Events
# --------------------------------------------------------------------------

def schedule_sql(event: Event) -> str:
    s = event.schedule
    if s.at is not None:
        return f"ON SCHEDULE AT {quote_string(s.at)}"
    text = f"ON SCHEDULE EVERY {s.every} {s.unit}"
    if s.starts is not None:
        text += f" STARTS {quote_string(s.starts)}"
    elif s.starts_sql:
        text += f" STARTS {s.starts_sql}"
    if s.ends is not None:
        text += f" ENDS {quote_string(s.ends)}"
    return text


def create_event(event: Event, flavor: Flavor, *, replace: bool = False) -> str:
    """CREATE [OR REPLACE] EVENT; a replacement on a server without CREATE OR REPLACE is ALTER EVENT,
    which changes every clause of the event in one statement."""
    if replace and not flavor.replaces_programs_in_place:
        head = f"ALTER{definer_sql(event.definer)} EVENT {quote_ident(event.name)}"
    else:
        head = f"{'CREATE OR REPLACE' if replace else 'CREATE'}{definer_sql(event.definer)} EVENT {quote_ident(event.name)}"
    status = {"ENABLED": "ENABLE", "DISABLED": "DISABLE", "SLAVESIDE_DISABLED": "DISABLE ON SLAVE"}[event.status]
    text = (f"{head}\n    {schedule_sql(event)}\n    ON COMPLETION {'PRESERVE' if event.preserve else 'NOT PRESERVE'}"
            f"\n    {status}")
    if event.comment or (replace and not flavor.replaces_programs_in_place):
        text += f"\n    COMMENT {_string(event.comment, event.settings)}"
    return f"{text}\n    DO {event.body.sql}"


def drop_event(event: Event) -> str:
    return f"DROP EVENT {quote_ident(event.name)}"
