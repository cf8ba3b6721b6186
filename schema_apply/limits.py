"""How long an apply may wait, and for what: the run-time limits of live-traffic safety.

* ``ddl_lock_wait`` — each DDL statement waits at most this long for its metadata lock
  (``lock_wait_timeout`` of our session). While it waits, the application's queries on the table
  queue behind it, so this is also the longest stall one attempt can cause.
* ``ddl_retries`` — how many more attempts after a lock-wait timeout, with exponential backoff and
  jitter between them (the application runs freely meanwhile). The worst stall is thus bounded by
  ``ddl_lock_wait`` × (1 + ``ddl_retries``), in separate bursts; then the run gives up (exit 4).
* ``stop_grace`` — after SIGTERM/SIGINT, how long the running statement may take to finish before
  it is killed on the server. ECS sends SIGKILL ``stopTimeout`` seconds after SIGTERM (120 in
  ``ecs/task-definition.json``): the grace plus killing and reporting must fit in it.
* ``deadline`` — the whole apply, from the start: the running statement is killed when it passes.
"""

from __future__ import annotations

import re
import time

from .defaults import DEFAULT_DDL_LOCK_WAIT, DEFAULT_DDL_RETRIES, DEFAULT_STOP_GRACE
from .errors import UsageError
from .values import frozen

DEFAULT_DEADLINE = 6 * 3600.0


@frozen
class RunLimits:
    ddl_lock_wait: float = DEFAULT_DDL_LOCK_WAIT
    ddl_retries: int = DEFAULT_DDL_RETRIES
    stop_grace: float = DEFAULT_STOP_GRACE
    deadline: float | None = DEFAULT_DEADLINE  # seconds; None: no overall limit


class Deadline:
    """The moment the run must end."""

    def __init__(self, seconds: float | None, *, clock=time.monotonic):
        self.clock = clock
        self.seconds = seconds
        self.at = None if seconds is None else clock() + seconds

    def remaining(self) -> float | None:
        return None if self.at is None else max(0.0, self.at - self.clock())

    @property
    def expired(self) -> bool:
        return self.at is not None and self.clock() >= self.at


_DURATION = re.compile(r"(?i)\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*")


def parse_duration(text: str | float | int, option: str, *, allow_none: bool = False) -> float | None:
    """``90``, ``90s``, ``15m``, ``6h``, ``1d`` -> seconds; ``0``/``none`` -> None when allowed."""
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        if allow_none and str(text).strip().lower() in ("none", "off"):
            return None
        m = _DURATION.fullmatch(str(text))
        if not m:
            raise UsageError(f"{option}: expected a duration such as 30, 30s, 15m or 6h, got {text!r}")
        value = float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[(m.group(2) or "s").lower()]
    if value < 0:
        raise UsageError(f"{option}: must be zero or more")
    if value == 0 and allow_none:
        return None
    return value
