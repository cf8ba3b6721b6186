"""The one way schema-apply talks to AWS: a session from boto3's own chain, short timeouts,
and errors that say what went wrong.

boto3 finds region, endpoint and credentials itself: ``AWS_REGION``, a profile on a laptop,
the ECS task role through the container credentials endpoint, ``AWS_ENDPOINT_URL`` for a local
stand-in. Every client gets the same bounded timeouts and retries, so that an unreachable
endpoint is an error within seconds, not a hang.

boto3 and botocore are imported inside the functions: the CLI starts without them.
"""

from __future__ import annotations

import os
import re
from typing import Any

from .errors import SchemaApplyError

CONNECT_TIMEOUT = 3.0  # seconds to open a connection to an AWS endpoint
READ_TIMEOUT = 10.0  # seconds to wait for an answer
MAX_ATTEMPTS = 3  # the first try included ("standard" retry mode, with backoff)


def session(*, region: str | None = None, profile: str | None = None):
    """A boto3 session from the default chain (env, profile, container/instance role).

    botocore itself reads only ``AWS_DEFAULT_REGION``; ``AWS_REGION`` (set by ECS, and the
    variable our documentation names) wins over it, as in the AWS CLI. ``region`` and
    ``profile``, when given, win over both.
    """
    import boto3
    return boto3.Session(region_name=region or os.environ.get("AWS_REGION") or None, profile_name=profile)


def client_config():
    from botocore.config import Config
    return Config(connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
                  retries={"max_attempts": MAX_ATTEMPTS, "mode": "standard"})


def client(sess, service: str):
    return sess.client(service, config=client_config())


def resource(sess, service: str):
    return sess.resource(service, config=client_config())


def require_region(sess, error_cls: type[SchemaApplyError]) -> str:
    if not sess.region_name:
        raise error_cls("no AWS region is configured",
                        hint="set AWS_REGION (ECS sets it in a task), or a region in your AWS profile")
    return sess.region_name


def _error(exc: BaseException) -> dict:
    """The ``Error`` part of a ClientError's response (of ``exc`` or the error it wraps), else {}.

    When the client could not parse the body (moto answers some JSON-protocol services with an
    XML body), the code is the bare HTTP status: take code and message from the XML instead.
    """
    for candidate in (exc, exc.__cause__, exc.__context__):
        response = getattr(candidate, "response", None)
        if isinstance(response, dict):
            error = dict(response.get("Error", {}))
            status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            body = error.get("Message") or ""
            if body.lstrip().startswith("<"):
                code = re.search(r"<Code>(.*?)</Code>", body, re.S)
                message = re.search(r"<Message>(.*?)</Message>", body, re.S)
                error["Message"] = message.group(1).strip() if message else ""
                if code and (not error.get("Code") or str(error.get("Code")).isdigit()):
                    error["Code"] = code.group(1).strip()
            if not error.get("Code") and status == 403:
                error["Code"] = "AccessDenied"
            return error
    return {}


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError (or of the error it wraps), else None.

    ``AccessDenied`` (the query-protocol spelling) is reported as ``AccessDeniedException``.
    """
    code = _error(exc).get("Code")
    if code in ("AccessDenied", "403"):
        return "AccessDeniedException"
    return code


def error_message(exc: BaseException) -> str:
    """The AWS message of a ClientError; it names ARNs and actions, never a secret value."""
    return (_error(exc).get("Message") or "").strip()


_BAD_CREDENTIAL_CODES = {"UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException",
                         "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException",
                         "IncompleteSignature", "MissingAuthenticationToken"}


def explain(exc: BaseException, *, doing: str,
            error_cls: type[SchemaApplyError]) -> SchemaApplyError | None:
    """A clear error for the failures any AWS call can meet, or None if ``exc`` is not one.

    ``doing`` says what we were trying ("reading credstash key 'db' from table 'credential-store'").
    """
    from botocore import exceptions as bx

    if isinstance(exc, (bx.ConnectTimeoutError, bx.ReadTimeoutError)):
        endpoint = str(getattr(exc, "kwargs", {}).get("endpoint_url") or "the AWS endpoint").rstrip("/")
        return error_cls(f"{doing}: no answer from {endpoint} within "
                         f"{CONNECT_TIMEOUT if isinstance(exc, bx.ConnectTimeoutError) else READ_TIMEOUT:g} s "
                         f"({MAX_ATTEMPTS} attempts)",
                         hint="check the network path to AWS (VPC endpoints, NAT), or AWS_ENDPOINT_URL")
    if isinstance(exc, bx.EndpointConnectionError):
        endpoint = str(getattr(exc, "kwargs", {}).get("endpoint_url") or "the AWS endpoint").rstrip("/")
        return error_cls(f"{doing}: cannot connect to {endpoint}",
                         hint="check the network path to AWS (VPC endpoints, NAT), or AWS_ENDPOINT_URL")
    if isinstance(exc, bx.NoRegionError):
        return error_cls(f"{doing}: no AWS region is configured",
                         hint="set AWS_REGION (ECS sets it in a task), or a region in your AWS profile")
    if isinstance(exc, (bx.NoCredentialsError, bx.PartialCredentialsError)):
        return error_cls(f"{doing}: no AWS credentials found",
                         hint="in ECS, give the task definition a taskRoleArn; on a laptop, set AWS_PROFILE "
                              "or log in (aws sso login)")
    if isinstance(exc, bx.CredentialRetrievalError):
        return error_cls(f"{doing}: could not obtain AWS credentials ({type(exc).__name__})",
                         hint="the container credentials endpoint or the profile's credential source failed")
    if isinstance(exc, bx.ProfileNotFound):
        return error_cls(f"{doing}: {exc}")
    code = error_code(exc)
    if code in _BAD_CREDENTIAL_CODES:
        return error_cls(f"{doing}: AWS rejected the credentials ({code})",
                         hint="the credentials are invalid or expired; log in again")
    if isinstance(exc, bx.BotoCoreError):
        return error_cls(f"{doing}: {type(exc).__name__}: {exc}")
    return None


def describe_client_error(exc: Any) -> str:
    """``Code: message`` of a ClientError, for messages that have nothing better to say."""
    code = error_code(exc) or type(exc).__name__
    message = error_message(exc)
    return f"{code}: {message}" if message else code
