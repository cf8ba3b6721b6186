"""Run a script of ours with the project's .venv (or $SCHEMA_APPLY_VENV, as scripts/test takes it),
creating and filling it first if it is missing.

Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV = REPO / os.environ.get("SCHEMA_APPLY_VENV", ".venv")  # (relative to the checkout, as in scripts/test)
NAME = Path(sys.argv[0]).name


def say(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def run_quiet(cmd: list[str], what: str) -> None:
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.stdout.write(result.stdout[-4000:])
        sys.exit(f"{NAME}: {what} failed (exit {result.returncode})")


def can_apt() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def apt_install(*packages: str) -> None:
    say(f"apt-get install {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-q"], check=False, env=env, stdout=subprocess.DEVNULL)
    run_quiet(["apt-get", "install", "-y", "-q", *packages], f"apt-get install {' '.join(packages)}")


def bootstrap(script: str) -> None:
    """Re-run ``script`` with the project's venv, creating and filling it first if needed."""
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        # the code of the checkout this script is in, even when the venv's editable install is another's
        sys.path.insert(0, str(REPO))
        return
    if sys.version_info < (3, 11):
        sys.exit(f"{NAME}: schema-apply needs Python 3.11 or newer (python3 --version)")
    if not python.exists():
        say(f"creating {VENV}")
        if subprocess.run([sys.executable, "-m", "venv", str(VENV)]).returncode != 0:
            if not can_apt():
                sys.exit(f"{NAME}: python3 -m venv failed: install python3-venv")
            shutil.rmtree(VENV, ignore_errors=True)
            apt_install(f"python3.{sys.version_info.minor}-venv")
            run_quiet([sys.executable, "-m", "venv", str(VENV)], "python3 -m venv")
    if not (VENV / "bin" / "schema-apply").exists() or not (VENV / "bin" / "moto_server").exists():
        say("pip install -e '.[test]'")
        run_quiet([str(python), "-m", "pip", "install", "-q", "-e", f"{REPO}[test]"], "pip install")
    os.execv(str(python), [str(python), str(Path(script).resolve()), *sys.argv[1:]])
