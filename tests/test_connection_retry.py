"""A metadata read that fails on the server's own housekeeping is sent once more; nothing else is.

MariaDB sometimes fails to delete the temporary file behind an information_schema read ("Error on
delete of '…#sql…MAI' (Errcode: 2)", error 6): the read itself changes nothing, so the guarded
connection sends it again once. DDL, and any other error, is never sent twice. The failure is made
here by a cursor that raises it once, on the real server's connection."""

from __future__ import annotations

import pymysql
import pytest

from conftest import guarded
from schema_apply.errors import ServerError
from schema_apply.introspect import detect_flavor


class _FailOnce:
    """The raw connection's cursor, raising ``code`` at the first statement that starts with ``prefix``."""

    def __init__(self, raw, code: int, prefix: str):
        self.raw, self.code, self.prefix, self.failed = raw, code, prefix, 0

    def cursor(self):
        outer, real = self, self.raw.cursor()
        execute = real.execute

        def failing(text, *args):
            if not outer.failed and text.lstrip().upper().startswith(outer.prefix):
                outer.failed += 1
                raise pymysql.err.InternalError(outer.code, "Error on delete of '/tmp/#sql-1_2.MAI' (Errcode: 2)")
            return execute(text, *args)

        real.execute = failing
        return real


def _with_failure(conn, code: int, prefix: str) -> _FailOnce:
    fake = _FailOnce(conn._raw, code, prefix)
    conn._raw = fake
    return fake


def test_a_metadata_read_is_sent_again_after_the_servers_housekeeping_failed(server, database):
    with guarded(server, database) as conn:
        fake = _with_failure(conn, 6, "SELECT")
        before = len(conn.sent)
        rows = conn.query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s", (database,))
        assert rows == [] and fake.failed == 1
        assert len(conn.sent) - before == 2  # both sends are on record (-vv shows them)


@pytest.mark.parametrize("code", [1146, 2013])
def test_other_errors_are_not_retried(server, database, code):
    with guarded(server, database) as conn:
        _with_failure(conn, code, "SELECT")
        before = len(conn.sent)
        with pytest.raises(ServerError):
            conn.query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s", (database,))
        assert len(conn.sent) - before == 1


def test_ddl_is_never_sent_twice(server, database):
    with guarded(server, database) as conn:
        conn.settle(detect_flavor(conn, database)[0])  # (DDL waits for the run's secrecy policy)
        _with_failure(conn, 6, "CREATE")
        before = len(conn.sent)
        with pytest.raises(ServerError):
            conn.execute("CREATE TABLE t (id int PRIMARY KEY)")
        assert len(conn.sent) - before == 1
        assert conn.query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s", (database,)) == []
