"""What a run does not use, it does not load (issue 12: start-up is part of every run's time).

``schema-apply --help`` starts without the model, the planner, sqlglot, PyMySQL or boto3; a plan
given a ``--database-url`` never imports boto3 or credstash, nor the apply engine; ``diff`` no
database driver; the live schema's digest is computed only for an output that shows it. Each import check runs the CLI in a
fresh process and lists the heavy modules that process imported.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import guarded

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


def test_plan_with_a_database_url_loads_no_aws_library_nor_the_apply_engine(setup, tmp_path):
    _, _, args = setup("CREATE TABLE t (id int PRIMARY KEY);", "CREATE TABLE t (id int PRIMARY KEY);")
    status, modules = loaded_by(["plan", *args], tmp_path)
    assert status == 0
    assert not {"boto3", "botocore", "credstash", "schema_apply.apply", "schema_apply.wrapper"} & set(modules)
    assert {"pymysql", "sqlglot", "schema_apply.plan", "schema_apply.model"} <= set(modules)  # a positive control


def test_diff_loads_no_database_driver(tmp_path):
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text("CREATE TABLE t (id int PRIMARY KEY);")
    status, modules = loaded_by(["diff", str(schemafile), str(schemafile)], tmp_path)
    assert status == 0
    assert not {"pymysql", "boto3", "botocore", "credstash", "schema_apply.apply"} & set(modules)
    assert {"sqlglot", "schema_apply.plan"} <= set(modules)  # a positive control


@pytest.mark.parametrize("fmt, computed", [("text", False), ("sql", False), ("json", True), ("markdown", True)])
def test_the_live_digest_is_computed_only_for_an_output_that_shows_it(fmt, computed, setup, cli, monkeypatch):
    from schema_apply import fingerprint, result
    digests = []
    monkeypatch.setattr(result, "schema_digest", lambda schema: digests.append(fingerprint.schema_digest(schema))
                        or digests[-1])
    _, _, args = setup("CREATE TABLE t (id int PRIMARY KEY);", "CREATE TABLE t (id int PRIMARY KEY, c int);")
    shown = cli("plan", "--format", fmt, *args)
    assert shown.exit_code == 2, shown.output
    assert len(digests) == (1 if computed else 0)
    assert (digests[0][:12] in shown.stdout) if computed else ("sha256" not in shown.stdout)


def test_a_text_plan_still_records_the_live_digest_in_its_plan_file(server, setup, cli, tmp_path):
    from schema_apply.fingerprint import schema_digest
    from schema_apply.introspect import detect_flavor, introspect
    db, _, args = setup("CREATE TABLE t (id int PRIMARY KEY);", "CREATE TABLE t (id int PRIMARY KEY, c int);")
    out = tmp_path / "plan.json"
    assert cli("plan", "--out", str(out), *args).exit_code == 2
    with guarded(server, db) as conn:  # the live schema as the plan compared it
        flavor, _ = detect_flavor(conn, db)
        conn.settle(flavor)
        live = introspect(conn, db, flavor).schema
    assert json.loads(out.read_text())["live_sha256"] == schema_digest(live)


def test_sqlglot_is_imported_without_importlib_metadata_which_works_after(tmp_path):
    """``lazy_metadata``: the engine's start-up does not load ``importlib.metadata`` (sqlglot's import
    of it); sqlglot's ``entry_points`` gives what the real one gives; later imports get the real
    module, and the finder is gone."""
    code = ("import sys, json\n"
            "import schema_apply.cli, schema_apply.commands, schema_apply.parse.schemafile\n"
            "loaded = 'importlib.metadata' in sys.modules\n"
            "from schema_apply import lazy_metadata\n"
            "import sqlglot.dialects.dialect as dialect\n"
            "ours = [e.name for e in dialect.entry_points(group='console_scripts')]\n"
            "import importlib.metadata\n"
            "real = [e.name for e in importlib.metadata.entry_points(group='console_scripts')]\n"
            "print(json.dumps([loaded, ours == real and 'schema-apply' in real,\n"
            "                  type(importlib.metadata).__name__, importlib.metadata.version('sqlglot') != '',\n"
            "                  lazy_metadata._FirstSqlglotImport in sys.meta_path,\n"
            "                  type(dialect.Dialect.get_or_raise('mysql')).__name__]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [False, True, "module", True, False, "MySQL"]
