"""SIGTERM/SIGINT during apply: stop cleanly, with an account.

ECS stops a task with SIGTERM, then SIGKILL after the task definition's ``stopTimeout``. Before
the first statement runs, a signal ends the apply at once (nothing has changed: exit 6). Once
statements run, it only asks the run loop to stop: no new statement starts, the running one may
finish within ``--stop-grace`` seconds, after which it is killed on the server (``KILL QUERY`` from a
second connection); then the account is printed and the exit code is 6. A second signal skips
the rest of the grace period.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from .errors import Stopped

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopSignal:
    """Set by the first SIGTERM/SIGINT; read by the run loop and its watchdog."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.hurry = threading.Event()  # a second signal: do not wait out the grace period
        self.name: str | None = None
        self.at: float | None = None
        self._deferred = False  # False: a signal raises Stopped at once (nothing is running yet)

    @property
    def requested(self) -> bool:
        return self.event.is_set()

    def request(self, name: str = "SIGTERM") -> None:
        if self.event.is_set():
            self.hurry.set()
            return
        self.name, self.at = name, time.monotonic()
        self.event.set()

    def _handler(self, signum, frame) -> None:
        self.request(signal.Signals(signum).name)
        if not self._deferred:
            raise Stopped(f"stopped by {self.name} before any statement ran; nothing was changed")

    @contextmanager
    def installed(self) -> Iterator["StopSignal"]:
        """Handle SIGTERM/SIGINT while inside (only possible in the main thread; elsewhere a no-op)."""
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {s: signal.signal(s, self._handler) for s in SIGNALS}
        try:
            yield self
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Inside, a signal only sets the flag: statements are running and the run loop decides."""
        self._deferred = True
        try:
            if self.requested:  # a signal that came just before: stop before the first statement
                raise Stopped(f"stopped by {self.name} before any statement ran; nothing was changed")
            yield
        finally:
            self._deferred = False
