"""The CI recipes and the CloudFormation template: they lint (check-jsonschema's GitHub workflow schema,
zizmor offline, shellcheck, cfn-lint), they agree with ecs/ and with what run-task reads, and the
review script does what the pull-request journey needs (tried with run-task and the aws CLI stood in
for on PATH; the rest is the real schema-apply)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / "examples" / "github").glob("*.yml"))
SCRIPT = REPO / "examples" / "ci" / "schema-apply-ci"
TEMPLATE = REPO / "ecs" / "cloudformation.yaml"
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN))
    assert found, f"{name} is not installed: pip install -e '.[test]'"
    return found


def run(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **kw)


# --- lint ------------------------------------------------------------------------------------------

def test_there_are_two_workflows():
    assert [w.name for w in WORKFLOWS] == ["schema-apply.yml", "schema-review.yml"]


def test_workflows_match_githubs_schema():
    result = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_can_fail(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    step: []\n")
    assert run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(bad)).returncode != 0


def test_zizmor_finds_nothing():
    result = run(tool("zizmor"), "--offline", "--persona", "auditor", "--no-progress", *map(str, WORKFLOWS))
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_can_fail(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: pull_request_target\npermissions: write-all\njobs:\n  x:\n    runs-on: ubuntu-24.04\n"
                   "    steps:\n      - uses: actions/checkout@v4\n      - run: echo ${{ github.head_ref }}\n")
    assert run(tool("zizmor"), "--offline", "--no-progress", str(bad)).returncode != 0


def test_shellcheck():
    result = run(tool("shellcheck"), str(SCRIPT))
    assert result.returncode == 0, result.stdout


def test_cfn_lint():
    result = run(tool("cfn-lint"), str(TEMPLATE))
    assert result.returncode == 0, result.stdout + result.stderr


def test_cfn_lint_can_fail(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TEMPLATE.read_text().replace("RetentionInDays: !Ref LogRetentionDays", "RetentionInDays: forever"))
    assert run(tool("cfn-lint"), str(bad)).returncode != 0


# --- the template agrees with ecs/ ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def template() -> dict:
    from cfnlint.decode import decode_str
    doc, matches = decode_str(TEMPLATE.read_text())
    assert not matches
    return doc


def resources(template, kind):
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def test_template_task_definition_matches_ecs_json(template):
    taskdef = json.loads((REPO / "ecs" / "task-definition.json").read_text())
    (container,) = taskdef["containerDefinitions"]
    cfn = template["Resources"]["TaskDefinition"]["Properties"]
    (cfn_container,) = cfn["ContainerDefinitions"]
    assert [e["Name"] for e in cfn_container["Environment"]] == [e["name"] for e in container["environment"]]
    assert cfn_container["ReadonlyRootFilesystem"] is True and cfn_container["Command"] == container["command"]
    assert cfn_container["Name"] == container["name"]
    assert (cfn["Cpu"], cfn["Memory"], cfn["NetworkMode"]) == (taskdef["cpu"], taskdef["memory"], taskdef["networkMode"])
    plan = template["Resources"]["PlanTaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    assert plan["Environment"][0] == {"Name": "SCHEMA_APPLY_CREDSTASH_KEY", "Value": {"Ref": "CredstashPlanKey"}}


def policy_actions(role: dict) -> set[str]:
    out = set()
    for policy in role["Properties"]["Policies"]:
        for stmt in policy["PolicyDocument"]["Statement"]:
            out |= {stmt["Action"]} if isinstance(stmt["Action"], str) else set(stmt["Action"])
    return out


def json_actions(name: str) -> set[str]:
    doc = json.loads((REPO / "ecs" / name).read_text())
    return {a for s in doc["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}


def test_template_roles_grant_what_ecs_json_grants(template):
    res = template["Resources"]
    assert policy_actions(res["TaskRole"]) == json_actions("task-role-policy.json")
    assert policy_actions(res["PlanTaskRole"]) == json_actions("task-role-policy.json")
    assert policy_actions(res["ExecutionRole"]) == json_actions("execution-role-policy.json")
    assert policy_actions(res["DeployRole"]) == json_actions("run-task-policy.json") | json_actions("deploy-policy.json")
    assert policy_actions(res["ReviewRole"]) == json_actions("run-task-policy.json")


def test_template_ci_roles_trust_only_this_repository(template):
    res = template["Resources"]
    subjects = {}
    for name in ("DeployRole", "ReviewRole"):
        (stmt,) = res[name]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        cond = stmt["Condition"]["StringEquals"]
        assert cond["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
        subjects[name] = cond["token.actions.githubusercontent.com:sub"]["Fn::Sub"]
    assert subjects == {"DeployRole": "repo:${GitHubRepository}:environment:${GitHubEnvironment}",
                        "ReviewRole": "repo:${GitHubRepository}:pull_request"}
    # with a plan-only user, a pull request cannot start the apply task definition
    run = next(s for p in res["ReviewRole"]["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]
               if s["Action"] == "ecs:RunTask")
    assert run["Resource"]["Fn::If"][0] == "HasPlanKey" and "${Name}-plan:*" in run["Resource"]["Fn::If"][1]["Fn::Sub"]


def test_template_infrastructure(template):
    res = template["Resources"]
    assert res["Repository"]["Properties"]["ImageTagMutability"] == "IMMUTABLE"
    assert res["LogGroup"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    ingress = res["DatabaseFromTask"]["Properties"]
    assert ingress["GroupId"] == {"Ref": "DatabaseSecurityGroupId"}
    assert ingress["SourceSecurityGroupId"] == {"Ref": "TaskSecurityGroup"}
    assert "SecurityGroupIngress" not in res["TaskSecurityGroup"]["Properties"], "the task listens on nothing"
    for name in ("VpcId", "SubnetIds", "DatabaseSecurityGroupId", "CredstashTableName", "CredstashKmsKeyArn"):
        assert name in template["Parameters"]


# --- the recipes use what run-task reads ------------------------------------------------------------------

def test_recipes_name_only_variables_schema_apply_reads():
    from schema_apply.ecs_config import ENV_PREFIX, KEYS
    read = {ENV_PREFIX + k.upper() for k in KEYS}
    text = SCRIPT.read_text() + "".join(w.read_text() for w in WORKFLOWS)
    named = set(re.findall(r"SCHEMA_APPLY_ECS_[A-Z_]+", text))
    assert named and named <= read, named - read


def test_workflows_call_the_script_and_serialise_the_apply():
    import yaml
    apply = yaml.safe_load((REPO / "examples" / "github" / "schema-apply.yml").read_text())
    assert apply["concurrency"] == {"group": "schema-apply-production", "cancel-in-progress": False}
    assert apply[True]["push"]["branches"] == ["master"]  # YAML reads the key `on` as true
    steps = apply["jobs"]["apply"]["steps"]
    assert steps[-1]["run"] == "examples/ci/schema-apply-ci deploy"
    review = yaml.safe_load((REPO / "examples" / "github" / "schema-review.yml").read_text())
    run_steps = [s.get("run", "") for s in review["jobs"]["review"]["steps"]]
    assert any("schema-apply-ci review" in r for r in run_steps)
    assert any("<!-- schema-apply-plan -->" in r for r in run_steps)


# --- the review script, with run-task and aws stood in for ------------------------------------------------

PLAN = {"format": 1, "command": "plan", "database": "app", "server": "MySQL 8.0.36", "schema_file": "s3://b/x.sql",
        "schema_sha256": "a" * 64, "live_sha256": "b" * 64, "in_sync": False,
        "changes": [{"table": "shops", "kind": "add_column", "description": "add column shops.phone",
                     "destructive": False, "data_loss": None}],
        "refused": [], "statements": [{"sql": "ALTER TABLE `shops` ADD COLUMN `phone` varchar(20)", "table": "shops",
                                       "step": "alter table", "changes": [0]}], "notes": [], "exit_code": 2}


@pytest.fixture
def checkout(tmp_path):
    """A repository with a Schemafile on main and a change to it, and stand-ins on PATH."""
    repo = tmp_path / "app"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git[:3], "init", "-q", "-b", "main"], check=True)
    (repo / "Schemafile.sql").write_text("CREATE TABLE shops (id int PRIMARY KEY);\n")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    (repo / "Schemafile.sql").write_text("CREATE TABLE shops (id int PRIMARY KEY, phone varchar(20));\n")
    shims = tmp_path / "bin"
    shims.mkdir()
    real = tool("schema-apply")
    calls = tmp_path / "calls"
    for name, body in {
        "schema-apply": f'if [ "$1" = run-task ]; then echo "run-task $*" >> {calls}; cat {tmp_path}/plan.json;'
                        f' exit "$(cat {tmp_path}/code)"; fi\nexec {real} "$@"\n',
        "aws": f'echo "aws $*" >> {calls}\n',
    }.items():
        path = shims / name
        path.write_text("#!/usr/bin/env bash\n" + body)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)

    def review(plan: dict | None = PLAN, code: int = 2, **env) -> tuple[subprocess.CompletedProcess, str, str]:
        (tmp_path / "plan.json").write_text(json.dumps(plan) if plan else "")
        (tmp_path / "code").write_text(str(code))
        calls.write_text("")
        result = run("bash", str(SCRIPT), "review", "main", cwd=repo,
                     env={**os.environ, "PATH": f"{shims}:{os.environ['PATH']}",
                          "SCHEMA_APPLY_ECS_SCHEMA_BUCKET": "acme", **env})
        comment = repo / "schema-apply-comment.md"
        return result, comment.read_text() if comment.exists() else "", calls.read_text()
    review.repo = repo
    return review


def test_review_comments_and_records_the_plan(checkout):
    result, comment, calls = checkout()
    assert result.returncode == 0, result.stderr
    assert comment.startswith("<!-- schema-apply-plan -->\n")
    assert comment.count("<details>") == 2 and "**Changes pending**" in comment
    assert "add column shops.phone" in comment and "ALTER TABLE `shops` ADD COLUMN `phone`" in comment
    digest = hashlib.sha256((checkout.repo / "Schemafile.sql").read_bytes()).hexdigest()
    assert f"aws s3 cp --only-show-errors .schema-apply-plan.json s3://acme/schemafiles/plans/{digest}.json" in calls
    assert "--schema-file Schemafile.sql -- plan --format json" in calls


def test_review_passes_approvals_and_fails_a_refused_plan(checkout):
    (checkout.repo / ".schema-apply-allow-drop").write_text("# approved in review\ntable:old_logs\ncolumn:users.legacy\n")
    refused = dict(PLAN, refused=[{"table": "x", "kind": "drop_table", "description": "drop table x",
                                   "reason": "drops table x; give --allow-drop table:x to permit it"}], exit_code=3)
    result, comment, calls = checkout(refused, code=3)
    assert result.returncode == 1
    assert "**Refused by policy**" in comment and "drop table x" in comment
    assert "--allow-drop=table:old_logs,column:users.legacy" in calls


def test_review_without_credentials_is_offline_only(checkout):
    result, comment, calls = checkout(SCHEMA_APPLY_LIVE="false")
    assert result.returncode == 0, result.stderr
    assert "run-task" not in calls and "aws" not in calls
    assert "No live plan" in comment and "add column shops.phone" in comment  # the offline diff


def test_review_caps_the_comment(checkout):
    big = dict(PLAN, statements=[{"sql": f"ALTER TABLE `t{k}` ADD COLUMN `c` int", "table": f"t{k}",
                                  "step": "alter table", "changes": []} for k in range(3000)])
    result, comment, calls = checkout(big)
    assert result.returncode == 0
    assert len(comment) < 65536 and "(cut: the whole plan is in the job's log)" in comment


def test_template_writes_a_schema_apply_toml_run_task_reads(template, tmp_path):
    from schema_apply.ecs_config import RunTaskConfig, load
    text, names = template["Outputs"]["SchemaApplyToml"]["Value"]["Fn::Sub"]
    values = {"Cluster": "schema-apply", "Name": "schema-apply", "Subnets": 'subnet-a", "subnet-b',
              "TaskSecurityGroup": "sg-1", "AWS::Region": "eu-west-1", "TheBucket": "bucket",
              "SchemafilePrefix": "schemafiles"}
    assert set(re.findall(r"\$\{([^}]+)\}", text)) == set(values)
    path = tmp_path / "schema-apply.toml"
    path.write_text(re.sub(r"\$\{([^}]+)\}", lambda m: values[m.group(1)], text))
    assert load({}, env_name="production", config_file=path, environ={}) == RunTaskConfig(
        cluster="schema-apply", task_definition="schema-apply", subnets=("subnet-a", "subnet-b"),
        security_groups=("sg-1",), region="eu-west-1", schema_bucket="bucket", schema_prefix="schemafiles")
