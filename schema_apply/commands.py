"""Command bodies: plan, apply, export, diff. Each returns its exit code.

The flow of DESIGN.md: settings -> credentials -> guarded connection ->
(Schemafile parse + introspection) -> normalize -> diff -> plan -> render ->
apply -> verify -> report.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import flavor as flavors
from . import online as online_ddl
from .apply import Account, RunContext, Runner, verify
from .connection import ApplyLock, GuardedConnection
from .errors import EXIT_OK, EXIT_REFUSED, SchemaApplyError
from .flavor import Flavor
from .introspect import LiveSchema, detect_flavor, introspect
from .model import Schema
from .parse.schemafile import parse_file
from .plan import Plan, build_plan
from .policy import ensure_declares_tables
from .report import Context, Outcome, account_summary, emit, exit_code, outcomes_text, plan_json, render_plan
from .settings import Settings


def load_schemafile(path: Path, flavor: Flavor, database: str | None, settings: Settings) -> Schema:
    """The Schemafile, parsed and normalised for ``flavor``, filtered by --tables/--ignore-tables."""
    parsed = parse_file(path, flavor.server)
    ensure_declares_tables(parsed.schema, str(path))
    from .validate import validate
    validate(parsed.schema, str(path))
    desired = flavors.normalize(parsed.schema, flavor, database=database)
    return desired.filtered(settings.manages)


def _connect(settings: Settings, on_statement=None) -> GuardedConnection:
    from .credentials import resolve_target
    target = resolve_target(settings)
    return GuardedConnection.open(target, secret_prefixes=settings.secret_prefixes, on_statement=on_statement)


def _opener(settings: Settings, deadline, on_statement=None):
    """(target, open): the connection target, resolved once, and a function opening a session to
    it whose timeouts never reach past ``deadline``."""
    from .connection import READ_TIMEOUT
    from .credentials import resolve_target
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


def _context(settings: Settings, live: LiveSchema, command: str) -> Context:
    notes = []
    hidden = [v for v in live.hidden_views if settings.manages(v)]
    if hidden:
        notes.append(f"view(s) {', '.join(hidden)}: {HIDDEN_VIEWS_NOTE}")
    if live.triggers:
        names = ", ".join(f"{t} on {tbl}" for t, tbl in live.triggers[:5])
        notes.append(f"{len(live.triggers)} trigger(s) left alone (not managed): {names}")
    return Context(database=live.database, server=live.flavor.name, schema_file=str(settings.schema_file),
                   command=command, allow_drop=settings.allow_drop, color=settings.color, notes=notes)


def _plan(conn: GuardedConnection, settings: Settings, flavor: Flavor, desired: Schema
          ) -> tuple[LiveSchema, Schema, Plan]:
    from .table_sizes import read_sizes
    live = introspect(conn, conn.database, flavor)
    desired = desired.filtered(lambda name: name not in live.hidden_views)  # cannot be compared: left alone
    sizes = read_sizes(conn, conn.database, settings.secret_prefixes, flavor.lower_case_table_names)
    plan = build_plan(live.schema.filtered(settings.manages), desired, flavor, allow_drop=settings.allow_drop,
                      secret_prefixes=settings.secret_prefixes, online=settings.online, sizes=sizes)
    return live, desired, plan


def _remaining(settings: Settings, flavor: Flavor, desired: Schema):
    """What is still to do, read live: how the run loop checks which statements took effect."""
    def remaining(conn: GuardedConnection):
        live = introspect(conn, conn.database, flavor)
        return build_plan(live.schema.filtered(settings.manages), desired, flavor, allow_drop=True,
                          secret_prefixes=settings.secret_prefixes).changes
    return remaining


def plan(settings: Settings) -> int:
    with _connect(settings, _verbose_logger(settings)) as conn:
        flavor, exists = detect_flavor(conn, conn.database)
        desired = load_schemafile(settings.schema_file, flavor, conn.database, settings)
        live, _, the_plan = _plan(conn, settings, flavor, desired)
    emit(render_plan(the_plan, _context(settings, live, "plan"), settings.output_format))
    return exit_code(the_plan)


def apply(settings: Settings) -> int:
    from .audit import audited
    return audited(settings, lambda record: _apply(settings, record))


def _apply(settings: Settings, record) -> int:
    from .limits import Deadline
    from .stop import StopSignal
    fmt = settings.output_format
    deadline = Deadline(settings.limits.deadline)
    stop = StopSignal()
    with stop.installed():
        target, open_connection = _opener(settings, deadline, _verbose_logger(settings))
        with open_connection() as conn:
            flavor, _ = detect_flavor(conn, conn.database)
            # parse before taking the lock: a bad Schemafile fails fast and changes nothing
            desired = load_schemafile(settings.schema_file, flavor, conn.database, settings)
            with ApplyLock(conn, conn.database, settings.lock_timeout):
                live, desired, the_plan = _plan(conn, settings, flavor, desired)
                ctx = _context(settings, live, "apply")
                record.planned(live.database, flavor.name, the_plan)
                if the_plan.refused:
                    emit(render_plan(the_plan, ctx, fmt))
                    if fmt == "text":
                        emit("apply refused: nothing was applied", sys.stderr)
                    return EXIT_REFUSED
                if the_plan.in_sync:
                    emit(render_plan(the_plan, ctx, fmt))
                    return EXIT_OK
                if any(st.via for st in the_plan.statements):
                    from .wrapper import find_executable
                    find_executable()
                if fmt in ("text", "markdown"):
                    emit(render_plan(the_plan, ctx, fmt))
                    emit("")
                run = RunContext(target, open_connection, _remaining(settings, flavor, desired), flavor,
                                 settings.limits, settings.online, stop, deadline,
                                 _progress(settings, len(the_plan.statements)), _log(settings))
                with stop.deferred():
                    account = Runner(conn, the_plan, run).run()
                record.ran(account)
                if account.state != "done":
                    _report_account(settings, the_plan, ctx, account)
                    return account.exit_code
                after = introspect(conn, conn.database, flavor)
                try:
                    verify(after.schema.filtered(settings.manages), desired)
                except SchemaApplyError as exc:
                    if fmt == "json":
                        emit(plan_json(the_plan, ctx, account.outcomes, error=str(exc)))
                    raise
    outcomes = account.outcomes
    if fmt == "json":
        emit(plan_json(the_plan, ctx, outcomes))
    elif fmt == "sql":
        emit("\n".join(o.statement.sql + ";" for o in outcomes))
    else:
        timed = "" if any(o.seconds is None for o in outcomes) else \
            f" in {sum(o.seconds for o in outcomes):.2f}s"  # no total that would time a secret table
        emit(f"done: {len(outcomes)} statement(s){timed}; the database matches {settings.schema_file}")
    return EXIT_OK


def _progress(settings: Settings, total: int):
    if settings.output_format not in ("text", "markdown"):
        return None

    def show(k: int, outcome: Outcome | None, phase: str) -> None:
        st = outcome.statement
        if phase == "start":
            again = f" (attempt {outcome.attempts})" if outcome.attempts > 1 else ""
            how = online_ddl.cost(st.prediction, st.size, st.via)
            emit(f"-- running [{k + 1}/{total}] {st.step}" + (f": {st.table}" if st.table else "") + again
                 + (f" — {how}" if how else ""))
        elif outcome.status == "applied":
            emit(f"-- ok [{k + 1}/{total}]" + _took(outcome, "in") + (" (checked on the server)" if outcome.checked else ""))
        elif outcome.status != "not run":
            emit(f"-- {outcome.status.upper()} [{k + 1}/{total}]" + _took(outcome, "after") + f": {outcome.error}")
    return show


def _log(settings: Settings):
    """Where the run loop's notes go (lock waits, blockers, the wrapper's progress): with the
    progress lines in text/markdown, on stderr otherwise (stdout keeps only the JSON/SQL)."""
    stream = None if settings.output_format in ("text", "markdown") else sys.stderr
    return lambda text: emit(text, stream)


def _took(outcome: Outcome, word: str) -> str:
    return "" if outcome.seconds is None else f" {word} {outcome.seconds:.3f}s"


def _report_account(settings: Settings, the_plan: Plan, ctx: Context, account: Account) -> None:
    if settings.output_format == "json":
        emit(plan_json(the_plan, ctx, account.outcomes, error=account.error, account=account))
    else:
        emit(outcomes_text(account.outcomes, settings.color, account), sys.stderr)
    emit(f"{account_summary(account)}", sys.stderr)


def export(settings: Settings, output: Path | None) -> int:
    from .export import schemafile
    with _connect(settings, _verbose_logger(settings)) as conn:
        flavor, exists = detect_flavor(conn, conn.database)
        live = introspect(conn, conn.database, flavor)
    hidden = tuple(v for v in live.hidden_views if settings.manages(v))
    for view in hidden:
        emit(f"warning: view {view}: {HIDDEN_VIEWS_NOTE}; not exported", sys.stderr)
    text = schemafile(live.schema.filtered(settings.manages), flavor, database=conn.database, hidden_views=hidden)
    if output is None:
        emit(text.rstrip("\n"))
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise SchemaApplyError(f"{output}: cannot write: {exc.strerror}") from None
        emit(f"wrote {output} ({len(live.schema.tables)} tables, {len(live.schema.views)} views)", sys.stderr)
    return EXIT_OK


def diff(settings: Settings, from_file: Path, to_file: Path, flavor_name: str) -> int:
    flavor = Flavor.offline(flavor_name)
    current = flavors.normalize(parse_file(from_file, flavor.server).schema, flavor)
    current = current.filtered(settings.manages)
    desired = load_schemafile(to_file, flavor, None, settings)
    the_plan = build_plan(current, desired, flavor, allow_drop=settings.allow_drop,
                          secret_prefixes=settings.secret_prefixes)
    ctx = Context(database=str(from_file), server=f"{flavor.name} (offline)", schema_file=str(to_file),
                  command="diff", allow_drop=settings.allow_drop, color=settings.color)
    emit(render_plan(the_plan, ctx, settings.output_format))
    return exit_code(the_plan)
