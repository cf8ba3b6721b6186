"""The command line: a thin layer of click over one Settings object.

Every command body lives elsewhere (``commands`` for plan/apply/export/diff, ``run_task`` for
the ECS logic); this module only turns flags and ``SCHEMA_APPLY_*`` variables into Settings and
a reporter (``report``), and hands results and errors to ``exits`` for the exit codes of DESIGN.md.

Start-up is part of every run's time, and ``--help`` needs nothing but the options: this module
imports at its top only click, the options' defaults (``defaults``, a leaf), ``exits``,
``channel``, the redaction and the collector's tuning (``collector``, a leaf). What a command runs
on is imported when that command runs, by deferred imports that say so (tests/test_imports.py,
tests/test_startup.py).
"""

from __future__ import annotations

import atexit
import functools
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from . import __version__, collector, exits
from .channel import ClosedPipeSafe, mark_stdout_if_asked
from .defaults import (ALGORITHM_CHOICES, DEFAULT_CONFIG_FILE, DEFAULT_CREDSTASH_TABLE, DEFAULT_DDL_LOCK_WAIT,
                       DEFAULT_DDL_RETRIES, DEFAULT_LOCK_TIMEOUT, DEFAULT_SCHEMA_FILE, DEFAULT_STOP_GRACE, FORMATS,
                       LAUNCH_TYPES, LOCK_CHOICES)
from .errors import UsageError
from .firewall import redaction

if TYPE_CHECKING:
    from .settings import Settings


def _connection_options(func):
    options = [
        click.option("--schema-file", envvar="SCHEMA_APPLY_SCHEMA_FILE", default=DEFAULT_SCHEMA_FILE,
                     show_default=True, metavar="PATH|s3://BUCKET/KEY",
                     help="The Schemafile (env SCHEMA_APPLY_SCHEMA_FILE)."),
        click.option("--schema-sha256", envvar="SCHEMA_APPLY_SCHEMA_SHA256", metavar="HEX",
                     help="Refuse a Schemafile whose SHA-256 differs (env SCHEMA_APPLY_SCHEMA_SHA256)."),
        click.option("--database-url", envvar="SCHEMA_APPLY_DATABASE_URL", metavar="URL",
                     help="mysql://user:password@host:port/database (env SCHEMA_APPLY_DATABASE_URL)."),
        click.option("--credstash-key", envvar="SCHEMA_APPLY_CREDSTASH_KEY", metavar="NAME",
                     help="credstash secret holding the connection (env SCHEMA_APPLY_CREDSTASH_KEY)."),
        click.option("--credstash-table", envvar="SCHEMA_APPLY_CREDSTASH_TABLE", default=DEFAULT_CREDSTASH_TABLE,
                     show_default=True, metavar="NAME", help="credstash DynamoDB table."),
        click.option("--credstash-context", "credstash_context", multiple=True, metavar="K=V",
                     help="KMS encryption context, repeatable (env SCHEMA_APPLY_CREDSTASH_CONTEXT=K=V,K=V)."),
        click.option("--secrets-manager-id", envvar="SCHEMA_APPLY_SECRETS_MANAGER_ID", metavar="ID",
                     help="AWS Secrets Manager secret holding the connection instead."),
        click.option("--ssl-ca", envvar="SCHEMA_APPLY_SSL_CA", metavar="PATH",
                     help="CA bundle to verify the server with (env SCHEMA_APPLY_SSL_CA)."),
        click.option("--ssl-mode", envvar="SCHEMA_APPLY_SSL_MODE", metavar="MODE",
                     help="disabled, preferred, required, verify-ca or verify-identity, as MySQL clients"
                          " (env SCHEMA_APPLY_SSL_MODE; default verify-identity with --ssl-ca, else preferred)."),
        click.option("--secret-prefix", "secret_prefixes", multiple=True, metavar="P",
                     help="Tables whose names start with P hold personal data (repeatable; default secret_)."),
        click.option("--tables", "tables_rx", metavar="REGEX",
                     help="Manage only tables whose whole name matches REGEX."),
        click.option("--ignore-tables", "ignore_rx", metavar="REGEX",
                     help="Leave tables whose whole name matches REGEX alone."),
        click.option("--lock-timeout", envvar="SCHEMA_APPLY_LOCK_TIMEOUT", type=float,
                     default=DEFAULT_LOCK_TIMEOUT, show_default=True, metavar="SECONDS",
                     help="Wait this long for the apply lock."),
        click.option("-v", "--verbose", count=True, help="More detail (never secrets)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _format_option(func):
    return click.option("--format", "output_format", type=click.Choice(FORMATS), default="text",
                        show_default=True, help="Report format.")(func)


def _online_options(func):
    """How each ALTER may run (online.py): the clause, and what may block writes."""
    options = [
        click.option("--algorithm", envvar="SCHEMA_APPLY_ALGORITHM", type=click.Choice(ALGORITHM_CHOICES),
                     default="auto", show_default=True,
                     help="ALGORITHM= of each ALTER: auto (the strongest the prediction allows), instant / inplace"
                          " (also refuse statements that need more), default (write none; the server chooses)."),
        click.option("--lock", "alter_lock", envvar="SCHEMA_APPLY_LOCK", type=click.Choice(LOCK_CHOICES),
                     default="auto", show_default=True,
                     help="LOCK= of each ALTER: auto (NONE where possible), none (also refuse every statement that"
                          " blocks writes), default (write none)."),
        click.option("--max-blocking-size", envvar="SCHEMA_APPLY_MAX_BLOCKING_SIZE", default="32M", show_default=True,
                     metavar="SIZE", help="Refuse a change that blocks writes on a table larger than this (32M, 1G)."),
        click.option("--allow-blocking", envvar="SCHEMA_APPLY_ALLOW_BLOCKING", metavar="REGEX",
                     help="Tables (whole name) on which a change may block writes whatever their size."),
        click.option("--pt-osc-tables", envvar="SCHEMA_APPLY_PT_OSC_TABLES", metavar="REGEX",
                     help="Run changes that would block writes on these tables (whole name) through"
                          " pt-online-schema-change (never on secret tables)."),
        click.option("--pt-osc-min-size", envvar="SCHEMA_APPLY_PT_OSC_MIN_SIZE", metavar="SIZE",
                     help="… and on tables at least this large."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _run_options(func):
    """How long apply may wait, and for what (limits.py)."""
    options = [
        click.option("--ddl-lock-wait", envvar="SCHEMA_APPLY_DDL_LOCK_WAIT_TIMEOUT", default=str(DEFAULT_DDL_LOCK_WAIT),
                     show_default=True, metavar="SECONDS",
                     help="Each DDL waits at most this long for its metadata lock (queries on the table wait behind it)."),
        click.option("--ddl-retries", envvar="SCHEMA_APPLY_DDL_RETRIES", type=click.IntRange(0, 100),
                     default=DEFAULT_DDL_RETRIES, show_default=True,
                     help="Retries after a metadata-lock timeout, with backoff (exit 4 after the last)."),
        click.option("--stop-grace", envvar="SCHEMA_APPLY_STOP_GRACE", default=str(DEFAULT_STOP_GRACE),
                     show_default=True, metavar="SECONDS",
                     help="After SIGTERM/SIGINT, the running statement may finish within this; then it is killed."),
        click.option("--deadline", envvar="SCHEMA_APPLY_DEADLINE", default="6h", show_default=True, metavar="DURATION",
                     help="The whole apply must end within this (30m, 6h; 0: none); the running statement is killed."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _definer_option(func):
    return click.option(
        "--allow-definer", "allow_definers", multiple=True, metavar="USER@HOST",
        help="A trigger, routine or event may name this account as its DEFINER (repeatable; env"
             " SCHEMA_APPLY_ALLOW_DEFINER=a@h,b@h). Without it, only the applying account.")(func)


def _allow_drop_option(help_text: str):
    return click.option("--allow-drop", "allow_drop", multiple=True, is_flag=False, flag_value="*",
                        metavar="[KIND:NAME,...]", help=help_text)


def _permission_options(drop_help: str, secret_help: str):
    """--allow-definer, --allow-drop and --allow-secret-dependent: what the policy may let through."""
    def decorate(func):
        func = click.option("--allow-secret-dependent", is_flag=True, help=secret_help)(func)
        return _definer_option(_allow_drop_option(drop_help)(func))
    return decorate


_APPLY_DROP_HELP = "Permit destructive changes: all of them, or only those named (table:T, column:T.C)."
_APPLY_SECRET_HELP = "Permit changes to secret tables whose success depends on their rows (see README)."


def _reviewed_plan_option(help_text: str):
    return click.option("--plan", "reviewed_plan", metavar="FILE", help=help_text)


def _settings(**kw) -> Settings:
    # deferred: what settings are made of (the model, the change values…) is not needed for --help
    from .approvals import DropApprovals
    from .dsn import ssl_mode
    from .settings import (Settings, compile_regex, live_traffic_settings, parse_accounts, parse_context,
                           parse_prefixes)
    from .source import expected_digest
    context = tuple(kw.get("credstash_context") or ())
    if not context and os.environ.get("SCHEMA_APPLY_CREDSTASH_CONTEXT"):
        context = (os.environ["SCHEMA_APPLY_CREDSTASH_CONTEXT"],)
    prefixes = tuple(kw.get("secret_prefixes") or ())
    if not prefixes and os.environ.get("SCHEMA_APPLY_SECRET_PREFIX"):
        prefixes = (os.environ["SCHEMA_APPLY_SECRET_PREFIX"],)
    definers = tuple(kw.get("allow_definers") or ())
    if not definers and os.environ.get("SCHEMA_APPLY_ALLOW_DEFINER"):
        definers = (os.environ["SCHEMA_APPLY_ALLOW_DEFINER"],)
    lock_timeout = kw.get("lock_timeout", DEFAULT_LOCK_TIMEOUT)
    if lock_timeout is not None and lock_timeout < 0:
        raise UsageError("--lock-timeout: must be zero or more seconds")
    online, limits = live_traffic_settings(kw)
    return Settings(
        schema_file=str(kw.get("schema_file") or DEFAULT_SCHEMA_FILE),
        schema_sha256=expected_digest(kw.get("schema_sha256")),
        database_url=kw.get("database_url"),
        credstash_key=kw.get("credstash_key"),
        credstash_table=kw.get("credstash_table") or DEFAULT_CREDSTASH_TABLE,
        credstash_context=parse_context(context, source="--credstash-context"),
        secrets_manager_id=kw.get("secrets_manager_id"),
        ssl_ca=kw.get("ssl_ca"),
        ssl_mode=ssl_mode(kw.get("ssl_mode")),
        secret_prefixes=parse_prefixes(prefixes),
        tables=compile_regex(kw.get("tables_rx"), option="--tables"),
        ignore_tables=compile_regex(kw.get("ignore_rx"), option="--ignore-tables"),
        allow_drop=DropApprovals.parse(kw.get("allow_drop") or ()),
        allow_secret_dependent=bool(kw.get("allow_secret_dependent")),
        allow_definers=parse_accounts(definers, source="--allow-definer"),
        lock_timeout=DEFAULT_LOCK_TIMEOUT if lock_timeout is None else lock_timeout,
        output_format=kw.get("output_format") or "text",
        verbose=kw.get("verbose") or 0,
        dry_run=bool(kw.get("dry_run")),
        plan_out=kw.get("plan_out"),
        reviewed_plan=kw.get("reviewed_plan"),
        online=online,
        limits=limits,
    )


def _command(kw: dict, command: str, body) -> None:
    """Build the settings and the reporter from ``kw``, run ``body(settings, reporter)``, exit with
    its result's exit code; errors in either are reported alike (exits.run). An apply's audit line
    comes last, after everything else, however the apply ended (audit.py)."""
    from . import audit, report  # deferred: the reporters load the online-DDL model, which --help does not need
    shown = report.reporter(kw.get("output_format") or "text", command, color=_color())
    try:
        exits.run(lambda: body(_settings(**kw), shown), reporter=shown, verbose=kw.get("verbose") or 0)
    finally:
        audit.flush()


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


class _Group(click.Group):
    """The command group; usage errors (its own and its commands') are masked like all output, and the
    redaction is in front of stdout and stderr before the command line is even parsed."""

    def main(self, args=None, *pos, **kwargs):
        argv = sys.argv[1:] if args is None else list(args)
        with redaction.install(argv):
            try:
                return super().main(args, *pos, **kwargs)
            except Exception as exc:  # one that escaped click: reported as a command's are, redacted
                verbose = any(a in ("-v", "-vv", "-vvv", "--verbose") for a in argv)
                exits.run(functools.partial(_raise, exc), verbose=verbose)

    def make_context(self, *args, **kwargs):
        with exits.masked_usage_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        with exits.masked_usage_errors():
            return super().invoke(ctx)


def _raise(exc: Exception):
    raise exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="schema-apply")
def main() -> None:
    """Bring a live MySQL/MariaDB database to the schema declared in a Schemafile.

    \b
    exit codes: 0 success (plan: in sync), 1 error, 2 changes pending (plan/diff),
                3 refused by policy (a destructive change without --allow-drop, a change
                  that depends on secret rows without --allow-secret-dependent, the
                  firewall's rules for what a Schemafile builds, a change that blocks
                  writes on a large table),
                4 busy (the apply lock or a metadata lock did not come; safe to retry),
                5 stale (apply --plan: the Schemafile or the live schema changed),
                6 stopped (SIGTERM/SIGINT during apply)
    """
    # under run-task: standard output apart from the rest; `plan | head`: a closed pipe is no error
    redaction.wrap_below(lambda stream: ClosedPipeSafe(mark_stdout_if_asked(stream)))


@main.command()
@_connection_options
@_format_option
@_online_options
@_permission_options(_APPLY_DROP_HELP, _APPLY_SECRET_HELP)
@click.option("--out", "plan_out", metavar="FILE",
              help="Also write the plan file (JSON: Schemafile and live schema digests, statements) for apply --plan.")
@_reviewed_plan_option("Also check that the plan FILE still holds (exit 5 if not).")
def plan(**kw) -> None:
    """Print the changes and the DDL that apply would run. Changes nothing."""
    from . import commands  # deferred: the engine (parser, planner, guarded connection) only when a command runs
    _command(dict(kw, dry_run=True), "plan", commands.plan)


@main.command()
@_connection_options
@_format_option
@_online_options
@_run_options
@_permission_options(_APPLY_DROP_HELP, _APPLY_SECRET_HELP)
@click.option("--dry-run", is_flag=True, help="Plan only, as the plan command does.")
@_reviewed_plan_option("Apply only if the Schemafile, the live schema and the statements are still those of the "
                       "plan FILE (path or s3:// URI, from plan --out); else exit 5 and apply nothing.")
def apply(**kw) -> None:
    """Run the DDL that brings the database to the Schemafile, then verify."""
    from . import commands  # deferred: as for plan
    _command(kw, "plan" if kw.get("dry_run") else "apply",
             lambda settings, shown: (commands.plan if settings.dry_run else commands.apply)(settings, shown))


@main.command()
@_connection_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the Schemafile here instead of standard output.")
def export(output, **kw) -> None:
    """Print the live schema as a Schemafile."""
    from . import commands  # deferred: as for plan
    _command(kw, "export", lambda settings, _shown: commands.export(settings, output))


@main.command()
@click.argument("from_file", metavar="FROM.sql", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("to_file", metavar="TO.sql", type=click.Path(dir_okay=False, path_type=Path))
@_format_option
@_permission_options("Show destructive changes as allowed: all of them, or only those named.",
                     "Show changes to secret tables that depend on their rows as allowed.")
@click.option("--tables", "tables_rx", metavar="REGEX", help="Compare only tables whose whole name matches REGEX.")
@click.option("--ignore-tables", "ignore_rx", metavar="REGEX", help="Leave tables whose whole name matches REGEX out.")
@click.option("--flavor", default="mysql-8.0", show_default=True,
              help="Server the DDL is for, e.g. mysql-8.0, mysql-5.7, mariadb-10.11 (charset defaults).")
@click.option("-v", "--verbose", count=True)
def diff(from_file, to_file, flavor, **kw) -> None:
    """Offline: print the DDL that turns FROM.sql into TO.sql. No database."""
    from . import commands  # deferred: as for plan
    _command(kw, "diff", lambda settings, _shown: commands.diff(settings, from_file, to_file, flavor))


@main.command()
@click.argument("plan_file", metavar="PLAN.json")
@_format_option
def show(plan_file, output_format) -> None:
    """Show a saved plan (plan --out, or plan --format json) in another format. No database."""
    from . import planfile, report  # deferred: as for plan (the reporters, the plan file)

    def body() -> int:
        report.emit(report.render(planfile.read_document(plan_file), output_format, color=_color()))
        return 0

    exits.run(body)


@main.command("run-task", context_settings={"allow_interspersed_args": False})
@click.option("--env", "env_name", metavar="NAME", help="Use the [env.NAME] section of the config file.")
@click.option("--config", "config_file", default=DEFAULT_CONFIG_FILE, show_default=True, metavar="PATH",
              help="The file holding [env.NAME] sections.")
@click.option("--cluster", metavar="NAME", help="ECS cluster (env SCHEMA_APPLY_ECS_CLUSTER; required).")
@click.option("--task-definition", metavar="FAMILY[:REV]",
              help="Task definition (env SCHEMA_APPLY_ECS_TASK_DEFINITION; default: schema-apply).")
@click.option("--container", metavar="NAME",
              help="Container to run ARGS in (env SCHEMA_APPLY_ECS_CONTAINER; default: the essential one).")
@click.option("--subnet", "subnets", multiple=True, metavar="ID",
              help="Subnet, repeatable (env SCHEMA_APPLY_ECS_SUBNETS=ID,ID).")
@click.option("--security-group", "security_groups", multiple=True, metavar="ID",
              help="Security group, repeatable (env SCHEMA_APPLY_ECS_SECURITY_GROUPS=ID,ID).")
@click.option("--launch-type", type=click.Choice(LAUNCH_TYPES, case_sensitive=False),
              help="Launch type (env SCHEMA_APPLY_ECS_LAUNCH_TYPE; default: FARGATE).")
@click.option("--assign-public-ip/--no-assign-public-ip", default=None,
              help="Give the task a public IP (env SCHEMA_APPLY_ECS_ASSIGN_PUBLIC_IP; default: no).")
@click.option("--platform-version", metavar="V", help="Fargate platform version (env SCHEMA_APPLY_ECS_PLATFORM_VERSION).")
@click.option("--region", metavar="REGION", help="AWS region (default: AWS_REGION, then the profile's).")
@click.option("--profile", metavar="NAME", help="AWS profile (default: AWS_PROFILE).")
@click.option("--timeout", type=float, metavar="SECONDS",
              help="Wait at most this long for the task to stop (env SCHEMA_APPLY_ECS_TIMEOUT; default: 3600).")
@click.option("--poll-interval", type=float, metavar="SECONDS",
              help="Seconds between status and log reads (env SCHEMA_APPLY_ECS_POLL_INTERVAL; default: 5).")
@click.option("--schema-file", "schema_file", metavar="PATH",
              help="Upload this Schemafile to s3://BUCKET/PREFIX/<sha256>.sql and run the task on it "
                   "(default: the Schemafile in the image).")
@click.option("--schema-bucket", metavar="NAME", help="Bucket for --schema-file (env SCHEMA_APPLY_ECS_SCHEMA_BUCKET).")
@click.option("--schema-prefix", metavar="PREFIX",
              help="Key prefix for --schema-file (env SCHEMA_APPLY_ECS_SCHEMA_PREFIX; default: schemafiles).")
@click.option("--propagate-tags/--no-propagate-tags", default=None,
              help="Copy the task definition's tags to the task; needs ecs:TagResource "
                   "(env SCHEMA_APPLY_ECS_PROPAGATE_TAGS; default: no).")
@click.option("--no-wait", is_flag=True, help="Print the task ARN and exit without waiting.")
@click.option("-v", "--verbose", count=True, help="More detail on run-task's own errors.")
@click.argument("args", nargs=-1, type=click.UNPROCESSED, metavar="[--] [ARGS...]")
def run_task_command(env_name, config_file, schema_file, no_wait, verbose, args, **flags) -> None:
    """Launch this image as a one-shot ECS task, stream its log, exit with its code.

    \b
    run-task's own options come first; everything from the first argument that is
    not one of them (or everything after --) is the container's command:
      schema-apply run-task --env production -- plan
      schema-apply run-task --env production --schema-file Schemafile.sql -- apply -v
    The container's standard output comes out on standard output (clean JSON with
    --format json), its standard error and run-task's own notes on standard error.
    """
    from . import ecs_config, run_task  # deferred: the ECS launcher only for run-task

    # ARGS may hold a --database-url with its password, and so may the log: everything is masked
    def out(line: str) -> None:
        click.echo(redaction.redact_text(line))

    def err(line: str) -> None:
        click.echo(redaction.redact_text(line), err=True)

    def note(text: str) -> None:
        err(f"run-task: {text}")

    def body() -> int:
        config = ecs_config.load(flags, env_name=env_name, config_file=config_file)
        if no_wait:
            click.echo(run_task.launch(config, tuple(args), schema_file=schema_file).task_arn)
            return 0
        return run_task.run(config, tuple(args), out=out, err=err, note=note, schema_file=schema_file,
                            confirm=_confirm_on_terminal())

    exits.run(body, verbose=verbose)


def _confirm_on_terminal():
    if not sys.stdin.isatty():
        return None

    def confirm(question: str) -> bool:
        try:
            return click.confirm(question, default=False, err=True)
        except click.Abort:
            return False
    return confirm


def run() -> NoReturn:
    """The console script (and ``python -m schema_apply``): ``main``, tuned for a one-shot run.

    The cyclic garbage collector is tuned for one command (``collector``: what start-up loaded
    frozen out of its view, a collection every 50,000 allocations, none while the models are built).

    The exit: once the command is done, freeing its models object by object (a 1,000-table plan
    holds two schemas of some 400,000 objects) only delays the exit code, by 40 to 100 ms. So the
    process ends as mypy's does: standard output and error flushed, the ``atexit`` handlers run,
    then ``os._exit`` — unless a thread that a normal exit would wait for is still running, or the
    flush fails; then it exits the normal way, which reports that as it always did. (Tests call
    ``main`` and keep both defaults.)"""
    collector.one_shot()
    try:
        main()
    except SystemExit as done:
        status = done.code
    else:  # (click's standalone mode always ends in SystemExit)
        status = 0
    _exit_now(status)


def _exit_now(status) -> NoReturn:
    code = _exit_status(status)
    if code is None or any(t.is_alive() and not t.daemon for t in threading.enumerate()
                           if t is not threading.main_thread()):
        sys.exit(status)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # noqa: BLE001 - the normal exit reports a failed flush (and its exit code)
        sys.exit(status)
    atexit._run_exitfuncs()
    os._exit(code)


def _exit_status(status) -> int | None:
    """The exit code ``sys.exit(status)`` gives, when it prints nothing (None: it would print)."""
    if status is None:
        return 0
    if isinstance(status, int) and not isinstance(status, bool) and 0 <= status <= 255:
        return status
    return None
