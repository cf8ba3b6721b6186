"""Work done aside, in a forked process, while this one does something else.

A plan has two sides: the Schemafile (parse and normalise: pure CPU) and the live schema
(introspection: waiting on the server, then decoding). Threads cannot run the two Python sides at
once; a forked child can, on a second CPU. The child computes one pure function of what it
inherited and sends back its value, pickled; it touches nothing else — not the database connection
it inherited (it ends with ``os._exit``, so nothing is closed or flushed on the parent's behalf),
not stdout or stderr.

The child is an optimisation, never a dependency: with one CPU, without ``fork``, for small work,
or when anything about the child fails (it dies, its value does not pickle), the function runs
here instead, so the result and every error are the same as without it.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worthwhile() -> bool:
    """Whether a second process can run at the same time (fork exists and more than one CPU is ours)."""
    return hasattr(os, "fork") and _cpus() > 1 and os.environ.get("SCHEMA_APPLY_NO_FORK") is None


class Aside(Generic[T]):
    """``fn(*args)`` started in a forked child (or, when that is not worthwhile, run at ``result()``)."""

    def __init__(self, fn: Callable[..., T], *args, fork: bool = True):
        self._fn, self._args = fn, args
        self._pid: int | None = None
        self._read: int | None = None
        if fork and worthwhile():
            self._start()

    @property
    def forked(self) -> bool:
        return self._pid is not None

    def _start(self) -> None:
        read, write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # the child: compute, send, vanish
            os.close(read)
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                try:
                    value = ("value", self._fn(*self._args))
                except BaseException as exc:  # noqa: BLE001 - the parent decides (it runs fn again)
                    value = ("error", repr(exc))
                with os.fdopen(write, "wb") as out:  # pickled into the pipe as the parent unpickles it
                    pickle.dump(value, out, pickle.HIGHEST_PROTOCOL)
            except BaseException:  # noqa: BLE001 - nothing may escape into the parent's code
                code = 1
            os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> T:
        """The value (an error of ``fn`` is raised here, as if it had run here)."""
        if self._pid is None:
            return self._fn(*self._args)
        try:
            with os.fdopen(self._read, "rb") as pipe:
                try:
                    kind, value = pickle.load(pipe)  # while the child is still pickling
                except Exception:  # noqa: BLE001 - a child that died, sent nothing or half: do the work here
                    kind, value = "error", None
        finally:
            os.waitpid(self._pid, 0)
            self._pid = None
        if kind == "value":
            return value
        return self._fn(*self._args)  # raises the error here, exactly as it is raised without a child

    def cancel(self) -> None:
        """Stop the child (the parent failed first and will not ask for the result)."""
        if self._pid is None:
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(self._read)
        os.waitpid(self._pid, 0)
        self._pid = None
