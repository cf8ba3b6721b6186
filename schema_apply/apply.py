"""Apply a plan through the guarded connection, one statement at a time, then verify.

The run loop is built for a database that serves traffic while it runs:

* **No metadata-lock pile-up.** Every DDL waits at most ``--ddl-lock-wait`` seconds for its
  metadata lock (the session's ``lock_wait_timeout``); on a timeout it is retried up to
  ``--ddl-retries`` times, with exponential backoff and jitter in between, each wait logged with
  the sessions in the way (``blockers.py``: who, never what they run). A run that gives up
  exits 4 having run nothing more.
* **Stopped cleanly.** After SIGTERM/SIGINT (``stop.py``) no statement starts; the running one may
  finish within ``--stop-grace`` seconds, then it is killed on the server (``KILL QUERY`` of our
  own connection, from a second one); the account says what ran, and the exit code is 6.
* **Never hang, never lie.** A watchdog thread, on a second connection, checks every few seconds
  that the server is still running our statement, and kills it when the deadline passes. If the
  connection is lost, or the server stops answering, the statement's outcome is *unknown* until
  checked: we reconnect, kill our old session if it is still running the statement, take the
  apply lock again, read the schema and report which statements took effect.
* **Never weaker.** Foreign keys dropped for a change and not re-added because a later statement
  failed are restored at once when that is allowed (their re-adding copies the table), and
  otherwise reported loudly: the next run adds them again.
* **What the server said.** After each applied DDL its warnings (``SHOW WARNINGS``, redacted) go
  into the statement's outcome: each is a change the server made silently.

After a successful run the schema is introspected again and the diff must be empty.
"""

from __future__ import annotations

import random
import re
import threading
import time
from contextlib import ExitStack, contextmanager
from dataclasses import field, replace
from typing import Callable, Iterator

from . import online as online_ddl
from . import render_ddl as render
from . import wrapper
from .blockers import BlockerFinder, Sighting
from .changes import AddForeignKey, Change, DropForeignKey, ModifyForeignKey
from .connection import (ER_CONNECTION_KILLED, ER_LOCK_WAIT_TIMEOUT, ER_NO_SUCH_THREAD, ER_QUERY_INTERRUPTED,
                         LOST_CONNECTION, ApplyLock, GuardedConnection)
from .diff import diff
from .dsn import ConnectionTarget
from .errors import (EXIT_BUSY, EXIT_ERROR, EXIT_OK, EXIT_STOPPED, LockTimeout, SchemaApplyError, ServerError,
                     StatementFailed, Stopped, VerifyFailed)
from .flavor import Flavor
from .limits import Deadline, RunLimits
from .model import Schema, key
from .plan import Plan, Statement
from .result import Outcome
from .stop import StopSignal
from .values import frozen, mutable

ER_ALTER_OPERATION_NOT_SUPPORTED = 1845  # ALGORITHM=/LOCK= refused, before any work is done
ER_ALTER_OPERATION_NOT_SUPPORTED_REASON = 1846
BACKOFF_BASE = 1.0  # seconds before the first retry; doubled each time, with jitter
BACKOFF_CAP = 30.0
WATCH_INTERVAL = 2.0  # how often the watchdog looks at the server while a statement runs
WATCH_TIMEOUT = 5.0  # the watchdog's own socket timeout: a silent server is found within two of these
KILL_WAIT = 30.0  # after a KILL, how long the killed statement may take to roll back and answer
RECHECK_LOCK_TIMEOUT = 30.0  # taking the apply lock again after a lost connection


def _kill(conn: GuardedConnection, connection_id: int) -> bool:
    """``KILL connection_id`` (one of our own sessions); False if it had ended in the meantime — a
    session killed by someone else can still be listed while it rolls back, and be gone a moment
    later, when our KILL comes (``Unknown thread id``)."""
    try:
        conn.execute(f"KILL {int(connection_id)}")
    except ServerError as exc:
        if exc.code != ER_NO_SUCH_THREAD:
            raise
        return False
    return True


@mutable
class Account:
    """What an apply did, statement by statement, and how it ended."""

    outcomes: list[Outcome]
    state: str = "done"  # done, failed, busy, stopped, deadline, lost
    error: str | None = None
    blockers: Sighting | None = None
    missing: list[str] = field(default_factory=list)  # constraints dropped and not restored: said loudly
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return {"done": EXIT_OK, "busy": EXIT_BUSY, "stopped": EXIT_STOPPED}.get(self.state, EXIT_ERROR)

    def summary(self) -> str:
        """One line: how the apply ended, what ran and what did not."""
        outcomes = self.outcomes
        ran = sum(1 for o in outcomes if o.status == "applied")
        tally = f"{ran} statement(s) had run, {len(outcomes) - ran - (self.stuck is not None)} did not run"
        stuck = self.stuck
        at, on = "", ""
        if stuck is not None:
            at = f"statement {outcomes.index(stuck) + 1} of {len(outcomes)}"
            on = f" on {stuck.statement.table}" if stuck.statement.table else ""
        if self.state == "failed":
            text = f"{at} failed{on}: {stuck.error if stuck else self.error}; {tally}"
        elif self.state == "busy":
            text = f"{self.error}; {ran} statement(s) had run, {len(outcomes) - ran} did not run"
        elif self.state == "stopped":
            text = f"{self.error}: {tally}" + (f"; {at}{on} was {stuck.status}: {stuck.error}" if stuck else "") + \
                "; the next apply plans the rest"
        else:
            text = f"{self.error}; {tally}" + (f"; {at}{on}: {stuck.status}: {stuck.error}" if stuck else "")
        if self.missing:
            text += f"; {len(self.missing)} constraint(s) MISSING: " + "; ".join(self.missing)
        return text

    @property
    def stuck(self) -> Outcome | None:
        """The statement the run ended on (failed, killed, unknown), if any."""
        return next((o for o in self.outcomes if o.status not in ("applied", "not run")), None)

    def exception(self) -> SchemaApplyError | None:
        if self.state == "done":
            return None
        cls = {"busy": LockTimeout, "stopped": Stopped}.get(self.state, StatementFailed)
        hint = None
        if self.state == "busy":
            hint = "safe to retry: nothing more was run; --ddl-lock-wait / --ddl-retries wait longer"
        elif self.missing:
            hint = "the next apply adds the missing constraint(s) again"
        return cls(self.summary(), hint=hint)

    def into(self, result) -> None:
        """Record this account in ``result`` (result.Result)."""
        result.outcomes = self.outcomes
        result.error = self.exception()
        result.state = self.state
        result.missing_constraints = list(self.missing)
        result.run_notes = list(self.notes)
        if self.blockers is not None:
            result.blockers = [{"connection_id": b.connection_id, "user": b.user, "host": b.host, "seconds": b.seconds,
                                "holds_table_lock": b.exact} for b in self.blockers.blockers]


@frozen
class RunContext:
    """What the run loop needs besides the plan."""

    target: ConnectionTarget
    open_connection: Callable[..., GuardedConnection]  # a new session to the same server (read_timeout=…)
    remaining: Callable[[GuardedConnection], list[Change]]  # the changes still to make, read live
    flavor: Flavor
    limits: RunLimits = RunLimits()
    online: online_ddl.OnlineSettings = online_ddl.OnlineSettings()
    stop: StopSignal = field(default_factory=StopSignal)
    deadline: Deadline = field(default_factory=lambda: Deadline(None))
    progress: Callable[[int, Outcome, str], None] | None = None
    log: Callable[[str], None] = lambda text: None


class Runner:
    def __init__(self, conn: GuardedConnection, plan: Plan, ctx: RunContext):
        self.conn = conn
        self.plan = plan
        self.ctx = ctx
        self.statements = list(plan.statements)
        self.account = Account([])
        self.finder = BlockerFinder(conn, conn.database)
        self._owned = ExitStack()  # a session (and its apply lock) opened after a lost connection

    # -- the loop ---------------------------------------------------------------

    def run(self) -> Account:
        with self._owned:
            return self._run()

    def _run(self) -> Account:
        ctx = self.ctx
        self.conn.execute(f"SET SESSION lock_wait_timeout = {self._lock_wait}")
        with Watchdog(self.conn, ctx) as watchdog:
            self.finder.own_ids = tuple(i for i in (self.conn.connection_id, watchdog.connection_id) if i)
            for k, st in enumerate(self.statements):
                reason = self._must_end()
                if reason:
                    self._end(reason)
                    break
                outcome = self._one(k, st, watchdog)
                self.account.outcomes.append(outcome)
                if ctx.progress:
                    ctx.progress(k, outcome, "done")
                if outcome.status != "applied":
                    break
        done = len(self.account.outcomes)
        self.account.outcomes.extend(Outcome(s, "not run") for s in self.statements[done:])
        if self.account.state == "failed":
            self._restore_constraints()
        self._missing_constraints()
        return self.account

    @property
    def _lock_wait(self) -> int:
        return max(1, int(round(self.ctx.limits.ddl_lock_wait)))

    def _must_end(self) -> str | None:
        if self.ctx.stop.requested:
            return "stopped"
        if self.ctx.deadline.expired:
            return "deadline"
        return None

    def _end(self, state: str, error: str | None = None) -> None:
        self.account.state = state
        if error is None and state == "stopped":
            error = f"stopped by {self.ctx.stop.name}"
        if error is None and state == "deadline":
            error = f"the deadline ({self.ctx.limits.deadline:g}s) passed"
        self.account.error = error

    def _secret(self, st: Statement) -> bool:
        return any(self.conn.policy.is_secret(c.table) for c in st.changes)

    # -- one statement ------------------------------------------------------------

    def _one(self, k: int, st: Statement, watchdog: "Watchdog") -> Outcome:
        ctx = self.ctx
        secret = self._secret(st)
        attempts = 0
        while True:
            attempts += 1
            if ctx.progress:
                ctx.progress(k, Outcome(st, "running", attempts=attempts), "start")
            started = time.monotonic()

            def took() -> float | None:  # how long a DDL on a secret table takes says how big it is
                return None if secret else time.monotonic() - started
            if st.via:
                return self._wrapped(st, took, attempts)
            try:
                with watchdog.watching(), self.conn.statement_timeout(self._statement_timeout()):
                    self.conn.execute(st.sql)
                seconds = took()
                return Outcome(st, "applied", seconds, attempts=attempts, warnings=self._warnings(k, st))
            except ServerError as exc:
                if watchdog.lost or exc.code in LOST_CONNECTION:
                    return self._lost(k, st, watchdog.lost or str(exc), exc.code, took())
                if watchdog.killed and exc.code in (ER_QUERY_INTERRUPTED, ER_CONNECTION_KILLED):
                    return self._killed(k, st, watchdog.killed, took())
                if exc.code == ER_LOCK_WAIT_TIMEOUT and st.table is not None:
                    if not self._wait_again(st, attempts):
                        return Outcome(st, "failed", took(), self.account.error, exc.code, attempts=attempts)
                    if self._must_end():  # stopped (or out of time) while backing off: it did not run
                        self._end(self._must_end())
                        return Outcome(st, "not run", attempts=attempts)
                    continue
                if exc.code in (ER_ALTER_OPERATION_NOT_SUPPORTED, ER_ALTER_OPERATION_NOT_SUPPORTED_REASON) \
                        and st.prediction is not None and attempts < 4:
                    heavier, refusal = self._heavier(st, str(exc))
                    if heavier is not None:  # the server refused the clause before doing any work: once more
                        st = heavier
                        self.statements[k] = st
                        continue
                    self._end("failed", refusal)
                    return Outcome(st, "failed", took(), refusal, exc.code, attempts=attempts)
                self._end("failed", str(exc))
                return Outcome(st, "failed", took(), _explain_refusal(str(exc), exc.code), exc.code, attempts=attempts)

    def _heavier(self, st: Statement, error: str) -> tuple[Statement | None, str]:
        """The server refused the statement's ALGORITHM=/LOCK= clause (it refuses before any work):
        the prediction was too light. The statement again with the clause the server asks for, when
        the run's policy lets it block writes that long (None and why not, otherwise)."""
        ctx = self.ctx
        online = ctx.online
        old = online_ddl.clause(st.prediction, ctx.flavor, online.clauses)
        p = _as_the_server_says(st.prediction, error)
        new = online_ddl.clause(p, ctx.flavor, online.clauses)
        sql = _with_clause(st.sql, old, new)
        secret = self._secret(st)
        wrapper, refusal = online.blocking.decide(st.table, p, st.size or online_ddl.TableSize(), secret, None, False)
        refusal = online.clauses.ceiling_refusal(p) or refusal
        if refusal is None and wrapper is not None:
            refusal = (f"{st.table} would be copied, which blocks writes; pt-online-schema-change was not planned for"
                       " it: apply again and the plan takes it into account")
        if sql is None or refusal is not None:
            return None, (f"{error} — the prediction ({st.prediction.label}) was too light; as the server would run it"
                          f" ({p.label}): {refusal or 'the clause could not be replaced'}; nothing of it was done"
                          " (please report the prediction)")
        blocks = " (it blocks writes: the table is within --max-blocking-size or --allow-blocking names it)" \
            if p.blocks_writes else ""
        ctx.log(f"-- the server refused {old} for {st.table} ({error}): running it again"
                f" {'with ' + new if new else 'with the algorithm left to the server'}{blocks}")
        self.account.notes.append(f"{st.table}: predicted {st.prediction.label}, the server needed {p.label} ({error});"
                                  " please report the prediction")
        return replace(st, sql=sql, prediction=p), ""

    def _warnings(self, k: int, st: Statement) -> tuple[str, ...]:
        """What the server said about statement ``k``, just applied (SHOW WARNINGS): a change it made
        silently. A connection lost now does not undo the statement: the next one finds it lost."""
        try:
            return _about_the_statement(self.conn.warnings(), st)
        except SchemaApplyError as exc:
            self.account.notes.append(f"the server's warnings about statement {k + 1} could not be read: {exc}")
            return ()

    def _statement_timeout(self) -> float | None:
        """The socket waits for a DDL's answer until past the deadline; the watchdog, not the
        socket, tells a long statement from a dead server."""
        remaining = self.ctx.deadline.remaining()
        return None if remaining is None else remaining + KILL_WAIT + 10

    def _wait_again(self, st: Statement, attempts: int) -> bool:
        """After a lock-wait timeout: log who is in the way; back off and return True to retry,
        or give up (busy) and return False."""
        limits = self.ctx.limits
        sighting = self.finder.look(st.table, self._lock_wait)
        tries = 1 + limits.ddl_retries
        self.ctx.log(f"-- waited {self._lock_wait}s for the metadata lock on {st.table} (attempt {attempts} of"
                     f" {tries}): {sighting.describe()}")
        if attempts >= tries:
            self.account.blockers = sighting
            self._end("busy", f"the metadata lock on {st.table} did not come within {tries} attempts of"
                              f" {self._lock_wait}s: {sighting.describe()}; nothing more was run — retry when the"
                              " long transaction is done")
            return False
        pause = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempts - 1)) * random.uniform(0.5, 1.0)
        remaining = self.ctx.deadline.remaining()
        if remaining is not None:
            pause = min(pause, remaining)
        self.ctx.log(f"-- retrying in {pause:.1f}s")
        self.ctx.stop.event.wait(pause)  # the application runs freely meanwhile; a stop cuts it short
        return True

    def _wrapped(self, st: Statement, took: Callable[[], float | None], attempts: int) -> Outcome:
        ctx = self.ctx

        def should_stop() -> str | None:
            if ctx.stop.requested and (ctx.stop.hurry.is_set()
                                       or time.monotonic() - (ctx.stop.at or 0) >= ctx.limits.stop_grace):
                return "stopped"
            return "deadline" if ctx.deadline.expired else None
        result = wrapper.run(ctx.target, st.table, st.sql, secret=lambda t: self._secret(st), log=ctx.log,
                             lock_wait=self._lock_wait, should_stop=should_stop, keepalive=self.conn.ping)
        if result.ok:
            return Outcome(st, "applied", took(), attempts=attempts)
        if result.stopped:
            self._end(result.stopped)
            return self._checked(self.statements.index(st), Outcome(st, "killed", took(), result.error,
                                                                     attempts=attempts))
        self._end("failed", result.error)
        return Outcome(st, "failed", took(), result.error, attempts=attempts)

    # -- when the outcome is not what the server said -------------------------------

    def _killed(self, k: int, st: Statement, reason: str, seconds: float | None) -> Outcome:
        self._end(reason)
        what = (f"killed on the server after the {self.ctx.limits.stop_grace:g}s grace period"
                if reason == "stopped" else "killed on the server at the deadline")
        return self._checked(k, Outcome(st, "killed", seconds, what, ER_QUERY_INTERRUPTED))

    def _lost(self, k: int, st: Statement, why: str, code: int | None, seconds: float | None) -> Outcome:
        self._end("lost", f"the connection was lost during statement {k + 1} ({why}); its outcome was unknown"
                          " until checked")
        outcome = Outcome(st, "unknown", seconds, why, code)
        problem = self._reconnect()
        if problem is not None:
            self.account.notes.append(f"could not check what took effect: {problem}")
            return outcome
        return self._checked(k, outcome)

    def _reconnect(self) -> str | None:
        """A new session, holding the apply lock, with our old session (and its statement) gone.
        Returns why that failed, or None."""
        old = self.conn.connection_id
        try:
            new = self.ctx.open_connection()
        except SchemaApplyError as exc:
            return str(exc)
        try:
            with ExitStack() as taking:
                taking.enter_context(new)
                if old is not None and self._still_there(new, old):
                    if _kill(new, old):  # our own session: its statement and its apply lock go
                        self.account.notes.append(f"our old session {old} was still running the statement on the"
                                                  " server: killed it")
                    give_up = time.monotonic() + KILL_WAIT
                    while self._still_there(new, old) and time.monotonic() < give_up:
                        time.sleep(0.5)
                taking.enter_context(ApplyLock(new, new.database, RECHECK_LOCK_TIMEOUT))
                self._owned.enter_context(taking.pop_all())  # released and closed when the run ends
        except SchemaApplyError as exc:
            return str(exc)
        self.conn.close()
        self.conn = new
        self.finder = BlockerFinder(new, new.database, (new.connection_id,))
        return None

    @staticmethod
    def _still_there(conn: GuardedConnection, connection_id: int) -> bool:
        return bool(conn.query("SELECT ID FROM information_schema.PROCESSLIST WHERE ID = %s", (connection_id,)))

    def _checked(self, k: int, outcome: Outcome) -> Outcome:
        """Which statements up to ``k`` took effect, read from the server: ``outcome`` (of statement
        ``k``) becomes applied or stays as it is, marked checked; earlier ones are confirmed."""
        try:
            try:
                left = {c.describe() for c in self.ctx.remaining(self.conn)}
            except ServerError as exc:
                if exc.code != ER_QUERY_INTERRUPTED:
                    raise
                # a KILL QUERY that came as the statement ended can hit the next one instead
                left = {c.describe() for c in self.ctx.remaining(self.conn)}
        except SchemaApplyError as exc:
            self.account.notes.append(f"could not check what took effect: {exc}")
            return outcome
        for n, earlier in enumerate(self.account.outcomes):
            took_effect = not any(c.describe() in left for c in earlier.statement.changes)
            if earlier.status == "applied" and not took_effect:
                self.account.notes.append(f"statement {n + 1} was applied but the server no longer shows it")
            self.account.outcomes[n] = replace(earlier, checked=True)
        took_effect = not any(c.describe() in left for c in outcome.statement.changes)
        if took_effect:
            return replace(outcome, status="applied", checked=True,
                           error=f"{outcome.error}; checked on the server: it took effect" if outcome.error else None)
        return replace(outcome, checked=True, error=f"{outcome.error}; checked on the server: it did not take effect")

    # -- constraints dropped for a change -------------------------------------------

    def _dropped_not_readded(self) -> list[DropForeignKey]:
        """Foreign keys this run dropped in order to add them again, and did not add again: a key
        re-created under its name (ModifyForeignKey: dropped by statement 1, "drop foreign keys",
        added by its table's ALTER), or a DropForeignKey whose AddForeignKey did not run."""
        dropped: list[DropForeignKey] = []
        readded: set[tuple[str, str]] = set()
        for o in self.account.outcomes:
            if o.status != "applied":
                continue
            first = o.statement.step == "drop foreign keys"
            for c in o.statement.changes:
                if isinstance(c, ModifyForeignKey):
                    if first:
                        dropped.append(DropForeignKey(c.table, c.old))
                    else:
                        readded.add((c.table, c.new.key))
                elif isinstance(c, DropForeignKey):
                    dropped.append(c)
                elif isinstance(c, AddForeignKey):
                    readded.add((c.table, c.foreign_key.key))
        again = {(w.table, w.foreign_key.key) for w in self.plan.changes if isinstance(w, AddForeignKey)}
        again |= {(w.table, w.new.key) for w in self.plan.changes if isinstance(w, ModifyForeignKey)}
        return [c for c in dropped if (c.table, c.foreign_key.key) not in readded
                and (c.table, c.foreign_key.key) in again]

    def _restore_constraints(self) -> None:
        """After a failed statement: put back foreign keys that the plan dropped to re-add later,
        in their old definition, when re-adding (which copies the table) is allowed."""
        for drop in self._dropped_not_readded():
            fk = drop.foreign_key
            restore = AddForeignKey(drop.table, fk)
            sql = render.alter_table(drop.table, [render.alter_clause(restore, self.ctx.flavor)])
            size = next((s.size for s in self.statements if s.table == drop.table and s.size is not None), None)
            p = online_ddl.predict([restore], None, self.ctx.flavor)
            p = replace(p, new_table=False)
            blocking = self.ctx.online.blocking
            secret = self.conn.policy.is_secret(drop.table)
            if size is not None and not blocking.allowed(drop.table) and (
                    secret or size.bytes is None or size.bytes > blocking.max_blocking_size):
                continue  # re-adding it would block writes on a large table: reported as missing instead
            sql = render.append_clause(sql, drop.table, online_ddl.clause(p, self.ctx.flavor, self.ctx.online.clauses))
            st = Statement(sql, drop.table, (restore,), "restore foreign key", prediction=p, size=size)
            started = time.monotonic()
            try:
                self.conn.execute(sql)
            except SchemaApplyError as exc:
                self.account.outcomes.append(Outcome(st, "failed", None if secret else time.monotonic() - started,
                                                     str(exc), getattr(exc, "code", None)))
                continue
            seconds = None if secret else time.monotonic() - started
            self.account.outcomes.append(Outcome(st, "applied", seconds, warnings=self._warnings(
                len(self.account.outcomes), st)))
            self.ctx.log(f"-- restored foreign key {fk.name} on {drop.table} (dropped by this run for a change"
                         " that did not happen)")

    def _missing_constraints(self) -> None:
        restored = {(c.table, c.foreign_key.key) for o in self.account.outcomes
                    if o.status == "applied" and o.statement.step == "restore foreign key" for c in o.statement.changes}
        for drop in self._dropped_not_readded():
            if (drop.table, drop.foreign_key.key) in restored:
                continue
            fk = drop.foreign_key
            self.account.missing.append(
                f"foreign key {fk.name} on {drop.table} ({', '.join(fk.columns)}) -> {fk.ref_table}: dropped by this"
                " run for a change, not re-added; rows breaking it can get in until the next apply adds it again")


_TRY = re.compile(r"Try (ALGORITHM|LOCK)=(\w+)", re.I)
_LEVELS = {"INSTANT": 0, "NOCOPY": 1, "INPLACE": 2, "COPY": 3}  # online_ddl.Level by the server's word


def _as_the_server_says(p, error: str):
    """The prediction made as heavy as the server's refusal asks ("Try ALGORITHM=INPLACE", "Try
    LOCK=SHARED"); a copy when it names nothing."""
    m = _TRY.search(error)
    word = m.group(2).upper() if m else "COPY"
    why = f"the server said: {error}"
    if m and m.group(1).upper() == "LOCK":
        return replace(p, lock=True, why=why)
    level = online_ddl.Level(max(int(p.level) + 1, _LEVELS.get(word, 3)))
    return replace(p, level=level, lock=p.lock or word == "COPY", why=why)


def _with_clause(sql: str, old: str, new: str) -> str | None:
    """``sql`` with its online-DDL clause ``old`` replaced by ``new`` ('' removes it), or None."""
    for sep in (",\n  ", ", "):
        if old and sep + old in sql:
            return sql.replace(sep + old, sep + new if new else "", 1)
    if old and f" {old} " in sql:  # before partitioning options (render.append_clause)
        return sql.replace(f" {old} ", f" {new} " if new else " ", 1)
    return None


def _explain_refusal(error: str, code: int | None) -> str:
    if code in (ER_ALTER_OPERATION_NOT_SUPPORTED, ER_ALTER_OPERATION_NOT_SUPPORTED_REASON):
        return (f"{error} — the server refused the online-DDL clause: the prediction was wrong (please report"
                " it); --algorithm=default / --lock=default let the server choose, which may block writes")
    return error


# --------------------------------------------------------------------------
# The watchdog: a second connection that watches the running statement
# --------------------------------------------------------------------------

class Watchdog:
    """While a statement runs on ``main``: kill it when a stop's grace period or the deadline is
    over (``KILL QUERY``, from its own connection), and cut ``main`` when the server no longer runs
    it or does not answer at all (then ``lost`` says why)."""

    def __init__(self, main: GuardedConnection, ctx: RunContext):
        self.main = main
        self.ctx = ctx
        self.conn: GuardedConnection | None = None
        self.connection_id: int | None = None
        self.killed: str | None = None  # "stopped" / "deadline": we killed the statement
        self._killed_at = 0.0
        self.lost: str | None = None  # why we cut the main connection
        self._active = threading.Event()
        self._quit = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="schema-apply-watchdog", daemon=True)

    def __enter__(self) -> "Watchdog":
        try:
            self.conn = self.ctx.open_connection(read_timeout=WATCH_TIMEOUT)
            self.connection_id = self.conn.connection_id
        except SchemaApplyError as exc:
            self.ctx.log(f"-- note: no second connection for the watchdog ({exc}); it will try again when needed")
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._quit.set()
        self._active.set()
        self._thread.join(5)
        if self.conn is not None:
            self.conn.close()

    @contextmanager
    def watching(self) -> Iterator[None]:
        self.killed = self.lost = None
        self._active.set()
        try:
            yield
        finally:
            self._active.clear()

    def _loop(self) -> None:
        while not self._quit.is_set():
            self._active.wait()
            if self._quit.is_set():
                return
            if self.ctx.stop.requested:  # counting down the grace period: wake when it ends
                left = self.ctx.limits.stop_grace - (time.monotonic() - (self.ctx.stop.at or 0))
                self._quit.wait(0.05 if self.ctx.stop.hurry.is_set() else max(0.05, min(0.5, left)))
            else:
                self._pause(WATCH_INTERVAL)  # wakes at once on a stop, or when the run ends
            if not self._active.is_set() or self._quit.is_set() or self.lost:
                continue
            try:
                self._look()
            except Exception as exc:  # noqa: BLE001 — the watchdog must never die silently
                self._cut(f"the watchdog failed: {type(exc).__name__}")

    def _pause(self, seconds: float) -> None:
        """Wait ``seconds``, or less: until a stop is asked for or the watchdog is told to quit
        (the run does not wait on a sleeping watchdog at its end)."""
        end = time.monotonic() + seconds
        while not self._quit.is_set() and not self.ctx.stop.event.is_set():
            left = end - time.monotonic()
            if left <= 0 or self._quit.wait(min(0.05, left)):
                return

    def _look(self) -> None:
        stop, limits = self.ctx.stop, self.ctx.limits
        if self.killed is None:
            if stop.requested and (stop.hurry.is_set() or time.monotonic() - (stop.at or 0) >= limits.stop_grace):
                self._kill("stopped")
            elif self.ctx.deadline.expired:
                self._kill("deadline")
            elif not stop.requested:
                self._check_alive()
        elif time.monotonic() - self._killed_at > KILL_WAIT:
            self._cut("the killed statement did not end")

    def _kill(self, reason: str) -> None:
        conn = self._connection()
        if conn is None:
            self._cut(f"could not reach the server to kill the statement ({reason})")
            return
        self.killed, self._killed_at = reason, time.monotonic()
        try:
            conn.kill_query(self.main.connection_id)
        except SchemaApplyError as exc:
            self._cut(f"could not kill the statement: {exc}")

    def _check_alive(self) -> None:
        """Is the server still running our statement? Cut the main connection if it is not, or if
        the server does not answer a second connection either (a silent network)."""
        for _ in range(2):  # the second time on a new connection
            conn = self._connection()
            if conn is None:
                break
            try:
                if not conn.query("SELECT ID FROM information_schema.PROCESSLIST WHERE ID = %s",
                                  (self.main.connection_id,)):
                    self._cut("the server no longer has our session")
                return
            except SchemaApplyError:
                conn.close()
                self.conn = None
        self._cut("the server does not answer on a second connection")

    def _connection(self) -> GuardedConnection | None:
        if self.conn is None:
            try:
                self.conn = self.ctx.open_connection(read_timeout=WATCH_TIMEOUT)
            except SchemaApplyError:
                return None
        return self.conn

    def _cut(self, why: str) -> None:
        if self.lost is None:
            self.lost = why
            self.main.abort()


# --------------------------------------------------------------------------
# Verify
# --------------------------------------------------------------------------

# Warnings about the server's state, not about what a statement made: MariaDB warns on every CREATE
# or ALTER EVENT while the event scheduler is off (the event is created as declared; whether it
# runs is the server's setting, not the schema's).
_SERVER_STATE = ("Warning 1105: Event scheduler is switched off",
                 # Aria: ROW_FORMAT=DYNAMIC|FIXED with TRANSACTIONAL=1 is stored as asked (CREATE_OPTIONS
                 # keeps it, and so does the model), the server says it uses PAGE
                 "Note 1478: Row format set to PAGE because of TRANSACTIONAL=1 option")


# The server questions a duplicate index (same kind and parts as another) but makes it: MariaDB's
# "Note 1831: Duplicate index `i`. This is deprecated…", MySQL's "Warning 1831: Duplicate index 'i'
# defined on the table …". Expected where the plan says the statement adds one (Statement.duplicate_indexes).
_DUPLICATE_INDEX = re.compile(r"(?:Note|Warning) 1831: Duplicate index [`']((?:[^`']|``|'')+)[`']")


def _about_the_statement(warnings: tuple[str, ...], st: Statement) -> tuple[str, ...]:
    """What the server said that the model did not predict."""
    out = []
    for w in warnings:
        if w.startswith(_SERVER_STATE):
            continue
        m = _DUPLICATE_INDEX.match(w)
        if m and key(m.group(1)) in st.duplicate_indexes:
            continue
        out.append(w)
    return tuple(out)


def verify(after: Schema, desired: Schema) -> None:
    """The live schema after apply must plan nothing."""
    left = diff(after, desired)
    if left:
        described = "; ".join(c.describe() for c in left[:10])
        more = f" (and {len(left) - 10} more)" if len(left) > 10 else ""
        raise VerifyFailed(f"after apply, the database still differs from the Schemafile: {described}{more}",
                           hint="this is a bug in schema-apply; please report it with the plan output")
