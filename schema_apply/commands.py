"""Command bodies: plan, apply, export, diff. Each returns its exit code.

The flow of DESIGN.md: settings -> credentials -> guarded connection ->
(Schemafile parse + introspection) -> normalize -> diff -> plan -> render ->
apply -> verify -> report.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import flavor as flavors
from .apply import run_statements, verify
from .connection import ApplyLock, GuardedConnection
from .errors import EXIT_ERROR, EXIT_OK, EXIT_REFUSED, SchemaApplyError
from .flavor import Flavor
from .introspect import LiveSchema, detect_flavor, introspect
from .model import Schema
from .parse.schemafile import parse_file
from .plan import Plan, build_plan
from .policy import ensure_declares_tables
from .report import Context, Outcome, emit, exit_code, outcomes_text, plan_json, render_plan
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


def _verbose_logger(settings: Settings):
    if settings.verbose < 2:
        return None

    def log(sent) -> None:
        took = "" if sent.info is not None and sent.info.secret_tables else f" ({sent.seconds * 1000:.1f} ms)"
        emit(f"-- sent{took}: {' '.join(sent.sql.split())}", sys.stderr)
    return log


HIDDEN_VIEWS_NOTE = ("definition not visible to this user (it needs SHOW VIEW and SELECT on the view, or to be"
                     " its definer); left alone")


def _context(settings: Settings, live: LiveSchema, command: str, notes: list[str] = ()) -> Context:
    notes = list(notes)
    hidden = [v for v in live.hidden_views if settings.manages(v)]
    if hidden:
        notes.insert(0, f"view(s) {', '.join(hidden)}: {HIDDEN_VIEWS_NOTE}")
    return Context(database=live.database, server=live.flavor.name, schema_file=str(settings.schema_file),
                   command=command, allow_drop=settings.allow_drop, color=settings.color, notes=notes)


def _plan(conn: GuardedConnection, settings: Settings, flavor: Flavor, desired: Schema
          ) -> tuple[LiveSchema, Schema, Plan, list[str]]:
    """The live schema, the desired one as far as this account can see it, the plan, and notes."""
    from .program_access import restrict
    from .program_firewall import ProgramRules
    live = introspect(conn, conn.database, flavor)
    current = live.schema.filtered(settings.manages)
    if settings.tables is None and settings.ignore_tables is None:
        ensure_declares_tables(desired, str(settings.schema_file), current)
    rules = ProgramRules(desired, settings.secret_prefixes, flavor.lower_case_table_names, conn.database,
                         live.programs.account, settings.allow_definers)
    desired = desired.filtered(lambda name: name not in live.hidden_views)  # cannot be compared: left alone
    desired, notes = restrict(desired, current, live.programs)
    plan = build_plan(current, desired, flavor, allow_drop=settings.allow_drop,
                      secret_prefixes=settings.secret_prefixes, programs=rules)
    return live, desired, plan, notes


def plan(settings: Settings) -> int:
    with _connect(settings, _verbose_logger(settings)) as conn:
        flavor, exists = detect_flavor(conn, conn.database)
        desired = load_schemafile(settings.schema_file, flavor, conn.database, settings)
        live, _, the_plan, notes = _plan(conn, settings, flavor, desired)
    emit(render_plan(the_plan, _context(settings, live, "plan", notes), settings.output_format))
    return exit_code(the_plan)


def apply(settings: Settings) -> int:
    fmt = settings.output_format
    with _connect(settings, _verbose_logger(settings)) as conn:
        flavor, _ = detect_flavor(conn, conn.database)
        # parse before taking the lock: a bad Schemafile fails fast and changes nothing
        desired = load_schemafile(settings.schema_file, flavor, conn.database, settings)
        with ApplyLock(conn, conn.database, settings.lock_timeout):
            live, desired, the_plan, notes = _plan(conn, settings, flavor, desired)
            ctx = _context(settings, live, "apply", notes)
            if the_plan.refused:
                emit(render_plan(the_plan, ctx, fmt))
                if fmt == "text":
                    emit("apply refused: nothing was applied", sys.stderr)
                return EXIT_REFUSED
            if the_plan.in_sync:
                emit(render_plan(the_plan, ctx, fmt))
                return EXIT_OK
            if fmt in ("text", "markdown"):
                emit(render_plan(the_plan, ctx, fmt))
                emit("")
            outcomes = run_statements(conn, the_plan, _progress(settings, len(the_plan.statements)))
            failed = next((o for o in outcomes if o.status == "failed"), None)
            if failed is not None:
                _report_failure(settings, the_plan, ctx, outcomes, failed)
                return EXIT_ERROR
            after = introspect(conn, conn.database, flavor)
            try:
                verify(after.schema.filtered(settings.manages), desired)
            except SchemaApplyError as exc:
                if fmt == "json":
                    emit(plan_json(the_plan, ctx, outcomes, error=str(exc)))
                raise
    if fmt == "json":
        emit(plan_json(the_plan, ctx, outcomes))
    elif fmt == "sql":
        from .sqltext import script
        emit("\n".join(script([o.statement.sql for o in outcomes])))
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
            emit(f"-- running [{k + 1}/{total}] {st.step}" + (f": {st.table}" if st.table else ""))
        elif outcome.status == "applied":
            emit(f"-- ok [{k + 1}/{total}]" + _took(outcome, "in"))
        else:
            emit(f"-- FAILED [{k + 1}/{total}]" + _took(outcome, "after") + f": {outcome.error}")
    return show


def _took(outcome: Outcome, word: str) -> str:
    return "" if outcome.seconds is None else f" {word} {outcome.seconds:.3f}s"


def _report_failure(settings: Settings, the_plan: Plan, ctx: Context, outcomes: list[Outcome],
                    failed: Outcome) -> None:
    if settings.output_format == "json":
        emit(plan_json(the_plan, ctx, outcomes, error=failed.error))
    else:
        emit(outcomes_text(outcomes, settings.color), sys.stderr)
    ran = sum(1 for o in outcomes if o.status == "applied")
    emit(f"error: statement {ran + 1} of {len(outcomes)} failed"
         + (f" on {failed.statement.table}" if failed.statement.table else "")
         + f": {failed.error}; {ran} statement(s) had run, {len(outcomes) - ran - 1} did not run", sys.stderr)


def export(settings: Settings, output: Path | None) -> int:
    from .export import schemafile
    with _connect(settings, _verbose_logger(settings)) as conn:
        flavor, exists = detect_flavor(conn, conn.database)
        live = introspect(conn, conn.database, flavor)
    hidden = tuple(v for v in live.hidden_views if settings.manages(v))
    for view in hidden:
        emit(f"warning: view {view}: {HIDDEN_VIEWS_NOTE}; not exported", sys.stderr)
    for label in live.programs.hidden_routines:
        emit(f"warning: {label}: its definition is not visible to this account; not exported", sys.stderr)
    text = schemafile(live.schema.filtered(settings.manages), flavor, database=conn.database, hidden_views=hidden,
                      hidden_routines=live.programs.hidden_routines)
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
    ensure_declares_tables(desired, str(to_file), current)
    from .program_firewall import ProgramRules
    rules = ProgramRules(desired, settings.secret_prefixes, flavor.lower_case_table_names,
                         allow_definers=settings.allow_definers)
    the_plan = build_plan(current, desired, flavor, allow_drop=settings.allow_drop,
                          secret_prefixes=settings.secret_prefixes, programs=rules)
    ctx = Context(database=str(from_file), server=f"{flavor.name} (offline)", schema_file=str(to_file),
                  command="diff", allow_drop=settings.allow_drop, color=settings.color)
    emit(render_plan(the_plan, ctx, settings.output_format))
    return exit_code(the_plan)
