"""The server is the oracle.

For every schema in tests/cases/ (both sides) and the ``desired`` side of every sqldef case
(tests/peer_cases/) that applies to this server: load the SQL into a fresh database with the
server, introspect it, parse the same SQL, and require the two models to be equal (and the
COLUMNS read's JSON chunks, which introspection read, to give exactly its rows). Then the
export round trip: ``export`` of that database parsed back gives the same model, and loading
the export into another fresh database gives the same SHOW CREATE TABLE for every table.

A case whose SQL the server itself rejects (e.g. MySQL-only syntax on MariaDB) is not
applicable: the test asserts that the server rejects it. Triggers, routines and events are
part of the model like tables and views: parsed, read back and exported alike.
"""

from __future__ import annotations

import pymysql
import pytest
import yaml

from schema_apply.normalize import normalize
from schema_apply.errors import UnsupportedError
from schema_apply.export import schemafile
from schema_apply.introspect import introspect
from schema_apply.model import differences

from bulk_reads import assert_json_chunks_equal_rows
from conftest import CASES_DIR, guarded, load_sql, show_create
from peer import load as load_peer_cases
from peer import skip_reason


def _own_schemas():
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for name, case in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            for side in ("current", "desired"):
                if (case.get(side) or "").strip():
                    out.append(pytest.param(case[side], id=f"{path.stem}:{name}:{side}"))
    return out


def _peer_schemas():
    out = []
    for case in load_peer_cases():
        if skip_reason(case, "mariadb", "10.11") is None or skip_reason(case, "mysql", "8.0") is None:
            out.append(pytest.param(case, id=case.id))
    return out


def check_oracle(server, databases, sql_for) -> str:
    """Load, introspect, parse, compare; then the export round trip. Returns the outcome.
    ``sql_for(database)`` gives the schema's SQL (some cases name their database)."""
    db = databases.new()
    sql = sql_for(db)
    try:
        load_sql(server, db, sql)
    except pymysql.err.MySQLError as exc:
        return f"server rejects the case's SQL: {exc.args[0]}"
    with guarded(server, db) as conn:  # the real, guarded connection
        live = introspect(conn, db)
        if live.flavor.json_chunks_match_rows:  # introspection read COLUMNS as JSON chunks: they give exactly the rows
            assert_json_chunks_equal_rows(conn, db, live.flavor)
    flavor = live.flavor
    from schema_apply.parse.schemafile import parse_text
    try:
        parsed = parse_text(sql, "case.sql", flavor.server)
    except UnsupportedError as exc:
        assert "not supported" in str(exc) and "case.sql:" in str(exc)
        return "unsupported (clear error)"
    declared = normalize(parsed.schema, flavor, database=db)
    diffs = differences(declared, live.schema)
    assert declared == live.schema, "\n".join(diffs)

    # export round trip
    exported = schemafile(live.schema, flavor, database=db)
    again = normalize(parse_text(exported, "export.sql", flavor.server).schema, flavor, database=db)
    assert again == live.schema, "\n".join(differences(again, live.schema))
    copy = databases.new()
    load_sql(server, copy, exported)
    assert _without_using(show_create(server, copy)) == _without_using(show_create(server, db))
    return "equal"


def _without_using(tables: dict[str, str]) -> dict[str, str]:
    """Spellings that change nothing and that information_schema does not show, so an export cannot
    reproduce them (README: known limits): an explicit USING BTREE/HASH on an InnoDB key, the
    default USING HASH on a MEMORY key, Aria's default TRANSACTIONAL=1 written out."""
    import re
    out = {}
    for name, text in tables.items():
        if "ENGINE=InnoDB" in text:
            text = re.sub(r" USING (BTREE|HASH)", "", text)
        elif "ENGINE=MEMORY" in text:
            text = text.replace(" USING HASH", "")
        elif "ENGINE=Aria" in text and "ROW_FORMAT=" not in text.replace("ROW_FORMAT=PAGE", ""):
            text = text.replace(" TRANSACTIONAL=1", "")
        out[name] = text
    return out


@pytest.mark.server
@pytest.mark.parametrize("sql", _own_schemas())
def test_own_cases(server, databases, sql):
    assert check_oracle(server, databases, lambda db: sql) == "equal"


@pytest.mark.server
@pytest.mark.parametrize("case", _peer_schemas())
def test_peer_cases(server, databases, case):
    if not case.sql("desired", "x").strip():
        return  # an empty desired schema: nothing to compare (the plan tests cover it)
    outcome = check_oracle(server, databases, lambda db: case.sql("desired", db))
    assert outcome in ("equal", "unsupported (clear error)") or outcome.startswith("server rejects")


@pytest.mark.server
def test_a_named_character_set_takes_its_own_default_collation(server, databases):
    """Only what is not declared is inherited: in a database whose default collation is not its
    character set's default, a table, a column and a routine parameter that name that character
    set without a collation get the character set's default collation (the server's rule)."""
    db = databases.new()
    conn = server.connect()
    with conn.cursor() as cur:
        cur.execute(f"ALTER DATABASE `{db}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    conn.close()
    sql = """
        CREATE TABLE inherits (a varchar(5), b varchar(5) CHARACTER SET utf8mb4);
        CREATE TABLE named (a varchar(5), b varchar(5) CHARSET utf8mb4 COLLATE utf8mb4_bin) DEFAULT CHARSET=utf8mb4;
        CREATE TABLE bin (a varchar(5), b text CHARACTER SET utf8mb4) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
        CREATE PROCEDURE p(x varchar(5) CHARSET utf8mb4, y varchar(5)) SELECT 1;
    """
    load_sql(server, db, sql)
    with guarded(server, db) as conn:
        live = introspect(conn, db)
    from schema_apply.parse.schemafile import parse_text
    declared = normalize(parse_text(sql, "case.sql", live.flavor.server).schema, live.flavor, database=db)
    assert declared == live.schema, "\n".join(differences(declared, live.schema))
    tables = {t.name: t for t in live.schema.tables}
    assert tables["inherits"].options.collation == "utf8mb4_unicode_ci"
    assert [c.collation for c in tables["inherits"].columns] == ["utf8mb4_unicode_ci", "utf8mb4_general_ci"]
    assert tables["named"].options.collation == "utf8mb4_general_ci"
    assert [c.collation for c in tables["bin"].columns] == ["utf8mb4_bin", "utf8mb4_general_ci"]
