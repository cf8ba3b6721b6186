"""Stored programs in a server's canonical form (the programs' part of ``flavor.normalize``).

What the server fills in when it stores a trigger, routine or event: the
session's sql_mode (combination modes expanded), character sets and time zone
where the Schemafile set none; a parameter's character set (the database's
default when not given, as for columns); integer display widths and the other
type spellings of columns. Runs on both sides and is idempotent.
"""

from __future__ import annotations

from dataclasses import replace

from .flavor import (
    _CHARSET_BINARY_TYPE, Flavor, canonical_charset, canonical_collation, canonical_type, resolve_charset)
from .model import Event, Parameter, ProgramSettings, Routine, Schema, Trigger


def normalize_programs(schema: Schema, flavor: Flavor, inherit: tuple[str, str]
                       ) -> tuple[tuple[Trigger, ...], tuple[Routine, ...], tuple[Event, ...]]:
    triggers = tuple(replace(t, settings=settings(t.settings, flavor)) for t in schema.triggers)
    routines = tuple(_routine(r, flavor, inherit) for r in schema.routines)
    events = tuple(replace(e, settings=settings(e.settings, flavor, event=True)) for e in schema.events)
    return triggers, routines, events


def sql_mode(mode: tuple[str, ...], flavor: Flavor) -> tuple[str, ...]:
    """The modes the server stores for ``mode``: upper-case, combination modes expanded, sorted."""
    out: set[str] = set()
    combinations = flavor.sql_mode_combinations
    for name in mode:
        name = name.strip().upper()
        if not name:
            continue
        out.add(name)
        out.update(combinations.get(name, ()))
    return tuple(sorted(out))


def settings(declared: ProgramSettings, flavor: Flavor, *, event: bool = False) -> ProgramSettings:
    session = flavor.session
    mode = declared.sql_mode if declared.sql_mode is not None else session.sql_mode or ()
    client = canonical_charset(declared.client_charset)
    collation = canonical_collation(declared.collation)
    if collation is None and client is not None:  # SET NAMES x: x's default collation
        collation = flavor.default_collation(client)
    time_zone = (declared.time_zone or session.time_zone) if event else None
    return ProgramSettings(sql_mode(mode, flavor), client, collation, time_zone)


def _parameter(p: Parameter, flavor: Flavor, inherit: tuple[str, str]) -> Parameter:
    charset, collation = p.charset, p.collation
    t = p.type
    if canonical_charset(charset) == "binary" and t.name in _CHARSET_BINARY_TYPE:
        t = replace(t, name=_CHARSET_BINARY_TYPE[t.name])
        charset = collation = None
    if t.is_textual:
        charset, collation = resolve_charset(charset, collation, inherit, flavor)
    else:
        charset = collation = None
    t = canonical_type(t, charset, flavor)
    if not t.is_textual:
        charset = collation = None
    return replace(p, type=t, mode=p.mode.upper(), charset=charset, collation=collation)


def _routine(r: Routine, flavor: Flavor, inherit: tuple[str, str]) -> Routine:
    return replace(r, kind=r.kind.upper(), parameters=tuple(_parameter(p, flavor, inherit) for p in r.parameters),
                   returns=_parameter(r.returns, flavor, inherit) if r.returns is not None else None,
                   data_access=r.data_access.upper(), security=r.security.upper(),
                   settings=settings(r.settings, flavor))
