"""Views compare like the server stores them (parse/views.py).

The server is the oracle: each query of tests/data/views.yaml is created as a view, read back
from information_schema, and the canonical form of the server's text must equal the canonical
form of the query as written. And the comparison must still see real changes: pairs of queries
that mean different things must not compare equal. MySQL 8 writes the same rewrites with more
parentheses (``(0 <> x)``, ``on((a = b))``): those forms are checked against the MySQL printer's
output as its manual and mysql-test results show it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from schema_apply.parse.views import canonical_query

from conftest import load_sql

DATA = yaml.safe_load((Path(__file__).parent / "data" / "views.yaml").read_text(encoding="utf-8"))
COLUMNS = {"a": ("id", "bid", "cid", "flag", "name", "n", "d"), "b": ("id", "x", "name"), "c": ("id", "y")}


def canon(query: str, database: str | None = "app") -> str:
    return canonical_query(query, COLUMNS, database=database)[0]


@pytest.fixture(scope="module")
def views_db(server):
    from conftest import Databases
    dbs = Databases(server)
    db = dbs.new(DATA["tables"])
    yield db
    dbs.drop_all()


@pytest.mark.server
@pytest.mark.parametrize("query", DATA["queries"])
def test_the_server_s_rewrite_compares_equal(server, views_db, query):
    name = f"v_{abs(hash(query)) % 10**8}"
    load_sql(server, views_db, f"CREATE OR REPLACE VIEW {name} AS {query}")
    conn = server.connect(views_db)
    with conn.cursor() as cur:
        cur.execute("SELECT VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s",
                    (views_db, name))
        stored = cur.fetchone()[0]
    conn.close()
    assert canon(query, views_db) == canon(stored, views_db), stored


# -- real changes stay visible ------------------------------------------------------------

DIFFERENT = [
    ("SELECT a.id FROM a JOIN b ON b.id = a.bid", "SELECT a.id FROM a LEFT JOIN b ON b.id = a.bid"),
    ("SELECT a.id FROM a LEFT JOIN b ON b.id = a.bid", "SELECT a.id FROM b LEFT JOIN a ON b.id = a.bid"),
    ("SELECT a.id FROM a LEFT JOIN b ON b.id = a.bid LEFT JOIN c ON c.id = b.x",
     "SELECT a.id FROM a LEFT JOIN (b LEFT JOIN c ON c.id = b.x) ON b.id = a.bid"),
    ("SELECT a.id FROM a WHERE NOT a.flag", "SELECT a.id FROM a WHERE a.flag"),
    ("SELECT a.id FROM a WHERE a.flag = 1", "SELECT a.id FROM a WHERE a.flag"),
    ("SELECT a.id FROM a WHERE a.n > 1 AND a.bid = 2", "SELECT a.id FROM a WHERE a.n > 1 OR a.bid = 2"),
    ("SELECT a.id FROM a WHERE a.n > 1", "SELECT a.id FROM a WHERE a.n >= 1"),
    ("SELECT a.id FROM a WHERE a.n < a.bid", "SELECT a.id FROM a WHERE a.bid < a.n"),
    ("SELECT a.id FROM a", "SELECT a.id AS ident FROM a"),
    ("SELECT a.id, a.n FROM a", "SELECT a.n, a.id FROM a"),
    ("SELECT a.id FROM a ORDER BY a.n", "SELECT a.id FROM a ORDER BY a.n DESC"),
    ("SELECT a.id FROM a", "SELECT DISTINCT a.id FROM a"),
    ("SELECT a.id FROM a LIMIT 5", "SELECT a.id FROM a LIMIT 6"),
    ("SELECT a.id FROM a WHERE a.name = 'x'", "SELECT a.id FROM a WHERE a.name = 'X '"),
    ("SELECT a.id FROM a WHERE a.name IN ('x', 'y')", "SELECT a.id FROM a WHERE a.name NOT IN ('x', 'y')"),
    ("SELECT count(*) AS n FROM a", "SELECT count(a.n) AS n FROM a"),
    ("SELECT a.id FROM a UNION SELECT b.id FROM b", "SELECT a.id FROM a UNION ALL SELECT b.id FROM b"),
    ("SELECT a.id FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.id = a.bid)",
     "SELECT a.id FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.id = a.cid)"),
    ("SELECT a.id FROM a WHERE a.d > NOW() - INTERVAL 1 DAY", "SELECT a.id FROM a WHERE a.d > NOW() - INTERVAL 1 HOUR"),
    ("SELECT CAST(a.n AS CHAR(10)) AS c FROM a", "SELECT CAST(a.n AS CHAR(11)) AS c FROM a"),
]


@pytest.mark.parametrize("first, second", DIFFERENT)
def test_real_changes_are_seen(first, second):
    assert canon(first) != canon(second)


# -- the same meaning in other spellings ----------------------------------------------------

SAME = [
    ("SELECT a.id FROM a INNER JOIN b ON b.id = a.id", "SELECT a.id FROM a JOIN b ON a.id = b.id"),
    ("SELECT a.id FROM a WHERE NOT a.flag", "SELECT a.id FROM a WHERE a.flag = 0"),
    ("SELECT a.id FROM a WHERE NOT (a.n > 1 AND a.flag)", "SELECT a.id FROM a WHERE a.n <= 1 OR a.flag = 0"),
    ("SELECT a.id FROM a WHERE (a.n = 1 AND a.bid = 2) AND a.cid = 3", "SELECT a.id FROM a WHERE a.n = 1 AND (a.bid = 2 AND a.cid = 3)"),
    ("SELECT a.id FROM a, b", "SELECT a.id FROM a CROSS JOIN b"),
    ("SELECT a.id FROM a JOIN b USING (id)", "SELECT a.id FROM a JOIN b ON a.id = b.id"),
    ("SELECT id FROM a", "SELECT `app`.`a`.`id` AS `id` FROM `app`.`a`"),
]


@pytest.mark.parametrize("first, second", SAME)
def test_the_same_meaning_compares_equal(first, second):
    assert canon(first) == canon(second)


# -- MySQL 8's spelling (Item_func::print parenthesises every operation) ----------------------

MYSQL_FORMS = [
    ("SELECT a.id FROM a WHERE a.flag",
     "select `app`.`a`.`id` AS `id` from `app`.`a` where (0 <> `app`.`a`.`flag`)"),
    ("SELECT a.id FROM a WHERE NOT a.flag",
     "select `app`.`a`.`id` AS `id` from `app`.`a` where (0 = `app`.`a`.`flag`)"),
    ("SELECT a.id FROM a INNER JOIN b ON b.id = a.id",
     "select `app`.`a`.`id` AS `id` from (`app`.`a` join `app`.`b` on((`app`.`b`.`id` = `app`.`a`.`id`)))"),
    ("SELECT a.id FROM a LEFT JOIN b ON a.bid = b.id LEFT JOIN c ON a.cid = c.id",
     "select `app`.`a`.`id` AS `id` from ((`app`.`a` left join `app`.`b` on((`app`.`a`.`bid` = `app`.`b`.`id`)))"
     " left join `app`.`c` on((`app`.`a`.`cid` = `app`.`c`.`id`)))"),
    ("SELECT a.name FROM a WHERE a.name <> 'x' AND a.n > 1",
     "select `app`.`a`.`name` AS `name` from `app`.`a` where ((`app`.`a`.`name` <> _utf8mb4'x') and (`app`.`a`.`n` > 1))"),
    ("SELECT count(*) FROM a", "select count(0) AS `count(*)` from `app`.`a`"),
]


@pytest.mark.parametrize("query, stored", MYSQL_FORMS)
def test_mysql_spelling_compares_equal(query, stored):
    assert canon(query) == canon(stored)
