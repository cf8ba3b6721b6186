"""A seeded random generator of CREATE TABLE statements, for hunting perpetual diffs.

``generate(seed)`` gives a schema — a list of ``GenTable`` — deterministic per seed, that combines
every column type family (lengths, precision, UNSIGNED/ZEROFILL), character sets and collations at
column and table level, NULL/NOT NULL, DEFAULT literals of every kind (quoted strings with escapes
and unicode, odd number spellings, hex/bit literals, expressions, CURRENT_TIMESTAMP(n)), ON UPDATE,
AUTO_INCREMENT, COMMENTs, INVISIBLE, generated columns, CHECKs, indexes (prefix, DESC, UNIQUE,
FULLTEXT, SPATIAL, IGNORED), foreign keys with every action, table options and partitioning.
``mutate(tables, seed)`` gives a changed copy (columns, indexes and options altered, added, dropped).

Not everything generated is valid: the server is the judge, and a statement it rejects is the
generator's problem, not schema-apply's (the runner drops it). tests/test_ddlgen.py runs a few
fixed seeds; scripts/ddlgen-report runs many and prints figures.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field

CHARSETS = {
    "ascii": ["ascii_general_ci", "ascii_bin"],
    "latin1": ["latin1_swedish_ci", "latin1_bin", "latin1_german2_ci", "latin1_general_cs", "latin1_spanish_ci"],
    "utf8mb3": ["utf8mb3_general_ci", "utf8mb3_bin", "utf8mb3_unicode_ci", "utf8mb3_unicode_520_ci"],
    "utf8": ["utf8_general_ci", "utf8_bin"],
    "utf8mb4": ["utf8mb4_general_ci", "utf8mb4_bin", "utf8mb4_unicode_ci", "utf8mb4_unicode_520_ci",
                "utf8mb4_0900_ai_ci", "utf8mb4_german2_ci", "utf8mb4_nopad_bin", "utf8mb4_general_nopad_ci"],
    "ucs2": ["ucs2_general_ci"],
    "utf16": ["utf16_general_ci"],
}

STRINGS = ["''", "'abc'", "'it''s'", "'a\\\\b'", "'tab\\there'", "'ü'", "'日本'", "'\"q\"'", "'a\\'b'",
           "'%_'", "' lead'", "'trail '", "'NULL'", "'0'", "'😀'", "_utf8mb4'x'", "'a' 'b'", "\"dq\"",
           "0x41", "X'4243'", "b'1000001'", "'\\n'", "'\\0'", "'\\Z'", "'multi\\r\\nline'"]
COMMENTS = ["'plain'", "'it''s'", "'a\\\\b'", "'ü ✓ 日本'", "\"dq 'x'\"", "'tab\\tx'", "'😀 emoji'", "''",
            "'%s {} $1'", "'back`tick'", "'line\\nbreak'"]
INTS = ["tinyint", "smallint", "mediumint", "int", "integer", "bigint"]
INT_DEFAULTS = ["0", "1", "-1", "1e3", "+7", "-0", "'5'", "0x10", "b'101'", "TRUE", "FALSE", "'  12'", "(1 + 2)",
                "1.4", "2.5", "'3.7'", "(floor(rand() * 10))", "(-(1))", "NULL", "00012", "1E1"]
DEC_DEFAULTS = [".5", "-0", "0.0", "1e3", "1.25e-1", "-.75", "'3.14'", "12345.678", "0x0", "(pi())", "(rand())",
                "-0.0", "1.", "+.5e1", "NULL", "3"]
FLOAT_DEFAULTS = [".5", "-0", "1e3", "1.5e-3", "3.4028234e38", "0.1", "(rand())", "'2.5'", "1e-10", "123456789",
                  "NULL", "-1.0e0", "100"]
DATE_DEFAULTS = ["'2020-01-02'", "DATE '2021-12-31'", "'0000-00-00'", "'20200102'", "(curdate())",
                 "(current_date())", "'2020-1-2'", "NULL", "20200102", "(CURRENT_DATE + INTERVAL 1 DAY)"]
TIME_DEFAULTS = ["'12:34:56'", "'00:00:00'", "'-838:59:59'", "TIME '01:02:03'", "'1 02:03'", "(curtime())",
                 "'12:34:56.789'", "123456", "NULL", "'12:34'"]
DATETIME_DEFAULTS = ["'2020-01-02 03:04:05'", "TIMESTAMP '2020-01-02 03:04:05'", "'2020-01-02'",
                     "'2020-01-02 03:04:05.123456'", "CURRENT_TIMESTAMP", "NOW()", "LOCALTIMESTAMP",
                     "CURRENT_TIMESTAMP()", "'0000-00-00 00:00:00'", "NULL", "20200102030405",
                     "(now() + interval 1 hour)", "'2020-01-02T03:04:05'", "current_timestamp(6)"]
YEAR_DEFAULTS = ["2020", "'2021'", "0", "'69'", "70", "NULL", "1901", "2155"]
BIT_DEFAULTS = ["b'1'", "b'0101'", "0", "1", "0x3", "B'11'", "NULL", "(b'1')", "5"]
JSON_DEFAULTS = ["'{}'", "'[]'", "'{\"a\": 1}'", "NULL", "(json_object('k', 1))", "'null'"]
UUID_DEFAULTS = ["'123e4567-e89b-12d3-a456-426614174000'", "(uuid())", "NULL"]
INET6_DEFAULTS = ["'::1'", "'2001:db8::1'", "'::ffff:1.2.3.4'", "NULL"]
INET4_DEFAULTS = ["'127.0.0.1'", "'0.0.0.0'", "NULL"]
TEXT_DEFAULTS = STRINGS + ["(concat('a', 'b'))", "(uuid())", "(repeat('x', 3))", "NULL"]


@dataclass
class GenColumn:
    name: str
    family: str          # int, decimal, float, bit, date, time, datetime, timestamp, year, string, text, blob,
                         # binary, enum, set, json, geometry, uuid, inet6, inet4, bool
    type_sql: str
    charset_sql: str = ""
    null_sql: str = ""
    default_sql: str = ""
    on_update: str = ""
    auto_increment: bool = False
    comment: str = ""
    invisible: bool = False
    generated: str = ""   # "AS (...) VIRTUAL"
    check: str = ""
    indexable: bool = True
    textual: bool = False
    nullable: bool = True

    def sql(self) -> str:
        parts = [f"`{self.name}`", self.type_sql]
        if self.charset_sql:
            parts.append(self.charset_sql)
        if self.generated:
            parts.append(self.generated)
        else:
            if self.null_sql:
                parts.append(self.null_sql)
            if self.default_sql:
                parts.append("DEFAULT " + self.default_sql)
            if self.on_update:
                parts.append("ON UPDATE " + self.on_update)
            if self.auto_increment:
                parts.append("AUTO_INCREMENT")
        if self.invisible:
            parts.append("INVISIBLE")
        if self.comment:
            parts.append("COMMENT " + self.comment)
        if self.check:
            parts.append(self.check)
        return " ".join(parts)


@dataclass
class GenTable:
    name: str
    columns: list[GenColumn] = field(default_factory=list)
    primary: str = "PRIMARY KEY (`id`)"
    indexes: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    foreign_keys: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    partition: str = ""
    engine: str = "InnoDB"

    def sql(self) -> str:
        lines = [c.sql() for c in self.columns]
        if self.primary:
            lines.append(self.primary)
        lines += self.indexes + self.checks + self.foreign_keys
        text = f"CREATE TABLE `{self.name}` (\n  " + ",\n  ".join(lines) + "\n)"
        if self.options:
            text += " " + " ".join(self.options)
        if self.partition:
            text += "\n" + self.partition
        return text + ";"


def schema_sql(tables: list[GenTable]) -> str:
    return "\n\n".join(t.sql() for t in tables) + "\n"


# Table options drawn per engine after ROW_FORMAT/KEY_BLOCK_SIZE (InnoDB's depend on each other), then
# for any engine: (chance, name, values to pick from or None)
_ENGINE_OPTIONS = {
    "InnoDB": ((0.15, "STATS_PERSISTENT", ["0", "1", "DEFAULT"]), (0.1, "STATS_AUTO_RECALC", ["0", "1", "DEFAULT"]),
               (0.1, "STATS_SAMPLE_PAGES", ["5", "100", "DEFAULT"]), (0.05, "PAGE_COMPRESSED=1", None)),
    "MyISAM": ((0.2, "ROW_FORMAT", ["FIXED", "DYNAMIC", "DEFAULT"]), (0.2, "CHECKSUM", ["0", "1"]),
               (0.2, "PACK_KEYS", ["0", "1", "DEFAULT"]), (0.1, "DELAY_KEY_WRITE=1", None)),
    "Aria": ((0.3, "ROW_FORMAT", ["PAGE", "FIXED", "DYNAMIC"]), (0.3, "TRANSACTIONAL", ["0", "1"]),
             (0.1, "PAGE_CHECKSUM=1", None)),
}
_ANY_ENGINE_OPTIONS = ((0.1, "MAX_ROWS", [100, 1000000]), (0.05, "AVG_ROW_LENGTH", [10, 200]),
                       (0.05, "MIN_ROWS", [1, 10]))


class _Gen:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def chance(self, p: float) -> bool:
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    def maybe(self, options) -> list[str]:
        """``NAME=value`` for each (chance, NAME, values) drawn, in order (values None: ``NAME`` alone is
        the whole option, e.g. ``PAGE_COMPRESSED=1``)."""
        return [name if values is None else f"{name}={self.pick(values)}"
                for p, name, values in options if self.chance(p)]

    # ---- columns ---------------------------------------------------------------------------
    def charset(self) -> str:
        cs = self.pick(list(CHARSETS))
        form = self.r.randrange(4)
        if form == 0:
            return f"CHARACTER SET {cs}"
        if form == 1:
            return f"CHARSET {cs} COLLATE {self.pick(CHARSETS[cs])}"
        if form == 2:
            return f"COLLATE {self.pick(CHARSETS[cs])}"
        return self.pick(["BINARY", "CHARACTER SET binary", "ASCII", "UNICODE", "BYTE"]) if self.chance(0.3) else ""

    def column(self, name: str, earlier: list[GenColumn]) -> GenColumn:
        self.id_ok = not (earlier and earlier[0].auto_increment)
        fam = self.pick(["int", "int", "decimal", "float", "bit", "date", "time", "datetime", "timestamp", "year",
                         "string", "string", "string", "text", "blob", "binary", "enum", "set", "json", "geometry",
                         "uuid", "inet6", "inet4", "bool"])
        c = GenColumn(name, fam, "")
        defaults: list[str] = []
        if fam == "int":
            base = self.pick(INTS)
            c.type_sql = base + (f"({self.r.randint(1, 20)})" if self.chance(0.4) else "")
            if self.chance(0.3):
                c.type_sql += " unsigned"
            if self.chance(0.15):
                c.type_sql += " zerofill"
            defaults = INT_DEFAULTS
        elif fam == "decimal":
            kind = self.pick(["decimal", "numeric", "dec", "fixed"])
            m = self.r.randint(1, 65)
            form = self.r.randrange(3)
            c.type_sql = kind if form == 0 else f"{kind}({m})" if form == 1 else f"{kind}({m},{self.r.randint(0, min(m, 30))})"
            if self.chance(0.2):
                c.type_sql += " unsigned"
            if self.chance(0.1):
                c.type_sql += " zerofill"
            defaults = DEC_DEFAULTS
        elif fam == "float":
            kind = self.pick(["float", "double", "real", "double precision", "float4", "float8"])
            form = self.r.randrange(4)
            if form == 1 and kind != "double precision":
                m = self.r.randint(1, 53)
                c.type_sql = f"{kind}({m},{self.r.randint(0, min(m, 30))})"
            elif form == 2 and kind == "float":
                c.type_sql = f"float({self.r.randint(0, 53)})"
            else:
                c.type_sql = kind
            if self.chance(0.2):
                c.type_sql += " unsigned"
            if self.chance(0.1):
                c.type_sql += " zerofill"
            defaults = FLOAT_DEFAULTS
        elif fam == "bit":
            c.type_sql = "bit" + (f"({self.r.randint(1, 64)})" if self.chance(0.8) else "")
            defaults = BIT_DEFAULTS
        elif fam == "date":
            c.type_sql = "date"
            defaults = DATE_DEFAULTS
        elif fam == "time":
            c.type_sql = "time" + (f"({self.r.randint(0, 6)})" if self.chance(0.5) else "")
            defaults = TIME_DEFAULTS
        elif fam in ("datetime", "timestamp"):
            fsp = self.r.randint(0, 6) if self.chance(0.5) else None
            c.type_sql = fam + (f"({fsp})" if fsp is not None else "")
            n = fsp or 0
            defaults = DATETIME_DEFAULTS + [f"CURRENT_TIMESTAMP({n})", f"NOW({n})", f"current_timestamp({n})",
                                            f"localtime({n})"]
            if self.chance(0.3):
                c.on_update = self.pick([f"CURRENT_TIMESTAMP({n})" if n else "CURRENT_TIMESTAMP",
                                         f"NOW({n})" if n else "now()", f"LOCALTIMESTAMP({n})" if n else "LOCALTIMESTAMP"])
        elif fam == "year":
            c.type_sql = self.pick(["year", "year(4)"])  # YEAR(2): refused by the parser, on purpose
            defaults = YEAR_DEFAULTS
        elif fam == "string":
            kind = self.pick(["char", "varchar", "varchar", "nchar", "nvarchar", "national varchar",
                              "character varying", "national char"])
            n = self.r.choice([1, 2, 10, 32, 100, 255]) if kind in ("char", "nchar", "national char") \
                else self.r.choice([1, 10, 50, 191, 255, 300, 768])
            c.type_sql = f"{kind}({n})" if kind != "char" or self.chance(0.9) else "char"
            if not kind.startswith("n"):
                c.charset_sql = self.charset()
            defaults = STRINGS
            c.textual = True
        elif fam == "text":
            kind = self.pick(["tinytext", "text", "mediumtext", "longtext", "text(100)", "text(70000)",
                              "long varchar", "long"])
            c.type_sql = kind
            c.charset_sql = self.charset()
            defaults = TEXT_DEFAULTS
            c.textual = True
        elif fam == "blob":
            c.type_sql = self.pick(["tinyblob", "blob", "mediumblob", "longblob", "blob(300)", "long varbinary"])
            defaults = TEXT_DEFAULTS
        elif fam == "binary":
            kind = self.pick(["binary", "varbinary", "char byte"])
            n = self.r.choice([1, 4, 16, 255])
            c.type_sql = f"{kind}({n})" if kind != "char byte" else f"char({n}) byte"
            defaults = STRINGS
        elif fam == "enum" or fam == "set":
            values = self.r.sample(["a", "b", "c", "it''s", "ü", "x y", "", "A", "back\\\\slash", "1", "2"],
                                   self.r.randint(1, 5))
            if fam == "enum" and len({v.lower() for v in values}) != len(values):
                values = values[:1]
            c.type_sql = f"{fam}(" + ",".join(f"'{v}'" for v in values) + ")"
            c.charset_sql = self.charset() if self.chance(0.3) else ""
            defaults = [f"'{v}'" for v in values] + ["NULL", "'zz'", "1", "0"]
            if fam == "set" and len(values) > 1:
                defaults.append(f"'{values[1]},{values[0]}'")
        elif fam == "json":
            c.type_sql = "json"
            defaults = JSON_DEFAULTS
        elif fam == "geometry":
            c.type_sql = self.pick(["geometry", "point", "linestring", "polygon", "multipoint", "geometrycollection"])
            defaults = ["NULL"]
        elif fam == "uuid":
            c.type_sql = "uuid"
            defaults = UUID_DEFAULTS
        elif fam == "inet6":
            c.type_sql = "inet6"
            defaults = INET6_DEFAULTS
        elif fam == "inet4":
            c.type_sql = "inet4"
            defaults = INET4_DEFAULTS
        elif fam == "bool":
            c.type_sql = self.pick(["bool", "boolean"])
            defaults = ["0", "1", "TRUE", "FALSE", "NULL", "2"]
        c.indexable = fam not in ("text", "blob", "json", "geometry")

        if fam in ("int", "decimal", "float", "string", "date") and earlier and self.chance(0.12):
            c.generated = self.generated(c, earlier)
            if c.generated:
                return c
        nn = self.r.randrange(3)
        c.null_sql = ["", "NULL", "NOT NULL"][nn]
        c.nullable = nn != 2 and not (fam == "timestamp" and nn == 0 and False)
        if defaults and self.chance(0.6):
            c.default_sql = self.pick(defaults)
        if self.chance(0.25):
            c.comment = self.pick(COMMENTS)
        if self.chance(0.06):
            c.invisible = True
            if not c.nullable and not c.default_sql:
                c.default_sql = "NULL" if False else (self.pick(defaults) if defaults else "")
        if fam in ("int", "decimal", "float") and self.chance(0.12):
            c.check = self.pick([f"CHECK (`{name}` >= 0)", f"CHECK (`{name}` <> 7)", f"CHECK ({name} between -5 and 5000)", f"CHECK (`{name}` < 1e6)"])
        elif fam == "string" and self.chance(0.1):
            c.check = self.pick([f"CHECK (`{name}` <> '')", f"CHECK (char_length({name}) > 0)",
                                 f"CHECK (`{name}` like 'a%' or `{name}` is null)"])
        return c

    def generated(self, c: GenColumn, earlier: list[GenColumn]) -> str:
        nums = [e.name for e in earlier if e.family in ("int", "decimal", "float", "bool") and not e.generated
                and not e.auto_increment]
        strs = [e.name for e in earlier if e.family == "string" and not e.generated]
        kind = self.pick(["VIRTUAL", "STORED", "PERSISTENT", ""])
        always = self.pick(["GENERATED ALWAYS ", ""])
        if c.family in ("int", "decimal", "float"):
            if not nums and not self.id_ok:
                return ""
            a = self.pick(nums) if nums else "id"
            expr = self.pick([f"`{a}` * 2", f"{a} + 1", f"abs(`{a}`)", f"`{a}` DIV 3", f"`{a}` MOD 5",
                              f"coalesce(`{a}`, 0)", f"if(`{a}` > 0, 1, 0)", f"case when {a} is null then -1 else {a} end",
                              f"-`{a}`", f"`{a}` % 2 = 0", f"least(`{a}`, 100)", f"`{a}` + 0.5"])
        elif c.family == "string":
            if not strs:
                return ""
            a = self.pick(strs)
            expr = self.pick([f"concat(`{a}`, 'x')", f"upper({a})", f"left(`{a}`, 3)", f"trim(`{a}`)",
                              f"concat_ws('-', `{a}`, 'it''s')", f"substr(`{a}`, 2)", f"lower(`{a}`) COLLATE utf8mb4_bin",
                              f"replace({a}, 'a', '\\\\')", f"`{a}` || 'y'"])
        elif c.family == "date" and self.id_ok:
            expr = self.pick(["'2020-01-01' + interval `id` day", "from_days(`id` + 730000)"])
        else:
            return ""
        return f"{always}AS ({expr}) {kind}".rstrip()

    # ---- tables ----------------------------------------------------------------------------
    def table(self, name: str, earlier: list[GenTable]) -> GenTable:
        t = GenTable(name)
        t.engine = self.pick(["InnoDB"] * 6 + ["MyISAM", "Aria", "MEMORY"])
        id_type = self.pick(["int", "int unsigned", "bigint", "bigint unsigned", "smallint", "int(11)"])
        idc = GenColumn("id", "int", id_type, null_sql="NOT NULL", indexable=True, nullable=False)
        if self.chance(0.5):
            idc.auto_increment = True
        t.columns.append(idc)
        for k in range(self.r.randint(1, 8)):
            col = self.column(f"c{k}", t.columns)
            if t.engine == "MEMORY" and col.family in ("text", "blob", "json", "geometry"):
                continue
            if col.family == "geometry" and self.chance(0.5):
                col.null_sql, col.nullable, col.default_sql = "NOT NULL", False, ""
            t.columns.append(col)
        # a second timestamp column with ON UPDATE, the classic
        if self.chance(0.1):
            t.columns.append(GenColumn("ts", "timestamp", "timestamp", null_sql="NOT NULL",
                                       default_sql="CURRENT_TIMESTAMP", on_update="CURRENT_TIMESTAMP", nullable=False))
        # serial
        if self.chance(0.03):
            t.columns.append(GenColumn("s", "int", "serial", nullable=False))

        partitioned = t.engine in ("InnoDB", "MyISAM", "Aria") and self.chance(0.15)
        if self.chance(0.1) and not partitioned:
            t.primary = ""  # no primary key (an AUTO_INCREMENT id then needs a key)
            if idc.auto_increment:
                t.indexes.append("UNIQUE KEY (`id`)" if self.chance(0.5) else "KEY `ix_id` (`id`)")
        elif self.chance(0.1) and not partitioned:
            others = [c.name for c in t.columns[1:] if c.indexable and not c.generated and not c.nullable]
            if others:
                t.primary = f"PRIMARY KEY (`id`, `{self.pick(others)}`)"
        # indexes
        usable = [c for c in t.columns[1:] if not c.invisible or self.chance(0.5)]
        for k in range(self.r.randint(0, 4)):
            if not usable:
                break
            idx = self.index(t, usable, k, partitioned)
            if idx:
                t.indexes.append(idx)
        # checks
        for k in range(self.r.randint(0, 2) if self.chance(0.3) else 0):
            cols = [c.name for c in t.columns if c.family in ("int", "decimal", "float") and not c.auto_increment]
            if not cols:
                break
            a = self.pick(cols)
            i = "id" if not idc.auto_increment else a
            expr = self.pick([f"`{a}` > -100", f"{a} is not null or {i} > 0", f"`{a}` in (1, 2, 3) or `{a}` > 3",
                              f"`{i}` <> 13", f"(`{a}` + `{i}`) >= 0"])
            named = self.pick(["", f"CONSTRAINT `chk_{name}_{k}` ", "CONSTRAINT "])
            t.checks.append(f"{named}CHECK ({expr})")
        # foreign keys
        if earlier and not partitioned and self.chance(0.35):
            target = self.pick(earlier)
            tid = target.columns[0]
            if not target.partition and target.primary == "PRIMARY KEY (`id`)":
                fk_type = tid.type_sql.replace("(11)", "")
                fkc = GenColumn(f"{target.name}_id", "int", fk_type, null_sql="NULL")
                t.columns.append(fkc)
                actions = ["RESTRICT", "CASCADE", "SET NULL", "NO ACTION"]
                on = ""
                if self.chance(0.7):
                    on += " ON DELETE " + self.pick(actions)
                if self.chance(0.5):
                    on += " ON UPDATE " + self.pick(actions)
                label = self.pick(["", f"CONSTRAINT `fk_{name}_{target.name}` ", "CONSTRAINT "])
                keyname = self.pick(["", f" `fkix_{name}`"])
                if self.chance(0.3):
                    t.indexes.append(f"KEY{keyname} (`{fkc.name}`)")
                t.foreign_keys.append(f"{label}FOREIGN KEY (`{fkc.name}`) REFERENCES `{target.name}` (`id`){on}")
        t.options = self.options(t)
        if partitioned:
            t.partition = self.partition(t)
        return t

    def index(self, t: GenTable, usable: list[GenColumn], k: int, partitioned: bool) -> str:
        kind = self.pick(["KEY", "KEY", "INDEX", "UNIQUE KEY", "UNIQUE", "UNIQUE INDEX", "FULLTEXT KEY", "SPATIAL KEY"])
        name = self.pick([f"`ix_{k}`", f"`Ix {k}`", ""])
        if kind.startswith("FULLTEXT"):
            cols = [c for c in usable if c.textual and not c.generated]
            if not cols or t.engine == "MEMORY" or partitioned:
                return ""
            chosen = self.r.sample(cols, min(len(cols), self.r.randint(1, 2)))
            return f"{kind} {name} (" + ", ".join(f"`{c.name}`" for c in chosen) + ")"
        if kind.startswith("SPATIAL"):
            cols = [c for c in usable if c.family == "geometry" and not c.nullable]
            if not cols or partitioned:
                return ""
            return f"{kind} {name} (`{self.pick(cols).name}`)"
        if kind.startswith("UNIQUE") and partitioned:
            return ""
        cols = self.r.sample(usable, min(len(usable), self.r.randint(1, 3)))
        parts = []
        for c in cols:
            part = f"`{c.name}`"
            if c.family in ("text", "blob") or (c.textual and self.chance(0.3)) or (c.family == "binary" and self.chance(0.2)):
                part += f"({self.pick([1, 5, 10, 20, 100])})"
            elif c.family in ("json", "geometry"):
                return ""
            if self.chance(0.2):
                part += self.pick([" DESC", " ASC"])
            parts.append(part)
        tail = ""
        if self.chance(0.1):
            tail += self.pick([" USING BTREE", " USING HASH"])
        if self.chance(0.1):
            tail += " COMMENT " + self.pick(COMMENTS)
        if self.chance(0.05):
            tail += " IGNORED"
        if self.chance(0.05) and t.engine == "MyISAM":
            tail += " KEY_BLOCK_SIZE=1024"
        return f"{kind} {name} (" + ", ".join(parts) + ")" + tail

    def options(self, t: GenTable) -> list[str]:
        opts = []
        if self.chance(0.8):
            opts.append(self.pick(["ENGINE=", "ENGINE = ", "ENGINE "]) + t.engine)
        if self.chance(0.35):
            cs = self.pick(list(CHARSETS))
            form = self.r.randrange(4)
            opts.append([f"DEFAULT CHARSET={cs}", f"CHARACTER SET {cs}", f"DEFAULT CHARSET={cs} COLLATE={self.pick(CHARSETS[cs])}",
                         f"COLLATE {self.pick(CHARSETS[cs])}"][form])
        if self.chance(0.25):
            opts.append("COMMENT=" + self.pick(COMMENTS))
        if self.chance(0.2):
            opts.append(f"AUTO_INCREMENT={self.pick([1, 2, 100, 1000000])}")
        if t.engine == "InnoDB":
            if self.chance(0.25):
                rf = self.pick(["DYNAMIC", "COMPACT", "REDUNDANT", "COMPRESSED", "DEFAULT"])
                opts.append(f"ROW_FORMAT={rf}")
                if rf == "COMPRESSED" and self.chance(0.6):
                    opts.append(f"KEY_BLOCK_SIZE={self.pick([1, 2, 4, 8, 16])}")
            elif self.chance(0.05):
                opts.append(f"KEY_BLOCK_SIZE={self.pick([4, 8])}")
        opts += self.maybe(_ENGINE_OPTIONS.get(t.engine, ()) + _ANY_ENGINE_OPTIONS)
        self.r.shuffle(opts)
        return opts

    def partition(self, t: GenTable) -> str:
        kind = self.pick(["RANGE", "LIST", "HASH", "KEY", "LINEAR HASH", "LINEAR KEY", "RANGE COLUMNS"])
        if kind in ("HASH", "LINEAR HASH"):
            return f"PARTITION BY {kind} ({self.pick(['`id`', 'id', 'id DIV 2', 'abs(id)'])}) PARTITIONS {self.r.randint(1, 5)}"
        if kind in ("KEY", "LINEAR KEY"):
            return f"PARTITION BY {kind} ({self.pick(['`id`', ''])}) PARTITIONS {self.r.randint(1, 4)}"
        if kind.startswith("RANGE"):
            bounds = sorted(self.r.sample(range(1, 10000), self.r.randint(1, 4)))
            parts = [f"PARTITION p{k} VALUES LESS THAN ({b})" for k, b in enumerate(bounds)]
            if self.chance(0.6):
                parts.append(f"PARTITION pmax VALUES LESS THAN {'(MAXVALUE)' if self.chance(0.5) else 'MAXVALUE'}")
            if self.chance(0.2):
                parts[0] += " COMMENT = 'first'"
            return f"PARTITION BY {kind} ({'id' if kind == 'RANGE COLUMNS' else self.pick(['id', '`id`', 'id + 1'])})\n(" + \
                ",\n ".join(parts) + ")"
        values = self.r.sample(range(0, 50), self.r.randint(2, 8))
        groups = [values[k::2] for k in range(2)]
        parts = [f"PARTITION p{k} VALUES IN (" + ", ".join(map(str, sorted(g))) + ")" for k, g in enumerate(groups) if g]
        return "PARTITION BY LIST (`id`)\n(" + ",\n ".join(parts) + ")"


def generate(seed: int, tables: int | None = None) -> list[GenTable]:
    g = _Gen(seed)
    out: list[GenTable] = []
    for k in range(tables if tables is not None else g.r.randint(1, 4)):
        out.append(g.table(f"t{k}", out))
    return out


def mutate(tables: list[GenTable], seed: int) -> list[GenTable]:
    """A changed copy: a few columns altered, added, dropped or moved; indexes and options changed."""
    g = _Gen(seed * 7919 + 1)
    out = copy.deepcopy(tables)
    for t in out:
        for _ in range(g.r.randint(1, 4)):
            what = g.r.randrange(10)
            cols = [c for c in t.columns[1:] if not c.name.endswith("_id")]
            referenced = " ".join(t.indexes + t.checks + [t.primary] + [c.generated + c.check for c in t.columns])
            free = [c for c in cols if f"`{c.name}`" not in referenced and f"({c.name}" not in referenced
                    and f" {c.name} " not in referenced and f"{c.name})" not in referenced]
            if what == 0:  # add a column somewhere
                col = g.column(f"n{g.r.randrange(1000)}", t.columns)
                if t.engine == "MEMORY" and col.family in ("text", "blob", "json", "geometry"):
                    continue
                t.columns.insert(g.r.randint(1, len(t.columns)), col)
            elif what == 1 and free:  # drop a column
                t.columns.remove(g.pick(free))
            elif what == 2 and free:  # change a column's definition (type and all)
                old = g.pick(free)
                new = g.column(old.name, [c for c in t.columns if c is not old])
                if t.engine == "MEMORY" and new.family in ("text", "blob", "json", "geometry"):
                    continue
                t.columns[t.columns.index(old)] = new
            elif what == 3 and cols:  # change default / null / comment only
                c = g.pick(cols)
                if c.generated:
                    continue
                choice = g.r.randrange(3)
                if choice == 0:
                    c.comment = g.pick(COMMENTS) if not c.comment else ""
                elif choice == 1:
                    c.null_sql = g.pick(["", "NULL", "NOT NULL"])
                    c.nullable = c.null_sql != "NOT NULL"
                else:
                    c.default_sql = ""
            elif what == 4 and free and len(t.columns) > 2:  # move a column
                c = g.pick(free)
                t.columns.remove(c)
                t.columns.insert(g.r.randint(1, len(t.columns)), c)
            elif what == 5 and t.indexes:  # drop an index
                t.indexes.pop(g.r.randrange(len(t.indexes)))
            elif what == 6:  # add an index
                usable = [c for c in t.columns[1:]]
                if usable:
                    idx = g.index(t, usable, 10 + g.r.randrange(50), bool(t.partition))
                    if idx:
                        t.indexes.append(idx)
            elif what == 7:  # options
                t.options = [o for o in t.options if not o.startswith("ENGINE")] + \
                    [o for o in t.options if o.startswith("ENGINE")]
                t.options = g.options(t)
            elif what == 8 and t.checks:
                t.checks.pop()
            elif what == 9 and t.foreign_keys and g.chance(0.5):
                t.foreign_keys.pop()
    return out
