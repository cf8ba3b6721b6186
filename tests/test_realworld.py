"""The real-world corpus (tests/data/realworld.yaml) through issue 8's four checks, one test per
application: (1) NEW loaded by the client -> `plan NEW` is clean; (2) OLD loaded -> `apply
--allow-drop NEW`, `plan` clean, every table equal to the NEW-loaded one; (3) empty -> `apply NEW`
-> equal; (4) `export` -> `plan` of the export is clean. The files are third-party: they come from
the cache `./scripts/realworld assemble` fills (mirror or public URL, SHA-256 checked); an
application whose files cannot be had is skipped, saying why — a failure under
SCHEMA_APPLY_REQUIRE_CORPUS=1 (a machine that has the corpus must run it). The server is never
optional: the ``server`` fixture fails first when it does not answer."""

from __future__ import annotations


import dataclasses

import pytest

import realworld

from conftest import run_cli

APPS = realworld.load_manifest()


@pytest.mark.server
@pytest.mark.parametrize("app", APPS, ids=[a.name for a in APPS])
def test_real_application_converges(server, databases, tmp_path, app):
    realworld.assembled_or_skip(app)
    result = realworld.check_app(server, databases, run_cli, app, tmp_path)
    failed = [f"{c.name}: {c.detail}" for c in result.checks if not c.ok]
    assert not failed, "\n".join(failed)


ZIPKIN_LIKE_UPGRADE = "CREATE TABLE t (a int NOT NULL, b int NOT NULL, KEY {name} (a, b), KEY a_2 (b));"


@pytest.mark.parametrize("declared, differs", [
    ("CREATE TABLE t (a int NOT NULL, b int NOT NULL, KEY (a, b), KEY a_2 (b));", False),
    ("CREATE TABLE t (a int NOT NULL, b int NOT NULL, KEY a (a, b), KEY a_2 (b));", True),   # the file names it
    ("CREATE TABLE t (a int NOT NULL, b int NOT NULL, KEY (a), KEY a_2 (b));", True),        # another definition
], ids=["unnamed", "named", "another definition"])
def test_a_key_the_schemafile_leaves_unnamed_compares_by_definition(tmp_path, declared, differs):
    """After an upgrade a key the Schemafile leaves unnamed may keep the name the server gave it in
    the old release (`a_3`, where a fresh load of the new one says `a`): the diff matches such a key
    by definition, so the check does too — but not a key the file names, nor another definition."""
    from schema_apply.flavor import Flavor
    from schema_apply.normalize import normalize
    from schema_apply.parse.schemafile import parse_text
    flavor = Flavor.from_version_string("10.11.6-MariaDB")

    def model(sql):
        return normalize(parse_text(sql, "x.sql", flavor.server).schema, flavor, database="db")

    upgraded, fresh = model(ZIPKIN_LIKE_UPGRADE.format(name="a_3")), model(ZIPKIN_LIKE_UPGRADE.format(name="a"))
    schemafile = tmp_path / "Schemafile.sql"
    schemafile.write_text(declared, encoding="utf-8")
    unnamed = realworld.unnamed_keys(schemafile, flavor, "db")
    assert bool(realworld.schema_differences(upgraded, fresh, unnamed)) is differs
    assert realworld.schema_differences(fresh, fresh, unnamed) == []


def test_the_manifest_refuses_a_key_it_does_not_know(tmp_path):
    """A misspelt key (``chrset:``, ``sha:``) would otherwise be ignored and its check silently lost."""
    manifest = tmp_path / "realworld.yaml"
    manifest.write_text("applications:\n  app:\n    repository: o/r\n    licence: MIT\n    chrset: utf8mb3\n"
                        "    old: {tag: a, path: p.sql, sha256: '00'}\n"
                        "    new: {tag: b, path: p.sql, sha256: '00', sha: 1}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"application app: unknown key\(s\) chrset, new\.sha"):
        realworld.load_manifest(manifest)
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("chrset", "charset").replace(", sha: 1", ""),
                        encoding="utf-8")
    assert [app.charset for app in realworld.load_manifest(manifest)] == ["utf8mb3"]


def test_a_file_cut_another_way_is_cached_apart():
    """The cache is named by the source's digest and by what the cache step strips: changing an
    entry's ``strip:`` must not reuse the file cut the old way."""
    app = APPS[0]
    plain, stripped = (realworld.cached(dataclasses.replace(app, strip=strip), "new") for strip in ((), ("data",)))
    assert plain != stripped and plain.parent == stripped.parent
    assert realworld.cached(dataclasses.replace(app, strip=("data", "CALL")), "new") not in (plain, stripped)
