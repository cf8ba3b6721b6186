"""MySQL 5.7 / 8.0 / 8.4: triggers, routines and events read from the rows MySQL's information_schema
returns (through the fake connection of ``test_mysql_rows``), equal to the same Schemafile parsed.

Where the row formats come from:

* [triggers]   dev.mysql.com/doc/refman/8.0/en/information-schema-triggers-table.html — the example
  row: ACTION_TIMING ``BEFORE``, EVENT_MANIPULATION ``INSERT``, ACTION_ORDER 1, ACTION_STATEMENT the
  body as written, SQL_MODE the session's, DEFINER ``me@localhost`` (unquoted), CHARACTER_SET_CLIENT
  ``utf8mb4``, COLLATION_CONNECTION ``utf8mb4_0900_ai_ci``.
* [routines]   …/information-schema-routines-table.html and …-parameters-table.html: ROUTINE_DEFINITION
  the body, IS_DETERMINISTIC ``YES``/``NO``, SQL_DATA_ACCESS, SECURITY_TYPE; PARAMETERS ORDINAL_POSITION
  0 is a function's return value (PARAMETER_MODE and PARAMETER_NAME NULL); DTD_IDENTIFIER the type as
  COLUMN_TYPE writes it (no integer display width from 8.0.19, as for columns) with the character set
  in CHARACTER_SET_NAME.
* [events]     …/information-schema-events-table.html: EVENT_TYPE ``RECURRING``/``ONE TIME``,
  INTERVAL_VALUE and INTERVAL_FIELD, STARTS (the creation time when not given), ENDS NULL,
  STATUS ``ENABLED``/``DISABLED``/``SLAVESIDE_DISABLED``, ON_COMPLETION ``[NOT] PRESERVE``, TIME_ZONE.
  A compound interval is rebuilt from the seconds the server keeps and quoted, as SHOW CREATE EVENT
  writes it (sql/events.cc ``Events::reconstruct_interval_expression``: '1 4' DAY_HOUR).
* [privileges] …/information-schema-schema-privileges-table.html: GRANTEE ``'user'@'host'`` (quoted),
  TABLE_SCHEMA the grant's pattern (``app\\_%``); ENABLED_ROLES from 8.0.19.
"""

from __future__ import annotations

import pytest

from schema_apply.introspect import introspect
from schema_apply.introspect_programs import Privileges

from test_mysql_rows import (DB, MYSQL_57, MYSQL_80, MYSQL_84, MYSQL_8019, MySQLInformationSchema, _id,
                             assert_same, column, primary, table)

SQL = """
CREATE TABLE t (id int NOT NULL, name varchar(20), PRIMARY KEY (id));
CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.name = UPPER(NEW.name);
CREATE PROCEDURE p(IN a int, OUT b varchar(20)) COMMENT 'x' READS SQL DATA SQL SECURITY INVOKER
  SELECT name INTO b FROM t WHERE id = a;
CREATE FUNCTION f(a decimal(10,2)) RETURNS varchar(10) CHARSET latin1 DETERMINISTIC RETURN CONCAT('#', a);
CREATE EVENT e ON SCHEDULE EVERY '1 4' DAY_HOUR STARTS '2031-01-01 00:00:00' ON COMPLETION PRESERVE DISABLE
  DO DELETE FROM t WHERE id < 0;
"""


def _rows(flavor, *, widths: bool):
    mode = flavor.default_sql_mode
    client = {"CHARACTER_SET_CLIENT": "utf8mb4", "COLLATION_CONNECTION": "utf8mb4_0900_ai_ci",
              "DATABASE_COLLATION": "utf8mb4_0900_ai_ci", "SQL_MODE": mode, "DEFINER": "app@%"}
    coll = "utf8mb4_0900_ai_ci" if flavor.version >= (8, 0, 0) else "latin1_swedish_ci"
    charset = coll.split("_")[0]
    int_type = "int(11)" if widths else "int"
    return dict(
        tables=[table("t", coll)],
        columns=[column("t", "id", int_type, nullable="NO"),
                 column("t", "name", "varchar(20)", charset=charset, collation=coll)],
        statistics=primary("t", "id"),
        triggers=[{"TRIGGER_NAME": "t_bi", "EVENT_MANIPULATION": "INSERT", "EVENT_OBJECT_TABLE": "t",
                   "ACTION_ORDER": 1, "ACTION_STATEMENT": "SET NEW.name = UPPER(NEW.name)", "ACTION_TIMING": "BEFORE",
                   **client}],
        routines=[{"SPECIFIC_NAME": "p", "ROUTINE_NAME": "p", "ROUTINE_TYPE": "PROCEDURE", "DATA_TYPE": "",
                   "CHARACTER_SET_NAME": None, "COLLATION_NAME": None, "DTD_IDENTIFIER": None, "ROUTINE_BODY": "SQL",
                   "ROUTINE_DEFINITION": "SELECT name INTO b FROM t WHERE id = a", "IS_DETERMINISTIC": "NO",
                   "SQL_DATA_ACCESS": "READS SQL DATA", "SECURITY_TYPE": "INVOKER", "ROUTINE_COMMENT": "x", **client},
                  {"SPECIFIC_NAME": "f", "ROUTINE_NAME": "f", "ROUTINE_TYPE": "FUNCTION", "DATA_TYPE": "varchar",
                   "CHARACTER_SET_NAME": "latin1", "COLLATION_NAME": "latin1_swedish_ci", "DTD_IDENTIFIER": "varchar(10)",
                   "ROUTINE_BODY": "SQL", "ROUTINE_DEFINITION": "RETURN CONCAT('#', a)", "IS_DETERMINISTIC": "YES",
                   "SQL_DATA_ACCESS": "CONTAINS SQL", "SECURITY_TYPE": "DEFINER", "ROUTINE_COMMENT": "", **client}],
        parameters=[
            {"SPECIFIC_NAME": "p", "ROUTINE_TYPE": "PROCEDURE", "ORDINAL_POSITION": 1, "PARAMETER_MODE": "IN",
             "PARAMETER_NAME": "a", "DATA_TYPE": "int", "CHARACTER_SET_NAME": None, "COLLATION_NAME": None,
             "DTD_IDENTIFIER": int_type},
            {"SPECIFIC_NAME": "p", "ROUTINE_TYPE": "PROCEDURE", "ORDINAL_POSITION": 2, "PARAMETER_MODE": "OUT",
             "PARAMETER_NAME": "b", "DATA_TYPE": "varchar", "CHARACTER_SET_NAME": charset, "COLLATION_NAME": coll,
             "DTD_IDENTIFIER": "varchar(20)"},
            {"SPECIFIC_NAME": "f", "ROUTINE_TYPE": "FUNCTION", "ORDINAL_POSITION": 0, "PARAMETER_MODE": None,
             "PARAMETER_NAME": None, "DATA_TYPE": "varchar", "CHARACTER_SET_NAME": "latin1",
             "COLLATION_NAME": "latin1_swedish_ci", "DTD_IDENTIFIER": "varchar(10)"},
            {"SPECIFIC_NAME": "f", "ROUTINE_TYPE": "FUNCTION", "ORDINAL_POSITION": 1, "PARAMETER_MODE": "IN",
             "PARAMETER_NAME": "a", "DATA_TYPE": "decimal", "CHARACTER_SET_NAME": None, "COLLATION_NAME": None,
             "DTD_IDENTIFIER": "decimal(10,2)"}],
        events=[{"EVENT_NAME": "e", "TIME_ZONE": "SYSTEM", "EVENT_BODY": "SQL",
                 "EVENT_DEFINITION": "DELETE FROM t WHERE id < 0", "EVENT_TYPE": "RECURRING", "EXECUTE_AT": None,
                 "INTERVAL_VALUE": "'1 4'", "INTERVAL_FIELD": "DAY_HOUR", "STARTS": "2031-01-01 00:00:00",
                 "ENDS": None, "STATUS": "DISABLED", "ON_COMPLETION": "PRESERVE", "EVENT_COMMENT": "", **client}],
        privileges=[{"GRANTEE": "'app'@'%'", "TABLE_SCHEMA": "app\\_%", "PRIVILEGE_TYPE": p, "IS_GRANTABLE": "NO"}
                    for p in ("CREATE", "ALTER", "DROP", "TRIGGER", "EVENT", "CREATE ROUTINE", "ALTER ROUTINE")],
    )


@pytest.mark.parametrize("flavor", [MYSQL_8019, MYSQL_80, MYSQL_84], ids=_id)
def test_programs_on_mysql_8(flavor):
    fake = MySQLInformationSchema(flavor, **_rows(flavor, widths=False))
    live = assert_same(SQL, fake)
    assert [r.name for r in live.routines] == ["f", "p"] and live.events[0].schedule.every == "'1 4'"
    assert sum("information_schema.ROUTINES" in s for s in fake.statements) == 1


def test_programs_on_mysql_5_7():
    fake = MySQLInformationSchema(MYSQL_57, **_rows(MYSQL_57, widths=True))
    assert_same(SQL, fake)


def test_privileges_from_grant_patterns_tables_and_roles():
    grants = frozenset({("schema", "app\\_%", "", "TRIGGER"), ("table", "app", "t", "EVENT"),
                        ("global", "", "", "CREATE ROUTINE")})
    assert Privileges("app_1", grants).has("TRIGGER") is True
    assert Privileges("appx1", grants).has("TRIGGER") is False  # \\_ is a literal underscore
    assert Privileges("app", grants).has("EVENT", "t") is True
    assert Privileges("app", grants).has("EVENT") is False
    assert Privileges("app", grants).has("CREATE ROUTINE") is True
    assert Privileges("app", grants, roles=True).has("EVENT") is None  # a role may grant it


def test_an_account_without_grants_sees_what_it_lacks():
    rows = _rows(MYSQL_80, widths=False)
    rows["privileges"] = [{"GRANTEE": "'app'@'%'", "TABLE_SCHEMA": "app", "PRIVILEGE_TYPE": "CREATE",
                           "IS_GRANTABLE": "NO"},
                          {"GRANTEE": "'other'@'%'", "TABLE_SCHEMA": "app", "PRIVILEGE_TYPE": "TRIGGER",
                           "IS_GRANTABLE": "NO"}]  # root sees every account's grants
    programs = introspect(MySQLInformationSchema(MYSQL_80, **rows), DB, MYSQL_80).programs
    assert programs.account == "app@%"
    assert programs.privileges.has("TRIGGER") is False and programs.privileges.has("CREATE") is True
