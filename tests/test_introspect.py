"""Introspection: a fixed number of statements whatever the number of tables, and the
metadata it must not read (row counts, AUTO_INCREMENT counters, data sizes)."""

from __future__ import annotations

import pytest

from schema_apply.introspect import detect_flavor, foreign_keys_sql, introspect

from conftest import guarded


def _tables_sql(n: int) -> str:
    parts = []
    for k in range(n):
        parts.append(f"CREATE TABLE t{k:04d} (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(20) DEFAULT 'x',"
                     f" parent int, KEY ix_name (name), CONSTRAINT c{k}_pos CHECK (parent > 0))")
    parts.append("CREATE TABLE p_parts (id int NOT NULL, d date NOT NULL, PRIMARY KEY (id, d))"
                 " PARTITION BY RANGE (year(d)) (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE)")
    parts.append("CREATE TABLE child (id int PRIMARY KEY, t_id int, FOREIGN KEY (t_id) REFERENCES t0000 (id))")
    parts.append("CREATE VIEW v_names AS SELECT id, name FROM t0000")
    return ";\n".join(parts)


def _count(server, database) -> tuple[int, int]:
    with guarded(server, database) as conn:
        before = conn.statements_sent
        live = introspect(conn, database)
        return conn.statements_sent - before, len(live.schema.tables)


@pytest.mark.server
def test_statement_count_does_not_grow_with_tables(server, databases):
    small = databases.new(_tables_sql(10))
    large = databases.new(_tables_sql(1000))
    sent_small, n_small = _count(server, small)
    sent_large, n_large = _count(server, large)
    assert (n_small, n_large) == (12, 1002)
    assert sent_small == sent_large
    # flavor (3) + tables, columns, indexes, keys, checks, partitions, views (7) + the account, its privileges,
    # triggers, routine parameters, routines, events (6)
    assert sent_small <= 16


@pytest.mark.server
def test_introspection_selects_no_row_derived_metadata(server, databases):
    db = databases.new(_tables_sql(3))
    with guarded(server, db) as conn:
        introspect(conn, db)
        sent = " ".join(s.sql.upper() for s in conn.sent)
    for column in ("TABLE_ROWS", "AUTO_INCREMENT", "DATA_LENGTH", "INDEX_LENGTH", "DATA_FREE", "CARDINALITY",
                   "AVG_ROW_LENGTH", "CHECKSUM,", "UPDATE_TIME"):
        assert column not in sent.replace("AUTO_INCREMENT\\", ""), column
    assert all(s.info is not None and s.info.kind in ("metadata-read", "session", "lock") for s in conn.sent)


@pytest.mark.server
def test_stored_programs_are_read_in_one_query_per_kind(server, databases):
    db = databases.new("CREATE TABLE t (a int)")
    conn = server.connect(db)
    with conn.cursor() as cur:
        cur.execute("CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1")
        cur.execute("CREATE PROCEDURE p(IN x INT, OUT y VARCHAR(10)) SET y = x")
        cur.execute("CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC RETURN x + 1")
        cur.execute("CREATE EVENT e ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 00:00:00' DISABLE DO DELETE FROM t")
    conn.close()
    with guarded(server, db) as gc:
        live = introspect(gc, db)
        sent = [s.sql for s in gc.sent]
    schema = live.schema
    assert [(t.name, t.table, t.timing, t.event, t.body.sql) for t in schema.triggers] == \
        [("tr", "t", "BEFORE", "INSERT", "SET NEW.a = 1")]
    assert [(r.kind, r.name, [p.name for p in r.parameters]) for r in schema.routines] == \
        [("FUNCTION", "f", ["x"]), ("PROCEDURE", "p", ["x", "y"])]
    assert schema.events[0].schedule.starts == "2030-01-01 00:00:00" and schema.events[0].status == "DISABLED"
    for kind in ("TRIGGERS", "ROUTINES", "PARAMETERS", "EVENTS"):
        assert sum(f"information_schema.{kind} " in sql for sql in sent) == 1, kind
    assert not any(sql.upper().startswith("SHOW") for sql in sent)  # no SHOW CREATE per object


@pytest.mark.server
def test_flavor_detection(server, database):
    with guarded(server, database) as conn:
        flavor, exists = detect_flavor(conn, database)
    assert exists
    assert flavor.is_mariadb == server.is_mariadb
    assert flavor.charset and flavor.collation.startswith(flavor.charset)


@pytest.mark.server
def test_the_foreign_key_read_fills_its_tables_from_this_database_only(server, databases):
    # Joined second, REFERENTIAL_CONSTRAINTS is filled from every database on the server (EXPLAIN:
    # "Scanned all databases"), whose tables it opens: MariaDB's read names it first.
    db = databases.new(_tables_sql(2))
    with guarded(server, db) as gc:
        sql = foreign_keys_sql(detect_flavor(gc, db)[0])
    conn = server.connect(db)  # EXPLAIN, which the guard refuses (it reads no rows either)
    try:
        with conn.cursor() as cur:
            cur.execute("EXPLAIN " + sql, (db, db))
            plan = [(row[2], row[-1]) for row in cur.fetchall()]
    finally:
        conn.close()
    assert [table for table, _ in plan] == ["r", "k"], plan
    assert all("Scanned 1 database" in extra for _, extra in plan), plan
