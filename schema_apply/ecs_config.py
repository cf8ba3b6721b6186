"""Where `run-task` launches the task: flags, ``SCHEMA_APPLY_ECS_*`` variables, ``schema-apply.toml``.

A flag wins over its variable, a variable over the ``[env.NAME]`` section chosen with ``--env``,
and that over the defaults::

    # schema-apply.toml
    [env.production]
    cluster = "prod"                        # required: there is no default cluster
    task_definition = "schema-apply"        # family, family:revision or ARN
    container = "schema-apply"              # default: the task definition's only/first essential one
    subnets = ["subnet-0abc", "subnet-0def"]
    security_groups = ["sg-0123"]
    launch_type = "FARGATE"
    assign_public_ip = false
    platform_version = "LATEST"
    region = "eu-west-1"
    profile = "prod"
    timeout = 3600                          # seconds to wait for the task to stop
    schema_bucket = "acme-schema-apply"     # where run-task --schema-file uploads the Schemafile
    schema_prefix = "schemafiles"           # … under this prefix, as <sha256>.sql
    propagate_tags = false                  # copy the task definition's tags to the task (ecs:TagResource)
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any, Mapping

from .defaults import DEFAULT_CONFIG_FILE, LAUNCH_TYPES
from .errors import UsageError
from .values import frozen

ENV_PREFIX = "SCHEMA_APPLY_ECS_"
DEFAULT_SCHEMA_PREFIX = "schemafiles"


@frozen
class RunTaskConfig:
    cluster: str | None = None
    task_definition: str = "schema-apply"
    container: str | None = None
    subnets: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    launch_type: str = "FARGATE"
    assign_public_ip: bool = False
    platform_version: str | None = None
    region: str | None = None
    profile: str | None = None
    timeout: float = 3600.0
    poll_interval: float = 5.0
    schema_bucket: str | None = None
    schema_prefix: str = DEFAULT_SCHEMA_PREFIX
    propagate_tags: bool = False


_LISTS = {"subnets", "security_groups"}
_BOOLS = {"assign_public_ip", "propagate_tags"}
_NUMBERS = {"timeout", "poll_interval"}
KEYS = tuple(f.name for f in fields(RunTaskConfig))


def env_var(key: str) -> str:
    return ENV_PREFIX + key.upper()


def load(flags: Mapping[str, Any], *, env_name: str | None = None, config_file: str | Path | None = None,
         environ: Mapping[str, str] | None = None) -> RunTaskConfig:
    """The configuration from ``flags`` (None = not given), the environment, and the toml section."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    if env_name:
        values.update(_section(Path(config_file or DEFAULT_CONFIG_FILE), env_name))
    for key in KEYS:
        raw = environ.get(env_var(key))
        if raw is not None and raw.strip() != "":
            values[key] = _from_text(key, raw, env_var(key))
    for key, value in flags.items():
        if key not in KEYS:
            raise ValueError(f"not a run-task setting: {key}")
        if value is not None and value != ():
            values[key] = value
    return _validated(values)


def _section(path: Path, env_name: str) -> dict[str, Any]:
    try:
        doc = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise UsageError(f"--env {env_name}: no such file: {path}",
                         hint=f"create {path} with an [env.{env_name}] section, or give --config PATH")
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}")
    envs = doc.get("env")
    if not isinstance(envs, dict) or env_name not in envs:
        known = ", ".join(sorted(envs)) if isinstance(envs, dict) and envs else "none"
        raise UsageError(f"{path}: no [env.{env_name}] section (sections: {known})")
    section = envs[env_name]
    if not isinstance(section, dict):
        raise UsageError(f"{path}: [env.{env_name}] must be a table of settings")
    out: dict[str, Any] = {}
    for key, value in section.items():
        where = f"{path}: [env.{env_name}] {key}"
        if key not in KEYS:
            raise UsageError(f"{path}: [env.{env_name}]: unknown setting {key!r}",
                             hint=f"known settings: {', '.join(KEYS)}")
        out[key] = _from_toml(key, value, where)
    return out


def _from_toml(key: str, value: Any, where: str) -> Any:
    if key in _LISTS:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise UsageError(f"{where}: expected a list of strings")
        return tuple(value)
    if key in _BOOLS:
        if not isinstance(value, bool):
            raise UsageError(f"{where}: expected true or false")
        return value
    if key in _NUMBERS:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UsageError(f"{where}: expected a number of seconds")
        return float(value)
    if not isinstance(value, str):
        raise UsageError(f"{where}: expected a string")
    return value


def _from_text(key: str, raw: str, where: str) -> Any:
    raw = raw.strip()
    if key in _LISTS:
        return tuple(piece.strip() for piece in raw.split(",") if piece.strip())
    if key in _BOOLS:
        lowered = raw.lower()
        if lowered in ("1", "true", "yes", "enabled"):
            return True
        if lowered in ("0", "false", "no", "disabled"):
            return False
        raise UsageError(f"{where}: expected true or false, got {raw!r}")
    if key in _NUMBERS:
        try:
            return float(raw)
        except ValueError:
            raise UsageError(f"{where}: expected a number of seconds, got {raw!r}")
    return raw


def _validated(values: dict[str, Any]) -> RunTaskConfig:
    config = RunTaskConfig(**values)
    launch_type = config.launch_type.upper()
    if launch_type not in LAUNCH_TYPES:
        raise UsageError(f"launch type: expected one of {', '.join(LAUNCH_TYPES)}, got {config.launch_type!r}")
    if config.timeout <= 0:
        raise UsageError("timeout: must be more than zero seconds")
    if config.poll_interval <= 0:
        raise UsageError("poll interval: must be more than zero seconds")
    if not config.cluster:
        raise UsageError("no ECS cluster given",
                         hint="--cluster NAME, SCHEMA_APPLY_ECS_CLUSTER, or cluster = \"NAME\" in an [env.NAME] "
                              f"section of {DEFAULT_CONFIG_FILE} (--env NAME)")
    if not config.task_definition:
        raise UsageError("task definition: must not be empty")
    return RunTaskConfig(**{**values, "launch_type": launch_type})
