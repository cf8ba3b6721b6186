"""scripts/demo, the main job on a local default: the whole ECS flow against the local MariaDB and a
moto_server, through the real `schema-apply` entrypoint. Needs the server (never skipped)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aws_helpers import REPO

pytestmark = [pytest.mark.aws, pytest.mark.server]

SCHEMAFILE = """\
CREATE TABLE customers (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  email varchar(255) NOT NULL,
  created_at datetime NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_customers_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE secret_customer_addresses (
  customer_id bigint unsigned NOT NULL,
  line1 varchar(200) NOT NULL,
  PRIMARY KEY (customer_id),
  CONSTRAINT fk_addresses_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
"""


def run_demo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "scripts" / "demo"), *args], capture_output=True, text=True,
                          timeout=600)


def test_demo_runs_plan_apply_plan_and_a_change(tmp_path):
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(SCHEMAFILE)
    result = run_demo(str(schemafile))
    out = result.stdout
    assert result.returncode == 0, out[-6000:] + result.stderr[-2000:]
    assert "demo: OK" in out
    assert "database password in any output: no" in out
    assert "moto_server            http://127.0.0.1:" in out and "(IAM enforced)" in out
    assert "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:" in out
    for line in ("schema-apply plan                                     exit 2 (expected 2)",
                 "schema-apply apply                                    exit 0 (expected 0)",
                 "schema-apply plan                                     exit 0 (expected 0)"):
        assert line in out
    assert "CREATE TABLE `demo_audit_log`" in out  # the planned change


def test_demo_without_the_schemafile(tmp_path):
    result = run_demo(str(tmp_path / "missing.sql"))
    assert result.returncode == 1
    assert "missing.sql not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_shipped_schemafile_plans_without_a_refusal(databases, cli):
    """The repository's own Schemafile.sql (what `./scripts/demo` applies by default) keeps the
    firewall's rules: on an empty database it plans changes and nothing is refused."""
    db = databases.new()
    result = cli("plan", "--format", "json", "--schema-file", str(REPO / "Schemafile.sql"),
                 "--database-url", databases.server.url(db))
    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)
    assert doc["changes"] and not doc["refused"], doc["refused"]
