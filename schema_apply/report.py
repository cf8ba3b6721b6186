"""Reports: one reporter per output format (text, markdown, sql, json) for every command.

A ``Result`` becomes one document — the JSON report, its shape documented in the README and
versioned by ``"format"`` — and each format renders that document, so every format shows the same
facts, and a saved plan (``plan --out``) can be shown again in any format (``schema-apply show``).

Everything printed goes through ``firewall.redaction.redact_text`` on its way out (``emit``; the
standard streams are redacted as well). Reports are
built from change descriptions, statements and server error codes: never from rows.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Callable, TextIO

from . import online as online_ddl
from .errors import SchemaApplyError
from .firewall.redaction import redact_text
from .result import Outcome, Result
from .sql.quoting import script

if TYPE_CHECKING:  # annotations only (the planner is not loaded to report)
    from .plan import Statement

JSON_FORMAT_VERSION = 1


def emit(text: str, stream: TextIO | None = None) -> None:
    stream = stream or sys.stdout
    stream.write(redact_text(text))
    if not text.endswith("\n"):
        stream.write("\n")
    stream.flush()


# --------------------------------------------------------------------------
# the document
# --------------------------------------------------------------------------

def document(result: Result, *, live_digest: bool = True) -> dict:
    """The JSON report of ``result``; without ``live_sha256`` if not ``live_digest`` (for a format
    that does not show it: the live schema's digest is computed only when asked for, result.py)."""
    ctx, plan = result.context, result.plan
    index = {id(c): k for k, c in enumerate(plan.changes)}
    head = {
        "format": JSON_FORMAT_VERSION,
        "command": ctx.command,
        "database": ctx.database,
        "server": ctx.server,
        "schema_file": ctx.schema_file,
        "schema_sha256": ctx.schema_sha256,
    }
    if live_digest:
        head["live_sha256"] = ctx.live_sha256
    doc = {
        **head,
        "in_sync": plan.in_sync,
        "changes": [{"table": c.table, "kind": c.kind, "description": c.describe(), "destructive": c.destructive,
                     "data_loss": c.data_loss, "depends_on_secret_rows": plan.depends_on_secret_rows(c)}
                    for c in plan.changes],
        "refused": [{"table": r.change.table, "kind": r.change.kind, "description": r.change.describe(),
                     "reason": r.reason} for r in plan.refused],
        "statements": [{"sql": st.sql, "table": st.table, "step": st.step,
                        "changes": [index[id(c)] for c in st.changes if id(c) in index],
                        "online": _online(st)} for st in plan.statements],
        "notes": list(ctx.notes),
    }
    if result.outcomes is not None:
        doc["applied"] = [_outcome(o) for o in result.outcomes]
        if result.state is not None:
            doc["state"] = result.state
            doc["missing_constraints"] = list(result.missing_constraints)
            doc["run_notes"] = list(result.run_notes)
            doc["blockers"] = list(result.blockers)
    if result.error is not None:
        doc["error"] = str(result.error)
    doc["exit_code"] = result.exit_code
    return doc


def _online(st: Statement) -> dict | None:
    """How the server runs a statement (online.py), the table's size, the wrapper if any."""
    p, size = st.prediction, st.size
    if p is None:
        return None
    return {"how": "wrapper" if st.via else p.algorithm.lower(), "rebuilds": p.level == online_ddl.Level.REBUILD,
            "blocks_writes": p.blocks_writes and not st.via, "via": st.via,
            "description": online_ddl.cost(p, size, st.via),
            "table_size": None if size is None else ("withheld" if size.withheld else
                                                     {"rows": size.rows, "bytes": size.bytes})}


def _outcome(o: Outcome) -> dict:
    out = {"sql": o.statement.sql, "table": o.statement.table, "step": o.statement.step, "status": o.status,
           "seconds": None if o.seconds is None else round(o.seconds, 3), "checked": o.checked,
           "attempts": o.attempts}
    if o.error:
        out |= {"error": o.error, "code": o.code}
    if o.warnings:
        out["warnings"] = list(o.warnings)
    return out


def warnings_text(doc: dict) -> str | None:
    """One paragraph for standard error when the server warned about applied DDL, or None."""
    applied = doc.get("applied") or []
    by_sql = {st["sql"]: st for st in doc["statements"]}
    said = [(k, o, w) for k, o in enumerate(applied, 1) for w in o.get("warnings", ())]
    if not said:
        return None
    lines = [f"warning: the server changed or questioned {len({k for k, _, _ in said})} statement(s) without"
             " failing them; schema-apply's model should have predicted this (please report it):"]
    for k, o, w in said:
        step = by_sql.get(o["sql"], {}).get("step", "statement")
        lines.append(f"  [{k}/{len(applied)}] {step}" + (f" {o['table']}" if o["table"] else "") + f": {w}")
    return "\n".join(lines)


def error_document(command: str, error: SchemaApplyError) -> dict:
    """The JSON report of a command that ended before it had a plan."""
    return {"format": JSON_FORMAT_VERSION, "command": command, "error": str(error),
            **({"hint": error.hint} if error.hint else {}), "exit_code": error.exit_code}


# --------------------------------------------------------------------------
# rendering a document
# --------------------------------------------------------------------------

def _c(text: str, code: str, on: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if on else text


def _mark(kind: str) -> str:
    if kind.startswith(("add", "create")):
        return "+"
    if kind.startswith("drop"):
        return "-"
    return "~"


def _heading(doc: dict) -> str:
    return f"{doc['command']}: {doc['database']} on {doc['server']}, from {doc['schema_file']}"


def _objects(doc: dict) -> list[str]:
    seen: dict[str, None] = {}
    for item in doc["changes"] + doc["refused"]:
        seen.setdefault(item["table"], None)
    return list(seen)


def _step(k: int, total: int, st: dict) -> str:
    return f"-- [{k}/{total}] {st['step']}" + (f": {st['table']}" if st["table"] else "") + \
        (f" — {_cost(st)}" if _cost(st) else "")


def _cost(st: dict) -> str:
    """What a statement costs the application (a saved plan from an older version has no such field)."""
    return (st.get("online") or {}).get("description") or ""


def text(doc: dict, color: bool = False) -> str:
    on = color
    lines = [_c(_heading(doc), "1", on)]
    lines += [f"note: {note}" for note in doc["notes"]]
    if doc["in_sync"]:
        lines.append("in sync: nothing to do")
        return "\n".join(lines)
    objects = _objects(doc)
    summary = f"{len(doc['changes'])} change(s) to {len(objects)} object(s)"
    if doc["refused"]:
        summary += f", {len(doc['refused'])} refused"
    lines += [summary, ""]
    for table in objects:
        lines.append(_c(table, "1", on))
        for change in doc["changes"]:
            if change["table"] != table:
                continue
            mark = _mark(change["kind"])
            line = f"  {mark} {change['description']}"
            if change["destructive"]:
                line += "  [destructive, allowed by --allow-drop]"
            if change.get("depends_on_secret_rows"):
                line += "  [depends on secret rows, allowed by --allow-secret-dependent]"
            lines.append(_c(line, {"+": "32", "-": "31", "~": "33"}[mark], on))
        for refusal in doc["refused"]:
            if refusal["table"] == table:
                lines.append(_c(f"  ! {refusal['description']}  [refused: {refusal['reason']}]", "31;1", on))
    if doc["statements"]:
        lines += ["", _c("-- DDL", "2", on)]
        for k, st in enumerate(doc["statements"], 1):
            lines.append(_c(_step(k, len(doc["statements"]), st), "2", on))
            lines.append(st["sql"] + ";")
    if doc["refused"]:
        lines += ["", _c("refused by policy: nothing will be applied while these remain (exit 3)", "31;1", on)]
    return "\n".join(lines)


def sql(doc: dict) -> str:
    out = [f"-- {_heading(doc)}"]
    for st in doc["statements"]:
        out += ([f"-- {_cost(st)}"] if _cost(st) else []) + script([st["sql"]])
    out += [f"-- Depends on secret rows: {c['description']} ({c['depends_on_secret_rows']})"
            for c in doc["changes"] if c.get("depends_on_secret_rows")]
    out += [f"-- Refused: {r['description']} ({r['reason']})" for r in doc["refused"]]
    if doc["in_sync"]:
        out.append("-- in sync: nothing to do")
    return "\n".join(out)


def markdown(doc: dict) -> str:
    out = [f"### schema-apply {doc['command']}: `{doc['database']}`", "",
           f"Server {doc['server']}, Schemafile `{doc['schema_file']}`.", ""]
    out += [f"> note: {_md(note)}" for note in doc["notes"]] + ([""] if doc["notes"] else [])
    if doc["in_sync"]:
        out.append("**In sync** — nothing to do.")
    else:
        destructive = sum(1 for c in doc["changes"] if c["destructive"])
        out.append(f"**{len(doc['changes'])} change(s)**" + (f", **{destructive} destructive**" if destructive else "")
                   + (f", **{len(doc['refused'])} refused**" if doc["refused"] else "") + ".")
        out += ["", "| object | change | destructive |", "|---|---|---|"]
        for c in doc["changes"]:
            marks = [f"⚠️ {_md(c['data_loss'])}"] if c["destructive"] else []
            if c.get("depends_on_secret_rows"):
                marks.append(f"🔒 depends on secret rows: {_md(c['depends_on_secret_rows'])}")
            out.append(f"| `{c['table']}` | {_md(c['description'])} | {'<br>'.join(marks)} |")
        for r in doc["refused"]:
            out.append(f"| `{r['table']}` | {_md(r['description'])} | 🚫 refused: {_md(r['reason'])} |")
        if doc["statements"]:
            out += ["", "```sql"]
            for st in doc["statements"]:
                out += ([f"-- {_cost(st)}"] if _cost(st) else []) + script([st["sql"]])
            out += ["```"]
        if doc["refused"]:
            out += ["", "> Refused changes block `apply` (exit 3) until allowed (`--allow-drop`,"
                    " `--allow-secret-dependent`) or removed; the firewall's refusals cannot be allowed."]
    digests = [f"{name} `{doc[key][:12]}`" for key, name in (("schema_sha256", "Schemafile sha256"),
                                                             ("live_sha256", "live schema sha256")) if doc.get(key)]
    if digests:
        out += ["", "<sub>" + ", ".join(digests) + "</sub>"]
    return "\n".join(out)


def _md(value: str | None) -> str:
    return (value or "").replace("|", "\\|").replace("\n", " ")


def as_json(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False)


def outcomes_text(doc: dict, color: bool) -> str:
    """The account of an apply that did not finish: what ran, what did not, what is missing."""
    counts: dict[str, int] = {}
    for o in doc["applied"]:
        counts[o["status"]] = counts.get(o["status"], 0) + 1
    lines = [f"applied {counts.get('applied', 0)} statement(s)"
             + "".join(f", {n} {status}" for status, n in counts.items() if status != "applied")]
    for o in doc["applied"]:
        if o["status"] in ("applied", "not run"):
            continue
        lines.append(_c(f"{o['status']}: {o.get('step', 'statement')}" + (f" {o['table']}" if o["table"] else "")
                        + (f": {o['error']}" if o.get("error") else ""), "31;1", color))
        lines.append("  " + o["sql"].replace("\n", "\n  ") + ";")
    for o in doc["applied"]:
        if o["status"] == "not run":
            lines.append(f"not run: {o['sql'].splitlines()[0]}" + (" …" if "\n" in o["sql"] else ""))
    lines += [f"note: {note}" for note in doc.get("run_notes", [])]
    lines += [_c(f"WARNING: constraint missing: {m}", "31;1", color) for m in doc.get("missing_constraints", [])]
    return "\n".join(lines)


# --------------------------------------------------------------------------
# reporters
# --------------------------------------------------------------------------

class Reporter:
    """Shows one command's progress and result in the text format; the other formats override.

    The command calls ``plan_ready`` before an apply sends its first statement and ``progress``
    for each statement; the CLI calls ``finished`` with the result, or ``failed`` with an error
    that ended the command before it had a result.
    """

    format = "text"
    live_digest = False  # whether the format shows the live schema's digest (document's live_sha256)

    def __init__(self, command: str, *, color: bool = False, out: TextIO | None = None, err: TextIO | None = None):
        self.command = command
        self.color = color
        self._out = out
        self._err = err

    @property
    def out(self) -> TextIO:
        return self._out or sys.stdout

    @property
    def err(self) -> TextIO:
        return self._err or sys.stderr

    def render(self, doc: dict) -> str:
        return text(doc, self.color)

    def plan_ready(self, result: Result) -> None:
        emit(self.render(document(result, live_digest=self.live_digest)), self.out)
        emit("", self.out)

    def progress(self, total: int) -> Callable[[int, Outcome, str], None] | None:
        def show(k: int, outcome: Outcome, phase: str) -> None:
            st = outcome.statement
            if phase == "start":
                how = online_ddl.cost(st.prediction, st.size, st.via)
                emit(f"-- running [{k + 1}/{total}] {st.step}" + (f": {st.table}" if st.table else "")
                     + (f" (attempt {outcome.attempts})" if outcome.attempts > 1 else "")
                     + (f" — {how}" if how else ""), self.out)
            elif outcome.status == "applied":
                emit(f"-- ok [{k + 1}/{total}]" + _took(outcome, "in")
                     + (" (checked on the server)" if outcome.checked else ""), self.out)
            elif outcome.status != "not run":
                emit(f"-- {outcome.status.upper()} [{k + 1}/{total}]" + _took(outcome, "after")
                     + (f": {outcome.error}" if outcome.error else ""), self.out)
        return show

    def note(self, text: str) -> None:
        """What the run noticed while it ran (lock waits and who blocks, the wrapper's progress):
        beside the progress lines; on standard error where standard output is the report only."""
        emit(text, self.out if self.format in ("text", "markdown") else self.err)

    def finished(self, result: Result) -> None:
        doc = document(result, live_digest=self.live_digest)
        if said := warnings_text(doc):
            emit(said, self.err)
        if not result.applying:  # the plan, as it stands now (also when it is not the reviewed one)
            emit(self.render(doc), self.out)
            if result.error is None and result.context.command == "apply" and result.plan.refused:
                emit("apply refused: nothing was applied", self.err)
        elif result.exit_code != 0:
            emit(outcomes_text(doc, self.color), self.err)
        else:
            outcomes = result.outcomes or []
            timed = "" if any(o.seconds is None for o in outcomes) else \
                f" in {sum(o.seconds for o in outcomes):.2f}s"  # no total that would time a secret table
            emit(f"done: {len(outcomes)} statement(s){timed}; the database matches {result.context.schema_file}",
                 self.out)
            for note in doc.get("run_notes", []):
                emit(f"note: {note}", self.err)
        if result.error is not None:
            self.failed(result.error)

    def failed(self, error: SchemaApplyError) -> None:
        emit(f"error: {error}", self.err)
        if error.hint:
            emit(f"hint: {error.hint}", self.err)


def _took(outcome: Outcome, word: str) -> str:
    return "" if outcome.seconds is None else f" {word} {outcome.seconds:.3f}s"


class MarkdownReporter(Reporter):
    format = "markdown"
    live_digest = True

    def render(self, doc: dict) -> str:
        return markdown(doc)


class SqlReporter(Reporter):
    """The DDL only: the plan's statements, or those an apply ran."""

    format = "sql"

    def render(self, doc: dict) -> str:
        return sql(doc)

    def plan_ready(self, result: Result) -> None:
        pass

    def progress(self, total: int) -> None:
        return None

    def finished(self, result: Result) -> None:
        if result.applying and result.exit_code == 0:
            emit("\n".join(script([o.statement.sql for o in result.outcomes or []])), self.out)
            if said := warnings_text(document(result, live_digest=False)):
                emit(said, self.err)
            return
        super().finished(result)


class JsonReporter(Reporter):
    """One JSON document on standard output, whatever happened; errors also on standard error."""

    format = "json"
    live_digest = True

    def render(self, doc: dict) -> str:
        return as_json(doc)

    def plan_ready(self, result: Result) -> None:
        pass

    def progress(self, total: int) -> None:
        return None

    def finished(self, result: Result) -> None:
        doc = document(result, live_digest=self.live_digest)
        emit(as_json(doc), self.out)
        if said := warnings_text(doc):
            emit(said, self.err)
        if result.error is not None:
            super().failed(result.error)

    def failed(self, error: SchemaApplyError) -> None:
        emit(as_json(error_document(self.command, error)), self.out)
        super().failed(error)


REPORTERS: dict[str, type[Reporter]] = {r.format: r for r in (Reporter, MarkdownReporter, SqlReporter, JsonReporter)}


def reporter(fmt: str, command: str, *, color: bool = False) -> Reporter:
    return REPORTERS[fmt](command, color=color)


def render(doc: dict, fmt: str, *, color: bool = False) -> str:
    """A saved document (``plan --out``) in ``fmt``."""
    return REPORTERS[fmt]("show", color=color).render(doc)
