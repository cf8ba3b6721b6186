"""Where to connect, and as whom: the only module that reads secret stores.

``resolve_target(settings)`` looks, in this order, at

1. ``--database-url`` (for local use),
2. a credstash secret (``--credstash-key``; KMS + DynamoDB, through the task role in ECS),
3. an AWS Secrets Manager secret (``--secrets-manager-id``),

and returns a ``ConnectionTarget``. A secret's value is RDS-style JSON
(``{"host", "port", "username", "password", "dbname"}``) or a ``mysql://`` URL.

Every plaintext and password obtained here is registered with ``redact`` before anything
else happens to it, and no error message quotes a value: errors name the key, the table,
the store and what went wrong.
"""

from __future__ import annotations

import binascii
import json
import urllib.parse
from pathlib import Path

from . import aws
from .firewall import redaction as redact
from .dsn import VERIFYING_MODES, ConnectionTarget, from_secret_value, parse_url
from .errors import CredentialError
from .settings import Settings

_NO_DATABASE_HINT = ("pass --database-url mysql://user:password@host:port/database, or --credstash-key NAME "
                     "(SCHEMA_APPLY_CREDSTASH_KEY), or --secrets-manager-id ID (SCHEMA_APPLY_SECRETS_MANAGER_ID)")


def resolve_target(settings: Settings) -> ConnectionTarget:
    """The database to connect to, from the first source the settings give."""
    if settings.database_url:
        redact.register_secret(settings.database_url)
        target = parse_url(settings.database_url, source="--database-url")
    elif settings.credstash_key:
        value = read_credstash(settings.credstash_key, table=settings.credstash_table,
                               context=dict(settings.credstash_context))
        target = from_secret_value(value, source=f"credstash key {settings.credstash_key!r}")
    elif settings.secrets_manager_id:
        value = read_secrets_manager(settings.secrets_manager_id)
        target = from_secret_value(value, source=f"Secrets Manager secret {settings.secrets_manager_id!r}")
    else:
        raise CredentialError("no database given", hint=_NO_DATABASE_HINT)
    redact.register_secret(target.password)
    return _with_tls(target, settings)


_CA_HINT = ("give the CA bundle that signed the server's certificate with --ssl-ca (SCHEMA_APPLY_SSL_CA); for RDS,"
            " global-bundle.pem (the image carries it when built with --build-arg SSL_CA_BUNDLE, see README)")


def _with_tls(target: ConnectionTarget, settings: Settings) -> ConnectionTarget:
    """The target with --ssl-ca and --ssl-mode applied (they win over the URL's), checked."""
    target = target.with_tls(settings.ssl_ca, settings.ssl_mode)
    mode = target.tls
    if mode in VERIFYING_MODES and not target.ssl_ca:
        raise CredentialError(f"--ssl-mode {mode} needs a CA bundle to verify the server against", hint=_CA_HINT)
    if mode != "disabled" and target.ssl_ca and not Path(target.ssl_ca).is_file():
        raise CredentialError(f"--ssl-ca: no such file: {target.ssl_ca}", hint=_CA_HINT)
    return target


def read_credstash(key: str, *, table: str, context: dict[str, str]) -> str:
    """The plaintext of credstash secret ``key`` (its highest version), registered for redaction."""
    import credstash  # deferred, as boto3 in aws.py: a run given --database-url never loads the AWS libraries
    from botocore.exceptions import ClientError

    where = f"credstash key {key!r} in table {table!r}"
    sess = aws.session()
    region = aws.require_region(sess, CredentialError)
    where_region = f"{where} (region {region})"
    try:
        value = credstash.getSecret(key, table=table, context=context or None,
                                    dynamodb=aws.resource(sess, "dynamodb"), kms=aws.client(sess, "kms"))
    except credstash.ItemNotFound:
        raise CredentialError(f"{where_region}: no such key",
                              hint=f"list the keys with `credstash -r {region} -t {table} list`") from None
    except credstash.KmsError as exc:
        raise _kms_error(exc, where_region, context) from None
    except credstash.IntegrityError:
        raise CredentialError(f"{where_region}: the stored item fails its HMAC check",
                              hint="the item is corrupt, or was not written by credstash; store it again") from None
    except ClientError as exc:
        raise _dynamodb_error(exc, where_region, table) from None
    except UnicodeDecodeError:
        raise CredentialError(f"{where_region}: the secret's value is not UTF-8 text") from None
    except (KeyError, ValueError, TypeError, binascii.Error) as exc:
        explained = aws.explain(exc, doing=f"reading {where_region}", error_cls=CredentialError)
        if explained:
            raise explained from None
        raise CredentialError(f"{where_region}: the stored item is malformed ({type(exc).__name__}); "
                              "it was not written by credstash") from None
    except Exception as exc:
        explained = aws.explain(exc, doing=f"reading {where_region}", error_cls=CredentialError)
        if explained:
            raise explained from None
        raise
    _register(value)
    return value


def read_secrets_manager(secret_id: str) -> str:
    """The value of an AWS Secrets Manager secret (its AWSCURRENT version), registered for redaction."""
    from botocore.exceptions import ClientError  # deferred: the AWS libraries only when AWS is used (aws.py)

    where = f"Secrets Manager secret {secret_id!r}"
    sess = aws.session()
    region = aws.require_region(sess, CredentialError)
    where_region = f"{where} (region {region})"
    try:
        response = aws.client(sess, "secretsmanager").get_secret_value(SecretId=secret_id)
    except ClientError as exc:
        code = aws.error_code(exc)
        if code == "ResourceNotFoundException":
            raise CredentialError(f"{where_region}: no such secret") from None
        if code == "AccessDeniedException":
            raise CredentialError(f"{where_region}: access denied ({aws.error_message(exc)})",
                                  hint="the role needs secretsmanager:GetSecretValue on the secret "
                                       "(and kms:Decrypt on its key)") from None
        if code == "DecryptionFailure":
            raise CredentialError(f"{where_region}: KMS could not decrypt the secret",
                                  hint="the role needs kms:Decrypt on the secret's KMS key") from None
        raise CredentialError(f"{where_region}: {aws.describe_client_error(exc)}") from None
    except Exception as exc:
        explained = aws.explain(exc, doing=f"reading {where_region}", error_cls=CredentialError)
        if explained:
            raise explained from None
        raise
    value = response.get("SecretString")
    if value is None:
        try:
            value = bytes(response.get("SecretBinary") or b"").decode("utf-8")
        except UnicodeDecodeError:
            raise CredentialError(f"{where_region}: the secret's binary value is not UTF-8 text") from None
    _register(value)
    return value


def _register(value: str) -> None:
    """Register a plaintext, and the password inside it, before anything can go wrong with it."""
    redact.register_secret(value)
    text = value.strip()
    try:
        doc = json.loads(text) if text.startswith("{") else None
    except ValueError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("password"), str):
        redact.register_secret(doc["password"])
    elif "://" in text:
        try:
            password = urllib.parse.urlsplit(text).password
        except ValueError:
            password = None
        if password:
            redact.register_secret(urllib.parse.unquote(password))
            redact.register_secret(password)


def _kms_error(exc: Exception, where: str, context: dict[str, str]) -> CredentialError:
    code = aws.error_code(exc)
    if code == "InvalidCiphertextException":
        if context:
            shown = ",".join(f"{k}={v}" for k, v in context.items())
            return CredentialError(f"{where}: KMS cannot decrypt it with the encryption context {shown}",
                                   hint="the context must be exactly the one given to `credstash put`")
        return CredentialError(f"{where}: KMS cannot decrypt it without an encryption context",
                               hint="the secret was stored with one: pass --credstash-context K=V "
                                    "(SCHEMA_APPLY_CREDSTASH_CONTEXT=K=V,K=V)")
    if code == "AccessDeniedException":
        return CredentialError(f"{where}: KMS refused to decrypt: access denied ({aws.error_message(exc)})",
                               hint="the task role needs kms:Decrypt on the credstash key, with a condition "
                                    "on kms:EncryptionContext that matches --credstash-context")
    if code in ("DisabledException", "KMSInvalidStateException", "NotFoundException"):
        return CredentialError(f"{where}: the KMS key cannot be used ({aws.describe_client_error(exc)})")
    explained = aws.explain(exc.__context__ or exc, doing=f"decrypting {where}", error_cls=CredentialError)
    if explained:
        return explained
    return CredentialError(f"{where}: KMS error ({code or type(exc.__context__ or exc).__name__})")


def _dynamodb_error(exc: Exception, where: str, table: str) -> CredentialError:
    code = aws.error_code(exc)
    if code == "ResourceNotFoundException":
        return CredentialError(f"{where}: the DynamoDB table {table!r} does not exist",
                               hint="check --credstash-table (SCHEMA_APPLY_CREDSTASH_TABLE) and the region; "
                                    "`credstash setup` creates the table")
    if code == "AccessDeniedException":
        return CredentialError(f"{where}: DynamoDB access denied ({aws.error_message(exc)})",
                               hint="the task role needs dynamodb:GetItem and dynamodb:Query on the table")
    explained = aws.explain(exc, doing=f"reading {where}", error_cls=CredentialError)
    if explained:
        return explained
    return CredentialError(f"{where}: DynamoDB error ({aws.describe_client_error(exc)})")
