"""Property tests: random pairs of schemas, applied on the real server.

For a random current schema A and a random desired schema B (drawn from shared table and column
names, so B alters A's tables rather than replacing them): load A, apply B with --allow-drop,
and require convergence — the model read back equals B's — and idempotence — a second plan
finds nothing.
"""

from __future__ import annotations

import os
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schema_apply.normalize import normalize
from schema_apply.introspect import introspect
from schema_apply.parse.schemafile import parse_text

from conftest import guarded

TYPES = {
    "int": ["0", "7", "-3"],
    "bigint unsigned": ["0", "42"],
    "tinyint(1)": ["0", "1"],
    "smallint": ["5"],
    "decimal(10,2)": ["'1.50'", "0"],
    "varchar(20)": ["''", "'abc'", "'it''s'"],
    "varchar(100)": ["'x'"],
    "char(8)": ["'ab'"],
    "text": [],
    "date": ["'2020-01-02'"],
    "datetime(3)": ["CURRENT_TIMESTAMP(3)", "'2020-01-02 03:04:05.000'"],
    "enum('a','b','c')": ["'a'", "'c'"],
    "json": [],
    "double": ["0.5"],
}
INDEXABLE = [t for t in TYPES if t not in ("text", "json")]


NUMERIC = ("int", "bigint unsigned", "smallint", "decimal(10,2)", "double")


@st.composite
def column(draw, name):
    type_ = draw(st.sampled_from(sorted(TYPES)))
    parts = [f"`{name}`", type_]
    if type_ in NUMERIC and draw(st.integers(0, 5)) == 0:  # a generated column
        parts.append(f"AS (`id` * 2) {draw(st.sampled_from(['VIRTUAL', 'STORED']))}")
        return name, type_, " ".join(parts)
    nullable = draw(st.booleans())
    parts.append("NULL" if nullable else "NOT NULL")
    defaults = TYPES[type_]
    if defaults and draw(st.booleans()):
        parts.append("DEFAULT " + draw(st.sampled_from(defaults)))
    if draw(st.integers(0, 4)) == 0:
        parts.append("COMMENT " + draw(st.sampled_from(["'note'", "'ü'", "'a''b'"])))
    if type_ in NUMERIC and draw(st.integers(0, 4)) == 0:  # a column's own CHECK
        parts.append(f"CHECK (`{name}` {draw(st.sampled_from(['>= 0', '< 1000', '<> 7']))})")
    return name, type_, " ".join(parts)


@st.composite
def table(draw, name):
    names = draw(st.lists(st.sampled_from([f"c{k}" for k in range(6)]), min_size=1, max_size=5, unique=True))
    columns = [draw(column(n)) for n in names]
    lines = ["`id` int NOT NULL"] + [c[2] for c in columns]
    lines.append("PRIMARY KEY (`id`)")
    indexable = [c[0] for c in columns if c[1] in INDEXABLE]
    for k in range(draw(st.integers(0, 2))):
        if not indexable:
            break
        cols = draw(st.lists(st.sampled_from(indexable), min_size=1, max_size=2, unique=True))
        unique = draw(st.booleans())
        ignored = " IGNORED" if draw(st.integers(0, 5)) == 0 else ""
        lines.append(f"{'UNIQUE ' if unique else ''}KEY `ix_{name}_{k}` ({', '.join(f'`{c}`' for c in cols)}){ignored}")
    if draw(st.integers(0, 3)) == 0:  # a table-level CHECK, named or not
        label = draw(st.sampled_from(["", f"CONSTRAINT `ck_{name}` "]))
        lines.append(f"{label}CHECK (`id` {draw(st.sampled_from(['> 0', '<> 13']))})")
    options = draw(st.sampled_from(["", " COMMENT='t'", " DEFAULT CHARSET=latin1", " ROW_FORMAT=COMPACT"]))
    return f"CREATE TABLE `{name}` (\n  " + ",\n  ".join(lines) + f"\n){options};"


@st.composite
def schema(draw):
    names = draw(st.lists(st.sampled_from(["t0", "t1", "t2"]), min_size=1, max_size=3, unique=True))
    return "\n".join(draw(table(n)) for n in sorted(names))


def _model(server, db, sql, flavor):
    return normalize(parse_text(sql, "B.sql", flavor.server).schema, flavor, database=db)


def _comparable(schema, desired):
    """What must be equal: key order is the server's business (it sorts keys itself), and a
    name the server made up (an unnamed key or CHECK in the file) is matched by definition —
    a live object of the same definition may keep the name it has."""
    wanted = {t.name: t for t in desired.tables}
    tables = []
    for table in schema.tables:
        want = wanted.get(table.name, table)
        fields = {}
        for attr in ("indexes", "foreign_keys", "checks"):
            made_up = {replace(o, name="") for o in getattr(want, attr) if o.auto_named}
            objects = [replace(o, name="") if replace(o, name="") in made_up else o for o in getattr(table, attr)]
            fields[attr] = tuple(sorted(objects, key=repr))
        tables.append(replace(table, **fields))
    return replace(schema, tables=tuple(tables))


@pytest.mark.server
@settings(max_examples=int(os.environ.get("SCHEMA_APPLY_PROPERTY_EXAMPLES", "30")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(current=schema(), desired=schema())
def test_random_pairs_converge_and_are_idempotent(server, databases, cli, tmp_path_factory, current, desired):
    db = databases.new(current)
    f = tmp_path_factory.mktemp("prop") / "Schemafile.sql"
    f.write_text(desired, encoding="utf-8")
    args = ["--schema-file", str(f), "--database-url", server.url(db), "--allow-drop"]
    applied = cli("apply", *args)
    assert applied.exit_code == 0, f"{current}\n---\n{desired}\n---\n{applied.output}"
    with guarded(server, db) as conn:
        live = introspect(conn, db)
    want = _model(server, db, desired, live.flavor)
    assert _comparable(live.schema, want) == _comparable(want, want)
    again = cli("plan", *args)
    assert again.exit_code == 0, again.output
