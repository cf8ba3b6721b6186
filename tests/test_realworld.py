"""The real-world corpus (tests/data/realworld.yaml) through issue 8's four checks, one test per
application: (1) NEW loaded by the client -> `plan NEW` is clean; (2) OLD loaded -> `apply
--allow-drop NEW`, `plan` clean, every table equal to the NEW-loaded one; (3) empty -> `apply NEW`
-> equal; (4) `export` -> `plan` of the export is clean. The files are third-party: they come from
the cache `./scripts/realworld assemble` fills (mirror or public URL, SHA-256 checked); an
application whose files cannot be had is skipped, saying why — a failure under
SCHEMA_APPLY_REQUIRE_CORPUS=1 (a machine that has the corpus must run it). The server is never
optional: the ``server`` fixture fails first when it does not answer."""

from __future__ import annotations


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
