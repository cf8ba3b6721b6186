"""credentials.resolve_target against moto: values written by the real credstash.putSecret.

Every error is checked for its message, and for not quoting the secret or the password.
"""

from __future__ import annotations

import json
import time

import pytest
from moto import mock_aws

from aws_helpers import REGION, TABLE, CredstashStore, SilentServer, aws_env, clean_aws_env, free_port  # noqa: F401
from schema_apply import aws, credentials
from schema_apply.firewall import redaction as redact
from schema_apply.dsn import ConnectionTarget
from schema_apply.errors import CredentialError
from schema_apply.settings import Settings

pytestmark = pytest.mark.aws

PASSWORD = "s3cr3t-Pa55w0rd-7f3a"
RDS_VALUE = json.dumps({"engine": "mysql", "host": "db.internal", "port": 3307, "username": "deployer",
                        "password": PASSWORD, "dbname": "app"})
EXPECTED = ConnectionTarget(host="db.internal", port=3307, user="deployer", password=PASSWORD, database="app")
CONTEXT = {"app": "schema-apply", "env": "production"}


@pytest.fixture
def store(aws_env):
    with mock_aws():
        yield CredstashStore.create()


def settings(**kw) -> Settings:
    return Settings(**kw)


def credstash_settings(key="db", context=None, table=TABLE, **kw) -> Settings:
    return Settings(credstash_key=key, credstash_table=table,
                    credstash_context=tuple((context or {}).items()), **kw)


def failure(settings_: Settings) -> CredentialError:
    with pytest.raises(CredentialError) as info:
        credentials.resolve_target(settings_)
    exc = info.value
    shown = f"{exc} {exc.hint or ''}"
    assert PASSWORD not in shown, shown
    assert "Pa55w0rd" not in shown, shown
    return exc


# --- values written by credstash, read back -------------------------------------------------------

@pytest.mark.parametrize("digest", ["SHA", "SHA224", "SHA256", "SHA384", "SHA512", "MD5"])
@pytest.mark.parametrize("context", [None, CONTEXT], ids=["no-context", "context"])
def test_reads_rds_json_written_by_credstash(store, digest, context):
    store.put("db", RDS_VALUE, digest=digest, context=context)
    assert credentials.resolve_target(credstash_settings(context=context)) == EXPECTED


def test_reads_url_value(store):
    store.put("db-url", f"mysql://deployer:{PASSWORD}@db.internal:3307/app")
    assert credentials.resolve_target(credstash_settings("db-url")) == EXPECTED


def test_reads_the_highest_version(store):
    store.put("db", RDS_VALUE.replace("db.internal", "old.internal"), version=1)
    store.put("db", RDS_VALUE, version=2)
    assert credentials.resolve_target(credstash_settings()).host == "db.internal"


def test_other_table_name(aws_env):
    with mock_aws():
        other = CredstashStore.create(table="team-secrets")
        other.put("db", RDS_VALUE)
        assert credentials.resolve_target(credstash_settings(table="team-secrets")) == EXPECTED


def test_password_and_plaintext_registered_for_redaction(store, monkeypatch):
    monkeypatch.setattr(redact, "_secrets", set())  # forget what other tests registered
    store.put("db", RDS_VALUE)
    credentials.resolve_target(credstash_settings())
    text = redact.redact_text(f"oops {PASSWORD} and {RDS_VALUE}")
    assert PASSWORD not in text


def test_password_registered_even_when_the_value_is_unusable(store, monkeypatch):
    monkeypatch.setattr(redact, "_secrets", set())  # forget what other tests registered
    assert PASSWORD in redact.redact_text(f"x {PASSWORD} x")
    store.put("db", json.dumps({"host": "h", "username": "u", "password": PASSWORD}))  # no dbname
    failure(credstash_settings())
    assert PASSWORD not in redact.redact_text(f"x {PASSWORD} x")


def test_ssl_ca_is_applied(store, tmp_path):
    ca = tmp_path / "rds-ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    store.put("db", RDS_VALUE)
    assert credentials.resolve_target(credstash_settings(ssl_ca=str(ca))).ssl_ca == str(ca)


def test_missing_ssl_ca_file(store, tmp_path):
    store.put("db", RDS_VALUE)
    exc = failure(credstash_settings(ssl_ca=str(tmp_path / "nope.pem")))
    assert "--ssl-ca: no such file" in str(exc) and "nope.pem" in str(exc)


# --- the order of sources -------------------------------------------------------------------------

def test_database_url_wins_and_is_registered(store):
    store.put("db", RDS_VALUE.replace("db.internal", "from-credstash"))
    target = credentials.resolve_target(credstash_settings(database_url=f"mysql://me:{PASSWORD}@local/app_dev"))
    assert (target.host, target.user, target.database) == ("local", "me", "app_dev")
    assert PASSWORD not in redact.redact_text(f"x {PASSWORD} x")


def test_no_database_given(aws_env):
    exc = failure(settings())
    assert str(exc) == "no database given"
    assert "--database-url" in exc.hint and "--credstash-key" in exc.hint and "--secrets-manager-id" in exc.hint


def test_secrets_manager(aws_env):
    with mock_aws():
        import boto3
        boto3.client("secretsmanager", region_name=REGION).create_secret(Name="prod/db", SecretString=RDS_VALUE)
        assert credentials.resolve_target(settings(secrets_manager_id="prod/db")) == EXPECTED


def test_secrets_manager_binary_url(aws_env):
    with mock_aws():
        import boto3
        boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name="prod/db", SecretBinary=f"mysql://deployer:{PASSWORD}@db.internal:3307/app".encode())
        assert credentials.resolve_target(settings(secrets_manager_id="prod/db")) == EXPECTED


def test_secrets_manager_no_such_secret(aws_env):
    with mock_aws():
        exc = failure(settings(secrets_manager_id="prod/nope"))
        assert str(exc) == f"Secrets Manager secret 'prod/nope' (region {REGION}): no such secret"


def test_secrets_manager_malformed_value(aws_env):
    with mock_aws():
        import boto3
        boto3.client("secretsmanager", region_name=REGION).create_secret(Name="prod/db", SecretString=f"password={PASSWORD}")
        exc = failure(settings(secrets_manager_id="prod/db"))
        assert "Secrets Manager secret 'prod/db'" in str(exc)
        assert "neither RDS-style JSON nor a mysql:// URL" in str(exc)


# --- credstash errors -----------------------------------------------------------------------------

def test_no_such_key(store):
    store.put("other", RDS_VALUE)
    exc = failure(credstash_settings("db"))
    assert str(exc) == f"credstash key 'db' in table '{TABLE}' (region {REGION}): no such key"
    assert "credstash" in exc.hint and "list" in exc.hint


def test_wrong_encryption_context(store):
    store.put("db", RDS_VALUE, context=CONTEXT)
    exc = failure(credstash_settings(context={"app": "schema-apply", "env": "staging"}))
    assert "KMS cannot decrypt it with the encryption context app=schema-apply,env=staging" in str(exc)
    assert "credstash put" in exc.hint


def test_missing_encryption_context(store):
    store.put("db", RDS_VALUE, context=CONTEXT)
    exc = failure(credstash_settings())
    assert "KMS cannot decrypt it without an encryption context" in str(exc)
    assert "--credstash-context" in exc.hint


def test_unexpected_encryption_context(store):
    store.put("db", RDS_VALUE)
    exc = failure(credstash_settings(context=CONTEXT))
    assert "encryption context app=schema-apply,env=production" in str(exc)


def test_table_missing(aws_env):
    with mock_aws():
        exc = failure(credstash_settings(table="no-such-table"))
        assert str(exc) == (f"credstash key 'db' in table 'no-such-table' (region {REGION}): "
                            "the DynamoDB table 'no-such-table' does not exist")
        assert "--credstash-table" in exc.hint


def test_kms_access_denied(aws_env, monkeypatch):
    """A principal allowed to read the table but not to decrypt: refused, and says so."""
    from moto.core import set_initial_no_auth_action_count

    with mock_aws():
        import boto3
        store = CredstashStore.create()
        store.put("db", RDS_VALUE, context=CONTEXT)
        iam = boto3.client("iam", region_name=REGION)
        iam.create_user(UserName="reader")
        iam.put_user_policy(UserName="reader", PolicyName="table-only", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"], "Resource": "*"}]}))
        key = iam.create_access_key(UserName="reader")["AccessKey"]
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])

        @set_initial_no_auth_action_count(0)
        def read():
            return failure(credstash_settings(context=CONTEXT))

        exc = read()
    assert str(exc).startswith(f"credstash key 'db' in table '{TABLE}' (region {REGION}): "
                               "KMS refused to decrypt: access denied")
    assert "kms:Decrypt" in exc.hint


def test_tampered_item_fails_integrity_check(store):
    store.put("db", RDS_VALUE)
    item = store.item("db")
    item["hmac"] = "00" * 32
    store.replace_item(item)
    exc = failure(credstash_settings())
    assert "fails its HMAC check" in str(exc)


def test_item_not_written_by_credstash(store):
    store.replace_item({"name": "db", "version": "0000000000000000001", "contents": "bm90IGEgc2VjcmV0"})
    exc = failure(credstash_settings())
    assert "the stored item is malformed (KeyError)" in str(exc)


@pytest.mark.parametrize("value, message", [
    (f"{PASSWORD}", "the secret's value is neither RDS-style JSON nor a mysql:// URL"),
    ("{" + PASSWORD, "the secret's value is neither valid JSON nor a mysql:// URL"),
    (json.dumps({"host": "h", "password": PASSWORD, "dbname": "app"}), "the secret's JSON lacks username"),
    (json.dumps({"host": "h", "username": "u", "password": PASSWORD}), "the secret names no database (dbname)"),
    (json.dumps({"host": "h", "port": "x" + PASSWORD, "username": "u", "password": PASSWORD, "dbname": "a"}),
     "the secret's port is not a number"),
    (f"postgres://u:{PASSWORD}@h/app", "the scheme must be mysql://"),
    (f"mysql://u:{PASSWORD}@h:99999/app", "not a valid URL"),
])
def test_malformed_secret_value_is_never_echoed(store, value, message):
    store.put("db", value)
    exc = failure(credstash_settings())
    assert str(exc).startswith("credstash key 'db': ")
    assert message in str(exc)


# --- AWS unreachable, misconfigured ---------------------------------------------------------------

def test_unreachable_endpoint(aws_env, monkeypatch):
    port = free_port()  # nothing listens there
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    start = time.monotonic()
    exc = failure(credstash_settings())
    assert time.monotonic() - start < 15
    assert str(exc).startswith(f"reading credstash key 'db' in table '{TABLE}' (region {REGION}): "
                               f"cannot connect to http://127.0.0.1:{port}")
    assert "AWS_ENDPOINT_URL" in exc.hint


def test_hung_endpoint_is_bounded_by_a_timeout(aws_env, monkeypatch):
    server = SilentServer()
    monkeypatch.setattr(aws, "READ_TIMEOUT", 0.5)
    monkeypatch.setattr(aws, "MAX_ATTEMPTS", 2)
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    start = time.monotonic()
    try:
        exc = failure(credstash_settings())
    finally:
        server.close()
    assert time.monotonic() - start < 10
    assert f"no answer from {server.url} within 0.5 s (2 attempts)" in str(exc)


def test_default_timeouts_are_short():
    config = aws.client_config()
    assert config.connect_timeout <= 5 and config.read_timeout <= 15
    assert config.retries == {"max_attempts": aws.MAX_ATTEMPTS, "mode": "standard"}


def test_no_region(monkeypatch):
    clean_aws_env(monkeypatch, region=None)
    exc = failure(credstash_settings())
    assert str(exc) == "no AWS region is configured"
    assert "AWS_REGION" in exc.hint


def test_no_aws_credentials(monkeypatch):
    clean_aws_env(monkeypatch, credentials=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    exc = failure(credstash_settings())
    assert "no AWS credentials found" in str(exc)
    assert "taskRoleArn" in exc.hint


def test_credstash_not_imported_at_cli_start():
    import subprocess
    import sys
    code = ("import sys, schema_apply.cli, schema_apply.credentials, schema_apply.run_task;"
            "print(sorted(m for m in ('boto3', 'botocore', 'credstash') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- through the CLI: exit 1, a message, no traceback, no secret ----------------------------------

SCHEMAFILE = "CREATE TABLE t (id int NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB;\n"


@pytest.mark.parametrize("value, message", [
    (f"mysql://u:{PASSWORD}@h:99999/app", "error: credstash key 'db': not a valid URL"),
    ("{" + PASSWORD, "error: credstash key 'db': the secret's value is neither valid JSON nor a mysql:// URL"),
])
def test_cli_reports_credential_errors_without_the_secret(store, tmp_path, value, message):
    from click.testing import CliRunner
    from schema_apply.cli import main
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(SCHEMAFILE)
    store.put("db", value)
    for command in ("plan", "apply", "export"):
        args = [command, "--credstash-key", "db"] + (["--schema-file", str(schemafile)] if command != "export" else [])
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, (command, result.output)
        assert result.output.startswith(message), (command, result.output)
        assert "Traceback" not in result.output
        assert PASSWORD not in result.output and "Pa55w0rd" not in result.output


def test_cli_no_such_key(store, tmp_path):
    from click.testing import CliRunner
    from schema_apply.cli import main
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(SCHEMAFILE)
    result = CliRunner().invoke(main, ["plan", "--credstash-key", "nope", "--schema-file", str(schemafile)])
    assert result.exit_code == 1
    assert result.output == (f"error: credstash key 'nope' in table '{TABLE}' (region {REGION}): no such key\n"
                             f"hint: list the keys with `credstash -r {REGION} -t {TABLE} list`\n")
