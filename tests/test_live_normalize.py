"""The fast paths of introspection, normalisation and the diff give what the slow ones give.

Introspection reads TABLES, STATISTICS and (MariaDB) CHECK_CONSTRAINTS as one JSON array a row
where the server's JSON gives its rows (``introspect_bulk.read``); normalisation remembers
what a column definition became (``normalize._column``) and keeps a column, key or key part that is
canonical already. The slow path reads every row as rows and normalises every column afresh: for a
schema with the cases where normalisation changes something — MEMORY's HASH keys, prefix keys,
descending keys, MariaDB's JSON (LONGTEXT + CHECK), the first TIMESTAMP, long uniques, keys cut to
the engine's limit, non-ASCII comments — both give the same model, to the fields that are not
compared (an expression's text, ``USING``), and the model parsed from the same SQL. A model pickled
(as the Schemafile's comes back from the process that parsed it) comes back whole, as fast to read.
"""

from __future__ import annotations

import copy
import ctypes
import dataclasses
import pickle
from typing import Iterator

import pytest
import yaml

from schema_apply import model, normalize as normalize_module
from schema_apply.flavor import Flavor
from schema_apply.errors import SchemaApplyError
from schema_apply.introspect import _Reader, column_type, introspect, row_reads
from schema_apply.introspect_bulk import RowRead, read, rows_of_arrays
from schema_apply.model import (Column, ColumnType, Default, Expr, Generated, Schema, differences, evolve, interned,
                                made)
from schema_apply.normalize import normalize
from schema_apply.parse.schemafile import parse_text
from schema_apply.parse.types import parse_column_type
from schema_apply.sql.expressions import canonical

from bulk_reads import assert_json_rows_equal_rows
from conftest import CASES_DIR, guarded

TRICKY = r"""
CREATE TABLE mem (
  id int NOT NULL,
  a int NOT NULL,
  b varchar(20) NOT NULL DEFAULT '',
  c int DEFAULT NULL,
  PRIMARY KEY (id),
  KEY ix_a (a),
  KEY ix_b_desc (b DESC) USING BTREE,
  UNIQUE KEY uq_c (c) USING HASH,
  KEY ix_ab (a, b)
) ENGINE=MEMORY DEFAULT CHARSET=latin1;

CREATE TABLE docs (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  title varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL COMMENT 'titre é 😀',
  body text,
  big varchar(1000) CHARACTER SET utf8mb4 DEFAULT NULL,
  wide varchar(1000) CHARACTER SET utf8mb4 DEFAULT NULL,
  attrs json DEFAULT NULL,
  extra json NOT NULL,
  raw longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
  raw2 longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
  created timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  changed timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  seen datetime(3) DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  day date DEFAULT '2024-01-31',
  price decimal(10,2) NOT NULL DEFAULT 0.00,
  state enum('new','done') NOT NULL DEFAULT 'new',
  upper_title varchar(200) AS (upper(title)) VIRTUAL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_body (body(100)),
  UNIQUE KEY uq_long (body),
  UNIQUE KEY uq_big (big),
  KEY ix_wide (wide),
  KEY ix_title_prefix (title(10), created DESC),
  KEY ix_state_day (state, day DESC) COMMENT 'clé 😀',
  FULLTEXT KEY ft_title (title),
  CONSTRAINT raw_is_json CHECK (json_valid(raw)),
  CONSTRAINT raw2 CHECK (json_valid(`raw2`)),
  CONSTRAINT ck_price CHECK (price >= 0),
  CHECK (day > '2000-01-01')
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='docs';

CREATE TABLE stamps (
  id int NOT NULL,
  first_ts timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  second_ts timestamp NOT NULL DEFAULT '0000-00-00 00:00:00',
  maybe_ts timestamp NULL DEFAULT NULL,
  name varchar(20) NOT NULL DEFAULT '',
  PRIMARY KEY (id, name)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;

CREATE TABLE alike (
  id int NOT NULL,
  name varchar(20) NOT NULL DEFAULT '',
  first_ts timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  doc_id bigint unsigned DEFAULT NULL,
  qty int DEFAULT NULL CHECK (qty > 0),
  PRIMARY KEY (id),
  KEY ix_name (name(5)),
  CONSTRAINT fk_doc FOREIGN KEY (doc_id) REFERENCES docs (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE aria_t (
  id int NOT NULL,
  name varchar(20) NOT NULL DEFAULT '',
  note varchar(2000) DEFAULT NULL,
  PRIMARY KEY (id),
  KEY ix_note (note)
) ENGINE=Aria DEFAULT CHARSET=utf8mb4 COMMENT='aria';
"""


# --------------------------------------------------------------------------
# Offline: the column memo and the canonical-already shortcuts
# --------------------------------------------------------------------------

def _afresh(patch) -> None:
    """Normalise every column without the definitions met before."""
    column = normalize_module._column
    patch.setattr(normalize_module, "_column",
                  lambda col, flavor, charset, pk, timestamps, memo: column(col, flavor, charset, pk, timestamps, {}))


@pytest.mark.parametrize("server", ["10.11.9-MariaDB", "8.0.36", "5.7.44"])
def test_columns_remembered_normalise_as_columns_afresh(server, monkeypatch):
    flavor = Flavor.from_version_string(server)
    parsed = parse_text(TRICKY, "tricky.sql", flavor.server).schema
    fast = normalize(parsed, flavor)
    with monkeypatch.context() as patch:
        _afresh(patch)
        slow = normalize(parsed, flavor)
    assert fast == slow, "\n".join(differences(slow, fast))
    assert repr(fast) == repr(slow)  # the fields not compared too (USING, an expression's text)
    again = normalize(fast, flavor)  # canonical already: kept as it is
    assert repr(again) == repr(fast)
    docs = fast.table("docs")  # (what normalisation changed is there)
    assert (docs.column("title").comment, docs.index("ix_state_day").comment) == ("titre é ?", "clé ?")
    assert any(p.descending for i in docs.indexes for p in i.parts) is flavor.supports_desc_index


def _columns_alike() -> list[Column]:
    """Definitions the memo must not take for one another: values equal in Python but not in SQL,
    expressions alike but for their text, types alike but for a flag."""
    sum_ = Expr("(`a` + 1)", canonical("(`a` + 1)"))
    sum_spaced = Expr("(a+1)", canonical("(a+1)"))
    assert sum_ == sum_spaced and sum_.sql != sum_spaced.sql
    now = Expr("current_timestamp()", canonical("current_timestamp()"))
    now_text = Expr("CURRENT_TIMESTAMP", canonical("CURRENT_TIMESTAMP"))
    return [
        Column("a", ColumnType("int"), default=Default("number", "1")),
        Column("b", ColumnType("int"), default=Default("string", "1")),
        Column("c", ColumnType("varchar", 10), default=Default("number", "1")),
        Column("d", ColumnType("varchar", 10), default=Default("string", "1")),
        Column("e", ColumnType("int"), default=Default("expression", expr=sum_)),
        Column("f", ColumnType("int"), default=Default("expression", expr=sum_spaced)),
        Column("g", ColumnType("timestamp"), nullable=False, default=Default("expression", expr=now), on_update=now),
        Column("h", ColumnType("timestamp"), nullable=False, default=Default("expression", expr=now_text),
               on_update=now_text),
        Column("i", ColumnType("timestamp"), nullable=None),
        Column("j", ColumnType("tinyint", 1), nullable=None),
        Column("k", ColumnType("tinyint", 1, unsigned=True), nullable=None),
        Column("l", ColumnType("varchar", 10), charset="latin1"),
        Column("m", ColumnType("varchar", 10), generated=Generated(sum_, False)),
        Column("n", ColumnType("int"), nullable=False, auto_increment=True),
        Column("o", ColumnType("int"), nullable=False),
        Column("p", ColumnType("int"), auto_increment=True),
        Column("q", ColumnType("int")),
        Column("r", ColumnType("varchar", 10)),
        Column("s", ColumnType("timestamp"), nullable=False, default=Default("expression", expr=now)),
        # (timestamp(0): not canonical, so made again from what the memo holds)
        Column("t", ColumnType("timestamp", 0), nullable=False, default=Default("expression", expr=now), on_update=now),
        Column("u", ColumnType("timestamp", 0), nullable=False, default=Default("expression", expr=now)),
    ]


@pytest.mark.parametrize("server", ["10.11.9-MariaDB", "8.0.36", "5.7.44"])
def test_the_memo_tells_apart_what_compares_alike(server):
    """A column normalised after many others (the memo full) is the column normalised alone, in each
    context: the table's character set, in the primary key or not, the first TIMESTAMP or not."""
    flavor = Flavor.from_version_string(server, explicit_defaults_for_timestamp=False)
    contexts = [(charset, pk, first) for charset in (("utf8mb4", "utf8mb4_general_ci"), ("latin1", "latin1_swedish_ci"))
                for pk in (False, True) for first in (0, 1)]
    cases = [(col, context) for col in _columns_alike() for context in contexts]
    for order in (cases, cases[::-1]):
        memo: dict = {}
        for col, (charset, pk, first) in order:
            pk_columns = {col.key} if pk else set()
            alone = normalize_module._column(col, flavor, charset, pk_columns, first, {})
            remembered = normalize_module._column(col, flavor, charset, pk_columns, first, memo)
            assert repr(remembered) == repr(alone), (col.name, charset, pk, first)


def test_tables_alike_keep_their_own_options():
    """Normalisation makes the options tables share once (the comment apart): each table normalised
    with the others is the table normalised alone."""
    sql = """
    CREATE TABLE a (id int) ENGINE=InnoDB DEFAULT CHARSET=latin1 COMMENT='first' AUTO_INCREMENT=5;
    CREATE TABLE b (id int) ENGINE=InnoDB DEFAULT CHARSET=latin1 COMMENT='été 😀';
    CREATE TABLE c (id int) ENGINE=InnoDB DEFAULT CHARSET=latin1;
    CREATE TABLE d (id int) ENGINE=InnoDB DEFAULT CHARSET=latin1 ROW_FORMAT=COMPRESSED COMMENT='first';
    CREATE TABLE e (id int) ENGINE=MyISAM DEFAULT CHARSET=latin1 COMMENT='first';
    """
    flavor = Flavor.from_version_string("10.11.9-MariaDB")
    schema = parse_text(sql, "alike.sql", flavor.server).schema
    together = normalize(schema, flavor)
    for table in schema.tables:
        alone = normalize(dataclasses.replace(schema, tables=(table,)), flavor)
        assert repr(together.table(table.name)) == repr(alone.tables[0])
    assert [t.options.comment for t in together.tables] == ["first", "été ?", "", "first", "first"]
    assert [t.options.auto_increment for t in together.tables] == [5, None, None, None, None]


def test_evolve_keeps_the_other_fields_and_refuses_unknown_ones():
    col = Column("a", ColumnType("int"), comment="x", line=3)
    new = evolve(col, name="b", nullable=False)
    assert (new.name, new.nullable, new.comment, new.line, new.type) == ("b", False, "x", 3, col.type)
    assert (col.name, col.nullable) == ("a", True)
    assert new == Column("b", ColumnType("int"), nullable=False, comment="x")
    with pytest.raises(TypeError, match="nam"):
        evolve(col, nam="b")


# --------------------------------------------------------------------------
# Values quick to read and to compare (pure)
# --------------------------------------------------------------------------

class _DictHead(ctypes.Structure):
    """The head of CPython's ``PyDictObject`` (Include/cpython/dictobject.h, 3.11 to 3.13)."""
    _fields_ = [("ob_refcnt", ctypes.c_ssize_t), ("ob_type", ctypes.c_void_p), ("ma_used", ctypes.c_ssize_t),
                ("ma_version_tag", ctypes.c_uint64), ("ma_keys", ctypes.c_void_p), ("ma_values", ctypes.c_void_p)]


def _shares_keys(value) -> bool:
    """Whether ``value``'s ``__dict__`` shares its class's key table: a "split" dict, which keeps its
    values apart (``ma_values``). (Its size does not tell: the shared table shrinks as the process makes
    values of the class, and a dict of its own of a few fields is no larger.)"""
    head = _DictHead.from_address(id(value.__dict__))
    assert head.ma_used == len(value.__dict__) and head.ma_keys  # (the head read where it is)
    return head.ma_values is not None


def test_evolve_gives_a_dict_of_its_own():
    """A value whose ``__dict__`` shares its class's key table is four times as slow to read (see
    ``model.made``): ``evolve`` must not copy the shared table."""
    col = Column("a", ColumnType("int"), comment="x")
    new = evolve(col, name="b")
    assert _shares_keys(col) and not _shares_keys(new)
    assert list(new.__dict__) == list(col.__dict__)  # every field, in order
    assert made(Column, dict(new.__dict__)) == new


def test_interned_values_are_one_object_and_keep_what_tells_them_apart():
    assert interned(ColumnType("varchar", 10)) is interned(ColumnType("varchar", 10))
    assert interned(ColumnType("varchar", 10)) is not interned(ColumnType("varchar", 11))
    # equal in Python, not to render: two objects, each as it was
    assert ColumnType("int", 1) == ColumnType("int", True)
    assert repr(interned(ColumnType("int", True))) == repr(ColumnType("int", True))
    assert interned(ColumnType("int", 1)) is not interned(ColumnType("int", True))
    plus = Default("expression", expr=Expr("(`a` + 1)", canonical("(`a` + 1)")))
    spaced = Default("expression", expr=Expr("(a+1)", canonical("(a+1)")))
    assert plus == spaced and interned(plus) is not interned(spaced)
    assert interned(spaced).expr.sql == "(a+1)"
    assert interned(Default("string", "1")) is not interned(Default("number", "1"))


def _another(value):
    """A value of a field other than ``value``."""
    if isinstance(value, Expr):
        return Expr(value.sql + " ", value.canon)  # (equal, but another text)
    if isinstance(value, bool):
        return not value
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, tuple):
        return value + ("z",)
    return Expr("1", canonical("1")) if value is None else value + 1  # (None: an expression's place)


@pytest.mark.parametrize("value", [
    ColumnType("decimal", 10, 2, True, True, ()), ColumnType("enum", values=("a", "b")),
    Default("expression", "", Expr("(`a` + 1)", canonical("(`a` + 1)"))), Default("string", "x")])
def test_interning_and_pickling_keep_every_field(value):
    """A field the interned key or ``__reduce__`` left out would make values that differ in it one."""
    assert repr(pickle.loads(pickle.dumps(value))) == repr(value)
    for f in dataclasses.fields(value):
        old = getattr(value, f.name)
        other = dataclasses.replace(value, **{f.name: _another(old)})
        assert interned(other) is not interned(value), f.name
        assert repr(pickle.loads(pickle.dumps(other))) == repr(other), f.name


def test_unpickled_types_and_defaults_are_the_interned_ones():
    """The Schemafile's model comes back pickled from the process that parsed it: its types and
    defaults are then this process's, those the live model's columns hold."""
    col = Column("a", ColumnType("decimal", 10, 2), default=Default("number", "0.00"))
    back = pickle.loads(pickle.dumps(col))
    assert back == col
    assert back.type is interned(ColumnType("decimal", 10, 2))
    assert back.default is interned(Default("number", "0.00"))
    assert copy.deepcopy(col.type) is back.type


MODEL_CLASSES = [v for v in vars(model).values() if isinstance(v, type) and dataclasses.is_dataclass(v)]
INTERNED = (ColumnType, Default)  # (unpickled as the process's one such value: see above)

# The fields the golden cases leave at their defaults: an index's parser, KEY ALGORITHM, AUTO_INCREMENT,
# a definer, FOLLOWS, STARTS relative to now
UNCOMMON = """
CREATE TABLE docs (id int PRIMARY KEY, body text, FULLTEXT KEY ft (body) WITH PARSER ngram) AUTO_INCREMENT=42;
CREATE TABLE parts (id int NOT NULL) PARTITION BY KEY ALGORITHM=2 (id) PARTITIONS 4;
CREATE TABLE serials (id serial PRIMARY KEY);
CREATE DEFINER=`admin`@`%` TRIGGER t1 BEFORE INSERT ON docs FOR EACH ROW SET NEW.id = NEW.id;
CREATE DEFINER=`admin`@`%` TRIGGER t2 BEFORE INSERT ON docs FOR EACH ROW FOLLOWS t1 SET NEW.id = NEW.id + 1;
CREATE DEFINER=`admin`@`%` PROCEDURE p() SELECT 1;
CREATE DEFINER=`admin`@`%` EVENT e ON SCHEDULE EVERY 1 DAY STARTS CURRENT_TIMESTAMP + INTERVAL 1 HOUR DO SELECT 1;
"""


def _rich_models() -> list[Schema]:
    """The Schemafiles of the golden cases (both sides), TRICKY and UNCOMMON, normalised for MariaDB and MySQL."""
    texts = [text for path in sorted(CASES_DIR.glob("*.yaml"))
             for case in yaml.safe_load(path.read_text(encoding="utf-8")).values()
             for text in (case["current"], case["desired"])] + [TRICKY, UNCOMMON]
    flavors = [Flavor.from_version_string(version) for version in ("10.11.9-MariaDB", "8.0.36")]
    return [normalize(parse_text(text, "case.sql", flavor.server).schema, flavor, database="db")
            for flavor in flavors for text in texts]


def _values(value) -> Iterator:
    """Every model value in ``value``, depth first, fields in order (a value met twice, twice), not those
    of a column type or default (the process's one such value)."""
    if dataclasses.is_dataclass(value):
        yield value
        for f in () if isinstance(value, INTERNED) else dataclasses.fields(value):
            yield from _values(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _values(item)


def test_a_pickled_model_comes_back_whole_and_fast_to_read():
    """The Schemafile's model comes back pickled from the process that parsed it (``aside``): every
    value as it was, to the fields that are not compared (the line of a message, USING, a definer),
    each with a dict of its own (see ``model.made``), its types and defaults the interned ones."""
    models = _rich_models()
    values = list(_values(models))
    assert {type(v) for v in values} == set(MODEL_CLASSES)  # (every class, and every field not compared set:)
    assert not [f"{cls.__name__}.{f.name}" for cls in MODEL_CLASSES for f in dataclasses.fields(cls)
                if not f.compare and all(getattr(v, f.name) == f.default for v in values if type(v) is cls)]
    back = pickle.loads(pickle.dumps(models, pickle.HIGHEST_PROTOCOL))
    assert back == models and repr(back) == repr(models)
    unpickled = list(_values(back))
    assert len(unpickled) == len(values)
    for old, new in zip(values, unpickled):
        assert type(new) is type(old) and list(vars(new).items()) == list(vars(old).items())
        if type(new) in INTERNED:
            assert new is interned(new)
        else:
            assert not _shares_keys(new), type(new).__name__


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: cls.__name__)
def test_pickling_keeps_every_field_of_every_model_class(cls):
    """Pickling reads a class's fields from the dataclass: a field added to it is pickled too."""
    value = made(cls, {f.name: f"{cls.__name__}.{f.name}" for f in dataclasses.fields(cls)})
    back = pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
    assert type(back) is cls and list(vars(back).items()) == list(vars(value).items())


def test_columns_alike_keep_their_own_name_and_comment():
    """Introspection makes a definition's fields once, whatever the name and the comment."""
    flavor = Flavor.from_version_string("8.0.36")
    definition = ("0", "NO", "int", None, None, "", "", None)  # COLUMN_DEFAULT … SRS_ID
    conn = _Rows([[("t", "a", "first", *definition), ("t", "b", "", *definition), ("u", "c", None, *definition)]])
    columns = _Reader(conn, "db", flavor)._columns()
    assert [(c.name, c.comment) for c in columns["t"] + columns["u"]] == [("a", "first"), ("b", ""), ("c", "")]
    a, b = columns["t"]
    assert (a.type, a.default, a.nullable) == (ColumnType("int"), Default("number", "0"), False)
    assert a.type is b.type is interned(ColumnType("int")) and a.default is b.default
    assert not _shares_keys(a) and not _shares_keys(b)


COLUMN_TYPES = [
    "int(11)", "int", "int(10) unsigned", "int(10) unsigned zerofill", "bigint(20) unsigned", "tinyint(1)", "bit(1)",
    "decimal(10,2)", "decimal(65,30) unsigned zerofill", "double", "double(10,2) unsigned", "float", "float(10,2)",
    "float unsigned", "char(0)", "char(36)", "varchar(255)", "varbinary(16)", "binary(16)", "tinytext", "text",
    "mediumtext", "longblob", "blob", "date", "datetime", "datetime(3)", "timestamp(6)", "time(2)", "year",
    "year(4)", "json", "geometry", "point", "inet6", "uuid", "vector(3)",
    "enum('a','b')", "enum('')", "enum('a','')", "enum(' a','b ')", "set('x')", "enum('a,b','c')", "enum('é','😀')",
    # read by parse_column_type: quoted or escaped values, and forms it reads otherwise
    "enum('it''s','b')", r"set('a\\b','c')", "enum(',',''',''')", "float(10)", "float(30)", "year(2)", "text(100)",
    "blob(10)", "varchar", "integer", "double precision", "INT(11)", "enum('a','b') binary",
]


@pytest.mark.parametrize("text", COLUMN_TYPES)
def test_column_types_decode_as_the_parser_reads_them(text):
    """Introspection decodes the plain COLUMN_TYPEs itself (``introspect.column_type``)."""
    try:
        expected = repr(parse_column_type(text))
    except SchemaApplyError as exc:
        expected = type(exc).__name__
    try:
        got = repr(column_type(text))
    except SchemaApplyError as exc:
        got = type(exc).__name__
    assert got == expected


# --------------------------------------------------------------------------
# Rows as JSON arrays (pure)
# --------------------------------------------------------------------------

class _Rows:
    def __init__(self, answers):
        self.answers = answers
        self.sent: list[str] = []

    def query(self, sql, params=()):
        self.sent.append(sql)
        return self.answers[len(self.sent) - 1]


def test_arrays_decode_to_tuples():
    assert rows_of_arrays([('["t", 1, null, "a\\"b"]',), (b'["u", 2, "x", ""]',)]) == \
        [("t", 1, None, 'a"b'), ("u", 2, "x", "")]
    assert rows_of_arrays([]) == []


def test_a_null_array_falls_back_to_rows():
    checks = RowRead(("TABLE_NAME", "CHECK_CLAUSE"), "FROM information_schema.CHECK_CONSTRAINTS WHERE x = %s")
    conn = _Rows([[('["t", "a > 0"]',), (None,)], [("t", "a > 0"), ("u", "b" * 10)]])
    assert read(conn, checks, ("db",), as_json=True) == [("t", "a > 0"), ("u", "b" * 10)]
    assert conn.sent == [checks.json_sql, checks.rows_sql]
    assert checks.json_sql.startswith("SELECT JSON_ARRAY(TABLE_NAME, CHECK_CLAUSE) FROM")
    assert "ORDER BY" not in checks.json_sql
    assert rows_of_arrays([("1",)]) is None and rows_of_arrays([("[1]2",)]) is None


# --------------------------------------------------------------------------
# On the server
# --------------------------------------------------------------------------

@pytest.mark.server
def test_live_model_is_the_slow_paths_model(server, databases, monkeypatch):
    db = databases.new(TRICKY)
    with guarded(server, db) as conn:
        fast = introspect(conn, db)
        if fast.flavor.json_chunks_match_rows:
            assert_json_rows_equal_rows(conn, db, fast.flavor)
        with monkeypatch.context() as patch:
            patch.setattr(Flavor, "json_chunks_match_rows", property(lambda flavor: False))  # every read as rows
            _afresh(patch)
            slow = introspect(conn, db)
    flavor = fast.flavor
    assert fast.schema == slow.schema, "\n".join(differences(slow.schema, fast.schema))
    assert repr(fast.schema) == repr(slow.schema)
    assert repr(normalize(fast.schema, flavor, database=db)) == repr(fast.schema)
    declared = normalize(parse_text(TRICKY, "tricky.sql", flavor.server).schema, flavor, database=db)
    assert declared == fast.schema, "\n".join(differences(declared, fast.schema))
    # as the plan gets it (pickled from the process that parsed it): equal types and defaults are
    # one object on both sides, which the diff finds identical without comparing them
    declared = pickle.loads(pickle.dumps(declared))
    for live_table, table in zip(fast.schema.tables, declared.tables):
        for live, col in zip(live_table.columns, table.columns):
            assert live.type is col.type, (table.name, col.name)
            # (an expression's text is kept: `CURRENT_TIMESTAMP` and `current_timestamp()` stay two)
            assert (live.default is col.default) is (repr(live.default) == repr(col.default)), (table.name, col.name)
            assert not _shares_keys(live)  # (see model.made)
    docs = fast.schema.table("docs")
    if flavor.json_is_longtext:  # the cases are there: folded JSON, long uniques, a key cut short
        assert [c.name for c in docs.columns if c.type.name == "json"] == ["attrs", "extra", "raw2"]
        assert docs.column("raw").type.name == "longtext"  # (its CHECK is not named after it)
        assert {i.name for i in docs.indexes if i.hashed} == {"uq_long", "uq_big"}
        assert docs.index("ix_wide").parts[0].length == 768
    assert [p.descending for p in fast.schema.table("mem").index("ix_b_desc").parts] == [flavor.supports_desc_index]
    assert [r.json_sql.split(" FROM ")[1].split()[0] for r in row_reads(flavor)][:2] == \
        ["information_schema.TABLES", "information_schema.STATISTICS"]
