"""The random DDL generator (tests/ddlgen.py) on a few fixed seeds, against the real server.

For each seed: the generated schema, loaded by the server, must give the model parsed from it
(the oracle); ``plan`` with the same SQL must find nothing; ``apply`` of it to an empty database
must leave nothing to do and draw no unpredicted warning; and a mutated version must apply to the
loaded database and then plan clean. Failures of a known, recorded class (ddlgen_check.KNOWN,
README: known limits) are allowed; any other is a bug. scripts/ddlgen-report runs many seeds.
"""

from __future__ import annotations

import pytest

import ddlgen
from ddlgen_check import check_seed

SEEDS = range(20)


def test_generation_is_deterministic_per_seed():
    one, two = ddlgen.generate(7), ddlgen.generate(7)
    assert ddlgen.schema_sql(one) == ddlgen.schema_sql(two)
    assert ddlgen.schema_sql(ddlgen.mutate(one, 7)) == ddlgen.schema_sql(ddlgen.mutate(two, 7))
    assert ddlgen.schema_sql(ddlgen.generate(8)) != ddlgen.schema_sql(one)


@pytest.mark.server
@pytest.mark.parametrize("seed", SEEDS)
def test_generated_schema_is_in_sync_and_converges(server, seed):
    result = check_seed(server, seed)
    new = [f for f in result.failures if f.known is None]
    assert not new, "\n\n".join(f"{f.signature}\n{f.detail[:3000]}" for f in new[:3])
