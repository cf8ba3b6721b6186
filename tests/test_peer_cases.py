"""A fast subset of sqldef's corpus (tests/peer_cases), run the way converge.py runs it:
build ``current`` in one database and ``desired`` in another, apply the desired Schemafile to
the first with --allow-drop, and require the same SHOW CREATE TABLE text (and views) in both,
then a clean second plan. The whole corpus runs with ../shared/tools/converge.py (README)."""

from __future__ import annotations

import pytest

from conftest import show_create
from peer import load, skip_reason
from test_cases import views

SUBSET = {
    # tables and columns
    "CreateTable", "DropTable", "AddColumn", "ChangeColumn", "RenameColumn", "ColumnsOrder",
    "TableWithCommentAndDefaults", "CreateTableAddAutoIncrementPrimaryKeyMariaDB",
    # types and defaults
    "DecimalDefault", "NegativeDefaultNumbers", "EnumValues", "CurrentTimestampWithPrecision",
    "AddDefaultExpressionMariaDB", "DefaultString",
    # indexes
    "AddIndex", "ChangeIndexColumns", "AddIndexWithKeyLength", "AddConstraintUnique", "CreateTableChangeUniqueColumn",
    "FulltextIndexBasic",
    # constraints and foreign keys
    "AddForeignKeyWithAlter", "DropForeignKey", "ForeignKeyDependenciesPrimaryKeyChange",
    "ForeignKeyDependenciesCircular", "ModifyUnnamedForeignKey", "CheckInClauseNormalization",
    "CheckTableLevelToColumnLevel", "ModifyCheckConstraintMariaDB",
    # generated columns, partitions, views
    "ChangeGenerateColumnVirtualToStored", "PartitionByRangeWithToDays", "PartitionByRangeColumns", "PartitionByHash",
    "View", "ViewUpdate",
}
CASES = [pytest.param(c, id=c.id) for c in load() if c.name in SUBSET]


def test_subset_is_present():
    assert len(CASES) >= 25, sorted(SUBSET - {p.values[0].name for p in CASES})


@pytest.mark.server
@pytest.mark.parametrize("case", CASES)
def test_peer_case_converges(server, databases, cli, tmp_path, case):
    reason = skip_reason(case, "mariadb" if server.is_mariadb else "mysql", server.version.split("-")[0])
    assert reason is None, f"case selected for this server but not applicable: {reason}"
    target = databases.new(prefix="sa_peer_t")
    oracle = databases.new(prefix="sa_peer_o")
    from conftest import load_sql
    load_sql(server, target, case.sql("current", target))
    load_sql(server, oracle, case.sql("desired", oracle))
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(case.sql("desired", target), encoding="utf-8")
    args = ["--schema-file", str(schemafile), "--database-url", server.url(target)]
    applied = cli("apply", "--allow-drop", *args)
    assert applied.exit_code == 0, applied.output
    assert show_create(server, target) == show_create(server, oracle)
    assert views(server, target) == views(server, oracle)
    again = cli("plan", *args)
    assert again.exit_code == 0, again.output
