"""Introspection's COLUMNS read as JSON chunks (schema_apply/introspect_bulk.py).

On MariaDB 10.6+ the COLUMNS read comes back as ``GROUP_CONCAT(JSON_ARRAY(…))`` chunks, decoded
by ``json.loads``. The server is the oracle: for a schema with every kind of value the read
carries, the chunks must give exactly the rows — values, types, order — and introspection the
same model either way. (tests/test_oracle.py checks the same for every schema it loads.)
"""

from __future__ import annotations

import pytest

from schema_apply.flavor import Flavor
from schema_apply.introspect import columns_read, detect_flavor, introspect
from schema_apply.introspect_bulk import CHUNK, rows_of_chunks
from schema_apply.model import differences

from bulk_reads import assert_json_chunks_equal_rows
from conftest import guarded

# Every kind of column, default and comment: quotes, backslashes, control characters, NUL and
# non-ASCII text in comments, defaults, ENUM/SET values and generated expressions; and the rest of
# a table (prefix, long unique, descending, ignored, FULLTEXT and SPATIAL keys, foreign keys,
# CHECKs, partitions), which the model read either way must hold alike.
VARIED = r"""
CREATE TABLE parent (
  id int NOT NULL AUTO_INCREMENT,
  code char(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  region varchar(20) NOT NULL DEFAULT 'eu',
  PRIMARY KEY (id),
  UNIQUE KEY uq_code_region (code, region)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='parent''s table: "quoted", back\\slash, new\nline, tab\t, é 日本';

CREATE TABLE kinds (
  id bigint unsigned NOT NULL AUTO_INCREMENT COMMENT 'id \'one\' \\ two\nthree \Z four \0 five',
  tiny tinyint(1) NOT NULL DEFAULT 0,
  small smallint(5) unsigned zerofill DEFAULT NULL,
  medium mediumint NOT NULL DEFAULT -7,
  price decimal(12,4) NOT NULL DEFAULT 12.5000,
  ratio double DEFAULT 1.5e-3,
  single float(7,3) DEFAULT NULL,
  flags bit(5) NOT NULL DEFAULT b'10101',
  born date DEFAULT '2000-01-01',
  at_time time(3) DEFAULT '12:34:56.789',
  created datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  changed timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  yr year DEFAULT 2024,
  name varchar(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT 'it''s "x" \\ y\nz\té',
  latin varchar(30) CHARACTER SET latin1 DEFAULT 'café',
  fixed char(10) DEFAULT '',
  raw binary(4) DEFAULT 'ab',
  bytes varbinary(16) DEFAULT 0x00ff10,
  body text,
  blob_col mediumblob,
  doc json DEFAULT NULL,
  mood enum('a''b','c\\d','e"f','日本','') NOT NULL DEFAULT 'a''b',
  tags set('x','y\\z','w''v') DEFAULT 'x',
  place point NOT NULL,
  addr inet6 DEFAULT '::1',
  token uuid DEFAULT NULL,
  upper_name varchar(100) AS (upper(concat(name, ' \'s \\ "'))) VIRTUAL COMMENT 'generated',
  name_len int AS (char_length(name)) STORED,
  seed varchar(36) DEFAULT (uuid()),
  total decimal(14,4) DEFAULT (price * 2 + 1),
  parent_id int DEFAULT NULL,
  parent_code char(3) CHARACTER SET ascii COLLATE ascii_bin DEFAULT NULL,
  parent_region varchar(20) COLLATE utf8mb4_general_ci DEFAULT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_body (body(20), name) COMMENT 'prefix ''unique''',
  UNIQUE KEY uq_long (body),
  KEY ix_desc (born DESC, name(10)),
  KEY ix_ignored (medium) IGNORED,
  KEY ix_generated (upper_name),
  FULLTEXT KEY ft_body (body),
  SPATIAL KEY sp_place (place),
  KEY ix_parent (parent_code, parent_region),
  CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT fk_pair FOREIGN KEY (parent_code, parent_region) REFERENCES parent (code, region),
  CONSTRAINT ck_named CHECK (name <> 'it''s \\ bad' AND medium > -100),
  CHECK (tiny IN (0, 1)),
  CONSTRAINT `ck "quoted"` CHECK (json_valid(doc) OR doc IS NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC;

CREATE TABLE self_ref (
  id int PRIMARY KEY,
  up int,
  qty int CHECK (qty >= 0),
  KEY (up),
  FOREIGN KEY (up) REFERENCES self_ref (id) ON DELETE CASCADE
);

CREATE TABLE events (
  id int NOT NULL,
  day date NOT NULL,
  note varchar(200) DEFAULT 'p''s',
  PRIMARY KEY (id, day)
) ENGINE=InnoDB
  PARTITION BY RANGE (year(day)) SUBPARTITION BY HASH (id) SUBPARTITIONS 2 (
    PARTITION p2000 VALUES LESS THAN (2001) COMMENT 'the ''old'' ones',
    PARTITION pmax VALUES LESS THAN MAXVALUE);

CREATE TABLE by_list (id int NOT NULL, kind char(1) NOT NULL, PRIMARY KEY (id, kind))
  PARTITION BY LIST COLUMNS (kind) (PARTITION pa VALUES IN ('a', 'b'), PARTITION pz VALUES IN ('z'));

CREATE TABLE aria_t (a int, b varchar(10), KEY (a) COMMENT 'Aria') ENGINE=Aria COMMENT='aria';

CREATE VIEW v_kinds AS SELECT id, name FROM kinds WHERE name <> 'x''y';
"""


def _many_tables(n: int) -> str:
    """``n`` small tables and one wider than two chunks."""
    out = [f"CREATE TABLE t{k:03d} (id int PRIMARY KEY, a int, b varchar(10) DEFAULT 'x{k}', KEY ix_a (a, b),"
           f" CONSTRAINT c{k:03d}_a CHECK (a > {k}), CONSTRAINT c{k:03d}_b CHECK (b <> ''),"
           f" CONSTRAINT f{k:03d} FOREIGN KEY (a) REFERENCES parent (id))" for k in range(n)]
    wide = ", ".join(f"c{k:03d} int DEFAULT {k} COMMENT 'c\\'{k}'" for k in range(CHUNK * 2 + 50))
    out.append(f"CREATE TABLE wide (id int PRIMARY KEY, {wide}, KEY (c000), KEY (c449))")
    return ";\n".join(out)


# --------------------------------------------------------------------------
# Decoding chunks (pure)
# --------------------------------------------------------------------------

def test_chunks_decode_to_tuples_of_the_json_values():
    chunks = [(2, '["a",1,null],["b\\n\\u0000é",-2,"x"]'), (1, b'["c",3,"\\"q\\""]')]
    assert rows_of_chunks(chunks) == [("a", 1, None), ("b\n\0é", -2, "x"), ("c", 3, '"q"')]
    assert rows_of_chunks([]) == []


@pytest.mark.parametrize("chunks", [
    [(3, '["a",1],["b",2]')],           # cut between two arrays: fewer rows than counted
    [(2, '["a",1],["b",')],             # cut inside an array
    [(2, '["a",1],["b"')],
    [(1, '["a",1],')],
    [(1, None)],                        # NULL
], ids=["between", "inside-value", "inside-array", "separator", "null"])
def test_a_chunk_cut_short_is_not_taken(chunks):
    assert rows_of_chunks([(1, '["ok",0]')] + chunks) is None


def test_json_only_where_verified():
    assert Flavor.from_version_string("10.11.19-MariaDB").json_chunks_match_rows
    assert Flavor.from_version_string("10.6.0-MariaDB").json_chunks_match_rows
    assert not Flavor.from_version_string("10.5.27-MariaDB").json_chunks_match_rows
    for mysql in ("5.7.44", "8.0.36", "8.4.3"):
        assert not Flavor.from_version_string(mysql).json_chunks_match_rows


class _VersionRows:
    """A server that answers detect_flavor's three queries: VERSION() and @@version_comment as given."""

    def __init__(self, version: str, comment: str):
        self.version, self.comment = version, comment

    def query(self, sql, params=()):
        if sql.startswith("SELECT VERSION()"):
            return [(self.version, self.comment, 0, 1, "InnoDB", "utf8mb4", "utf8mb4_general_ci", "dynamic",
                     "STRICT_TRANS_TABLES", "utf8mb4", "utf8mb4_general_ci", "SYSTEM")]
        if "information_schema.SCHEMATA" in sql:
            return [("utf8mb4", "utf8mb4_general_ci")]
        return [("utf8mb4", "utf8mb4_general_ci", 4), ("latin1", "latin1_swedish_ci", 1)]  # CHARACTER_SETS


@pytest.mark.parametrize("version, comment, as_json", [
    ("8.0.36", "MySQL Community Server - GPL", False),
    ("8.0.36-28", "Percona Server (GPL), Release 28, Revision 47601f19", False),
    ("10.5.27-MariaDB-ubu2004", "mariadb.org binary distribution", False),
    ("10.5.23-MariaDB-0+deb11u1", "Debian 11", False),
    ("10.6.21-MariaDB-ubu2004-log", "mariadb.org binary distribution", True),
    ("10.6.12-MariaDB-0ubuntu0.22.04.1", "Ubuntu 22.04", True),
], ids=["mysql-8.0", "percona-8.0", "mariadb-10.5", "mariadb-10.5-debian", "mariadb-10.6", "mariadb-10.6-ubuntu"])
def test_json_as_the_server_reports_its_version(version, comment, as_json):
    flavor, _ = detect_flavor(_VersionRows(version, comment), "app")
    assert flavor.json_chunks_match_rows is as_json


# --------------------------------------------------------------------------
# The server: chunks equal rows
# --------------------------------------------------------------------------

def _introspect_both_ways(conn, db, monkeypatch):
    as_json = introspect(conn, db)
    with monkeypatch.context() as patch:
        patch.setattr(Flavor, "json_chunks_match_rows", property(lambda flavor: False))
        as_rows = introspect(conn, db)
    return as_json, as_rows


@pytest.mark.server
def test_chunks_give_the_rows_and_the_model_the_rows_give(server, databases, monkeypatch):
    tables = 30
    db = databases.new(VARIED + ";\n" + _many_tables(tables))
    with guarded(server, db) as conn:
        flavor, _ = detect_flavor(conn, db)
        chunks = assert_json_chunks_equal_rows(conn, db, flavor)
        assert chunks == 7 + tables + 3  # a chunk a table or view (VARIED has 6 and 1), three for `wide`
        sent = len(conn.sent)
        as_json, as_rows = _introspect_both_ways(conn, db, monkeypatch)
        texts = [s.sql for s in conn.sent[sent:]]
    assert as_json.schema == as_rows.schema, "\n".join(differences(as_rows.schema, as_json.schema))
    assert as_json.schema.table("kinds") is not None and len(as_json.schema.tables) == 6 + tables + 1
    read = columns_read(flavor)  # JSON once, then rows once: the chunks did not fall back to rows
    for sql in (read.json_sql, read.rows_sql):
        assert [t.startswith(sql.split(" FROM ")[0]) for t in texts].count(True) == 1, sql


@pytest.mark.server
def test_tables_whose_names_differ_only_in_case(server, databases, monkeypatch):
    # information_schema groups names case-insensitively: `Twin` and `twin` share a chunk, and
    # their rows tie in the ORDER BY either way; each table's columns stay in order.
    db = databases.new("CREATE TABLE Twin (a int, b int); CREATE TABLE twin (c int, d int, e int)")
    with guarded(server, db) as conn:
        read = columns_read(detect_flavor(conn, db)[0])
        rows = conn.query(read.rows_sql, (db,))
        chunks = conn.query(read.json_sql, (db,))
        as_json, as_rows = _introspect_both_ways(conn, db, monkeypatch)
    assert len(chunks) == 1
    assert sorted(rows_of_chunks(chunks)) == sorted(rows)
    for name, columns in (("Twin", ["a", "b"]), ("twin", ["c", "d", "e"])):
        assert [r[1] for r in rows_of_chunks(chunks) if r[0] == name] == columns
    assert as_json.schema == as_rows.schema


@pytest.mark.server
def test_a_table_of_2500_columns(server, databases, monkeypatch):
    """The widest a table gets on MariaDB: its .frm holds ~2,800 columns ("Table definition is too
    large" at 3,000). (MySQL 8's 4,096-column tables are read as rows.)"""
    columns = ", ".join(f"c{k} tinyint" for k in range(2500))
    db = databases.new(f"CREATE TABLE huge (id int PRIMARY KEY, {columns}, KEY (c1, c2499)) ENGINE=MyISAM")
    with guarded(server, db) as conn:
        assert assert_json_chunks_equal_rows(conn, db, detect_flavor(conn, db)[0]) == 2501 // CHUNK + 1
        as_json, as_rows = _introspect_both_ways(conn, db, monkeypatch)
    assert as_json.schema == as_rows.schema
    assert len(as_json.schema.table("huge").columns) == 2501


@pytest.mark.server
def test_chunks_cut_by_group_concat_max_len_fall_back_to_rows(server, databases):
    db = databases.new(VARIED)
    with guarded(server, db) as conn:
        whole = introspect(conn, db)
        conn.execute("SET SESSION group_concat_max_len = 1024")  # a chunk of VARIED is longer
        sent = len(conn.sent)
        cut = introspect(conn, db)
        texts = [s.sql for s in conn.sent[sent:]]
    assert cut.schema == whole.schema
    rows_read = [t for t in texts if t.startswith("SELECT TABLE_NAME, COLUMN_NAME,")]
    assert rows_read and rows_read[0].endswith("ORDER BY TABLE_NAME, ORDINAL_POSITION")
