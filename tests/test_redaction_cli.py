"""Every byte the CLI prints is redacted, from before the command line is parsed (issue 9, items 5-6).

Written as an attacker who can only choose the command line and the environment: a database URL
with a password put where a path belongs (``diff``'s files, ``--schema-file``,
``SCHEMA_APPLY_SCHEMA_FILE``, ``export -o``), where an option value belongs, as an extra argument,
as the command name, without its scheme, with ``:/`` for ``://``, percent-encoded, with spaces,
``@``, ``/``, quotes or non-ASCII characters in the password — through every command and format,
the usage errors, the path errors, the hints, the JSON, ``-v`` tracebacks and ``run-task``'s
echoes, in-process and through the installed console script. No form of the password may appear.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from schema_apply.firewall import redaction
from secret_helpers import Canary

PASSWORDS = ["Hunter2", "hunter 2", "p@ss:w/rd", "Pw@:/%?#'\"|x", "pässwörd€", "a%40b%3Ac", "tab\tstop"]


def forms(password: str) -> list[str]:
    """What must never be printed: the password, encoded and escaped (long enough to be telling)."""
    out = {password, urllib.parse.quote(password, safe=""), urllib.parse.quote(password),
           json.dumps(password)[1:-1], urllib.parse.unquote(password)}
    return [f for f in out if len(f) >= 3]


def urls(password: str) -> dict[str, str]:
    token = Canary.new().token[:6]  # unique per URL: a hit can only come from this URL
    pw = f"{password}{token}"
    enc = urllib.parse.quote(pw, safe="")
    return {
        "url": f"mysql://app:{pw}@db.internal:3306/app",
        "url, percent-encoded": f"mysql://app:{enc}@db.internal:3306/app",
        "url with a single slash": f"mysql:/app:{pw}@db.internal:3306/app",
        "url without a scheme": f"app:{pw}@db.internal:3306/app",
        "mariadb url": f"mariadb://app:{pw}@db.internal/app",
        "url, fully percent-encoded": urllib.parse.quote(f"mysql://app:{pw}@db.internal/app", safe=""),
    }


def _run(cli, *args, env=None):
    redaction._secrets.clear()  # each run starts as a fresh process does
    return cli(*args, env=env)


def _clean(result, password_forms, what) -> None:
    text = result.stdout + result.stderr
    leaked = [f for f in password_forms if f in text]
    assert not leaked, f"{what}: {leaked} printed:\n{text}"
    assert "Traceback" not in text, text


ATTACKS = {
    "diff, the URL as TO": lambda u, base: ["diff", base, u],
    "diff, the URL as FROM": lambda u, base: ["diff", u, base],
    "diff, json": lambda u, base: ["diff", base, u, "--format", "json"],
    "diff, markdown": lambda u, base: ["diff", u, base, "--format", "markdown"],
    "plan, the URL as an extra argument": lambda u, base: ["plan", u],
    "apply, the URL after --schema-file": lambda u, base: ["apply", "--schema-file", base, u],
    "export, the URL as an extra argument": lambda u, base: ["export", u],
    "the URL as the command": lambda u, base: [u],
    "the URL as --format": lambda u, base: ["plan", "--format", u],
    "the URL as --lock-timeout": lambda u, base: ["plan", "--lock-timeout", u],
    "the URL as --ssl-mode": lambda u, base: ["plan", "--ssl-mode", u],
    "the URL as --flavor": lambda u, base: ["diff", base, base, "--flavor", u],
    "the URL as --credstash-context": lambda u, base: ["plan", "--credstash-context", u],
    "the URL as --tables": lambda u, base: ["diff", base, base, "--tables", u + "("],
    "the URL as an unknown option": lambda u, base: ["plan", f"--bogus={u}"],
    "the URL as --database-url, unreachable": lambda u, base: ["plan", "--database-url", u.replace("db.internal", "127.0.0.1")
                                                               .replace(":3306", ":9"), "--schema-file", base],
    "the URL as --database-url, with a CA that is missing": lambda u, base: [
        "plan", "--database-url", u, "--ssl-mode", "verify-identity"],
    "the URL as --ssl-ca": lambda u, base: ["plan", "--database-url", "mysql://root@127.0.0.1:9/app", "--ssl-ca", u],
}


@pytest.mark.parametrize("password", PASSWORDS)
@pytest.mark.parametrize("attack", ATTACKS, ids=list(ATTACKS))
def test_no_form_of_the_password_in_any_output(attack, password, cli, tmp_path):
    base = tmp_path / "base.sql"
    base.write_text("CREATE TABLE t (id int PRIMARY KEY);")
    for what, url in urls(password).items():
        args = ATTACKS[attack](url, str(base))
        result = _run(cli, *args)
        assert result.exit_code != 0, (attack, what, result.output)
        pw = url.split("app:", 1)[1].rsplit("@", 1)[0] if "app:" in url else password
        _clean(result, forms(urllib.parse.unquote(pw)) + forms(pw), f"{attack} / {what}")


@pytest.mark.parametrize("password", PASSWORDS)
def test_the_password_in_a_path_that_exists_is_masked_in_every_format(password, cli, tmp_path):
    """A Schemafile whose path holds ``app:password@host``: every report that names the file."""
    pw = password.replace("/", "_") + Canary.new().token[:6]  # one path segment
    folder = tmp_path / "mysql:" / f"app:{pw}@db.internal:3306"
    folder.mkdir(parents=True)
    target = folder / "app.sql"
    target.write_text("CREATE TABLE t (id int PRIMARY KEY, a int);")
    base = tmp_path / "base.sql"
    base.write_text("CREATE TABLE t (id int PRIMARY KEY);")
    for fmt in ("text", "json", "sql", "markdown"):
        result = _run(cli, "diff", str(base), str(target), "--format", fmt)
        assert result.exit_code == 2, result.output
        _clean(result, forms(pw), f"diff --format {fmt}")
    assert "app:***@db.internal" in result.stdout


def test_schema_file_from_the_environment_is_masked(cli, tmp_path):
    password = f"Pw-{Canary.new().token}"
    url = f"mysql://app:{password}@db.internal:3306/app"
    env = {"SCHEMA_APPLY_SCHEMA_FILE": url, "SCHEMA_APPLY_DATABASE_URL": "mysql://root@127.0.0.1:9/app"}
    result = _run(cli, "plan", env=env)
    assert result.exit_code == 1
    _clean(result, forms(password), "SCHEMA_APPLY_SCHEMA_FILE")


@pytest.mark.server
@pytest.mark.parametrize("password", ["Hunter2", "hunter 2", "p@ss:w/rd"])
def test_path_errors_after_connecting_are_masked(password, cli, server, database, tmp_path):
    """``--schema-file``, ``SCHEMA_APPLY_SCHEMA_FILE`` and ``export -o`` given a URL: the error names
    the path — masked."""
    pw = password + Canary.new().token[:6]
    url = f"mysql://app:{pw}@db.internal:3306/app"
    db_url = server.url(database)
    runs = {
        "--schema-file": _run(cli, "plan", "--database-url", db_url, "--schema-file", url),
        "SCHEMA_APPLY_SCHEMA_FILE": _run(cli, "plan", "--database-url", db_url,
                                         env={"SCHEMA_APPLY_SCHEMA_FILE": url}),
        "export -o": _run(cli, "export", "--database-url", db_url, "-o", url),
        "export -o, json": _run(cli, "apply", "--database-url", db_url, "--schema-file", url, "--format", "json"),
    }
    for what, result in runs.items():
        assert result.exit_code == 1, (what, result.output)
        _clean(result, forms(pw), what)
        assert "app:***@db.internal" in result.stderr, (what, result.stderr)


def test_passwords_in_the_environment_are_registered_before_anything_prints(cli, tmp_path):
    """The URL's password from SCHEMA_APPLY_DATABASE_URL never prints, wherever else it turns up —
    here as a file name in a path error, where no URL shape surrounds it."""
    password = f"Pw{Canary.new().token}"
    base = tmp_path / "base.sql"
    base.write_text("CREATE TABLE t (id int PRIMARY KEY);")
    env = {"SCHEMA_APPLY_DATABASE_URL": f"mysql://app:{password}@127.0.0.1:9/app", "MYSQL_PWD": f"{password}-2"}
    for name in (password, f"{password}-2"):
        result = _run(cli, "diff", str(base), str(tmp_path / f"{name}.sql"), env=env)
        assert result.exit_code == 1
        _clean(result, forms(name), "a password from the environment")


def test_a_traceback_under_v_is_masked(cli, monkeypatch, tmp_path):
    """An internal error whose message and traceback carry the URL (-v prints the traceback)."""
    import schema_apply.commands as commands
    password = f"Pw-{Canary.new().token}"
    url = f"mysql:/app:{password}@db.internal/app"

    def broken(*args, **kwargs):
        raise RuntimeError(f"a bug holding {url} and the bare {password}")
    monkeypatch.setattr(commands, "diff", broken)
    base = tmp_path / "base.sql"
    base.write_text("CREATE TABLE t (id int PRIMARY KEY);")
    result = _run(cli, "diff", str(base), str(base), "-v", env={"SCHEMA_APPLY_DATABASE_URL": f"mysql://x:{password}@h/d"})
    assert result.exit_code == 1 and "Traceback" in result.stderr
    assert password not in result.output and "app:***@db.internal" in result.stderr


def test_the_console_script_masks_usage_errors_tracebacks_and_paths(tmp_path):
    """The installed entry point in a real process: the streams it writes are the redacting ones."""
    script = Path(sys.executable).with_name("schema-apply")
    password = f"hunter 2 {Canary.new().token}"
    url = f"mysql://u:{password}@db.internal/app"
    base = tmp_path / "base.sql"
    base.write_text("CREATE TABLE t (id int PRIMARY KEY);")
    env = dict(os.environ, PYTHONWARNINGS="always")
    outputs = []
    for args in (["plan", url], ["diff", str(base), url.replace("://", ":/")], ["diff", str(base), url[8:]],
                 ["plan", "--database-url", url.replace("db.internal", "127.0.0.1:9"), "-vv"]):
        p = subprocess.run([str(script), *args], capture_output=True, text=True, timeout=60, env=env)
        assert p.returncode == 1, (args, p.stdout, p.stderr)
        outputs.append(p.stdout + p.stderr)
    for text in outputs:
        assert not [f for f in forms(password) if f in text], text
        assert "Traceback" not in text


@pytest.mark.aws
@pytest.mark.parametrize("shape", ["mysql://app:{pw}@db.internal:3306/app", "app:{pw}@db.internal:3306/app",
                                   "mysql:/app:{pw}@db.internal/app"])
def test_run_task_echoes_are_masked(shape, monkeypatch):
    """``run-task -- plan --database-url mysql://app:pw@…`` once said "started task …: plan --database-url
    mysql://app:pw@…" on the terminal, and printed the container's log lines unmasked."""
    import boto3
    from click.testing import CliRunner
    from moto import mock_aws

    from aws_helpers import REGION, REPO, clean_aws_env
    from schema_apply.cli import main

    clean_aws_env(monkeypatch)
    monkeypatch.setenv("SCHEMA_APPLY_ECS_POLL_INTERVAL", "0.01")
    password = f"p@ss w/{Canary.new().token}"
    url = shape.format(pw=password)
    with mock_aws():
        ecs = boto3.client("ecs", region_name=REGION)
        ecs.create_cluster(clusterName="default")
        definition = json.loads((REPO / "ecs" / "task-definition.json").read_text())
        definition["containerDefinitions"][0]["memory"] = int(definition["memory"])
        ecs.register_task_definition(**definition)
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        group = ec2.create_security_group(GroupName="schema-apply", Description="x", VpcId=vpc)["GroupId"]
        redaction._secrets.clear()
        result = CliRunner().invoke(main, ["run-task", "--cluster", "default", "--subnet", subnet,
                                           "--security-group", group, "--",
                                           "plan", "--database-url", url, "--schema-file", url])
    assert "started task" in result.stderr, result.output
    assert not [f for f in forms(password) if f in result.output], result.output
    assert "app:***@db.internal" in result.stderr, result.stderr


def test_an_error_escaping_click_itself_is_reported_through_the_redaction(cli, monkeypatch):
    from schema_apply import cli as cli_module
    password = f"Pw-{Canary.new().token}"

    def broken(self, *args, **kwargs):
        raise RuntimeError(f"while parsing mysql://app:{password}@db/app")
    monkeypatch.setattr(cli_module._Group, "make_context", broken)
    result = _run(cli, "plan", "-v")
    assert result.exit_code == 1 and "internal error: RuntimeError" in result.stderr and "Traceback" in result.stderr
    assert password not in result.output and "mysql://app:***@db/app" in result.stderr
