"""Helpers for the AWS tests: a clean AWS environment, a credstash store in moto, loopback servers.

Nothing here talks to real AWS: every test points boto3 at moto (in-process ``mock_aws`` or a
``moto_server`` on 127.0.0.1), with dummy credentials and the instance metadata lookup disabled.
"""

from __future__ import annotations

import importlib.util
import json
import os
import time
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REGION = "eu-west-1"
TABLE = "credential-store"
LOG_GROUP = "/ecs/schema-apply"


def load_script_module(name: str):
    """Import ``scripts/<name>.py`` (the helpers scripts/demo and scripts/docker-smoke use)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def clean_aws_env(monkeypatch, *, credentials: bool = True, region: str | None = REGION) -> None:
    """Forget every AWS_* variable of the machine; set dummy credentials and a region."""
    for var in list(os.environ):
        if var.startswith("AWS_") or var.startswith("SCHEMA_APPLY_"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask 169.254.169.254
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    if credentials:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    if region:
        monkeypatch.setenv("AWS_REGION", region)


@pytest.fixture
def aws_env(monkeypatch):
    clean_aws_env(monkeypatch)


@dataclass
class CredstashStore:
    """A credstash table and KMS key (alias/credstash) inside moto, filled by the real putSecret."""

    session: object
    table: str = TABLE

    @classmethod
    def create(cls, table: str = TABLE) -> "CredstashStore":
        import boto3
        sess = boto3.Session(region_name=REGION)
        kms = sess.client("kms")
        key_id = kms.create_key(Description="credstash")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/credstash", TargetKeyId=key_id)
        sess.client("dynamodb").create_table(
            TableName=table,
            KeySchema=[{"AttributeName": "name", "KeyType": "HASH"},
                       {"AttributeName": "version", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "name", "AttributeType": "S"},
                                  {"AttributeName": "version", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        return cls(sess, table)

    def put(self, name: str, value: str, *, version: int = 1, digest: str = "SHA256",
            context: dict[str, str] | None = None) -> None:
        import credstash
        credstash.putSecret(name, value, version=version, table=self.table, context=context, digest=digest,
                            kms=self.session.client("kms"), dynamodb=self.session.resource("dynamodb"))

    def item(self, name: str, version: int = 1) -> dict:
        return self.session.resource("dynamodb").Table(self.table).get_item(
            Key={"name": name, "version": f"{version:019d}"})["Item"]

    def replace_item(self, item: dict) -> None:
        self.session.resource("dynamodb").Table(self.table).put_item(Item=item)


class MotoEcs:
    """A cluster, the repo's task definition, a subnet and a log group, in moto."""

    def __init__(self):
        import boto3
        self.ecs = boto3.client("ecs", region_name=REGION)
        self.logs = boto3.client("logs", region_name=REGION)
        ec2 = boto3.client("ec2", region_name=REGION)
        self.ecs.create_cluster(clusterName="default")
        definition = json.loads((REPO / "ecs" / "task-definition.json").read_text())
        # moto sums container-level memory to place tasks (real Fargate does not need it).
        definition["containerDefinitions"][0]["memory"] = int(definition["memory"])
        self.ecs.register_task_definition(**definition)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})  # moto's ENI needs it
        self.subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        self.group = ec2.create_security_group(GroupName="schema-apply", Description="x", VpcId=vpc)["GroupId"]
        self.logs.create_log_group(logGroupName=LOG_GROUP)
        self.written: list[str] = []

    def task(self) -> dict:
        arns = self.ecs.list_tasks(cluster="default")["taskArns"]
        assert len(arns) == 1
        return self.ecs.describe_tasks(cluster="default", tasks=arns)["tasks"][0]

    def container_writes(self, *lines: str) -> None:
        """What the awslogs driver does: the task's stream, one event per line."""
        arn = self.ecs.list_tasks(cluster="default")["taskArns"][0]
        stream = f"schema-apply/schema-apply/{arn.rsplit('/', 1)[-1]}"
        if not self.logs.describe_log_streams(logGroupName=LOG_GROUP, logStreamNamePrefix=stream)["logStreams"]:
            self.logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
        now = int(time.time() * 1000)
        self.logs.put_log_events(logGroupName=LOG_GROUP, logStreamName=stream,
                                 logEvents=[{"timestamp": now, "message": line} for line in lines])
        self.written.extend(lines)

    def container_exits(self, code: int) -> None:
        """The container's exit code, as ECS reports it once the task stops (moto says 0 otherwise)."""
        from moto.ecs.models import ecs_backends
        arn = self.ecs.list_tasks(cluster="default")["taskArns"][0]
        for backend in ecs_backends.values():
            for tasks in backend[REGION].tasks.values():
                for task in tasks.values():
                    if task.task_arn == arn:
                        task.containers[0].exitCode = code


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SilentServer:
    """A loopback TCP server that accepts connections and never answers: a hung endpoint."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._conns: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self._conns.append(conn)
            except OSError:
                continue

    def close(self):
        self._stop.set()
        self._thread.join(2)
        for conn in self._conns:
            conn.close()
        self.sock.close()
