"""The one error root of schema-apply, and the documented exit codes.

Every failure the tool reports on purpose is a ``SchemaApplyError``: the CLI
prints its message (never a traceback) and exits with its ``exit_code``.
Messages must never contain secret values: callers build them from names,
codes and already-redacted server text only.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_PENDING = 2  # plan/diff: changes pending
EXIT_REFUSED = 3  # refused by policy; nothing applied
EXIT_BUSY = 4  # the apply lock or a metadata lock did not come; nothing more applied, safe to retry
EXIT_STALE = 5  # apply --plan: the live schema or the Schemafile changed since the plan was made
EXIT_STOPPED = 6  # SIGTERM/SIGINT during apply; the report says what ran


class SchemaApplyError(Exception):
    """Base of every error the tool reports; exit code 1 unless overridden."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(SchemaApplyError):
    """Bad options or bad combination of options."""


class ParseError(SchemaApplyError):
    """The Schemafile cannot be read; names the file, line and object."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: int | None = None, obj: str | None = None, hint: str | None = None):
        self.file = file
        self.line = line
        self.column = column
        self.obj = obj
        self.reason = message
        where = ""
        if file:
            where = file
            if line:
                where += f":{line}"
                if column:
                    where += f":{column}"
            where += ": "
        what = f"{obj}: " if obj else ""
        super().__init__(f"{where}{what}{message}", hint=hint)


class UnsupportedError(ParseError):
    """The Schemafile declares something schema-apply does not manage (yet)."""


class ConnectionError_(SchemaApplyError):
    """Cannot reach or log in to the database server."""


class CredentialError(SchemaApplyError):
    """Cannot obtain database credentials (credstash, Secrets Manager, URL)."""


class ServerError(SchemaApplyError):
    """The server refused a statement. ``code`` is the server's error number."""

    def __init__(self, message: str, *, code: int | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.code = code


class LockTimeout(SchemaApplyError):
    """Another run holds the apply lock, or a metadata lock could not be taken: busy, safe to retry."""

    exit_code = EXIT_BUSY


class StalePlan(SchemaApplyError):
    """``apply --plan``: the live schema or the Schemafile changed since the plan was made."""

    exit_code = EXIT_STALE


class SecretAccessRefused(SchemaApplyError):
    """The guarded connection refused a statement that could read secret rows."""


class PolicyRefused(SchemaApplyError):
    """A change is refused by policy (destructive without --allow-drop, empty schema)."""

    exit_code = EXIT_REFUSED


class DigestMismatch(SchemaApplyError):
    """A file's SHA-256 is not the one it was sent with (a Schemafile in S3 changed after upload)."""


class StatementFailed(SchemaApplyError):
    """The server refused a statement during apply; the report says what ran and what did not."""


class VerifyFailed(SchemaApplyError):
    """After apply, the live schema still differs from the Schemafile (a bug)."""


class RunTaskError(SchemaApplyError):
    """The ECS task could not be started, or failed before the container ran."""
