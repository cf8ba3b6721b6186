"""Reports of plans and applies: text, json, sql, markdown.

Everything printed goes through ``redact.redact_text`` on its way out (in
``emit``). Reports are built from change descriptions, statements and
server error codes: never from rows. The JSON shape is documented in the
README and versioned by ``"format"``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import TextIO

from .plan import Plan, Statement
from .redact import redact_text
from .sqltext import script

JSON_FORMAT_VERSION = 1


@dataclass
class Outcome:
    """What happened to one statement during apply."""

    statement: Statement
    status: str  # "applied", "failed", "not run"
    seconds: float | None = None  # None for a statement on a secret table: its duration tracks its size
    error: str | None = None
    code: int | None = None


@dataclass
class Context:
    database: str
    server: str
    schema_file: str
    command: str  # "plan", "apply", "diff"
    allow_drop: bool = False
    color: bool = False
    notes: list[str] = field(default_factory=list)


def emit(text: str, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    stream.write(redact_text(text))
    if not text.endswith("\n"):
        stream.write("\n")
    stream.flush()


def _c(text: str, code: str, on: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if on else text


def _mark(change) -> str:
    kind = change.kind
    if kind.startswith(("add", "create")):
        return "+"
    if kind.startswith("drop"):
        return "-"
    return "~"


def exit_code(plan: Plan) -> int:
    if plan.refused:
        return 3
    return 2 if plan.changes else 0


# --------------------------------------------------------------------------
# text
# --------------------------------------------------------------------------

def plan_text(plan: Plan, ctx: Context) -> str:
    on = ctx.color
    lines: list[str] = []
    head = f"{ctx.command}: {ctx.database} on {ctx.server}, from {ctx.schema_file}"
    lines.append(_c(head, "1", on))
    for note in ctx.notes:
        lines.append(f"note: {note}")
    if plan.in_sync:
        lines.append("in sync: nothing to do")
        return "\n".join(lines)
    n_tables = len(plan.tables)
    summary = f"{len(plan.changes)} change(s) to {n_tables} object(s)"
    if plan.refused:
        summary += f", {len(plan.refused)} refused"
    lines.append(summary)
    lines.append("")
    refused_by_table: dict[str, list] = {}
    for r in plan.refused:
        refused_by_table.setdefault(r.change.table, []).append(r)
    for table in plan.tables:
        lines.append(_c(table, "1", on))
        for change in plan.changes:
            if change.table != table:
                continue
            mark = _mark(change)
            color = {"+": "32", "-": "31", "~": "33"}[mark]
            text = f"  {mark} {change.describe()}"
            if change.destructive:
                text += "  [destructive, allowed by --allow-drop]"
            lines.append(_c(text, color, on))
        for r in refused_by_table.get(table, []):
            lines.append(_c(f"  ! {r.change.describe()}  [refused: {r.reason}]", "31;1", on))
    if plan.statements:
        lines.append("")
        lines.append(_c("-- DDL", "2", on))
        for k, st in enumerate(plan.statements, 1):
            lines.append(_c(f"-- [{k}/{len(plan.statements)}] {st.step}" + (f": {st.table}" if st.table else ""), "2", on))
            lines.append(st.sql + ";")
    if plan.refused:
        lines.append("")
        lines.append(_c("refused by policy: nothing will be applied while these remain (exit 3)", "31;1", on))
    return "\n".join(lines)


def plan_sql(plan: Plan, ctx: Context) -> str:
    out = [f"-- {ctx.command}: {ctx.database} on {ctx.server}, from {ctx.schema_file}"]
    out += script([st.sql for st in plan.statements])
    for r in plan.refused:
        out.append(f"-- Refused: {r.change.describe()} ({r.reason})")
    if plan.in_sync:
        out.append("-- in sync: nothing to do")
    return "\n".join(out)


def plan_markdown(plan: Plan, ctx: Context) -> str:
    out = [f"### schema-apply {ctx.command}: `{ctx.database}`", "",
           f"Server {ctx.server}, Schemafile `{ctx.schema_file}`.", ""]
    if plan.in_sync:
        out.append("**In sync** — nothing to do.")
        return "\n".join(out)
    destructive = sum(1 for c in plan.changes if c.destructive)
    out.append(f"**{len(plan.changes)} change(s)**" + (f", **{destructive} destructive**" if destructive else "")
               + (f", **{len(plan.refused)} refused**" if plan.refused else "") + ".")
    out.append("")
    out.append("| object | change | destructive |")
    out.append("|---|---|---|")
    for change in plan.changes:
        out.append(f"| `{change.table}` | {_md(change.describe())} | {'⚠️ ' + _md(change.data_loss) if change.destructive else ''} |")
    for r in plan.refused:
        out.append(f"| `{r.change.table}` | {_md(r.change.describe())} | 🚫 refused: {_md(r.reason)} |")
    if plan.statements:
        out += ["", "```sql"] + script([st.sql for st in plan.statements]) + ["```"]
    if plan.refused:
        out += ["", "> Refused changes block `apply` (exit 3) until allowed with `--allow-drop` or removed."]
    return "\n".join(out)


def _md(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


# --------------------------------------------------------------------------
# json
# --------------------------------------------------------------------------

def plan_dict(plan: Plan, ctx: Context, outcomes: list[Outcome] | None = None, error: str | None = None) -> dict:
    index = {id(c): k for k, c in enumerate(plan.changes)}
    doc = {
        "format": JSON_FORMAT_VERSION,
        "command": ctx.command,
        "database": ctx.database,
        "server": ctx.server,
        "schema_file": ctx.schema_file,
        "in_sync": plan.in_sync,
        "changes": [{"table": c.table, "kind": c.kind, "description": c.describe(), "destructive": c.destructive,
                     "data_loss": c.data_loss} for c in plan.changes],
        "refused": [{"table": r.change.table, "kind": r.change.kind, "description": r.change.describe(),
                     "reason": r.reason} for r in plan.refused],
        "statements": [{"sql": st.sql, "table": st.table, "step": st.step,
                        "changes": [index[id(c)] for c in st.changes if id(c) in index]} for st in plan.statements],
        "notes": list(ctx.notes),
    }
    if outcomes is not None:
        doc["applied"] = [{"sql": o.statement.sql, "table": o.statement.table, "status": o.status,
                           "seconds": None if o.seconds is None else round(o.seconds, 3),
                           **({"error": o.error, "code": o.code} if o.error else {})} for o in outcomes]
    if error is not None:
        doc["error"] = error
    doc["exit_code"] = exit_code(plan) if outcomes is None and error is None else (1 if error else 0)
    return doc


def plan_json(plan: Plan, ctx: Context, outcomes: list[Outcome] | None = None, error: str | None = None) -> str:
    return json.dumps(plan_dict(plan, ctx, outcomes, error), indent=2, ensure_ascii=False)


def render_plan(plan: Plan, ctx: Context, fmt: str) -> str:
    if fmt == "json":
        return plan_json(plan, ctx)
    if fmt == "sql":
        return plan_sql(plan, ctx)
    if fmt == "markdown":
        return plan_markdown(plan, ctx)
    return plan_text(plan, ctx)


def outcomes_text(outcomes: list[Outcome], color: bool) -> str:
    lines = []
    applied = [o for o in outcomes if o.status == "applied"]
    failed = [o for o in outcomes if o.status == "failed"]
    skipped = [o for o in outcomes if o.status == "not run"]
    lines.append(f"applied {len(applied)} statement(s)" + (f", 1 failed, {len(skipped)} not run" if failed else ""))
    for o in failed:
        lines.append(_c(f"failed: {o.statement.step}" + (f" {o.statement.table}" if o.statement.table else "")
                        + f": {o.error}", "31;1", color))
        lines.append("  " + o.statement.sql.replace("\n", "\n  ") + ";")
    for o in skipped:
        lines.append(f"not run: {o.statement.sql.splitlines()[0]}" + (" …" if "\n" in o.statement.sql else ""))
    return "\n".join(lines)
