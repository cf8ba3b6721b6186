"""Work done aside in a forked process (schema_apply.aside): the same value, the same errors, the
same output as without it — and the parent's database connection untouched by the child."""

from __future__ import annotations

import os
import time

import pytest

from schema_apply import aside, declared
from schema_apply.aside import Aside
from schema_apply.errors import ParseError

TABLES = "".join(f"CREATE TABLE t{k} (id int PRIMARY KEY, name varchar(20) NOT NULL DEFAULT '');\n"
                 for k in range(20))


@pytest.fixture
def two_cpus(monkeypatch):
    """Fork whatever the machine (a one-CPU machine would run everything inline)."""
    monkeypatch.setattr(aside, "_cpus", lambda: 2)
    monkeypatch.delenv("SCHEMA_APPLY_NO_FORK", raising=False)


@pytest.fixture
def parse_aside_always(monkeypatch, two_cpus):
    monkeypatch.setattr(declared, "PARSE_ASIDE_FROM", 0)


def _pid_and(value):
    return os.getpid(), value


def _fail(message):
    raise ParseError(message, file="Schemafile.sql", line=7)


def test_the_value_comes_from_a_child(two_cpus):
    work = Aside(_pid_and, {"a": (1, 2)})
    assert work.forked
    pid, value = work.result()
    assert pid != os.getpid() and value == {"a": (1, 2)}


def test_no_fork_without_a_second_cpu(monkeypatch):
    monkeypatch.setattr(aside, "_cpus", lambda: 1)
    work = Aside(_pid_and, 1)
    assert not work.forked
    assert work.result() == (os.getpid(), 1)


def test_no_fork_when_asked(two_cpus, monkeypatch):
    monkeypatch.setenv("SCHEMA_APPLY_NO_FORK", "1")
    assert not Aside(_pid_and, 1).forked


def test_an_error_is_raised_here_as_it_would_be(two_cpus):
    work = Aside(_fail, "unexpected token")
    assert work.forked
    with pytest.raises(ParseError) as caught:
        work.result()
    assert "unexpected token" in str(caught.value) and caught.value.line == 7


def test_a_value_that_does_not_pickle_is_computed_here(two_cpus):
    work = Aside(lambda: (os.getpid(), lambda: None))
    assert work.forked
    pid, fn = work.result()
    assert pid == os.getpid() and callable(fn)


@pytest.mark.parametrize("work", [lambda: Aside(time.sleep, 30), lambda: Aside(_with_told, "a-", told=True)],
                         ids=["working", "waiting to be told"])
def test_cancel_stops_the_child(two_cpus, work):
    work = work()
    pid = work._pid
    started = time.monotonic()
    work.cancel()
    assert time.monotonic() - started < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _with_told(prefix, told):
    return os.getpid(), prefix + told()


def _told_twice(told):
    return told() + told()


def test_what_is_told_after_the_fork_reaches_the_child(two_cpus):
    work = Aside(_with_told, "a-", told=True)
    assert work.forked
    time.sleep(0.05)  # the child is waiting in told()
    work.tell("b")
    pid, value = work.result()
    assert pid != os.getpid() and value == "a-b"


def test_told_is_read_once_in_the_child(two_cpus):
    work = Aside(_told_twice, told=True)
    work.tell("x")
    assert work.result() == "xx"


def test_told_without_a_fork(monkeypatch):
    monkeypatch.setattr(aside, "_cpus", lambda: 1)
    work = Aside(_with_told, "a-", told=True)
    assert not work.forked
    work.tell("b")
    assert work.result() == (os.getpid(), "a-b")


def test_a_value_never_told_is_a_callers_bug_raised_here(two_cpus):
    work = Aside(_with_told, "a-", told=True)
    with pytest.raises(aside.NeverTold):
        work.result()  # the child stops waiting when the pipe closes; the work is done here, and fails


def test_a_told_value_that_does_not_pickle_is_used_here(two_cpus):
    work = Aside(_with_told, "a-", told=True)

    class Local(str):  # a class defined in a function does not pickle
        pass
    work.tell(Local("b"))
    pid, value = work.result()
    assert pid == os.getpid() and value == "a-b"


def test_the_value_is_received_while_the_parent_works(two_cpus):
    """The parent unpickles in a thread as the child sends: result() then only joins it."""
    work = Aside(_pid_and, list(range(200_000)))
    deadline = time.monotonic() + 10
    while work._receiver.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)  # the parent "works"; nobody has asked for the result yet
    assert not work._receiver.is_alive()
    assert work.result()[1] == list(range(200_000))


def _outcome(cli, args):
    result = cli(*args)
    return result.exit_code, result.stdout, result.stderr


def _planned_alike(cli, monkeypatch, args):
    """The plan's outcome (exit code, stdout, stderr), the same with the Schemafile parsed in this
    process and in a child."""
    monkeypatch.setattr(declared, "PARSE_ASIDE_FROM", 10 ** 9)
    inline = _outcome(cli, ["plan", *args])
    monkeypatch.setattr(declared, "PARSE_ASIDE_FROM", 0)
    assert _outcome(cli, ["plan", *args]) == inline
    return inline


def test_plan_is_the_same_with_the_schemafile_parsed_aside(setup, cli, monkeypatch, two_cpus):
    """The child inherits the database connection: it must leave it alone (the parent goes on
    using it after the child is gone), and the plan, notes and exit code are unchanged."""
    desired = "USE somewhere;\n" + TABLES + "CREATE TABLE extra (id int PRIMARY KEY);\n"
    _, _, args = setup(TABLES, desired)
    monkeypatch.setattr(declared, "PARSE_ASIDE_FROM", 10 ** 9)
    inline = _outcome(cli, ["plan", *args])
    monkeypatch.setattr(declared, "PARSE_ASIDE_FROM", 0)
    forked = _outcome(cli, ["plan", *args])
    assert forked == inline
    assert inline[0] == 2 and "CREATE TABLE `extra`" in inline[1]
    assert "skipped 1 statement(s)" in inline[2]
    # the connection the child inherited still works: a second plan in the same process, and an apply
    assert _outcome(cli, ["plan", *args]) == inline
    assert cli("apply", *args).exit_code == 0
    assert cli("plan", *args).exit_code == 0


def test_a_schemafile_error_is_the_same_when_parsed_aside(setup, cli, monkeypatch, two_cpus):
    _, _, args = setup(TABLES, TABLES + "CREATE TABLE broken (id int PRIMARY KEY,, x int);\n")
    inline = _planned_alike(cli, monkeypatch, args)
    assert inline[0] == 1 and "Schemafile.sql:21:41: table broken" in inline[2]


def test_diff_of_two_files_read_at_once(tmp_path, cli, parse_aside_always):
    old, new = tmp_path / "old.sql", tmp_path / "new.sql"
    old.write_text(TABLES)
    new.write_text(TABLES + "CREATE TABLE extra (id int PRIMARY KEY);\n")
    result = cli("diff", str(old), str(new))
    assert result.exit_code == 2 and "CREATE TABLE `extra`" in result.stdout
    # both files wrong: the "from" file's error first, as when they are read one after the other
    old.write_text("CREATE TABLE a (id int,,);\n")
    new.write_text("CREATE TABLE b (id int,,);\n")
    result = cli("diff", str(old), str(new))
    assert result.exit_code != 0 and str(old) in result.stderr and str(new) not in result.stderr


VERSIONED = ("/*!40101 SET NAMES utf8mb4 */;\n" + TABLES
             + "CREATE TABLE versioned (id int PRIMARY KEY /*M!100300 , note varchar(5) */ /*!90000 , y int */);\n")


def test_a_schemafile_with_versioned_comments_waits_for_the_server(setup, cli, monkeypatch, two_cpus):
    """Which versioned comments are code depends on the server, told to the child after it connected:
    the same plan forked and inline (MariaDB runs the /*M! column, no server here runs the 9.0 one)."""
    _, _, args = setup(TABLES, VERSIONED)
    inline = _planned_alike(cli, monkeypatch, args)
    assert inline[0] == 2 and "`y`" not in inline[1]


@pytest.fixture
def children(monkeypatch) -> list[int]:
    """The pids of the children ``aside`` forks from now on."""
    pids: list[int] = []
    fork = os.fork

    def recorded_fork():
        pid = fork()
        if pid:
            pids.append(pid)
        return pid
    monkeypatch.setattr(aside.os, "fork", recorded_fork)
    return pids


def test_no_child_is_left_when_the_connection_fails(tmp_path, cli, monkeypatch, parse_aside_always, children):
    """The child starts before the connection; a connection that fails stops it (nothing waits)."""
    schema = tmp_path / "Schemafile.sql"
    schema.write_text(TABLES)
    args = ["plan", "--schema-file", str(schema), "--database-url", "mysql://nobody@127.0.0.1:1/x"]
    forked = _outcome(cli, args)
    assert forked[0] == 1 and "cannot connect to 127.0.0.1:1" in forked[2]
    assert len(children) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(children[0], os.WNOHANG)  # stopped and reaped: not even a zombie is left
    monkeypatch.setattr(declared, "PARSE_ASIDE_FROM", 10 ** 9)
    assert _outcome(cli, args) == forked


MARIADB = ("mariadb", (10, 11, 6))
MYSQL = ("mysql", (8, 0, 36))


@pytest.mark.parametrize("text, server, alike", [
    (TABLES, MARIADB, True),
    ("/*!40101 SET NAMES utf8mb4 */;\n" + TABLES, MARIADB, True),  # run by every server
    ("/*!40101 SET NAMES utf8mb4 */;\n" + TABLES, MYSQL, True),
    ("CREATE TABLE t (id int /*!90000 , y int */);", MARIADB, False),  # a comment to 10.11
    ("CREATE TABLE t (id int /*!80000 , y int */);", MYSQL, True),
    ("CREATE TABLE t (id int /*M!100300 , y int */);", MYSQL, False),  # MySQL ignores /*M!
    ("CREATE TABLE t (id int /*!50700 , y int */);", MARIADB, False),  # MariaDB keeps 5.7+ for MySQL
    ("CREATE TABLE t (c varchar(9) DEFAULT '/*!90000 x */');", MARIADB, True),  # in a string: no comment
])
def test_a_parse_before_the_server_is_known(text, server, alike):
    from schema_apply.parse.schemafile import parse_text, parses_alike
    assert parses_alike(text, server) is alike
    if alike:
        assert repr(parse_text(text, "f.sql", server)) == repr(parse_text(text, "f.sql"))


def test_an_error_only_without_the_server_is_no_error(setup, cli, monkeypatch, two_cpus):
    """Parsed before the server is known, /*!90000 ,, */ is code and an error; MariaDB 10.11 leaves it a
    comment, and so does the plan (the file is parsed again for the server)."""
    desired = TABLES + "CREATE TABLE later (id int PRIMARY KEY /*!90000 ,, nonsense */);\n"
    _, _, args = setup(TABLES, desired)
    inline = _planned_alike(cli, monkeypatch, args)
    assert inline[0] == 2 and "CREATE TABLE `later`" in inline[1]


def test_an_error_in_a_comment_the_server_runs_is_the_same(setup, cli, monkeypatch, two_cpus):
    desired = TABLES + "CREATE TABLE later (id int PRIMARY KEY /*!40101 ,, nonsense */);\n"
    _, _, args = setup(TABLES, desired)
    inline = _planned_alike(cli, monkeypatch, args)
    assert inline[0] == 1 and "Schemafile.sql:21:" in inline[2]


def _lock_is_free(server, db) -> bool:
    conn = server.connect()
    with conn.cursor() as cur:
        cur.execute("SELECT IS_FREE_LOCK(%s)", (f"schema-apply/{db}",))
        free = cur.fetchone()[0] == 1
    conn.close()
    return free


def test_apply_reads_the_live_schema_while_the_schemafile_is_parsed_aside(setup, server, cli, parse_aside_always,
                                                                          children):
    """apply forks the Schemafile's side before it connects, and (the lock being free) reads the live
    schema under the lock meanwhile: the same changes, applied, then nothing left."""
    db, _, args = setup(TABLES, TABLES + "CREATE TABLE extra (id int PRIMARY KEY);\n")
    applied = _outcome(cli, ["apply", *args])
    assert applied[0] == 0 and "CREATE TABLE `extra`" in applied[1], applied
    assert len(children) == 1
    assert cli("plan", *args).exit_code == 0 and _lock_is_free(server, db)


@pytest.mark.parametrize("held", [False, True], ids=["lock free", "lock held by another run"])
def test_a_bad_schemafile_fails_apply_at_once_and_changes_nothing(setup, server, cli, parse_aside_always, held):
    """A Schemafile error ends apply with that error (exit 1) whether the lock was free (it was taken
    while the file was parsed aside, and is given back) or held by another run (the file is read
    before waiting for it: no wait of --lock-timeout, no "busy")."""
    db, _, args = setup(TABLES, TABLES + "CREATE TABLE broken (id int PRIMARY KEY,, x int);\n")
    other = server.connect()
    try:
        if held:
            with other.cursor() as cur:
                cur.execute("SELECT GET_LOCK(%s, 0)", (f"schema-apply/{db}",))
                assert cur.fetchone()[0] == 1
        started = time.monotonic()
        code, out, err = _outcome(cli, ["apply", "--lock-timeout", "30", *args])
        assert code == 1 and "Schemafile.sql:21:41: table broken" in err, (code, out, err)
        assert time.monotonic() - started < 20  # not the lock's 30 s
    finally:
        other.close()
    conn = server.connect(db)
    with conn.cursor() as cur:
        cur.execute("SHOW TABLES")
        assert sorted(name for (name,) in cur.fetchall()) == sorted(f"t{k}" for k in range(20))
    conn.close()
    assert _lock_is_free(server, db)
