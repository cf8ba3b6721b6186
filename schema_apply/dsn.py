"""Connection targets: where to connect and as whom, never printed with the password.

A target comes from ``--database-url`` (``mysql://user:password@host:port/db``)
or from a secret value (credstash / Secrets Manager): either the same URL, or
JSON in the shape AWS Secrets Manager uses for RDS
(``{"host", "port", "username", "password", "dbname"}``).
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass, field

from .errors import CredentialError

DEFAULT_PORT = 3306


@dataclass(frozen=True)
class ConnectionTarget:
    host: str
    user: str
    database: str
    port: int = DEFAULT_PORT
    password: str = field(default="", repr=False)
    ssl_ca: str | None = None
    unix_socket: str | None = None

    def masked_url(self) -> str:
        """The URL for display: the password is replaced by ``***``."""
        auth = urllib.parse.quote(self.user, safe="")
        if self.password:
            auth += ":***"
        return f"mysql://{auth}@{self.host}:{self.port}/{urllib.parse.quote(self.database, safe='')}"

    def __str__(self) -> str:
        return self.masked_url()

    def with_ssl_ca(self, ssl_ca: str | None) -> "ConnectionTarget":
        if not ssl_ca:
            return self
        return ConnectionTarget(self.host, self.user, self.database, self.port, self.password, ssl_ca,
                                self.unix_socket)


def parse_url(url: str, *, source: str = "--database-url") -> ConnectionTarget:
    """Parse ``mysql://user:password@host:port/database[?ssl-ca=PATH]``.

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
    socket = (query.get("unix_socket") or query.get("socket") or [None])[0]
    return ConnectionTarget(
        host=parts.hostname or "127.0.0.1",
        port=port or DEFAULT_PORT,
        user=urllib.parse.unquote(parts.username or "root"),
        password=urllib.parse.unquote(parts.password or ""),
        database=database,
        ssl_ca=ssl_ca,
        unix_socket=socket,
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
        if database:
            target = ConnectionTarget(target.host, target.user, database, target.port, target.password,
                                      target.ssl_ca, target.unix_socket)
        return target
    raise CredentialError(f"{source}: the secret's value is neither RDS-style JSON nor a mysql:// URL")
