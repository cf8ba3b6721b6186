"""A local stand-in for the AWS side of an ECS run, on loopback only.

Used by scripts/demo, scripts/docker-smoke and the tests:

- ``MotoServer``: ``moto_server`` on 127.0.0.1 and a free port (KMS, DynamoDB, IAM, STS, ...);
  ``enforce_iam()`` turns its IAM enforcement on (moto checks actions, not resources or conditions).
- ``setup_credstash``: a KMS key (alias/credstash) and the credstash table; ``put_secret`` stores a value
  with the real ``credstash.putSecret``.
- ``create_task_role``: an IAM role like the task role, and temporary credentials for it (STS).
- ``ContainerCredentialsServer``: what ECS serves to a task at ``AWS_CONTAINER_CREDENTIALS_*``: the
  role's credentials as JSON, to a caller that sends the authorization token.
- ``task_environment``: the environment ``ecs/task-definition.json`` gives the container.
- ``LocalDatabase``: the local MariaDB; a demo database and a user with a fresh password.

Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REGION = "eu-west-1"
DUMMY_KEYS = {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "local-stand-in"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- moto_server -------------------------------------------------------------------------------

class MotoServer:
    def __init__(self, port: int | None = None, log: Path | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 30.0) -> "MotoServer":
        exe = shutil.which("moto_server", path=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
        if not exe:
            raise SystemExit("moto_server not found: pip install 'moto[server]'")
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(self.port)], stdout=out,
                                     stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"moto_server exited with code {self.proc.returncode}"
                                 + (f" (see {self.log})" if self.log else ""))
            try:
                urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1).read()
                return self
            except urllib.error.HTTPError:
                return self  # it answers
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"moto_server did not answer on {self.url} within {timeout:g} s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def enforce_iam(self, after_actions: int = 0) -> None:
        """From now on (after ``after_actions`` more requests), moto checks every request's IAM policy."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset-auth", data=str(after_actions).encode(),
                                         method="POST", headers={"Content-Type": "text/plain"})
        urllib.request.urlopen(request, timeout=5).read()

    def session(self, **keys):
        """A boto3 session pointed at this server, with the setup's dummy keys (or ``keys``)."""
        import boto3
        from botocore.config import Config
        creds = keys or {"aws_access_key_id": DUMMY_KEYS["AWS_ACCESS_KEY_ID"],
                         "aws_secret_access_key": DUMMY_KEYS["AWS_SECRET_ACCESS_KEY"]}
        sess = boto3.Session(region_name=REGION, **creds)
        config = Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 1})
        return _EndpointSession(sess, self.url, config)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class _EndpointSession:
    def __init__(self, sess, url, config):
        self._sess, self._url, self._config = sess, url, config

    def client(self, service):
        return self._sess.client(service, endpoint_url=self._url, config=self._config)

    def resource(self, service):
        return self._sess.resource(service, endpoint_url=self._url, config=self._config)


# --- credstash -----------------------------------------------------------------------------------

def setup_credstash(sess, table: str = "credential-store") -> str:
    """A KMS key with alias/credstash and the credstash table; the key's ARN."""
    kms = sess.client("kms")
    key = kms.create_key(Description="credstash (local stand-in)")["KeyMetadata"]
    kms.create_alias(AliasName="alias/credstash", TargetKeyId=key["KeyId"])
    sess.client("dynamodb").create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "name", "KeyType": "HASH"}, {"AttributeName": "version", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"},
                              {"AttributeName": "version", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST")
    return key["Arn"]


def put_secret(sess, name: str, value: str, *, table: str = "credential-store",
               context: dict[str, str] | None = None, digest: str = "SHA256", version: int = 1) -> None:
    import credstash
    credstash.putSecret(name, value, version=version, table=table, context=context or None, digest=digest,
                        kms=sess.client("kms"), dynamodb=sess.resource("dynamodb"))


# --- the task role ---------------------------------------------------------------------------------

def moto_policy(policy: dict) -> dict:
    """``policy`` with every Resource widened to "*": moto matches resources against "*" only,
    so a statement naming an ARN would never apply there. Actions (and Effect) are kept."""
    statements = []
    for stmt in policy["Statement"]:
        stmt = {k: v for k, v in stmt.items() if k not in ("Resource", "NotResource", "Condition")}
        statements.append(stmt | {"Resource": "*"})
    return {"Version": policy.get("Version", "2012-10-17"), "Statement": statements}


def create_task_role(sess, name: str, policy: dict) -> dict:
    """An IAM role that ECS tasks may assume, with ``policy``; temporary credentials for it."""
    iam = sess.client("iam")
    trust = json.loads((REPO / "ecs" / "trust-policy.json").read_text())
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName=f"{name}-policy", PolicyDocument=json.dumps(policy))
    creds = sess.client("sts").assume_role(RoleArn=arn, RoleSessionName="ecs-task")["Credentials"]
    return {"RoleArn": arn, "AccessKeyId": creds["AccessKeyId"], "SecretAccessKey": creds["SecretAccessKey"],
            "Token": creds["SessionToken"]}


class ContainerCredentialsServer:
    """Serves a role's credentials the way the ECS agent does for a task, on 127.0.0.1.

    boto3 in the container finds them through ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` and
    ``AWS_CONTAINER_AUTHORIZATION_TOKEN`` (ECS itself uses RELATIVE_URI on 169.254.170.2).
    """

    def __init__(self, credentials: dict):
        self.credentials = credentials
        self.token = secrets.token_hex(16)
        self.requests: list[tuple[str, str | None]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests.append((self.path, self.headers.get("Authorization")))
                if self.headers.get("Authorization") != outer.token or self.path != "/v2/credentials/task":
                    self.send_response(403)
                    self.end_headers()
                    return
                expires = (datetime.now(timezone.utc) + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%SZ")
                body = json.dumps({"RoleArn": outer.credentials["RoleArn"],
                                   "AccessKeyId": outer.credentials["AccessKeyId"],
                                   "SecretAccessKey": outer.credentials["SecretAccessKey"],
                                   "Token": outer.credentials["Token"], "Expiration": expires}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def environment(self) -> dict[str, str]:
        return {"AWS_CONTAINER_CREDENTIALS_FULL_URI": f"http://127.0.0.1:{self.port}/v2/credentials/task",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": self.token}

    def start(self) -> "ContainerCredentialsServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --- the task definition ---------------------------------------------------------------------------

def task_definition(path: Path = REPO / "ecs" / "task-definition.json") -> dict:
    return json.loads(path.read_text())


def task_environment(definition: dict | None = None) -> dict[str, str]:
    """The environment the task definition gives its (only) container."""
    (container,) = (definition or task_definition())["containerDefinitions"]
    return {item["name"]: item["value"] for item in container.get("environment", [])}


def task_context(env: dict[str, str]) -> dict[str, str]:
    raw = env.get("SCHEMA_APPLY_CREDSTASH_CONTEXT", "")
    return dict(piece.strip().split("=", 1) for piece in raw.split(",") if piece.strip())


# --- the local MariaDB ------------------------------------------------------------------------------

class LocalDatabase:
    """The local server, administered as root (TCP with no password, or the unix socket)."""

    SOCKETS = ("/run/mysqld/mysqld.sock", "/var/run/mysqld/mysqld.sock", "/tmp/mysql.sock")

    def __init__(self, host: str = "127.0.0.1", port: int = 3306):
        self.host, self.port = host, port

    def admin(self):
        import pymysql
        try:
            return pymysql.connect(host=self.host, port=self.port, user="root", password="", autocommit=True,
                                   connect_timeout=5)
        except pymysql.err.OperationalError as exc:
            for path in self.SOCKETS:
                if os.path.exists(path):
                    try:
                        return pymysql.connect(unix_socket=path, user="root", autocommit=True)
                    except pymysql.err.OperationalError:
                        continue
            raise SystemExit(f"cannot log in to MariaDB as root on {self.host}:{self.port} ({exc.args[-1]})")

    def reachable(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=2):
                return True
        except OSError:
            return False

    def recreate(self, database: str, user: str, password: str, grants: str) -> None:
        """A fresh, empty ``database`` and ``user`` (from 127.0.0.1 and localhost) with ``grants`` on it."""
        conn = self.admin()
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{database}`")
            cur.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            for host in ("127.0.0.1", "localhost"):
                cur.execute("DROP USER IF EXISTS %s@%s", (user, host))
                cur.execute("CREATE USER %s@%s IDENTIFIED BY %s", (user, host, password))
                cur.execute(f"GRANT {grants} ON `{database}`.* TO %s@%s", (user, host))
        conn.close()

    def drop_user(self, user: str) -> None:
        conn = self.admin()
        with conn.cursor() as cur:
            for host in ("127.0.0.1", "localhost"):
                cur.execute("DROP USER IF EXISTS %s@%s", (user, host))
        conn.close()


# --- all of it together: what an ECS task of schema-apply finds around it -------------------------

DEMO_DATABASE = "schema_apply_demo"
DEMO_USER = "schema_apply_demo"
# DDL only, no SELECT: the grant set DESIGN.md promises schema-apply works with.
DEMO_GRANTS = "CREATE, ALTER, DROP, INDEX, REFERENCES, CREATE VIEW, SHOW VIEW"


LOCAL_TLS = {"SCHEMA_APPLY_SSL_MODE": "preferred"}
"""What stands in for the task's TLS settings against the local server, which offers no TLS."""


class LocalStage:
    """moto_server with the credstash table, the KMS key and the task role (IAM enforced), the
    container credentials endpoint, and the local MariaDB with a fresh database and user whose
    credentials are stored in credstash under the task definition's key and encryption context.

    ``environment`` is what the container gets: the task definition's variables, the region,
    the credentials endpoint, and AWS_ENDPOINT_URL pointing at the stand-in — with one difference:
    the local MariaDB has no TLS certificate, so the task's ``verify-identity`` (for RDS, with the
    CA bundle the image carries) gives way to ``preferred`` (:data:`LOCAL_TLS`).
    """

    def __init__(self, workdir: Path, *, database: str = DEMO_DATABASE, user: str = DEMO_USER,
                 db_host: str = "127.0.0.1", db_port: int = 3306):
        self.workdir = workdir
        self.database, self.user = database, user
        self.db = LocalDatabase(db_host, db_port)
        self.password = "Demo-" + secrets.token_urlsafe(18)
        self.moto = MotoServer(log=workdir / "moto_server.log")
        self.endpoint: ContainerCredentialsServer | None = None
        self.task_env = task_environment()

    def __enter__(self) -> "LocalStage":
        self.moto.start()
        try:
            self._prepare()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _prepare(self) -> None:
        sess = self.moto.session()
        table = self.task_env.get("SCHEMA_APPLY_CREDSTASH_TABLE", "credential-store")
        setup_credstash(sess, table)
        self.db.recreate(self.database, self.user, self.password, DEMO_GRANTS)
        value = json.dumps({"host": self.db.host, "port": self.db.port, "username": self.user,
                            "password": self.password, "dbname": self.database})
        put_secret(sess, self.task_env["SCHEMA_APPLY_CREDSTASH_KEY"], value, table=table,
                   context=task_context(self.task_env))
        policy = json.loads((REPO / "ecs" / "task-role-policy.json").read_text())
        role = create_task_role(sess, "schema-apply-task", moto_policy(policy))
        self.endpoint = ContainerCredentialsServer(role).start()
        self.moto.enforce_iam()

    def __exit__(self, *exc) -> None:
        if self.endpoint:
            self.endpoint.stop()
        self.moto.stop()
        try:
            self.db.drop_user(self.user)
        except BaseException:
            pass

    @property
    def environment(self) -> dict[str, str]:
        assert self.endpoint is not None
        task = {k: v for k, v in self.task_env.items() if k not in ("SCHEMA_APPLY_SSL_CA", "SCHEMA_APPLY_SSL_MODE")}
        return {**task, **LOCAL_TLS, "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
                "AWS_ENDPOINT_URL": self.moto.url, **self.endpoint.environment,
                # Safety net: were the endpoint to fail, boto3 must not try the EC2 metadata address.
                "AWS_EC2_METADATA_DISABLED": "true"}
