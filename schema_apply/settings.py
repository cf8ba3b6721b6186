"""One settings object built from flags and ``SCHEMA_APPLY_*`` variables (a flag wins)."""

from __future__ import annotations

import re
from dataclasses import field

from .approvals import DropApprovals
from .defaults import DEFAULT_CREDSTASH_TABLE, DEFAULT_LOCK_TIMEOUT, DEFAULT_SCHEMA_FILE, DEFAULT_SECRET_PREFIXES
from .errors import UsageError
from .limits import DEFAULT_DDL_LOCK_WAIT, DEFAULT_DDL_RETRIES, DEFAULT_STOP_GRACE, RunLimits, parse_duration
from .online import BlockingPolicy, ClausePolicy, OnlineSettings, parse_size
from .values import frozen


@frozen
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
    online: OnlineSettings = OnlineSettings()  # --algorithm, --lock, --max-blocking-size, --allow-blocking, --pt-osc-*
    limits: RunLimits = RunLimits()  # --ddl-lock-wait, --ddl-retries, --stop-grace, --deadline

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


def live_traffic_settings(kw: dict) -> tuple[OnlineSettings, RunLimits]:
    """The online-DDL policy and the run limits from the CLI's values (defaults where absent)."""
    min_size = kw.get("pt_osc_min_size")
    blocking = BlockingPolicy(
        max_blocking_size=parse_size(kw.get("max_blocking_size") or "32M", "--max-blocking-size"),
        allow_blocking=compile_regex(kw.get("allow_blocking"), option="--allow-blocking"),
        wrapper_tables=compile_regex(kw.get("pt_osc_tables"), option="--pt-osc-tables"),
        wrapper_min_size=parse_size(min_size, "--pt-osc-min-size") if min_size else None)
    online = OnlineSettings(ClausePolicy(kw.get("algorithm") or "auto", kw.get("alter_lock") or "auto"), blocking)
    lock_wait = parse_duration(kw.get("ddl_lock_wait") or DEFAULT_DDL_LOCK_WAIT, "--ddl-lock-wait")
    if lock_wait < 1:
        raise UsageError("--ddl-lock-wait: at least 1 second (the server counts lock_wait_timeout in seconds)")
    limits = RunLimits(ddl_lock_wait=lock_wait, ddl_retries=int(kw.get("ddl_retries", DEFAULT_DDL_RETRIES)),
                       stop_grace=parse_duration(kw.get("stop_grace") or DEFAULT_STOP_GRACE, "--stop-grace"),
                       deadline=parse_duration(kw.get("deadline") if kw.get("deadline") is not None else "6h",
                                               "--deadline", allow_none=True))
    return online, limits
