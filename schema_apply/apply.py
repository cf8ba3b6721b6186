"""Apply a plan through the guarded connection, one statement at a time, then verify.

On failure it stops and says which statements ran, which failed (with the
server's error code and redacted message) and which did not run. After a
successful run it introspects again and requires an empty diff: anything
left is a bug to report, not to hide.
"""

from __future__ import annotations

import os
import time
from typing import Callable

from .connection import GuardedConnection
from .diff import diff
from .errors import ServerError, VerifyFailed
from .model import Schema
from .plan import Plan
from .result import Outcome

# DDL waits at most this long for a metadata lock (a long transaction on the
# table), so that it cannot queue the application's queries behind it.
DEFAULT_DDL_LOCK_WAIT = 10


def ddl_lock_wait_timeout() -> int:
    try:
        return max(1, int(os.environ.get("SCHEMA_APPLY_DDL_LOCK_WAIT_TIMEOUT", DEFAULT_DDL_LOCK_WAIT)))
    except ValueError:
        return DEFAULT_DDL_LOCK_WAIT


def run_statements(conn: GuardedConnection, plan: Plan,
                   progress: Callable[[int, Outcome | None, str], None] | None = None) -> list[Outcome]:
    """Run every statement; stop at the first failure. ``progress(k, outcome, phase)``
    is called with phase "start" before and "done" after each statement."""
    conn.execute(f"SET SESSION lock_wait_timeout = {ddl_lock_wait_timeout()}")
    outcomes: list[Outcome] = []
    statements = list(plan.statements)
    for k, statement in enumerate(statements):
        if progress:
            progress(k, Outcome(statement, "running"), "start")
        started = time.monotonic()
        secret = any(conn.policy.is_secret(c.table) for c in statement.changes)

        def took() -> float | None:  # how long a DDL on a secret table takes says how big it is
            return None if secret else time.monotonic() - started
        try:
            conn.execute(statement.sql)
        except ServerError as exc:
            error = str(exc)
            if exc.code in (1205, 1206):
                error += (f" — the DDL waited {ddl_lock_wait_timeout()}s for a metadata lock"
                          " held by another session (a long-running transaction?)")
            outcome = Outcome(statement, "failed", took(), error, exc.code)
            outcomes.append(outcome)
            if progress:
                progress(k, outcome, "done")
            outcomes.extend(Outcome(s, "not run") for s in statements[k + 1:])
            return outcomes
        outcome = Outcome(statement, "applied", took(), warnings=_about_the_statement(conn.warnings()))
        outcomes.append(outcome)
        if progress:
            progress(k, outcome, "done")
    return outcomes


# Warnings about the server's state, not about what a statement made: MariaDB warns on every CREATE
# or ALTER EVENT while the event scheduler is off (the event is created as declared; whether it
# runs is the server's setting, not the schema's).
_SERVER_STATE = ("Warning 1105: Event scheduler is switched off",)


def _about_the_statement(warnings: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(w for w in warnings if not w.startswith(_SERVER_STATE))


def verify(after: Schema, desired: Schema) -> None:
    """The live schema after apply must plan nothing."""
    left = diff(after, desired)
    if left:
        described = "; ".join(c.describe() for c in left[:10])
        more = f" (and {len(left) - 10} more)" if len(left) > 10 else ""
        raise VerifyFailed(f"after apply, the database still differs from the Schemafile: {described}{more}",
                           hint="this is a bug in schema-apply; please report it with the plan output")
