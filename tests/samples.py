"""Public sample schemas with triggers, stored routines and views (``tests/data/samples.yaml``).

Nothing fetched is committed. The manifest records each sample's repository, licence, path, the
name of the database the file creates, and an old and a new commit with the file's SHA-256.
``assemble()`` builds a local cache from a mirror of the repository (``git show COMMIT:PATH`` under
``$SCHEMA_APPLY_MIRROR``, default ``/work/.mirror``) or else the public raw URL, checks every
digest, and writes the file the checks use into ``$SCHEMA_APPLY_SAMPLES_CACHE`` (default
``~/.cache/schema-apply/samples``): the file's own database name becomes ``{database}`` (the checks
load each sample into a scratch database), and the statements that create, drop or select that
database become comments.

``check_sample()`` runs the checks of issue 13 against the real server: NEW loaded by the
``mariadb``/``mysql`` command-line client plans nothing; OLD loaded, ``apply`` NEW upgrades it to
exactly what the client made of NEW (tables, views, triggers, routines); an empty database gets
the same; the export of the NEW database plans nothing and loads, with the client, into the same.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

MANIFEST = Path(__file__).resolve().parent / "data" / "samples.yaml"
DEFAULT_CACHE = Path.home() / ".cache" / "schema-apply" / "samples"
DEFAULT_MIRROR = Path("/work/.mirror")
PLACEHOLDER = "{database}"


@dataclass(frozen=True)
class Sample:
    name: str
    repository: str
    licence: str
    path: str
    database: str
    old: tuple[str, str]  # (commit, sha256)
    new: tuple[str, str]


class SampleUnavailable(Exception):
    """The cache cannot be assembled (no mirror, no network, a digest that does not match)."""


def load_manifest(path: Path = MANIFEST) -> list[Sample]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Sample(name, e["repository"], e["licence"], e["path"], e["database"],
                   (e["old"]["commit"], e["old"]["sha256"]), (e["new"]["commit"], e["new"]["sha256"]))
            for name, e in doc["samples"].items()]


def cache_root() -> Path:
    return Path(os.environ.get("SCHEMA_APPLY_SAMPLES_CACHE") or DEFAULT_CACHE)


def cached(sample: Sample, side: str) -> Path:
    commit, sha256 = getattr(sample, side)
    return cache_root() / sample.name / f"{side}-{sha256[:16]}.sql"


def _source(sample: Sample, side: str) -> bytes:
    commit, sha256 = getattr(sample, side)
    git_dir = Path(os.environ.get("SCHEMA_APPLY_MIRROR") or DEFAULT_MIRROR) / sample.repository.replace("/", "+") / "repo"
    data = None
    if git_dir.is_dir():
        result = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{commit}:{sample.path}"], capture_output=True)
        data = result.stdout if result.returncode == 0 else None
    if data is None:
        url = f"https://raw.githubusercontent.com/{sample.repository}/{commit}/{sample.path}"
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                data = response.read()
        except OSError as exc:
            raise SampleUnavailable(f"{sample.name} {commit[:12]}: no mirror at {git_dir} and {url} cannot be"
                                    f" read: {exc}") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise SampleUnavailable(f"{sample.name} {commit[:12]}:{sample.path}: SHA-256 {digest} is not the manifest's"
                                f" {sha256}")
    return data


def prepare(text: str, database: str) -> str:
    """The file with its database's name as ``{database}``; its CREATE/DROP SCHEMA and USE of it
    commented out (the checks give the database by URL)."""
    name = re.escape(database)
    text = re.sub(rf"^([ \t]*(?:DROP\s+(?:SCHEMA|DATABASE)\s+IF\s+EXISTS|CREATE\s+(?:SCHEMA|DATABASE)|USE)\s+`?{name}`?\s*;)",
                  r"-- \1", text, flags=re.I | re.M)
    return re.sub(rf"(?<![\w$`]){name}(?=\.)|`{name}`(?=\.)", PLACEHOLDER, text)


def assemble(samples: list[Sample] | None = None, log=print) -> list[Sample]:
    samples = load_manifest() if samples is None else samples
    for sample in samples:
        for side in ("old", "new"):
            target = cached(sample, side)
            if target.exists():
                continue
            text = prepare(_source(sample, side).decode("utf-8"), sample.database)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)
            log(f"cached {sample.name} {getattr(sample, side)[0][:12]} -> {target}")
    return samples


def schemafile(sample: Sample, side: str, database: str, directory: Path) -> Path:
    """The cached file for ``database``: its placeholder filled in."""
    path = directory / f"{sample.name}-{side}-{database}.sql"
    path.write_text(cached(sample, side).read_text(encoding="utf-8").replace(PLACEHOLDER, database), encoding="utf-8")
    return path


def load_with_client(server, database: str, path: Path) -> None:
    """Load a file the way its users do: the mariadb (or mysql) command-line client."""
    from shutil import which
    client = "mariadb" if which("mariadb") else "mysql"
    with path.open("rb") as stdin:
        result = subprocess.run([client, f"--host={server.host}", f"--port={server.port}", f"--user={server.user}",
                                 database], stdin=stdin, capture_output=True,
                                env=dict(os.environ, MYSQL_PWD=server.password))
    if result.returncode != 0:
        raise AssertionError(f"the {client} client could not load {path.name}:"
                             f" {result.stderr.decode(errors='replace').strip()[:500]}")
