"""The command line: a thin layer of click over one Settings object.

Every command body lives elsewhere (``schema_apply.commands``); this module
only turns flags and ``SCHEMA_APPLY_*`` variables into Settings, and turns
errors into messages and the exit codes of DESIGN.md.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from . import __version__
from .errors import EXIT_ERROR, SchemaApplyError, UsageError
from .settings import (DEFAULT_CREDSTASH_TABLE, DEFAULT_LOCK_TIMEOUT, DEFAULT_SCHEMA_FILE, FORMATS, Settings,
                       compile_regex, parse_accounts, parse_context, parse_prefixes)


def _connection_options(func):
    options = [
        click.option("--schema-file", envvar="SCHEMA_APPLY_SCHEMA_FILE", default=DEFAULT_SCHEMA_FILE,
                     show_default=True, type=click.Path(dir_okay=False, path_type=Path),
                     help="The Schemafile (env SCHEMA_APPLY_SCHEMA_FILE)."),
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
                     help="Connect over TLS and verify the server with this CA bundle."),
        click.option("--secret-prefix", "secret_prefixes", multiple=True, metavar="P",
                     help="Tables whose names start with P hold personal data (repeatable; default secret_)."),
        click.option("--tables", "tables_rx", metavar="REGEX", help="Manage only tables matching REGEX."),
        click.option("--ignore-tables", "ignore_rx", metavar="REGEX", help="Leave tables matching REGEX alone."),
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


def _definer_option(func):
    return click.option(
        "--allow-definer", "allow_definers", multiple=True, metavar="USER@HOST",
        help="A trigger, routine or event may name this account as its DEFINER (repeatable; env"
             " SCHEMA_APPLY_ALLOW_DEFINER=a@h,b@h). Without it, only the applying account.")(func)


def _settings(**kw) -> Settings:
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
    return Settings(
        schema_file=kw.get("schema_file") or Path(DEFAULT_SCHEMA_FILE),
        database_url=kw.get("database_url"),
        credstash_key=kw.get("credstash_key"),
        credstash_table=kw.get("credstash_table") or DEFAULT_CREDSTASH_TABLE,
        credstash_context=parse_context(context, source="--credstash-context"),
        secrets_manager_id=kw.get("secrets_manager_id"),
        ssl_ca=kw.get("ssl_ca"),
        secret_prefixes=parse_prefixes(prefixes),
        tables=compile_regex(kw.get("tables_rx"), option="--tables"),
        ignore_tables=compile_regex(kw.get("ignore_rx"), option="--ignore-tables"),
        allow_drop=bool(kw.get("allow_drop")),
        allow_definers=parse_accounts(definers, source="--allow-definer"),
        lock_timeout=DEFAULT_LOCK_TIMEOUT if lock_timeout is None else lock_timeout,
        output_format=kw.get("output_format") or "text",
        verbose=kw.get("verbose") or 0,
        dry_run=bool(kw.get("dry_run")),
        color=sys.stdout.isatty() and "NO_COLOR" not in os.environ,
    )


def _command(kw: dict, body) -> None:
    """Build the settings from ``kw`` and run ``body(settings)``; errors in either are reported alike."""
    _run(lambda: body(_settings(**kw)), kw.get("verbose") or 0)


def _run(body, verbose: int = 0) -> None:
    """Run a command body; turn its result or error into an exit code."""
    from .redact import redact_text  # the one place output is scrubbed
    try:
        code = body()
    except SchemaApplyError as exc:
        click.echo(f"error: {redact_text(str(exc))}", err=True)
        if exc.hint:
            click.echo(f"hint: {redact_text(exc.hint)}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so, without a traceback that could quote data
        click.echo(f"error: internal error: {type(exc).__name__}: {redact_text(str(exc))}", err=True)
        if verbose:
            import traceback
            click.echo(redact_text("".join(traceback.format_exception(exc))), err=True)
        else:
            click.echo("hint: run again with -v for details, and report it as a bug", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(code or 0)


@contextmanager
def _masked_usage_errors():
    """click prints usage errors itself, quoting the argument at fault — which can be a database URL
    with its password (``schema-apply plan mysql://app:pw@db/app`` forgets ``--database-url``)."""
    try:
        yield
    except click.ClickException as exc:
        from .redact import redact_text
        exc.message = redact_text(exc.message)
        if isinstance(exc, click.UsageError):
            exc.exit_code = EXIT_ERROR  # bad input is 1; 2 means "changes pending" (DESIGN.md)
        raise


class _Group(click.Group):
    """The command group; usage errors (its own and its commands') are masked like all output."""

    def make_context(self, *args, **kwargs):
        with _masked_usage_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        with _masked_usage_errors():
            return super().invoke(ctx)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="schema-apply")
def main() -> None:
    """Bring a live MySQL/MariaDB database to the schema declared in a Schemafile.

    \b
    exit codes: 0 success (plan: in sync), 1 error, 2 changes pending (plan/diff),
                3 refused by policy (destructive change without --allow-drop)
    """


@main.command()
@_connection_options
@_format_option
@_definer_option
@click.option("--allow-drop", is_flag=True, help="Permit destructive changes.")
def plan(**kw) -> None:
    """Print the changes and the DDL that apply would run. Changes nothing."""
    from . import commands
    _command(dict(kw, dry_run=True), commands.plan)


@main.command()
@_connection_options
@_format_option
@_definer_option
@click.option("--allow-drop", is_flag=True, help="Permit destructive changes.")
@click.option("--dry-run", is_flag=True, help="Plan only, as the plan command does.")
def apply(**kw) -> None:
    """Run the DDL that brings the database to the Schemafile, then verify."""
    from . import commands
    _command(kw, lambda settings: commands.plan(settings) if settings.dry_run else commands.apply(settings))


@main.command()
@_connection_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the Schemafile here instead of standard output.")
def export(output, **kw) -> None:
    """Print the live schema as a Schemafile."""
    from . import commands
    _command(kw, lambda settings: commands.export(settings, output))


@main.command()
@click.argument("from_file", metavar="FROM.sql", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("to_file", metavar="TO.sql", type=click.Path(dir_okay=False, path_type=Path))
@_format_option
@_definer_option
@click.option("--allow-drop", is_flag=True, help="Show destructive changes as allowed.")
@click.option("--tables", "tables_rx", metavar="REGEX", help="Compare only tables matching REGEX.")
@click.option("--ignore-tables", "ignore_rx", metavar="REGEX", help="Leave tables matching REGEX out.")
@click.option("--flavor", default="mysql-8.0", show_default=True,
              help="Server the DDL is for, e.g. mysql-8.0, mysql-5.7, mariadb-10.11 (charset defaults).")
@click.option("-v", "--verbose", count=True)
def diff(from_file, to_file, flavor, **kw) -> None:
    """Offline: print the DDL that turns FROM.sql into TO.sql. No database."""
    from . import commands
    _command(kw, lambda settings: commands.diff(settings, from_file, to_file, flavor))


def _register_run_task() -> None:
    from .run_task import command
    main.add_command(command, "run-task")


_register_run_task()
