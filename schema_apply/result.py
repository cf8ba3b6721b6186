"""What a plan, diff or apply produced: one result object, whose ``exit_code`` is the only rule.

Commands build a ``Result``; reporters (``report``) show it; the CLI exits with
``result.exit_code``. Nothing else decides an exit code from a plan.

An apply records one ``Outcome`` per statement. Statuses: ``applied``, ``failed``,
``not run`` (never sent) and ``unknown`` (sent, but whether the server finished it is not
known: the connection dropped or the run was stopped mid-statement). A duration is ``None``
for a statement on a secret table (how long its DDL takes tells how big it is). A run that
ends early — a failed statement, a stop signal, a busy lock, a stale plan — carries the error
that ended it; the error's class names its exit code (errors.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .errors import EXIT_ERROR, EXIT_OK, EXIT_PENDING, EXIT_REFUSED, SchemaApplyError
from .plan import Plan, Statement

Status = Literal["running", "applied", "failed", "not run", "unknown"]


@dataclass
class Outcome:
    """What happened to one statement during apply."""

    statement: Statement
    status: Status
    seconds: float | None = None  # None for a statement on a secret table: its duration tracks its size
    error: str | None = None
    code: int | None = None  # the server's error number


@dataclass
class Context:
    """Where a result comes from: the names a report shows, and the digests a plan record keeps."""

    command: str  # "plan", "apply", "diff"
    database: str
    server: str  # the flavor's name, e.g. "MariaDB 10.11.19" or "mysql-8.0 (offline)"
    schema_file: str
    notes: list[str] = field(default_factory=list)
    schema_sha256: str | None = None  # of the Schemafile's bytes
    live_sha256: str | None = None  # of the live schema's compared model (digest.schema_digest)


@dataclass
class Result:
    context: Context
    plan: Plan
    outcomes: list[Outcome] | None = None  # None: nothing was sent (plan, diff, a refused apply)
    error: SchemaApplyError | None = None  # what ended the run early, if anything

    @property
    def applying(self) -> bool:
        return self.outcomes is not None

    @property
    def exit_code(self) -> int:
        if self.error is not None:
            return self.error.exit_code
        if self.outcomes and any(o.status in ("failed", "unknown") for o in self.outcomes):
            return EXIT_ERROR
        if self.plan.refused:
            return EXIT_REFUSED
        if not self.applying and self.plan.changes:
            return EXIT_PENDING
        return EXIT_OK
