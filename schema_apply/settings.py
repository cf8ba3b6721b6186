"""One settings object built from flags and ``SCHEMA_APPLY_*`` variables (a flag wins)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .approvals import DropApprovals
from .errors import UsageError

DEFAULT_SCHEMA_FILE = "Schemafile.sql"
DEFAULT_CREDSTASH_TABLE = "credential-store"
DEFAULT_SECRET_PREFIXES = ("secret_",)
DEFAULT_LOCK_TIMEOUT = 60.0
FORMATS = ("text", "json", "sql", "markdown")


@dataclass(frozen=True)
class Settings:
    schema_file: str = DEFAULT_SCHEMA_FILE  # a path, or an s3:// URI (source.py)
    schema_sha256: str | None = None  # refuse a Schemafile whose SHA-256 differs
    database_url: str | None = field(default=None, repr=False)
    credstash_key: str | None = None
    credstash_table: str = DEFAULT_CREDSTASH_TABLE
    credstash_context: tuple[tuple[str, str], ...] = ()
    secrets_manager_id: str | None = None
    ssl_ca: str | None = None
    ssl_mode: str | None = None  # one of dsn.SSL_MODES; None: verify-identity with --ssl-ca, preferred without
    secret_prefixes: tuple[str, ...] = DEFAULT_SECRET_PREFIXES
    tables: re.Pattern | None = None
    ignore_tables: re.Pattern | None = None
    allow_drop: DropApprovals = DropApprovals()
    allow_secret_dependent: bool = False
    # accounts a stored program may name as its DEFINER besides the applying one (--allow-definer)
    allow_definers: tuple[str, ...] = ()
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT
    output_format: str = "text"
    verbose: int = 0
    dry_run: bool = False
    plan_out: str | None = None  # plan --out: write the plan file here
    reviewed_plan: str | None = None  # apply --plan: apply only if this plan still holds

    def manages(self, table: str) -> bool:
        """Whether --tables / --ignore-tables leave ``table`` to us: the pattern must match the whole
        name (anchored, as sqldef does), so ``--tables shops`` does not take ``followed_shops``."""
        if self.tables is not None and not self.tables.fullmatch(table):
            return False
        if self.ignore_tables is not None and self.ignore_tables.fullmatch(table):
            return False
        return True


def parse_context(items: tuple[str, ...] | list[str], *, source: str) -> tuple[tuple[str, str], ...]:
    """``K=V`` items (a variable may hold several, comma-separated) -> pairs."""
    pairs: list[tuple[str, str]] = []
    for item in items:
        for piece in item.split(","):
            piece = piece.strip()
            if not piece:
                continue
            key, sep, value = piece.partition("=")
            if not sep or not key.strip():
                raise UsageError(f"{source}: expected K=V, got {piece!r}")
            pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


def compile_regex(pattern: str | None, *, option: str) -> re.Pattern | None:
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise UsageError(f"{option}: not a valid regular expression: {exc}")


def parse_accounts(values: tuple[str, ...] | list[str], *, source: str) -> tuple[str, ...]:
    """``user@host`` items (a variable may hold several, comma-separated); quotes allowed."""
    out: list[str] = []
    for value in values:
        for piece in value.split(","):
            piece = piece.strip()
            if not piece:
                continue
            if "@" not in piece:
                raise UsageError(f"{source}: expected an account as user@host, got {piece!r}")
            out.append(piece)
    return tuple(out)


def parse_prefixes(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        for piece in value.split(","):
            piece = piece.strip()
            if piece and piece not in out:
                out.append(piece)
    return tuple(out) or DEFAULT_SECRET_PREFIXES
