"""Connection targets: where to connect and as whom, never printed with the password.

A target comes from ``--database-url`` (``mysql://user:password@host:port/db``)
or from a secret value (credstash / Secrets Manager): either the same URL, or
JSON in the shape AWS Secrets Manager uses for RDS
(``{"host", "port", "username", "password", "dbname"}``).

TLS follows the MySQL clients' ``--ssl-mode`` (:data:`SSL_MODES`): ``disabled``;
``preferred`` (TLS when the server offers it, unverified); ``required`` (TLS or no
connection, unverified); ``verify-ca`` (TLS, the server's certificate signed by
the CA bundle ``ssl_ca``); ``verify-identity`` (that, and the certificate names
the host). Without a mode: ``verify-identity`` when a CA bundle is given,
``preferred`` otherwise.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import field, replace

from .errors import CredentialError, UsageError
from .values import frozen

DEFAULT_PORT = 3306
SSL_MODES = ("disabled", "preferred", "required", "verify-ca", "verify-identity")
VERIFYING_MODES = ("verify-ca", "verify-identity")


def ssl_mode(value: str | None, *, source: str = "--ssl-mode") -> str | None:
    """``value`` as one of :data:`SSL_MODES` (MySQL's spellings too: ``VERIFY_IDENTITY``), or None."""
    if value is None or not value.strip():
        return None
    mode = value.strip().lower().replace("_", "-")
    if mode not in SSL_MODES:
        shown = f", got {value.strip()!r}" if re.fullmatch(r"[\w-]{1,30}", value.strip()) else ""
        raise UsageError(f"{source}: expected one of {', '.join(SSL_MODES)}{shown}")
    return mode


@frozen
class ConnectionTarget:
    host: str
    user: str
    database: str
    port: int = DEFAULT_PORT
    password: str = field(default="", repr=False)
    ssl_ca: str | None = None
    unix_socket: str | None = None
    ssl_mode: str | None = None  # None: verify-identity with a CA bundle, preferred without

    @property
    def tls(self) -> str:
        """The effective ``--ssl-mode``."""
        return self.ssl_mode or ("verify-identity" if self.ssl_ca else "preferred")

    def masked_url(self) -> str:
        """The URL for display: the password is replaced by ``***``."""
        auth = urllib.parse.quote(self.user, safe="")
        if self.password:
            auth += ":***"
        return f"mysql://{auth}@{self.host}:{self.port}/{urllib.parse.quote(self.database, safe='')}"

    def __str__(self) -> str:
        return self.masked_url()

    def with_tls(self, ssl_ca: str | None, mode: str | None) -> "ConnectionTarget":
        """The target with the TLS settings of the command line (which win over the URL's)."""
        return replace(self, ssl_ca=ssl_ca or self.ssl_ca, ssl_mode=mode or self.ssl_mode)


def parse_url(url: str, *, source: str = "--database-url") -> ConnectionTarget:
    """Parse ``mysql://user:password@host:port/database[?ssl-ca=PATH&ssl-mode=MODE]``.

    Errors never quote the URL (it may hold a password); they say what is wrong.
    """
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise CredentialError(f"{source}: not a valid URL (expected mysql://user:password@host:port/database)")
    if parts.scheme not in ("mysql", "mariadb", "mysql+pymysql"):
        raise CredentialError(f"{source}: the scheme must be mysql:// (got {parts.scheme or 'none'}://)")
    database = urllib.parse.unquote(parts.path.lstrip("/"))
    if not database or "/" in database:
        raise CredentialError(f"{source}: the URL must name one database, as in mysql://user@host/app")
    query = urllib.parse.parse_qs(parts.query)
    ssl_ca = (query.get("ssl-ca") or query.get("ssl_ca") or [None])[0]
    mode = ssl_mode((query.get("ssl-mode") or query.get("ssl_mode") or [None])[0], source=f"{source}: ssl-mode")
    socket = (query.get("unix_socket") or query.get("socket") or [None])[0]
    return ConnectionTarget(
        host=parts.hostname or "127.0.0.1",
        port=port or DEFAULT_PORT,
        user=urllib.parse.unquote(parts.username or "root"),
        password=urllib.parse.unquote(parts.password or ""),
        database=database,
        ssl_ca=ssl_ca,
        unix_socket=socket,
        ssl_mode=mode,
    )


def from_secret_value(value: str, *, source: str, database: str | None = None) -> ConnectionTarget:
    """A target from a secret's value: RDS-style JSON or a mysql:// URL.

    ``source`` names the secret in error messages; the value itself is never quoted.
    """
    text = value.strip()
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError:
            raise CredentialError(f"{source}: the secret's value is neither valid JSON nor a mysql:// URL")
        if not isinstance(doc, dict):
            raise CredentialError(f"{source}: the secret's JSON must be an object")
        missing = [k for k in ("host", "username", "password") if not doc.get(k) and doc.get(k) != ""]
        if missing:
            raise CredentialError(f"{source}: the secret's JSON lacks {', '.join(missing)}"
                                  " (expected host, port, username, password, dbname)")
        dbname = database or doc.get("dbname") or doc.get("database")
        if not dbname:
            raise CredentialError(f"{source}: the secret names no database (dbname)")
        try:
            port = int(doc.get("port") or DEFAULT_PORT)
        except (TypeError, ValueError):
            raise CredentialError(f"{source}: the secret's port is not a number")
        return ConnectionTarget(host=str(doc["host"]), port=port, user=str(doc["username"]),
                                password=str(doc["password"]), database=str(dbname))
    if "://" in text:
        target = parse_url(text, source=source)
        return replace(target, database=database) if database else target
    raise CredentialError(f"{source}: the secret's value is neither RDS-style JSON nor a mysql:// URL")
