"""The wheel the image is built from holds the whole package: every module under schema_apply/
(a hand-written package list once left schema_apply.firewall out — an image that fails at import,
which the editable install of the test runs hides)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_wheel_holds_every_module(tmp_path):
    source = tmp_path / "src"  # a clean copy: a build/ left in the checkout would lend the wheel its files
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "schema_apply", source / "schema_apply", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(tmp_path),
                    str(source)], check=True, capture_output=True, timeout=300)
    wheel, = tmp_path.glob("schema_apply-*.whl")
    shipped = {name for name in zipfile.ZipFile(wheel).namelist() if name.endswith(".py")}
    wanted = {str(p.relative_to(REPO)) for p in (REPO / "schema_apply").rglob("*.py")}
    assert wanted - shipped == set()
