"""When the server refuses the ALGORITHM=/LOCK= clause the prediction chose (errors 1845/1846,
raised before any work is done), apply runs the statement again as the server asks — "Try
ALGORITHM=INPLACE", "Try ALGORITHM=COPY" — when the run's blocking policy lets it, and otherwise
stops with the reason and nothing of the statement done. Found on real applications' upgrades
(roundcube, kanboard, ejabberd): a prediction that is too light must not end an apply half-way.
The predictions are made wrong on purpose here, on the real server."""

from __future__ import annotations

from dataclasses import replace

import pytest

from schema_apply import online

pytestmark = pytest.mark.server

CURRENT = "CREATE TABLE t (id int PRIMARY KEY, n int);"
DESIRED = "CREATE TABLE t (id int PRIMARY KEY, n bigint);"  # a type change: the server copies the table


@pytest.fixture
def too_light(monkeypatch):
    real = online.predict
    monkeypatch.setattr(online, "predict", lambda *a, **k: replace(real(*a, **k), level=online.Level.INSTANT,
                                                                    lock=False, why=""))


def test_a_refused_clause_runs_again_as_the_server_asks(setup, cli, too_light, server):
    db, f, args = setup(CURRENT, DESIRED)
    result = cli("apply", *args)
    assert result.exit_code == 0, result.output
    assert "the server refused ALGORITHM=INSTANT for t" in result.output, result.output
    assert "please report the prediction" in result.stdout + result.stderr
    assert cli("plan", *args).exit_code == 0


def test_a_refused_clause_that_would_block_a_large_table_stops_with_nothing_done(setup, cli, too_light, server):
    db, f, args = setup(CURRENT, DESIRED)
    result = cli("apply", "--max-blocking-size", "1k", *args)
    assert result.exit_code == 1, result.output
    assert "was too light" in result.stderr and "--allow-blocking" in result.stderr, result.stderr
    assert "nothing of it was done" in result.stderr
    assert cli("plan", *args).exit_code == 2  # n is still int
