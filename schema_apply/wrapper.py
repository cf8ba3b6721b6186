"""pt-online-schema-change: run an ALTER that would block writes without blocking them.

For a statement the plan predicts would copy the table (or lock it against writes), on a table
chosen with ``--pt-osc-tables`` or at least ``--pt-osc-min-size`` large, the apply runs Percona's
pt-online-schema-change (Debian/Ubuntu ``percona-toolkit``) instead of the server's own DDL, the
way Skeema's ``alter-wrapper`` does: it creates an empty copy of the table, alters the copy, fills
it in chunks while triggers carry over concurrent writes, and swaps the two tables at the end
under a short metadata lock. gh-ost (https://github.com/github/gh-ost) does the same for MySQL
from the binary log, without triggers; it is not wired in (it does not support MariaDB).

**The firewall argument.** pt-online-schema-change opens its own connections and sends
statements that read and write rows (``INSERT … SELECT`` in chunks, triggers copying every
write) — outside the guarded connection through which schema-apply sends everything else. That
is acceptable only because the firewall protects the rows of *secret* tables, and the wrapper is
only ever given a non-secret base table: the plan refuses it for secret tables before anything
runs (``online.BlockingPolicy.decide``: only the server's own online DDL may change them, and a
change that would block writes on one needs ``--allow-blocking``), and :func:`run` checks the
name again. It touches that one table only: tables with foreign keys, in either direction, are
refused (the tool would rename the keys or rebuild other tables). It needs more than the
DDL-only grant — SELECT, INSERT, UPDATE, DELETE, TRIGGER, CREATE, ALTER, DROP (and PROCESS to
find replicas) on the tables it is used for; grant those on non-secret tables only.

The password reaches the tool through a defaults file (mode 0600, removed afterwards), never on
its command line, where any process could read it. Its output is streamed (redacted like all
output); ``SCHEMA_APPLY_PT_OSC_ARGS`` adds options (``--max-load``, ``--recursion-method`` …).
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from typing import Callable

from .dsn import ConnectionTarget
from .errors import SchemaApplyError
from .online import WRAPPER
from .sql.quoting import quote_ident
from .values import frozen

EXECUTABLE = "pt-online-schema-change"
TERMINATE_WAIT = 30.0  # after SIGTERM, the tool drops its triggers and new table; then SIGKILL


class WrapperError(SchemaApplyError):
    """pt-online-schema-change is missing or cannot be used."""


@frozen
class WrapperResult:
    ok: bool
    stopped: str | None = None  # "stop" / "deadline" when it was interrupted
    error: str | None = None


def find_executable() -> str:
    path = shutil.which(EXECUTABLE)
    if path is None:
        raise WrapperError(f"the plan runs statements through {WRAPPER}, which is not installed",
                           hint="apt-get install percona-toolkit (Debian/Ubuntu), or leave out --pt-osc-tables"
                                " / --pt-osc-min-size")
    return path


def alter_clauses(sql: str, table: str) -> str:
    """The clauses of ``ALTER TABLE `table` …`` (what --alter takes)."""
    head = f"ALTER TABLE {quote_ident(table)}"
    if not sql.startswith(head):
        raise ValueError("not an ALTER TABLE of this table")
    return " ".join(sql[len(head):].split())


def command(executable: str, target: ConnectionTarget, table: str, clauses: str, defaults_file: str,
            lock_wait: float) -> list[str]:
    dsn = [f"F={defaults_file}", f"h={target.host}", f"P={target.port}", f"u={target.user}",
           f"D={target.database}", f"t={table}"]
    if target.unix_socket:
        dsn.append(f"S={target.unix_socket}")
    extra = shlex.split(os.environ.get("SCHEMA_APPLY_PT_OSC_ARGS", ""))
    return [executable, "--alter", clauses, "--execute", "--charset=utf8mb4", "--progress=time,10",
            f"--set-vars=lock_wait_timeout={max(1, int(lock_wait))}", *extra, ",".join(dsn)]


def _defaults_file(target: ConnectionTarget) -> str:
    fd, path = tempfile.mkstemp(prefix="schema-apply-pt-osc-", suffix=".cnf")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        escaped = (target.password or "").replace("\\", "\\\\").replace('"', '\\"')
        f.write(f'[client]\npassword="{escaped}"\n')
        if target.ssl_ca:
            f.write(f"ssl-ca={target.ssl_ca}\n")
    os.chmod(path, 0o600)
    return path


def run(target: ConnectionTarget, table: str, sql: str, *, secret: Callable[[str], bool], lock_wait: float,
        should_stop: Callable[[], str | None], keepalive: Callable[[], None], log: Callable[[str], None]
        ) -> WrapperResult:
    """Run ``sql`` (an ALTER TABLE of ``table``) through pt-online-schema-change.

    ``should_stop()`` returns a reason ("stop", "deadline") once the run must end: the tool is sent
    SIGTERM (it removes its triggers and new table) and the result says it was stopped.
    ``keepalive()`` is called every few seconds (our own session must not idle out)."""
    if secret(table):  # the plan never gets here for a secret table; this is the second lock on the door
        raise WrapperError(f"refusing to run {WRAPPER} on secret table {table}: it reads rows outside the firewall")
    executable = find_executable()
    defaults = _defaults_file(target)
    try:
        argv = command(executable, target, table, alter_clauses(sql, table), defaults, lock_wait)
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)  # our SIGTERM is not its SIGTERM: we decide when
        lines: list[str] = []
        reader = threading.Thread(target=_pump, args=(proc, lines, log), daemon=True)
        reader.start()
        stopped = None
        last_ping = time.monotonic()
        while proc.poll() is None:
            reason = should_stop()
            if reason and stopped is None:
                stopped = reason
                log(f"{WRAPPER}: stopping it ({reason}); it removes its triggers and copy")
                _signal(proc, signal.SIGTERM)
                try:
                    proc.wait(TERMINATE_WAIT)
                except subprocess.TimeoutExpired:
                    _signal(proc, signal.SIGKILL)
                break
            if time.monotonic() - last_ping > 20:
                keepalive()
                last_ping = time.monotonic()
            time.sleep(0.2)
        proc.wait()
        reader.join(5)
    finally:
        os.unlink(defaults)
    if stopped:
        return WrapperResult(False, stopped=stopped, error=f"{WRAPPER} was stopped ({stopped})")
    if proc.returncode != 0:
        tail = " / ".join(line for line in lines[-3:] if line)
        return WrapperResult(False, error=f"{WRAPPER} failed (exit {proc.returncode}): {tail}")
    return WrapperResult(True)


def _pump(proc: subprocess.Popen, lines: list[str], log: Callable[[str], None]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip()
        lines.append(line)
        if line:
            log(f"{WRAPPER}: {line}")


def _signal(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
