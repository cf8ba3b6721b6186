"""The grammar table (tests/data/grammar.yaml): every clause and option of CREATE TABLE, CREATE INDEX,
ALTER TABLE … ADD and CREATE VIEW in the MySQL 8.4 and MariaDB 11 manuals is either read by the
Schemafile parser — and, where MariaDB accepts it, read exactly as the server stores it — or refused
with a clear "not supported" error naming the file, the line and the object. Never a confusing
parse error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from schema_apply.errors import ParseError, UnsupportedError
from schema_apply.parse.schemafile import parse_text

from test_oracle import check_oracle

ENTRIES = yaml.safe_load((Path(__file__).parent / "data" / "grammar.yaml").read_text(encoding="utf-8"))
PARSED = [pytest.param(e, id=e["clause"]) for e in ENTRIES if not e.get("unsupported") and not e.get("error")]
REFUSED = [pytest.param(e, id=e["clause"]) for e in ENTRIES if e.get("unsupported") or e.get("error")]


def test_table_is_well_formed():
    keys = {"clause", "manual", "sql", "unsupported", "error", "mariadb"}
    clauses = [e["clause"] for e in ENTRIES]
    assert len(clauses) == len(set(clauses)), "each clause once"
    for entry in ENTRIES:
        assert set(entry) <= keys and "sql" in entry, entry
        assert entry.get("manual", "both") in ("both", "mysql-8.4", "mariadb-11"), entry
        assert entry.get("mariadb", "accepts") in ("accepts", "rejects"), entry


@pytest.mark.parametrize("entry", PARSED)
def test_parsed(entry):
    schema = parse_text(entry["sql"], "Schemafile.sql").schema
    assert schema.tables


@pytest.mark.server
@pytest.mark.parametrize("entry", [p for p in PARSED if p.values[0].get("mariadb") != "rejects"])
def test_parsed_as_the_server_stores_it(server, databases, entry):
    outcome = check_oracle(server, databases, lambda db: entry["sql"])
    assert outcome == "equal", outcome


@pytest.mark.server
@pytest.mark.parametrize("entry", [p for p in PARSED if p.values[0].get("mariadb") == "rejects"])
def test_mysql_only_clauses_are_rejected_by_mariadb(server, databases, entry):
    """The table says MariaDB rejects these: keep that true (else they belong to the oracle test)."""
    outcome = check_oracle(server, databases, lambda db: entry["sql"])
    assert outcome.startswith("server rejects"), outcome


@pytest.mark.parametrize("entry", REFUSED)
def test_refused_clearly(entry):
    with pytest.raises(ParseError) as info:
        parse_text(entry["sql"], "Schemafile.sql")
    message = str(info.value)
    assert message.startswith("Schemafile.sql:"), message
    assert info.value.line, message
    if entry.get("unsupported"):
        assert isinstance(info.value, UnsupportedError), message
        assert f"{entry['unsupported']}" in message and "not supported" in message, message
        assert info.value.obj, f"names no object: {message}"
    else:
        assert entry["error"] in message, message
