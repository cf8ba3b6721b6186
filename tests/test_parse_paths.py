"""The two ways a Schemafile is read give one result.

``parse_text`` reads a file without stored programs or delimiters statement by statement, a column
definition met before being one token that is not read again (``lexer.simple_statements``,
``schemafile._parse_simply``); any other file, and any file where that way stops (NotSimple, a
ParseError), the thorough way (``split_statements``: the whole file tokenized first). The fast way
must never succeed where the thorough way fails, and where it succeeds it must give the same model,
every field (source lines and rename annotations included: ``repr``), the same skipped statements
and database. Each text is read fast twice: cold, and with every definition already known (so that
each column definition that can be is a single DEFINITION token).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from schema_apply.errors import ParseError
from schema_apply.parse import schemafile
from schema_apply.parse.lexer import NotSimple, prepare, split_statements

import peer
import realworld

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import benchschema  # noqa: E402

DATA = Path(__file__).parent


def _texts() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for path in sorted((DATA / "cases").glob("*.yaml")):
        for name, case in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            for side in ("current", "desired"):
                if case and case.get(side):
                    out.append((f"{path.stem}:{name}:{side}", case[side]))
    for entry in yaml.safe_load((DATA / "data" / "grammar.yaml").read_text(encoding="utf-8")):
        out.append((f"grammar:{entry['clause']}", entry["sql"]))
    for case in peer.load():
        for side in ("current", "desired"):
            if case.data.get(side):
                out.append((f"sqldef:{case.id}:{side}", case.data[side]))
    out.append(("bench:200", benchschema.schema(200)))
    out.append(("bench:200:changed", benchschema.changed(200)))
    out.append(("tricky", TRICKY))
    return out


TRICKY = """
-- a ruler line the client drops
CREATE TABLE `a``b` (
  id int NOT NULL AUTO_INCREMENT,
  `select` varchar(20) NOT NULL DEFAULT 'x,y)' COMMENT 'a ; in a comment',
  n decimal(10,2) NOT NULL DEFAULT '0.00',
  e enum('a,b','c)') NOT NULL DEFAULT 'a,b',
  g int GENERATED ALWAYS AS (n * 2) VIRTUAL, -- @renamed from=old_g
  k int NOT NULL DEFAULT -1 /* a comment in the definition */,
  u int UNIQUE,
  r int REFERENCES other (id),
  c int CHECK (c > 0),
  PRIMARY KEY (id)
) ENGINE=InnoDB;
CREATE TABLE b2 (
  id int NOT NULL AUTO_INCREMENT,
  `select` varchar(20) NOT NULL DEFAULT 'x,y)' COMMENT 'a ; in a comment',
  n decimal(10,2) NOT NULL DEFAULT '0.00',
  e enum('a,b','c)') NOT NULL DEFAULT 'a,b',
  g int GENERATED ALWAYS AS (n * 2) VIRTUAL,
  `two
lines` int NOT NULL DEFAULT -1,
  k int NOT NULL DEFAULT -1,
  u int UNIQUE,
  w text CHARACTER SET latin1 COLLATE latin1_bin,
  PRIMARY KEY (id)
) ENGINE=InnoDB;
CREATE TABLE other (id int PRIMARY KEY, w text CHARACTER SET latin1 COLLATE latin1_bin);
CREATE INDEX ix ON b2 (n);
ALTER TABLE other ADD COLUMN z int NOT NULL DEFAULT -1;
CREATE TABLE keyed1 (
  a varchar(20) NOT NULL,
  `b` int NOT NULL,
  PRIMARY KEY (a),
  UNIQUE KEY u1 (a(10) DESC, `b`),
  KEY k1(b),
  UNIQUE u2 ( a ),
  KEY `using` (b),
  INDEX i1 (a, b) USING BTREE
);
CREATE TABLE keyed2 (
  a varchar(20) NOT NULL,
  `b` int NOT NULL,
  PRIMARY KEY pk (a),
  UNIQUE INDEX u1 (a(10) DESC, `b`),
  KEY k2(b) COMMENT 'the b',
  INDEX i2 (a, b) USING BTREE, key k3 (b),
  unique key u2 ( a ),
  KEY `using` (b),
  CONSTRAINT c1 CHECK (b > 0),
  KEY k4 (b)
);
CREATE TABLE opt1 (id int) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE opt2 (id int, KEY k (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE opt3 (id int, CONSTRAINT c CHECK (id > 0)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE opt4 (id int) ENGINE=InnoDB COMMENT='a)b';
CREATE TABLE opt5 (id int) ENGINE=InnoDB COMMENT='a)b';
CREATE TABLE opt6 (id int) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 PARTITION BY HASH (id) PARTITIONS 2;
CREATE TABLE opt7 (id int) PARTITION BY KEY (id) (PARTITION p0 ENGINE=InnoDB);
CREATE TABLE opt8 (id int)
  ENGINE=InnoDB
  DEFAULT CHARSET=utf8mb4;
CREATE TABLE opt9 (id int) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /* a comment */;
CREATE TABLE opt10 (id int) , ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE commented (
  a int NOT NULL DEFAULT '0' COMMENT 'the a',
  b int NOT NULL DEFAULT '0' COMMENT 'it''s b',
  c int NOT NULL DEFAULT '0' comment   'two
lines',
  `d``q` int NOT NULL DEFAULT '0' COMMENT '',
  e int NOT NULL DEFAULT '0' COMMENT 'x' COMMENT 'the e',
  f int NOT NULL DEFAULT '0' COMMENT 'x' 'y',
  g int NOT NULL DEFAULT '0' COMMENT 'x' NULL,
  h varchar(9) DEFAULT 'a COMMENT ''' COMMENT 'h',
  i varchar(9) DEFAULT 'a COMMENT ' COMMENT 'i',
  j varchar(9) DEFAULT 'a COMMENT ''' COMMENT 'j',
  l int NOT NULL DEFAULT '0' COMMENT 'the l', -- @renamed from=old_l
  k int NOT NULL DEFAULT '0' COMMENT 'a\\b',
  m int UNIQUE COMMENT 'm',
  n int UNIQUE COMMENT 'n'
);
"""

TEXTS = _texts()


def _thorough(text: str, file: str):
    """The thorough reading: (its result as compared, the definitions its reader met)."""
    builder = schemafile._SchemaBuilder(file, annotations="@renamed" in text)
    for stmt in split_statements(text, file):
        builder.statement(stmt)
    reader = builder.reader
    return (repr(builder.build()), builder.skipped, builder.database), (reader.definitions, reader.commented,
                                                                        reader.parts, reader.table_options)


def _fast(text: str, file: str, known: tuple[dict, dict, dict, dict] | None = None):
    parsed = schemafile._parse_simply(text, file, prepare(text, file)[0], known)
    return repr(parsed.schema), parsed.skipped, parsed.database


@pytest.mark.parametrize("name,text", [pytest.param(n, t, id=n) for n, t in TEXTS])
def test_fast_and_thorough_readings_agree(name, text):
    try:
        thorough, known = _thorough(text, "Schemafile.sql")
    except ParseError:
        thorough, known = None, None
    if prepare(text, "Schemafile.sql")[1]:
        return  # DELIMITER: only the thorough way reads it
    # cold, then with every definition the file declares known before reading it
    for definitions in (None, known) if known is not None else (None,):
        try:
            fast = _fast(text, "Schemafile.sql", definitions and tuple(dict(known) for known in definitions))
        except (NotSimple, ParseError):
            continue  # parse_text goes the thorough way
        assert thorough is not None, "the fast reading accepted what the thorough one refuses"
        assert fast == thorough


def test_the_fast_reading_makes_definitions_one_token():
    text = benchschema.schema(50)
    parsed = schemafile._parse_simply(text, "x.sql", prepare(text, "x.sql")[0])
    assert parsed.schema.tables
    from schema_apply.parse.lexer import DEFINITION, simple_statements
    known = {"bigint unsigned NOT NULL AUTO_INCREMENT"}
    tokens = [t for stmt in simple_statements(text, "x.sql", text, known.__contains__) for t in stmt.tokens]
    first_ids = text.count("(\n  id bigint unsigned NOT NULL AUTO_INCREMENT,")  # a table's first definition
    assert first_ids > 10
    assert sum(1 for t in tokens if t.token_type is DEFINITION) == first_ids


def test_the_fast_reading_makes_definitions_met_but_for_their_comment_one_token():
    from schema_apply.parse.lexer import COMMENTED, simple_statements
    text = TRICKY[TRICKY.index("CREATE TABLE commented"):]
    _, (definitions, commented, _, _) = _thorough(text, "x.sql")
    assert "int NOT NULL DEFAULT '0'" in commented and "varchar(9) DEFAULT 'a COMMENT '" in commented
    assert not any(known.startswith("int UNIQUE") for known in commented)  # (an inline key: read every time)
    tokens = [t for stmt in simple_statements(text, "x.sql", text, {}.__contains__, commented.__contains__)
              for t in stmt.tokens]
    assert [t.text for t in tokens if t.token_type is COMMENTED] == [
        "int NOT NULL DEFAULT '0'"] * 4 + [  # a, b, c, `d``q`
        "int NOT NULL DEFAULT '0' COMMENT 'x'",  # e: the last COMMENT
        "varchar(9) DEFAULT 'a COMMENT '''", "varchar(9) DEFAULT 'a COMMENT '",  # h, i
        "varchar(9) DEFAULT 'a COMMENT '''", "int NOT NULL DEFAULT '0'"]  # j, l (k: a backslash: the rest is scanned)
    parsed = schemafile._parse_simply(text, "x.sql", prepare(text, "x.sql")[0], ({}, dict(commented), {}, {}))
    table = parsed.schema.tables[0]
    assert [(c.name, c.comment, c.line) for c in table.columns][:5] == \
        [("a", "the a", 2), ("b", "it's b", 3), ("c", "two\nlines", 4), ("d`q", "", 6), ("e", "the e", 7)]
    assert table.column("l").renamed_from == "old_l" and table.column("f").comment == "xy"
    assert _fast(text, "x.sql", ({}, dict(commented), {}, {})) == _thorough(text, "x.sql")[0]


def test_the_fast_reading_makes_parts_met_before_one_token():
    from schema_apply.parse.lexer import PARTS, simple_statements
    text = TRICKY[TRICKY.index("CREATE TABLE keyed1"):TRICKY.index("CREATE TABLE commented")]
    _, (_, _, parts, _) = _thorough(text, "x.sql")
    known = {"(a)", "(a(10) DESC, `b`)", "(b)", "(a, b)", "( a )"}
    assert known <= parts.keys()
    tokens = [t for stmt in simple_statements(text, "x.sql", text, {}.__contains__, {}.__contains__,
                                              known.__contains__) for t in stmt.tokens]
    # the keys after the columns up to the first with options (i1's USING, k2's COMMENT): the rest is scanned
    assert [(t.text, t.line) for t in tokens if t.token_type is PARTS] == [
        ("(a)", 4), ("(a(10) DESC, `b`)", 5), ("(b)", 6), ("( a )", 7), ("(b)", 8),
        ("(a)", 14), ("(a(10) DESC, `b`)", 15)]
    assert _fast(text, "x.sql", ({}, {}, {k: parts[k] for k in known}, {})) == _thorough(text, "x.sql")[0]


def test_the_fast_reading_makes_table_options_met_before_one_token():
    from schema_apply.parse.lexer import OPTIONS, simple_statements
    text = TRICKY[TRICKY.index("CREATE TABLE opt1"):TRICKY.index("CREATE TABLE commented")]
    _, (_, _, _, options) = _thorough(text, "x.sql")
    assert set(options) == {"ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", "ENGINE=InnoDB COMMENT='a)b'",
                            "ENGINE=InnoDB\n  DEFAULT CHARSET=utf8mb4", ", ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"}
    statements = list(simple_statements(text, "x.sql", text, {}.__contains__, {}.__contains__, {}.__contains__,
                                        options.__contains__))
    # after a key or a CHECK too, with a ")" in a string; not with PARTITION BY or a comment
    assert [(stmt.tokens[2].text, stmt.tokens[-1].line) for stmt in statements if stmt.tokens[-1].token_type is OPTIONS
            ] == [("opt1", 1), ("opt2", 2), ("opt3", 3), ("opt4", 4), ("opt5", 5), ("opt8", 9), ("opt10", 12)]
    assert _fast(text, "x.sql", ({}, {}, {}, dict(options))) == _thorough(text, "x.sql")[0]


APPS = realworld.load_manifest()


@pytest.mark.parametrize("app", APPS, ids=[a.name for a in APPS])
def test_realworld_files_read_alike(app):
    realworld.assembled_or_skip(app)
    for side in app.sides:
        text = realworld.cached(app, side).read_text(encoding="utf-8", errors="replace")
        test_fast_and_thorough_readings_agree(f"{app.name}:{side}", text)


BOXED_HEADER = "#" * 75 + "\n" + ("#" + " " * 73 + "#\n") * 12


@pytest.mark.parametrize("rest", [
    "",                                              # a file of comments only
    "DROP TABLE IF EXISTS t;\nCREATE TABLE t (id int);\n",  # a statement that is not CREATE TABLE
    "CREATE TABLE t (id int);\n" + BOXED_HEADER,     # comments after the last statement
    "CREATE TABLE t (id int);\n" + BOXED_HEADER + "CREATE VIEW v AS SELECT id FROM t;\n",
])
def test_comment_runs_are_read_in_linear_time(rest):
    """Boxed comment headers ("#   …   #" lines) before a statement that is not a CREATE TABLE were
    retried in every way of splitting them into spaces and comments — exponentially many: a file
    of 13 such lines never finished. Run in a child process with a deadline, so a regression fails
    instead of hanging the suite."""
    import subprocess
    code = ("import sys; from schema_apply.parse.schemafile import parse_text\n"
            "try: parse_text(sys.stdin.read(), 'S.sql')\n"
            "except Exception as exc: print(type(exc).__name__)\n")
    done = subprocess.run([sys.executable, "-c", code], input=BOXED_HEADER + rest, text=True, capture_output=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
