"""The firewall reads stored programs' bodies: every refused shape, and the tricks that try to hide one.

Unit tests of ``firewall.programs`` on parsed Schemafiles (no server), then the same rules at the
two places they act: the plan (exit 3, nothing applied) and the statement guard.
"""

from __future__ import annotations

import pytest

from schema_apply import flavor as flavors
from schema_apply.normalize import normalize
from schema_apply.errors import SecretAccessRefused
from schema_apply.firewall import objects, programs  # noqa: F401  (programs registers its rules)
from schema_apply.firewall.secrecy import SecrecyPolicy
from schema_apply.firewall.statements import check
from schema_apply.parse.schemafile import parse_text

FLAVOR = flavors.Flavor.from_version_string("10.11.6-MariaDB")

TABLES = """
CREATE TABLE secret_users (id int PRIMARY KEY, email varchar(100));
CREATE TABLE SECRET_notes (id int PRIMARY KEY);
CREATE TABLE signups (id int PRIMARY KEY, email varchar(100));
CREATE TABLE orders (id int PRIMARY KEY, user_id int, total int);
CREATE TABLE secret_audit (id int AUTO_INCREMENT PRIMARY KEY, note varchar(100));
"""


def refusals(sql: str, *, lctn: int = 0, account: str | None = "app@%", allow: tuple[str, ...] = ()) -> dict[str, list[str]]:
    schema = normalize(parse_text(TABLES + sql, "Schemafile.sql").schema, FLAVOR, database="app")
    policy = SecrecyPolicy(("secret_",), lctn)
    around = objects.Surroundings.of(schema, schema, policy, database="app", account=account, allow_definers=allow)
    return {getattr(p, "label", None) or f"{type(p).__name__.lower()} {p.name}": objects.refusals(p, policy, around)
            for p in schema.programs}  # the rules firewall.programs registers, as the plan's policy finds them


def refused(sql: str, **kw) -> str:
    """The reasons the one program in ``sql`` is refused (it must be)."""
    (label, reasons), = refusals(sql, **kw).items()
    assert reasons, f"{label} was allowed"
    return " ".join(reasons)


def allowed(sql: str, **kw) -> None:
    for label, reasons in refusals(sql, **kw).items():
        assert not reasons, f"{label}: {reasons}"


# -- allowed: ordinary programs ------------------------------------------------------------------

def test_ordinary_programs_are_allowed():
    allowed("""
    CREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW
    BEGIN
      DECLARE n int DEFAULT (SELECT COUNT(*) FROM orders);
      IF NEW.total IS NULL THEN SET NEW.total = n; END IF;
    END;
    CREATE FUNCTION total_of(uid int) RETURNS int READS SQL DATA
      RETURN (SELECT SUM(total) FROM orders WHERE user_id = uid);
    CREATE PROCEDURE report() READS SQL DATA SELECT user_id, total_of(user_id) FROM orders;
    CREATE EVENT tidy ON SCHEDULE EVERY 1 DAY DO DELETE FROM signups WHERE id < 0;
    CREATE TRIGGER secret_users_bu BEFORE UPDATE ON secret_users FOR EACH ROW SET NEW.email = LOWER(NEW.email);
    CREATE TRIGGER secret_users_au AFTER UPDATE ON secret_users FOR EACH ROW
      INSERT INTO secret_audit (note) VALUES (CONCAT('changed ', OLD.id));
    """)


def test_a_string_that_looks_like_a_secret_table_is_not_a_table():
    allowed("CREATE TRIGGER orders_bi BEFORE INSERT ON signups FOR EACH ROW SET NEW.email = 'secret_users';")


def test_a_cte_named_like_a_secret_table_reads_no_table():
    allowed("CREATE PROCEDURE p() WITH secret_users AS (SELECT 1 AS a) SELECT a FROM secret_users;")


def test_temporary_tables_are_the_procedures_own():
    allowed("""CREATE PROCEDURE p() MODIFIES SQL DATA BEGIN
      CREATE TEMPORARY TABLE tmp (id int);
      INSERT INTO tmp SELECT id FROM orders;
      SELECT * FROM tmp;
      DROP TEMPORARY TABLE tmp;
    END;""")


# -- reading or writing secret tables from a non-secret program ---------------------------------------

@pytest.mark.parametrize("body", [
    "SET NEW.email = (SELECT email FROM secret_users LIMIT 1)",                       # a subquery
    "SET NEW.email = (SELECT email FROM `secret_users` LIMIT 1)",                     # quoting
    "SET NEW.email = (SELECT email FROM app.secret_users LIMIT 1)",                   # qualified, same database
    "BEGIN BEGIN IF NEW.id > 0 THEN BEGIN SET NEW.email = (SELECT email FROM secret_users LIMIT 1); END; END IF; END; END",
    "lbl: BEGIN l2: LOOP SET NEW.email = (SELECT MAX(email) FROM secret_users); LEAVE l2; END LOOP l2; END lbl",
    "BEGIN IF (SELECT COUNT(*) FROM secret_users) > 0 THEN SET NEW.id = 1; END IF; END",   # a condition
    "BEGIN DECLARE e varchar(100) DEFAULT (SELECT MAX(email) FROM secret_users); SET NEW.email = e; END",
    "BEGIN DECLARE c CURSOR FOR SELECT email FROM secret_users; OPEN c; FETCH c INTO @e; CLOSE c; END",
    "BEGIN CASE (SELECT COUNT(*) FROM secret_users) WHEN 0 THEN SET NEW.id = 0; ELSE SET NEW.id = 1; END CASE; END",
    "BEGIN WHILE (SELECT COUNT(*) FROM secret_users) > NEW.id DO SET NEW.id = NEW.id + 1; END WHILE; END",
    "SET NEW.email = (WITH c AS (SELECT email FROM secret_users) SELECT MAX(email) FROM c)",   # a CTE
    "SET NEW.email = (WITH a AS (SELECT email FROM secret_users), secret_users AS (SELECT 'x' AS email)"
    " SELECT MAX(email) FROM a)",  # a CTE named like the table does not hide an earlier read
    "BEGIN /*!50000 SET NEW.email = (SELECT MAX(email) FROM secret_users); */ END",   # a versioned comment
    "BEGIN /*!99999 SET NEW.email = (SELECT MAX(email) FROM secret_users); */ END",   # … a future server runs
    "BEGIN /*M!100100 SET NEW.email = (SELECT MAX(email) FROM secret_users); */ END",  # MariaDB's
    "BEGIN -- a comment\n SET NEW.email = (SELECT MAX(email) FROM secret_users); END",
    "UPDATE secret_users SET email = NEW.email WHERE id = NEW.id",                    # a write
    "DELETE FROM secret_users WHERE id = NEW.id",
    "INSERT INTO secret_audit (note) VALUES (NEW.email)",
])
def test_non_secret_trigger_touching_a_secret_table_is_refused(body):
    reason = refused(f"CREATE TRIGGER signups_bi BEFORE INSERT ON signups FOR EACH ROW {body};")
    assert "secret" in reason and "secret prefix" in reason


def test_upper_case_spelling_is_another_table_unless_names_fold():
    # lower_case_table_names=0: SECRET_notes is not secret_-prefixed (names are case-sensitive)
    allowed("CREATE PROCEDURE p() SELECT COUNT(*) FROM SECRET_notes;")
    assert "SECRET_notes" in refused("CREATE PROCEDURE p() SELECT COUNT(*) FROM SECRET_notes;", lctn=1)
    assert "secret" in refused("CREATE PROCEDURE p() SELECT COUNT(*) FROM SECRET_USERS;", lctn=2)


def test_ansi_quotes_make_a_string_a_name():
    sql = ("SET sql_mode = 'ANSI_QUOTES';\n"
           "CREATE PROCEDURE p() SELECT email FROM \"secret_users\";")
    assert "secret_users" in refused(sql)
    allowed("CREATE PROCEDURE p() SELECT \"secret_users\" FROM orders;")  # default sql_mode: a string


def test_a_trigger_on_a_secret_table_must_be_secret_named():
    reason = refused("CREATE TRIGGER users_bu BEFORE UPDATE ON secret_users FOR EACH ROW SET NEW.email = LOWER(NEW.email);")
    assert "is on secret table secret_users" in reason


def test_secret_rows_may_not_leave_the_prefix_even_from_a_secret_program():
    reason = refused("CREATE TRIGGER secret_users_ai AFTER INSERT ON secret_users FOR EACH ROW"
                     " INSERT INTO signups (id, email) VALUES (NEW.id, NEW.email);")
    assert "writes non-secret table(s) signups while reading secret table(s) secret_users" in reason
    reason = refused("CREATE PROCEDURE secret_copy() MODIFIES SQL DATA"
                     " INSERT INTO signups SELECT id, email FROM secret_users;")
    assert "secret rows must not leave the secret prefix" in reason
    # through a variable, a temporary table, or an event
    assert "signups" in refused("""CREATE PROCEDURE secret_copy() BEGIN
      DECLARE e varchar(100);
      SELECT email INTO e FROM secret_users LIMIT 1;
      UPDATE signups SET email = e;
    END;""")
    assert "signups" in refused("""CREATE PROCEDURE secret_copy() BEGIN
      CREATE TEMPORARY TABLE t AS SELECT email FROM secret_users;
      INSERT INTO signups (email) SELECT email FROM t;
    END;""")
    assert "signups" in refused("CREATE EVENT secret_export ON SCHEDULE EVERY 1 HOUR DO"
                                " INSERT INTO signups SELECT * FROM secret_users;")


@pytest.mark.parametrize("body", [
    "SET NEW.email = (SELECT MAX(email) FROM secret_users)",  # into the row being written
    "BEGIN IF EXISTS (SELECT 1 FROM secret_users WHERE email = NEW.email) THEN"
    " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'taken'; END IF; END",  # an existence test
    "BEGIN DECLARE e varchar(100); SELECT email INTO e FROM secret_users LIMIT 1;"
    " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = e; END",  # into an error message
])
def test_a_secret_named_trigger_on_a_non_secret_table_may_not_read_secrets(body):
    # secret-named, so the naming rule holds; but it fires for whoever writes signups
    reason = refused(f"CREATE TRIGGER secret_signups_bi BEFORE INSERT ON signups FOR EACH ROW {body};")
    assert "is on non-secret table signups but reads secret table(s) secret_users" in reason
    # on a secret table, writing only secret tables, it stands
    allowed("CREATE TRIGGER secret_users_bi BEFORE INSERT ON secret_users FOR EACH ROW"
            " SET NEW.email = (SELECT MAX(email) FROM secret_audit);")


def test_select_for_update_is_a_read():
    """SELECT … INTO … FOR UPDATE (a row lock) was read as a WITH … UPDATE statement, its INTO left in,
    and refused as touching files."""
    body = "BEGIN DECLARE e int; SELECT id INTO e FROM secret_audit WHERE id = NEW.id FOR UPDATE; END"
    allowed(f"CREATE TRIGGER secret_users_bi BEFORE INSERT ON secret_users FOR EACH ROW {body};")
    reason = refused(f"CREATE TRIGGER signups_bi BEFORE INSERT ON signups FOR EACH ROW {body};")
    assert "secret_audit" in reason and "files" not in reason


def test_calls_are_followed():
    # a procedure calling a procedure that reads secrets reads them too
    sql = """CREATE PROCEDURE secret_read() SELECT email FROM secret_users;
             CREATE PROCEDURE report() CALL secret_read();"""
    result = refusals(sql)
    assert result["procedure secret_read"] == []
    assert "secret_users" in " ".join(result["procedure report"])
    # a function in an expression, and a chain of them
    result = refusals("""CREATE FUNCTION secret_mail(i int) RETURNS varchar(100) READS SQL DATA
                           RETURN (SELECT email FROM secret_users WHERE id = i);
                         CREATE FUNCTION wrap(i int) RETURNS varchar(100) RETURN secret_mail(i);
                         CREATE TRIGGER signups_bi BEFORE INSERT ON signups FOR EACH ROW SET NEW.email = wrap(NEW.id);""")
    assert result["function secret_mail"] == [] and result["function wrap"] and result["trigger signups_bi"]
    # a cycle terminates
    allowed("""CREATE PROCEDURE a(n int) BEGIN IF n > 0 THEN CALL b(n - 1); END IF; END;
               CREATE PROCEDURE b(n int) BEGIN IF n > 0 THEN CALL a(n - 1); END IF; END;""")


@pytest.mark.parametrize("body, why", [
    ("CALL undeclared_proc()", "does not declare"),
    ("SELECT undeclared_fn(1)", "does not declare"),
    ("CALL other_db.p()", "does not declare"),
    ("SELECT other_db.f(1)", "does not declare"),
    ("BEGIN PREPARE s FROM @q; EXECUTE s; END", "dynamic SQL"),
    ("EXECUTE IMMEDIATE 'SELECT 1'", "dynamic SQL"),
    ("SELECT * FROM orders INTO OUTFILE '/tmp/o.csv'", "files"),
    ("SELECT id FROM orders LIMIT 1 INTO DUMPFILE '/tmp/o'", "files"),
    ("LOAD DATA INFILE '/tmp/o.csv' INTO TABLE orders", "files"),
    ("SELECT LOAD_FILE('/etc/passwd')", "files"),
    ("SELECT user FROM mysql.user", "system schema"),
    ("SELECT COUNT(*) FROM information_schema.TABLES", "system schema"),
    ("SELECT * FROM performance_schema.events_statements_history", "system schema"),
    ("SELECT * FROM sys.session", "system schema"),
    ("SELECT * FROM other_db.orders", "another database"),
    ("HANDLER orders OPEN", "does not analyse"),
    ("SET GLOBAL max_connections = 1", "server-wide"),
    ("SELECT id FROM orders PROCEDURE ANALYSE()", "cannot be fully analysed"),
])
def test_refused_shapes(body, why):
    reason = refused(f"CREATE PROCEDURE p() {body};")
    assert why in reason, reason


def test_definers():
    assert "DEFINER root@localhost" in refused("CREATE DEFINER=root@localhost PROCEDURE p() SELECT 1;")
    allowed("CREATE DEFINER=CURRENT_USER PROCEDURE p() SELECT 1;")
    allowed("CREATE DEFINER='app'@'%' PROCEDURE p() SELECT 1;")  # the applying account itself
    allowed("CREATE DEFINER=`root`@`localhost` TRIGGER t BEFORE INSERT ON orders FOR EACH ROW SET NEW.id = 1;",
            allow=("'root'@'localhost'",))
    # offline, the applying account is unknown: any named definer needs --allow-definer
    assert "DEFINER" in refused("CREATE DEFINER='app'@'%' EVENT e ON SCHEDULE EVERY 1 DAY DO SELECT 1;", account=None)


# -- the statement guard checks what is sent ---------------------------------------------------------

def guard(sql: str):
    return check(sql, SecrecyPolicy(("secret_",), 0), database="app")


def test_the_guard_allows_the_ddl_of_stored_programs():
    for sql in ["CREATE TRIGGER `t` BEFORE INSERT ON `orders` FOR EACH ROW\nBEGIN SET NEW.id = 1; SET NEW.total = 0; END",
                "CREATE OR REPLACE PROCEDURE `p`(IN `a` int(11))\nBEGIN SELECT COUNT(*) INTO a FROM orders; END",
                "CREATE FUNCTION `f`() RETURNS int(11) RETURN 1",
                "CREATE EVENT `e` ON SCHEDULE EVERY 1 DAY ON COMPLETION NOT PRESERVE ENABLE DO DELETE FROM orders",
                "ALTER EVENT `e` ON SCHEDULE EVERY 2 DAY ON COMPLETION NOT PRESERVE ENABLE COMMENT '' DO DELETE FROM orders",
                "ALTER PROCEDURE `p` COMMENT 'x' READS SQL DATA SQL SECURITY INVOKER",
                "DROP TRIGGER `t`", "DROP PROCEDURE `p`", "DROP FUNCTION IF EXISTS `f`", "DROP EVENT `e`",
                "CREATE TRIGGER `secret_users_bu` BEFORE UPDATE ON `secret_users` FOR EACH ROW SET NEW.email = LOWER(NEW.email)"]:
        assert guard(sql).kind == "ddl", sql


@pytest.mark.parametrize("sql", [
    "CREATE TRIGGER t BEFORE INSERT ON orders FOR EACH ROW SET NEW.total = (SELECT COUNT(*) FROM secret_users)",
    "CREATE TRIGGER secret_t BEFORE INSERT ON orders FOR EACH ROW SET NEW.total = (SELECT COUNT(*) FROM secret_users)",
    "CREATE TRIGGER t BEFORE INSERT ON orders FOR EACH ROW BEGIN /*!50000 SET @x = (SELECT email FROM secret_users); */ END",
    "CREATE PROCEDURE p() BEGIN SELECT 1; END; SELECT * FROM secret_users",   # a second statement after the body
    "CREATE PROCEDURE p() BEGIN SELECT 1; END; DROP TABLE orders",
    "CREATE PROCEDURE p() BEGIN PREPARE s FROM @q; EXECUTE s; END",
    "CREATE PROCEDURE p() SELECT * FROM orders INTO OUTFILE '/tmp/x'",
    "CREATE PROCEDURE p() SELECT * FROM mysql.user",
    "CREATE PROCEDURE p() SELECT \"x\" FROM \"secret_users\"",   # read with ANSI_QUOTES, it is the table
    "CREATE TRIGGER secret_users_ai AFTER INSERT ON secret_users FOR EACH ROW INSERT INTO signups VALUES (NEW.id, NEW.email)",
    "ALTER PROCEDURE p COMMENT 'x' SELECT 1",
    "DROP TRIGGER t; SELECT * FROM secret_users",
    "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN SELECT email FROM secret_users; END",
])
def test_the_guard_refuses_programs_that_read_secrets_or_hide_statements(sql):
    with pytest.raises(SecretAccessRefused):
        guard(sql)


# -- red-team findings: a temporary table's name, and server-wide named locks -----------------------------

@pytest.mark.parametrize("body", [
    # the CREATE may never run: the name then means the base table
    "BEGIN IF 0 THEN CREATE TEMPORARY TABLE signups (email varchar(100)); END IF;"
    " INSERT INTO signups (email) SELECT email FROM secret_users; END",
    # or the temporary table is dropped before the write
    "BEGIN CREATE TEMPORARY TABLE signups (email varchar(100)); DROP TEMPORARY TABLE signups;"
    " INSERT INTO signups (email) SELECT email FROM secret_users; END",
    # DROP TABLE (not TEMPORARY) drops the base table when no temporary one stands: a one-bit answer
    "BEGIN CREATE TEMPORARY TABLE signups (id int); DROP TEMPORARY TABLE signups;"
    " IF (SELECT COUNT(*) FROM secret_users) > 0 THEN DROP TABLE signups; END IF; END",
])
def test_a_temporary_table_named_like_a_plain_table_does_not_hide_the_write(body):
    reason = refused(f"CREATE PROCEDURE secret_copy() MODIFIES SQL DATA {body};")
    assert "writes non-secret table(s) signups while reading secret table(s) secret_users" in reason


def test_a_temporary_table_named_like_a_secret_table_does_not_hide_the_read():
    reason = refused("""CREATE EVENT tidy ON SCHEDULE EVERY 1 DAY DO BEGIN
      IF 0 THEN CREATE TEMPORARY TABLE secret_users (email varchar(100)); END IF;
      INSERT INTO signups (email) SELECT email FROM secret_users;
    END;""")
    assert "secret_users" in reason and "secret prefix" in reason


def test_a_secret_program_may_keep_secret_rows_in_a_secret_named_temporary_table():
    allowed("""CREATE PROCEDURE secret_dedupe() MODIFIES SQL DATA BEGIN
      CREATE TEMPORARY TABLE secret_tmp AS SELECT MIN(id) AS id FROM secret_users GROUP BY email;
      DELETE FROM secret_users WHERE id NOT IN (SELECT id FROM secret_tmp);
      DROP TEMPORARY TABLE secret_tmp;
    END;""")


@pytest.mark.parametrize("body", [
    "DO GET_LOCK(NEW.email, 0)",                               # IS_FREE_LOCK('a guess') answers anyone
    "BEGIN IF NEW.email LIKE 'a%' THEN DO GET_LOCK('bit_a', 0); END IF; END",
    "DO get_lock /* */ (CONCAT('u', NEW.id, NEW.email), 0)",
    "BEGIN DO RELEASE_LOCK('x'); DO RELEASE_ALL_LOCKS(); END",  # releasing one is a bit too
])
def test_a_program_reading_secret_rows_may_not_take_named_locks(body):
    reason = refused(f"CREATE TRIGGER secret_users_ai AFTER INSERT ON secret_users FOR EACH ROW {body};")
    assert "named lock" in reason
    with pytest.raises(SecretAccessRefused):
        guard(f"CREATE TRIGGER secret_users_ai AFTER INSERT ON secret_users FOR EACH ROW {body}")


def test_named_locks_in_programs_that_read_no_secret_rows_are_allowed():
    allowed("""CREATE PROCEDURE nightly() MODIFIES SQL DATA BEGIN
      IF GET_LOCK('nightly', 0) THEN DELETE FROM orders WHERE total IS NULL; DO RELEASE_LOCK('nightly'); END IF;
    END;""")
    # a secret-named one that reads no secret table either (a DELETE … WHERE would: it reads rows)
    allowed("CREATE EVENT secret_tick ON SCHEDULE EVERY 1 DAY DO BEGIN DO GET_LOCK('t', 0);"
            " INSERT INTO secret_audit (note) VALUES ('tick'); DO RELEASE_LOCK('t'); END;")
