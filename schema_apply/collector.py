"""The cyclic garbage collector, as a one-shot run wants it.

A plan builds two large models of acyclic values (hundreds of thousands of objects at 1,000
tables). With the default thresholds (a collection every 700 allocations) the collector walks them
over and over: about 15 % of parsing a 1,000-table Schemafile. So:

- ``one_shot()`` (the console script, ``cli.run``): what start-up loaded is frozen out of the
  collector's view, and it runs every 50,000 allocations;
- ``building_models()``: no collection at all while a command builds its models; after, in a
  one-shot run, what was built is frozen too — the models live until the process ends, and the
  first collection after the pause would otherwise walk every object made during it (≈ 80 ms at
  1,000 tables). Elsewhere (tests calling ``main``, a library user) the collector is only
  restored: nothing is kept from it for good.

Freezing is cheap (the collector's lists are spliced, nothing is walked). Objects frozen are still
freed when their last reference goes; only a cycle among them would outlive its use, and the
models have none.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

_one_shot = False


def one_shot() -> None:
    """Tune the collector for a process that runs one command and exits (``cli.run``)."""
    global _one_shot
    _one_shot = True
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


@contextmanager
def building_models() -> Iterator[None]:
    """No cyclic collection while the models are built (see the module's docstring)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _one_shot:
            gc.freeze()
        if collecting:
            gc.enable()
