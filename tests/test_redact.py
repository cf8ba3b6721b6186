"""Redaction: values the server quotes from rows never survive; identifiers and credentials rules hold.

Server messages are the exact texts MariaDB 10.11 returned for failing DDL on rows holding the values
(captured from the real server), and the MySQL 5.7/8.0 formats from MySQL's
share/messages_to_clients.txt and its error reference.
"""

from __future__ import annotations

import re

import pymysql
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schema_apply.errors import ServerError
from schema_apply.firewall import redaction
from schema_apply.firewall.redaction import (MASK, REDACTED, redact_exception, redact_server_message, redact_text,
                                 register_secret)

# (server, code, message, values that must disappear, identifiers that must stay)
MESSAGES = [
    # --- duplicate entries
    ("mariadb", 1062, "Duplicate entry 'alice@canary.example' for key 'uq_email'",
     ["alice@canary.example"], ["'uq_email'"]),
    ("mariadb", 1062, "Duplicate entry 'alice@canary.example' for key 'PRIMARY'", ["alice"], ["'PRIMARY'"]),
    ("mariadb", 1062, "Duplicate entry 'O'Brien' for key 'x-b1' for key 'uq_ab'",
     ["Brien", "x-b1"], ["for key 'uq_ab'"]),
    ("mysql8", 1062, "Duplicate entry 'alice@example.com' for key 'secret_users.uq_email'",
     ["alice@example.com"], ["'secret_users.uq_email'"]),
    ("mysql8", 1062, "Duplicate entry 'alice@example.com-7' for key 'secret_users.uq_email_shop'",
     ["alice@example.com-7"], ["'secret_users.uq_email_shop'"]),
    ("mysql57", 1062, "Duplicate entry '42' for key 'PRIMARY'", ["'42'"], ["'PRIMARY'"]),
    ("mysql", 1062, "Duplicate entry 'bob' for key 2", ["bob"], ["for key 2"]),
    ("mysql", 1586, "Duplicate entry 'alice@example.com' for key 'uq_email'", ["alice"], ["'uq_email'"]),
    ("mysql", 1569, "ALTER TABLE causes auto_increment resequencing, resulting in duplicate entry '1' for key 'PRIMARY'",
     ["'1'"], ["'PRIMARY'", "auto_increment resequencing"]),
    ("mysql", 1761, "Foreign key constraint for table 'secret_users', record 'alice@example.com' would lead to a"
                    " duplicate entry in table 'orders', key 'uq_user'",
     ["alice@example.com"], ["'secret_users'", "'orders'", "'uq_user'"]),
    ("mysql", 1762, "Foreign key constraint for table 'secret_users', record 'alice-7' would lead to a duplicate"
                    " entry in a child table", ["alice-7"], ["'secret_users'"]),
    ("mysql", 1557, "Upholding foreign key constraints for table 'secret_users', entry 'alice-7', key 2 would lead"
                    " to duplicate entry", ["alice-7"], ["'secret_users'"]),
    # --- incorrect / truncated values
    ("mariadb", 1366, "Incorrect integer value: 'abc' for column `app`.`secret_u`.`n` at row 1",
     ["'abc'"], ["`app`.`secret_u`.`n`", "at row 1"]),
    ("mariadb", 1366, "Incorrect string value: '\\xF0\\x9F\\x98\\x80 h...' for column `app`.`s`.`e` at row 1",
     ["\\xF0\\x9F", " h..."], ["`app`.`s`.`e`"]),
    ("mysql", 1366, "Incorrect integer value: 'abc' for column 'age' at row 1", ["'abc'"], ["'age'", "at row 1"]),
    ("mysql", 1366, "Incorrect string value: '\\xF0\\x9F\\x98\\x80' for column 'name' at row 1",
     ["\\xF0"], ["'name'"]),
    ("mysql", 1366, "Incorrect decimal value: 'x1' for column 'amount' at row 3", ["x1"], ["'amount'", "row 3"]),
    ("mariadb", 1292, "Truncated incorrect INTEGER value: 'alice@canary.example'", ["alice"], ["INTEGER"]),
    ("mariadb", 1292, "Truncated incorrect INTEGER value: 'O'Brien' for key 'x'", ["Brien", "'x'"], ["INTEGER"]),
    ("mariadb", 1292, "Truncated incorrect DECIMAL value: 'abc'", ["abc"], ["DECIMAL"]),
    ("mariadb", 1292, "Incorrect datetime value: '2020-13-45 99:00:00' for column `app`.`secret_u`.`d` at row 1",
     ["2020-13-45"], ["`app`.`secret_u`.`d`"]),
    ("mariadb", 1292, "Incorrect uuid value: 'abc' for column `app`.`secret_u`.`n` at row 1", ["abc"], ["`n`"]),
    ("mariadb", 1292, "Incorrect datetime value: 'tomorrow'", ["tomorrow"], ["datetime"]),
    ("mysql", 1292, "Truncated incorrect DOUBLE value: 'alice'", ["alice"], ["DOUBLE"]),
    ("mysql", 1292, "Incorrect datetime value: '2020-13-45' for column 'born' at row 1", ["2020-13-45"], ["'born'"]),
    ("mysql", 1292, "Incorrect date value: 'tomorrow' for column 'born' at row 2", ["tomorrow"], ["'born'"]),
    ("mysql", 1525, "Incorrect DATE value: 'alice'", ["alice"], ["DATE"]),
    ("mysql", 1411, "Incorrect datetime value: 'alice' for function str_to_date", ["alice"], ["str_to_date"]),
    ("mysql", 1300, "Invalid utf8mb4 character string: 'F09F98'", ["F09F98"], ["utf8mb4"]),
    ("mysql8", 3854, "Cannot convert string '\\xF0\\x9F\\x98\\x80' from utf8mb4 to latin1", ["\\xF0"], ["latin1"]),
    ("mariadb", 1977, "Cannot convert 'utf8mb4' character 0xF09F9880 to 'latin1'", ["F09F9880"], ["'latin1'"]),
    ("mariadb", 1916, "Got overflow when converting '123456789012345678901234567890' to INT. Value truncated.",
     ["1234567890"], ["INT"]),
    ("mariadb", 1918, "Encountered illegal value 'alice' when converting to DECIMAL", ["alice"], ["DECIMAL"]),
    ("mysql", 1526, "Table has no partition for value 1234", ["1234"], ["no partition"]),
    ("mysql8", 3140, "Invalid JSON text: \"Invalid value.\" at position 0 in value for column 'secret_users.doc'.",
     ["Invalid value."], ["'secret_users.doc'"]),
    # --- value-free messages: identifiers stay, nothing is lost
    ("mariadb", 1265, "Data truncated for column 'email' at row 1", [], ["'email'", "row 1"]),
    ("mysql", 1406, "Data too long for column 'email' at row 1", [], ["'email'"]),
    ("mariadb", 1406, "Data too long for column 'g' at row 1", [], ["'g'"]),
    ("mariadb", 1264, "Out of range value for column 'age' at row 2", [], ["'age'"]),
    ("mysql8", 3819, "Check constraint 'chk_age' is violated.", [], ["'chk_age'"]),
    ("mariadb", 4025, "CONSTRAINT `chk_age` failed for `app`.`secret_u`", [], ["`chk_age`", "`app`.`secret_u`"]),
    ("mariadb", 4025, "CONSTRAINT `secret_u.n` failed for `app`.`secret_u`", [], ["`secret_u.n`"]),
    ("mariadb", 1452, "Cannot add or update a child row: a foreign key constraint fails (`app`.`child`, CONSTRAINT"
                      " `fk_c` FOREIGN KEY (`pid`) REFERENCES `parent` (`id`))", [], ["`fk_c`", "`parent`"]),
    ("mysql", 1452, "Cannot add or update a child row: a foreign key constraint fails (`app`.`#sql-1_8`, CONSTRAINT"
                    " `fk_user` FOREIGN KEY (`user_id`) REFERENCES `secret_users` (`id`))", [], ["`fk_user`"]),
    ("mariadb", 1451, "Cannot delete or update a parent row: a foreign key constraint fails (`app`.`child`,"
                      " CONSTRAINT `fk_c` FOREIGN KEY (`pid`) REFERENCES `parent` (`id`))", [], ["`fk_c`"]),
    ("mariadb", 1217, "Cannot delete or update a parent row: a foreign key constraint fails", [], ["parent row"]),
    ("mysql", 1048, "Column 'email' cannot be null", [], ["'email'"]),
    ("mysql", 1138, "Invalid use of NULL value", [], ["NULL"]),
    ("mariadb", 1067, "Invalid default value for 'z'", [], ["'z'"]),
    ("mysql", 1171, "All parts of a PRIMARY KEY must be NOT NULL; if you need NULL in a key, use UNIQUE instead",
     [], ["PRIMARY KEY"]),
    ("mysql8", 3751, "Data truncated for functional index 'idx_lower' at row 1", [], ["'idx_lower'"]),
    ("mysql", 1677, "Column 3 of table 'app.secret_users' cannot be converted from type 'varchar(255(bytes))' to"
                    " type 'int'", [], ["'app.secret_users'", "'int'"]),
    ("mysql8", 3780, "Referencing column 'user_id' and referenced column 'id' in foreign key constraint 'fk_user'"
                     " are incompatible.", [], ["'user_id'", "'fk_user'"]),
    ("mysql", 1832, "Cannot change column 'id': used in a foreign key constraint 'fk_user'", [], ["'id'", "'fk_user'"]),
    ("mysql", 1833, "Cannot change column 'id': used in a foreign key constraint 'fk_user' of table 'app.orders'",
     [], ["'app.orders'"]),
    ("mariadb", 4078, "Illegal parameter data types int and geometry for operation 'case'", [], ["'case'"]),
    ("mariadb", 1503, "A PRIMARY KEY must include all columns in the table's partitioning function", [],
     ["table's partitioning"]),
    ("mariadb", 1846, "LOCK=NONE is not supported. Reason: Fulltext index creation requires a lock. Try LOCK=SHARED",
     [], ["LOCK=SHARED"]),
    ("mariadb", 1142, "ALTER command denied to user 'deployer'@'10.0.0.5' for table `app`.`secret_users`", [],
     ["'deployer'@'10.0.0.5'", "`secret_users`"]),
    ("mysql", 1142, "SELECT command denied to user 'deployer'@'%' for table 'secret_users'", [], ["'secret_users'"]),
    ("mysql", 1045, "Access denied for user 'deployer'@'10.0.0.5' (using password: YES)", [], ["'deployer'"]),
]


def _id(case) -> str:
    return f"{case[0]}-{case[1]}-{case[2][:40]}"


@pytest.mark.parametrize("server, code, message, values, identifiers", MESSAGES, ids=[_id(m) for m in MESSAGES])
def test_server_message(server, code, message, values, identifiers):
    out = redact_server_message(code, message)
    for value in values:
        assert value not in out, f"{server} {code}: {value!r} survived in {out!r}"
    for ident in identifiers:
        assert ident in out, f"{server} {code}: identifier {ident!r} lost in {out!r}"
    if values:
        assert REDACTED in out
    else:
        assert out == message, f"{server} {code}: a value-free message was changed: {out!r}"


def test_known_codes_cover_the_issue_list():
    from schema_apply.firewall.redaction import _FORMATS
    for code in (1062, 1586, 1366, 1292, 1265, 1406, 1264, 3819, 4025, 1452, 1451, 1048, 1138, 1067, 1171,
                 3751, 1677, 3780, 1832, 1833, 1525, 4078):
        assert code in _FORMATS, code


# --- default deny ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code, message, gone, kept", [
    (None, "Duplicate entry 'alice' for key 'uq'", ["alice"], ["'uq'"]),
    (None, "Column 'email' cannot be null", [], ["'email'"]),
    (99999, "Something odd about 'alice@canary' in column 'email'", ["alice"], ["odd about"]),
    (99999, "Index 'ix_email' rejected 'alice@canary' for column 'email'", ["alice", "'email'"], ["'ix_email'"]),
    (99999, "Key `ix_email` rejected \"alice@canary\"", ["alice"], ["`ix_email`"]),
    (99999, "Row 'O'Brien's' failed", ["Brien"], ["failed"]),
    (99999, 'JSON "{"a": "alice"}" rejected for key `uq_email`', ["alice"], ["`uq_email`", "rejected"]),
    (99999, "Bad value: 'alice column 'bob'", ["alice", "bob"], ["Bad value"]),
    (99999, "Unterminated 'alice", ["alice"], ["Unterminated"]),
    (99999, "Index `we'ird``name` hit 'alice'", ["alice"], ["`we'ird``name`"]),
    # a known code whose text does not have the expected shape falls back to default deny
    (1062, "Duplicate entry 'alice' for key uq_email", ["alice"], ["uq_email"]),
    (1265, "Data truncated for column 'c' at row 1: value 'alice'", ["alice"], ["'c'"]),
    (1452, "Cannot add or update a child row: a foreign key constraint fails (value 'alice')", ["alice"], []),
    (1062, "Duplicate entry 'alice\nbob' for key 'uq'", ["alice", "bob"], ["'uq'"]),
])
def test_default_deny(code, message, gone, kept):
    out = redact_server_message(code, message)
    for value in gone:
        assert value not in out, f"{value!r} survived in {out!r}"
    for ident in kept:
        assert ident in out, f"{ident!r} lost in {out!r}"


def test_code_may_arrive_as_a_string():
    assert redact_server_message("1265", "Data truncated for column 'c' at row 1") == \
        "Data truncated for column 'c' at row 1"


def test_empty_message():
    assert redact_server_message(1062, "") == ""


_JUNK = st.lists(st.sampled_from(list("'\"`ab -.,:;()\n@%\\") + ["for key '", "' for column '", "' at row 1",
                                                                  "column '", "`app`.`t`"]),
                 max_size=8).map("".join)


@settings(max_examples=300, derandomize=True)
@given(j1=_JUNK, j2=_JUNK, template=st.sampled_from([
    (1062, "Duplicate entry '{v}' for key 'uq_email'"),
    (1062, "Duplicate entry '{v}' for key 'secret_users.uq_email'"),
    (1586, "Duplicate entry '{v}' for key 'uq_email'"),
    (1366, "Incorrect string value: '{v}' for column `app`.`secret_users`.`email` at row 3"),
    (1366, "Incorrect integer value: '{v}' for column 'age' at row 1"),
    (1292, "Truncated incorrect DOUBLE value: '{v}'"),
    (1292, "Incorrect datetime value: '{v}' for column `app`.`t`.`born` at row 1"),
    (1761, "Foreign key constraint for table 'secret_users', record '{v}' would lead to a duplicate entry in table"
           " 'orders', key 'uq_user'"),
    (3854, "Cannot convert string '{v}' from utf8mb4 to latin1"),
    (1526, "Table has no partition for value {v}"),
    (None, "Duplicate entry '{v}' for key 'uq_email'"),
    (12345, "Mystery: '{v}' for column 'c' at row 1"),
    (12345, 'Mystery "{v}" here'),
]))
def test_generated_values_never_survive(j1, j2, template):
    code, fmt = template
    value = f"CANARY{j1}CANARY{j2}CANARY"
    out = redact_server_message(code, fmt.format(v=value))
    assert "CANARY" not in out, (fmt, value, out)
    if code not in (None, 12345):  # a known format: exactly the value is replaced, the rest is kept
        assert out == fmt.format(v=REDACTED), (fmt, value, out)


# --- credentials ---------------------------------------------------------------------------------------------

def test_url_password_masked():
    text = redact_text("connecting to mysql://deployer:s3cr%40t@db.internal:3306/app failed")
    assert "s3cr" not in text and "mysql://deployer:***@db.internal:3306/app" in text


def test_url_password_with_raw_at_sign_masked():
    text = redact_text("mysql://deployer:p@ss@db.internal/app")
    assert "p@ss" not in text and "ss@db" not in text and text.endswith("@db.internal/app")


def test_url_without_password_untouched():
    assert redact_text("mysql://root@127.0.0.1/app_dev") == "mysql://root@127.0.0.1/app_dev"


@pytest.mark.parametrize("text, secret", [
    ("password=hunter22 host=db", "hunter22"),
    ("PASSWORD: hunter22", "hunter22"),
    ('{"host": "db", "password": "hun\\"ter22", "port": 3306}', "hun"),
    ("{'username': 'u', 'password': 'hunter22'}", "hunter22"),
    ("MYSQL_PWD=hunter22", "hunter22"),
    ("db_password = 'hunter 22'", "hunter 22"),
    ("CREATE USER 'x'@'%' IDENTIFIED BY 'hunter22'", "hunter22"),
    ("aws_secret_access_key=AbCdEf0123456789", "AbCdEf0123456789"),
])
def test_password_shapes_masked(text, secret):
    out = redact_text(text)
    assert secret not in out and MASK in out, out


def test_json_stays_json():
    import json

    text = json.dumps({"password": 123456, "columns": {"password": {"type": "varchar(255)"}}, "pwd": None})
    out = redact_text(text)
    assert json.loads(out) == {"password": MASK, "columns": {"password": {"type": "varchar(255)"}}, "pwd": None}


def test_registered_secret_and_its_encodings_masked():
    register_secret("pa ss/wörd\"42")
    out = redact_text('a pa ss/wörd"42 b pa%20ss%2Fw%C3%B6rd%2242 c "pa ss/w\\u00f6rd\\"42"')
    assert "ss/w" not in out and "ss%2F" not in out and "rd" not in out.replace("word", "")


def test_short_secret_ignored():
    register_secret("ab")
    register_secret(None)
    register_secret("")
    assert redact_text("abc ab") == "abc ab"


def test_plain_text_untouched():
    text = "ALTER TABLE `secret_users` ADD UNIQUE KEY `uq_email` (`email`) -- 3 changes"
    assert redact_text(text) == text


# --- exceptions --------------------------------------------------------------------------------------------

def test_pymysql_error():
    exc = pymysql.err.IntegrityError(1062, "Duplicate entry 'alice@canary.example' for key 'uq_email'")
    assert redact_exception(exc) == f"(1062) Duplicate entry '{REDACTED}' for key 'uq_email'"


def test_pymysql_error_of_another_shape_is_default_denied():
    exc = pymysql.err.InterfaceError("weird 'alice@canary.example' state")
    assert "alice" not in redact_exception(exc)


def test_exception_chain():
    try:
        try:
            raise pymysql.err.DataError(1366, "Incorrect integer value: 'alice' for column 'age' at row 1")
        except pymysql.MySQLError as inner:
            raise ServerError("applying change 3 to `secret_users` failed", code=1366) from inner
    except ServerError as outer:
        text = redact_exception(outer, chain=True)
        alone = redact_exception(outer)
    assert "alice" not in text and "'age'" in text and "`secret_users`" in text and "(1366)" in text
    assert "caused by" not in alone


def test_other_exception_masks_credentials_only():
    exc = ValueError("cannot parse mysql://u:hunter22@h/db near 'x'")
    out = redact_exception(exc)
    assert "hunter22" not in out and "near 'x'" in out


DSN_PIECES = ["mysql://u:p@h:3306/db", "x://", "%3A", "%2F", "%40", "@h", "+", ".", "password", "PWD", "=", '"',
              "\\", "{", "u%3Ap%40h", "u:p@h:3306/db", "user:pa ss@host/db", "contact: ops@example.com",
              "at 10:30 we met bob@x.com", "a:b", " ", "\n", "@", ":/", "x", "'", "(", ")", ",", ";", "[::1]",
              "%40", "h.example:", "p@ss:w0rd@db:3306", "!", "_", "-", "/"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(DSN_PIECES), max_size=14))
def test_dsns_are_masked_as_the_patterns_say(pieces):
    """The linear-time readings find exactly the matches of the patterns they apply (_BARE_DSN,
    _SCHEME_URL), and the key=value pattern anchored at its run's start masks what the one anchored
    at every word boundary did."""
    text = "".join(pieces)
    assert redaction._mask_bare_dsns(text) == redaction._BARE_DSN.sub(redaction._mask_dsn, text)
    assert redaction._mask_scheme_urls(text) == redaction._SCHEME_URL.sub(redaction._mask_dsn, text)
    assert redaction._KEY_VALUE.sub(redaction._mask_value, text) == KEY_VALUE_AT_EVERY_BOUNDARY.sub(
        redaction._mask_value, text)


KEY_VALUE_AT_EVERY_BOUNDARY = re.compile(r"""(?ix)
    (\b[\w.-]*(?:password|passwd|pwd|secret_access_key|session_token))
    (["']?\s*[=:]\s*)
    ("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|(?![{\[])[^\s,;&)}\]'"]+)
    """)


@pytest.mark.parametrize("line", ["a:b " * 16000 + "@ ", "!a:b" * 16000 + "@", "a:b :/" * 10000 + "x@h:1",
                                  "a://b:" * 12000, "a+" * 32000, "a." * 32000, "x://u:p " * 8000])
def test_long_lines_are_redacted_in_linear_time(line):
    """A 64 kB line of "a:b" pairs — a Schemafile's view or comment, printed in the plan's DDL —
    took 36 s with the pattern (each start scanned to the line's end); "a." repeated took 124 s
    (password=… tried from every word boundary), "a://b:" 5 s. In a child with a deadline,
    so that a regression fails rather than stalls."""
    import subprocess
    import sys
    code = "import sys; from schema_apply.firewall.redaction import redact_text; redact_text(sys.stdin.read())"
    subprocess.run([sys.executable, "-c", code], input=line, text=True, check=True, timeout=15)
