"""Command bodies: plan, apply, diff return a Result (reporters show it); export returns its exit code.

The flow of DESIGN.md: settings -> credentials -> guarded connection ->
(Schemafile parse + introspection) -> normalize -> diff -> plan -> render ->
apply -> verify -> report.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from . import declared, planfile
from .aside import Aside
from .audit import audited
from .collector import building_models
from .credentials import resolve_target
from .errors import EXIT_OK, SchemaApplyError, StalePlan
from .export import schemafile as render_schemafile
from .firewall.objects import Surroundings
from .firewall.secrecy import SecrecyPolicy
from .flavor import Flavor
from .normalize import normalize
from .introspect import LiveSchema, detect_flavor, introspect
from .limits import Deadline
from .model import Schema
from .parse.schemafile import parse_text
from .plan import Plan, build_plan, ensure_members_distinct
from .program_access import restrict
from .report import Reporter, document, emit
from .result import Context, Result
from .settings import Settings
from .source import SchemaText, read_schemafile
from .stop import StopSignal
from .table_sizes import SizesWhenAsked, read_sizes
from .validate import ensure_declares_tables

if TYPE_CHECKING:  # annotations; the database driver is imported by the commands that connect (not diff)
    from .connection import GuardedConnection


def load_schemafile(source: SchemaText, flavor: Flavor, database: str | None, settings: Settings) -> Schema:
    """The Schemafile, parsed and normalised for ``flavor``, filtered by --tables/--ignore-tables."""
    return _settle(declared.prepare(source, settings.manages, lambda: (flavor, database)))


def _settle(prepared: declared.Prepared) -> Schema:
    schema, notes, error = prepared
    for note in notes:
        emit(note, sys.stderr)
    if error is not None:
        raise error
    return schema


def _connect(settings: Settings, on_statement=None) -> GuardedConnection:
    from .connection import GuardedConnection  # deferred: the database driver only for a command that connects
    target = resolve_target(settings)
    return GuardedConnection.open(target, secret_prefixes=settings.secret_prefixes, on_statement=on_statement)


def _opener(settings: Settings, deadline, on_statement=None):
    """(target, open): the connection target, resolved once, and a function opening a session to
    it whose timeouts never reach past ``deadline``."""
    from .connection import READ_TIMEOUT, GuardedConnection  # deferred: as in _connect
    target = resolve_target(settings)

    def open_connection(read_timeout: float = READ_TIMEOUT) -> GuardedConnection:
        left = deadline.remaining()
        bound = (lambda t: t) if left is None else (lambda t: max(0.5, min(t, left)))
        return GuardedConnection.open(target, secret_prefixes=settings.secret_prefixes, on_statement=on_statement,
                                      connect_timeout=bound(10.0), read_timeout=bound(read_timeout))
    return target, open_connection


def _verbose_logger(settings: Settings):
    if settings.verbose < 2:
        return None

    def log(sent) -> None:
        took = "" if sent.info is not None and sent.info.secret_tables else f" ({sent.seconds * 1000:.1f} ms)"
        emit(f"-- sent{took}: {' '.join(sent.sql.split())}", sys.stderr)
    return log


HIDDEN_VIEWS_NOTE = ("definition not visible to this user (it needs SHOW VIEW and SELECT on the view, or to be"
                     " its definer); left alone")


def _notes(settings: Settings, live: LiveSchema, plan: Plan, program_notes: list[str]) -> list[str]:
    notes = []
    hidden = [v for v in live.hidden_views if settings.manages(v)]
    if hidden:
        notes.append(f"view(s) {', '.join(hidden)}: {HIDDEN_VIEWS_NOTE}")
    return notes + program_notes + _unused_approvals(settings, plan, live.flavor)


def _unused_approvals(settings: Settings, plan: Plan, flavor: Flavor) -> list[str]:
    destructive = [c for c in plan.changes if c.destructive]
    return [f"--allow-drop {name}: no destructive change of this plan matches it (a typo, or the Schemafile "
            "changed?)" for name in settings.allow_drop.unused(destructive, flavor.lower_case_table_names)]


def _detect(conn: GuardedConnection) -> tuple[Flavor, bool]:
    """The server's flavor; the connection's secrecy policy is settled from it (the run's one policy)."""
    flavor, exists = detect_flavor(conn, conn.database)
    conn.settle(flavor)
    return flavor, exists


def _read_both(conn: GuardedConnection, settings: Settings, flavor: Flavor, schemafile: declared.Begun
               ) -> tuple[Schema, LiveSchema]:
    """The Schemafile (``declared.begin``), parsed while the live schema is read. Introspection
    mostly waits on the server, parsing burns CPU: a large Schemafile is parsed in a forked process
    on another CPU (``aside``), a small one here while a thread reads (PyMySQL releases the GIL while
    it waits on the socket). Nothing else uses the connection meanwhile. An error of the Schemafile
    is raised before one of introspection, once both sides are done."""
    aside = schemafile.aside
    aside.tell((flavor, conn.database))
    if aside.forked:
        try:
            live = introspect(conn, conn.database, flavor)
        except Exception:
            _settle(aside.result())
            raise
        return _settle(aside.result()), live
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="introspect") as pool:
        reading = pool.submit(introspect, conn, conn.database, flavor)
        desired = _settle(aside.result())
        return desired, reading.result()


def _plan(conn: GuardedConnection, settings: Settings, flavor: Flavor, source: SchemaText, desired: Schema,
          command: str, live: LiveSchema | None = None) -> tuple[Result, Schema]:
    """Plan (introspecting first unless ``live`` is given; the tables' sizes read only if the plan
    asks for one, ``SizesWhenAsked``): the result (nothing applied yet) and the desired schema it
    was planned for."""
    if live is None:
        live = introspect(conn, conn.database, flavor)
    current = live.schema.filtered(settings.manages)
    if settings.tables is None and settings.ignore_tables is None:
        ensure_declares_tables(desired, source.name, current)
    desired = desired.filtered(lambda name: name not in live.hidden_views)  # cannot be compared: left alone
    around = Surroundings.of(live.schema, desired, conn.policy, database=conn.database,
                             hidden_views=live.hidden_views, account=live.programs.account,
                             allow_definers=settings.allow_definers)
    desired, program_notes = restrict(desired, current, live.programs)  # what this account cannot see or make
    sizes = SizesWhenAsked(lambda: read_sizes(conn, conn.database, conn.policy))
    plan = build_plan(current, desired, flavor, allow_drop=settings.allow_drop,
                      allow_secret_dependent=settings.allow_secret_dependent, policy=conn.policy, around=around,
                      online=settings.online, sizes=sizes)
    ensure_members_distinct(plan, source.name)
    ctx = Context(command=command, database=live.database, server=live.flavor.name, schema_file=source.name,
                  notes=_notes(settings, live, plan, program_notes), schema_sha256=source.sha256, live=current)
    return Result(ctx, plan), desired


def _reviewed(settings: Settings, source: SchemaText) -> dict | None:
    """The plan given with --plan, checked against the Schemafile before anything connects."""
    if not settings.reviewed_plan:
        return None
    record = planfile.load(settings.reviewed_plan)
    planfile.check_schemafile(record, settings.reviewed_plan, source)
    return record


def _still_reviewed(settings: Settings, record: dict | None, result: Result) -> bool:
    """Whether ``result`` is the reviewed plan (or none was given); if not, it carries the StalePlan."""
    if record is None:
        return True
    try:
        planfile.check(record, settings.reviewed_plan, result)
    except StalePlan as exc:
        result.error = exc
        return False
    return True


def _begin(settings: Settings) -> declared.Begun:
    """The Schemafile read, and its preparation started before connecting (``declared``)."""
    return declared.begin(lambda: read_schemafile(settings.schema_file, settings.schema_sha256), settings.manages)


def plan(settings: Settings, reporter: Reporter) -> Result:
    schemafile = _begin(settings)
    try:
        source = schemafile.source()
        record = _reviewed(settings, source)
        with building_models():
            with _connect(settings, _verbose_logger(settings)) as conn:
                flavor, _ = _detect(conn)
                desired, live = _read_both(conn, settings, flavor, schemafile)
                result, _ = _plan(conn, settings, flavor, source, desired, "plan", live)
    finally:
        schemafile.cancel()  # when anything failed first (the child waits to be told the server)
    _still_reviewed(settings, record, result)
    if settings.plan_out:
        planfile.save(settings.plan_out, document(result))
        emit(f"wrote {settings.plan_out}: {len(result.plan.statements)} statement(s); Schemafile SHA-256 "
             f"{source.sha256[:12]}…, live schema {result.context.live_sha256[:12]}…", sys.stderr)
    return result


def apply(settings: Settings, reporter: Reporter) -> Result:
    return audited(settings, lambda record: _apply(settings, reporter, record))


def _apply(settings: Settings, reporter: Reporter, record) -> Result:
    deadline = Deadline(settings.limits.deadline)
    stop = StopSignal()
    schemafile = _begin(settings)
    try:
        return _apply_begun(settings, reporter, record, schemafile, deadline, stop)
    finally:
        schemafile.cancel()  # when anything failed first (the child waits to be told the server)


def _apply_begun(settings: Settings, reporter: Reporter, record, schemafile: declared.Begun, deadline: Deadline,
                 stop: StopSignal) -> Result:
    from . import wrapper  # deferred: the run loop and the wrapper (subprocess, tempfile…) only for apply
    from .apply import RunContext, Runner, verify
    from .connection import ApplyLock
    source = schemafile.source()
    reviewed = _reviewed(settings, source)
    with stop.installed():  # before the first statement, a stop ends the apply at once (exit 6)
        target, open_connection = _opener(settings, deadline, _verbose_logger(settings))
        with open_connection() as conn:
            flavor, _ = _detect(conn)
            schemafile.aside.tell((flavor, conn.database))
            lock = ApplyLock(conn, conn.database, settings.lock_timeout)
            desired = None
            if not lock.take_if_free():  # another run holds it: a bad Schemafile fails now, not after the wait
                with building_models():
                    desired = _settle(schemafile.aside.result())
            with lock:
                with building_models():  # a free lock: the Schemafile is still parsed aside, its errors raised
                    live = None          # before any statement (changing nothing), as they are without a wait
                    if desired is None:
                        desired, live = _read_both(conn, settings, flavor, schemafile)
                    result, desired = _plan(conn, settings, flavor, source, desired, "apply", live)
                record.planned(result)
                if not _still_reviewed(settings, reviewed, result) or result.plan.refused or result.plan.in_sync:
                    return result
                if any(st.via for st in result.plan.statements):
                    wrapper.find_executable()
                reporter.plan_ready(result)

                def open_settled(**kw) -> GuardedConnection:  # the run's sessions share its one policy
                    new = open_connection(**kw)
                    new.policy = conn.policy
                    return new
                run = RunContext(target, open_settled, _remaining(settings, flavor, desired), flavor,
                                 settings.limits, settings.online, stop, deadline,
                                 reporter.progress(len(result.plan.statements)), reporter.note)
                with stop.deferred():  # now a stop lets the running statement finish (or kills it)
                    account = Runner(conn, result.plan, run).run()
                account.into(result)
                record.ran(result)
                if account.state != "done":
                    return result
                after = introspect(conn, conn.database, flavor)
                try:
                    verify(after.schema.filtered(settings.manages), desired)
                except SchemaApplyError as exc:
                    result.error = exc
    return result


def _remaining(settings: Settings, flavor: Flavor, desired: Schema):
    """What is still to do, read live: how the run loop checks which statements took effect (every
    difference counts, whether the policy would allow it or not)."""
    def remaining(conn: GuardedConnection):
        live = introspect(conn, conn.database, flavor)
        left = build_plan(live.schema.filtered(settings.manages), desired, flavor, allow_drop=True,
                          allow_secret_dependent=True, policy=conn.policy)
        return [*left.changes, *(r.change for r in left.refused)]
    return remaining


def _parse_normalized(source: SchemaText, flavor: Flavor, settings: Settings) -> Schema:
    """The schema a file declares, normalised (the "from" side of ``diff``: no checks of its own)."""
    return normalize(parse_text(source.text, source.name, flavor.server).schema, flavor).filtered(settings.manages)


def export(settings: Settings, output: Path | None) -> int:
    with _connect(settings, _verbose_logger(settings)) as conn:
        flavor, exists = _detect(conn)
        live = introspect(conn, conn.database, flavor)
    hidden = tuple(v for v in live.hidden_views if settings.manages(v))
    for view in hidden:
        emit(f"warning: view {view}: {HIDDEN_VIEWS_NOTE}; not exported", sys.stderr)
    for label in live.programs.hidden_routines:
        emit(f"warning: {label}: its definition is not visible to this account; not exported", sys.stderr)
    text = render_schemafile(live.schema.filtered(settings.manages), flavor, database=conn.database,
                             hidden_views=hidden, hidden_routines=live.programs.hidden_routines)
    if output is None:
        emit(text.rstrip("\n"))
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise SchemaApplyError(f"{output}: cannot write: {exc.strerror}") from None
        emit(f"wrote {output} ({len(live.schema.tables)} tables, {len(live.schema.views)} views)", sys.stderr)
    return EXIT_OK


def diff(settings: Settings, from_file: Path, to_file: Path, flavor_name: str) -> Result:
    flavor = Flavor.offline(flavor_name)
    old = read_schemafile(str(from_file))
    new = read_schemafile(str(to_file))
    # the two files are read at once when they are large (see _read_both)
    with building_models():
        current_side = Aside(_parse_normalized, old, flavor, settings, fork=len(old.text) >= declared.PARSE_ASIDE_FROM)
        try:
            desired = load_schemafile(new, flavor, None, settings)
        except Exception:
            current_side.result()  # an error in the "from" file is shown first, as when read in order
            raise
        except BaseException:
            current_side.cancel()
            raise
        current = current_side.result()
    ensure_declares_tables(desired, new.name, current)
    policy = SecrecyPolicy.for_server(settings.secret_prefixes, flavor)
    around = Surroundings.of(current, desired, policy, allow_definers=settings.allow_definers)
    the_plan = build_plan(current, desired, flavor, allow_drop=settings.allow_drop,
                          allow_secret_dependent=settings.allow_secret_dependent, policy=policy, around=around,
                          online=settings.online)
    ensure_members_distinct(the_plan, new.name)
    ctx = Context(command="diff", database=str(from_file), server=f"{flavor.name} (offline)", schema_file=new.name,
                  notes=_unused_approvals(settings, the_plan, flavor), schema_sha256=new.sha256, live=current)
    return Result(ctx, the_plan)
