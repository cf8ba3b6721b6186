"""What the user reads (issue 8, class 6): changes named as the DDL names them, a modified object
saying what differs, statements skipped said once on standard error, the "unexpected statement"
error listing every kind a Schemafile may hold, and `plan | head` ending quietly."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from schema_apply.channel import ClosedPipeSafe
from schema_apply.errors import SchemaApplyError
from schema_apply.parse.schemafile import DECLARES, SKIPPED, parse_text

from conftest import ROOT

KEYS_LIVE = ("CREATE TABLE t (id int NOT NULL, name varchar(255) NOT NULL, PRIMARY KEY (id), KEY name (name(100)))"
             " ENGINE=MyISAM DEFAULT CHARSET=utf8mb4;\n"
             "CREATE TABLE p (id int PRIMARY KEY) ENGINE=InnoDB;\n"
             "CREATE TABLE c (id int PRIMARY KEY, pid int, qid int) ENGINE=InnoDB;\n")
KEYS_DESIRED = ("SET NAMES utf8mb4;\nUSE other_db;\nDROP TABLE IF EXISTS t;\nSET FOREIGN_KEY_CHECKS = 0;\n"
                "CREATE TABLE t (id int NOT NULL, name varchar(255) NOT NULL, x int, PRIMARY KEY (id), KEY name (name),"
                " KEY x (x)) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4;\n"
                "CREATE TABLE p (id int PRIMARY KEY) ENGINE=InnoDB;\n"
                "CREATE TABLE c (id int PRIMARY KEY, pid int, qid int, FOREIGN KEY (pid) REFERENCES p (id),"
                " FOREIGN KEY (qid) REFERENCES p (id)) ENGINE=InnoDB;\n")


@pytest.mark.server
def test_changes_read_as_the_ddl_does(setup, cli):
    db, f, args = setup(KEYS_LIVE, KEYS_DESIRED)
    result = cli("plan", *args)
    assert result.exit_code == 2, result.output
    out = result.stdout
    assert "+ add index x on t (`x`)" in out and "index index" not in out
    # a modified key says what differs: the prefix the server would have kept
    assert "~ modify index name on t: (`name`(100)) -> (`name`(250))" in out
    # unnamed foreign keys are listed under the names the DDL gives them
    for name, column in (("c_ibfk_1", "pid"), ("c_ibfk_2", "qid")):
        assert f"+ add foreign key {name} on c ({column}) -> p (id)" in out
        assert f"ADD CONSTRAINT `{name}` FOREIGN KEY (`{column}`)" in out
    # SET, USE and DROP TABLE IF EXISTS: one note on standard error, naming each kind and its lines
    notes = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert len(notes) == 1, result.stderr
    assert "skipped 4 statement(s)" in notes[0]
    assert "SET at line 1 and 1 more" in notes[0] and "USE at line 2" in notes[0]
    assert "DROP TABLE IF EXISTS at line 3" in notes[0]
    assert "skipped" not in result.stdout
    applied = cli("apply", *args)
    assert applied.exit_code == 0, applied.output
    assert cli("plan", *args).exit_code == 0


# -- the "unexpected statement" error lists every kind accepted ------------------------------

# One statement of each kind the error lists, after `CREATE TABLE t (a int)`.
ACCEPTED = {
    "CREATE TABLE": "CREATE TABLE u (a int)",
    "CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX": "CREATE UNIQUE INDEX ia ON t (a)",
    "ALTER TABLE … ADD/MODIFY/table options": "ALTER TABLE t ADD COLUMN b int, MODIFY a bigint, ENGINE=InnoDB",
    "CREATE [OR REPLACE] VIEW": "CREATE OR REPLACE VIEW v AS SELECT a FROM t",
    "SET": "SET NAMES utf8mb4",
    "USE": "USE app",
    "CREATE DATABASE": "CREATE SCHEMA IF NOT EXISTS app",
    "ALTER DATABASE": "ALTER DATABASE CHARACTER SET utf8 COLLATE utf8_general_ci",
    "CREATE TRIGGER": "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1",
    "CREATE PROCEDURE": "CREATE PROCEDURE p() SET @x = 1",
    "CREATE FUNCTION": "CREATE FUNCTION f() RETURNS int DETERMINISTIC RETURN 1",
    "CREATE EVENT": "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO SET @x = 1",
    "DROP TABLE/VIEW/TRIGGER/PROCEDURE/FUNCTION/EVENT IF EXISTS": "DROP TRIGGER IF EXISTS gone",
    "ALTER TABLE … DISABLE/ENABLE KEYS": "ALTER TABLE t DISABLE KEYS",
    "START TRANSACTION": "START TRANSACTION",
    "BEGIN": "BEGIN",
    "COMMIT": "COMMIT",
    "SELECT … INTO @variable": "SELECT IF(1 > 0, 'ANSI', '') INTO @mode",
}


def test_every_listed_kind_is_accepted():
    assert set(ACCEPTED) == set(DECLARES) | set(SKIPPED)
    for kind, sql in ACCEPTED.items():
        parsed = parse_text(f"CREATE TABLE t (a int);\n{sql};\n")
        assert parsed.schema.tables, kind


def test_alter_database_is_skipped_as_create_database_is():
    """OXID eShop's database_schema.sql (6.0 on) begins with ALTER DATABASE CHARACTER SET utf8 COLLATE
    utf8_general_ci: the database's options are not managed, whichever statement sets them, so it is
    skipped with the note (it was refused as an unexpected statement)."""
    for sql in ("ALTER DATABASE CHARACTER SET utf8 COLLATE utf8_general_ci", "ALTER SCHEMA app DEFAULT CHARSET = latin1"):
        parsed = parse_text(f"{sql};\nCREATE TABLE t (a int);\n", "Schemafile.sql")
        assert [t.name for t in parsed.schema.tables] == ["t"]
        note = parsed.skipped_note()
        assert "ALTER DATABASE at line 1" in note and "the database managed is the one the connection names" in note


def test_the_unexpected_statement_error_lists_every_kind():
    with pytest.raises(SchemaApplyError) as caught:
        parse_text("CREATE TABLE t (a int);\nGRANT SELECT ON t TO x;\n")
    message = str(caught.value)
    assert "unexpected statement" in message and ":2" in message
    for kind in (*DECLARES, *SKIPPED):
        assert kind in message, kind


# -- `plan | head` --------------------------------------------------------------------------

@pytest.mark.server
def test_plan_into_a_closed_pipe_ends_quietly_with_its_exit_code(setup):
    many = "".join(f"CREATE TABLE t{i} (id int NOT NULL PRIMARY KEY, name varchar(50), KEY name (name));\n"
                   for i in range(1500))
    db, f, args = setup("CREATE TABLE t0 (id int NOT NULL PRIMARY KEY);", many)
    proc = subprocess.Popen([sys.executable, "-m", "schema_apply", "plan", *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # as `head -1` does: the rest (≈ 200 KB, more than a pipe holds) meets no reader
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 2, stderr
    assert first.startswith(b"plan: ")
    assert "BrokenPipe" not in stderr and "internal error" not in stderr and "Exception ignored" not in stderr


def test_a_closed_pipe_silences_the_stream_and_its_descriptor():
    read_end, write_end = os.pipe()
    os.close(read_end)
    raw = os.fdopen(write_end, "w")
    stream = ClosedPipeSafe(raw)
    assert stream.write("x" * 10) == 10
    stream.flush()  # the reader is gone: silenced, not raised
    assert stream.closed_pipe
    assert stream.write("more") == 4
    raw.write("the interpreter's own flush at exit")
    raw.flush()  # the descriptor now points at /dev/null
    raw.close()
