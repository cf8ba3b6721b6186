"""The rules for what a Schemafile builds: no object may become a way to secret rows.

The statement guard stops what schema-apply *sends* from reading rows. These rules stop what it
*builds* from handing rows to others: a view, a foreign key, a table's storage engine (and a
trigger, a routine or an event: ``firewall.programs``) that would let anyone who may use a
non-secret object see, count or test values of a secret table, of a system schema or of another
database. The plan's policy (``schema_apply.policy``) asks them for every object a change creates
or redefines and refuses the change (exit 3) with the reasons; nothing overrides them, not even
``--allow-drop``.

The API — one function per object kind, each fed the parsed object, the run's
:class:`~schema_apply.firewall.secrecy.SecrecyPolicy` and the :class:`Surroundings`, each returning
the reasons to refuse it (an empty list: it may be built)::

    view_refusals(view: model.View, policy, around) -> list[str]
    table_refusals(table: model.Table, policy, around) -> list[str]
    foreign_key_refusals(table: str, fk: model.ForeignKey, policy, around) -> list[str]
    engine_refusals(table: str, engine: str | None, policy, around) -> list[str]

A reason is a phrase whose subject is the object (``"reads secret table `secret_users` …"``); the
caller names the object in front of it. To add a kind (triggers, routines, events), write its
``<kind>_refusals`` beside these and register it in :data:`RULES`, keyed by the model class, so
that :func:`refusals` finds it (``firewall.programs`` does so for triggers, routines and events,
whose bodies ``parse.references`` reads). A body that holds queries is read with
:func:`schema_apply.firewall.queries.view_query_reasons` per statement (under every reading from
:func:`schema_apply.firewall.reading.readings`), and the views it reads followed with
:func:`through_views`, as :func:`view_refusals` does — so that one rule decides every kind alike:
a non-secret object may read only this database's non-secret tables and views, call only the
server's built-in functions, and reach no secret table, no system schema and no other database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import field

from ..model import Table, View
from ..values import frozen
from .queries import SECRET_VIEW_RULE, VIEW_RULE, secret_view_reasons, view_query_reasons
from .reading import Name, Unreadable, q, readings, unique
from .secrecy import SYSTEM_SCHEMAS, SecrecyPolicy

LOCAL_ENGINES = frozenset({"INNODB", "MYISAM", "ARIA", "MEMORY", "HEAP", "ARCHIVE", "BLACKHOLE", "CSV",
                           "ROCKSDB", "TOKUDB", "NDB", "NDBCLUSTER"})
"""Storage engines a table may use. MERGE (MRG_MyISAM), FEDERATED, CONNECT, SPIDER, SEQUENCE and the
like are refused: they make a table whose rows are another table's (or another server's)."""


@frozen
class Surroundings:
    """What the objects will stand among once the plan has run.

    ``database``: the managed database (None offline: a qualified name cannot be shown to be it).
    ``views``: every view that will exist in it, ``policy.name_key(name) -> query`` — the Schemafile's
    definitions over the live ones (a live view the Schemafile does not manage stays as it is).
    ``hidden_views``: name keys of live views whose definition this user cannot see.
    For stored programs (``firewall.programs``): ``routines``, the routines the Schemafile declares
    (a body's calls are followed into them); ``account``, the applying session's CURRENT_USER()
    (None offline); ``allow_definers``, the other accounts ``--allow-definer`` lets a program name
    as its DEFINER.
    """

    database: str | None = None
    views: Mapping[str, str] = field(default_factory=dict)
    hidden_views: frozenset[str] = frozenset()
    routines: tuple = ()
    account: str | None = None
    allow_definers: tuple[str, ...] = ()

    @classmethod
    def of(cls, live, desired, policy: SecrecyPolicy, *, database: str | None = None,
           hidden_views: Iterable[str] = (), account: str | None = None,
           allow_definers: Iterable[str] = ()) -> "Surroundings":
        """From the live schema (all of it, not only the managed part) and the desired one."""
        views = {policy.name_key(v.name): v.definition.sql for v in live.views}
        views.update({policy.name_key(v.name): v.definition.sql for v in desired.views})
        return cls(database, views, frozenset(policy.name_key(v) for v in hidden_views),
                   tuple(getattr(desired, "routines", ())), account, tuple(allow_definers))


def refusals(obj, policy: SecrecyPolicy, around: Surroundings) -> list[str]:
    """The reasons to refuse building ``obj`` (a model object of a kind in :data:`RULES`)."""
    rule = RULES.get(type(obj))
    if rule is None:
        raise TypeError(f"no firewall rule for {type(obj).__name__}")
    return rule(obj, policy, around)


# --- views ---------------------------------------------------------------------------------------------

def view_refusals(view, policy: SecrecyPolicy, around: Surroundings) -> list[str]:
    """A non-secret view may read only this database's non-secret tables and views — and the views
    it reads must keep that rule too, transitively, live ones included — and call only the
    server's built-in functions. A secret-prefixed view may read anything, but is not updatable
    unless it reads secret tables only (:func:`secret_view_refusals`)."""
    if policy.is_secret(view.name):
        return secret_view_refusals(view, policy, around)
    return query_refusals(view.definition.sql, policy, around, seen={policy.name_key(view.name)})


def query_refusals(query: str, policy: SecrecyPolicy, around: Surroundings, *,
                   seen: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The reasons a non-secret object's query (under every reading a server could give it) may not
    be built, the views it reads followed."""
    try:
        texts = readings(query)
    except Unreadable as why:
        return [f"has a query schema-apply cannot read with certainty ({why})"]
    out: list[str] = []
    for text, _ansi in texts:
        try:
            found = view_query_reasons(text, policy, around.database)
        except Unreadable as why:
            out.append(f"has a query schema-apply cannot analyse ({why})")
            continue
        out += found.reasons
        for name in found.local:
            out += through_views(name, policy, around, seen)
    return list(unique(out))


def secret_view_refusals(view, policy: SecrecyPolicy, around: Surroundings) -> list[str]:
    """A secret-prefixed view that reads anything but this database's secret tables must be
    ALGORITHM=TEMPTABLE: a secret program may write it, and an updatable view writes the tables under it
    (:func:`~schema_apply.firewall.queries.secret_view_reasons`), under every reading of its query."""
    if view.algorithm.upper() == "TEMPTABLE":
        return []
    try:
        texts = readings(view.definition.sql)
    except Unreadable as why:
        return [f"has a query schema-apply cannot read with certainty ({why}) — {SECRET_VIEW_RULE}"]
    out: list[str] = []
    for text, _ansi in texts:
        try:
            out += secret_view_reasons(text, view.algorithm, policy, around.database)
        except Unreadable as why:
            out.append(f"has a query schema-apply cannot analyse ({why}) — {SECRET_VIEW_RULE}")
    return list(unique(out))


def through_views(name: Name, policy: SecrecyPolicy, around: Surroundings,
                  seen: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """If ``name`` (in the managed database) is a view, why reading it reads what a non-secret object
    may not (following the views it reads in turn)."""
    key = policy.name_key(name.table)
    if key in around.hidden_views:
        return [f"reads view {q(name.table)}, whose definition this user cannot see (it could read anything)"]
    query = around.views.get(key)
    if query is None or key in seen:
        return []
    inner = query_refusals(query, policy, around, seen={*seen, key})
    return [f"reads view {q(name.table)}, which {reason}" for reason in inner]


# --- tables, foreign keys, engines ------------------------------------------------------------------------

def table_refusals(table, policy: SecrecyPolicy, around: Surroundings) -> list[str]:
    """A table: its storage engine and each of its foreign keys."""
    out = engine_refusals(table.name, table.options.engine, policy, around)
    for fk in table.foreign_keys:
        out += foreign_key_refusals(table.name, fk, policy, around)
    return out


def foreign_key_refusals(table: str, fk, policy: SecrecyPolicy, around: Surroundings) -> list[str]:
    why = foreign_key_reason(table, fk.ref_schema, fk.ref_table, policy)
    return [f"has foreign key {q(fk.name)}, which {why.removeprefix('has a foreign key that ')}"] if why else []


def foreign_key_reason(table: str, ref_db: str | None, ref_table: str, policy: SecrecyPolicy) -> str | None:
    """Why ``table`` may not hold a foreign key into ``ref_db``.``ref_table`` (None: it may).

    A key from a non-secret table into a secret one is an oracle on the secret rows — whoever may
    insert into the non-secret table learns whether a value exists (the insert fails or not) — and
    ``ON UPDATE CASCADE`` / ``ON DELETE SET NULL`` write secret changes into it. Secret to secret and
    secret to non-secret keys are allowed. A key into a system schema is refused from any table."""
    if ref_db is not None and ref_db.lower() in SYSTEM_SCHEMAS:
        return (f"has a foreign key that references {q(ref_db)}.{q(ref_table)}, in the system schema {ref_db}"
                " (an insert would tell whether a value exists there)")
    if policy.is_secret(ref_table) and not policy.is_secret(table):
        where = f"{q(ref_db)}.{q(ref_table)}" if ref_db else q(ref_table)
        return (f"has a foreign key that references secret table {where} although {q(table)} is not secret:"
                f" anyone who may insert into {q(table)} could test which values exist in the secret table"
                " (the insert fails or not), and its ON UPDATE/ON DELETE actions would carry secret changes"
                " into a non-secret table")
    return None


def engine_refusals(table: str, engine: str | None, policy: SecrecyPolicy, around: Surroundings) -> list[str]:
    if engine is None or engine.upper() in LOCAL_ENGINES:
        return []
    return [f"uses storage engine {engine}, which makes a table whose rows are another table's or another"
            f" server's; schema-apply allows local engines only ({', '.join(sorted(LOCAL_ENGINES))})"]


RULES: dict[type, Callable[..., list[str]]] = {}
"""Model class -> its rule; filled below (and by modules adding kinds)."""


def _register() -> None:
    RULES[View] = view_refusals
    RULES[Table] = table_refusals


_register()

__all__ = ["LOCAL_ENGINES", "RULES", "Surroundings", "VIEW_RULE", "engine_refusals", "foreign_key_reason",
           "foreign_key_refusals", "query_refusals", "refusals", "secret_view_refusals", "table_refusals",
           "through_views", "view_refusals"]
