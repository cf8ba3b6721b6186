"""A reviewed plan: ``plan --out FILE`` writes it, ``apply --plan FILE`` holds the apply to it.

The file is the plan's JSON report (report.document; ``plan --format json`` prints the same
document, so the output of ``run-task -- plan --format json`` is a plan file too). Besides the
changes and statements it records the SHA-256 of the Schemafile's bytes, the SHA-256 of the live
schema's model (fingerprint.py), the database and the server. ``apply --plan`` reads it from a
path or an ``s3://`` URI and refuses with exit 5 (stale), applying nothing, when the Schemafile,
the server, the database, the live schema or the resulting statements are not what was reviewed;
otherwise it applies exactly the reviewed statements.
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import SchemaApplyError, StalePlan, UsageError
from .result import Result
from .source import SchemaText, read_bytes

FORMAT = 1
_REQUIRED = ("schema_sha256", "live_sha256", "server", "database", "statements")
_AGAIN = "make the plan again (plan --out), review it, and apply that"


def save(path: str, doc: dict) -> None:
    try:
        Path(path).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise SchemaApplyError(f"{path}: cannot write: {exc.strerror}") from None


def read_document(location: str) -> dict:
    """A JSON report of schema-apply (format 1), from a path or an ``s3://`` URI."""
    data = read_bytes(location, what="plan")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{location}: not a plan file (not JSON: {exc})",
                         hint="give the file that plan --out wrote") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("statements"), list):
        raise UsageError(f"{location}: not a plan file (expected a JSON report of schema-apply, format {FORMAT})",
                         hint="give the file that plan --out (or plan --format json) wrote")
    return doc


def load(location: str) -> dict:
    """A plan file written by ``plan --out`` or printed by ``plan --format json``."""
    doc = read_document(location)
    missing = [k for k in _REQUIRED if doc.get(k) is None]
    if doc.get("command") != "plan" or missing:
        raise UsageError(f"--plan {location}: not the report of a plan"
                         + (f" (no {', '.join(missing)})" if missing else f" (it is the report of {doc.get('command')})"),
                         hint="give the file that plan --out (or plan --format json) wrote")
    return doc


def check_schemafile(record: dict, location: str, schema: SchemaText) -> None:
    """Before connecting: the Schemafile must be the reviewed one."""
    if record["schema_sha256"] != schema.sha256:
        raise StalePlan(f"the Schemafile changed since the plan {location} was made: {schema.name} has SHA-256 "
                        f"{schema.sha256[:12]}…, the plan was made from {record['schema_sha256'][:12]}…; "
                        "nothing was applied", hint=_AGAIN)


def check(record: dict, location: str, result: Result) -> None:
    """Under the apply lock, after introspection: the live schema and the plan must be the reviewed ones."""
    ctx = result.context
    if record["database"] != ctx.database:
        raise StalePlan(f"the plan {location} was made for database {record['database']}, not {ctx.database};"
                        " nothing was applied", hint=_AGAIN)
    if record["server"] != ctx.server:
        raise StalePlan(f"the server changed since the plan {location} was made: {record['server']} then, "
                        f"{ctx.server} now; nothing was applied", hint=_AGAIN)
    if record["live_sha256"] != ctx.live_sha256:
        raise StalePlan(f"the live schema of {ctx.database} changed since the plan {location} was made "
                        f"(SHA-256 {record['live_sha256'][:12]}… then, {(ctx.live_sha256 or '')[:12]}… now); "
                        "nothing was applied", hint=_AGAIN)
    reviewed = [st.get("sql") for st in record["statements"]]
    now = [st.sql for st in result.plan.statements]
    if reviewed != now:
        first = next((k for k, (a, b) in enumerate(zip(reviewed, now)) if a != b), min(len(reviewed), len(now)))
        raise StalePlan(f"the statements differ from the plan {location}: it has {len(reviewed)}, this apply "
                        f"would run {len(now)}, the first difference at statement {first + 1}; nothing was applied",
                        hint="give apply the same --allow-drop, --tables and --ignore-tables as the plan, "
                             "or " + _AGAIN)
