"""What a type change may lose, checked against the server: the bounds ``changes.type_data_loss``
uses for a number or a time converted to a string column are the texts of each type's longest
values, neither more (a needless refusal) nor less (a truncation let through)."""

from __future__ import annotations

import pymysql
import pytest

from schema_apply.changes import type_data_loss
from schema_apply.flavor import Flavor
from schema_apply.normalize import normalize
from schema_apply.parse.schemafile import parse_text


def column_type(sql_type: str, server):
    """``sql_type`` as the model has it, for this server."""
    table = normalize(parse_text(f"CREATE TABLE t (c {sql_type})").schema, Flavor.from_version_string(server.version))
    return table.tables[0].columns[0].type


# The server is the oracle: each type's longest values, stored, then converted to a string column
# of exactly their length (they come back as that text), and one character shorter (the strict
# server refuses the conversion: data too long / truncated).
LONGEST_VALUES = [
    ("tinyint", "-128", 4), ("tinyint unsigned", "255", 3), ("smallint", "-32768", 6),
    ("mediumint", "-8388608", 8), ("mediumint unsigned", "16777215", 8), ("int", "-2147483648", 11),
    ("int unsigned", "4294967295", 10), ("bigint", "-9223372036854775808", 20),
    ("bigint unsigned", "18446744073709551615", 20), ("int(15) zerofill", "42", 15),
    ("decimal(10,2)", "-99999999.99", 12), ("decimal(5,0)", "-99999", 6), ("year", "2155", 4),
    ("date", "9999-12-31", 10), ("time", "-838:59:59", 10), ("time(3)", "-838:59:59.999", 14),
    ("datetime", "9999-12-31 23:59:59", 19), ("datetime(3)", "9999-12-31 23:59:59.999", 23),
    ("timestamp(6)", "2038-01-19 03:14:07.999999", 26),
]


@pytest.mark.parametrize("old,value,width", LONGEST_VALUES, ids=[v[0] for v in LONGEST_VALUES])
def test_the_longest_text_is_the_servers(server, database, old, value, width):
    a, b = column_type(old, server), column_type(f"varchar({width})", server)
    assert type_data_loss(a, b) is None
    conn = server.connect(database)
    try:
        with conn.cursor() as cur:
            cur.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES', time_zone = '+00:00'")
            cur.execute(f"CREATE TABLE t (c {old})")
            cur.execute("INSERT INTO t VALUES (%s)", (value,))
            cur.execute("SELECT CAST(c AS CHAR) FROM t")
            text = cur.fetchone()[0]
            assert len(text) == width, text
            with pytest.raises(pymysql.err.MySQLError):
                cur.execute(f"ALTER TABLE t MODIFY c varchar({width - 1})")
            cur.execute(f"ALTER TABLE t MODIFY c varchar({width})")
            cur.execute("SELECT c FROM t")
            assert cur.fetchone()[0] == text
    finally:
        conn.close()
