"""Read a database's triggers, routines and events from information_schema, in bulk.

One query per kind (TRIGGERS, ROUTINES, PARAMETERS, EVENTS), never a SHOW
CREATE per object, and two about the applying account: who it is
(``CURRENT_USER()``, the definer of what it creates) and which of the extra
privileges stored programs need it holds here (TRIGGER, CREATE ROUTINE, ALTER
ROUTINE, EVENT). What the server does not show this account: triggers without
the TRIGGER privilege on their table, events without EVENT, and a routine's
body unless it is the definer (or holds SHOW_ROUTINE / SELECT on mysql.proc).
Those are reported, not guessed.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import defaultdict

from .flavor import Flavor, canonical_charset, canonical_collation
from .model import Event, Parameter, ProgramSettings, Routine, Schedule, Trigger
from .parse.routines import body_from_server, canonical_interval
from .parse.types import parse_column_type
from .values import frozen

PROGRAM_PRIVILEGES = ("TRIGGER", "CREATE ROUTINE", "ALTER ROUTINE", "EVENT")


@frozen
class Privileges:
    """What information_schema shows of the applying account's privileges on one database.
    ``roles``: the account has roles enabled, whose privileges information_schema does not
    show it; a privilege not found is then unknown rather than missing."""

    database: str
    grants: frozenset[tuple[str, str, str, str]] = frozenset()  # (level, schema pattern, table, privilege)
    roles: bool = False

    def has(self, privilege: str, table: str | None = None) -> bool | None:
        """True, False, or None (unknown: roles)."""
        for level, pattern, name, priv in self.grants:
            if priv != privilege:
                continue
            if level == "global":
                return True
            if level == "schema" and _schema_matches(pattern, self.database):
                return True
            if level == "table" and pattern == self.database and table is not None and name == table:
                return True
        return None if self.roles else False


def _schema_matches(pattern: str, database: str) -> bool:
    """A database-level grant's name, which may hold the wildcards % and _ (\\_ is a literal _)."""
    regex = ""
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            regex += re.escape(pattern[i + 1])
            i += 2
            continue
        regex += ".*" if ch == "%" else "." if ch == "_" else re.escape(ch)
        i += 1
    return re.fullmatch(regex, database, re.S) is not None


@frozen
class LivePrograms:
    triggers: tuple[Trigger, ...] = ()
    routines: tuple[Routine, ...] = ()
    events: tuple[Event, ...] = ()
    account: str | None = None  # CURRENT_USER(): user@host
    privileges: Privileges | None = None
    # Routines whose body this account is not shown: "procedure p", "function f"
    hidden_routines: tuple[str, ...] = ()
    unmanaged: tuple[str, ...] = ()  # MariaDB's Oracle-mode packages: "package p"


def read_programs(conn, database: str, flavor: Flavor) -> LivePrograms:
    """Six queries: the account, its privileges, TRIGGERS, ROUTINES, PARAMETERS, EVENTS."""
    account = conn.query("SELECT CURRENT_USER()")[0][0]
    privileges = _privileges(conn, database, account, flavor)
    triggers = tuple(trigger_from_row(row, flavor) for row in conn.query(
        "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER,"
        " ACTION_STATEMENT, SQL_MODE, DEFINER, CHARACTER_SET_CLIENT, COLLATION_CONNECTION"
        " FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = %s", (database,)))
    parameters: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for row in conn.query(
            "SELECT SPECIFIC_NAME, ROUTINE_TYPE, ORDINAL_POSITION, PARAMETER_MODE, PARAMETER_NAME, DTD_IDENTIFIER,"
            " CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = %s"
            " ORDER BY SPECIFIC_NAME, ROUTINE_TYPE, ORDINAL_POSITION", (database,)):
        parameters[(row[0], row[1])].append(row[2:])
    routines: list[Routine] = []
    hidden: list[str] = []
    unmanaged: list[str] = []
    for row in conn.query(
            "SELECT ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION, IS_DETERMINISTIC, SQL_DATA_ACCESS,"
            " SECURITY_TYPE, ROUTINE_COMMENT, SQL_MODE, DEFINER, CHARACTER_SET_CLIENT, COLLATION_CONNECTION"
            " FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = %s", (database,)):
        name, kind, definition = row[0], row[1], row[2]
        if kind not in ("PROCEDURE", "FUNCTION"):
            unmanaged.append(f"{kind.lower()} {name}")
            continue
        if definition is None:  # a routine has a body: the server does not show it to this account
            hidden.append(f"{kind.lower()} {name}")
            continue
        routines.append(routine_from_rows(row, parameters.get((name, kind), []), flavor))
    events = tuple(event_from_row(row, flavor) for row in conn.query(
        "SELECT EVENT_NAME, EVENT_DEFINITION, EVENT_TYPE, EXECUTE_AT, INTERVAL_VALUE, INTERVAL_FIELD, STARTS, ENDS,"
        " STATUS, ON_COMPLETION, EVENT_COMMENT, SQL_MODE, DEFINER, CHARACTER_SET_CLIENT, COLLATION_CONNECTION,"
        " TIME_ZONE FROM information_schema.EVENTS WHERE EVENT_SCHEMA = %s", (database,)))
    return LivePrograms(triggers, tuple(routines), events, account, privileges, tuple(hidden), tuple(unmanaged))


def _grantee(account: str) -> str:
    user, _, host = account.rpartition("@")
    return "'" + user.replace("'", "''") + "'@'" + host.replace("'", "''") + "'"


def _privileges(conn, database: str, account: str, flavor: Flavor) -> Privileges:
    """The account's global, database and table privileges (GRANTEE is compared here: it is
    quoted, ``'user'@'host'``, and root is shown every account's rows)."""
    # MariaDB shows one row of NULL when no role is enabled
    roles = "" if not flavor.has_enabled_roles else \
        " UNION ALL SELECT 'role', '', ROLE_NAME, '', '' FROM information_schema.ENABLED_ROLES" \
        " WHERE ROLE_NAME IS NOT NULL"
    rows = conn.query(
        "SELECT 'global', GRANTEE, '', '', PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES"
        " UNION ALL SELECT 'schema', GRANTEE, TABLE_SCHEMA, '', PRIVILEGE_TYPE"
        " FROM information_schema.SCHEMA_PRIVILEGES"
        " UNION ALL SELECT 'table', GRANTEE, TABLE_SCHEMA, TABLE_NAME, PRIVILEGE_TYPE"
        " FROM information_schema.TABLE_PRIVILEGES WHERE TABLE_SCHEMA = %s" + roles, (database,))
    grantee = _grantee(account)
    grants = frozenset((level, schema, table, priv.upper()) for level, who, schema, table, priv in rows
                       if level != "role" and who == grantee)
    return Privileges(database, grants, any(level == "role" for level, *_ in rows))


# --------------------------------------------------------------------------
# Row decoders (pure: unit-tested with the rows MySQL and MariaDB return)
# --------------------------------------------------------------------------

def _settings(sql_mode, client, collation, time_zone=None) -> ProgramSettings:
    return ProgramSettings(tuple(sorted(p for p in (sql_mode or "").upper().split(",") if p)),
                           canonical_charset(client), canonical_collation(collation), time_zone)


def trigger_from_row(row: tuple, flavor: Flavor) -> Trigger:
    """(TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER, ACTION_STATEMENT,
    SQL_MODE, DEFINER, CHARACTER_SET_CLIENT, COLLATION_CONNECTION) -> Trigger."""
    name, table, timing, event, order, statement, mode, definer, client, collation = row
    return Trigger(name, table, timing.upper(), event.upper(), body_from_server(statement or "", flavor.server),
                   int(order or 1), _settings(mode, client, collation), definer)


def _parameter(row: tuple) -> Parameter:
    """(ORDINAL_POSITION, PARAMETER_MODE, PARAMETER_NAME, DTD_IDENTIFIER, CHARACTER_SET_NAME, COLLATION_NAME)."""
    _, mode, name, dtd, charset, collation = row
    return Parameter(name or "", parse_column_type(dtd), (mode or "").upper(), canonical_charset(charset),
                     canonical_collation(collation))


def routine_from_rows(row: tuple, parameters: list[tuple], flavor: Flavor) -> Routine:
    """A ROUTINES row (ROUTINE_NAME, ROUTINE_TYPE, ROUTINE_DEFINITION, IS_DETERMINISTIC, SQL_DATA_ACCESS,
    SECURITY_TYPE, ROUTINE_COMMENT, SQL_MODE, DEFINER, CHARACTER_SET_CLIENT, COLLATION_CONNECTION) and its
    PARAMETERS rows (from ORDINAL_POSITION on; position 0 is a function's return value) -> Routine."""
    (name, kind, definition, deterministic, access, security, comment, mode, definer, client, collation) = row
    params = [_parameter(p) for p in parameters if int(p[0]) > 0]
    returns = next((_parameter(p) for p in parameters if int(p[0]) == 0), None)
    return Routine(kind.upper(), name, tuple(params), body_from_server(definition or "", flavor.server), returns,
                   (deterministic or "").upper() == "YES", (access or "CONTAINS SQL").upper(),
                   (security or "DEFINER").upper(), comment or "", _settings(mode, client, collation), definer)


def _time(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)[:19]


def event_from_row(row: tuple, flavor: Flavor) -> Event:
    """(EVENT_NAME, EVENT_DEFINITION, EVENT_TYPE, EXECUTE_AT, INTERVAL_VALUE, INTERVAL_FIELD, STARTS, ENDS,
    STATUS, ON_COMPLETION, EVENT_COMMENT, SQL_MODE, DEFINER, CHARACTER_SET_CLIENT, COLLATION_CONNECTION,
    TIME_ZONE) -> Event."""
    (name, definition, kind, at, value, unit, starts, ends, status, completion, comment, mode, definer, client,
     collation, time_zone) = row
    if (kind or "").upper() == "ONE TIME":
        schedule = Schedule(at=_time(at))
    else:
        unit = (unit or "").upper()
        schedule = Schedule(every=canonical_interval(str(value), unit) or str(value), unit=unit, starts=_time(starts),
                            ends=_time(ends))
    return Event(name, schedule, body_from_server(definition or "", flavor.server),
                 (completion or "").upper() == "PRESERVE", (status or "ENABLED").upper(), comment or "",
                 _settings(mode, client, collation, time_zone), definer)
