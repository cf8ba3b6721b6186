"""The attacks of issue 9 on the real server: each is shown to work when root does it (the positive
control: the object really hands out secret rows), and refused (exit 3, nothing built, nothing read)
when a Schemafile asks schema-apply to build it — as a non-root administrator who could read every
row, and as the DDL-only user.

Also the lists of built-in functions against the server itself (the server is the oracle): every
name the firewall lets a view call on MariaDB is a built-in there, with and without arguments.
"""

from __future__ import annotations

import json

import pymysql
import pytest

from conftest import show_create
from schema_apply.firewall import builtins
from secret_helpers import Canary, Transcript, check_logged, mysql_user, plant_rows, root_execute

pytestmark = pytest.mark.server

USERS = """
CREATE TABLE shops (id bigint NOT NULL PRIMARY KEY, name varchar(50));
CREATE TABLE secret_users (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(255) NOT NULL,
  UNIQUE KEY uq_email (email));
"""
GRANTS = {
    "admin": lambda db: ["ALL PRIVILEGES ON *.*"],
    "ddl-only": lambda db: [f"CREATE, ALTER, DROP, INDEX, REFERENCES, CREATE VIEW, SHOW VIEW ON `{db}`.*"],
}


def _database(server, databases, canary: Canary) -> str:
    db = databases.new(USERS, prefix="sa_fw")
    plant_rows(server, db, "shops", ("id", "name"), [(1, "acme")], canary)
    plant_rows(server, db, "secret_users", ("id", "email"), [(1, "{M}@example.com"), (2, "{M}-2@example.com")], canary)
    return db


def _objects(server, db: str) -> set[str]:
    return {name for (name,) in root_execute(server, "SELECT TABLE_NAME FROM information_schema.TABLES"
                                                     " WHERE TABLE_SCHEMA = %s", (db,))}


def _refused(server, db, cli, tmp_path, general_log, canary, grant: str, addition: str, built: str) -> dict:
    """A Schemafile that adds ``addition`` (building ``built``) is refused with exit 3 in every
    command, by a user of ``grant``: nothing is built, nothing leaks, the log holds no DDL."""
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(USERS + addition)
    before = show_create(server, db), _objects(server, db)
    t = Transcript(cli)
    with mysql_user(server, GRANTS[grant](db)) as user:
        args = ["--schema-file", str(schemafile), "--database-url", user.url(db), "--allow-drop",
                "--allow-secret-dependent"]
        for fmt in ("text", "json", "markdown", "sql"):
            t.run("plan", *args, "--format", fmt, "-vv", expect=3)
        applied = t.run("apply", *args, "--format", "json", "-vv", expect=3)
        t.run("apply", *args, "-vv", expect=3)
        queries = check_logged(general_log.entries(user.name), database=db)
        t.assert_clean(canary, user)
    assert queries and not any(q.lstrip().upper().startswith(("CREATE", "ALTER", "DROP")) for q in queries), queries
    assert (show_create(server, db), _objects(server, db)) == before and built not in _objects(server, db)
    doc = json.loads(applied.stdout)
    assert doc["exit_code"] == 3 and doc["refused"] and not doc["statements"], doc
    return doc["refused"][0]


# --------------------------------------------------------------------------------------------------
# 1. A non-secret view over the server's column statistics
# --------------------------------------------------------------------------------------------------

STATS_VIEW = ("CREATE VIEW stats_v AS SELECT db_name, table_name, column_name, min_value, max_value"
              " FROM mysql.column_stats;\n")


def test_positive_control_a_view_over_column_statistics_shows_secret_values(server, databases, canary):
    db = _database(server, databases, canary)
    root_execute(server, "ANALYZE TABLE secret_users PERSISTENT FOR ALL", database=db)
    try:
        root_execute(server, STATS_VIEW.rstrip(";\n"), database=db)
        rows = root_execute(server, "SELECT * FROM stats_v WHERE db_name = %s", (db,), database=db)
        assert any(canary.marker in str(value) for row in rows for value in row), rows
    finally:
        root_execute(server, "DELETE FROM mysql.column_stats WHERE db_name = %s", (db,))


@pytest.mark.parametrize("grant", GRANTS)
def test_a_view_over_column_statistics_is_refused(grant, server, databases, cli, tmp_path, general_log, canary):
    db = _database(server, databases, canary)
    refusal = _refused(server, db, cli, tmp_path, general_log, canary, grant, STATS_VIEW, "stats_v")
    assert refusal["table"] == "stats_v" and "`mysql`.`column_stats`, in the system schema mysql" in refusal["reason"]


# --------------------------------------------------------------------------------------------------
# 2. A non-secret view calling a stored function that reads a secret table
# --------------------------------------------------------------------------------------------------

FUNCTION = ("CREATE FUNCTION user_email(i bigint) RETURNS varchar(255) READS SQL DATA"
            " RETURN (SELECT email FROM secret_users WHERE id = i)")
EMAILS_VIEW = "CREATE VIEW all_emails AS SELECT s.id, {call}(s.id) AS e FROM shops s;\n"


def test_positive_control_a_view_calling_a_stored_function_shows_secret_values(server, databases, canary):
    db = _database(server, databases, canary)
    root_execute(server, FUNCTION, database=db)
    root_execute(server, EMAILS_VIEW.format(call=f"`{db}`.user_email").rstrip(";\n"), database=db)
    rows = root_execute(server, "SELECT e FROM all_emails", database=db)
    assert rows and canary.marker in rows[0][0]


@pytest.mark.parametrize("call", ["{db}.user_email", "user_email", "`user_email`", "`{db}`.`user_email`"])
@pytest.mark.parametrize("grant", GRANTS)
def test_a_view_calling_a_stored_function_is_refused(grant, call, server, databases, cli, tmp_path, general_log,
                                                     canary):
    db = _database(server, databases, canary)
    root_execute(server, FUNCTION, database=db)
    # the Schemafile declares the live function as it is (an undeclared one would be dropped)
    refusal = _refused(server, db, cli, tmp_path, general_log, canary, grant,
                       FUNCTION + ";\n" + EMAILS_VIEW.format(call=call.format(db=db)), "all_emails")
    assert "user_email" in refusal["reason"] and "stored function" in refusal["reason"]


# --------------------------------------------------------------------------------------------------
# 3. A view over information_schema's row counts, counters and sizes (works under the DDL-only grant)
# --------------------------------------------------------------------------------------------------

SIZES_VIEW = ("CREATE VIEW table_sizes AS SELECT TABLE_NAME, TABLE_ROWS, AUTO_INCREMENT, DATA_LENGTH, UPDATE_TIME"
              " FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE();\n")


def test_positive_control_information_schema_shows_the_figures_of_secret_tables(server, databases, canary):
    db = _database(server, databases, canary)
    root_execute(server, f"ALTER TABLE secret_users AUTO_INCREMENT = {canary.counter}", database=db)
    with mysql_user(server, GRANTS["ddl-only"](db)) as user:
        conn = pymysql.connect(host=server.host, port=server.port, user=user.name, password=user.password, database=db)
        with conn.cursor() as cur:
            cur.execute(SIZES_VIEW.rstrip(";\n"))  # the DDL-only user may build it…
        conn.close()
        rows = root_execute(server, "SELECT TABLE_NAME, AUTO_INCREMENT FROM table_sizes", database=db)
    assert ("secret_users", canary.counter) in rows  # …and whoever reads it learns the counter


@pytest.mark.parametrize("grant", GRANTS)
def test_a_view_over_information_schema_is_refused(grant, server, databases, cli, tmp_path, general_log, canary):
    db = _database(server, databases, canary)
    root_execute(server, f"ALTER TABLE secret_users AUTO_INCREMENT = {canary.counter}", database=db)
    refusal = _refused(server, db, cli, tmp_path, general_log, canary, grant, SIZES_VIEW, "table_sizes")
    assert "`information_schema`.`TABLES`" in refusal["reason"]


# --------------------------------------------------------------------------------------------------
# 4. A foreign key from a non-secret table into a secret one: an oracle, and a copy on update
# --------------------------------------------------------------------------------------------------

PROBE = ("CREATE TABLE probe (email varchar(255), CONSTRAINT fk FOREIGN KEY (email) REFERENCES secret_users (email)"
         " ON UPDATE CASCADE);\n")


def test_positive_control_a_foreign_key_is_an_oracle_on_secret_values(server, databases, canary):
    db = _database(server, databases, canary)
    root_execute(server, PROBE.rstrip(";\n"), database=db)
    root_execute(server, "INSERT INTO probe VALUES (%s)", (f"{canary.marker}@example.com",), database=db)  # exists
    with pytest.raises(pymysql.err.IntegrityError):
        root_execute(server, "INSERT INTO probe VALUES ('nobody@example.com')", database=db)  # does not


@pytest.mark.parametrize("grant", GRANTS)
def test_a_foreign_key_into_a_secret_table_is_refused(grant, server, databases, cli, tmp_path, general_log, canary):
    db = _database(server, databases, canary)
    refusal = _refused(server, db, cli, tmp_path, general_log, canary, grant, PROBE, "probe")
    assert refusal["table"] == "probe" and "references secret table `secret_users`" in refusal["reason"]


# --------------------------------------------------------------------------------------------------
# 8. A change to a secret table whose success depends on its rows is refused without the flag
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("grant", GRANTS)
def test_a_check_on_a_secret_table_is_refused_without_the_flag(grant, server, databases, cli, tmp_path, general_log,
                                                               canary):
    db = _database(server, databases, canary)
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(USERS.replace("UNIQUE KEY uq_email (email))",
                                        "UNIQUE KEY uq_email (email), CONSTRAINT chk CHECK (email < 'm'))"))
    before = show_create(server, db)
    t = Transcript(cli)
    with mysql_user(server, GRANTS[grant](db)) as user:
        args = ["--schema-file", str(schemafile), "--database-url", user.url(db)]
        refused = t.run("apply", *args, "--allow-drop", "--format", "json", expect=3)
        assert "depends on secret rows" in json.loads(refused.stdout)["refused"][0]["reason"]
        assert show_create(server, db) == before
        queries = check_logged(general_log.entries(user.name), database=db)
        assert not any(q.startswith("ALTER") for q in queries)
        # allowed (the rows satisfy it); a new CHECK copies the table to check its rows, which on a
        # secret table (its size never read) also needs --allow-blocking (issue 11)
        t.run("apply", *args, "--allow-secret-dependent", "--allow-blocking", "secret_users", "-vv", expect=0)
        t.assert_clean(canary, user)
    assert "chk" in show_create(server, db)["secret_users"]


# --------------------------------------------------------------------------------------------------
# The server is the oracle for the built-in function lists
# --------------------------------------------------------------------------------------------------

def test_every_mariadb_built_in_the_firewall_allows_is_one(server, databases):
    """A name that is not built-in fails with "FUNCTION db.name does not exist" (1305, or 1630 when a
    space separates it from its parenthesis): no name on the list may do so, with 0 to 3 arguments;
    and every name a space turns into a stored function call is on the space-sensitive list."""
    if not server.is_mariadb:
        pytest.fail("this check reads MariaDB's built-ins; run it against MariaDB")
    version = tuple(int(p) for p in server.version.split("-")[0].split(".")[:3])
    db = databases.new(prefix="sa_fw_fn")
    conn = server.connect(db)
    missing, spaced = [], set()
    try:
        with conn.cursor() as cur:
            for name in sorted(builtins.names(("mariadb", version))):
                for k in range(4):
                    for space in ("", " "):
                        try:
                            cur.execute(f"SELECT {name}{space}({', '.join(['1'] * k)})")
                            cur.fetchall()
                        except pymysql.err.MySQLError as exc:
                            if exc.args[0] in (1305, 1630):
                                (spaced.add(name) if space else missing.append((name, k)))
    finally:
        conn.close()
    assert not missing, f"not built-in on {server.version}: {missing}"
    assert spaced <= builtins.SPACE_SENSITIVE, spaced - builtins.SPACE_SENSITIVE
