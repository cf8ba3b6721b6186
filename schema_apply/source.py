"""Reading the Schemafile (and a saved plan) from a path or from S3, with its SHA-256.

``run-task --schema-file PATH`` uploads the file to ``s3://BUCKET/PREFIX/<sha256>.sql`` and gives
the task ``SCHEMA_APPLY_SCHEMA_FILE`` (that URI) and ``SCHEMA_APPLY_SCHEMA_SHA256`` (the digest).
The task reads the object through its role (``s3:GetObject`` on the prefix) and refuses a body
whose SHA-256 is not the one it was given: that object is not the file run-task sent (changed in
the bucket, or damaged), and nothing is planned or applied from it — exit 1, an error to look
into, not a stale plan to make again (exit 5).

A local file may be pinned the same way (``--schema-sha256``). An S3 object without an expected
digest is read only when its name is one (``<64 hex digits>.sql``), the name run-task gives it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from . import aws
from .errors import DigestMismatch, ParseError, SchemaApplyError, UsageError
from .values import frozen

S3_SCHEME = "s3://"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_s3(location: str) -> bool:
    return location.startswith(S3_SCHEME)


def split_s3(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> (bucket, key)."""
    bucket, _, key = uri[len(S3_SCHEME):].partition("/")
    if not bucket or not key:
        raise UsageError(f"{uri}: expected s3://BUCKET/KEY")
    return bucket, key


def expected_digest(value: str | None, *, option: str = "--schema-sha256") -> str | None:
    if value is None or not value.strip():
        return None
    digest = value.strip().lower().removeprefix("sha256:")
    if not _SHA256.fullmatch(digest):
        raise UsageError(f"{option}: expected 64 hexadecimal digits (a SHA-256), got {value.strip()!r}")
    return digest


@frozen
class SchemaText:
    """A Schemafile as read: where from (as messages name it), its text and the SHA-256 of its bytes."""

    name: str
    text: str
    sha256: str


def read_bytes(location: str, *, what: str = "Schemafile") -> bytes:
    """The bytes at a local path or an ``s3://`` URI; errors name the place and never a value."""
    if is_s3(location):
        return _read_s3(location, what)
    path = Path(location)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ParseError("no such file", file=location) from None
    except IsADirectoryError:
        raise ParseError(f"is a directory, not a {what}", file=location) from None
    except OSError as exc:
        raise ParseError(f"cannot read: {exc.strerror}", file=location) from None


def read_schemafile(location: str, expected_sha256: str | None = None) -> SchemaText:
    """The Schemafile at ``location``, checked against ``expected_sha256`` when one is known."""
    if is_s3(location) and expected_sha256 is None:
        named = Path(split_s3(location)[1]).stem
        if not _SHA256.fullmatch(named):
            raise UsageError(f"{location}: a Schemafile in S3 is read only with its SHA-256",
                             hint="give --schema-sha256 (SCHEMA_APPLY_SCHEMA_SHA256), or let run-task --schema-file "
                                  "upload it under its digest")
        expected_sha256 = named
    data = read_bytes(location)
    digest = sha256_hex(data)
    if expected_sha256 is not None and digest != expected_sha256:
        raise DigestMismatch(f"{location}: its SHA-256 is {digest}, expected {expected_sha256}: refusing a Schemafile "
                             "that is not the one that was sent; nothing was planned or applied",
                             hint="someone or something changed the object after it was uploaded: look into it, "
                                  "then run again (run-task --schema-file uploads a fresh copy)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        from .parse.schemafile import text_line_of_offset  # deferred: run-task and show read files without the parser
        raise ParseError("not valid UTF-8", file=location, line=text_line_of_offset(data, exc.start)) from None
    return SchemaText(location, text, digest)


def _read_s3(uri: str, what: str) -> bytes:
    bucket, key = split_s3(uri)
    try:
        sess = aws.session()
        aws.require_region(sess, SchemaApplyError)
        body = aws.client(sess, "s3").get_object(Bucket=bucket, Key=key)["Body"]
        return body.read()
    except SchemaApplyError:
        raise
    except Exception as exc:
        doing = f"reading the {what} {uri}"
        explained = aws.explain(exc, doing=doing, error_cls=SchemaApplyError)
        if explained:
            raise explained from None
        code = aws.error_code(exc)
        if code in ("NoSuchKey", "NoSuchBucket", "404", "AccessDeniedException"):
            raise SchemaApplyError(f"{doing}: not found, or not readable with this role ({code})",
                                   hint="the task role needs s3:GetObject on the prefix (ecs/task-role-policy.json); "
                                        "run-task --schema-file uploads the file there") from None
        if code:
            raise SchemaApplyError(f"{doing}: {aws.describe_client_error(exc)}") from None
        raise
