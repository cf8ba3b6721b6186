"""The vendored sqldef corpus (tests/peer_cases): loading, and which cases apply to this server.

The selection rules are converge.py's: a case for another flavor or version, one that expects the
tool to fail, an offline-only case, or one needing options the harness cannot pass does not apply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

PEER_DIR = Path(__file__).resolve().parent / "peer_cases"
_NON_TABLE = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:[\w=`'\"@%.]+\s+){0,6}?(VIEW|TRIGGER|EVENT|PROCEDURE|FUNCTION)\b",
                        re.I | re.M)


@dataclass(frozen=True)
class PeerCase:
    name: str
    file: str
    data: dict

    @property
    def id(self) -> str:
        return f"{self.file.removeprefix('tests_').removesuffix('.yml')}:{self.name}"

    def sql(self, side: str, database: str) -> str:
        text = self.data.get(side) or ""
        return re.sub(r"(?<![\w$])mysqldef_test(?![\w$])", database, text)

    @property
    def tables_only(self) -> bool:
        return not any(_NON_TABLE.search(self.data.get(k) or "") for k in ("current", "desired"))


def load() -> list[PeerCase]:
    out = []
    for path in sorted(PEER_DIR.glob("tests_*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, data in doc.items():
            out.append(PeerCase(str(name), path.name, data or {}))
    return out


def _version_cmp(server: str, wanted: str) -> int:
    for a, b in zip(server.split("."), str(wanted).split(".")):
        x, y = int(re.match(r"\d+", a).group()), int(re.match(r"\d+", b).group())
        if x != y:
            return -1 if x < y else 1
    return 0


def skip_reason(case: PeerCase, flavor: str, version: str) -> str | None:
    d = case.data
    if d.get("offline"):
        return "offline-only"
    if d.get("error") is not None:
        return "expects the tool to fail"
    fl = d.get("flavor")
    if fl:
        fl = str(fl)
        if (fl.startswith("!") and fl[1:] == flavor) or (not fl.startswith("!") and fl != flavor):
            return f"flavor {fl}"
    if d.get("min_version") and _version_cmp(version, str(d["min_version"])) < 0:
        return f"min_version {d['min_version']}"
    if d.get("max_version") and _version_cmp(version, str(d["max_version"])) > 0:
        return f"max_version {d['max_version']}"
    if d.get("manage") or d.get("managed_roles") or d.get("user"):
        return "needs options the harness cannot pass"
    if d.get("enable_drop") is False:
        return "enable_drop: false"
    return None
