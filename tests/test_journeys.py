"""The Schemafile delivered to ECS as data, end to end on moto and the real server:
``run-task --schema-file`` uploads it content-addressed, the container (the real CLI, with the
environment run-task gave the task) downloads it, checks its SHA-256 and plans; its standard output
comes back through the log as clean JSON; a tampered object is refused."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner
from moto import mock_aws

from aws_helpers import REGION, MotoEcs, aws_env  # noqa: F401
from schema_apply import run_task
from schema_apply.cli import main
from schema_apply.ecs_config import RunTaskConfig

pytestmark = [pytest.mark.aws, pytest.mark.server]

BUCKET = "acme-schema-apply"
LIVE = "CREATE TABLE shops (id int NOT NULL PRIMARY KEY);"
WANTED = "CREATE TABLE shops (id int NOT NULL PRIMARY KEY, name varchar(100) NOT NULL);\n"


class Stage(MotoEcs):
    """moto's ECS, logs and S3, and a container that runs the real CLI against the local server."""

    def __init__(self, database_url: str):
        super().__init__()
        import boto3
        self.s3 = boto3.client("s3", region_name=REGION)
        self.s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        self.database_url = database_url
        self.ran: list = []
        self.before_container = lambda env: None

    def run_container(self) -> None:
        """What the task does: the image's entrypoint with the command and environment of the task's
        overrides (the database URL stands in for the credstash key of the real task definition)."""
        override = self.task()["overrides"]["containerOverrides"][0]
        env = {e["name"]: e["value"] for e in override.get("environment", [])}
        self.before_container(env)
        result = CliRunner().invoke(main, [*override["command"], "--database-url", self.database_url], env=env)
        self.ran.append((env, result))
        self.container_writes(*result.stdout.splitlines(), *result.stderr.splitlines())
        self.container_exits(result.exit_code)

    def run_task(self, schemafile, *args: str) -> tuple[int, list[str], list[str]]:
        out, err, notes = [], [], []
        started = []

        def sleep(_seconds):
            if not started:
                started.append(True)
                self.run_container()
        config = RunTaskConfig(cluster="default", subnets=(self.subnet,), security_groups=(self.group,),
                               poll_interval=0.01, schema_bucket=BUCKET, schema_prefix="/schemafiles/")
        code = run_task.run(config, args, out=out.append, err=err.append, note=notes.append,
                            schema_file=str(schemafile), sleep=sleep)
        return code, out, err + notes


@pytest.fixture
def stage(aws_env, server, databases):  # noqa: F811
    db = databases.new(LIVE)
    with mock_aws():
        yield Stage(server.url(db))


def test_run_task_schema_file_uploads_and_the_task_plans_it(stage, tmp_path):
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(WANTED)
    digest = hashlib.sha256(WANTED.encode()).hexdigest()
    code, out, err = stage.run_task(schemafile, "plan", "--format", "json")
    assert code == 2, err
    # content-addressed in S3, with S3's own checksum of the upload
    key = f"schemafiles/{digest}.sql"
    stored = stage.s3.get_object(Bucket=BUCKET, Key=key, ChecksumMode="ENABLED")
    assert stored["Body"].read() == WANTED.encode()
    # the task was told where and what: it read that object, not the image's file
    env, container = stage.ran[0]
    assert env["SCHEMA_APPLY_SCHEMA_FILE"] == f"s3://{BUCKET}/{key}" and env["SCHEMA_APPLY_SCHEMA_SHA256"] == digest
    # its standard output came back as clean JSON, the plan of that Schemafile
    doc = json.loads("\n".join(out))
    assert doc["schema_file"] == f"s3://{BUCKET}/{key}" and doc["schema_sha256"] == digest
    assert [c["description"] for c in doc["changes"]] == ["add column shops.name"]
    assert any(n == f"uploaded {schemafile} to s3://{BUCKET}/{key}" for n in err)
    assert doc["exit_code"] == 2 and doc["live_sha256"]


def test_a_tampered_object_is_refused(stage, tmp_path):
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(WANTED)
    digest = hashlib.sha256(WANTED.encode()).hexdigest()
    tampered = WANTED.replace("name varchar(100) NOT NULL", "name varchar(100) NOT NULL, evil int")

    def tamper(env):  # between the upload and the task reading it, someone replaces the object
        stage.s3.put_object(Bucket=BUCKET, Key=f"schemafiles/{digest}.sql", Body=tampered.encode())
    stage.before_container = tamper
    code, out, err = stage.run_task(schemafile, "apply")
    assert code == 1, err
    assert any(f"its SHA-256 is {hashlib.sha256(tampered.encode()).hexdigest()}, expected {digest}" in line
               for line in err), err
    assert any("refusing a Schemafile that is not the one that was sent" in line for line in err)
    assert not out
    # nothing was applied
    again = CliRunner().invoke(main, ["plan", "--schema-file", str(schemafile), "--database-url", stage.database_url])
    assert again.exit_code == 2


def test_an_s3_schemafile_without_a_digest_is_read_only_under_its_digest_name(stage, tmp_path):
    stage.s3.put_object(Bucket=BUCKET, Key="loose/Schemafile.sql", Body=WANTED.encode())
    result = CliRunner().invoke(main, ["plan", "--schema-file", f"s3://{BUCKET}/loose/Schemafile.sql",
                                       "--database-url", stage.database_url])
    assert result.exit_code == 1 and "read only with its SHA-256" in result.stderr
    digest = hashlib.sha256(WANTED.encode()).hexdigest()
    stage.s3.put_object(Bucket=BUCKET, Key=f"x/{digest}.sql", Body=WANTED.encode())
    ok = CliRunner().invoke(main, ["plan", "--schema-file", f"s3://{BUCKET}/x/{digest}.sql",
                                   "--database-url", stage.database_url])
    assert ok.exit_code == 2, ok.output
    missing = CliRunner().invoke(main, ["plan", "--schema-file", f"s3://{BUCKET}/x/{'0' * 64}.sql",
                                        "--database-url", stage.database_url])
    assert missing.exit_code == 1 and "not found, or not readable with this role" in missing.stderr


def test_apply_plan_from_s3(stage, tmp_path):
    """The merge journey: the reviewed plan file stored beside the Schemafile, read by the task."""
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(WANTED)
    code, out, err = stage.run_task(schemafile, "plan", "--format", "json")
    assert code == 2
    digest = hashlib.sha256(WANTED.encode()).hexdigest()
    stage.s3.put_object(Bucket=BUCKET, Key=f"schemafiles/plans/{digest}.json", Body="\n".join(out).encode())
    uri = f"s3://{BUCKET}/schemafiles/plans/{digest}.json"
    result = CliRunner().invoke(main, ["apply", "--plan", uri, "--schema-file", f"s3://{BUCKET}/schemafiles/{digest}.sql",
                                       "--schema-sha256", digest, "--database-url", stage.database_url])
    assert result.exit_code == 0, result.output


def test_a_plan_only_user_plans_like_the_ddl_user_and_cannot_apply(server, databases, tmp_path):
    """The plan-only task definition (ecs/cloudformation.yaml, CredstashPlanKey) runs as a user with
    GRANT REFERENCES, SHOW VIEW: it sees every table's columns, keys and foreign keys, so its plan is
    the DDL user's; the server refuses it every change, so a pull request cannot apply anything."""
    from secret_helpers import mysql_user
    db = databases.new(LIVE + "CREATE TABLE secret_cards (id int NOT NULL PRIMARY KEY, shop int,"
                              " KEY k (shop), CONSTRAINT fk FOREIGN KEY (shop) REFERENCES shops (id));")
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(WANTED + "CREATE TABLE secret_cards (id int NOT NULL PRIMARY KEY, shop int,"
                                   " KEY k (shop), CONSTRAINT fk FOREIGN KEY (shop) REFERENCES shops (id));")
    as_root = CliRunner().invoke(main, ["plan", "--format", "json", "--schema-file", str(schemafile),
                                        "--database-url", server.url(db)])
    with mysql_user(server, [f"REFERENCES, SHOW VIEW ON `{db}`.*"]) as user:
        planned = CliRunner().invoke(main, ["plan", "--format", "json", "--schema-file", str(schemafile),
                                            "--database-url", user.url(db)])
        applied = CliRunner().invoke(main, ["apply", "--schema-file", str(schemafile), "--database-url", user.url(db)])
    assert planned.exit_code == as_root.exit_code == 2, planned.output
    reviewed, by_root = json.loads(planned.stdout), json.loads(as_root.stdout)
    assert reviewed["statements"] == by_root["statements"]
    assert reviewed["live_sha256"] == by_root["live_sha256"]  # so the DDL user's apply --plan accepts the review
    assert applied.exit_code == 1 and "(1142) ALTER command denied" in applied.stderr
