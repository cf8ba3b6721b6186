"""schema-apply works for a MySQL user with DDL privileges only — no SELECT (DESIGN.md, promise 3).

The grant is the one the README recommends::

    GRANT CREATE, ALTER, DROP, INDEX, REFERENCES ON app.* TO 'schema_apply'@'%';

The change is the one that broke Ridgepole in production (it sends ``SHOW KEYS FROM`` each new
table, which needs SELECT): new tables with a unique index and a foreign key, and changes to a
secret table full of rows (a column renamed, a column and indexes added) — plan, apply, plan exit 2, 0, 0, and the live schema is then what the
Schemafile declares (the server is the oracle: the same Schemafile loaded by root into a fresh
database gives the same SHOW CREATE TABLE). ``export`` works as that user and round-trips.

Views: creating or replacing a view needs more than ``CREATE VIEW, SHOW VIEW`` — the server wants a
privilege on the tables the view reads (SELECT on the columns its WHERE/JOIN use), and it shows a
view's definition only to its definer or to a user with SHOW VIEW *and* SELECT on the view. The
tests pin that down: with DDL grants only, a view the tool cannot read is left alone with a warning
(never a bogus change, never a broken export), and creating one fails clearly; with SELECT on the
non-secret table the view reads, the view is managed like any other object.
"""

from __future__ import annotations

import json

import pymysql
import pytest

from conftest import show_create
from secret_helpers import Canary, Transcript, check_logged, mysql_user, plant_rows, root_execute

pytestmark = pytest.mark.server

DDL_ONLY = "CREATE, ALTER, DROP, INDEX, REFERENCES"

BEFORE = """
CREATE TABLE accounts (
  id int NOT NULL AUTO_INCREMENT,
  name varchar(100) NOT NULL,
  PRIMARY KEY (id)
);
CREATE TABLE secret_users (
  id int NOT NULL AUTO_INCREMENT,
  account_id int NOT NULL,
  email varchar(100) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_account (account_id),
  CONSTRAINT fk_users_account FOREIGN KEY (account_id) REFERENCES accounts (id)
);
"""

AFTER = """
CREATE TABLE accounts (
  id int NOT NULL AUTO_INCREMENT,
  name varchar(100) NOT NULL,
  PRIMARY KEY (id)
);
CREATE TABLE secret_users (
  id int NOT NULL AUTO_INCREMENT,
  account_id int NOT NULL,
  email_address varchar(100) NOT NULL, -- @renamed from=email
  phone varchar(32) DEFAULT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_email (email_address),
  KEY ix_account (account_id),
  KEY ix_phone (phone),
  CONSTRAINT fk_users_account FOREIGN KEY (account_id) REFERENCES accounts (id)
);
CREATE TABLE orders (
  id int NOT NULL AUTO_INCREMENT,
  account_id int NOT NULL,
  reference varchar(40) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_reference (reference),
  KEY ix_account (account_id),
  CONSTRAINT fk_orders_account FOREIGN KEY (account_id) REFERENCES accounts (id)
);
CREATE TABLE secret_cards (
  id int NOT NULL AUTO_INCREMENT,
  user_id int NOT NULL,
  number varchar(40) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_number (number),
  KEY ix_user (user_id),
  CONSTRAINT fk_cards_user FOREIGN KEY (user_id) REFERENCES secret_users (id) ON DELETE CASCADE
);
"""

VIEW = """
CREATE VIEW active_accounts AS SELECT id, name FROM accounts WHERE name <> '';
"""


def _database(server, databases, canary: Canary, sql: str = BEFORE) -> str:
    db = databases.new(sql, prefix="sa_ddl")
    plant_rows(server, db, "accounts", ("id", "name"), [(1, "acme"), (2, "globex")], canary)
    plant_rows(server, db, "secret_users", ("account_id", "email"),
               [(1, "{M}@example.com"), (2, "{M}-2@example.com")], canary)
    root_execute(server, f"ALTER TABLE secret_users AUTO_INCREMENT = {canary.counter}", database=db)
    return db


def _same_schema(server, databases, db: str, schemafile_sql: str) -> None:
    """The live schema is what the Schemafile declares: the server, given the same file, builds the
    same tables (AUTO_INCREMENT counters aside)."""
    reference = databases.new(schemafile_sql, prefix="sa_ddl_ref")
    assert show_create(server, db) == show_create(server, reference)


def _views(server, db: str) -> dict[str, str]:
    rows = root_execute(server, "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS"
                                " WHERE TABLE_SCHEMA = %s", (db,))
    return dict(rows)


def test_ddl_only_grant_really_cannot_read(server, databases):
    """The grant under test is what it claims: no SELECT on any table, not even a row count."""
    canary = Canary.new()
    db = _database(server, databases, canary)
    with mysql_user(server, [f"{DDL_ONLY} ON `{db}`.*"], prefix="sa_ddl") as user:
        conn = pymysql.connect(host=server.host, port=server.port, user=user.name, password=user.password,
                               database=db)
        try:
            with conn.cursor() as cur:
                for sql in ("SELECT * FROM secret_users", "SELECT COUNT(*) FROM accounts",
                            "SHOW KEYS FROM secret_users"):
                    with pytest.raises(pymysql.err.OperationalError) as err:
                        cur.execute(sql)
                    assert err.value.args[0] == 1142, err.value.args
        finally:
            conn.close()


def test_plan_apply_plan_as_ddl_only_user(server, databases, cli, general_log, tmp_path):
    canary = Canary.new()
    db = _database(server, databases, canary)
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(AFTER)
    t = Transcript(cli)
    with mysql_user(server, [f"{DDL_ONLY} ON `{db}`.*"], prefix="sa_ddl") as user:
        args = ["--schema-file", str(schemafile), "--database-url", user.url(db)]
        refused = t.run("plan", *args, expect=3)  # a unique key on a secret table depends on its rows
        assert "depends on secret rows" in refused.stdout and "uq_email" in refused.stdout
        args.append("--allow-secret-dependent")
        first = t.run("plan", *args, expect=2)
        for table in ("orders", "secret_cards", "secret_users"):
            assert table in first.stdout
        assert "warning" not in first.output.lower()
        applied = t.run("apply", *args, "--format", "json", "-vv", expect=0)
        doc = json.loads(applied.stdout)
        assert doc["exit_code"] == 0 and all(a["status"] == "applied" for a in doc["applied"]), doc
        assert {a["table"] for a in doc["applied"]} >= {"orders", "secret_cards", "secret_users"}
        t.run("plan", *args, expect=0)
        t.run("plan", *args, "--format", "json", expect=0)
        t.run("apply", *args, expect=0)  # nothing to do: in sync, still exit 0
        check_logged(general_log.entries(user.name), database=db)
        t.assert_clean(canary, user)
    _same_schema(server, databases, db, AFTER)


MORE_METADATA = """
CREATE TABLE secret_events (
  id bigint NOT NULL,
  kind varchar(20) NOT NULL,
  kind_upper varchar(20) AS (upper(kind)) STORED,
  PRIMARY KEY (id),
  CONSTRAINT chk_kind CHECK (kind <> '')
)
PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (1000), PARTITION pmax VALUES LESS THAN MAXVALUE);
"""


def test_export_as_ddl_only_user_round_trips(server, databases, cli, tmp_path):
    """Every information_schema table the tool reads is visible with the DDL grants: columns with
    generation expressions, indexes, foreign keys, CHECK constraints, partitions."""
    canary = Canary.new()
    db = _database(server, databases, canary, BEFORE + MORE_METADATA)
    t = Transcript(cli)
    as_root = t.run("export", "--database-url", server.url(db), expect=0).stdout
    with mysql_user(server, [f"{DDL_ONLY} ON `{db}`.*"], prefix="sa_ddl") as user:
        exported = t.run("export", "--database-url", user.url(db), "-vv", expect=0)
        assert exported.stdout == as_root, "the DDL-only user sees the same schema as root"
        for text in ("PARTITION BY RANGE", "CONSTRAINT `chk_kind` CHECK", "AS (ucase(`kind`)) STORED"):
            assert text in exported.stdout or text.replace("ucase", "upper") in exported.stdout, exported.stdout
        out = tmp_path / "exported.sql"
        t.run("export", "--database-url", user.url(db), "-o", str(out), expect=0)
        t.add_file(out)
        t.run("plan", "--schema-file", str(out), "--database-url", user.url(db), expect=0)
        t.assert_clean(canary, user)
    _same_schema(server, databases, db, out.read_text())


def test_view_needs_more_than_ddl_grants_and_says_so(server, databases, cli, tmp_path):
    """CREATE VIEW, SHOW VIEW are not enough to create a view: the server wants a privilege on the
    table it reads. The failure names the view and the server's code; nothing is half-done."""
    canary = Canary.new()
    db = _database(server, databases, canary)
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(BEFORE + VIEW)
    t = Transcript(cli)
    with mysql_user(server, [f"{DDL_ONLY}, CREATE VIEW, SHOW VIEW ON `{db}`.*"], prefix="sa_ddl") as user:
        args = ["--schema-file", str(schemafile), "--database-url", user.url(db)]
        t.run("plan", *args, expect=2)
        failed = t.run("apply", *args, expect=1)
        assert "active_accounts" in failed.stderr and ("(1142)" in failed.stderr or "(1143)" in failed.stderr), \
            failed.stderr
        assert "Traceback" not in failed.output
        t.assert_clean(canary, user)
    assert _views(server, db) == {}


def test_view_managed_with_select_on_the_table_it_reads(server, databases, cli, tmp_path):
    """The view variant: DDL grants, CREATE VIEW, SHOW VIEW, and SELECT on the one non-secret table
    the view reads. The view is created, read back (the user is its definer) and in sync."""
    canary = Canary.new()
    db = _database(server, databases, canary)
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(AFTER + VIEW)
    grants = [f"{DDL_ONLY}, CREATE VIEW, SHOW VIEW ON `{db}`.*", f"SELECT ON `{db}`.`accounts`"]
    t = Transcript(cli)
    with mysql_user(server, grants, prefix="sa_ddl") as user:
        args = ["--schema-file", str(schemafile), "--database-url", user.url(db), "--allow-secret-dependent"]
        t.run("plan", *args, expect=2)
        t.run("apply", *args, "-vv", expect=0)
        t.run("plan", *args, expect=0)
        exported = t.run("export", "--database-url", user.url(db), expect=0).stdout
        assert "CREATE VIEW `active_accounts`" in exported
        t.assert_clean(canary, user)
    assert set(_views(server, db)) == {"active_accounts"}


def test_view_whose_definition_is_hidden_is_left_alone_with_a_warning(server, databases, cli, tmp_path):
    """A view created by someone else: the server hides its definition from a DDL-only user (even
    with SHOW VIEW, without SELECT on it). schema-apply must not plan a bogus replacement, nor
    export a broken statement: it leaves the view alone and says why."""
    canary = Canary.new()
    db = _database(server, databases, canary, BEFORE + VIEW)  # the view is root's
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(BEFORE + VIEW)
    changed = tmp_path / "Changed.sql"
    changed.write_text(BEFORE + VIEW.replace("name <> ''", "id > 1"))
    without_view = tmp_path / "NoView.sql"
    without_view.write_text(BEFORE)
    definition = _views(server, db)["active_accounts"]
    t = Transcript(cli)
    for grant in (DDL_ONLY, f"{DDL_ONLY}, CREATE VIEW, SHOW VIEW"):
        with mysql_user(server, [f"{grant} ON `{db}`.*"], prefix="sa_ddl") as user:
            for sql in (schemafile, changed, without_view):
                args = ["--schema-file", str(sql), "--database-url", user.url(db)]
                plan = t.run("plan", *args, expect=0)
                assert "active_accounts" in plan.stdout and "not visible" in plan.stdout, plan.stdout
                doc = json.loads(t.run("plan", *args, "--format", "json", expect=0).stdout)
                assert any("active_accounts" in n for n in doc["notes"]), doc
                t.run("apply", *args, expect=0)
            exported = t.run("export", "--database-url", user.url(db), expect=0)
            assert "AS ;" not in exported.stdout and "CREATE VIEW" not in exported.stdout, exported.stdout
            assert "active_accounts" in exported.stdout and "active_accounts" in exported.stderr
            out = tmp_path / "exported.sql"
            t.run("export", "--database-url", user.url(db), "-o", str(out), expect=0)
            t.run("plan", "--schema-file", str(out), "--database-url", user.url(db), expect=0)
            t.assert_clean(canary, user)
    assert _views(server, db) == {"active_accounts": definition}, "the view was left alone"


def test_table_rename_needs_insert_on_the_new_name(server, databases, cli, tmp_path):
    """RENAME TABLE needs CREATE and INSERT on the new name (MariaDB and MySQL alike), and a
    table-level grant needs the table to exist: a DDL-only user cannot rename a table. The apply
    fails clearly (the server's 1142 names the privilege and the new table) and changes nothing;
    with INSERT on the database it works. (Column and index renames need no more than ALTER.)"""
    canary = Canary.new()
    db = _database(server, databases, canary)
    renamed = BEFORE.replace("CREATE TABLE accounts (", "CREATE TABLE customers ( -- @renamed from=accounts") \
                    .replace("REFERENCES accounts (id)", "REFERENCES customers (id)")
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(renamed)
    before = show_create(server, db)
    t = Transcript(cli)
    with mysql_user(server, [f"{DDL_ONLY} ON `{db}`.*"], prefix="sa_ddl") as user:
        args = ["--schema-file", str(schemafile), "--database-url", user.url(db)]
        t.run("plan", *args, expect=2)
        failed = t.run("apply", *args, expect=1)
        assert "(1142) INSERT command denied" in failed.stderr and "customers" in failed.stderr, failed.stderr
        t.assert_clean(canary, user)
    assert show_create(server, db) == before
    with mysql_user(server, [f"{DDL_ONLY}, INSERT ON `{db}`.*"], prefix="sa_ddl") as user:
        args = ["--schema-file", str(schemafile), "--database-url", user.url(db)]
        t.run("apply", *args, expect=0)
        t.run("plan", *args, expect=0)
        t.assert_clean(canary, user)
    _same_schema(server, databases, db, renamed)
