"""From a command's result or error to the process's exit code (DESIGN.md), in one place.

A command body returns a ``Result`` (its ``exit_code`` is the rule) or a plain exit code; a
``SchemaApplyError`` carries its own; anything else is a bug, reported without a traceback
(which could quote data) unless ``-v`` asks for one. Every message is redacted.
"""

from __future__ import annotations

import sys
import traceback
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, NoReturn

import click

from .errors import EXIT_ERROR, SchemaApplyError
from .firewall.redaction import redact_text

if TYPE_CHECKING:  # annotations only: a Result is told from a plain exit code without its class
    from .result import Result

EXIT_INTERRUPTED = 130  # Ctrl-C outside an apply, as shells report SIGINT


class _Plain:
    """How errors are shown when there is no reporter (run-task, or settings that could not be built)."""

    def failed(self, error: SchemaApplyError) -> None:
        click.echo(f"error: {redact_text(str(error))}", err=True)
        if error.hint:
            click.echo(f"hint: {redact_text(error.hint)}", err=True)


def run(body: Callable[[], Result | int | None], *, reporter=None, verbose: int = 0) -> NoReturn:
    """Run a command body; show its result or error through ``reporter``; exit with the code."""
    shown = reporter or _Plain()
    try:
        outcome = body()
        if outcome is None or isinstance(outcome, int):  # a plain exit code
            code = outcome or 0
        else:  # a Result: its exit code is the rule
            shown.finished(outcome)
            code = outcome.exit_code
    except SchemaApplyError as exc:
        shown.failed(exc)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # a bug: say so, without a traceback that could quote data
        click.echo(f"error: internal error: {type(exc).__name__}: {redact_text(str(exc))}", err=True)
        if verbose:
            click.echo(redact_text("".join(traceback.format_exception(exc))), err=True)
        else:
            click.echo("hint: run again with -v for details, and report it as a bug", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(code)


@contextmanager
def masked_usage_errors():
    """click prints usage errors itself, quoting the argument at fault — which can be a database URL
    with its password (``schema-apply plan mysql://app:pw@db/app`` forgets ``--database-url``)."""
    try:
        yield
    except click.ClickException as exc:
        exc.message = redact_text(exc.message)
        if isinstance(exc, click.UsageError):
            exc.exit_code = EXIT_ERROR  # bad input is 1; 2 means "changes pending" (DESIGN.md)
        raise
