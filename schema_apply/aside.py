"""Work done aside, in a forked process, while this one does something else.

A plan has two sides: the Schemafile (parse and normalise: pure CPU) and the live schema
(introspection: waiting on the server, then decoding). Threads cannot run the two Python sides at
once; a forked child can, on a second CPU. The child computes one pure function of what it
inherited and sends back its value, pickled; it touches nothing else — not the database connection
it inherited (it ends with ``os._exit``, so nothing is closed or flushed on the parent's behalf),
not stdout or stderr.

The child can start before all of its inputs are known: with ``told=True`` the function gets, as
its last argument, a function that returns what the parent ``tell``s it later (the child waits for
it there, after the work that needs none of it). A plan forks before it connects: the Schemafile is
parsed while the database driver is imported, the server connected and its flavour read, and the
flavour is told to the child for normalising.

The parent receives the value in a thread as the child sends it: unpickling a large schema (tens of
milliseconds) then fills the parent's waits on the server instead of following them.

The child is an optimisation, never a dependency: with one CPU, without ``fork``, for small work,
or when anything about the child fails (it dies, its value does not pickle), the function runs
here instead, so the result and every error are the same as without it.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")
_UNTOLD = object()


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worthwhile() -> bool:
    """Whether a second process can run at the same time (fork exists and more than one CPU is ours)."""
    return hasattr(os, "fork") and _cpus() > 1 and os.environ.get("SCHEMA_APPLY_NO_FORK") is None


class NeverTold(RuntimeError):
    """The function asked for what the parent never ``tell``s (a bug of the caller)."""


class Aside(Generic[T]):
    """``fn(*args)`` started in a forked child (or, when that is not worthwhile, run at ``result()``).

    With ``told=True``, ``fn(*args, told)``: ``told()`` returns the value given to ``tell`` (in the
    child, it waits for it)."""

    def __init__(self, fn: Callable[..., T], *args, fork: bool = True, told: bool = False):
        self._fn, self._args = fn, args
        self._told = told
        self._value: Any = _UNTOLD  # what was told, kept here too (``fn`` may have to run here)
        self._pid: int | None = None
        self._tell: int | None = None  # the parent's end of the pipe to the child (told=True)
        self._receiver: threading.Thread | None = None
        self._received: tuple[str, Any] = ("error", None)
        if fork and worthwhile():
            self._start()

    @property
    def forked(self) -> bool:
        return self._pid is not None

    def tell(self, value: Any) -> None:
        """Give ``fn`` the value its ``told()`` returns (once)."""
        self._value = value
        if self._tell is None:
            return
        tell, self._tell = self._tell, None
        try:
            data = memoryview(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
            while data:
                data = data[os.write(tell, data):]
        except Exception:  # noqa: BLE001 - a value that does not pickle, or a child done without it:
            pass  # fn runs here if need be
        finally:
            os.close(tell)

    def _start(self) -> None:
        read, write = os.pipe()
        told_read, told_write = os.pipe() if self._told else (None, None)
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError:
            for fd in (read, write, told_read, told_write):
                if fd is not None:
                    os.close(fd)
            return
        if pid == 0:  # the child: compute, send, vanish
            os.close(read)
            if told_write is not None:
                os.close(told_write)
            self._child(write, told_read)
        os.close(write)
        if told_read is not None:
            os.close(told_read)
        self._pid, self._tell = pid, told_write
        self._receiver = threading.Thread(target=self._receive, args=(read,), name="aside", daemon=True)
        self._receiver.start()

    def _child(self, write: int, told_read: int | None) -> None:
        code = 0
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            args = self._args if told_read is None else (*self._args, _waiting_for(told_read))
            try:
                value = ("value", self._fn(*args))
            except BaseException as exc:  # noqa: BLE001 - the parent decides (it runs fn again)
                value = ("error", repr(exc))
            with os.fdopen(write, "wb") as out:  # pickled into the pipe as the parent unpickles it
                pickle.dump(value, out, pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - nothing may escape into the parent's code
            code = 1
        os._exit(code)

    def _receive(self, read: int) -> None:
        """The child's value, unpickled as it arrives (in a thread of the parent)."""
        with os.fdopen(read, "rb") as pipe:
            try:
                self._received = pickle.load(pipe)
            except Exception:  # noqa: BLE001 - a child that died, sent nothing or half: do the work here
                self._received = ("error", None)

    def result(self) -> T:
        """The value (an error of ``fn`` is raised here, as if it had run here)."""
        if self._pid is not None:
            self._close_tell()
            try:
                self._receiver.join()
            finally:
                os.waitpid(self._pid, 0)
                self._pid = None
            kind, value = self._received
            if kind == "value":
                return value
        return self._fn(*self._here_args())  # raises the error here, exactly as it is raised without a child

    def _here_args(self) -> tuple:
        if not self._told:
            return self._args
        value = self._value

        def told():
            if value is _UNTOLD:
                raise NeverTold("Aside: told() before tell()")
            return value
        return (*self._args, told)

    def _close_tell(self) -> None:
        if self._tell is not None:  # never told: the child's told() ends (and the work is done here)
            os.close(self._tell)
            self._tell = None

    def cancel(self) -> None:
        """Stop the child (the parent failed first and will not ask for the result)."""
        if self._pid is None:
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._close_tell()
        self._receiver.join()  # the pipe's end: the killed child's end is closed
        os.waitpid(self._pid, 0)
        self._pid = None


def _waiting_for(told_read: int) -> Callable[[], Any]:
    """In the child: the function returning what the parent tells (read once, when first asked)."""
    box: list = []

    def told():
        if not box:
            with os.fdopen(told_read, "rb") as pipe:
                box.append(pickle.load(pipe))  # EOFError when never told: the parent does the work
        return box[0]
    return told
