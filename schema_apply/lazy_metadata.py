"""sqlglot imported without ``importlib.metadata`` (a tenth of the instructions of a plan's start-up).

sqlglot's dialect module runs ``from importlib.metadata import entry_points`` when imported, to
look for dialect plugins when asked for a dialect it does not ship — which this package never does
(MySQL only). Importing ``importlib.metadata`` loads ``email``, ``zipfile``, ``csv`` and more: 113 M
instructions of the 1,060 M before a plan forks (issue 12). So ``install()`` (from the package's
``__init__``) puts a finder first in ``sys.meta_path`` that waits for the first import of
``sqlglot``; while that import runs, if ``importlib.metadata`` is not loaded yet, a stand-in is
in its place: its ``entry_points`` imports the real module when called, as does reading any other
name of it. The import done, the stand-in is gone from ``sys.modules`` (sqlglot keeps the function),
and the finder from ``sys.meta_path``: later imports of ``importlib.metadata`` get the real module.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from importlib.machinery import PathFinder

NAME = "importlib.metadata"


class _StandIn(types.ModuleType):
    """``importlib.metadata`` until a name of it is read: then the real module's. It has the
    package's ``__path__`` (``from … import`` asks for it; a submodule would be found there)."""

    def __init__(self):
        super().__init__(NAME)
        self.__path__ = [os.path.join(os.path.dirname(importlib.__file__), "metadata")]

    def __getattr__(self, name: str):
        return getattr(_real(), name)

    @staticmethod
    def entry_points(**params):
        return _real().entry_points(**params)


def _real() -> types.ModuleType:
    if isinstance(sys.modules.get(NAME), _StandIn):
        del sys.modules[NAME]
    return importlib.import_module(NAME)


class _WithStandIn:
    """A loader that runs ``loader`` with the stand-in in place of ``importlib.metadata``."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        if NAME in sys.modules:
            self.loader.exec_module(module)
            return
        sys.modules[NAME] = _StandIn()
        try:
            self.loader.exec_module(module)
        finally:
            if isinstance(sys.modules.get(NAME), _StandIn):
                del sys.modules[NAME]

    def __getattr__(self, name: str):  # (what else the import system asks the path loader)
        return getattr(self.loader, name)


class _FirstSqlglotImport:
    """Meta path finder: the first import of ``sqlglot`` runs with the stand-in; then it goes."""

    asked = False

    @classmethod
    def find_spec(cls, name: str, path=None, target=None):
        if name != "sqlglot" or cls.asked:
            return None
        cls.asked = True
        spec = PathFinder.find_spec(name, path)
        if spec is None:  # found by another finder: this one stays, answering nothing (removed while
            return None   # the import system walks sys.meta_path, it would make the walk skip the next)
        sys.meta_path.remove(cls)  # (the walk ends with this spec)
        if spec.loader is not None and NAME not in sys.modules:
            spec.loader = _WithStandIn(spec.loader)
        return spec


def install() -> None:
    """Have the first import of sqlglot (if still to come) run without ``importlib.metadata``."""
    if "sqlglot" not in sys.modules and not _FirstSqlglotImport.asked and _FirstSqlglotImport not in sys.meta_path:
        sys.meta_path.insert(0, _FirstSqlglotImport)
