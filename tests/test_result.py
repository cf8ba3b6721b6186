"""The result object's exit code (the only rule), the reporters, the schema fingerprint and the
drop approvals, without a server."""

from __future__ import annotations

import io
import json

import pytest

from schema_apply.approvals import DropApprovals
from schema_apply.errors import (EXIT_BUSY, EXIT_ERROR, EXIT_OK, EXIT_PENDING, EXIT_REFUSED, EXIT_STALE,
                                 LockTimeout, StalePlan, StatementFailed, UsageError, VerifyFailed)
from schema_apply.fingerprint import schema_digest
from schema_apply.flavor import Flavor
from schema_apply.normalize import normalize
from schema_apply.parse.schemafile import parse_text
from schema_apply.plan import build_plan
from schema_apply.report import REPORTERS, document
from schema_apply.result import Context, Outcome, Result

FLAVOR = Flavor.offline("mysql-8.0")


def model(sql: str):
    return normalize(parse_text(sql).schema, FLAVOR)


def plan_of(current: str, desired: str, allow_drop=False):
    return build_plan(model(current), model(desired), FLAVOR, allow_drop=allow_drop)


T1 = "CREATE TABLE t (id int PRIMARY KEY);"
T2 = "CREATE TABLE t (id int PRIMARY KEY, c int);"
T_AND_OLD = T1 + "CREATE TABLE old (id int);"


def ctx(command: str) -> Context:
    return Context(command=command, database="app", server="mysql-8.0 (offline)", schema_file="Schemafile.sql")


def outcomes(plan, *statuses):
    return [Outcome(st, status) for st, status in zip(plan.statements, statuses)]


@pytest.mark.parametrize("command, current, desired, ran, error, expected", [
    ("plan", T1, T1, None, None, EXIT_OK),
    ("plan", T1, T2, None, None, EXIT_PENDING),
    ("plan", T_AND_OLD, T2, None, None, EXIT_REFUSED),
    ("diff", T1, T2, None, None, EXIT_PENDING),
    ("apply", T1, T1, None, None, EXIT_OK),  # in sync: nothing sent
    ("apply", T_AND_OLD, T2, None, None, EXIT_REFUSED),
    ("apply", T1, T2, ("applied",), None, EXIT_OK),
    ("apply", T1, T2, ("failed",), None, EXIT_ERROR),
    ("apply", T1, T2, ("unknown",), None, EXIT_ERROR),
    ("apply", T1, T2, ("failed",), StatementFailed("statement 1 of 1 failed"), EXIT_ERROR),
    ("apply", T1, T2, ("applied",), VerifyFailed("still differs"), EXIT_ERROR),
    ("apply", T1, T2, None, StalePlan("changed"), EXIT_STALE),
    ("apply", T1, T2, None, LockTimeout("busy"), EXIT_BUSY),
])
def test_exit_code_is_one_rule(command, current, desired, ran, error, expected):
    plan = plan_of(current, desired)
    result = Result(ctx(command), plan, outcomes(plan, *ran) if ran else None, error)
    assert result.exit_code == expected
    assert document(result)["exit_code"] == expected


def render(fmt: str, result: Result) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    REPORTERS[fmt](result.context.command, out=out, err=err).finished(result)
    return out.getvalue(), err.getvalue()


def test_every_format_reports_a_failed_apply():
    plan = plan_of(T1, T2)
    error = StatementFailed("statement 1 of 1 failed on t: (1062) Duplicate entry '<redacted>'")
    result = Result(ctx("apply"), plan, outcomes(plan, "failed"), error)
    for fmt in REPORTERS:
        out, err = render(fmt, result)
        assert f"error: {error}" in err, fmt
    doc = json.loads(render("json", result)[0])
    assert doc["error"] == str(error) and doc["applied"][0]["status"] == "failed" and doc["exit_code"] == 1


def test_json_reporter_prints_a_document_for_an_error_without_a_plan():
    out, err = io.StringIO(), io.StringIO()
    REPORTERS["json"]("apply", out=out, err=err).failed(LockTimeout("another run holds the lock", hint="wait"))
    assert json.loads(out.getvalue()) == {"format": 1, "command": "apply", "error": "another run holds the lock",
                                          "hint": "wait", "exit_code": 4}
    assert "error: another run holds the lock" in err.getvalue()


def test_a_refused_apply_says_nothing_was_applied():
    plan = plan_of(T_AND_OLD, T2)
    out, err = render("text", Result(ctx("apply"), plan))
    assert "refused by policy" in out and "apply refused: nothing was applied" in err


# --- the fingerprint ------------------------------------------------------------------------------

def test_fingerprint_is_deterministic_and_ignores_what_the_diff_ignores():
    a = model("CREATE TABLE b (id int);\nCREATE TABLE a (id int, KEY k (id));")
    b = model("\n\n-- other lines\nCREATE TABLE a (id int, KEY k (id)); CREATE TABLE b (id int);")
    assert a == b and schema_digest(a) == schema_digest(b)  # source lines and order do not count
    c = model("CREATE TABLE b (id int);\nCREATE TABLE a (id int, KEY k2 (id));")
    assert schema_digest(c) != schema_digest(a)
    assert len(schema_digest(a)) == 64


# --- drop approvals -------------------------------------------------------------------------------

def test_approvals_parse():
    assert DropApprovals.parse(("*",)) == DropApprovals(everything=True)
    assert DropApprovals.parse(()) == DropApprovals() and not DropApprovals.parse(())
    assert DropApprovals.parse(("table:a, column:t.c", "table:a")).named == (("table", "a"), ("column", "t.c"))
    with pytest.raises(UsageError):
        DropApprovals.parse(("index:t.k",))


def test_approvals_follow_lower_case_table_names():
    from schema_apply.changes import DropTable
    change = DropTable("Old", model("CREATE TABLE Old (id int);").tables[0])
    approvals = DropApprovals.parse(("table:old",))
    assert not approvals.permits(change, lower_case_table_names=0)
    assert approvals.permits(change, lower_case_table_names=1)
    assert approvals.unused([change]) == ["table:old"]
