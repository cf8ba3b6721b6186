"""Online DDL: what each ALTER TABLE costs the application, and the clause that holds the server to it.

For every statement of a plan this module predicts how the server will run it — **instant**
(metadata only), **in place** (the table stays writable; it may be rebuilt), or **copy** (the
table is copied while writes wait) — from the online-DDL matrices the vendors document:

* MySQL 8.0 / 8.4 Reference Manual, "InnoDB and Online DDL" → "Online DDL Operations"
  (https://dev.mysql.com/doc/refman/8.0/en/innodb-online-ddl-operations.html,
  https://dev.mysql.com/doc/refman/8.4/en/innodb-online-ddl-operations.html): the tables of index,
  primary-key, column, generated-column, foreign-key and table operations (Instant / In Place /
  Rebuilds Table / Permits Concurrent DML), INSTANT ADD COLUMN from 8.0.12 (last column only before
  8.0.29), INSTANT DROP COLUMN from 8.0.29, INSTANT RENAME COLUMN from 8.0.28, "ADD FOREIGN KEY:
  INPLACE only with foreign_key_checks disabled", VARCHAR extension in place only while the length
  bytes stay the same (0-255 bytes vs 256 or more).
* MySQL 5.7 Reference Manual, "Online DDL Operations" (no INSTANT algorithm).
* MariaDB Knowledge Base, "InnoDB Online DDL Operations with the INSTANT / NOCOPY / INPLACE Alter
  Algorithm" and "ALTER TABLE Improvements in MariaDB Server 10.4" (instant ADD/DROP/reorder of
  columns from 10.4, instant VARCHAR extension and utf8mb3 -> utf8mb4, NOCOPY for index changes,
  "Adding foreign keys needs foreign_key_checks=OFF", "Adding an auto-increment column requires a
  lock", "Fulltext index creation requires a lock").

MariaDB 10.11 — the server of our tests — is the oracle for the MariaDB column: a parametrised
test runs every change kind the planner emits with the predicted clause (it must be accepted) and
with the next stronger one (it must be refused, so the prediction is not pessimistic). MySQL
predictions follow the manual; where the manual is silent they are conservative: a prediction that
is too pessimistic costs a refusal by the size limit, never a silent block.

The clause (``ALGORITHM=INSTANT``, ``ALGORITHM=NOCOPY|INPLACE, LOCK=NONE``, …) makes the server
*refuse* instead of silently blocking when a prediction is wrong. A statement predicted to copy
carries no clause — the server may still do better — except when it must validate rows (a new
CHECK or foreign key): then ``ALGORITHM=COPY`` makes the server check every row (MariaDB adds a
column's CHECK instantly, without checking the rows already there, when left to choose).

Version comparisons live in :func:`capabilities` only; the rest asks capability questions.
"""

from __future__ import annotations

import re
from dataclasses import replace
from enum import IntEnum
from typing import TYPE_CHECKING, Iterable, Mapping

from .changes import (
    AddCheck, AddColumn, AddForeignKey, AddIndex, Change, ChangeIndexVisibility, ChangePartitioning,
    ChangeTableOptions, DropCheck, DropColumn, DropForeignKey, DropIndex, ModifyCheck, ModifyColumn, ModifyForeignKey,
    ModifyIndex, RenameIndex)
from .errors import UsageError
from .model import Column, Index, Table, key
from .values import frozen

if TYPE_CHECKING:  # annotations only: a flavor's capabilities are read from the value passed in
    from .flavor import Flavor


class Level(IntEnum):
    """How much of the table a change touches, cheapest first."""

    INSTANT = 0  # metadata only
    INPLACE = 1  # in place, no rebuild (an index is built or dropped; MariaDB's NOCOPY)
    REBUILD = 2  # in place, the table is rebuilt (writes continue)
    COPY = 3  # the table is copied; writes wait for the whole copy


@frozen
class Op:
    """One change as the server will treat it."""

    level: Level
    lock: bool = False  # needs LOCK=SHARED: writes wait (auto-increment column, FULLTEXT/SPATIAL index)
    layout: bool = False  # an instant change of the row layout (add/drop/reorder a column)
    builds_index: bool = False  # builds index entries (which MariaDB cannot do next to an instant layout change)
    validates: bool = False  # must read every row to check it (CHECK, foreign key)
    why: str = ""  # what makes it cost this much, when that is worth saying
    change: Change | None = None


@frozen
class Prediction:
    """How the server will run one statement."""

    level: Level
    lock: bool = False
    validates: bool = False
    cause: Change | None = None  # the change that decides the cost
    why: str = ""  # what makes it cost this much
    new_table: bool = False  # the table is created by this plan: empty, whatever the level

    @property
    def blocks_writes(self) -> bool:
        return self.level == Level.COPY or self.lock

    @property
    def label(self) -> str:
        if self.level == Level.COPY:
            return "copies the table, blocks writes"
        text = {Level.INSTANT: "instant", Level.INPLACE: "in place", Level.REBUILD: "in place, rebuilds"}[self.level]
        return text + (", blocks writes" if self.lock else "")

    @property
    def algorithm(self) -> str:
        return {Level.INSTANT: "INSTANT", Level.INPLACE: "INPLACE", Level.REBUILD: "INPLACE",
                Level.COPY: "COPY"}[self.level]


METADATA = Prediction(Level.INSTANT)  # CREATE/DROP/RENAME TABLE, views: no rows touched


# --------------------------------------------------------------------------
# What each server can do (the one place with version numbers)
# --------------------------------------------------------------------------

@frozen
class Capabilities:
    instant: bool  # ALGORITHM=INSTANT exists: MySQL 8.0.12+, MariaDB 10.3.7+
    nocopy: bool  # ALGORITHM=NOCOPY exists: MariaDB 10.3.7+
    instant_add_anywhere: bool  # instant ADD COLUMN at any position: MySQL 8.0.29+, MariaDB 10.4+
    instant_drop_column: bool  # MySQL 8.0.29+, MariaDB 10.4+
    instant_reorder: bool  # MODIFY … AFTER without a rebuild: MariaDB 10.4+ (MySQL rebuilds)
    instant_rename_column: bool  # MySQL 8.0.28+, MariaDB 10.3.7+
    instant_metadata: bool  # defaults, comments, index renames/visibility, dropping FKs and CHECKs:
    #                         MariaDB does these instantly; MySQL documents most as in-place metadata
    instant_varchar: bool  # VARCHAR extension within the same length bytes: MariaDB 10.4+ instant, MySQL in place
    instant_charset_widen: bool  # utf8mb3 -> utf8mb4, collation changes: MariaDB 10.4+ (MySQL copies)
    instant_virtual: bool  # add/drop/modify a VIRTUAL column: MySQL 8.0.12+ add/drop, MariaDB 10.3.7+
    instant_table_charset: bool  # DEFAULT CHARSET/COLLATE: MariaDB instant; MySQL rebuilds in place
    mysql: bool


def capabilities(flavor: Flavor) -> Capabilities:
    v = flavor.version
    if flavor.is_mariadb:
        return Capabilities(instant=v >= (10, 3, 7), nocopy=v >= (10, 3, 7), instant_add_anywhere=v >= (10, 4, 0),
                            instant_drop_column=v >= (10, 4, 0), instant_reorder=v >= (10, 4, 0),
                            instant_rename_column=v >= (10, 3, 7), instant_metadata=v >= (10, 3, 7),
                            instant_varchar=v >= (10, 4, 0), instant_charset_widen=v >= (10, 4, 0),
                            instant_virtual=v >= (10, 3, 7), instant_table_charset=v >= (10, 3, 7), mysql=False)
    return Capabilities(instant=v >= (8, 0, 12), nocopy=False, instant_add_anywhere=v >= (8, 0, 29),
                        instant_drop_column=v >= (8, 0, 29), instant_reorder=False,
                        instant_rename_column=v >= (8, 0, 28), instant_metadata=False, instant_varchar=False,
                        instant_charset_widen=False, instant_virtual=v >= (8, 0, 12), instant_table_charset=False,
                        mysql=True)


# --------------------------------------------------------------------------
# Predictions
# --------------------------------------------------------------------------

def is_alter(sql: str) -> bool:
    return sql.startswith("ALTER TABLE ")


def predict(changes: Iterable[Change], table: Table | None, flavor: Flavor) -> Prediction:
    """How the server will run one ALTER TABLE holding ``changes`` on ``table`` (its definition
    before the statement; None for a table this plan creates)."""
    origin: dict[int, Change] = {}  # each half of a drop-and-add change -> the change
    halves: list[Change] = []
    for change in changes:
        for half in _halves(change):
            origin[id(half)] = change
            halves.append(half)
    changes = halves
    caps = capabilities(flavor)
    new = table is None  # a table created by this plan is empty: even a copy is immediate
    table = Table(changes[0].table, ()) if table is None else table
    ops = [_op(c, table, flavor, caps) for c in changes]
    if any(isinstance(c, AddIndex) and c.index.kind == "primary" for c in changes):
        # DROP PRIMARY KEY, ADD PRIMARY KEY (…) is one in-place rebuild, not a drop that copies
        ops = [replace(o, level=Level.REBUILD, why="the primary key is replaced; the table is rebuilt")
               if isinstance(o.change, DropIndex) and o.change.index.kind == "primary" and o.level == Level.COPY
               and _innodb(table, flavor) else o for o in ops]
    if caps.instant_charset_widen and any(_changes_table_collation(c) for c in changes):
        # MariaDB: a column's new collation next to the table's new default is done NOCOPY, not instantly
        ops = [replace(o, level=Level.INPLACE, why="with the table's new default collation")
               if isinstance(o.change, ModifyColumn) and o.level == Level.INSTANT
               and (o.change.old.collation, o.change.old.charset) != (o.change.new.collation, o.change.new.charset)
               else o for o in ops]
    if not caps.mysql and len(ops) > 1 and any(_virtual_column(c) for c in changes) and any(
            not _virtual_column(c) and not isinstance(c, (AddIndex, DropIndex)) for c in changes):
        # MariaDB: "INPLACE ADD or DROP of virtual columns cannot be combined with other ALTER
        # TABLE actions" (keys aside): the statement copies the table
        ops = [replace(o, level=Level.COPY, why="a virtual column added or dropped with other changes copies the"
                       " table (MariaDB)") if _virtual_column(o.change) else o for o in ops]
    p = _combine(ops, caps)
    if p.level == Level.REBUILD and not p.lock and any(i.kind == "fulltext" for i in table.indexes):
        # rebuilding a table rebuilds its FULLTEXT index too, which needs a shared lock
        p = replace(p, lock=True, why="the table has a FULLTEXT index, rebuilt under a shared lock")
    return replace(p, new_table=new, cause=origin.get(id(p.cause), p.cause))


def _virtual_column(change: Change) -> bool:
    column = change.column if isinstance(change, (AddColumn, DropColumn)) else None
    return column is not None and column.generated is not None and not column.generated.stored


def _halves(change: Change) -> list[Change]:
    """What the server does for a change that drops and adds a definition under one name: its two
    clauses (plan._halves renders the same). A re-created foreign key's drop is a statement of its
    own, which the plan predicts as a DropForeignKey: here it is the key added again."""
    if isinstance(change, ModifyIndex):
        return [DropIndex(change.table, change.old), AddIndex(change.table, change.new)]
    if isinstance(change, ModifyCheck):
        return [DropCheck(change.table, change.old), AddCheck(change.table, change.new)]
    if isinstance(change, ModifyForeignKey):
        return [AddForeignKey(change.table, change.new)]
    return [change]


def _combine(ops: list[Op], caps: Capabilities) -> Prediction:
    if not ops:
        return METADATA
    worst = max(o.level for o in ops)
    if worst > Level.INSTANT:
        # An instant change of the row layout cannot share a statement with work on the rows:
        # MySQL runs the whole statement in place (the added column rebuilds the table); MariaDB
        # rebuilds when an index is built or the table is rebuilt anyway (dropping an index is fine).
        conflict = caps.mysql or any(o.builds_index or o.level >= Level.REBUILD for o in ops)
        if conflict:
            ops = [replace(o, level=Level.REBUILD, why="with the other changes of this statement, the table is rebuilt")
                   if o.layout and o.level == Level.INSTANT else o for o in ops]
            worst = max(o.level for o in ops)
    locking = next((o for o in ops if o.lock), None)
    deciding = locking if locking is not None and worst < Level.COPY else next(o for o in ops if o.level == worst)
    return Prediction(worst, lock=locking is not None, validates=any(o.validates for o in ops),
                      cause=deciding.change, why=deciding.why)


def _instant_or(caps_flag: bool, fallback: Level = Level.INPLACE) -> Level:
    return Level.INSTANT if caps_flag else fallback


def _changes_table_collation(change: Change) -> bool:
    return isinstance(change, ChangeTableOptions) and \
        (change.old.charset, change.old.collation) != (change.new.charset, change.new.collation)


def _innodb(table: Table, flavor: Flavor) -> bool:
    return (table.options.engine or flavor.default_engine).lower() == "innodb"


def _op(change: Change, table: Table, flavor: Flavor, caps: Capabilities) -> Op:
    return replace(_classify(change, table, flavor, caps, _innodb(table, flavor)), change=change)


def _classify(change: Change, table: Table, flavor: Flavor, caps: Capabilities, innodb: bool) -> Op:
    if not innodb:
        return _non_innodb(change, caps)
    fulltext = any(i.kind == "fulltext" for i in table.indexes)
    compressed = (table.options.row_format or "").upper() == "COMPRESSED"
    redundant = (table.options.row_format or "").upper() == "REDUNDANT"
    if isinstance(change, AddColumn):
        col = change.column
        if col.auto_increment:
            return Op(Level.REBUILD, lock=True, why="an auto-increment column needs a lock")
        if col.generated is not None and col.generated.stored:
            return Op(Level.COPY, why="a stored generated column is computed by copying the table")
        if col.generated is not None:
            return Op(_instant_or(caps.instant_virtual))
        at_end = change.position is None
        instant = caps.instant and (caps.instant_add_anywhere or at_end) and not fulltext and not compressed
        return Op(Level.INSTANT if instant else Level.REBUILD, layout=instant)
    if isinstance(change, DropColumn):
        col = change.column
        indexed = _indexed(table, col.name)
        if table.primary_key is not None and key(col.name) in {key(c) for c in table.primary_key.columns}:
            return Op(Level.REBUILD, builds_index=True, why="it is part of the primary key")
        if col.generated is not None and not col.generated.stored and caps.instant_virtual:
            return Op(Level.INPLACE if indexed else Level.INSTANT)
        if caps.instant_drop_column and not fulltext and not compressed:
            if indexed and caps.mysql:
                return Op(Level.REBUILD, why="an indexed column")
            return Op(Level.INPLACE if indexed else Level.INSTANT, layout=not indexed)
        return Op(Level.REBUILD)
    if isinstance(change, ModifyColumn):
        return _modify_column(change, table, flavor, caps, fulltext, compressed, redundant)
    if isinstance(change, AddIndex):
        index = change.index
        if index.kind == "primary":
            return Op(Level.REBUILD, builds_index=True, why="a new primary key rebuilds the table")
        if index.kind == "fulltext":
            first = not fulltext  # the first FULLTEXT index adds a hidden FTS_DOC_ID column
            return Op(Level.REBUILD if first else Level.INPLACE, lock=True, builds_index=True,
                      why="a FULLTEXT index is built under a shared lock")
        if index.hashed:
            return Op(Level.COPY, builds_index=True,
                      why="a UNIQUE key over long values is a hash over a hidden column, built by copying the table")
        if index.kind == "spatial":
            return Op(Level.INPLACE, lock=True, builds_index=True, why="a SPATIAL index is built under a shared lock")
        return Op(Level.INPLACE, builds_index=True)
    if isinstance(change, DropIndex):
        if change.index.kind == "primary":
            return Op(Level.COPY, why="dropping a primary key without adding one copies the table")
        clustered = _clustered_index(table)
        if clustered is not None and clustered.kind == "unique" and clustered.key == change.index.key:
            # without a primary key InnoDB clusters the rows by the first NOT NULL unique key
            return Op(Level.REBUILD, why="the key InnoDB clusters the rows by (no primary key) is dropped;"
                                         " the table is rebuilt")
        return Op(Level.INPLACE)
    if isinstance(change, (RenameIndex, ChangeIndexVisibility, DropForeignKey, DropCheck)):
        if isinstance(change, DropCheck) and change.check.column_level and flavor.column_level_checks:
            return Op(Level.INSTANT)  # rendered as MODIFY COLUMN without the CHECK: metadata
        return Op(_instant_or(caps.instant_metadata))
    if isinstance(change, AddForeignKey):
        return Op(Level.COPY, validates=True,
                  why="with foreign_key_checks on, the server copies the table to check every row")
    if isinstance(change, AddCheck):
        return Op(Level.COPY, validates=True, why="the server copies the table to check every row")
    if isinstance(change, ChangeTableOptions):
        return _table_options(change, caps)
    if isinstance(change, ChangePartitioning):
        return Op(Level.COPY, why="repartitioning copies the table")
    return Op(Level.COPY, why="not in the online-DDL matrix; assumed to copy")


def _non_innodb(change: Change, caps: Capabilities) -> Op:
    """Other engines (MyISAM, Aria, MEMORY …) have no online DDL: only metadata changes avoid a copy."""
    metadata = (isinstance(change, ModifyColumn) and _metadata_only(change)) or isinstance(change, RenameIndex) or (
        isinstance(change, ChangeTableOptions) and change.old.comment != change.new.comment
        and replace(change.old, comment=change.new.comment) == change.new)
    if metadata:
        return Op(Level.INSTANT if caps.instant else Level.INPLACE)
    return Op(Level.COPY, why="the table's engine has no online DDL")


def _metadata_only(change: ModifyColumn) -> bool:
    old, new = change.old, change.new
    return change.position is None and replace(old, name=new.name, default=new.default, comment=new.comment) == new


def _order_changes(old: Column, new: Column) -> bool:
    """Whether the column's values sort differently after the change: another collation than the
    same one in a wider character set (utf8mb3_general_ci -> utf8mb4_general_ci keeps the order)."""
    def rule(c: Column) -> str | None:
        if c.collation and c.charset and c.collation.startswith(c.charset + "_"):
            return c.collation[len(c.charset) + 1:]
        return c.collation
    return rule(old) != rule(new)


def _clustered_index(table: Table) -> Index | None:
    """The index InnoDB orders the rows by: the primary key, or without one the first UNIQUE key
    whose columns are all NOT NULL."""
    primary = next((i for i in table.indexes if i.kind == "primary"), None)
    if primary is not None:
        return primary
    not_null = {c.key for c in table.columns if not c.nullable}
    return next((i for i in table.indexes if i.kind == "unique" and i.columns
                 and all(key(c) in not_null for c in i.columns)), None)


def _in_primary_key(table: Table, column: str) -> bool:
    """Whether ``column`` is in the clustered index."""
    clustered = _clustered_index(table)
    return clustered is not None and key(column) in {key(c) for c in clustered.columns}


def _indexed(table: Table, column: str) -> bool:
    k = key(column)
    return any(k in {key(c) for c in i.columns} for i in table.indexes)


_LENGTH_TYPES = {"varchar", "varbinary"}


def _max_bytes(col: Column, flavor: Flavor) -> int:
    per = 1 if col.type.name == "varbinary" else flavor.charset_maxlen(col.charset)
    return (col.type.length or 0) * per


def _modify_column(change: ModifyColumn, table: Table, flavor: Flavor, caps: Capabilities, fulltext: bool,
                   compressed: bool, redundant: bool) -> Op:
    old, new = change.old, change.new
    levels: list[Op] = []
    indexed = _indexed(table, old.name)
    primary = _in_primary_key(table, old.name)
    # -- the type, character set and collation --------------------------------
    if primary and _order_changes(old, new):
        # the clustered index is ordered by it: MariaDB says "Cannot change column type" in place
        levels.append(Op(Level.COPY, why="the character set or collation of a primary-key column changes;"
                                         " the table is copied"))
    elif old.type != new.type or old.charset != new.charset:
        levels.append(_type_change(old, new, flavor, caps, indexed, redundant))
    elif old.collation != new.collation:
        if caps.instant_charset_widen:
            levels.append(Op(Level.INPLACE if indexed else Level.INSTANT, builds_index=indexed,
                             why="the collation of an indexed column rebuilds its indexes" if indexed else ""))
        else:
            levels.append(Op(Level.COPY, why="a collation change copies the table"))
    # -- generation --------------------------------------------------------------------------
    if old.generated != new.generated:
        stored = (old.generated is not None and old.generated.stored) or (new.generated is not None and new.generated.stored)
        if stored or (old.generated is None) != (new.generated is None) or caps.mysql:
            levels.append(Op(Level.COPY, why="a generated column's definition changes; the table is copied"))
        else:
            levels.append(Op(Level.INSTANT))
    if old.auto_increment != new.auto_increment:
        levels.append(Op(Level.COPY, why="AUTO_INCREMENT changes the column's type; the table is copied"))
    if old.srid != new.srid:
        levels.append(Op(Level.COPY, why="an SRID change copies the table"))
    # -- NULL / NOT NULL ---------------------------------------------------------------------
    if old.nullable != new.nullable:
        if new.nullable and redundant and caps.instant_metadata:
            levels.append(Op(Level.INSTANT))  # MariaDB: NOT NULL -> NULL is instant in REDUNDANT rows
        else:
            levels.append(Op(Level.REBUILD, why="NULL/NOT NULL rebuilds the table"))
    # -- metadata: default, ON UPDATE, comment, visibility, name --------------------------------------
    meta = (old.default != new.default or old.on_update != new.on_update or old.comment != new.comment
            or old.invisible != new.invisible)
    if meta:
        instant = caps.instant and (caps.instant_metadata or (old.on_update == new.on_update and old.comment == new.comment
                                                              and old.invisible == new.invisible))
        levels.append(Op(Level.INSTANT if instant else Level.INPLACE))
    if change.renamed:
        levels.append(Op(_instant_or(caps.instant_rename_column)))
    # -- position ----------------------------------------------------------------------------------
    if change.position is not None:
        if caps.instant_reorder and not fulltext and not compressed:
            levels.append(Op(Level.INSTANT, layout=True))
        else:
            levels.append(Op(Level.REBUILD, why="moving a column rebuilds the table"))
    if not levels:
        levels.append(Op(Level.INSTANT))  # e.g. a column's own CHECK only (MariaDB), judged by AddCheck
    worst = max(levels, key=lambda o: (o.level, o.lock))
    return replace(worst, layout=any(o.layout for o in levels) and worst.level == Level.INSTANT,
                   builds_index=any(o.builds_index for o in levels))


def _type_change(old: Column, new: Column, flavor: Flavor, caps: Capabilities, indexed: bool,
                 redundant: bool) -> Op:
    o, n = old.type, new.type
    same_charset = old.charset == new.charset
    if o.name == n.name and o.name in _LENGTH_TYPES and same_charset and (n.length or 0) >= (o.length or 0) \
            and replace(o, length=n.length) == n:
        before, after = _max_bytes(old, flavor), _max_bytes(new, flavor)
        if (before <= 255) == (after <= 255) or (redundant and caps.instant_varchar):  # REDUNDANT rows: no length bytes
            return Op(_instant_or(caps.instant_varchar), builds_index=indexed and caps.mysql)
        return Op(Level.COPY, why="the length crosses 255 bytes (the length prefix grows); the table is copied")
    if o.name == n.name and o.name in ("enum", "set") and tuple(n.values[:len(o.values)]) == tuple(o.values) \
            and same_charset and _enum_storage(o) == _enum_storage(n):
        return Op(_instant_or(caps.instant))  # values appended, same storage size
    if o == n and not same_charset:
        widen = old.charset == "utf8mb3" and new.charset == "utf8mb4"
        if widen and caps.instant_charset_widen and o.name in ("char", "varchar", "tinytext", "text", "mediumtext",
                                                               "longtext", "enum", "set"):
            if o.name not in _LENGTH_TYPES and o.name != "char" or \
                    (_max_bytes(old, flavor) <= 255) == (_max_bytes(new, flavor) <= 255):
                return Op(Level.INPLACE, builds_index=True, why="the indexes on the column are rebuilt") \
                    if indexed and _order_changes(old, new) else Op(Level.INSTANT)
        return Op(Level.COPY, why="a character set change copies the table")
    return Op(Level.COPY, why="the column's type changes; the table is copied")


def _enum_storage(t) -> int:
    if t.name == "enum":
        return 1 if len(t.values) < 256 else 2
    return min(8, (len(t.values) + 7) // 8)


_REBUILD_OPTIONS = {"key_block_size", "page_compressed", "page_compression_level", "encrypted", "encryption_key_id",
                    "compression"}
_METADATA_OPTIONS = {"stats_persistent", "stats_auto_recalc", "stats_sample_pages", "checksum", "pack_keys",
                     "max_rows", "min_rows", "avg_row_length", "delay_key_write"}


def _table_options(change: ChangeTableOptions, caps: Capabilities) -> Op:
    old, new = change.old, change.new
    ops: list[Op] = []
    if (old.engine or "").lower() != (new.engine or "").lower():
        ops.append(Op(Level.COPY, why="a new storage engine copies the table"))
    if old.row_format != new.row_format:
        ops.append(Op(Level.REBUILD, why="a new row format rebuilds the table"))
    if (old.charset, old.collation) != (new.charset, new.collation):
        ops.append(Op(Level.INSTANT if caps.instant_table_charset else Level.REBUILD))
    if old.comment != new.comment:
        ops.append(Op(_instant_or(caps.instant_metadata)))
    old_extra, new_extra = dict(old.extra), dict(new.extra)
    for name in set(old_extra) | set(new_extra):
        if old_extra.get(name) == new_extra.get(name):
            continue
        if name in _METADATA_OPTIONS:
            ops.append(Op(_instant_or(caps.instant_metadata)))
        elif name in _REBUILD_OPTIONS:
            ops.append(Op(Level.REBUILD, why=f"{name.upper()} rebuilds the table"))
        else:
            ops.append(Op(Level.COPY, why=f"{name.upper()} is assumed to copy the table"))
    return max(ops, key=lambda o: o.level) if ops else Op(Level.INSTANT)


# --------------------------------------------------------------------------
# The clause
# --------------------------------------------------------------------------

@frozen
class ClausePolicy:
    """``--algorithm`` / ``--lock`` (their choices: ``defaults.ALGORITHM_CHOICES``, ``LOCK_CHOICES``).

    algorithm: ``auto`` — the strongest clause the prediction allows; ``instant`` / ``inplace`` —
    also refuse (exit 3) statements predicted to need more; ``default`` — write no ALGORITHM clause
    (the server chooses; the escape hatch when a prediction proves wrong).
    lock: ``auto`` — LOCK=NONE where the prediction allows it; ``none`` — also refuse every
    statement that blocks writes, whatever the table's size; ``default`` — write no LOCK clause.
    """

    algorithm: str = "auto"
    lock: str = "auto"

    def ceiling_refusal(self, p: Prediction) -> str | None:
        """Why ``--algorithm``/``--lock`` refuse a statement so predicted, or None."""
        if p.new_table:
            return None
        if self.algorithm == "instant" and p.level > Level.INSTANT:
            return f"--algorithm=instant, but this statement runs {p.label}{_because(p)}"
        if self.algorithm == "inplace" and p.level == Level.COPY:
            return f"--algorithm=inplace, but this statement {p.label}{_because(p)}"
        if self.lock == "none" and p.blocks_writes:
            return f"--lock=none, but this statement blocks writes{_because(p)}"
        return None


def _because(p: Prediction) -> str:
    return f" ({p.why})" if p.why else ""


def clause(p: Prediction, flavor: Flavor, policy: ClausePolicy = ClausePolicy()) -> str:
    """The ALGORITHM=/LOCK= clause for a statement so predicted ('' for none)."""
    caps = capabilities(flavor)
    algorithm: str | None
    lock: str | None
    if p.level == Level.INSTANT and caps.instant:
        algorithm, lock = "INSTANT", None  # MySQL allows no LOCK clause beside ALGORITHM=INSTANT
    elif p.level <= Level.INPLACE:
        algorithm, lock = ("NOCOPY" if caps.nocopy else "INPLACE"), ("SHARED" if p.lock else "NONE")
    elif p.level == Level.REBUILD:
        algorithm, lock = "INPLACE", ("SHARED" if p.lock else "NONE")
    elif p.validates:
        algorithm, lock = "COPY", "SHARED"  # a server left to choose may skip checking the rows (see above)
    else:
        return ""  # a copy: the server may still find something better
    if policy.algorithm == "default":
        algorithm = None
    if policy.lock == "default":
        lock = None
    return ", ".join(part for part in (algorithm and f"ALGORITHM={algorithm}", lock and f"LOCK={lock}") if part)


# --------------------------------------------------------------------------
# Table sizes and what a blocking statement may do
# --------------------------------------------------------------------------

@frozen
class TableSize:
    """Approximate size from information_schema (InnoDB's estimates); ``withheld`` for secret tables."""

    rows: int | None = None
    bytes: int | None = None
    withheld: bool = False

    def describe(self) -> str:
        if self.withheld:
            return "size withheld"
        parts = []
        if self.rows is not None:
            parts.append(f"~{human_count(self.rows)} rows")
        if self.bytes is not None:
            parts.append(human_bytes(self.bytes))
        return ", ".join(parts) or "size unknown"


WITHHELD = TableSize(withheld=True)
EMPTY = TableSize(rows=0, bytes=0)


def human_count(n: int) -> str:
    for limit, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if n >= limit:
            return f"{n / limit:.1f}{suffix}"
    return str(n)


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError


_SIZE = re.compile(r"(?i)\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*")


def parse_size(text: str, option: str) -> int:
    """``32M``, ``1.5G``, ``500k``, ``1048576`` -> bytes (binary multiples)."""
    m = _SIZE.fullmatch(str(text))
    if not m:
        raise UsageError(f"{option}: expected a size such as 32M, 1G or 500k, got {text!r}")
    number, unit = float(m.group(1)), m.group(2).lower()
    return int(number * 1024 ** " kmgt".index(unit or " "))


@frozen
class BlockingPolicy:
    """Which statements that block writes may run: ``--max-blocking-size``, ``--allow-blocking``,
    and the pt-online-schema-change wrapper (``--pt-osc-tables`` / ``--pt-osc-min-size``)."""

    max_blocking_size: int = 32 * 1024 ** 2
    allow_blocking: re.Pattern | None = None
    wrapper_tables: re.Pattern | None = None
    wrapper_min_size: int | None = None

    def allowed(self, table: str) -> bool:
        return self.allow_blocking is not None and self.allow_blocking.fullmatch(table) is not None

    def wants_wrapper(self, table: str, size: TableSize) -> bool:
        if self.wrapper_tables is not None and self.wrapper_tables.fullmatch(table):
            return True
        return self.wrapper_min_size is not None and size.bytes is not None and size.bytes >= self.wrapper_min_size

    def decide(self, name: str, p: Prediction, size: TableSize, secret: bool, table: Table | None,
               referenced: bool) -> tuple[str | None, str | None]:
        """For a statement that blocks writes: (the wrapper to run it with, or None; why it is
        refused, or None)."""
        if self.allowed(name):
            return None, None
        if secret:
            wrapper = (" pt-online-schema-change is never used on a secret table (it copies rows through"
                       " SELECT);") if self.wants_wrapper(name, size) else ""
            return None, (f"{_it(p)}: writes to {name} would wait for the whole {_blocking_work(p)}, and {name} is a"
                          f" secret table whose size is never read, so it may be large;{wrapper} only the server's"
                          f" own online DDL may change it. Give --allow-blocking={name} to accept the wait"
                          f" (e.g. in a quiet hour)")
        note = ""
        if self.wants_wrapper(name, size):
            problem = wrapper_problem(table, referenced)
            if problem is None:
                return WRAPPER, None
            note = f"; pt-online-schema-change cannot run it: {problem}"
        if size.bytes is not None and size.bytes <= self.max_blocking_size:
            return None, None
        over = (f"larger than --max-blocking-size {human_bytes(self.max_blocking_size)}" if size.bytes is not None
                else "its size is unknown")
        return None, (f"{_it(p)}: writes to {name} ({size.describe()}) would wait for the whole {_blocking_work(p)};"
                      f" {over}{note}. Give --allow-blocking={name} to accept the wait, or --pt-osc-tables={name}"
                      f" to run it through pt-online-schema-change")


WRAPPER = "pt-online-schema-change"


def _it(p: Prediction) -> str:
    """The reason, for a refusal shown after the change that causes it."""
    return p.why or f"this statement {p.label}"


def _blocking_work(p: Prediction) -> str:
    return "copy" if p.level == Level.COPY else "statement"


def wrapper_problem(table: Table | None, referenced: bool) -> str | None:
    """Why pt-online-schema-change cannot change ``table``, or None.

    It copies the table into a new one and swaps them: foreign keys of the table come back under
    new names (``_name``) and keys of other tables pointing at it would need rebuilding
    (``--alter-foreign-keys-method``), and it needs a primary or unique key to copy in chunks."""
    if table is None:
        return "the table does not exist yet"
    if table.foreign_keys:
        return "the table has foreign keys (it would rename them)"
    if referenced:
        return "other tables have foreign keys to it"
    if not any(i.kind in ("primary", "unique") for i in table.indexes):
        return "the table has no primary or unique key"
    return None


def cost(p: Prediction | None, size: TableSize | None, via: str | None) -> str:
    """What a statement costs, for every report: "in place, rebuilds; ~2.0M rows, 96.0 MB"."""
    if p is None:
        return ""
    if via:
        text = f"{via}: copies the table in chunks, writes continue"
    elif p.new_table and p.level > Level.INSTANT:
        text = f"{p.label} (a new, empty table)"
    else:
        text = p.label
    if size is not None and not p.new_table and p.level > Level.INSTANT:
        text += f"; {size.describe()}"
        if size.withheld:
            text += " (a secret table: the server's own online DDL only, never a row-copying wrapper)"
    return text


@frozen
class OnlineSettings:
    clauses: ClausePolicy = ClausePolicy()
    blocking: BlockingPolicy = BlockingPolicy()


def size_of(table: str, sizes: Mapping[str, TableSize] | None, secret: bool, new: bool) -> TableSize | None:
    """The size shown for ``table``; None offline (``sizes`` None: no database, no size limit)."""
    if sizes is None:
        return None
    if new:
        return EMPTY
    if secret:
        return WITHHELD
    return sizes.get(table, TableSize())
