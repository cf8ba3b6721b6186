"""Who keeps a DDL from its metadata lock: sessions with long-running transactions.

An ALTER TABLE needs an exclusive metadata lock on its table, which waits for every transaction
that has touched the table to end — and while it waits, every new query on the table queues
behind it (the MDL pile-up). Before a DDL and after a lock-wait timeout the apply looks for the
sessions in the way, from metadata only:

* MariaDB with the ``METADATA_LOCK_INFO`` plugin: exactly the sessions holding a lock on the table;
* otherwise: sessions with a transaction open longer than the DDL's lock wait
  (``information_schema.INNODB_TRX`` joined to ``PROCESSLIST``) — the likely blockers.

``PROCESSLIST.INFO`` and ``INNODB_TRX.trx_query`` hold the text of other sessions' statements,
with the values in them: they are never selected (the guard refuses them). A blocker is reported
by connection id, user, host and how long its transaction has been open — who, never what.
Seeing other users' sessions needs the PROCESS privilege; without it the report says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from .errors import ServerError
from .values import frozen


class Connection(Protocol):
    connection_id: int | None

    def query(self, sql: str, params: tuple = ()) -> list[tuple]: ...


@frozen
class Blocker:
    connection_id: int
    user: str
    host: str
    seconds: int  # how long its transaction (or its lock) has been held
    exact: bool  # known to hold a lock on the table (METADATA_LOCK_INFO), not only a long transaction

    def describe(self) -> str:
        what = "holds a lock on the table" if self.exact else "has a transaction open"
        # not "user@host:port": beside a timestamp on one line (the audit line) that reads as a DSN
        # with its password, and the redaction masks it
        return f"connection {self.connection_id} (user {self.user}, from {self.host}) {what} for {self.seconds}s"


@frozen
class Sighting:
    """What one look found: the blockers, and what could not be seen."""

    blockers: tuple[Blocker, ...] = ()
    exact: bool = False  # METADATA_LOCK_INFO answered for the table
    note: str | None = None  # e.g. the PROCESS privilege is missing

    def describe(self) -> str:
        if self.blockers:
            return "; ".join(b.describe() for b in self.blockers)
        return self.note or "no session in the way is visible"


class BlockerFinder:
    """Looks for blockers through one connection (the apply's own, between statements)."""

    def __init__(self, conn: Connection, database: str, own_ids: tuple[int, ...] = ()):
        self.conn = conn
        self.database = database
        self.own_ids = tuple(i for i in own_ids if i is not None)
        self._mdl_info: bool | None = None

    def has_lock_info(self) -> bool:
        """Is MariaDB's METADATA_LOCK_INFO plugin active (one query, remembered)?"""
        if self._mdl_info is None:
            rows = self.conn.query("SELECT PLUGIN_STATUS FROM information_schema.PLUGINS"
                                   " WHERE PLUGIN_NAME = 'METADATA_LOCK_INFO'")
            self._mdl_info = bool(rows) and str(rows[0][0]).upper() == "ACTIVE"
        return self._mdl_info

    def look(self, table: str, min_seconds: float) -> Sighting:
        try:
            if self.has_lock_info():
                return Sighting(tuple(self._lock_holders(table)), exact=True)
            return Sighting(tuple(self._long_transactions(min_seconds)))
        except ServerError as exc:
            if exc.code in (1227, 1142, 1044):  # no PROCESS privilege
                return Sighting(note="other sessions are not visible to this user (the PROCESS privilege shows"
                                     " who holds the table)")
            return Sighting(note=f"could not look for blockers: ({exc.code})")

    def _lock_holders(self, table: str) -> list[Blocker]:
        rows = self.conn.query(
            "SELECT m.THREAD_ID, p.USER, p.HOST, p.TIME FROM information_schema.METADATA_LOCK_INFO m"
            " JOIN information_schema.PROCESSLIST p ON p.ID = m.THREAD_ID"
            " WHERE m.TABLE_SCHEMA = %s AND m.TABLE_NAME = %s", (self.database, table))
        out: dict[int, Blocker] = {}
        for thread, user, host, seconds in rows:
            if int(thread) not in self.own_ids:
                out[int(thread)] = Blocker(int(thread), str(user), str(host), int(seconds or 0), exact=True)
        return sorted(out.values(), key=lambda b: -b.seconds)

    def _long_transactions(self, min_seconds: float) -> list[Blocker]:
        rows = self.conn.query(
            "SELECT t.TRX_MYSQL_THREAD_ID, p.USER, p.HOST, t.TRX_STARTED, NOW() FROM information_schema.INNODB_TRX t"
            " JOIN information_schema.PROCESSLIST p ON p.ID = t.TRX_MYSQL_THREAD_ID")
        out = []
        for thread, user, host, started, now in rows:
            if int(thread) in self.own_ids:
                continue
            seconds = int((now - started).total_seconds()) if isinstance(started, datetime) else 0
            if seconds >= min_seconds:
                out.append(Blocker(int(thread), str(user), str(host), seconds, exact=False))
        return sorted(out, key=lambda b: -b.seconds)
