"""run-task: launch and wait with moto (its state manager advances the task), then exit codes,
stop codes, start failures, timeouts, Ctrl-C and log streaming with botocore's Stubber."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from moto import mock_aws

from aws_helpers import REGION, REPO, MotoEcs, aws_env  # noqa: F401
from schema_apply import run_task
from schema_apply.cli import main
from schema_apply.ecs_config import RunTaskConfig, load
from schema_apply.errors import RunTaskError, UsageError

pytestmark = pytest.mark.aws

CLUSTER_ARN = f"arn:aws:ecs:{REGION}:123456789012:cluster/default"
TASK_ARN = f"arn:aws:ecs:{REGION}:123456789012:task/default/0123456789abcdef0123456789abcdef"
TASKDEF_ARN = f"arn:aws:ecs:{REGION}:123456789012:task-definition/schema-apply:7"
STREAM = "schema-apply/schema-apply/0123456789abcdef0123456789abcdef"
GROUP = "/ecs/schema-apply"


def taskdef_json() -> dict:
    return json.loads((REPO / "ecs" / "task-definition.json").read_text())


# --- moto: the real calls, end to end ------------------------------------------------------------

@pytest.fixture
def moto_ecs(aws_env):
    with mock_aws():
        yield MotoEcs()


def test_launch_wait_and_stream_with_moto(moto_ecs):
    """The container's standard output (marked, channel.py) and standard error share one log stream;
    run-task splits them again, every line once, in order, a line longer than an event joined."""
    import io

    from schema_apply.channel import CHUNK, MarkedStream
    polls = iter(range(100))
    stdout_lines, stderr_lines = [], []

    def sleep(_seconds):  # while we wait, the container writes its log
        n = next(polls)
        env = {e["name"]: e["value"] for e in moto_ecs.task()["overrides"]["containerOverrides"][0]["environment"]}
        raw = io.StringIO()
        marked = MarkedStream(raw, env["SCHEMA_APPLY_STDOUT_MARKER"])
        lines = [f'{{"line": {n}}}', "", "x" * (CHUNK * 2 + 5) if n == 1 else "same timestamp"]
        marked.write("\n".join(lines) + "\n")
        stdout_lines.extend(lines)
        stderr_lines.append(f"progress {n}")
        moto_ecs.container_writes(*raw.getvalue().splitlines(), f"progress {n}")

    out, err, notes = [], [], []
    code = run_task.run(RunTaskConfig(cluster="default", subnets=(moto_ecs.subnet,), security_groups=(moto_ecs.group,),
                                      poll_interval=0.01), ("apply", "--allow-drop"),
                        out=out.append, err=err.append, note=notes.append, sleep=sleep)
    assert code == 0
    assert out == stdout_lines and err == stderr_lines and out
    assert len(max(moto_ecs.written, key=len)) < CHUNK + 40  # no log event longer than a chunk
    task = moto_ecs.task()
    assert task["lastStatus"] == "STOPPED"
    (override,) = task["overrides"]["containerOverrides"]
    assert override["name"] == "schema-apply" and override["command"] == ["apply", "--allow-drop"]
    assert [e["name"] for e in override["environment"]] == ["SCHEMA_APPLY_STDOUT_MARKER"]
    assert task["launchType"] == "FARGATE"
    assert task["startedBy"] == "schema-apply run-task"
    assert not task.get("tags"), "tags are copied only with --propagate-tags"
    assert task["taskDefinitionArn"].endswith("task-definition/schema-apply:1")
    assert any(n.startswith("started task ") for n in notes)
    assert notes[-1].endswith("container schema-apply exited with code 0")


def test_cli_with_env_vars_and_toml(moto_ecs, monkeypatch, tmp_path):
    (tmp_path / "schema-apply.toml").write_text(
        f'[env.staging]\ncluster = "default"\nsubnets = ["{moto_ecs.subnet}"]\n'
        f'security_groups = ["{moto_ecs.group}"]\nassign_public_ip = true\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCHEMA_APPLY_ECS_POLL_INTERVAL", "0.01")
    result = CliRunner().invoke(main, ["run-task", "--env", "staging", "--", "plan", "--format", "json"])
    assert result.exit_code == 0, result.output
    vpc = moto_ecs.task()
    assert vpc["overrides"]["containerOverrides"][0]["command"] == ["plan", "--format", "json"]


def test_no_wait_prints_the_task_arn(moto_ecs):
    result = CliRunner().invoke(main, ["run-task", "--cluster", "default", "--no-wait", "--subnet", moto_ecs.subnet,
                                       "--security-group", moto_ecs.group])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == moto_ecs.task()["taskArn"]
    assert "overrides" not in moto_ecs.task() or not moto_ecs.task()["overrides"].get("containerOverrides")


def test_cli_awsvpc_without_subnets_is_a_usage_error(moto_ecs):
    result = CliRunner().invoke(main, ["run-task", "--cluster", "default", "--", "plan"])
    assert result.exit_code == 1
    assert "uses awsvpc networking: give its subnets" in result.output
    assert "Traceback" not in result.output
    assert not moto_ecs.ecs.list_tasks(cluster="default")["taskArns"]


def test_cli_unknown_task_definition(moto_ecs):
    result = CliRunner().invoke(main, ["run-task", "--cluster", "default", "--task-definition", "nope",
                                       "--subnet", moto_ecs.subnet])
    assert result.exit_code == 1
    assert "error: task definition 'nope': not found" in result.output


def test_cli_unknown_cluster(moto_ecs):
    result = CliRunner().invoke(main, ["run-task", "--cluster", "nope", "--subnet", moto_ecs.subnet])
    assert result.exit_code == 1
    assert "error: cluster 'nope': not found" in result.output


# --- Stubber: what moto cannot make happen ------------------------------------------------------

def stubbed(service: str):
    import boto3
    from botocore.stub import Stubber
    client = boto3.client(service, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    stub.activate()
    return client, stub


def definition(log=True) -> run_task.TaskDefinition:
    return run_task.TaskDefinition(arn=TASKDEF_ARN, name="schema-apply:7", container="schema-apply",
                                   network_mode="awsvpc",
                                   log=run_task.LogLocation(GROUP, REGION, "schema-apply") if log else None,
                                   log_driver="awslogs" if log else None)


def task(status, *, exit_code=None, stop_code=None, stopped_reason=None, container_reason=None) -> dict:
    container = {"name": "schema-apply", "lastStatus": status}
    if exit_code is not None:
        container["exitCode"] = exit_code
    if container_reason:
        container["reason"] = container_reason
    out = {"taskArn": TASK_ARN, "lastStatus": status, "containers": [container]}
    if stop_code:
        out["stopCode"] = stop_code
    if stopped_reason:
        out["stoppedReason"] = stopped_reason
    return {"tasks": [out], "failures": []}


class Clock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def watcher(ecs, *, follower=None, confirm=None, clock=None, timeout=3600.0, sleep=None, emitted=None, notes=None):
    clock = clock or Clock()
    return run_task.TaskWatcher(
        ecs, RunTaskConfig(cluster="default", subnets=("subnet-1",), timeout=timeout, poll_interval=5), definition(), TASK_ARN,
        follower=follower, emit=(emitted if emitted is not None else []).append,
        note=(notes if notes is not None else []).append, confirm=confirm, sleep=sleep or clock.sleep, clock=clock)


def expect_describe(stub, response):
    stub.add_response("describe_tasks", response, {"cluster": "default", "tasks": [TASK_ARN]})


@pytest.mark.parametrize("exit_code", [0, 1, 2, 3, 137])
def test_exit_code_is_the_containers(exit_code):
    ecs, stub = stubbed("ecs")
    for status in ("PROVISIONING", "PENDING", "RUNNING", "DEPROVISIONING"):
        expect_describe(stub, task(status))
    expect_describe(stub, task("STOPPED", exit_code=exit_code, stop_code="EssentialContainerExited"))
    notes = []
    assert watcher(ecs, notes=notes).wait() == exit_code
    stub.assert_no_pending_responses()
    assert notes[:3] == [f"task {run_task.task_id(TASK_ARN)}: {s}" for s in ("PROVISIONING", "PENDING", "RUNNING")]


@pytest.mark.parametrize("stop_code, reason, container_reason, message, hint", [
    ("TaskFailedToStart", "CannotPullContainerError: pull image manifest has been retried 5 time(s)", None,
     "TaskFailedToStart: CannotPullContainerError: pull image manifest", "check the image name and tag"),
    ("TaskFailedToStart", "ResourceInitializationError: unable to pull secrets or registry auth", None,
     "ResourceInitializationError", "check the execution role"),
    ("TaskFailedToStart", "Capacity is unavailable at this time. Please try again later or in a different "
     "availability zone", None, "Capacity is unavailable", "no capacity"),
    ("EssentialContainerExited", "Essential container in task exited",
     "OutOfMemoryError: Container killed due to memory usage", "OutOfMemoryError", "out of memory"),
    ("UserInitiated", "Task stopped by user", None, "UserInitiated: Task stopped by user", "someone stopped"),
])
def test_stopped_without_exit_code_says_why(stop_code, reason, container_reason, message, hint):
    ecs, stub = stubbed("ecs")
    expect_describe(stub, task("PENDING"))
    expect_describe(stub, task("STOPPED", stop_code=stop_code, stopped_reason=reason,
                               container_reason=container_reason))
    with pytest.raises(RunTaskError) as info:
        watcher(ecs).wait()
    assert str(info.value).startswith(f"task {run_task.task_id(TASK_ARN)} stopped before its container ran")
    assert message in str(info.value)
    assert hint in (info.value.hint or "")


def test_run_task_placement_failure():
    ecs, stub = stubbed("ecs")
    stub.add_response("run_task", {"tasks": [], "failures": [
        {"arn": CLUSTER_ARN, "reason": "Capacity is unavailable at this time.", "detail": "eu-west-1a"}]})
    with pytest.raises(RunTaskError) as info:
        run_task.start(ecs, RunTaskConfig(cluster="default", subnets=("subnet-1",)), definition(), ("plan",))
    assert str(info.value) == "the task could not be placed: Capacity is unavailable at this time. eu-west-1a"
    assert "no capacity" in info.value.hint


def test_run_task_request():
    ecs, stub = stubbed("ecs")
    stub.add_response("run_task", {"tasks": [{"taskArn": TASK_ARN}], "failures": []}, {
        "cluster": "prod", "taskDefinition": TASKDEF_ARN, "count": 1, "launchType": "FARGATE",
        "startedBy": "schema-apply run-task", "propagateTags": "TASK_DEFINITION", "platformVersion": "1.4.0",
        "networkConfiguration": {"awsvpcConfiguration": {
            "subnets": ["subnet-1", "subnet-2"], "securityGroups": ["sg-1"], "assignPublicIp": "ENABLED"}},
        "overrides": {"containerOverrides": [{"name": "schema-apply", "command": ["apply", "--allow-drop"]}]}})
    config = RunTaskConfig(cluster="prod", subnets=("subnet-1", "subnet-2"), security_groups=("sg-1",),
                           assign_public_ip=True, platform_version="1.4.0", propagate_tags=True)
    assert run_task.start(ecs, config, definition(), ("apply", "--allow-drop")) == TASK_ARN
    stub.assert_no_pending_responses()


def test_run_task_refused():
    ecs, stub = stubbed("ecs")
    stub.add_client_error("run_task", "InvalidParameterException", "subnet-1 does not exist")
    with pytest.raises(RunTaskError, match="RunTask refused the request: subnet-1 does not exist"):
        run_task.start(ecs, RunTaskConfig(cluster="default", subnets=("subnet-1",)), definition(), ())


def test_run_task_access_denied():
    ecs, stub = stubbed("ecs")
    stub.add_client_error("run_task", "AccessDeniedException", "not authorized to perform: iam:PassRole")
    with pytest.raises(RunTaskError) as info:
        run_task.start(ecs, RunTaskConfig(cluster="default", subnets=("subnet-1",)), definition(), ())
    assert "iam:PassRole" in str(info.value) and "run-task-policy.json" in info.value.hint


def test_timeout_leaves_the_task_running():
    ecs, stub = stubbed("ecs")
    for _ in range(3):
        expect_describe(stub, task("RUNNING"))
    clock = Clock()
    with pytest.raises(RunTaskError) as info:
        watcher(ecs, clock=clock, timeout=10).wait()
    assert str(info.value) == (f"task {run_task.task_id(TASK_ARN)} is still RUNNING after 10 s; "
                               "it was left running")
    assert "aws ecs stop-task --cluster default" in info.value.hint and "--timeout" in info.value.hint
    assert clock.sleeps == [5, 5]
    stub.assert_no_pending_responses()  # and no StopTask


def test_describe_timeout_is_a_clear_error(monkeypatch):
    from botocore.exceptions import ReadTimeoutError
    ecs, stub = stubbed("ecs")
    stub.deactivate()

    def hang(**_kw):
        raise ReadTimeoutError(endpoint_url="https://ecs.eu-west-1.amazonaws.com/")

    monkeypatch.setattr(ecs, "describe_tasks", hang)
    with pytest.raises(RunTaskError, match="describing task .*: no answer from https://ecs.eu-west-1.amazonaws.com"):
        watcher(ecs).wait()


class Interrupt:
    """A sleep that is interrupted (Ctrl-C) the first time."""

    def __init__(self):
        self.calls = 0

    def __call__(self, _seconds):
        self.calls += 1
        if self.calls == 1:
            raise KeyboardInterrupt


def test_ctrl_c_then_yes_stops_the_task():
    ecs, stub = stubbed("ecs")
    expect_describe(stub, task("RUNNING"))
    stub.add_response("stop_task", {"task": {"taskArn": TASK_ARN}},
                      {"cluster": "default", "task": TASK_ARN,
                       "reason": "Stopped from schema-apply run-task (Ctrl-C)"})
    expect_describe(stub, task("STOPPING"))
    expect_describe(stub, task("STOPPED", exit_code=143, stop_code="UserInitiated"))
    questions = []
    code = watcher(ecs, confirm=lambda q: questions.append(q) or True, sleep=Interrupt()).wait()
    assert code == 130
    assert questions == [f"Stop task {run_task.task_id(TASK_ARN)}? An apply may be part-way through"]
    stub.assert_no_pending_responses()


def test_ctrl_c_then_no_leaves_it_running():
    ecs, stub = stubbed("ecs")
    expect_describe(stub, task("RUNNING"))
    notes = []
    assert watcher(ecs, confirm=lambda q: False, sleep=Interrupt(), notes=notes).wait() == 130
    assert notes[-1] == f"task {run_task.task_id(TASK_ARN)} keeps running: {TASK_ARN}"
    stub.assert_no_pending_responses()  # no StopTask


def test_ctrl_c_without_a_terminal_does_not_stop():
    ecs, stub = stubbed("ecs")
    expect_describe(stub, task("RUNNING"))
    notes = []
    assert watcher(ecs, confirm=None, sleep=Interrupt(), notes=notes).wait() == 130
    assert "not a terminal" in notes[-2]
    stub.assert_no_pending_responses()


# --- the log ------------------------------------------------------------------------------------

def log_page(token, *messages, start=0):
    return {"events": [{"timestamp": start + i, "message": m, "ingestionTime": start + i}
                       for i, m in enumerate(messages)], "nextForwardToken": token, "nextBackwardToken": "b"}


def expect_log(stub, response, token=None):
    params = {"logGroupName": GROUP, "logStreamName": STREAM, "startFromHead": True}
    if token:
        params["nextToken"] = token
    stub.add_response("get_log_events", response, params)


def test_log_lines_in_order_without_duplicates():
    ecs, ecs_stub = stubbed("ecs")
    logs, log_stub = stubbed("logs")
    # poll 1: the stream does not exist yet
    expect_describe(ecs_stub, task("PENDING"))
    log_stub.add_client_error("get_log_events", "ResourceNotFoundException", "The specified log stream does not exist.")
    # poll 2: two pages, then the end (the same token comes back)
    expect_describe(ecs_stub, task("RUNNING"))
    expect_log(log_stub, log_page("f/1", "plan:", "  ALTER TABLE `t` ADD COLUMN `c` int"))
    expect_log(log_stub, log_page("f/2", "1 change", "1 change"), "f/1")
    expect_log(log_stub, log_page("f/2"), "f/2")
    # poll 3: nothing new
    expect_describe(ecs_stub, task("RUNNING"))
    expect_log(log_stub, log_page("f/2"), "f/2")
    # poll 4: stopped; the last line arrives, then the drain finds the stream quiet
    expect_describe(ecs_stub, task("STOPPED", exit_code=2))
    expect_log(log_stub, log_page("f/3", "done", start=10), "f/2")
    expect_log(log_stub, log_page("f/3"), "f/3")
    expect_log(log_stub, log_page("f/3"), "f/3")
    emitted = []
    follower = run_task.LogFollower(logs, GROUP, STREAM)
    assert watcher(ecs, follower=follower, emitted=emitted).wait() == 2
    assert emitted == ["plan:", "  ALTER TABLE `t` ADD COLUMN `c` int", "1 change", "1 change", "done"]
    ecs_stub.assert_no_pending_responses()
    log_stub.assert_no_pending_responses()


def test_log_stream_name_from_the_task_definition(aws_env):
    with mock_aws():
        import boto3
        ecs = boto3.client("ecs", region_name=REGION)
        definition_ = taskdef_json()
        ecs.register_task_definition(**definition_)
        found = run_task.describe_definition(ecs, RunTaskConfig())
    assert found.container == "schema-apply"
    assert found.network_mode == "awsvpc"
    assert found.log == run_task.LogLocation("/ecs/schema-apply", "eu-west-1", "schema-apply")
    assert found.log.stream("schema-apply", TASK_ARN) == STREAM


def test_unknown_container(aws_env):
    with mock_aws():
        import boto3
        ecs = boto3.client("ecs", region_name=REGION)
        ecs.register_task_definition(**taskdef_json())
        with pytest.raises(RunTaskError, match="has no container 'app' \\(it has schema-apply\\)"):
            run_task.describe_definition(ecs, RunTaskConfig(container="app"))


# --- configuration: flags, SCHEMA_APPLY_ECS_*, schema-apply.toml ---------------------------------

TOML = """
[env.production]
cluster = "prod"
subnets = ["subnet-a", "subnet-b"]
security_groups = "sg-1"
assign_public_ip = false
timeout = 600
region = "eu-central-1"

[env.broken]
clusters = "typo"
"""


@pytest.fixture
def toml_file(tmp_path) -> Path:
    path = tmp_path / "schema-apply.toml"
    path.write_text(TOML)
    return path


def test_config_from_toml(toml_file):
    config = load({}, env_name="production", config_file=toml_file, environ={})
    assert config == RunTaskConfig(cluster="prod", subnets=("subnet-a", "subnet-b"), security_groups=("sg-1",),
                                   timeout=600.0, region="eu-central-1")


def test_variable_wins_over_toml_and_flag_over_variable(toml_file):
    environ = {"SCHEMA_APPLY_ECS_CLUSTER": "from-env", "SCHEMA_APPLY_ECS_SUBNETS": "subnet-x, subnet-y",
               "SCHEMA_APPLY_ECS_ASSIGN_PUBLIC_IP": "true", "SCHEMA_APPLY_ECS_LAUNCH_TYPE": "ec2"}
    config = load({"cluster": "from-flag", "subnets": ()}, env_name="production", config_file=toml_file,
                  environ=environ)
    assert config.cluster == "from-flag"
    assert config.subnets == ("subnet-x", "subnet-y")
    assert config.assign_public_ip is True
    assert config.launch_type == "EC2"
    assert config.security_groups == ("sg-1",)


def test_defaults_but_no_silent_default_cluster():
    assert load({"cluster": "c"}, environ={}) == RunTaskConfig(cluster="c")
    with pytest.raises(UsageError) as info:
        load({}, environ={})
    assert str(info.value) == "no ECS cluster given" and "SCHEMA_APPLY_ECS_CLUSTER" in info.value.hint


@pytest.mark.parametrize("env_name, config_file, message", [
    ("staging", None, "no [env.staging] section (sections: broken, production)"),
    ("broken", None, "[env.broken]: unknown setting 'clusters'"),
    ("production", "missing.toml", "--env production: no such file: "),
])
def test_config_errors(toml_file, env_name, config_file, message):
    with pytest.raises(UsageError) as info:
        load({}, env_name=env_name, config_file=config_file and toml_file.parent / config_file or toml_file,
             environ={})
    assert message in str(info.value)


@pytest.mark.parametrize("environ, message", [
    ({"SCHEMA_APPLY_ECS_ASSIGN_PUBLIC_IP": "maybe"}, "SCHEMA_APPLY_ECS_ASSIGN_PUBLIC_IP: expected true or false"),
    ({"SCHEMA_APPLY_ECS_TIMEOUT": "soon"}, "SCHEMA_APPLY_ECS_TIMEOUT: expected a number of seconds"),
    ({"SCHEMA_APPLY_ECS_LAUNCH_TYPE": "LAMBDA"}, "launch type: expected one of FARGATE, EC2, EXTERNAL"),
    ({"SCHEMA_APPLY_ECS_TIMEOUT": "0"}, "timeout: must be more than zero seconds"),
])
def test_bad_variables(environ, message):
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        load({}, environ=environ)


def test_bad_toml_value(tmp_path):
    path = tmp_path / "schema-apply.toml"
    path.write_text('[env.x]\nsubnets = [1, 2]\n')
    with pytest.raises(UsageError, match=r"\[env.x\] subnets: expected a list of strings"):
        load({}, env_name="x", config_file=path, environ={})
    path.write_text('[env.x\n')
    with pytest.raises(UsageError, match="not valid TOML"):
        load({}, env_name="x", config_file=path, environ={})


# --- the command line: what belongs to run-task, what to the container ------------------------------

def test_arguments_after_the_first_positional_belong_to_the_container(moto_ecs):
    base = ["run-task", "--cluster", "default", "--subnet", moto_ecs.subnet, "--security-group", moto_ecs.group,
            "--no-wait"]
    result = CliRunner().invoke(main, [*base, "apply", "-v", "--allow-drop"])
    assert result.exit_code == 0, result.output
    assert moto_ecs.task()["overrides"]["containerOverrides"][0]["command"] == ["apply", "-v", "--allow-drop"]


def test_run_task_flags_before_the_double_dash(moto_ecs):
    result = CliRunner().invoke(main, ["run-task", "-v", "--cluster", "default", "--subnet", moto_ecs.subnet,
                                       "--security-group", moto_ecs.group, "--no-wait", "--", "plan", "--format",
                                       "json"])
    assert result.exit_code == 0, result.output
    assert moto_ecs.task()["overrides"]["containerOverrides"][0]["command"] == ["plan", "--format", "json"]


def test_propagate_tags_only_when_asked():
    ecs, stub = stubbed("ecs")
    expected = {"cluster": "default", "taskDefinition": TASKDEF_ARN, "count": 1, "launchType": "FARGATE",
                "startedBy": "schema-apply run-task",
                "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "DISABLED"}}}
    stub.add_response("run_task", {"tasks": [{"taskArn": TASK_ARN}], "failures": []}, expected)
    stub.add_response("run_task", {"tasks": [{"taskArn": TASK_ARN}], "failures": []},
                      {**expected, "propagateTags": "TASK_DEFINITION"})
    config = RunTaskConfig(cluster="default", subnets=("subnet-1",))
    run_task.start(ecs, config, definition(), ())
    run_task.start(ecs, RunTaskConfig(cluster="default", subnets=("subnet-1",), propagate_tags=True), definition(), ())
    stub.assert_no_pending_responses()


@pytest.mark.parametrize("message, needle", [
    ("User: arn:aws:sts::123456789012:assumed-role/ci/x is not authorized to perform: ecs:TagResource on resource: "
     "arn:aws:ecs:eu-west-1:123456789012:task/default/*", "needs ecs:TagResource"),
    ("User: x is not authorized to perform: iam:PassRole on resource: arn:aws:iam::1:role/schema-apply-task",
     "iam:PassRole on the task definition's task and execution roles"),
    ("User: x is not authorized to perform: ecs:RunTask on resource: y", "your role lacks ecs:RunTask"),
])
def test_access_denied_names_the_missing_action(message, needle):
    ecs, stub = stubbed("ecs")
    stub.add_client_error("run_task", "AccessDeniedException", message)
    with pytest.raises(RunTaskError) as info:
        run_task.start(ecs, RunTaskConfig(cluster="default", subnets=("subnet-1",)), definition(), ())
    assert needle in info.value.hint


def test_marked_standard_output_of_the_container_side(tmp_path):
    """Under run-task the container marks its standard output; run-task's demux gives back exactly
    what an unmarked run prints: clean JSON."""
    from schema_apply.channel import Demux
    old, new = tmp_path / "old.sql", tmp_path / "new.sql"
    old.write_text("CREATE TABLE t (id int);")
    new.write_text("CREATE TABLE t (id int, c int);")
    args = ["diff", str(old), str(new), "--format", "json"]
    plain = CliRunner().invoke(main, args)
    marked = CliRunner().invoke(main, args, env={"SCHEMA_APPLY_STDOUT_MARKER": "sa-test"})
    assert plain.exit_code == marked.exit_code == 2
    assert all(line.startswith("sa-test|") for line in marked.stdout.splitlines())
    out, err = [], []
    demux = Demux("sa-test", out.append, err.append)
    for line in marked.stdout.splitlines():
        demux.feed(line)
    demux.close()
    assert "\n".join(out) + "\n" == plain.stdout and not err
    assert json.loads("\n".join(out))["exit_code"] == 2
