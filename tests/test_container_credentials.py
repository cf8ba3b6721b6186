"""End to end, the way the ECS task gets its credentials: boto3 in a fresh process finds the task
role's credentials at AWS_CONTAINER_CREDENTIALS_FULL_URI (served on loopback, as the ECS agent
serves them), and reads credstash from a moto_server that enforces IAM.

The role's policy is ecs/task-role-policy.json's actions (moto checks actions; it matches
resources only against "*", so the test widens them). Without kms:Decrypt, the read is refused
with a clear message.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from aws_helpers import REPO, load_script_module

pytestmark = pytest.mark.aws

local_aws = load_script_module("local_aws")
PASSWORD = "Ct-" + os.urandom(8).hex()

# What the CLI does with the task's environment, and nothing else: resolve where to connect.
PROBE = """
import os, sys
from schema_apply.credentials import resolve_target
from schema_apply.errors import SchemaApplyError
from schema_apply.settings import Settings, parse_context
try:
    target = resolve_target(Settings(
        credstash_key=os.environ["SCHEMA_APPLY_CREDSTASH_KEY"],
        credstash_table=os.environ["SCHEMA_APPLY_CREDSTASH_TABLE"],
        credstash_context=parse_context([os.environ.get("SCHEMA_APPLY_CREDSTASH_CONTEXT", "")], source="env")))
except SchemaApplyError as exc:
    print(f"error: {exc}", file=sys.stderr)
    print(f"hint: {exc.hint}", file=sys.stderr)
    sys.exit(exc.exit_code)
print(target.masked_url())
"""


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory):
    log = tmp_path_factory.mktemp("moto") / "moto_server.log"
    with local_aws.MotoServer(log=log) as moto:
        sess = moto.session()
        env = local_aws.task_environment()
        table = env["SCHEMA_APPLY_CREDSTASH_TABLE"]
        local_aws.setup_credstash(sess, table)
        value = json.dumps({"host": "db.internal", "port": 3306, "username": "deployer", "password": PASSWORD,
                            "dbname": "app"})
        local_aws.put_secret(sess, env["SCHEMA_APPLY_CREDSTASH_KEY"], value, table=table,
                             context=local_aws.task_context(env))
        policy = json.loads((REPO / "ecs" / "task-role-policy.json").read_text())
        without_decrypt = dict(policy, Statement=[s for s in policy["Statement"] if s["Action"] != "kms:Decrypt"])
        assert len(without_decrypt["Statement"]) == len(policy["Statement"]) - 1
        roles = {
            "task": local_aws.create_task_role(sess, "schema-apply-task", local_aws.moto_policy(policy)),
            "no-decrypt": local_aws.create_task_role(sess, "no-decrypt", local_aws.moto_policy(without_decrypt)),
        }
        moto.enforce_iam()
        yield moto, env, roles


def run_in_task(moto, env: dict[str, str], extra: dict[str, str]) -> subprocess.CompletedProcess:
    """The probe in a fresh process whose environment is the task's, as ECS sets it."""
    environ = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), "AWS_REGION": local_aws.REGION,
               "AWS_ENDPOINT_URL": moto.url, "AWS_EC2_METADATA_DISABLED": "true",
               "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, **env, **extra}
    return subprocess.run([sys.executable, "-c", PROBE], env=environ, capture_output=True, text=True, timeout=120)


def test_task_role_through_the_container_credentials_endpoint(stand_in):
    moto, env, roles = stand_in
    with local_aws.ContainerCredentialsServer(roles["task"]) as endpoint:
        result = run_in_task(moto, env, endpoint.environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "mysql://deployer:***@db.internal:3306/app"
    assert endpoint.requests and all(auth == endpoint.token for _, auth in endpoint.requests)
    assert PASSWORD not in result.stdout + result.stderr


def test_role_without_kms_decrypt_is_refused(stand_in):
    moto, env, roles = stand_in
    with local_aws.ContainerCredentialsServer(roles["no-decrypt"]) as endpoint:
        result = run_in_task(moto, env, endpoint.environment)
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"error: credstash key '{env['SCHEMA_APPLY_CREDSTASH_KEY']}' in table "
        f"'{env['SCHEMA_APPLY_CREDSTASH_TABLE']}' (region {local_aws.REGION}): KMS refused to decrypt: access denied")
    assert "is not authorized to perform: kms:Decrypt" in result.stderr
    assert "hint: the task role needs kms:Decrypt" in result.stderr
    assert "Traceback" not in result.stderr
    assert PASSWORD not in result.stdout + result.stderr


def test_iam_is_enforced(stand_in):
    """Unknown keys are refused: the stand-in really checks who is asking."""
    moto, env, _ = stand_in
    result = run_in_task(moto, env, {"AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "x"})
    assert result.returncode == 1
    assert "AWS rejected the credentials" in result.stderr


def test_credentials_endpoint_refusing_the_token(stand_in):
    moto, env, roles = stand_in
    with local_aws.ContainerCredentialsServer(roles["task"]) as endpoint:
        result = run_in_task(moto, env, endpoint.environment | {"AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong"})
    assert result.returncode == 1
    assert "could not obtain AWS credentials" in result.stderr or "no AWS credentials found" in result.stderr
    assert "Traceback" not in result.stderr
