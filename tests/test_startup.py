"""What a run does not use, it does not load (issue 12: start-up is part of every run's time).

``schema-apply --help`` starts without the model, the planner, sqlglot, PyMySQL or boto3; a plan
given a ``--database-url`` never imports boto3 or credstash. Each check runs the CLI in a fresh
process and lists the heavy modules that process imported.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("sqlglot", "pymysql", "boto3", "botocore", "credstash", "schema_apply.plan", "schema_apply.flavor",
         "schema_apply.parse.schemafile", "schema_apply.model", "schema_apply.apply", "schema_apply.wrapper")


def loaded_by(args: list[str], tmp_path) -> tuple[int, list[str]]:
    """Run ``schema-apply ARGS`` in a new process: its exit code and the HEAVY modules it imported."""
    listing = tmp_path / "modules.json"
    code = ("import json, sys\n"
            "from schema_apply.cli import main\n"
            "try:\n"
            f"    main({args!r})\n"
            "except SystemExit as exc:\n"
            "    status = exc.code\n"
            f"json.dump([status, sorted(m for m in {HEAVY!r} if m in sys.modules)], open({str(listing)!r}, 'w'))\n")
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    status, modules = json.loads(listing.read_text())
    return status, modules


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["plan", "--help"], ["apply", "--help"],
                                  ["run-task", "--help"], ["show", "--help"]])
def test_help_loads_nothing_heavy(args, tmp_path):
    assert loaded_by(args, tmp_path) == (0, [])


def test_plan_with_a_database_url_loads_no_aws_library(setup, tmp_path):
    _, _, args = setup("CREATE TABLE t (id int PRIMARY KEY);", "CREATE TABLE t (id int PRIMARY KEY);")
    status, modules = loaded_by(["plan", *args], tmp_path)
    assert status == 0
    assert not {"boto3", "botocore", "credstash"} & set(modules)
    assert {"pymysql", "sqlglot", "schema_apply.plan"} <= set(modules)  # a positive control
