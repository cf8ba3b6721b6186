"""`schema-apply run-task`: launch this image as a one-shot ECS task (placeholder)."""

import click


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def command(args) -> None:
    """Launch this image as a one-shot ECS task, stream its log, exit with its code."""
    raise click.ClickException("run-task is not implemented yet")
