"""Schemafiles for the benchmark (scripts/bench): N tables as an application would declare them.

Deterministic for a given N (a seeded generator). Each table has an id and 3–24 other columns of
every kind a schema holds — integers of all widths, decimals, floats, strings with and without their
own character set or collation, text and blobs, enums and sets, dates and times with their defaults
and ON UPDATE, JSON, bits, binary, generated columns, comments — a few indexes (unique, composite,
prefix, descending, full-text), CHECK constraints, and foreign keys to earlier tables. Written the
way people write a Schemafile (lower-case types, names mostly unquoted, comments and blank lines),
not the way the server or our export prints it. Per 1,000 tables: about 13,000 columns, 400 CHECKs
(and 450 more that MariaDB keeps for JSON columns), 170 foreign keys.

``changed(n)`` is the same schema with about one table in ten changed (a column added, widened or
re-commented, an index added or dropped, a default or an enum changed, a CHECK added) and one table
in a hundred added; ``views(n)`` adds views (joins, aggregates, CTEs, CASE, subqueries) over it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

NOUNS = ("account", "address", "audit", "booking", "campaign", "cart", "category", "channel", "comment", "contract",
         "coupon", "customer", "delivery", "device", "document", "employee", "event", "export", "feature",
         "invoice", "item", "job", "ledger", "license", "message", "note", "order", "organisation", "payment",
         "permission", "plan", "price", "product", "profile", "project", "receipt", "refund", "region", "report",
         "review", "role", "session", "shipment", "shop", "subscription", "supplier", "tag", "task", "team",
         "ticket", "token", "transfer", "upload", "user", "vendor", "visit", "voucher", "warehouse", "webhook")
WORDS = ("amount", "balance", "code", "item_count", "country", "currency", "description", "email", "external_ref",
         "flags", "height", "label", "language", "latitude", "level", "locale", "longitude", "memo", "name",
         "notes", "phone", "sort_position", "priority", "quantity", "rank_no", "rate", "ratio", "reference", "score",
         "sequence", "size", "slug", "source", "state", "status", "summary", "timezone", "title", "total",
         "url", "row_version", "weight", "width")


@dataclass
class Col:
    name: str
    sql: str  # the definition after the name
    kind: str  # int / num / str / text / time / json / enum / other
    nullable: bool = True


@dataclass
class Tbl:
    name: str
    columns: list[Col] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    fks: list[str] = field(default_factory=list)
    options: str = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
    comment: str = ""

    def sql(self) -> str:
        lines = [f"  {c.name} {c.sql}" for c in self.columns] + [f"  {k}" for k in self.keys + self.checks + self.fks]
        head = f"-- {self.comment}\n" if self.comment else ""
        return f"{head}CREATE TABLE {self.name} (\n" + ",\n".join(lines) + f"\n) {self.options};\n"


def _column(r: random.Random, name: str) -> Col:
    roll = r.random()
    null = r.random() < 0.45
    nn = "" if null else " NOT NULL"
    if roll < 0.10:
        return Col(name, f"int{' unsigned' if r.random() < 0.4 else ''}{nn} DEFAULT {r.choice(('0', '1', '10'))}"
                   if not null else "int DEFAULT NULL", "int", null)
    if roll < 0.15:
        return Col(name, f"bigint{' unsigned' if r.random() < 0.5 else ''}{nn}", "int", null)
    if roll < 0.19:
        return Col(name, f"tinyint(1) NOT NULL DEFAULT '{r.choice('01')}'", "int", False)
    if roll < 0.22:
        return Col(name, f"smallint(5) unsigned{nn} DEFAULT '0'" if not null else "smallint DEFAULT NULL", "int", null)
    if roll < 0.24:
        return Col(name, f"mediumint{nn}", "int", null)
    if roll < 0.32:
        p = r.choice((8, 10, 12, 15, 19))
        s = r.choice((0, 2, 2, 4))
        return Col(name, f"decimal({p},{s}){nn} DEFAULT {'0' if s == 0 else '0.' + '0' * s}" if not null
                   else f"decimal({p},{s}) DEFAULT NULL", "num", null)
    if roll < 0.35:
        return Col(name, f"{r.choice(('float', 'double'))}{nn}", "num", null)
    if roll < 0.50:
        n = r.choice((16, 32, 64, 100, 128, 191, 255, 500))
        extra = r.choice(("", "", "", " CHARACTER SET ascii", " COLLATE utf8mb4_bin", " CHARACTER SET latin1"))
        default = " DEFAULT ''" if not null and r.random() < 0.5 else (" DEFAULT NULL" if null else "")
        return Col(name, f"varchar({n}){extra}{nn}{default}", "str", null)
    if roll < 0.53:
        return Col(name, f"char({r.choice((2, 3, 8, 36))}){nn}", "str", null)
    if roll < 0.58:
        return Col(name, r.choice(("text", "mediumtext", "longtext", "tinytext")) + nn, "text", null)
    if roll < 0.60:
        return Col(name, r.choice(("blob", "mediumblob", "varbinary(255)", "binary(16)")) + nn, "other", null)
    if roll < 0.65:
        values = r.sample(("new", "active", "paused", "done", "failed", "archived", "draft"), r.randint(2, 5))
        vals = ",".join(f"'{v}'" for v in values)
        return Col(name, f"enum({vals}) NOT NULL DEFAULT '{values[0]}'", "enum", False)
    if roll < 0.66:
        return Col(name, "set('a','b','c','d') DEFAULT NULL", "other", True)
    if roll < 0.72:
        return Col(name, r.choice(("date", "datetime", "datetime(3)", "time", "year")) + nn, "time", null)
    if roll < 0.78:
        fsp = r.choice(("", "", "(3)", "(6)"))
        on_update = f" ON UPDATE CURRENT_TIMESTAMP{fsp}" if r.random() < 0.5 else ""
        return Col(name, f"timestamp{fsp} NOT NULL DEFAULT CURRENT_TIMESTAMP{fsp}{on_update}", "time", False)
    if roll < 0.82:
        return Col(name, "json DEFAULT NULL", "json", True)
    if roll < 0.84:
        return Col(name, f"bit({r.choice((1, 8))}) NOT NULL DEFAULT b'0'", "other", False)
    if roll < 0.88:
        return Col(name, f"varchar(40) NOT NULL DEFAULT '' COMMENT 'the {name.replace('_', ' ')} as shown'",
                   "str", False)
    return Col(name, f"int NOT NULL DEFAULT '0' COMMENT '{name}: see docs'", "int", False)


def _table(r: random.Random, k: int, earlier: list[Tbl]) -> Tbl:
    t = Tbl(f"{NOUNS[k % len(NOUNS)]}_{k:05d}")
    t.columns.append(Col("id", "bigint unsigned NOT NULL AUTO_INCREMENT", "int", False))
    names = set()
    noun = NOUNS[k % len(NOUNS)]
    for _ in range(r.randint(3, 20)):
        name = r.choice(WORDS) if r.random() < 0.6 else f"{noun}_{r.choice(WORDS)}"
        while name in names:
            name = r.choice(WORDS) + "_" + str(r.randint(2, 9))
        names.add(name)
        t.columns.append(_column(r, name))
    parent = None
    if earlier and r.random() < 0.16:
        parent = r.choice(earlier[-200:])
        t.columns.append(Col(f"{parent.name}_id", "bigint unsigned" + (" DEFAULT NULL" if r.random() < 0.5
                                                                          else " NOT NULL"), "fk"))
        action = r.choice(("", " ON DELETE CASCADE", " ON DELETE SET NULL" if "NOT NULL" not in t.columns[-1].sql
                           else " ON DELETE RESTRICT", " ON UPDATE CASCADE"))
        t.fks.append(f"CONSTRAINT fk_{t.name}_parent FOREIGN KEY ({parent.name}_id) REFERENCES {parent.name} (id)"
                     + action)
    if r.random() < 0.5:
        t.columns.append(Col("created_at", "datetime NOT NULL DEFAULT CURRENT_TIMESTAMP", "time", False))
    if r.random() < 0.3:
        nums = [c for c in t.columns if c.kind == "num" and not c.nullable]
        if len(nums) >= 2:
            a, b = nums[:2]
            stored = r.choice(("VIRTUAL", "STORED"))
            t.columns.append(Col(f"{a.name}_x_{b.name}", f"double GENERATED ALWAYS AS ({a.name} * {b.name}) {stored}",
                                 "num"))
    t.keys.append("PRIMARY KEY (id)")
    strs = [c for c in t.columns if c.kind == "str"]
    ints = [c for c in t.columns if c.kind in ("int", "time", "enum") and c.name != "id"]
    if strs and r.random() < 0.6:
        col = strs[0]
        prefix = "(20)" if "varchar(255)" in col.sql or "varchar(500)" in col.sql else ""
        t.keys.append(f"UNIQUE KEY uq_{t.name}_{col.name} ({col.name}{prefix})")
    if len(ints) >= 2 and r.random() < 0.7:
        t.keys.append(f"KEY ix_{t.name}_{ints[0].name} ({ints[0].name}, {ints[1].name})")
    if ints and r.random() < 0.3:
        t.keys.append(f"INDEX ix_{t.name}_{ints[-1].name}_desc ({ints[-1].name} DESC)")
    texts = [c for c in t.columns if c.kind == "text"]
    if texts and r.random() < 0.3:
        t.keys.append(f"KEY ix_{t.name}_{texts[0].name} ({texts[0].name}(32))")
    if texts and r.random() < 0.05:
        t.keys.append(f"FULLTEXT KEY ft_{t.name} ({texts[-1].name})")
    for c in t.columns:
        if c.kind == "num" and not c.nullable and "GENERATED" not in c.sql and r.random() < 0.35:
            t.checks.append(f"CONSTRAINT ck_{t.name}_{c.name} CHECK ({c.name} >= 0)")
    if r.random() < 0.15:
        ints = [c for c in t.columns if c.kind == "int" and c.name != "id" and "tinyint" not in c.sql]
        if ints:
            t.checks.append(f"CHECK ({ints[0].name} between 0 and 1000000 or {ints[0].name} is null)")
    style = r.random()
    if style < 0.15:
        t.options = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
    elif style < 0.2:
        t.options = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 ROW_FORMAT=DYNAMIC"
    elif style < 0.25:
        t.options = f"ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='{t.name.split('_')[0]}s of the shop'"
    if r.random() < 0.2:
        t.comment = f"{t.name}: one row per {t.name.split('_')[0]}"
    return t


def tables(n: int) -> list[Tbl]:
    r = random.Random(n * 7919 + 1)
    out: list[Tbl] = []
    for k in range(n):
        out.append(_table(r, k, out))
    return out


def schema(n: int) -> str:
    return f"-- benchmark schema: {n} tables\n\n" + "\n".join(t.sql() for t in tables(n))


def changed(n: int) -> str:
    """About one table in ten changed, one in a hundred added."""
    r = random.Random(n * 104729 + 3)
    ts = tables(n)
    for k, t in enumerate(ts):
        if k % 10 != 3:
            continue
        what = r.choice(("add", "widen", "comment", "index", "drop_index", "default", "enum", "check"))
        if what == "add":
            t.columns.insert(-1 if t.columns[-1].name == "created_at" else len(t.columns),
                             Col("added_note", "varchar(64) DEFAULT NULL", "str"))
        elif what == "widen":
            col = next((c for c in t.columns if c.sql.startswith("varchar(")), None)
            if col is None:
                t.columns.append(Col("widened", "varchar(10) DEFAULT NULL", "str"))
            else:
                n_old = int(col.sql[8:col.sql.index(")")])
                col.sql = f"varchar({n_old + 50})" + col.sql[col.sql.index(")") + 1:]
        elif what == "comment":
            col = t.columns[-1]
            if "GENERATED" in col.sql or "COMMENT" in col.sql:
                t.options += " COMMENT='changed'"
            else:
                col.sql += " COMMENT 'changed'"
        elif what == "index" or (what == "drop_index" and len(t.keys) < 2):
            col = next((c for c in t.columns[1:] if c.kind in ("int", "time", "str") and "(500)" not in c.sql
                        and "(255)" not in c.sql), t.columns[0])
            t.keys.append(f"KEY ix_{t.name}_added ({col.name})")
        elif what == "drop_index":
            t.keys.pop()
        elif what == "default":
            col = next((c for c in t.columns if c.kind == "int" and "DEFAULT" in c.sql and "AUTO" not in c.sql), None)
            if col is None:
                t.options += " COMMENT='changed'"
            else:
                col.sql = re.sub(r"DEFAULT \S+", "DEFAULT 7", col.sql, count=1)
        elif what == "enum":
            col = next((c for c in t.columns if c.kind == "enum"), None)
            if col is None:
                t.columns.append(Col("phase", "enum('one','two') DEFAULT NULL", "enum"))
            else:
                col.sql = col.sql.replace(") NOT NULL", ",'extra') NOT NULL", 1)
        elif what == "check":
            col = next((c for c in t.columns if c.kind == "int" and c.name != "id" and "tinyint" not in c.sql
                        and "unsigned" not in c.sql), None)
            if col is None:
                t.options += " COMMENT='changed'"
            else:
                t.checks.append(f"CONSTRAINT ck_{t.name}_added CHECK ({col.name} < 2000000000)")
    for k in range(n // 100):
        ts.append(_table(r, n + k, ts))
    return f"-- benchmark schema: {n} tables, changed\n\n" + "\n".join(t.sql() for t in ts)


VIEW_SHAPES = (
    "SELECT a.id, a.{ac} AS {ac}, b.id AS b_id FROM {a} a JOIN {b} b ON b.id = a.id WHERE a.id > 10",
    "SELECT {ac}, count(*) AS n, max(id) AS last_id FROM {a} GROUP BY {ac} HAVING count(*) > 1",
    "SELECT id, CASE WHEN id < 100 THEN 'low' WHEN id < 1000 THEN 'mid' ELSE 'high' END AS band FROM {a}",
    "SELECT a.id FROM {a} a WHERE a.id IN (SELECT b.id FROM {b} b WHERE b.id % 2 = 0)",
    "SELECT a.id, coalesce(b.{bc}, a.{ac}) AS v FROM {a} a LEFT JOIN {b} b ON a.id = b.id ORDER BY a.id LIMIT 100",
    "WITH recent AS (SELECT id, {ac} FROM {a} WHERE id > 5) SELECT r.id, r.{ac} FROM recent r",
    "SELECT id, {ac} FROM {a} UNION ALL SELECT id, {bc} FROM {b}",
    "SELECT concat(id, '-', {ac}) AS label, upper({ac}) AS up, id FROM {a} WHERE {ac} IS NOT NULL",
)


def views(n: int, count: int) -> str:
    """``count`` views over the tables of ``schema(n)`` (appended to it)."""
    r = random.Random(count * 31 + n)
    ts = tables(n)
    out = []
    for k in range(count):
        a, b = r.sample(ts, 2)
        ac = next((c.name for c in a.columns[1:] if c.kind in ("str", "int", "enum")), "id")
        bc = next((c.name for c in b.columns[1:] if c.kind in ("str", "int", "enum")), "id")
        shape = VIEW_SHAPES[k % len(VIEW_SHAPES)]
        out.append(f"CREATE VIEW v_{k:03d}_{a.name} AS " + shape.format(a=a.name, b=b.name, ac=ac, bc=bc) + ";\n")
    return "\n".join(out)
