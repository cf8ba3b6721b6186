"""How the container's standard output survives CloudWatch, so that ``run-task -- plan --format json``
prints clean JSON.

The awslogs driver sends standard output and standard error to one log stream, one event per
line, and cuts lines longer than 16 KiB. So ``run-task`` gives the task a fresh random marker
(``SCHEMA_APPLY_STDOUT_MARKER``); the container then writes every line of its standard output as
``<marker>|<text>``, and a line longer than ``CHUNK`` characters as ``<marker>+<piece>`` events
followed by ``<marker>|<last piece>``. Standard error is left as it is. ``run-task`` puts the
marked lines, joined again, on its standard output and every other line on its standard error:
the two streams come out apart, as if the container had run on the laptop.

Without the variable (the raw ``aws ecs run-task``, a local run) nothing is marked.
"""

from __future__ import annotations

import os
from typing import Callable, TextIO

MARKER_VARIABLE = "SCHEMA_APPLY_STDOUT_MARKER"
CHUNK = 4000  # characters: at most 16,000 bytes of UTF-8, under the 16 KiB that Docker's log drivers keep
END, MORE = "|", "+"


def new_marker() -> str:
    return f"sa-{os.urandom(8).hex()}"  # secrets.token_hex(8), without loading secrets' random and hmac


class MarkedStream:
    """A text stream that writes each line as marked events to ``raw`` (the container side)."""

    def __init__(self, raw: TextIO, marker: str):
        self.raw = raw
        self.marker = marker
        self.pending = ""

    def write(self, text: str) -> int:
        self.pending += text
        while "\n" in self.pending:
            line, self.pending = self.pending.split("\n", 1)
            self._line(line, END)
        while len(self.pending) > CHUNK:
            piece, self.pending = self.pending[:CHUNK], self.pending[CHUNK:]
            self.raw.write(f"{self.marker}{MORE}{piece}\n")
        return len(text)

    def _line(self, line: str, last: str) -> None:
        while len(line) > CHUNK:
            self.raw.write(f"{self.marker}{MORE}{line[:CHUNK]}\n")
            line = line[CHUNK:]
        self.raw.write(f"{self.marker}{last}{line}\n")

    def flush(self) -> None:
        if self.pending:  # a line not ended yet: send what there is, to be continued
            self.raw.write(f"{self.marker}{MORE}{self.pending}\n")
            self.pending = ""
        self.raw.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name):  # encoding, fileno, … of the real stream
        return getattr(self.raw, name)


class ClosedPipeSafe:
    """Standard output that a closed pipe silences instead of breaking (``plan | head``).

    The first write or flush that meets a reader gone away points the file descriptor at
    ``/dev/null`` (so the interpreter's own flush at exit stays quiet too) and drops the rest:
    the command runs to its end — an apply is never cut short by its reader — and exits with
    its own code."""

    def __init__(self, raw: TextIO):
        self.raw = raw
        self.closed_pipe = False

    def write(self, text: str) -> int:
        if not self.closed_pipe:
            try:
                self.raw.write(text)
            except BrokenPipeError:
                self._silence()
        return len(text)

    def flush(self) -> None:
        if not self.closed_pipe:
            try:
                self.raw.flush()
            except BrokenPipeError:
                self._silence()

    def _silence(self) -> None:
        self.closed_pipe = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.raw.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):  # no file descriptor (a test's StringIO): nothing to quiet
            pass

    def __getattr__(self, name):  # encoding, fileno, isatty, … of the real stream
        return getattr(self.raw, name)


def mark_stdout_if_asked(stream: TextIO, environ=os.environ) -> TextIO:
    marker = environ.get(MARKER_VARIABLE, "").strip()
    return MarkedStream(stream, marker) if marker else stream


class Demux:
    """Splits the task's log lines back into its standard output and standard error (run-task side)."""

    def __init__(self, marker: str, out: Callable[[str], None], err: Callable[[str], None]):
        self.end = marker + END
        self.more = marker + MORE
        self.out = out
        self.err = err
        self.pending: str | None = None

    def feed(self, line: str) -> None:
        if line.startswith(self.end):
            self.out((self.pending or "") + line[len(self.end):])
            self.pending = None
        elif line.startswith(self.more):
            self.pending = (self.pending or "") + line[len(self.more):]
        else:
            self.err(line)

    def close(self) -> None:
        if self.pending is not None:
            self.out(self.pending)
            self.pending = None
