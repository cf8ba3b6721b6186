"""The real-world corpus: open-source applications' own MySQL schema files, two or three releases each.

Nothing fetched is committed. ``tests/data/realworld.yaml`` records, for every application, the
repository, its licence, and for an old, optionally a middle, and a new release the tag, the path
and the file's SHA-256. ``assemble()`` builds a local cache from that record — from a mirror of the repository
(``git show TAG:PATH`` under ``$SCHEMA_APPLY_MIRROR``, default ``/work/.mirror``) when there is
one, else from the public raw URL — checks every SHA-256, and writes the file the checks use
(data statements stripped where the manifest says so, with the reason) into
``$SCHEMA_APPLY_REALWORLD_CACHE`` (default ``~/.cache/schema-apply/realworld``).

``check_app()`` runs the four checks of issue 8 on one application against the real server:

1. NEW loaded by the ``mariadb`` client -> ``plan NEW`` exits 0;
2. OLD loaded -> ``apply --allow-drop NEW`` exits 0, then ``plan`` exits 0, and every table
   equals the one the client made from NEW (columns in order; keys and constraints by definition,
   where the Schemafile leaves a name to the server, whatever name it has); with a middle release,
   the same database is brought to MID first (apply, plan, equal to the client-loaded MID), then
   to NEW — a database kept up to date release by release;
3. an empty database -> ``apply NEW`` -> equal again;
4. ``export`` of the NEW-loaded database -> ``plan`` of that export exits 0.

Used by ``tests/test_realworld.py`` and ``scripts/realworld``.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

MANIFEST = Path(__file__).resolve().parent / "data" / "realworld.yaml"
DEFAULT_CACHE = Path.home() / ".cache" / "schema-apply" / "realworld"
DEFAULT_MIRROR = Path("/work/.mirror")
# What "strip: data" removes: rows and the statements that only serve loading them.
DATA_STATEMENTS = ("INSERT", "REPLACE", "UPDATE", "DELETE", "LOCK", "UNLOCK")


@dataclass(frozen=True)
class Release:
    tag: str
    path: str
    sha256: str


@dataclass(frozen=True)
class App:
    name: str
    repository: str  # owner/name on GitHub
    licence: str
    old: Release
    new: Release
    strip: tuple[str, ...] = ()  # statement kinds removed in the cache step
    why_strip: str = ""
    charset: str | None = None  # the database's default character set, where the installer sets one
    mid: Release | None = None  # a release between the two, the upgrade's first step
    collation: str | None = None  # the database's default collation, where the installer names one

    def release(self, side: str) -> Release:
        return {"old": self.old, "mid": self.mid, "new": self.new}[side]

    @property
    def sides(self) -> tuple[str, ...]:
        return ("old", "mid", "new") if self.mid else ("old", "new")


_ENTRY_KEYS = {"repository", "licence", "old", "mid", "new", "path", "strip", "why_strip", "charset", "collation"}
_RELEASE_KEYS = {"tag", "path", "sha256"}


def load_manifest(path: Path = MANIFEST) -> list[App]:
    """The manifest's applications; a key it does not know (a misspelling) is an error, not ignored."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    apps = []
    for name, entry in doc["applications"].items():
        unknown = sorted(set(entry) - _ENTRY_KEYS) + sorted(
            f"{side}.{key}" for side in ("old", "mid", "new") if side in entry for key in set(entry[side]) - _RELEASE_KEYS)
        if unknown:
            raise ValueError(f"{path}: application {name}: unknown key(s) {', '.join(unknown)}")
        releases = {side: Release(str(entry[side]["tag"]), entry[side].get("path", entry.get("path")),
                                  entry[side]["sha256"]) for side in ("old", "mid", "new") if side in entry}
        apps.append(App(name, entry["repository"], entry["licence"], releases["old"], releases["new"],
                        tuple(entry.get("strip", ())), entry.get("why_strip", ""), entry.get("charset"),
                        releases.get("mid"), entry.get("collation")))
    return apps


def cache_root() -> Path:
    return Path(os.environ.get("SCHEMA_APPLY_REALWORLD_CACHE") or DEFAULT_CACHE)


def mirror_root() -> Path:
    return Path(os.environ.get("SCHEMA_APPLY_MIRROR") or DEFAULT_MIRROR)


def cached(app: App, side: str) -> Path:
    """Where the cache keeps the file the checks use: named by its source's digest and by what the
    cache step strips from it (a ``strip:`` changed in the manifest is a file of its own, not the
    one cut the old way)."""
    release = app.release(side)
    stripped = f"-without-{'-'.join(sorted(app.strip)).lower()}" if app.strip else ""
    return cache_root() / app.name / f"{side}-{release.sha256[:16]}{stripped}.sql"


# --------------------------------------------------------------------------
# Assembling the cache
# --------------------------------------------------------------------------

class CorpusUnavailable(Exception):
    """The cache cannot be assembled (no mirror, no network, a digest that does not match)."""


def assembled_or_skip(app: App) -> None:
    """For a test: ``app``'s files in the cache, or the test skipped saying why — failed instead
    under SCHEMA_APPLY_REQUIRE_CORPUS=1 (a machine that has the corpus must run it)."""
    import pytest
    try:
        assemble([app], log=lambda text: None)
    except CorpusUnavailable as exc:
        if os.environ.get("SCHEMA_APPLY_REQUIRE_CORPUS") == "1":
            pytest.fail(f"SCHEMA_APPLY_REQUIRE_CORPUS=1 but the corpus is not available: {exc}")
        pytest.skip(f"corpus not available here: {exc}")


def _from_mirror(app: App, release: Release) -> bytes | None:
    git_dir = mirror_root() / app.repository.replace("/", "+") / "repo"
    if not git_dir.is_dir():
        return None
    result = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{release.tag}:{release.path}"],
                            capture_output=True)
    return result.stdout if result.returncode == 0 else None


def _from_url(app: App, release: Release) -> bytes:
    url = f"https://raw.githubusercontent.com/{app.repository}/{release.tag}/{release.path}"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read()
    except OSError as exc:
        raise CorpusUnavailable(f"{app.name} {release.tag}: not in the mirror ({mirror_root()}) and {url}"
                                f" cannot be read: {exc}") from None


def source(app: App, side: str) -> bytes:
    """The file as the application ships it, its SHA-256 checked."""
    release = app.release(side)
    data = _from_mirror(app, release)
    if data is None:
        data = _from_url(app, release)
    digest = hashlib.sha256(data).hexdigest()
    if digest != release.sha256:
        raise CorpusUnavailable(f"{app.name} {release.tag}:{release.path}: SHA-256 {digest} differs from the"
                                f" manifest's {release.sha256}")
    return data


def prepare(text: str, strip: tuple[str, ...]) -> str:
    """The schema file with the statements of the kinds in ``strip`` cut out (byte-exact elsewhere)."""
    if not strip:
        return text
    from schema_apply.parse.lexer import split_statements
    kinds = set()
    for item in strip:
        kinds |= set(DATA_STATEMENTS) if item == "data" else {item.upper()}
    cuts = []
    for stmt in split_statements(text, "<corpus>"):
        if stmt.words[0] in kinds:
            start = stmt.tokens[0].start
            end = text.find(";", stmt.tokens[-1].end + 1)
            cuts.append((start, len(text) if end < 0 else end + 1))
    out, last = [], 0
    for start, end in cuts:
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return "".join(out)


def assemble(apps: list[App] | None = None, log=print) -> list[App]:
    """Make sure the cache holds every application's files; returns the applications.
    Raises CorpusUnavailable naming what is missing."""
    apps = load_manifest() if apps is None else apps
    for app in apps:
        for side in app.sides:
            target = cached(app, side)
            if target.exists():
                continue
            text = source(app, side).decode("utf-8")
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".tmp")
            tmp.write_text(prepare(text, app.strip), encoding="utf-8")
            tmp.replace(target)
            log(f"cached {app.name} {app.release(side).tag} -> {target}")
    return apps


# --------------------------------------------------------------------------
# The four checks
# --------------------------------------------------------------------------

@dataclass
class CheckResult:
    name: str
    ok: bool
    detail: str = ""
    seconds: float = 0.0


@dataclass
class AppResult:
    app: App
    checks: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def load_with_client(server, database: str, path: Path) -> None:
    """Load a schema file the way its users do: the ``mariadb`` command-line client."""
    client = "mariadb" if _which("mariadb") else "mysql"
    cmd = [client, f"--host={server.host}", f"--port={server.port}", f"--user={server.user}",
           "--default-character-set=utf8mb4", database]
    env = dict(os.environ, MYSQL_PWD=server.password)
    with path.open("rb") as stdin:
        result = subprocess.run(cmd, stdin=stdin, capture_output=True, env=env)
    if result.returncode != 0:
        raise AssertionError(f"the {client} client could not load {path.name}:"
                             f" {result.stderr.decode(errors='replace').strip()[:500]}")


def _which(name: str) -> bool:
    from shutil import which
    return which(name) is not None


_AUTO_FK = re.compile(r".*_ibfk_\d+\Z")
_AUTO_CHECK = re.compile(r"CONSTRAINT_\d+\Z|.*_chk_\d+\Z")


def _by_definition(items, auto) -> list:
    """Constraints as a sorted list, the names the server made up left out."""
    return sorted((replace(i, name="") if auto.match(i.name) else i for i in items), key=repr)


def unnamed_keys(schemafile: Path, flavor, database: str) -> dict[str, set]:
    """Per table, the definitions (the name left empty) of the keys ``schemafile`` does not name.
    The server makes up their names (``a``, ``a_2``…), and the diff matches such a key by
    definition (schema_apply.diff), so a live key of that definition keeps the name it has: after
    an upgrade it may be ``a_3`` where a fresh load says ``a``, and both are the Schemafile's key."""
    from schema_apply.normalize import normalize
    from schema_apply.parse.schemafile import parse_text
    parsed = parse_text(schemafile.read_text(encoding="utf-8"), schemafile.name, flavor.server)
    declared = normalize(parsed.schema, flavor, database=database)
    return {t.name: {replace(i, name="") for i in t.indexes if i.auto_named} for t in declared.tables}


def _keys(table, unnamed: dict[str, set]) -> tuple:
    """A table's keys in a sorted tuple, the names of those the Schemafile leaves unnamed left out."""
    made_up = unnamed.get(table.name, set())
    return tuple(sorted((replace(i, name="") if replace(i, name="") in made_up else i for i in table.indexes),
                        key=repr))


def schema_differences(got, want, unnamed: dict[str, set] | None = None) -> list[str]:
    """Where two introspected schemas differ: per table, columns in order, indexes, foreign keys and
    CHECKs by definition (the names the server made up left out: ``unnamed``, from
    ``unnamed_keys``, for keys), options and partitioning; views by definition."""
    from schema_apply.model import differences
    unnamed = unnamed or {}
    out = []
    got_tables = {t.name: t for t in got.tables}
    want_tables = {t.name: t for t in want.tables}
    for name in sorted(set(got_tables) ^ set(want_tables)):
        out.append(f"table {name}: only in {'the applied' if name in got_tables else 'the client-loaded'} database")
    for name in sorted(set(got_tables) & set(want_tables)):
        a, b = got_tables[name], want_tables[name]
        out += [f"{name}: {d}" for d in differences(a.columns, b.columns, ".columns")]
        a_keys, b_keys = _keys(a, unnamed), _keys(b, unnamed)
        if a_keys != b_keys:
            out.append(f"{name}: indexes {sorted(i.name for i in a.indexes)} != {sorted(i.name for i in b.indexes)}"
                       f" ({'; '.join(differences(a_keys, b_keys))[:300]})")
        if _by_definition(a.foreign_keys, _AUTO_FK) != _by_definition(b.foreign_keys, _AUTO_FK):
            out.append(f"{name}: foreign keys differ")
        if _by_definition(a.checks, _AUTO_CHECK) != _by_definition(b.checks, _AUTO_CHECK):
            out.append(f"{name}: CHECK constraints differ")
        out += [f"{name}: {d}" for d in differences(a.options, b.options, ".options")]
        if a.partitioning != b.partitioning:
            out.append(f"{name}: partitioning differs")
    if {v.name: v for v in got.views} != {v.name: v for v in want.views}:
        out.append("views differ")
    return out


def _live(server, database: str):
    """The database's LiveSchema (its model and the server's flavour)."""
    from conftest import guarded
    from schema_apply.introspect import introspect
    with guarded(server, database) as conn:
        return introspect(conn, database)


def check_app(server, databases, cli, app: App, workdir: Path) -> AppResult:
    """The four checks on one application; each check's failure is recorded, not raised."""
    import time
    new, old = cached(app, "new"), cached(app, "old")
    result = AppResult(app)

    def run(name: str, body) -> None:
        started = time.monotonic()
        try:
            body()
            result.checks.append(CheckResult(name, True, seconds=time.monotonic() - started))
        except AssertionError as exc:
            result.checks.append(CheckResult(name, False, str(exc).strip()[:2000], time.monotonic() - started))

    def args(db: str, schema_file: Path) -> list[str]:
        return ["--schema-file", str(schema_file), "--database-url", server.url(db)]

    def expect(res, code: int, what: str) -> None:
        assert res.exit_code == code, f"{what}: exit {res.exit_code}, expected {code}\n{res.output[-3000:]}"
        assert "warning: the server" not in res.stderr, f"{what}: the server warned\n{res.stderr[-2000:]}"

    reference: dict = {}

    def new_database() -> str:
        db = databases.new()
        if app.charset:
            collate = f" COLLATE {app.collation}" if app.collation else ""
            conn = server.connect()
            with conn.cursor() as cur:
                cur.execute(f"ALTER DATABASE `{db}` CHARACTER SET {app.charset}{collate}")
            conn.close()
        return db

    def plan_new() -> None:
        db = new_database()
        load_with_client(server, db, new)
        reference["db"] = db
        reference["schema"] = _live(server, db).schema
        expect(cli("plan", *args(db, new)), 0, "plan NEW on the NEW-loaded database")

    def upgrade() -> None:
        db = new_database()
        load_with_client(server, db, old)
        if app.mid is not None:  # OLD -> MID -> NEW, one database
            mid = cached(app, "mid")
            mid_db = new_database()
            load_with_client(server, mid_db, mid)
            expect(cli("apply", "--allow-drop", *args(db, mid)), 0, "apply --allow-drop MID on the OLD-loaded database")
            expect(cli("plan", *args(db, mid)), 0, "plan MID after the apply")
            _assert_equal(server, db, {"schema": _live(server, mid_db).schema}, mid, "MID")
        expect(cli("apply", "--allow-drop", *args(db, new)), 0,
               f"apply --allow-drop NEW on the {'MID-upgraded' if app.mid else 'OLD-loaded'} database")
        expect(cli("plan", *args(db, new)), 0, "plan NEW after the apply")
        _assert_equal(server, db, reference, new)

    def from_empty() -> None:
        db = new_database()
        expect(cli("apply", *args(db, new)), 0, "apply NEW on an empty database")
        _assert_equal(server, db, reference, new)

    def export_round_trip() -> None:
        assert "db" in reference, "needs check 1's database"
        exported = workdir / f"{app.name}-export.sql"
        res = cli("export", "-o", str(exported), "--database-url", server.url(reference["db"]))
        assert res.exit_code == 0, f"export: exit {res.exit_code}\n{res.output[-3000:]}"
        expect(cli("plan", *args(reference["db"], exported)), 0, "plan of the export")

    run("plan NEW", plan_new)
    run("upgrade OLD -> NEW", upgrade)
    run("NEW from empty", from_empty)
    run("export -> plan", export_round_trip)
    return result


def _assert_equal(server, database: str, reference: dict, schemafile: Path, release: str = "NEW") -> None:
    """``database`` equals the client-loaded ``release``, as ``schemafile`` declares it."""
    assert "schema" in reference, "needs check 1's database"
    live = _live(server, database)
    diffs = schema_differences(live.schema, reference["schema"], unnamed_keys(schemafile, live.flavor, database))
    assert not diffs, f"differs from the client-loaded {release}:\n" + "\n".join(diffs[:20])


def table(results: list[AppResult]) -> str:
    """The corpus table of CONFORMANCE.md."""
    names = [c.name for c in results[0].checks] if results else []
    lines = ["| application | repository | licence | old (→ mid) | new | path | " + " | ".join(names) + " |",
             "|---|---|---|---|---|---|" + "---|" * len(names)]
    for r in results:
        a = r.app
        marks = " | ".join("pass" if c.ok else "**fail**" for c in r.checks)
        strip = f" ({', '.join(a.strip)} stripped)" if a.strip else ""
        paths = list(dict.fromkeys(a.release(side).path for side in a.sides))
        path = ", ".join(f"`{p}`" for p in paths)
        old = f"`{a.old.tag}`" + (f" → `{a.mid.tag}`" if a.mid else "")
        lines.append(f"| {a.name} | [{a.repository}](https://github.com/{a.repository}) | {a.licence}"
                     f" | {old} | `{a.new.tag}`{strip} | {path} | {marks} |")
    return "\n".join(lines)
