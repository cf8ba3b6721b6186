"""The IAM policies of ecs/ allow exactly the calls that run-task and the task make: checked against
a moto_server that enforces IAM, as the demo does.

run-task (ecs/run-task-policy.json) uploads the Schemafile, reads the task definition, starts the task,
watches it and reads its log: with the policy it runs to the end; without any one of those actions it
stops with an access-denied error. The task (ecs/task-role-policy.json) reads the Schemafile from the
prefix: with its policy it can, without s3:GetObject it cannot (its credstash reads are checked in
test_container_credentials.py). moto checks actions, not resources or conditions, so the resources are
widened to "*" (local_aws.moto_policy) and scoping is left to parliament (test_ecs_files.py).

Two actions of the run-task policy are not exercised here, each for a reason: iam:PassRole (moto does
not check that ECS is passed the roles) and ecs:StopTask (sent only when Ctrl-C is answered with yes:
test_run_task.py).
"""

from __future__ import annotations

import hashlib
import json

import pytest

from aws_helpers import REGION, REPO, clean_aws_env, load_script_module
from schema_apply import run_task
from schema_apply.ecs_config import RunTaskConfig
from schema_apply.errors import SchemaApplyError

pytestmark = pytest.mark.aws

local_aws = load_script_module("local_aws")
BUCKET = "acme-schema-apply"
SCHEMAFILE = b"CREATE TABLE t (id int);\n"
KEY = f"schemafiles/{hashlib.sha256(SCHEMAFILE).hexdigest()}.sql"
NOT_EXERCISED = {"iam:PassRole", "ecs:StopTask"}


def actions(policy: dict) -> list[str]:
    out = []
    for stmt in policy["Statement"]:
        value = stmt["Action"]
        out += [value] if isinstance(value, str) else value
    return out


def without(policy: dict, action: str) -> dict:
    statements = []
    for stmt in policy["Statement"]:
        kept = [a for a in ([stmt["Action"]] if isinstance(stmt["Action"], str) else stmt["Action"]) if a != action]
        if kept:
            statements.append(dict(stmt, Action=kept))
    return dict(policy, Statement=statements)


def user_keys(iam, name: str, policy: dict) -> dict[str, str]:
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(local_aws.moto_policy(policy)))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


RUN_TASK_POLICY = json.loads((REPO / "ecs" / "run-task-policy.json").read_text())
TASK_ROLE_POLICY = json.loads((REPO / "ecs" / "task-role-policy.json").read_text())
EXERCISED = [a for a in actions(RUN_TASK_POLICY) if a not in NOT_EXERCISED]


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory):
    log = tmp_path_factory.mktemp("moto") / "moto_server.log"
    with local_aws.MotoServer(log=log) as moto:
        sess = moto.session()
        ecs, ec2 = sess.client("ecs"), sess.client("ec2")
        ecs.create_cluster(clusterName="schema-apply")
        definition = json.loads((REPO / "ecs" / "task-definition.json").read_text())
        definition["containerDefinitions"][0]["memory"] = int(definition["memory"])  # moto places by memory
        ecs.register_task_definition(**definition)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        group = ec2.create_security_group(GroupName="schema-apply", Description="x", VpcId=vpc)["GroupId"]
        sess.client("logs").create_log_group(logGroupName="/ecs/schema-apply")
        s3 = sess.client("s3")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_object(Bucket=BUCKET, Key=KEY, Body=SCHEMAFILE)
        iam = sess.client("iam")
        users = {"run-task": user_keys(iam, "run-task", RUN_TASK_POLICY),
                 "task": user_keys(iam, "task", TASK_ROLE_POLICY),
                 "task-without-s3": user_keys(iam, "task-without-s3", without(TASK_ROLE_POLICY, "s3:GetObject"))}
        for k, action in enumerate(EXERCISED):
            users[action] = user_keys(iam, f"without-{k}", without(RUN_TASK_POLICY, action))
        moto.enforce_iam()
        yield moto, users, RunTaskConfig(cluster="schema-apply", subnets=(subnet,), security_groups=(group,),
                                         poll_interval=0.01, schema_bucket=BUCKET)


@pytest.fixture
def as_user(monkeypatch, stand_in):
    moto, users, config = stand_in

    def switch(name: str):
        clean_aws_env(monkeypatch, credentials=False)
        monkeypatch.setenv("AWS_ENDPOINT_URL", moto.url)
        for var, value in users[name].items():
            monkeypatch.setenv(var, value)
        return config
    return switch


def launch_and_follow(config, tmp_path) -> int:
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_bytes(SCHEMAFILE)
    return run_task.run(config, ("plan",), out=lambda line: None, err=lambda line: None, note=lambda text: None,
                        schema_file=str(schemafile), sleep=lambda s: None)


def test_run_task_policy_is_enough(as_user, tmp_path):
    assert launch_and_follow(as_user("run-task"), tmp_path) == 0


def test_the_exercised_actions_are_every_one_but_the_two_explained():
    assert set(actions(RUN_TASK_POLICY)) == set(EXERCISED) | NOT_EXERCISED
    assert set(EXERCISED) == {"s3:PutObject", "ecs:DescribeTaskDefinition", "ecs:RunTask", "ecs:DescribeTasks",
                              "logs:GetLogEvents"}


@pytest.mark.parametrize("action", EXERCISED)
def test_every_action_of_the_run_task_policy_is_needed(as_user, tmp_path, action):
    with pytest.raises(SchemaApplyError) as info:
        launch_and_follow(as_user(action), tmp_path)
    text = f"{info.value} {info.value.hint or ''}"
    assert "denied" in text.lower() or "AccessDenied" in text, text


def test_task_role_reads_the_schemafile_and_needs_s3_get_object(as_user):
    from schema_apply.source import read_schemafile
    as_user("task")
    assert read_schemafile(f"s3://{BUCKET}/{KEY}").text == SCHEMAFILE.decode()
    as_user("task-without-s3")
    with pytest.raises(SchemaApplyError, match="not found, or not readable with this role"):
        read_schemafile(f"s3://{BUCKET}/{KEY}")
