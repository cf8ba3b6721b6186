"""Golden cases (tests/cases/*.yaml), each against the real server.

Apply ``current``; plan ``desired`` and compare the DDL with ``ddl``; apply; require the
server's result to equal the desired schema — the same SHOW CREATE TABLE as a fresh database
built from ``desired`` — and a second plan to find nothing. A refused case (exit 3) must leave
the database exactly as it was.
"""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import CASES_DIR, show_create

CASES = []
for path in sorted(CASES_DIR.glob("*.yaml")):
    for name, data in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
        CASES.append(pytest.param(data, id=f"{path.stem}:{name}"))


# The online-DDL clause each ALTER carries (ALGORITHM=…, LOCK=…) is checked by tests/test_online.py
# against the server, change kind by change kind; the golden DDL leaves it out.
_ONLINE_CLAUSE = re.compile(r"(?:,\n  |, )ALGORITHM=[A-Z]+(?:, LOCK=[A-Z]+)?(?=;$|\n  (?:PARTITION BY|REMOVE PARTITIONING))"
                            r"|(?<=`) ALGORITHM=[A-Z]+(?:, LOCK=[A-Z]+)?(?= (?:PARTITION BY|REMOVE PARTITIONING))", re.M)


def plan_ddl(output: str) -> str:
    """The statements of ``plan --format sql`` (comment lines and the online-DDL clause dropped)."""
    text = "\n".join(line for line in output.splitlines() if not line.startswith("-- ")).strip()
    return _ONLINE_CLAUSE.sub("", text)


def views(server, database) -> dict[str, str]:
    conn = server.connect(database)
    with conn.cursor() as cur:
        cur.execute("SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE FROM information_schema.VIEWS"
                    " WHERE TABLE_SCHEMA = %s", (database,))
        out = {name: (definition.replace(f"`{database}`.", ""), check, security)
               for name, definition, check, security in cur.fetchall()}
    conn.close()
    return out


_KEYS = ("KEY ", "UNIQUE KEY ", "FULLTEXT KEY ", "SPATIAL KEY ", "CONSTRAINT ")


def by_definition(tables: dict[str, str]) -> dict[str, str]:
    """SHOW CREATE TABLE texts with keys and constraints in name order (an index added by ALTER comes
    last; the order of keys is no change) and without the foreign key names the server numbers
    (``t_ibfk_N``): such keys are matched by definition, and one the tool adds gets a number no live
    key has."""
    out = {}
    for name, text in tables.items():
        lines = text.split("\n")
        keys = sorted(re.sub(r"CONSTRAINT `[^`]*_ibfk_\d+` ", "CONSTRAINT ", line.strip().rstrip(","))
                      for line in lines if line.strip().startswith(_KEYS))
        out[name] = "\n".join([line for line in lines if not line.strip().startswith(_KEYS)] + keys)
    return out


def assert_one_alter_per_table(ddl: str) -> None:
    """Each table is altered once (README: one ALTER TABLE per table), but for the DROP FOREIGN KEY
    that must go first when a key is re-created under its name or is in another statement's way,
    and the ADD FOREIGN KEY that must come after it when the key's parent is the table itself and
    that ALTER changes the referenced columns (plan.py, step 7)."""
    alters: dict[str, list[str]] = {}
    for statement in ddl.split(";\n"):
        m = re.match(r"ALTER TABLE `((?:[^`]|``)+)`\s*(.*)", statement.strip(), re.S)
        if m:
            alters.setdefault(m.group(1), []).append(m.group(2))
    for table, bodies in alters.items():
        first_only_drops_keys = len(bodies) > 1 and all(
            clause.strip().startswith("DROP FOREIGN KEY") for clause in bodies[0].split(",\n"))
        rest = bodies[1:] if first_only_drops_keys else bodies
        own = f"REFERENCES `{table}` ("
        if len(rest) == 2 and all(clause.strip().startswith("ADD CONSTRAINT") and own in clause
                                  for clause in rest[1].split(",\n")):
            rest = rest[:1]
        assert len(rest) == 1, f"table {table} is altered {len(bodies)} times:\n{ddl}"


def programs(server, database) -> dict[str, tuple]:
    """Triggers, routines and events as the server keeps them (definers and creation times left out)."""
    conn = server.connect(database)
    out = {}
    with conn.cursor() as cur:
        cur.execute("SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER,"
                    " ACTION_STATEMENT, SQL_MODE FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = %s",
                    (database,))
        out.update({f"trigger {row[0]}": row[1:] for row in cur.fetchall()})
        cur.execute("SELECT ROUTINE_TYPE, ROUTINE_NAME, ROUTINE_DEFINITION, DTD_IDENTIFIER, IS_DETERMINISTIC,"
                    " SQL_DATA_ACCESS, SECURITY_TYPE, ROUTINE_COMMENT, SQL_MODE FROM information_schema.ROUTINES"
                    " WHERE ROUTINE_SCHEMA = %s", (database,))
        out.update({f"{row[0]} {row[1]}": row[2:] for row in cur.fetchall()})
        cur.execute("SELECT SPECIFIC_NAME, ORDINAL_POSITION, PARAMETER_MODE, PARAMETER_NAME, DTD_IDENTIFIER,"
                    " CHARACTER_SET_NAME FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = %s", (database,))
        out.update({f"parameter {row[0]} {row[1]}": row[2:] for row in cur.fetchall()})
        cur.execute("SELECT EVENT_NAME, EVENT_DEFINITION, EVENT_TYPE, EXECUTE_AT, INTERVAL_VALUE, INTERVAL_FIELD,"
                    " ENDS, STATUS, ON_COMPLETION, EVENT_COMMENT, SQL_MODE FROM information_schema.EVENTS"
                    " WHERE EVENT_SCHEMA = %s", (database,))
        out.update({f"event {row[0]}": row[1:] for row in cur.fetchall()})
    conn.close()
    return out


@pytest.mark.server
@pytest.mark.parametrize("case", CASES)
def test_golden_case(server, databases, cli, tmp_path, case):
    db = databases.new(case["current"])
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(case["desired"], encoding="utf-8")
    args = ["--schema-file", str(schemafile), "--database-url", server.url(db)]
    if case.get("allow_drop"):
        args.append("--allow-drop")
    if case.get("allow_secret_dependent"):
        args.append("--allow-secret-dependent")
    expected_exit = case.get("exit", 2)

    plan = cli("plan", "--format", "sql", *args)
    assert plan.exit_code == expected_exit, plan.output
    assert plan_ddl(plan.stdout) == (case.get("ddl") or "").strip(), plan.stdout
    assert_one_alter_per_table(plan_ddl(plan.stdout))

    before = show_create(server, db), programs(server, db)
    applied = cli("apply", *args)
    if expected_exit == 3:
        assert applied.exit_code == 3, applied.output
        assert (show_create(server, db), programs(server, db)) == before, "a refused apply changed the database"
        return
    assert applied.exit_code == 0, applied.output
    assert "warning: the server" not in applied.stderr, applied.stderr  # a note means the model missed something
    if expected_exit == 0:
        # in sync by meaning (key order, unnamed keys, spelling): nothing may run
        assert "in sync" in applied.stdout and (show_create(server, db), programs(server, db)) == before
        return

    oracle = databases.new(case["desired"])
    assert by_definition(show_create(server, db)) == by_definition(show_create(server, oracle))
    if case.get("strict"):  # the very text loading the Schemafile gives, the names the server made up included
        assert show_create(server, db) == show_create(server, oracle)
    assert views(server, db) == views(server, oracle)
    assert programs(server, db) == programs(server, oracle)
    again = cli("plan", *args)
    assert again.exit_code == 0, again.output
    assert "in sync" in again.stdout


def test_case_files_are_well_formed():
    keys = {"current", "desired", "ddl", "exit", "allow_drop", "allow_secret_dependent", "strict"}
    for param in CASES:
        case = param.values[0]
        assert set(case) <= keys, (param.id, set(case) - keys)
        assert case.get("exit", 2) in (0, 2, 3)
        assert (case.get("exit", 2) == 0) == (not (case.get("ddl") or "").strip()) or case.get("exit") == 3, param.id
        assert re.search(r"CREATE\s+TABLE", case["desired"], re.I), param.id
