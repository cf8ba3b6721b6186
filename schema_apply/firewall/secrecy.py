"""The secrecy policy: which tables are secret, and what the server they live on calls a built-in.

One frozen :class:`SecrecyPolicy` is built per run, once the server's settings are known
(:meth:`SecrecyPolicy.for_server`, from the flavor ``detect_flavor`` read), and shared by the statement
guard (through the guarded connection), the plan's policy and apply. Before that, a connection runs
with :meth:`SecrecyPolicy.unsettled`: names match case-insensitively (a superset of every server's
rule) and the guard refuses DDL, which only a settled policy may judge.
"""

from __future__ import annotations

from typing import Iterable

from ..values import frozen

DEFAULT_PREFIXES = ("secret_",)

SYSTEM_SCHEMAS = frozenset({"mysql", "information_schema", "performance_schema", "sys"})
"""Databases whose rows describe the server, its sessions and its statistics: they can hold values
from any table (histograms, query texts, locked keys, index statistics)."""


@frozen
class SecrecyPolicy:
    """``prefixes``: a table (or view) whose name starts with one of them holds personal data.
    ``lower_case_table_names``: the server's setting (0: names compare case-sensitively, the Linux
    default; 1 or 2: case-insensitively), or None while unknown. ``server``: ``(kind, version)`` of the
    server (``Flavor.server``), which decides the built-in functions a view may call; None: only the
    functions every supported server has."""

    prefixes: tuple[str, ...] = DEFAULT_PREFIXES
    lower_case_table_names: int | None = 0
    server: tuple[str, tuple[int, int, int]] | None = None

    @classmethod
    def unsettled(cls, prefixes: Iterable[str] = DEFAULT_PREFIXES) -> "SecrecyPolicy":
        return cls(_prefixes(prefixes), None, None)

    @classmethod
    def for_server(cls, prefixes: Iterable[str], flavor) -> "SecrecyPolicy":
        """The policy for a server of ``flavor`` (its ``lower_case_table_names`` and kind/version)."""
        return cls(_prefixes(prefixes), int(flavor.lower_case_table_names or 0), flavor.server)

    @property
    def settled(self) -> bool:
        return self.lower_case_table_names is not None

    @property
    def case_insensitive(self) -> bool:
        return self.lower_case_table_names != 0

    def is_secret(self, name: str | None) -> bool:
        """Does table name ``name`` (unqualified, unquoted) start with a secret prefix — as the server
        compares table names?"""
        if not name:
            return False
        if self.case_insensitive:
            folded = name.lower()
            return any(folded.startswith(p.lower()) for p in self.prefixes)
        return any(name.startswith(p) for p in self.prefixes)

    def same_name(self, a: str, b: str) -> bool:
        """Are ``a`` and ``b`` the same table (or database) name on this server?"""
        return a.lower() == b.lower() if self.case_insensitive else a == b

    def name_key(self, name: str) -> str:
        return name.lower() if self.case_insensitive else name

    def prefixes_text(self) -> str:
        return ", ".join(repr(p) for p in self.prefixes) or "(none)"


def _prefixes(prefixes: Iterable[str]) -> tuple[str, ...]:
    if isinstance(prefixes, str):  # a lone string is a prefix, not a sequence of letters
        return (prefixes,)
    return tuple(prefixes)
