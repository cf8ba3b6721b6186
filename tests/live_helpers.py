"""Helpers for the live-traffic tests and the benchmark: a server that never answers, a loopback
TCP proxy that can go silent or reset its connections, a bounded writer that measures its own
latency, a ≥ 1M-row table built from MariaDB's sequence engine, and a subprocess apply.

Loopback only: the proxy and the silent server listen on 127.0.0.1 and connect nowhere else.
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pymysql

ROOT = Path(__file__).resolve().parent.parent


def _listen() -> tuple[socket.socket, int]:
    """A listening socket on a free loopback port."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock, sock.getsockname()[1]


class SilentServer:
    """Accepts TCP connections and never says a word."""

    def __init__(self) -> None:
        self.sock, self.port = _listen()
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.sock.close()
        for c in self.accepted:
            c.close()


class Proxy:
    """A loopback TCP proxy to the server: ``silence()`` stops forwarding on every connection
    (and leaves new ones unanswered) while keeping the sockets open; ``reset()`` resets every
    open connection (RST) and keeps accepting new ones."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.sock, self.port = _listen()
        self.silent = threading.Event()
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            if self.silent.is_set():
                with self._lock:
                    self.pairs.append((client, client))  # kept open, never answered
                continue
            upstream = socket.create_connection(self.upstream)
            with self._lock:
                self.pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        src.settimeout(0.1)
        while True:
            if self.silent.is_set():
                time.sleep(0.05)
                continue
            try:
                data = src.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            if self.silent.is_set():
                continue  # dropped: the network went silent
            try:
                dst.sendall(data)
            except OSError:
                return

    def silence(self) -> None:
        self.silent.set()

    def reset(self) -> None:
        with self._lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for s in set(pair):
                try:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    s.close()
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()
        self.reset()


@dataclass
class Writer:
    """A bounded loop of single-row INSERTs on loopback, timing each one."""

    server: object
    database: str
    table: str
    interval: float = 0.02
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (start, seconds)
    errors: list[str] = field(default_factory=list)  # writes that failed even after retrying
    retried: int = 0  # deadlocks retried, as applications do (pt-online-schema-change's triggers cause some)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> "Writer":
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(60)

    def _loop(self) -> None:
        conn = self.server.connect(self.database)
        n = 0
        with conn.cursor() as cur:
            while not self._stop.is_set() and n < 100_000:
                n += 1
                started = time.monotonic()
                for attempt in range(3):
                    try:
                        cur.execute(f"INSERT INTO `{self.table}` (a, b, c) VALUES (%s, %s, NOW())", (n, f"w-{n}"))
                        break
                    except pymysql.err.MySQLError as exc:
                        if exc.args[0] == 1213 and attempt < 2:
                            self.retried += 1
                            continue
                        self.errors.append(f"({exc.args[0]})")
                        break
                self.latencies.append((started, time.monotonic() - started))
                self._stop.wait(self.interval)
        conn.close()

    def max_between(self, start: float, end: float) -> float:
        inside = [s for t, s in self.latencies if start <= t <= end or (t < start and t + s > start)]
        return max(inside, default=0.0)

    @property
    def count(self) -> int:
        return len(self.latencies)


BIG_TABLE = ("CREATE TABLE big (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, a int NOT NULL, b varchar(40) NOT NULL,"
             " c datetime NOT NULL)")


def build_big_table(server, database: str, rows: int = 1_000_000, name: str = "big") -> None:
    """``rows`` rows in seconds, from MariaDB's sequence engine (seq_1_to_N)."""
    conn = server.connect(database)
    with conn.cursor() as cur:
        cur.execute(BIG_TABLE.replace("CREATE TABLE big", f"CREATE TABLE `{name}`"))
        cur.execute(f"INSERT INTO `{name}` (id, a, b, c) SELECT seq, seq MOD 1000, CONCAT('row-', seq),"
                    f" '2020-01-01' + INTERVAL (seq MOD 100000) MINUTE FROM seq_1_to_{int(rows)}")
    conn.close()


def running_statement(server, database: str, prefix: str = "ALTER TABLE") -> tuple[int, float] | None:
    """(connection id, seconds) of a statement of ``database`` starting with ``prefix`` that the
    server is running now (read as root, for the test's own eyes)."""
    conn = server.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT ID, TIME_MS FROM information_schema.PROCESSLIST WHERE DB = %s AND COMMAND = 'Query'"
                        " AND INFO LIKE %s", (database, prefix + "%"))
            row = cur.fetchone()
    finally:
        conn.close()
    return None if row is None else (int(row[0]), float(row[1]) / 1000)


def wait_for_statement(server, database: str, prefix: str = "ALTER TABLE", timeout: float = 60,
                       after: float = 0.0) -> int:
    """Wait until the server runs such a statement (for ``after`` seconds at least); its connection id."""
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        found = running_statement(server, database, prefix)
        if found and found[1] >= after:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no {prefix} ran on {database} within {timeout}s")


def start_apply(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """``schema-apply apply ARGS`` in a subprocess (real signals reach it)."""
    return subprocess.Popen([sys.executable, "-m", "schema_apply", "apply", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
