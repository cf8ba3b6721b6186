"""The audit line: every apply ends with one JSON line on stderr, for CloudWatch.

    {"audit": "schema-apply", "version": 1, "command": "apply", "started": "…Z", "ended": "…Z",
     "caller": {"arn": …, "account": …, "user_id": …}, "schema_file": …, "schema_sha256": …,
     "database": …, "server": …, "outcome": "done|failed|busy|stopped|deadline|lost|refused|in_sync|error",
     "exit_code": 0, "error": null, "missing_constraints": [],
     "statements": [{"table": …, "step": …, "changes": ["add column t.c"], "outcome": "applied",
                     "seconds": 0.012, "checked": false}]}

It goes to **stderr**, always (the awslogs driver sends stdout and stderr to the same log stream,
and CloudWatch Logs Insights parses a line that is JSON: ``filter audit = "schema-apply"``), so
``--format json`` keeps stdout to its one report object. The caller is the AWS identity the task
runs as (STS GetCallerIdentity), asked only when AWS is in use — credstash, Secrets Manager, or
AWS credentials in the environment — with short timeouts; a failure is recorded, never fatal.
Durations of statements on secret tables are withheld (null), as everywhere. There is no history
table: writing one needs INSERT, which the DDL-only grant and the firewall both exclude.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import aws
from .errors import EXIT_BUSY, EXIT_ERROR, EXIT_OK, EXIT_REFUSED, EXIT_STALE, EXIT_STOPPED, SchemaApplyError
from .firewall.redaction import redact_text
from .result import Result
from .settings import Settings

AUDIT_VERSION = 1
_AWS_HINTS = ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_ACCESS_KEY_ID",
              "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def schema_sha256(name: str) -> str | None:
    """Of a local Schemafile's bytes (one in S3 is recorded when it has been read, with its plan)."""
    try:
        return hashlib.sha256(Path(name).read_bytes()).hexdigest()
    except OSError:
        return None


def uses_aws(settings: Settings) -> bool:
    return bool(settings.credstash_key or settings.secrets_manager_id or any(os.environ.get(v) for v in _AWS_HINTS))


def caller_identity() -> dict:
    """The AWS identity we run as, or {"error": …}."""
    try:
        sess = aws.session()
        found = aws.client(sess, "sts").get_caller_identity()
        return {"arn": found.get("Arn"), "account": found.get("Account"), "user_id": found.get("UserId")}
    except Exception as exc:  # noqa: BLE001 — an audit detail, never a reason to fail the apply
        return {"error": f"STS GetCallerIdentity failed: {type(exc).__name__}"}


class AuditRecord:
    """Filled in as the apply goes; written once at the end."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.doc = {"audit": "schema-apply", "version": AUDIT_VERSION, "command": "apply",
                          "started": _now(), "ended": None, "caller": None,
                          "schema_file": str(settings.schema_file),
                          "schema_sha256": schema_sha256(settings.schema_file),
                          "database": None, "server": None, "outcome": None, "exit_code": None, "error": None,
                          "missing_constraints": [], "statements": []}

    def planned(self, result) -> None:
        """The plan is known (result.Result, nothing run yet)."""
        plan = result.plan
        self.doc["database"], self.doc["server"] = result.context.database, result.context.server
        self.doc["statements"] = [_statement(st, "not run") for st in plan.statements]
        self.doc["outcome"] = "refused" if plan.refused else ("in_sync" if plan.in_sync else None)

    def ran(self, result) -> None:
        """The statements ran (result.Result with its outcomes)."""
        self.doc["statements"] = [_statement(o.statement, o.status, o) for o in result.outcomes or []]
        self.doc["outcome"] = result.state
        self.doc["missing_constraints"] = list(result.missing_constraints)

    def finish(self, exit_code: int, error: str | None = None) -> str:
        self.doc["ended"] = _now()
        self.doc["exit_code"] = exit_code
        if error is not None:
            self.doc["error"] = error
        if self.doc["outcome"] in (None, "done", "in_sync") and exit_code != EXIT_OK or self.doc["outcome"] is None:
            self.doc["outcome"] = _OUTCOMES.get(exit_code, "error")
        if uses_aws(self.settings):
            self.doc["caller"] = caller_identity()
        return redact_text(json.dumps(self.doc, ensure_ascii=False, separators=(",", ":")))


_OUTCOMES = {EXIT_OK: "done", EXIT_REFUSED: "refused", EXIT_BUSY: "busy", EXIT_STALE: "stale", EXIT_STOPPED: "stopped"}


def _statement(st, status: str, outcome=None) -> dict:
    return {"table": st.table, "step": st.step, "changes": [c.describe() for c in st.changes],
            "via": st.via, "outcome": status,
            "seconds": None if outcome is None or outcome.seconds is None else round(outcome.seconds, 3),
            "checked": bool(outcome and outcome.checked), "attempts": outcome.attempts if outcome else 0}


_pending: list[str] = []


def audited(settings: Settings, body: Callable[[AuditRecord], "Result"]) -> "Result":
    """Run ``body``; its audit line is written by :func:`flush` — the CLI calls it last, after
    any error message, so that the line ends the output however the apply ends."""
    record = AuditRecord(settings)
    code, error = EXIT_ERROR, None
    try:
        result = body(record)
        code = result.exit_code
        error = None if result.error is None else str(result.error)
        if result.context.schema_sha256:
            record.doc["schema_sha256"] = result.context.schema_sha256
        return result
    except SchemaApplyError as exc:
        code, error = exc.exit_code, str(exc)
        raise
    except BaseException as exc:
        error = f"internal error: {type(exc).__name__}" if not isinstance(exc, KeyboardInterrupt) else "interrupted"
        raise
    finally:
        _pending.append(record.finish(code, error))


def flush() -> None:
    """Write the pending audit line (if an apply ran), on stderr."""
    while _pending:
        sys.stderr.write(_pending.pop(0) + "\n")
        sys.stderr.flush()
