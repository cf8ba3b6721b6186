"""Online-DDL predictions and the ALGORITHM=/LOCK= clause.

The server is the oracle: every case of ``tests/data/online_ddl.yaml`` is planned against the real
MariaDB, each ALTER TABLE must run with the clause it was given, and — so that a prediction is not
pessimistic — the next stronger clause must be refused (1845/1846). MySQL predictions follow the
manual (cited in ``schema_apply/online.py``); they are pinned here by unit tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import pymysql
import pytest
import yaml

from conftest import ROOT, guarded
from schema_apply import changes as change_kinds
from schema_apply import online, render_ddl
from schema_apply.flavor import Flavor, normalize
from schema_apply.introspect import detect_flavor, introspect
from schema_apply.parse.schemafile import parse_text
from schema_apply.plan import build_plan

CASES = yaml.safe_load((ROOT / "tests" / "data" / "online_ddl.yaml").read_text(encoding="utf-8"))
ER_ALTER_OPERATION_NOT_SUPPORTED = (1845, 1846)


def _desired(sql: str, flavor: Flavor, db: str):
    return normalize(parse_text(sql, "Schemafile.sql", flavor.server).schema, flavor, database=db)


def _with_clause(sql: str, table: str, clause: str, instead: str) -> str:
    """``sql`` with ``instead`` where ``clause`` was."""
    if clause:
        bare = sql.replace(f",\n  {clause}", "").replace(f", {clause}", "").replace(f" {clause} ", " ")
        assert bare != sql, sql
        sql = bare
    return render_ddl.append_clause(sql, table, instead)


def _stronger(p: online.Prediction) -> str | None:
    """The next stronger clause, which the server must refuse if the prediction is exact."""
    if p.lock:
        return f"ALGORITHM={'NOCOPY' if p.level == online.Level.INPLACE else 'INPLACE'}, LOCK=NONE"
    return {online.Level.INSTANT: None, online.Level.INPLACE: "ALGORITHM=INSTANT",
            online.Level.REBUILD: "ALGORITHM=NOCOPY", online.Level.COPY: "ALGORITHM=INPLACE"}[p.level]


def _run(conn: pymysql.connections.Connection, sql: str) -> int | None:
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    except pymysql.err.MySQLError as exc:
        return exc.args[0]
    return None


@pytest.mark.server
@pytest.mark.parametrize("name", sorted(CASES))
def test_prediction_is_what_the_server_does(server, databases, name):
    case = CASES[name]
    db = databases.new(case["current"])
    with guarded(server, db) as conn:
        flavor, _ = detect_flavor(conn, db)
        live = introspect(conn, db, flavor)
    plan = build_plan(live.schema, _desired(case["desired"], flavor, db), flavor,
                      allow_drop=bool(case.get("allow_drop")))
    assert not plan.refused, plan.refused
    alters = [st for st in plan.statements if online.is_alter(st.sql)]
    assert [st.prediction.label for st in alters] == case["expect"].split("; "), [st.sql for st in alters]
    raw = server.connect(db)
    try:
        for st in plan.statements:
            clause = online.clause(st.prediction, flavor)
            stronger = _stronger(st.prediction) if online.is_alter(st.sql) else None
            if stronger and not st.prediction.validates:  # a validating COPY is chosen for its check
                code = _run(raw, _with_clause(st.sql, st.table, clause, stronger))
                assert code in ER_ALTER_OPERATION_NOT_SUPPORTED, \
                    f"{stronger} was not refused ({code}): the prediction {st.prediction.label!r} is pessimistic\n{st.sql}"
            assert _run(raw, st.sql) is None, f"the server refused the predicted clause:\n{st.sql}"
    finally:
        raw.close()
    with guarded(server, db) as conn:
        after = introspect(conn, db, flavor)
    again = build_plan(after.schema, _desired(case["desired"], flavor, db), flavor, allow_drop=True)
    assert not again.changes, [c.describe() for c in again.changes]


ALTER_KINDS = {change_kinds.AddColumn, change_kinds.DropColumn, change_kinds.ModifyColumn, change_kinds.AddIndex,
               change_kinds.DropIndex, change_kinds.RenameIndex, change_kinds.ChangeIndexVisibility,
               change_kinds.AddForeignKey, change_kinds.DropForeignKey, change_kinds.AddCheck,
               change_kinds.DropCheck, change_kinds.ChangeTableOptions, change_kinds.ChangePartitioning}


def test_the_cases_hold_every_change_kind_of_an_alter():
    """Every Change subclass is either one an ALTER TABLE holds (and then a case exercises it on the
    server) or a statement of its own (CREATE/DROP/RENAME …, which copy no rows)."""
    flavor = Flavor.offline("mariadb-10.11")
    seen = set()
    for case in CASES.values():
        plan = build_plan(_desired(case["current"], flavor, "db"), _desired(case["desired"], flavor, "db"), flavor,
                          allow_drop=True)
        for st in plan.statements:
            if online.is_alter(st.sql):
                seen |= {type(c) for c in st.changes}
    assert ALTER_KINDS <= seen, ALTER_KINDS - seen
    all_kinds = {k for k in vars(change_kinds).values()
                 if isinstance(k, type) and issubclass(k, change_kinds.Change) and k is not change_kinds.Change}
    standalone = all_kinds - ALTER_KINDS
    assert standalone == {change_kinds.CreateTable, change_kinds.DropTable, change_kinds.RenameTable,
                          change_kinds.CreateView, change_kinds.DropView}, standalone
