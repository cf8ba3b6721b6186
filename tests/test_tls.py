"""``--ssl-mode`` with MySQL clients' semantics, against a real MariaDB 10.11 that speaks TLS.

The shared server (127.0.0.1:3306) has no TLS and keeps it that way: this module starts a second
``mariadbd`` of its own, in a temporary data directory on a free port, with a CA and a server
certificate made here by ``openssl`` (naming ``localhost`` only, so that connecting to 127.0.0.1
tells verify-ca from verify-identity), and stops it at the end. Whether a connection used TLS is read
on the server (its ``Ssl_accepts`` counter) as well as on the client's socket.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pymysql
import pytest

from schema_apply.connection import TLS, GuardedConnection
from schema_apply.dsn import ConnectionTarget
from schema_apply.errors import ConnectionError_, UsageError

pytestmark = pytest.mark.server

MARIADBD = shutil.which("mariadbd", path="/usr/sbin:/usr/bin:/usr/local/sbin") or "mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db", path="/usr/bin:/usr/sbin:/usr/local/bin") or "mariadb-install-db"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _certificates(d: Path) -> None:
    """ca.pem (a CA), server.pem/server.key (signed by it, for DNS:localhost), other-ca.pem (another CA)."""
    for name in ("ca", "other-ca"):
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN=schema-apply {name}",
                 "-keyout", f"{name}.key", "-out", f"{name}.pem", cwd=d)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
             "-out", "server.csr", cwd=d)
    (d / "ext.cnf").write_text("subjectAltName=DNS:localhost\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
             "-extfile", "ext.cnf", "-out", "server.pem", cwd=d)


class TLSServer:
    def __init__(self, root: Path):
        self.root = root
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> "TLSServer":
        data = self.root / "data"
        subprocess.run([INSTALL_DB, "--no-defaults", f"--datadir={data}", "--user=root",
                        "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, capture_output=True, timeout=120)
        _certificates(self.root)
        self.process = subprocess.Popen(
            [MARIADBD, "--no-defaults", f"--datadir={data}", f"--socket={self.root / 'sock'}", f"--port={self.port}",
             "--bind-address=127.0.0.1", "--user=root", f"--pid-file={self.root / 'pid'}",
             f"--log-error={self.root / 'error.log'}", "--skip-log-bin", "--innodb-buffer-pool-size=16M",
             f"--ssl-ca={self.root / 'ca.pem'}", f"--ssl-cert={self.root / 'server.pem'}",
             f"--ssl-key={self.root / 'server.key'}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.raw().close()
                break
            except pymysql.err.MySQLError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    log = (self.root / "error.log").read_text(errors="replace")[-2000:]
                    raise AssertionError(f"the TLS test server did not start:\n{log}") from None
                time.sleep(0.2)
        with self.raw() as conn, conn.cursor() as cur:
            cur.execute("CREATE DATABASE app")
            cur.execute("SELECT @@have_ssl")
            assert cur.fetchone()[0] == "YES"
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def raw(self) -> pymysql.connections.Connection:
        """An administrative connection without TLS (it must not move the counters it reads)."""
        return pymysql.connect(host="127.0.0.1", port=self.port, user="root", ssl_disabled=True, autocommit=True)

    def ssl_accepts(self) -> int:
        with self.raw() as conn, conn.cursor() as cur:
            cur.execute("SHOW GLOBAL STATUS LIKE 'Ssl_accepts'")
            return int(cur.fetchone()[1])

    def url(self, host: str = "localhost", **query: str) -> str:
        tail = "&".join(f"{k}={v}" for k, v in query.items())
        return f"mysql://root@{host}:{self.port}/app" + (f"?{tail}" if tail else "")

    @property
    def ca(self) -> str:
        return str(self.root / "ca.pem")


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    server = TLSServer(tmp_path_factory.mktemp("tls-mariadb")).start()
    try:
        yield server
    finally:
        server.stop()


def _open(host: str, port: int, mode: str | None, ca: str | None = None, database: str = "app") -> GuardedConnection:
    return GuardedConnection.open(ConnectionTarget(host=host, user="root", database=database, port=port, ssl_ca=ca,
                                                   ssl_mode=mode))


def _encrypted(conn: GuardedConnection) -> bool:
    import ssl
    return isinstance(conn._raw._sock, ssl.SSLSocket)


@pytest.mark.parametrize("mode, host, ca, tls", [
    ("verify-identity", "localhost", "ca", True),
    ("verify-ca", "127.0.0.1", "ca", True),      # the certificate names localhost only: the CA is what counts
    ("required", "127.0.0.1", None, True),
    ("preferred", "127.0.0.1", None, True),
    (None, "127.0.0.1", None, True),               # no mode: preferred
    (None, "localhost", "ca", True),               # no mode, a CA bundle: verify-identity
    ("disabled", "127.0.0.1", None, False),
])
def test_modes_that_connect(tls_server, mode, host, ca, tls):
    before = tls_server.ssl_accepts()
    with _open(host, tls_server.port, mode, tls_server.ca if ca else None) as conn:
        assert _encrypted(conn) is tls
        assert conn.query("SELECT 1")[0][0] == 1
    assert tls_server.ssl_accepts() - before == (1 if tls else 0)


@pytest.mark.parametrize("mode, host, ca, why", [
    ("verify-identity", "127.0.0.1", "ca", "certificate is not valid for '127.0.0.1'"),
    ("verify-ca", "127.0.0.1", "other-ca", "certificate verify failed"),
    ("verify-identity", "localhost", "other-ca", "certificate verify failed"),
])
def test_verification_failures(tls_server, mode, host, ca, why):
    with pytest.raises(ConnectionError_) as caught:
        _open(host, tls_server.port, mode, str(tls_server.root / f"{ca}.pem"))
    text = str(caught.value).lower()
    assert f"over tls (--ssl-mode {mode})" in text and (why.lower() in text or "self-signed" in text), text


@pytest.mark.parametrize("mode", ["required", "verify-ca", "verify-identity"])
def test_a_server_without_tls_is_refused_before_any_credential_is_sent(server, mode, tmp_path):
    """The shared server offers no TLS: required and the verifying modes fail in the handshake."""
    ca = tmp_path / "ca.pem"
    ca.write_text("not used: the server offers no TLS")
    with pytest.raises(ConnectionError_, match="does not offer TLS.*no credential was sent"):
        _open(server.host, server.port, mode, str(ca))


def test_preferred_without_tls_on_the_server_builds_no_ssl_context(server, database, monkeypatch):
    """Loading a trust store is the costly part of a context (PyMySQL builds a default one for
    every connection): never for a connection that does not use TLS."""
    def forbidden(self):
        raise AssertionError("an SSL context was built for a connection without TLS")
    monkeypatch.setattr(TLS, "context", forbidden)
    with _open(server.host, server.port, "preferred", database=database) as conn:
        assert not _encrypted(conn)
    with _open(server.host, server.port, "disabled", database=database) as conn:
        assert not _encrypted(conn)


def test_the_cli_flag_the_variable_and_the_url(tls_server, cli, tmp_path):
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text("CREATE TABLE t (id int PRIMARY KEY);")
    args = ["plan", "--schema-file", str(schemafile), "--format", "json"]
    runs = [
        (["--database-url", tls_server.url(), "--ssl-mode", "verify-identity", "--ssl-ca", tls_server.ca], {}),
        (["--database-url", tls_server.url()], {"SCHEMA_APPLY_SSL_MODE": "VERIFY_IDENTITY",
                                                "SCHEMA_APPLY_SSL_CA": tls_server.ca}),
        (["--database-url", tls_server.url(**{"ssl-mode": "verify-ca", "ssl-ca": tls_server.ca})], {}),
    ]
    for extra, env in runs:
        before = tls_server.ssl_accepts()
        result = cli(*args, *extra, env=env)
        assert result.exit_code == 2, result.output
        assert json.loads(result.stdout)["changes"][0]["table"] == "t"
        assert tls_server.ssl_accepts() > before, (extra, env)
    # the flag wins over the variable, the variable over the URL
    refused = cli(*args, "--database-url", tls_server.url("127.0.0.1", **{"ssl-mode": "verify-ca"}),
                  "--ssl-ca", tls_server.ca, env={"SCHEMA_APPLY_SSL_MODE": "verify-identity"})
    assert refused.exit_code == 1 and "certificate is not valid for '127.0.0.1'" in refused.stderr, refused.output
    allowed = cli(*args, "--database-url", tls_server.url("127.0.0.1"), "--ssl-ca", tls_server.ca,
                  "--ssl-mode", "verify-ca", env={"SCHEMA_APPLY_SSL_MODE": "verify-identity"})
    assert allowed.exit_code == 2, allowed.output


def test_bad_settings_are_explained(cli, tmp_path):
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text("CREATE TABLE t (id int PRIMARY KEY);")
    base = ["plan", "--schema-file", str(schemafile), "--database-url", "mysql://root@127.0.0.1:9/app"]
    wrong = cli(*base, "--ssl-mode", "verfy-ca")
    assert wrong.exit_code == 1 and "--ssl-mode: expected one of disabled, preferred" in wrong.stderr
    no_ca = cli(*base, "--ssl-mode", "verify-identity")
    assert no_ca.exit_code == 1 and "needs a CA bundle" in no_ca.stderr and "SSL_CA_BUNDLE" in no_ca.stderr
    missing = cli(*base, "--ssl-ca", str(tmp_path / "nope.pem"))
    assert missing.exit_code == 1 and "no such file" in missing.stderr
    ignored = cli(*base, "--ssl-mode", "disabled", "--ssl-ca", str(tmp_path / "nope.pem"))
    assert "no such file" not in ignored.stderr and "cannot connect" in ignored.stderr  # disabled: the CA is moot


def test_modes_are_read_as_mysql_clients_spell_them():
    from schema_apply.dsn import parse_url, ssl_mode
    assert [ssl_mode(m) for m in ("DISABLED", "Preferred", "VERIFY_IDENTITY", " verify-ca ")] == [
        "disabled", "preferred", "verify-identity", "verify-ca"]
    assert ssl_mode(None) is None and ssl_mode("") is None
    with pytest.raises(UsageError):
        ssl_mode("verify")
    assert parse_url("mysql://u@h/app?ssl-mode=REQUIRED").tls == "required"
    assert parse_url("mysql://u@h/app?ssl-ca=/x.pem").tls == "verify-identity"
    assert parse_url("mysql://u@h/app").tls == "preferred"
    with pytest.raises(UsageError):
        parse_url("mysql://u@h/app?ssl-mode=maybe")


def test_the_task_definition_verifies_the_server():
    root = Path(__file__).resolve().parent.parent
    container = json.loads((root / "ecs" / "task-definition.json").read_text())["containerDefinitions"][0]
    env = {e["name"]: e["value"] for e in container["environment"]}
    assert env["SCHEMA_APPLY_SSL_MODE"] == "verify-identity"
    assert env["SCHEMA_APPLY_SSL_CA"] == "/etc/schema-apply/ca-bundle.pem"
    dockerfile = (root / "Dockerfile").read_text()
    assert "ARG SSL_CA_BUNDLE" in dockerfile and "/etc/schema-apply/ca-bundle.pem" in dockerfile
    assert os.path.basename(env["SCHEMA_APPLY_SSL_CA"]) in dockerfile
