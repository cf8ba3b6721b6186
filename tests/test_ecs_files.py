"""ecs/: the task definition against botocore's own ECS model, and the IAM policies through parliament.

The model check is the one the ECS API itself would make of the JSON's shape; the checks after it
are those the model does not make (enum values, Fargate cpu/memory pairs, our own promises: a
read-only root filesystem, no secret in the environment, policies that match the task definition).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ECS = REPO / "ecs"
POLICIES = ["task-role-policy.json", "execution-role-policy.json", "run-task-policy.json", "trust-policy.json",
            "deploy-policy.json", "github-oidc-trust-policy.json"]

# Fargate's valid task sizes: cpu units -> allowed memory (MiB).
FARGATE_SIZES = {
    256: {512, 1024, 2048},
    512: set(range(1024, 4096 + 1, 1024)),
    1024: set(range(2048, 8192 + 1, 1024)),
    2048: set(range(4096, 16384 + 1, 1024)),
    4096: set(range(8192, 30720 + 1, 1024)),
    8192: set(range(16384, 61440 + 1, 4096)),
    16384: set(range(32768, 122880 + 1, 8192)),
}

# parliament findings that these policies must carry, each for a reason; any other finding fails.
EXPECTED_FINDINGS = {
    # Pulling from ECR needs a registry token; the action has no resource to scope it to.
    "execution-role-policy.json": {("CREDENTIALS_EXPOSURE", "ecr:getauthorizationtoken")},
    # run-task must pass the two task roles to ECS; scoped to them and to ecs-tasks.amazonaws.com.
    "run-task-policy.json": {("PERMISSIONS_MANAGEMENT_ACTIONS", "iam:passrole")},
    # A trust policy names a Principal, never a Resource; parliament lints identity policies.
    "trust-policy.json": {("MALFORMED", "Statement contains neither Resource nor NotResource")},
    # Pushing to ECR needs a registry token too (docker login).
    "deploy-policy.json": {("CREDENTIALS_EXPOSURE", "ecr:getauthorizationtoken")},
    # The same for the CI's trust policy; and parliament knows no GitHub as a federation source.
    "github-oidc-trust-policy.json": {
        ("MALFORMED", "Statement contains neither Resource nor NotResource"),
        ("UNKNOWN_FEDERATION_SOURCE",
         "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com")},
}


def load(name: str) -> dict:
    return json.loads((ECS / name).read_text())


@pytest.fixture(scope="module")
def taskdef() -> dict:
    return load("task-definition.json")


@pytest.fixture(scope="module")
def container(taskdef) -> dict:
    (only,) = taskdef["containerDefinitions"]
    return only


def environment(container) -> dict[str, str]:
    return {item["name"]: item["value"] for item in container.get("environment", [])}


def register_shape():
    import botocore.session
    model = botocore.session.get_session().get_service_model("ecs")
    return model.operation_model("RegisterTaskDefinition").input_shape


def enum_violations(value, shape, path="") -> list[str]:
    """Every string in ``value`` whose shape has an enum it is not in (the validator skips enums)."""
    problems = []
    if shape.type_name == "structure" and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                problems += enum_violations(item, shape.members[key], f"{path}.{key}")
    elif shape.type_name == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            problems += enum_violations(item, shape.member, f"{path}[{i}]")
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            problems += enum_violations(item, shape.value, f"{path}[{key}]")
    elif shape.type_name == "string" and getattr(shape, "enum", None) and value not in shape.enum:
        problems.append(f"{path}: {value!r} is not one of {shape.enum}")
    return problems


# --- the task definition --------------------------------------------------------------------------

def test_task_definition_matches_the_ecs_model(taskdef):
    from botocore.validate import ParamValidator
    report = ParamValidator().validate(taskdef, register_shape())
    assert not report.has_errors(), report.generate_report()


def test_the_model_check_can_fail(taskdef):
    from botocore.validate import ParamValidator
    broken = json.loads(json.dumps(taskdef))
    broken["containerDefinitions"][0]["essential"] = "yes"
    broken["cpus"] = 1
    report = ParamValidator().validate(broken, register_shape()).generate_report()
    assert "essential" in report and "cpus" in report


def test_enum_values(taskdef):
    assert enum_violations(taskdef, register_shape()) == []
    broken = dict(taskdef, networkMode="vpc")
    assert enum_violations(broken, register_shape()) == [
        ".networkMode: 'vpc' is not one of ['bridge', 'host', 'awsvpc', 'none']"]


def test_fargate_awsvpc_and_a_valid_size(taskdef):
    assert taskdef["requiresCompatibilities"] == ["FARGATE"]
    assert taskdef["networkMode"] == "awsvpc"
    cpu, memory = int(taskdef["cpu"]), int(taskdef["memory"])
    assert memory in FARGATE_SIZES.get(cpu, set()), f"cpu {cpu} / memory {memory} is not a Fargate size"
    assert cpu <= 1024, "a schema migration batch needs no more than one vCPU"


def test_roles(taskdef):
    role = re.compile(r"^arn:aws:iam::\d{12}:role/[\w+=,.@/-]+$")
    assert role.match(taskdef["taskRoleArn"])
    assert role.match(taskdef["executionRoleArn"])
    assert taskdef["taskRoleArn"] != taskdef["executionRoleArn"]


def test_container(container):
    assert container["essential"] is True
    assert container["readonlyRootFilesystem"] is True
    assert container["command"] == ["plan"]  # the image's CMD: a dry run unless asked otherwise
    assert container.get("privileged") is not True
    assert not container.get("portMappings"), "a one-shot batch listens on nothing"


def test_awslogs(container, taskdef):
    log = container["logConfiguration"]
    assert log["logDriver"] == "awslogs"
    assert {"awslogs-group", "awslogs-region", "awslogs-stream-prefix"} <= set(log["options"])
    region = log["options"]["awslogs-region"]
    assert f".dkr.ecr.{region}." in container["image"], "the image and the log live in the task's region"


def test_environment_holds_no_secret(container):
    env = environment(container)
    assert env, "the task is configured through SCHEMA_APPLY_* variables"
    assert all(name.startswith("SCHEMA_APPLY_") for name in env), env
    assert "SCHEMA_APPLY_DATABASE_URL" not in env
    assert not container.get("secrets"), "credentials come from credstash through the task role"
    for name, value in env.items():
        assert not re.search(r"PASSWORD|SECRET_KEY|TOKEN", name), name
        assert not re.search(r"://[^/@\s]*:[^@\s]*@", value), f"{name} holds a URL with a password"
        assert not re.search(r"(AKIA|ASIA)[A-Z0-9]{16}", value), f"{name} holds an AWS access key"


def test_environment_names_are_ones_the_cli_reads(container):
    import schema_apply.cli as cli
    known = set(re.findall(r"SCHEMA_APPLY_[A-Z_]+", Path(cli.__file__).read_text()))
    unknown = set(environment(container)) - known
    assert not unknown, f"the CLI does not read {sorted(unknown)}"


def test_scratch_volume_for_a_read_only_root(container, taskdef):
    volumes = {v["name"] for v in taskdef.get("volumes", [])}
    for mount in container.get("mountPoints", []):
        assert mount["sourceVolume"] in volumes


# --- the policies ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", POLICIES)
def test_policy_passes_parliament(name):
    from parliament import analyze_policy_string
    policy = analyze_policy_string((ECS / name).read_text(), include_community_auditors=True)
    found = set()
    for finding in policy.findings:
        actions = finding.location.get("actions") or [finding.detail]
        found |= {(finding.issue, action) for action in actions}
    assert found == EXPECTED_FINDINGS.get(name, set())


def test_parliament_can_fail():
    from parliament import analyze_policy_string
    bad = {"Version": "2012-10-17",
           "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:s3:::bucket"}]}
    assert analyze_policy_string(json.dumps(bad)).findings


def statements(policy: dict, action: str) -> list[dict]:
    def actions(stmt):
        value = stmt.get("Action", [])
        return [value] if isinstance(value, str) else value
    return [s for s in policy["Statement"] if s["Effect"] == "Allow" and action in actions(s)]


def test_task_role_reads_only_the_credstash_item(container):
    env = environment(container)
    policy = load("task-role-policy.json")
    for action in ("dynamodb:GetItem", "dynamodb:Query"):
        (stmt,) = statements(policy, action)
        assert stmt["Resource"].endswith(f":table/{env['SCHEMA_APPLY_CREDSTASH_TABLE']}")
        keys = stmt["Condition"]["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"]
        assert keys == [env["SCHEMA_APPLY_CREDSTASH_KEY"]]
    all_actions = {a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str)
                                                             else s["Action"])}
    assert all_actions == {"dynamodb:GetItem", "dynamodb:Query", "kms:Decrypt", "s3:GetObject"}


def test_task_role_decrypts_only_with_the_encryption_context(container):
    from schema_apply.settings import parse_context
    env = environment(container)
    (stmt,) = statements(load("task-role-policy.json"), "kms:Decrypt")
    assert re.match(r"^arn:aws:kms:[\w-]+:\d{12}:key/[0-9a-f-]{36}$", stmt["Resource"])
    context = dict(parse_context([env["SCHEMA_APPLY_CREDSTASH_CONTEXT"]], source="env"))
    assert context, "a credstash key without an encryption context could be decrypted for anything"
    expected = {f"kms:EncryptionContext:{k}": v for k, v in context.items()}
    assert stmt["Condition"] == {"StringEquals": expected}


def test_execution_role_writes_the_task_log(container):
    group = container["logConfiguration"]["options"]["awslogs-group"]
    (stmt,) = statements(load("execution-role-policy.json"), "logs:PutLogEvents")
    assert stmt["Resource"].endswith(f":log-group:{group}:*")
    assert statements(load("execution-role-policy.json"), "ecr:BatchGetImage")


def test_the_task_and_whoever_runs_it_share_one_s3_prefix():
    (get,) = statements(load("task-role-policy.json"), "s3:GetObject")
    (put,) = statements(load("run-task-policy.json"), "s3:PutObject")
    assert get["Resource"] == put["Resource"] and get["Resource"].endswith("/schemafiles/*")
    assert not statements(load("task-role-policy.json"), "s3:PutObject"), "the task only reads"


def test_image_tag_is_not_mutable(container):
    assert not container["image"].endswith(":latest"), "a pull request's :latest must never be what is applied"


def test_run_task_policy_matches_the_task_definition(taskdef):
    policy = load("run-task-policy.json")
    (run,) = statements(policy, "ecs:RunTask")
    assert run["Resource"].endswith(f":task-definition/{taskdef['family']}:*")
    (passrole,) = statements(policy, "iam:PassRole")
    assert set(passrole["Resource"]) == {taskdef["taskRoleArn"], taskdef["executionRoleArn"]}
    assert not statements(policy, "kms:Decrypt"), "whoever runs the task must not read the secret"
