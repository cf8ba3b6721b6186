"""What a plan, diff or apply produced: one result object, whose ``exit_code`` is the only rule.

Commands build a ``Result``; reporters (``report``) show it; the CLI exits with
``result.exit_code``. Nothing else decides an exit code from a plan.

An apply records one ``Outcome`` per statement. Statuses: ``applied``, ``failed``,
``not run`` (never sent), ``killed`` (stopped by us on the server: a stop signal's grace period
or the deadline ran out) and ``unknown`` (sent, but whether the server finished it is not
known: the connection dropped). After a lost connection or a kill the run reads the schema
back and marks each outcome ``checked``: ``applied`` if the statement took effect. A duration is ``None``
for a statement on a secret table (how long its DDL takes tells how big it is). A run that
ends early — a failed statement, a stop signal, a busy lock, a stale plan — carries the error
that ended it; the error's class names its exit code (errors.py).
"""

from __future__ import annotations

from dataclasses import field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from .errors import EXIT_ERROR, EXIT_OK, EXIT_PENDING, EXIT_REFUSED, SchemaApplyError
from .fingerprint import schema_digest
from .model import Schema
from .values import mutable

if TYPE_CHECKING:  # annotations only: reporting (``show`` of a saved plan) loads no planner
    from .plan import Plan, Statement

Status = Literal["running", "applied", "failed", "not run", "killed", "unknown"]


@mutable
class Outcome:
    """What happened to one statement during apply."""

    statement: Statement
    status: Status
    seconds: float | None = None  # None for a statement on a secret table: its duration tracks its size
    error: str | None = None
    code: int | None = None  # the server's error number
    # what the server said about an applied statement (SHOW WARNINGS): a silent change the model missed
    warnings: tuple[str, ...] = ()
    checked: bool = False  # read back from the server after a lost connection or a kill
    attempts: int = 1  # 1 + the retries after metadata-lock timeouts


@mutable
class Context:
    """Where a result comes from: the names a report shows, and the digests a plan record keeps."""

    command: str  # "plan", "apply", "diff"
    database: str
    server: str  # the flavor's name, e.g. "MariaDB 10.11.19" or "mysql-8.0 (offline)"
    schema_file: str
    notes: list[str] = field(default_factory=list)
    schema_sha256: str | None = None  # of the Schemafile's bytes
    live: Schema | None = field(default=None, repr=False, compare=False)  # the schema planned from

    @cached_property
    def live_sha256(self) -> str | None:
        """Of the live schema's compared model (``fingerprint.schema_digest``), computed when first
        asked for — by a plan file, a JSON or markdown report, ``apply --plan`` — and never for a
        text report, which does not show it (at 1,000 tables it costs about 0.3 s)."""
        return None if self.live is None else schema_digest(self.live)


@mutable
class Result:
    context: Context
    plan: Plan
    outcomes: list[Outcome] | None = None  # None: nothing was sent (plan, diff, a refused apply)
    error: SchemaApplyError | None = None  # what ended the run early, if anything
    # an apply that did not finish (apply.Account): how it ended, constraints it left missing
    # (dropped for a change that did not happen: said loudly), and what the run noticed
    state: str | None = None
    missing_constraints: list[str] = field(default_factory=list)
    run_notes: list[str] = field(default_factory=list)
    blockers: list[dict] = field(default_factory=list)

    @property
    def applying(self) -> bool:
        return self.outcomes is not None

    @property
    def exit_code(self) -> int:
        if self.error is not None:
            return self.error.exit_code
        if self.outcomes and any(o.status in ("failed", "unknown", "killed") for o in self.outcomes):
            return EXIT_ERROR
        if self.plan.refused:
            return EXIT_REFUSED
        if not self.applying and self.plan.changes:
            return EXIT_PENDING
        return EXIT_OK
