"""`schema-apply run-task [options] -- ARGS…`: run this image as a one-shot ECS task.

Launch the task definition with RunTask (ARGS become the container's command), wait for it,
stream its CloudWatch log (the awslogs group and stream the task definition declares) to
standard output as lines arrive, and exit with the container's exit code. A task that never
ran its container (image pull, capacity, network) is an error that says why.

Plain ECS logic: what to show goes to the ``emit`` (the container's output) and ``note`` (our
progress) callables the caller passes; the click command is in ``cli``. boto3 is imported when
a function needs it.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from pathlib import Path
from typing import Callable

from . import aws
from .channel import MARKER_VARIABLE, Demux, new_marker
from .ecs_config import RunTaskConfig
from .errors import RunTaskError, UsageError
from .source import sha256_hex
from .values import frozen, mutable

EXIT_INTERRUPTED = 130
STARTED_BY = "schema-apply run-task"
LOG_DRAIN_POLLS = 3  # after the task stops, read the log until it is quiet, at most this often
MAX_PAGES_PER_POLL = 100


@frozen
class LogLocation:
    group: str
    region: str | None
    stream_prefix: str

    def stream(self, container: str, task_arn: str) -> str:
        return f"{self.stream_prefix}/{container}/{task_id(task_arn)}"


@frozen
class TaskDefinition:
    arn: str
    name: str  # family:revision
    container: str
    network_mode: str
    log: LogLocation | None
    log_driver: str | None


def task_id(task_arn: str) -> str:
    return task_arn.rsplit("/", 1)[-1]


# --- the task definition --------------------------------------------------------------------------

def describe_definition(ecs, config: RunTaskConfig) -> TaskDefinition:
    """The task definition's revision, container and log location."""
    try:
        found = ecs.describe_task_definition(taskDefinition=config.task_definition)["taskDefinition"]
    except Exception as exc:
        code = aws.error_code(exc)
        if code in ("ClientException", "InvalidParameterException"):
            raise RunTaskError(f"task definition {config.task_definition!r}: not found "
                               f"({aws.error_message(exc) or code})",
                               hint="give --task-definition FAMILY[:REVISION] of a registered task definition "
                                    "(ecs/task-definition.json) in this region") from None
        raise _aws_error(exc, f"describing task definition {config.task_definition!r}") from None
    containers = found.get("containerDefinitions", [])
    names = [c["name"] for c in containers]
    if config.container:
        if config.container not in names:
            raise RunTaskError(f"task definition {config.task_definition!r} has no container "
                               f"{config.container!r} (it has {', '.join(names) or 'none'})")
        chosen = next(c for c in containers if c["name"] == config.container)
    else:
        essential = [c for c in containers if c.get("essential", True)]
        if not essential:
            raise RunTaskError(f"task definition {config.task_definition!r} has no essential container")
        chosen = essential[0]
    log_config = chosen.get("logConfiguration") or {}
    options = log_config.get("options") or {}
    log = None
    if log_config.get("logDriver") == "awslogs" and options.get("awslogs-group") \
            and options.get("awslogs-stream-prefix"):
        log = LogLocation(options["awslogs-group"], options.get("awslogs-region"),
                          options["awslogs-stream-prefix"])
    return TaskDefinition(arn=found["taskDefinitionArn"], name=f"{found['family']}:{found['revision']}",
                          container=chosen["name"], network_mode=found.get("networkMode", "bridge"), log=log,
                          log_driver=log_config.get("logDriver"))


# --- starting ------------------------------------------------------------------------------------

def start(ecs, config: RunTaskConfig, definition: TaskDefinition, args: tuple[str, ...],
          environment: dict[str, str] | None = None) -> str:
    """RunTask with ``args`` as the container's command and ``environment`` added to its variables;
    the new task's ARN. Tags are copied from the task definition only when asked (``propagate_tags``):
    under ECS tag-on-create authorisation that needs ``ecs:TagResource`` too."""
    params: dict = {
        "cluster": config.cluster,
        "taskDefinition": definition.arn,
        "count": 1,
        "launchType": config.launch_type,
        "startedBy": STARTED_BY,
    }
    if config.propagate_tags:
        params["propagateTags"] = "TASK_DEFINITION"
    if definition.network_mode == "awsvpc":
        if not config.subnets:
            raise UsageError(f"task definition {definition.name} uses awsvpc networking: give its subnets",
                             hint="--subnet ID (repeatable), SCHEMA_APPLY_ECS_SUBNETS=ID,ID, "
                                  "or subnets = [...] in an [env.NAME] section of schema-apply.toml")
        vpc = {"subnets": list(config.subnets),
               "assignPublicIp": "ENABLED" if config.assign_public_ip else "DISABLED"}
        if config.security_groups:
            vpc["securityGroups"] = list(config.security_groups)
        params["networkConfiguration"] = {"awsvpcConfiguration": vpc}
    if config.platform_version:
        params["platformVersion"] = config.platform_version
    override: dict = {}
    if args:
        override["command"] = list(args)
    if environment:
        override["environment"] = [{"name": k, "value": v} for k, v in environment.items()]
    if override:
        params["overrides"] = {"containerOverrides": [{"name": definition.container, **override}]}
    try:
        response = ecs.run_task(**params)
    except Exception as exc:
        code = aws.error_code(exc)
        if code == "ClusterNotFoundException":
            raise RunTaskError(f"cluster {config.cluster!r}: not found",
                               hint="give --cluster (SCHEMA_APPLY_ECS_CLUSTER) in this region") from None
        if code in ("InvalidParameterException", "ClientException", "PlatformUnknownException",
                    "PlatformTaskDefinitionIncompatibilityException", "UnsupportedFeatureException"):
            raise RunTaskError(f"RunTask refused the request: {aws.error_message(exc) or code}") from None
        if code == "AccessDeniedException":
            message = aws.error_message(exc)
            raise RunTaskError(f"RunTask: access denied ({message})", hint=_access_hint(message)) from None
        raise _aws_error(exc, "RunTask") from None
    tasks = response.get("tasks") or []
    if not tasks:
        failures = response.get("failures") or []
        reasons = "; ".join(" ".join(filter(None, [f.get("reason"), f.get("detail")])) for f in failures)
        raise RunTaskError(f"the task could not be placed: {reasons or 'no reason given'}",
                           hint=_hint_for(reasons))
    return tasks[0]["taskArn"]


# --- following the log -------------------------------------------------------------------------

class LogFollower:
    """Reads one CloudWatch log stream forward, each event once, in order (by its tokens)."""

    def __init__(self, logs, group: str, stream: str):
        self.logs = logs
        self.group = group
        self.stream = stream
        self.token: str | None = None
        self.found = False

    def poll(self) -> list[str]:
        from botocore.exceptions import ClientError  # deferred: the AWS libraries only when AWS is used (aws.py)
        lines: list[str] = []
        for _ in range(MAX_PAGES_PER_POLL):
            params = {"logGroupName": self.group, "logStreamName": self.stream, "startFromHead": True}
            if self.token:
                params["nextToken"] = self.token
            try:
                page = self.logs.get_log_events(**params)
            except ClientError as exc:
                if aws.error_code(exc) == "ResourceNotFoundException":
                    return lines  # the stream appears when the container first writes
                raise
            self.found = True
            lines.extend(event["message"] for event in page.get("events", []))
            token = page.get("nextForwardToken")
            if token is None or token == self.token:
                break  # the end of the stream, for now
            self.token = token
        return lines


# --- waiting -----------------------------------------------------------------------------------

class TaskWatcher:
    """Waits for one task to stop, streaming its log; knows what its end means."""

    def __init__(self, ecs, config: RunTaskConfig, definition: TaskDefinition, task_arn: str, *,
                 follower: LogFollower | None, emit: Callable[[str], None], note: Callable[[str], None],
                 confirm: Callable[[str], bool] | None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.ecs = ecs
        self.config = config
        self.definition = definition
        self.task_arn = task_arn
        self.follower = follower
        self.emit = emit
        self.note = note
        self.confirm = confirm
        self.sleep = sleep
        self.clock = clock
        self.stopping = False

    def wait(self) -> int:
        """The container's exit code (130 after a Ctrl-C)."""
        deadline = self.clock() + self.config.timeout
        status = None
        interrupted = False
        while True:
            try:
                task = self._describe()
                if task.get("lastStatus") != status:
                    status = task.get("lastStatus")
                    self.note(f"task {task_id(self.task_arn)}: {status}")
                self._stream()
                if status == "STOPPED":
                    self._drain()
                    return EXIT_INTERRUPTED if interrupted else self._outcome(task)
                if self.clock() >= deadline:
                    raise RunTaskError(
                        f"task {task_id(self.task_arn)} is still {status} after {self.config.timeout:g} s; "
                        "it was left running",
                        hint=f"stop it with `aws ecs stop-task --cluster {self.config.cluster} --task "
                             f"{self.task_arn}`, or wait longer with --timeout")
                self.sleep(self.config.poll_interval)
            except KeyboardInterrupt:
                if self.stopping or not self._ask_to_stop():
                    self.note(f"task {task_id(self.task_arn)} keeps running: {self.task_arn}")
                    return EXIT_INTERRUPTED
                interrupted = True

    def _describe(self) -> dict:
        try:
            found = self.ecs.describe_tasks(cluster=self.config.cluster, tasks=[self.task_arn])
        except Exception as exc:
            raise _aws_error(exc, f"describing task {task_id(self.task_arn)}") from None
        tasks = found.get("tasks") or []
        if not tasks:
            reasons = "; ".join(f.get("reason", "") for f in found.get("failures") or [])
            raise RunTaskError(f"task {task_id(self.task_arn)}: ECS no longer knows it ({reasons or 'MISSING'})")
        return tasks[0]

    def _stream(self) -> None:
        if self.follower is None:
            return
        try:
            lines = self.follower.poll()
        except Exception as exc:
            raise _aws_error(exc, f"reading log stream {self.follower.stream}") from None
        for line in lines:
            self.emit(line)

    def _drain(self) -> None:
        """The last lines may reach CloudWatch after the task stopped: read until quiet."""
        if self.follower is None:
            return
        for _ in range(LOG_DRAIN_POLLS):
            before = self.follower.token
            self._stream()
            if self.follower.found and self.follower.token == before:
                return
            self.sleep(min(self.config.poll_interval, 2.0))

    def _ask_to_stop(self) -> bool:
        if self.confirm is None:
            self.note("interrupted (not a terminal: the task is not stopped)")
            return False
        try:
            wanted = self.confirm(f"Stop task {task_id(self.task_arn)}? An apply may be part-way through")
        except (KeyboardInterrupt, EOFError):
            wanted = False
        if not wanted:
            return False
        try:
            self.ecs.stop_task(cluster=self.config.cluster, task=self.task_arn,
                               reason="Stopped from schema-apply run-task (Ctrl-C)")
        except Exception as exc:
            raise _aws_error(exc, f"stopping task {task_id(self.task_arn)}") from None
        self.stopping = True
        self.note(f"stopping task {task_id(self.task_arn)}; waiting for it to stop")
        return True

    def _outcome(self, task: dict) -> int:
        containers = task.get("containers") or []
        container = next((c for c in containers if c.get("name") == self.definition.container),
                         containers[0] if containers else {})
        code = container.get("exitCode")
        if code is not None:
            self.note(f"task {task_id(self.task_arn)}: container {container.get('name')} exited with code {code}")
            return int(code)
        parts = [task.get("stopCode"), task.get("stoppedReason"), container.get("reason")]
        why = ": ".join(p for p in parts if p)
        raise RunTaskError(f"task {task_id(self.task_arn)} stopped before its container ran to the end"
                           f" ({why or 'no reason given'})", hint=_hint_for(why))


# --- errors -------------------------------------------------------------------------------------

_HINTS = [
    (("CannotPullContainer", "pull image", "ImageNotFound", "manifest"),
     "check the image name and tag, that the execution role may pull it (ecs/execution-role-policy.json), "
     "and that the subnets reach ECR (NAT gateway or VPC endpoints)"),
    (("ResourceInitializationError",),
     "the task could not be set up: check the execution role, and that the subnets reach ECR and "
     "CloudWatch Logs (NAT gateway or VPC endpoints)"),
    (("Capacity is unavailable", "RESOURCE:", "insufficient", "Insufficient", "capacity"),
     "no capacity for the task right now: run it again later, or give subnets in more availability zones"),
    (("OutOfMemory",), "the container ran out of memory: raise the task definition's memory"),
    (("UserInitiated",), "someone stopped the task"),
    (("MISSING", "ATTRIBUTE", "AGENT"), "the cluster cannot run this task: check its capacity providers"),
]


def _access_hint(message: str) -> str:
    """What to grant, naming the action AWS says is missing."""
    found = re.search(r"perform:? ([A-Za-z0-9-]+:[A-Za-z0-9*]+)", message or "")
    action = found.group(1) if found else None
    if action and action.lower() == "ecs:tagresource":
        return ("copying the task definition's tags to the task (--propagate-tags) needs ecs:TagResource: "
                "grant it, or run without --propagate-tags")
    if action and action.lower() == "iam:passrole":
        return ("you need iam:PassRole on the task definition's task and execution roles, for "
                "ecs-tasks.amazonaws.com (ecs/run-task-policy.json)")
    if action:
        return f"your role lacks {action} (ecs/run-task-policy.json lists what run-task needs)"
    return ("you need ecs:RunTask on the task definition and iam:PassRole on its roles "
            "(ecs/run-task-policy.json)")


def _hint_for(text: str) -> str | None:
    for needles, hint in _HINTS:
        if any(n in (text or "") for n in needles):
            return hint
    return None


def _aws_error(exc: BaseException, doing: str) -> RunTaskError:
    explained = aws.explain(exc, doing=doing, error_cls=RunTaskError)
    if explained:
        return explained
    if aws.error_code(exc):
        return RunTaskError(f"{doing}: {aws.describe_client_error(exc)}")
    raise exc


# --- the Schemafile, delivered as data ---------------------------------------------------------

def upload_schemafile(sess, config: RunTaskConfig, path: str) -> tuple[str, str]:
    """Put the Schemafile at ``s3://BUCKET/PREFIX/<sha256>.sql`` (content-addressed: the same file
    always has the same name); its URI and SHA-256. S3 checks the upload against the digest too."""
    if not config.schema_bucket:
        raise UsageError("--schema-file needs a bucket to upload it to",
                         hint="--schema-bucket NAME, SCHEMA_APPLY_ECS_SCHEMA_BUCKET, or schema_bucket = \"NAME\" in "
                              "the [env.NAME] section")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"--schema-file {path}: cannot read: {exc.strerror}") from None
    digest = sha256_hex(data)
    prefix = config.schema_prefix.strip("/")
    key = f"{prefix}/{digest}.sql" if prefix else f"{digest}.sql"
    uri = f"s3://{config.schema_bucket}/{key}"
    try:
        aws.client(sess, "s3").put_object(
            Bucket=config.schema_bucket, Key=key, Body=data, ContentType="text/plain; charset=utf-8",
            ChecksumSHA256=base64.b64encode(hashlib.sha256(data).digest()).decode())
    except Exception as exc:
        if aws.error_code(exc) == "AccessDeniedException":
            raise RunTaskError(f"uploading {path} to {uri}: access denied",
                               hint=f"your role needs s3:PutObject on arn:aws:s3:::{config.schema_bucket}/"
                                    f"{prefix + '/' if prefix else ''}* (ecs/run-task-policy.json)") from None
        raise _aws_error(exc, f"uploading {path} to {uri}") from None
    return uri, digest


# --- launching and following ----------------------------------------------------------------------

@mutable
class Launched:
    """A task that RunTask started, and what is needed to follow it."""

    session: object
    ecs: object
    definition: TaskDefinition
    task_arn: str
    schemafile: str | None = None  # the s3:// URI run-task gave the task
    marker: str | None = None  # how the task marks its standard output (channel.py)


def launch(config: RunTaskConfig, args: tuple[str, ...], *, schema_file: str | None = None,
           marker: str | None = None) -> Launched:
    """Describe the task definition, upload ``schema_file`` if given, start one task running ``args``."""
    try:
        sess = aws.session(region=config.region, profile=config.profile)
        aws.require_region(sess, RunTaskError)
        ecs = aws.client(sess, "ecs")
    except RunTaskError:
        raise
    except Exception as exc:
        raise _aws_error(exc, "connecting to ECS") from None
    definition = describe_definition(ecs, config)
    environment: dict[str, str] = {}
    uri = None
    if schema_file is not None:
        uri, digest = upload_schemafile(sess, config, schema_file)
        environment |= {"SCHEMA_APPLY_SCHEMA_FILE": uri, "SCHEMA_APPLY_SCHEMA_SHA256": digest}
    if marker:
        environment[MARKER_VARIABLE] = marker
    arn = start(ecs, config, definition, args, environment)
    return Launched(sess, ecs, definition, arn, uri, marker)


def follow(launched: Launched, config: RunTaskConfig, *, out: Callable[[str], None],
           err: Callable[[str], None], note: Callable[[str], None], confirm: Callable[[str], bool] | None = None,
           sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> int:
    """Wait for the task, streaming its log (its standard output to ``out``, the rest to ``err``:
    channel.py); the container's exit code."""
    definition = launched.definition
    follower = None
    if definition.log is None:
        note(f"container {definition.container} does not log to CloudWatch (log driver "
             f"{definition.log_driver or 'none'}): its output is not shown")
    else:
        logs = launched.session.client("logs", region_name=definition.log.region or launched.session.region_name,
                                       config=aws.client_config())
        follower = LogFollower(logs, definition.log.group, definition.log.stream(definition.container,
                                                                                 launched.task_arn))
    demux = Demux(launched.marker, out, err) if launched.marker else None
    try:
        return TaskWatcher(launched.ecs, config, definition, launched.task_arn, follower=follower,
                           emit=demux.feed if demux else out, note=note, confirm=confirm, sleep=sleep,
                           clock=clock).wait()
    finally:
        if demux:
            demux.close()


def run(config: RunTaskConfig, args: tuple[str, ...], *, out: Callable[[str], None], err: Callable[[str], None],
        note: Callable[[str], None], schema_file: str | None = None, confirm: Callable[[str], bool] | None = None,
        sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> int:
    """Launch the task, follow it, return its exit code."""
    launched = launch(config, args, schema_file=schema_file, marker=new_marker())
    if launched.schemafile:
        note(f"uploaded {schema_file} to {launched.schemafile}")
    note(f"started task {task_id(launched.task_arn)} ({launched.definition.name} on cluster {config.cluster}): "
         f"{' '.join(args) if args else '(the image command)'}")
    return follow(launched, config, out=out, err=err, note=note, confirm=confirm, sleep=sleep, clock=clock)
