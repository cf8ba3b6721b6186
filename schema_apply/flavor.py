"""Server flavours and the one pass that brings a model to a server's canonical form.

Every MySQL/MariaDB quirk that could make a parsed model differ from the
introspected one lives here, as a capability question (``flavor.keeps_int_width``)
or a step of ``normalize``, never as a version comparison at a call site.
``normalize`` is idempotent and runs on both sides: on the declared schema
(fill in what the server would: default widths, collations, index names,
the index a foreign key needs) and on the introspected one (undo what the
server reports differently: MariaDB's JSON as LONGTEXT + CHECK, …).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Mapping

from .errors import UsageError
from .model import (
    INTEGER_TYPES, CheckConstraint, Column, ColumnType, Default, Event, Expr, ForeignKey, Index, IndexPart, Parameter,
    Partitioning, ProgramSettings, Routine, Schema, Table, Trigger, View, evolve, key, unique_name)
from .sql.expressions import canonical, expression, is_now, now_precision
from .parse.views import canonical_query, dependency_order
from .sql.quoting import quote_string

# charset -> (default collation, bytes per character) as MariaDB 10.11 ships them.
MARIADB_CHARSETS: dict[str, tuple[str, int]] = {
    "armscii8": ("armscii8_general_ci", 1), "ascii": ("ascii_general_ci", 1), "big5": ("big5_chinese_ci", 2),
    "binary": ("binary", 1), "cp1250": ("cp1250_general_ci", 1), "cp1251": ("cp1251_general_ci", 1),
    "cp1256": ("cp1256_general_ci", 1), "cp1257": ("cp1257_general_ci", 1), "cp850": ("cp850_general_ci", 1),
    "cp852": ("cp852_general_ci", 1), "cp866": ("cp866_general_ci", 1), "cp932": ("cp932_japanese_ci", 2),
    "dec8": ("dec8_swedish_ci", 1), "eucjpms": ("eucjpms_japanese_ci", 3), "euckr": ("euckr_korean_ci", 2),
    "gb2312": ("gb2312_chinese_ci", 2), "gbk": ("gbk_chinese_ci", 2), "geostd8": ("geostd8_general_ci", 1),
    "greek": ("greek_general_ci", 1), "hebrew": ("hebrew_general_ci", 1), "hp8": ("hp8_english_ci", 1),
    "keybcs2": ("keybcs2_general_ci", 1), "koi8r": ("koi8r_general_ci", 1), "koi8u": ("koi8u_general_ci", 1),
    "latin1": ("latin1_swedish_ci", 1), "latin2": ("latin2_general_ci", 1), "latin5": ("latin5_turkish_ci", 1),
    "latin7": ("latin7_general_ci", 1), "macce": ("macce_general_ci", 1), "macroman": ("macroman_general_ci", 1),
    "sjis": ("sjis_japanese_ci", 2), "swe7": ("swe7_swedish_ci", 1), "tis620": ("tis620_thai_ci", 1),
    "ucs2": ("ucs2_general_ci", 2), "ujis": ("ujis_japanese_ci", 3), "utf16": ("utf16_general_ci", 4),
    "utf16le": ("utf16le_general_ci", 4), "utf32": ("utf32_general_ci", 4),
    "utf8mb3": ("utf8mb3_general_ci", 3), "utf8mb4": ("utf8mb4_general_ci", 4),
}
# MySQL 8.0 differs in utf8mb4's default and adds gb18030.
MYSQL8_CHARSETS = dict(MARIADB_CHARSETS, utf8mb4=("utf8mb4_0900_ai_ci", 4), gb18030=("gb18030_chinese_ci", 4))

# sql_mode combination modes, as each server expands them (MariaDB 10.11 observed; MySQL 8.0:
# https://dev.mysql.com/doc/refman/8.0/en/sql-mode.html#sql-mode-combo).
_MARIADB_MODE_COMBINATIONS = {
    "ANSI": ("REAL_AS_FLOAT", "PIPES_AS_CONCAT", "ANSI_QUOTES", "IGNORE_SPACE"),
    "TRADITIONAL": ("STRICT_TRANS_TABLES", "STRICT_ALL_TABLES", "NO_ZERO_IN_DATE", "NO_ZERO_DATE",
                    "ERROR_FOR_DIVISION_BY_ZERO", "NO_AUTO_CREATE_USER", "NO_ENGINE_SUBSTITUTION"),
    "ORACLE": ("PIPES_AS_CONCAT", "ANSI_QUOTES", "IGNORE_SPACE", "NO_KEY_OPTIONS", "NO_TABLE_OPTIONS",
               "NO_FIELD_OPTIONS", "NO_AUTO_CREATE_USER", "SIMULTANEOUS_ASSIGNMENT"),
    "POSTGRESQL": ("PIPES_AS_CONCAT", "ANSI_QUOTES", "IGNORE_SPACE", "NO_KEY_OPTIONS", "NO_TABLE_OPTIONS",
                   "NO_FIELD_OPTIONS"),
    "MSSQL": ("PIPES_AS_CONCAT", "ANSI_QUOTES", "IGNORE_SPACE", "NO_KEY_OPTIONS", "NO_TABLE_OPTIONS",
              "NO_FIELD_OPTIONS"),
    "DB2": ("PIPES_AS_CONCAT", "ANSI_QUOTES", "IGNORE_SPACE", "NO_KEY_OPTIONS", "NO_TABLE_OPTIONS",
            "NO_FIELD_OPTIONS"),
    "MAXDB": ("PIPES_AS_CONCAT", "ANSI_QUOTES", "IGNORE_SPACE", "NO_KEY_OPTIONS", "NO_TABLE_OPTIONS",
              "NO_FIELD_OPTIONS", "NO_AUTO_CREATE_USER"),
    "MYSQL323": ("HIGH_NOT_PRECEDENCE",),
    "MYSQL40": ("HIGH_NOT_PRECEDENCE",),
}
_MYSQL_MODE_COMBINATIONS = {
    "ANSI": ("REAL_AS_FLOAT", "PIPES_AS_CONCAT", "ANSI_QUOTES", "IGNORE_SPACE", "ONLY_FULL_GROUP_BY"),
    "TRADITIONAL": ("STRICT_TRANS_TABLES", "STRICT_ALL_TABLES", "NO_ZERO_IN_DATE", "NO_ZERO_DATE",
                    "ERROR_FOR_DIVISION_BY_ZERO", "NO_ENGINE_SUBSTITUTION"),
}

_INT_WIDTH = {"tinyint": (4, 3), "smallint": (6, 5), "mediumint": (9, 8), "int": (11, 10), "bigint": (20, 20)}
_TEXT_SIZES = ((255, "tiny"), (65535, ""), (16777215, "medium"), (4294967295, "long"))


@dataclass(frozen=True)
class KeyLimits:
    """How long a key may be in an engine, in bytes, and what the server does past that."""

    key_bytes: int | None = None  # a whole key; MariaDB makes a longer UNIQUE a hidden hash (long unique)
    part_bytes: int | None = None  # one key part
    cuts_parts: bool = False  # a plain (non-unique) key's longer part is cut to a prefix, with only note 1071
    long_unique: bool = False  # whether a too-long UNIQUE becomes a long unique here (else: an error)


@dataclass(frozen=True)
class Flavor:
    """What kind of server, and the settings that change how it stores a schema."""

    kind: str = "mysql"  # "mysql" or "mariadb"
    version: tuple[int, int, int] = (8, 0, 36)
    lower_case_table_names: int = 0
    explicit_defaults_for_timestamp: bool = True
    default_engine: str = "InnoDB"
    innodb_row_format: str = "DYNAMIC"  # @@innodb_default_row_format: InnoDB tables without ROW_FORMAT
    charset: str = "utf8mb4"  # the database's default
    collation: str = "utf8mb4_0900_ai_ci"
    charsets: Mapping[str, tuple[str, int]] = field(default_factory=lambda: MYSQL8_CHARSETS, compare=False)
    # What a stored program created by this session keeps: sql_mode, client character set,
    # connection collation, time zone (read from the session when connected).
    session: ProgramSettings = ProgramSettings()

    # -- construction ---------------------------------------------------------

    @classmethod
    def from_version_string(cls, version: str, **settings) -> "Flavor":
        kind = "mariadb" if "mariadb" in version.lower() else "mysql"
        m = re.match(r"(\d+)\.(\d+)\.?(\d+)?", version)
        numbers = (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)) if m else (8, 0, 0)
        if kind == "mariadb" and numbers[0] == 5 and "-10." in version:  # "5.5.5-10.11.6-MariaDB"
            m = re.search(r"-(\d+)\.(\d+)\.(\d+)", version)
            numbers = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
        charsets = MARIADB_CHARSETS if kind == "mariadb" else (MYSQL8_CHARSETS if numbers >= (8, 0, 0)
                                                                else dict(MARIADB_CHARSETS, utf8mb4=("utf8mb4_general_ci", 4)))
        base = cls(kind=kind, version=numbers, charsets=charsets)
        default_charset = "utf8mb4" if kind == "mariadb" or numbers >= (8, 0, 0) else "latin1"
        settings.setdefault("charset", default_charset)
        settings.setdefault("collation", base.default_collation(settings["charset"]))
        settings.setdefault("session", ProgramSettings(
            tuple(sorted(base.default_sql_mode.split(","))), "utf8mb4", "utf8mb4_general_ci", "SYSTEM"))
        return replace(base, **settings)

    @classmethod
    def offline(cls, name: str) -> "Flavor":
        """A flavor for offline diffs: ``mysql-8.0``, ``mysql-5.7``, ``mariadb-10.11`` …"""
        m = re.fullmatch(r"(mysql|mariadb)[-:]?(\d+(?:\.\d+){0,2})", name.strip().lower())
        if not m:
            raise UsageError(f"--flavor: expected mysql-8.0, mysql-5.7, mariadb-10.11 or similar, got {name!r}")
        kind, version = m.groups()
        while version.count(".") < 2:
            version += ".99"  # "mysql-8.0": the newest of the series
        label = f"{version}-MariaDB" if kind == "mariadb" else version
        return cls.from_version_string(label)

    # -- capability questions ------------------------------------------------

    @property
    def is_mariadb(self) -> bool:
        return self.kind == "mariadb"

    @property
    def server(self) -> tuple[str, tuple[int, int, int]]:
        """(kind, version): what the parser needs to decide which versioned comments are code."""
        return self.kind, self.version

    @property
    def name(self) -> str:
        return f"{'MariaDB' if self.is_mariadb else 'MySQL'} {'.'.join(map(str, self.version))}"

    @property
    def keeps_int_width(self) -> bool:
        """MySQL 8.0.19+ drops integer display widths (but for tinyint(1) and zerofill)."""
        return self.is_mariadb or self.version < (8, 0, 19)

    @property
    def keeps_year_width(self) -> bool:
        return self.is_mariadb or self.version < (8, 0, 19)

    @property
    def json_is_longtext(self) -> bool:
        """MariaDB's JSON is LONGTEXT utf8mb4_bin with CHECK (json_valid(col))."""
        return self.is_mariadb

    @property
    def supports_check(self) -> bool:
        return self.is_mariadb or self.version >= (8, 0, 16)

    @property
    def json_chunks_match_rows(self) -> bool:
        """The server's ``GROUP_CONCAT(JSON_ARRAY(…))`` of an information_schema read gives back
        exactly its rows — verified on MariaDB 10.6+ only, so only there does introspection read
        COLUMNS as JSON chunks (``introspect_bulk``); MySQL writes binary strings as
        ``"base64:type…"`` and types some of those columns otherwise."""
        return self.is_mariadb and self.version >= (10, 6, 0)

    @property
    def escapes_is_expressions(self) -> bool:
        """MySQL 8.0+ keeps the expressions it shows in information_schema (expression
        defaults, generated columns, CHECK clauses, functional key parts) through
        String::print, which backslash-escapes quotes and backslashes (sql/dd/dd_table.cc)."""
        return not self.is_mariadb and self.version >= (8, 0, 0)

    @property
    def lists_checks_by_name(self) -> bool:
        """MySQL keeps a table's CHECK constraints in name order (SHOW CREATE TABLE lists
        them so, whatever the declaration order); MariaDB keeps declaration order."""
        return not self.is_mariadb

    @property
    def column_level_checks(self) -> bool:
        """MariaDB keeps a column's CHECK with the column, named after it."""
        return self.is_mariadb

    @property
    def supports_desc_index(self) -> bool:
        return self.version >= (10, 8, 0) if self.is_mariadb else self.version >= (8, 0, 0)

    @property
    def fk_default_action(self) -> str:
        """What REFERENTIAL_CONSTRAINTS reports for an unspecified ON DELETE/UPDATE: MySQL 8's
        data dictionary stores it as NO ACTION; InnoDB's own metadata (MySQL 5.7, MariaDB)
        reports it as RESTRICT."""
        return "RESTRICT" if self.is_mariadb or self.version < (8, 0, 0) else "NO ACTION"

    def fk_action(self, declared: str) -> str:
        """The ON DELETE/UPDATE action the server keeps for ``declared`` ("" when unspecified).
        MariaDB's InnoDB takes SET DEFAULT, which it cannot do, and silently keeps RESTRICT
        (MySQL refuses it)."""
        if not declared or (declared == "SET DEFAULT" and self.is_mariadb):
            return self.fk_default_action
        return declared

    def implied_table_options(self, engine: str | None, row_format: str | None) -> dict[str, str]:
        """Table options the server reports in CREATE_OPTIONS without being given them: Aria's
        TRANSACTIONAL, 1 for its PAGE row format (the default) and 0 for the others."""
        if engine == "Aria" and self.is_mariadb:
            return {"transactional": "1" if row_format in (None, "PAGE") else "0"}
        return {}

    @property
    def long_unique_as_hash(self) -> bool:
        """MariaDB 10.4+ turns UNIQUE over BLOB/TEXT (or too long) into a hidden hash."""
        return self.is_mariadb and self.version >= (10, 4, 0)

    @property
    def blob_literal_default_is_expression(self) -> bool:
        """MySQL 8.0.13+ gives BLOB/TEXT/JSON a default only as an expression: a literal
        default is written DEFAULT ('abc') and kept (and reported) as that expression."""
        return not self.is_mariadb and self.version >= (8, 0, 13)

    @property
    def supports_drop_constraint(self) -> bool:
        """ALTER TABLE … DROP CONSTRAINT (MySQL 8.0.19+; 8.0.16-8.0.18 know only DROP CHECK)."""
        return self.is_mariadb or self.version >= (8, 0, 19)

    @property
    def fk_index_name_names_constraint(self) -> bool:
        """``FOREIGN KEY idx (…)`` without CONSTRAINT names the key ``idx`` (MariaDB, MySQL before 8.0.16)."""
        return self.is_mariadb or self.version < (8, 0, 16)

    def key_limits(self, engine: str | None, row_format: str | None) -> KeyLimits:
        """The key length limits of an engine (16 KB InnoDB pages, the default).

        InnoDB allows 3072 bytes per key, and per key part too with the DYNAMIC and COMPRESSED row
        formats, where a plain key's longer part is silently cut to 3072 bytes (note 1071); COMPACT
        and REDUNDANT allow 767 bytes per part and refuse a longer one (error 1709) — MySQL 8.4 manual
        17.21 "InnoDB Limits", and MariaDB alike. MyISAM cuts at 1000 bytes, Aria at 2300, MEMORY at
        3072 (measured on MariaDB 10.11; tests/test_key_limits.py). A UNIQUE key longer than the key
        limit becomes a long unique on MariaDB's InnoDB and MyISAM, and is refused elsewhere.
        """
        long_unique = self.long_unique_as_hash
        if engine == "InnoDB":
            large = (row_format or self.innodb_row_format).upper() in ("DYNAMIC", "COMPRESSED")
            return KeyLimits(3072, 3072 if large else 767, cuts_parts=large, long_unique=long_unique)
        if engine == "MyISAM":
            return KeyLimits(1000, 1000, cuts_parts=True, long_unique=long_unique)
        if engine == "Aria":
            return KeyLimits(2300, 2300, cuts_parts=True)
        if engine == "MEMORY":
            return KeyLimits(3072, 3072, cuts_parts=True)
        return KeyLimits()

    @property
    def default_sql_mode(self) -> str:
        """The servers' default sql_mode (what an offline diff assumes a session has)."""
        if self.is_mariadb:
            return "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION"
        mode = "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO"
        return mode + (",NO_ENGINE_SUBSTITUTION" if self.version >= (8, 0, 0) else ",NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION")

    @property
    def sql_mode_combinations(self) -> Mapping[str, tuple[str, ...]]:
        """sql_mode names that stand for several modes: the server stores them expanded."""
        if self.is_mariadb:
            return _MARIADB_MODE_COMBINATIONS
        return _MYSQL_MODE_COMBINATIONS

    @property
    def has_enabled_roles(self) -> bool:
        """information_schema.ENABLED_ROLES (MariaDB 10.0.5+, MySQL 8.0.19+)."""
        return self.is_mariadb or self.version >= (8, 0, 19)

    @property
    def replaces_programs_in_place(self) -> bool:
        """CREATE OR REPLACE TRIGGER / PROCEDURE / FUNCTION / EVENT (MariaDB 10.1.4+); MySQL
        needs DROP and CREATE (ALTER EVENT for an event)."""
        return self.is_mariadb

    def check_auto_name(self, table: str, n: int) -> str:
        return f"CONSTRAINT_{n}" if self.is_mariadb else f"{table}_chk_{n}"

    def default_collation(self, charset: str) -> str:
        entry = self.charsets.get(charset)
        if entry is None:
            return f"{charset}_general_ci"
        return entry[0]

    def charset_maxlen(self, charset: str | None) -> int:
        if charset is None:
            return 4
        entry = self.charsets.get(charset)
        return entry[1] if entry else 4


# --------------------------------------------------------------------------
# Names of character sets and collations
# --------------------------------------------------------------------------

def canonical_charset(name: str | None) -> str | None:
    if name is None:
        return None
    name = name.lower()
    return "utf8mb3" if name == "utf8" else name


def canonical_collation(name: str | None) -> str | None:
    if name is None:
        return None
    name = name.lower()
    if name.startswith("utf8_"):
        return "utf8mb3_" + name[5:]
    return name


def charset_of_collation(collation: str) -> str:
    return "binary" if collation == "binary" else collation.split("_", 1)[0]


def resolve_charset(charset: str | None, collation: str | None, inherit: tuple[str, str], flavor: Flavor
                    ) -> tuple[str, str]:
    """The (charset, collation) pair a column or table ends up with. Only what is not declared at
    all is inherited: a character set named without a collation takes that character set's own
    default collation, even when it is the enclosing table's or database's character set with
    another collation (`CHARSET utf8mb4` in a `COLLATE utf8mb4_bin` table is utf8mb4_general_ci)."""
    charset, collation = canonical_charset(charset), canonical_collation(collation)
    if collation == "*_bin":
        cs = charset or inherit[0]
        return cs, ("binary" if cs == "binary" else f"{cs}_bin")
    if collation and not charset:
        return charset_of_collation(collation), collation
    if charset and not collation:
        return charset, flavor.default_collation(charset)
    if charset and collation:
        return charset, collation
    return inherit


# --------------------------------------------------------------------------
# Literal values the way the server stores them
# --------------------------------------------------------------------------

def _number(value: str) -> Decimal | None:
    try:
        text = value.strip()
        if re.fullmatch(r"[+-]?0[xX][0-9a-fA-F]+", text):
            return Decimal(int(text, 16))
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


def format_float(value: float, single: bool) -> str:
    if single:
        value = float(f"{value:.6g}")
    if value == 0:
        return "0"
    if value == int(value) and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _date_part(text: str) -> str | None:
    m = re.fullmatch(r"(\d{1,4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    return None


def _time_part(text: str, fsp: int) -> str | None:
    days = re.fullmatch(r"(-?)(\d+) (\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2}))?(\.\d+)?", text)
    if days:  # 'D HH[:MM[:SS]][.frac]': D days and HH hours
        sign, d, h, mi, sec, frac = days.groups()
        text = f"{sign}{int(d) * 24 + int(h)}:{mi or 0}:{sec or 0}{frac or ''}"
    m = re.fullmatch(r"(-?\d{1,3}):(\d{1,2})(?::(\d{1,2}))?(?:\.(\d+))?", text)
    if not m:
        m2 = re.fullmatch(r"(\d{2})(\d{2})(\d{2})(?:\.(\d+))?", text)
        if not m2:
            return None
        h, mi, s, frac = m2.groups()
    else:
        h, mi, s, frac = m.groups()
    hours = int(h)
    out = f"{hours:02d}:{int(mi):02d}:{int(s or 0):02d}" if hours >= 0 else f"-{-hours:02d}:{int(mi):02d}:{int(s or 0):02d}"
    if fsp:
        out += "." + (frac or "").ljust(fsp, "0")[:fsp]
    return out


def canonical_temporal(type_name: str, fsp: int, value: str) -> str:
    text = value.strip()
    if type_name == "date":
        if text in ("0", "0000-00-00"):
            return "0000-00-00"
        return _date_part(text.split(" ")[0]) or text
    if type_name == "time":
        return _time_part(text, fsp) or text
    if type_name in ("datetime", "timestamp"):
        if text == "0" or re.fullmatch(r"0+-0+-0+( 0+:0+:0+(\.0*)?)?", text):
            return "0000-00-00 00:00:00" + ("." + "0" * fsp if fsp else "")
        if "T" in text and " " not in text:
            text = text.replace("T", " ")
        date, _, time = text.partition(" ")
        if not time and re.fullmatch(r"\d{14}(\.\d+)?", date):
            date, time = date[:8], date[8:]
        d = _date_part(date)
        t = _time_part(time or "0:0:0", fsp)
        return f"{d} {t}" if d and t else text
    return text


def canonical_default(d: Default | None, t: ColumnType, flavor: Flavor) -> Default | None:
    """The default as the server stores it for a column of type ``t``."""
    if d is None or d.kind in ("null", "expression"):
        return d
    from_bytes = d.kind in ("bits", "hex")
    if d.kind in ("bits", "hex") and not (t.is_integer or t.name in ("year", "bit")):
        # x'41', 0x41, b'1000001': a number in a numeric column, bytes in any other
        n = int(d.value or "0", 2 if d.kind == "bits" else 16)
        if t.name in ("decimal", "float", "double"):
            d = Default("number", str(n))
        else:
            width = (len(d.value) + 7) // 8 if d.kind == "bits" else len(d.value) // 2
            d = Default("string", n.to_bytes(width, "big").decode("latin-1"))
    elif d.kind == "hex":
        d = Default("number" if t.name != "bit" else "bits", str(int(d.value or "0", 16)) if t.name != "bit"
                    else format(int(d.value or "0", 16), "b"))
    if t.name in _BINARY_STRINGS and d.kind in ("string", "number") and not (
            t.is_blob_or_text and flavor.blob_literal_default_is_expression):
        # a quoted literal's bytes are its UTF-8 (the connection's character set; MariaDB shows them so),
        # a hex or bit literal's its own (and MySQL's rows give each byte as a character)
        raw = d.value.encode("utf-8" if flavor.is_mariadb and not from_bytes else "latin-1", errors="replace")
        if t.name == "binary" and t.length:
            raw = raw.ljust(t.length, b"\0")
        return Default("string", _printable_bytes(raw))
    value = d.value
    if t.is_blob_or_text and flavor.blob_literal_default_is_expression:
        return Default("expression", expr=expression(f"({quote_string(value)})"))
    if t.is_integer or t.name == "year":
        if d.kind == "bits":
            return Default("number", str(int(value, 2)))
        num = _number(value)
        if num is None:
            return d
        number = int(num.to_integral_value(rounding=ROUND_HALF_UP))
        if t.name == "year" and d.kind == "string" and len(value.strip()) <= 2:
            number += 2000 if number < 70 else 1900
        elif t.name == "year" and 0 < number < 100 and d.kind == "number":
            number += 2000 if number < 70 else 1900
        return Default("number", str(number))
    if t.name == "decimal":
        num = _number(value)
        if num is None:
            return d
        scale = t.scale or 0
        with localcontext() as ctx:
            ctx.prec = 100
            # + 0: the server keeps no negative zero (-0.0 is stored as 0.0)
            return Default("number", str(num.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP) + 0))
    if t.name in ("float", "double"):
        num = _number(value)
        if num is None:
            return d
        if t.scale is not None:
            value = float(num) + 0.0  # (+ 0.0: no -0.000)
            if t.name == "float":  # FLOAT(m,d) stores a single-precision value, then shows d digits of it
                value = struct.unpack("f", struct.pack("f", value))[0]
            return Default("number", f"{value:.{t.scale}f}")
        return Default("number", format_float(float(num), single=t.name == "float"))
    if t.name == "bit":
        if d.kind == "bits":
            bits = int(value, 2) if value else 0
        else:
            num = _number(value)
            if num is None:
                return d
            bits = int(num)
        return Default("bits", format(bits, "b"))
    if t.name in ("date", "time", "datetime", "timestamp"):
        return Default("string", canonical_temporal(t.name, t.length or 0, value))
    if t.name == "char":
        return Default("string", value.rstrip(" "))
    if d.kind == "string" and flavor.is_mariadb and not _BMP_ONLY.fullmatch(value) and t.name in (
            "char", "varchar", "enum", "set"):
        # kept in utf8mb3: an emoji becomes ? (a TEXT/BLOB default keeps it, but information_schema
        # shows it as ????: a known limit, README)
        value = stored_comment(value)
        d = Default("string", value)
    if t.name == "enum" and d.kind == "number" and value.isdigit() and 1 <= int(value) <= len(t.values):
        return Default("string", t.values[int(value) - 1])  # DEFAULT n: the n-th value
    if t.name == "set" and d.kind == "number" and value.isdigit():  # DEFAULT n: the values of n's bits
        return Default("string", ",".join(v for k, v in enumerate(t.values) if int(value) >> k & 1))
    if t.name == "set":
        chosen = {v.lower() for v in value.split(",") if v}
        return Default("string", ",".join(v for v in t.values if v.lower() in chosen))
    if d.kind != "string":  # a number given for a string column is stored as its text
        return Default("string", value)
    return d


_BINARY_STRINGS = ("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob")


def _printable_bytes(data: bytes) -> str:
    """How MariaDB shows a binary default: bytes as UTF-8, invalid ones as '?'."""
    return data.decode("utf-8", errors="replace").replace("\ufffd", "?")


# --------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------

_NARROW_CODECS = {"ascii": "ascii", "latin1": "cp1252"}  # (MySQL's latin1 is Windows-1252)


def canonical_type(t: ColumnType, charset: str | None, flavor: Flavor) -> ColumnType:
    name, length, scale = t.name, t.length, t.scale
    unsigned, zerofill = t.unsigned or t.zerofill, t.zerofill
    if name in INTEGER_TYPES:
        if flavor.keeps_int_width:
            if length is None:
                signed_w, unsigned_w = _INT_WIDTH[name]
                length = unsigned_w if unsigned else signed_w
        elif not zerofill and not (name == "tinyint" and length == 1):
            length = None
        elif zerofill and length is None:
            length = _INT_WIDTH[name][1]
        return ColumnType(name, length, None, unsigned, zerofill)
    if name == "decimal":
        return ColumnType(name, 10 if length is None else length, 0 if scale is None else scale, unsigned,
                          zerofill)
    if name in ("float", "double"):
        return ColumnType(name, length if scale is not None else None, scale, unsigned, zerofill)
    if name == "bit":
        return ColumnType(name, 1 if length is None else length)
    if name in ("char", "binary"):
        return ColumnType(name, 1 if length is None else length)
    if name in ("time", "datetime", "timestamp"):
        return ColumnType(name, length or None)
    if name == "year":
        return ColumnType(name, 4 if flavor.keeps_year_width else None)
    if name in ("text", "blob") and length is not None:
        # TEXT(n) / BLOB(n): the smallest type that holds n characters (bytes)
        size = length * (flavor.charset_maxlen(charset) if name == "text" else 1)
        for limit, prefix in _TEXT_SIZES:
            if size <= limit:
                return ColumnType(prefix + name)
        return ColumnType("long" + name)
    if name in ("enum", "set"):
        values = t.values
        if flavor.is_mariadb and not all(_BMP_ONLY.fullmatch(v) for v in values):
            values = tuple(stored_comment(v) for v in values)
        codec = _NARROW_CODECS.get(charset or "")
        if codec and not all(v.isascii() for v in values):  # what the character set cannot hold becomes ?
            values = tuple(v.encode(codec, errors="replace").decode(codec) for v in values)
        return ColumnType(name, values=values)
    return ColumnType(name, length, scale, unsigned, zerofill, t.values)


def typed_charset(t: ColumnType, charset: str | None, collation: str | None, inherit: tuple[str, str],
                  flavor: Flavor) -> tuple[ColumnType, str | None, str | None]:
    """A column's or a parameter's type with its character set and collation, as the server keeps
    them: CHARSET binary makes a binary type; only textual types have a character set, inherited
    when not given."""
    if canonical_charset(charset) == "binary" and t.name in _CHARSET_BINARY_TYPE:
        t = replace(t, name=_CHARSET_BINARY_TYPE[t.name])
        charset = collation = None
    if t.is_textual:
        charset, collation = resolve_charset(charset, collation, inherit, flavor)
    else:
        charset = collation = None
    t = canonical_type(t, charset, flavor)
    if not t.is_textual:
        charset = collation = None
    return t, charset, collation


_CHARSET_BINARY_TYPE = {"char": "binary", "varchar": "varbinary", "tinytext": "tinyblob", "text": "blob",
                        "mediumtext": "mediumblob", "longtext": "longblob"}


# --------------------------------------------------------------------------
# normalize
# --------------------------------------------------------------------------

def normalize(schema: Schema, flavor: Flavor, *, database: str | None = None) -> Schema:
    """Bring a declared or introspected schema to ``flavor``'s canonical form."""
    inherit = resolve_charset(schema.charset, schema.collation, (flavor.charset, flavor.collation), flavor)
    memo: dict = {}  # column definitions already made canonical (see _column)
    tables = tuple(_table(t, flavor, inherit, database, memo) for t in schema.tables)
    views = []
    if schema.views:
        columns = {t.name.lower(): tuple(c.key for c in t.columns) for t in tables}  # (views compare names lower-case)
        for view in views_by_dependency(schema.views):
            view, output = _view(view, flavor, columns, database)
            columns[view.name.lower()] = output  # views read by later views
            views.append(view)
    triggers, routines, events = normalize_programs(schema, flavor, inherit)
    return Schema(tables, tuple(views), inherit[0], inherit[1], triggers, routines, events)


def views_by_dependency(views: tuple[View, ...]) -> list[View]:
    """Views in an order each can be created in: after the views it reads."""
    by_name = {v.name: v for v in views}
    return [by_name[n] for n in dependency_order({v.name: v.definition.sql for v in views})]


def _view(view: View, flavor: Flavor, columns: Mapping[str, tuple[str, ...]], database: str | None
          ) -> tuple[View, tuple[str, ...]]:
    canon, output = canonical_query(view.definition.sql, columns, database=database, view_columns=view.columns)
    algorithm = view.algorithm.upper() if flavor.is_mariadb else "UNDEFINED"  # MySQL does not report it
    return replace(view, definition=Expr(view.definition.sql, canon), algorithm=algorithm,
                   security=view.security.upper(), check_option=view.check_option.upper()), output


def _table(table: Table, flavor: Flavor, inherit: tuple[str, str], database: str | None, memo: dict) -> Table:
    opts = table.options
    charset, collation = resolve_charset(opts.charset, opts.collation, inherit, flavor)
    engine = _engine_name(opts.engine or flavor.default_engine)
    row_format = opts.row_format.upper() if opts.row_format else None
    if row_format == "DEFAULT":
        row_format = None
    extra = dict((k, v) for k, v in opts.extra if (k, v) not in _UNSHOWN_OPTIONS)
    extra = dict(flavor.implied_table_options(engine, row_format), **extra)
    options = evolve(opts, engine=engine, charset=charset, collation=collation, row_format=row_format,
                      extra=tuple(sorted(extra.items())), comment=stored_comment(opts.comment))
    if any(not _BMP_ONLY.fullmatch(c.comment) for c in table.columns) or \
            any(not _BMP_ONLY.fullmatch(i.comment) for i in table.indexes):
        table = evolve(table, columns=tuple(evolve(c, comment=stored_comment(c.comment)) for c in table.columns),
                       indexes=tuple(evolve(i, comment=stored_comment(i.comment)) for i in table.indexes))

    pk = next((i for i in table.indexes if i.kind == "primary"), None)
    pk_columns = {key(c) for c in pk.columns} if pk else set()
    columns = []
    timestamps_seen = 0
    for col in table.columns:
        columns.append(_column(col, flavor, (charset, collation), pk_columns, timestamps_seen, memo))
        if col.type.name == "timestamp":
            timestamps_seen += 1
    table = fold_json(evolve(table, columns=tuple(columns), options=options), flavor)
    by_key = {c.key: c for c in table.columns}
    indexes = _indexes(table, by_key, flavor)
    foreign_keys, indexes = _foreign_keys(table, indexes, flavor, database)
    if engine not in ("InnoDB", "ndbcluster"):
        foreign_keys = []  # other engines take FOREIGN KEY silently and keep only its index
    # MySQL before 8.0.16 parses CHECK and ignores it: the table it creates has none
    checks = _checks(table.name, list(table.checks), flavor, by_key) if flavor.supports_check else []
    partitioning = _partitioning(table.partitioning)
    return evolve(table, indexes=tuple(indexes), foreign_keys=tuple(foreign_keys),
                   checks=tuple(checks), options=options, partitioning=partitioning)


# options the server takes but does not show, being the default: a Schemafile may write them
# (Aria's PAGE_CHECKSUM=1, its default, shows in CREATE_OPTIONS only once the table was altered)
_UNSHOWN_OPTIONS = {("stats_sample_pages", "DEFAULT"), ("checksum", "0"), ("delay_key_write", "0"),
                    ("pack_keys", "DEFAULT"), ("page_checksum", "1"),
                    ("page_compressed", "0")}  # (shown, once set back to 0: it is the default)

_BMP_ONLY = re.compile(r"[\u0000-\uffff]*")


def stored_comment(text: str) -> str:
    """A comment as the server keeps it: in utf8mb3, a character outside the Basic Multilingual
    Plane (an emoji) becomes ``?``, silently. (MariaDB keeps a literal default of a CHAR, VARCHAR,
    ENUM or SET column and ENUM/SET values in utf8mb3 too: see canonical_default, canonical_type.)"""
    return text if _BMP_ONLY.fullmatch(text) else "".join(ch if ord(ch) <= 0xFFFF else "?" for ch in text)


def _engine_name(engine: str) -> str:
    known = {"innodb": "InnoDB", "myisam": "MyISAM", "memory": "MEMORY", "heap": "MEMORY", "csv": "CSV",
             "archive": "ARCHIVE", "aria": "Aria", "blackhole": "BLACKHOLE", "rocksdb": "ROCKSDB",
             "merge": "MRG_MyISAM", "mrg_myisam": "MRG_MyISAM", "federated": "FEDERATED"}
    return known.get(engine.lower(), engine)


def _is_json_valid(expr: Expr, column: str) -> bool:
    return expr.canon == canonical(f"json_valid(`{column}`)")


def _column(col: Column, flavor: Flavor, table_charset: tuple[str, str], pk_columns: set[str],
            timestamps_seen: int, memo: dict) -> Column:
    """One column in canonical form. ``memo`` (one per normalize) keeps what a definition became:
    a schema's columns repeat a few definitions, and the outcome depends on the definition, the
    table's character set, whether the column is in the primary key and whether it is the table's
    first TIMESTAMP — not on its name."""
    in_pk = col.key in pk_columns
    # an expression's text is not compared but is kept (it is rendered): part of the key
    default, on_update = col.default, col.on_update
    memo_key = (col.type, col.nullable, default, default.expr.sql if default and default.expr else None,
                on_update, on_update.sql if on_update else None, col.charset, col.collation,
                col.auto_increment, col.generated is None, table_charset, in_pk, timestamps_seen == 0)
    fields = memo.get(memo_key)
    if fields is None:
        fields = memo[memo_key] = _canonical_column_fields(col, flavor, table_charset, in_pk, timestamps_seen)
    t, nullable, charset, collation, default, on_update = fields
    if (t, nullable, charset, collation, default, on_update) == (col.type, col.nullable, col.charset, col.collation,
                                                                col.default, col.on_update):
        return col  # already canonical
    # the constructor, not dataclasses.replace: ten times faster, and this runs for every column
    return Column(col.name, t, nullable, default, on_update, col.auto_increment, charset, collation, col.comment,
                  col.generated, col.srid, col.invisible, col.renamed_from, col.line)


def _canonical_column_fields(col: Column, flavor: Flavor, table_charset: tuple[str, str], in_pk: bool,
                             timestamps_seen: int) -> tuple:
    """(type, nullable, charset, collation, default, on_update) of ``col`` in canonical form."""
    t, charset, collation = typed_charset(col.type, col.charset, col.collation, table_charset, flavor)
    nullable = col.nullable
    default = col.default
    on_update = col.on_update
    if in_pk:
        nullable = False
    if nullable is None:
        if t.name == "timestamp" and not flavor.explicit_defaults_for_timestamp and col.generated is None:
            nullable = False
            if default is None and timestamps_seen == 0:
                now = expression(f"current_timestamp({t.length})" if t.length else "current_timestamp()")
                default, on_update = Default("expression", expr=now), on_update or now
            elif default is None:
                default = Default("string", "0")
        else:
            nullable = True
    if default is None and nullable and not col.auto_increment and col.generated is None:
        default = Default("null")
    elif default is None and on_update is not None and t.name in ("timestamp", "datetime") and flavor.is_mariadb:
        default = Default("string", "0")  # MariaDB gives TIMESTAMP/DATETIME NOT NULL ON UPDATE … a zero default
    if col.generated is not None:
        default = None
    if default is not None and default.kind == "expression" and flavor.is_mariadb:
        default = constant_default(default.expr) or default
    fsp = (t.length or 0) if flavor.is_mariadb and t.name in ("datetime", "timestamp") else None
    if default is not None and default.kind == "expression":
        default = Default("expression", expr=_canonical_now(default.expr, fsp))
    else:
        default = canonical_default(default, t, flavor)
    on_update = _canonical_now(on_update, fsp)
    return t, nullable, charset, collation, default, on_update


_CONSTANT = re.compile(r"(?P<neg>(?:neg\(this=)*)(?:num:(?P<num>[0-9.eE+-]+)|str:(?P<str>[^()\[\]=]*)|(?P<null>null\(\))"
                       r"|hexstring\(this=(?P<hex>[0-9a-fA-F]*)\)|bitstring\(this=(?P<bits>[01]*)\)|(?P<pi>pi\(\)))"
                       r"(?P<close>\)*)")


_INTRODUCER = re.compile(r"(?i)(?<![\w$])_[a-z0-9]+\s*'")


def constant_default(expr: Expr) -> Default | None:
    """MariaDB keeps a parenthesised constant default — ``(1)``, ``(-(1))``, ``('a')``, ``(x'41')``,
    ``(b'1')``, ``(NULL)``, ``(pi())`` — as the literal it is, not as an expression; None for any
    other expression."""
    m = _CONSTANT.fullmatch(expr.canon)
    if not m or _INTRODUCER.search(expr.sql):  # (_utf8mb4'x') is kept as written (for TEXT, at least)
        return None
    if not m or len(m.group("neg")) // len("neg(this=") != len(m.group("close")):
        return None
    negative = (len(m.group("close")) % 2) == 1
    if m.group("null") is not None:
        return None if m.group("neg") else Default("null")
    if m.group("str") is not None:
        return None if m.group("neg") else Default("string", m.group("str"))
    if m.group("hex") is not None or m.group("bits") is not None:
        return None if m.group("neg") else (Default("hex", m.group("hex")) if m.group("hex") is not None
                                              else Default("bits", m.group("bits")))
    number = "3.141592653589793" if m.group("pi") else m.group("num")
    return Default("number", ("-" if negative else "") + number)


def _canonical_now(expr: Expr | None, fsp: int | None = None) -> Expr | None:
    """current_timestamp / now() / localtimestamp (n) -> current_timestamp(n), the server's spelling.
    With ``fsp`` (MariaDB: the column's fractional-seconds precision) the server's precision: the
    column's when none (or 0) is given or when more is asked than the column keeps."""
    if expr is None:
        return None
    if not is_now(expr.sql):
        return expr
    n = now_precision(expr.sql)
    if fsp is not None and (n == 0 or n > fsp):
        n = fsp
    text = f"current_timestamp({n})" if n else "current_timestamp()"
    return Expr(text, canonical(text))


def fold_json(table: Table, flavor: Flavor) -> Table:
    """MariaDB: LONGTEXT utf8mb4_bin + CHECK (json_valid(col)) named after the column is JSON."""
    if not flavor.json_is_longtext:
        return table
    columns = list(table.columns)
    checks = list(table.checks)
    for k, col in enumerate(columns):
        if col.type.name != "longtext" or col.charset != "utf8mb4" or col.collation != "utf8mb4_bin":
            continue
        check = next((c for c in checks if c.key == col.key and _is_json_valid(c.expr, col.name)), None)
        if check is None:
            continue
        columns[k] = replace(col, type=ColumnType("json"), charset=None, collation=None)
        checks.remove(check)
    return evolve(table, columns=tuple(columns), checks=tuple(checks))


def _indexes(table: Table, columns: Mapping[str, Column], flavor: Flavor) -> list[Index]:
    limits = flavor.key_limits(table.options.engine, table.options.row_format)
    named: list[Index] = []
    for index in table.indexes:
        parts = tuple(_index_part(p, columns, index.kind, flavor, limits) for p in index.parts)
        name = index.name
        if index.kind == "primary":
            name = "PRIMARY"
        elif not name:
            first = next((p.column for p in parts if p.column), None)
            base = first if first else "functional_index"
            if first and first in columns:
                base = columns[first].name
            name = unique_name(base, [i.name for i in named] + ["PRIMARY"])
        memory = table.options.engine == "MEMORY"
        # MariaDB also makes a long unique of a UNIQUE … USING HASH that does not need one, but the
        # next ALTER TABLE that copies the table makes it a BTREE key again, silently: such a key
        # is compared as the plain unique key it may become (its parts lose DESC all the same)
        if limits.long_unique:
            hashed = index.kind == "unique" and _needs_long_unique(parts, columns, flavor, limits)
        else:
            hashed = index.hashed
        if hashed and memory:  # HASH is MEMORY's own key type, not a long unique
            hashed = False
        # a hash key has no order: the server drops DESC (a MEMORY key is HASH unless USING BTREE;
        # read back, a MEMORY key that kept DESC is a BTREE one, its USING not being visible)
        using = (index.using or "").upper()
        if hashed or index.hashed or using == "HASH" or (memory and index.kind != "fulltext" and not using and index.line is not None):
            parts = tuple(evolve(p, descending=False) if p.descending else p for p in parts)
        elif memory and not using and any(p.descending for p in parts):
            index = evolve(index, using="BTREE")  # (to be rendered so: an export must say it)
        if memory and using == "HASH":
            index = evolve(index, using=None)  # MEMORY's own key type, said or not
        named.append(evolve(index, name=name, parts=parts, hashed=hashed,
                             using="HASH" if hashed else index.using))
    return named


def _index_part(part: IndexPart, columns: Mapping[str, Column], kind: str, flavor: Flavor,
                limits: KeyLimits) -> IndexPart:
    if part.column is None:
        return part
    column = columns.get(key(part.column))
    name = column.name if column else part.column
    length = part.length
    descending = part.descending and flavor.supports_desc_index and kind not in ("fulltext", "spatial")
    if kind in ("fulltext", "spatial"):
        length = None
    elif column is not None and length is not None and column.type.name in ("char", "varchar", "binary",
                                                                           "varbinary"):
        if column.type.length is not None and length >= column.type.length:
            length = None  # a "prefix" as long as the column is the whole column
    if kind == "index" and column is not None and limits.cuts_parts:
        # a plain key's part longer than the engine allows is cut to a prefix (note 1071 only)
        chars, per_char = _part_chars(column, length, flavor)
        if chars is not None and chars * per_char > limits.part_bytes:
            length = limits.part_bytes // per_char
    return IndexPart(column=name, length=length, descending=descending)


def _part_chars(column: Column, length: int | None, flavor: Flavor) -> tuple[int | None, int]:
    """(characters, bytes per character) a key part on ``column`` holds; None for non-string types."""
    t = column.type
    per_char = flavor.charset_maxlen(column.charset) if t.is_textual else 1
    if length is not None:
        return length, per_char
    if t.name in ("char", "varchar", "binary", "varbinary"):
        return t.length or 1, per_char
    return None, per_char


def _needs_long_unique(parts: tuple[IndexPart, ...], columns: Mapping[str, Column], flavor: Flavor,
                       limits: KeyLimits) -> bool:
    total = 0
    for part in parts:
        if part.column is None:
            return False
        col = columns.get(key(part.column))
        if col is None:
            return False
        if col.type.is_blob_or_text and part.length is None:
            return True
        chars, per_char = _part_chars(col, part.length, flavor)
        total += (chars or 0) * per_char
    return total > (limits.key_bytes or 0)


def sort_indexes(indexes: list[Index], columns: Mapping[str, Column]) -> list[Index]:
    """The server's key order (sql_table.cc sort_keys): unique NOT NULL keys
    (PRIMARY first, whole-column before prefix), other unique keys, plain
    keys, then FULLTEXT; declaration order within each class."""

    def nullable(index: Index) -> bool:
        for part in index.parts:
            if part.column is None:
                return True
            col = columns.get(key(part.column))
            if col is None or col.nullable:
                return True
        return False

    def rank(pair: tuple[int, Index]) -> tuple:
        position, index = pair
        if index.kind in ("primary", "unique"):
            if index.hashed or (index.kind == "unique" and (index.using or "").upper() == "HASH"):
                # (a long unique, or one made so by USING HASH: see _indexes)
                return (1, 1, 0, 0, position)
            has_prefix = any(p.length is not None for p in index.parts)
            return (0, 1 if nullable(index) else 0, 0 if index.kind == "primary" else 1, 1 if has_prefix else 0,
                    position)
        return (2, 1 if index.kind == "fulltext" else 0, 0, 0, position)

    return [i for _, i in sorted(enumerate(indexes), key=rank)]


def _fk_index_covers(index: Index, columns: tuple[str, ...]) -> bool:
    """Whether an index can serve a foreign key on ``columns`` (they are its leading whole columns)."""
    if index.kind in ("fulltext", "spatial") or index.hashed or index.using == "HASH":
        return False  # (MariaDB does not count a key declared USING HASH, even on InnoDB)
    if len(index.parts) < len(columns):
        return False
    for part, column in zip(index.parts, columns):
        if part.column is None or key(part.column) != key(column) or part.length is not None:
            return False
    return True


def _foreign_keys(table: Table, indexes: list[Index], flavor: Flavor, database: str | None
                  ) -> tuple[list[ForeignKey], list[Index]]:
    out: list[ForeignKey] = []
    counter = 0
    explicit = {fk.name for fk in table.foreign_keys if fk.name}
    placed: list[tuple[int, Index]] = []
    for fk in table.foreign_keys:
        name = fk.name
        named = bool(name)
        if not name and fk.index_name and flavor.fk_index_name_names_constraint:
            name, named = fk.index_name, True  # FOREIGN KEY idx (…) without CONSTRAINT: the key is `idx`
        if not name:
            while True:
                counter += 1
                name = f"{table.name}_ibfk_{counter}"
                if name not in explicit:
                    break
        ref_schema = fk.ref_schema
        if ref_schema is not None and database is not None and ref_schema == database:
            ref_schema = None
        out.append(evolve(fk, name=name, ref_schema=ref_schema, auto_named=not named,
                           on_delete=flavor.fk_action(fk.on_delete), on_update=flavor.fk_action(fk.on_update)))
        if fk.position is None:
            continue  # introspected: the server already made the index
        if any(_fk_index_covers(i, fk.columns) for i in indexes) or \
                any(_fk_index_covers(i, fk.columns) for _, i in placed):
            continue
        # the index the server makes for the key: MariaDB names it after the key, MySQL 8.0.16+
        # after FOREIGN KEY idx (…) first; with neither name, after the first column
        if flavor.fk_index_name_names_constraint:
            index_name = name if named else fk.columns[0]
        else:
            index_name = fk.index_name or (name if named else fk.columns[0])
        index_name = unique_name(index_name, [i.name for i in indexes] + [i.name for _, i in placed])
        placed.append((fk.position, Index(index_name, "index", tuple(IndexPart(column=c) for c in fk.columns),
                                          auto_named=True, line=fk.line)))
    merged: list[Index] = []
    for k in range(len(indexes) + 1):
        merged.extend(index for position, index in placed if min(position, len(indexes)) == k)
        if k < len(indexes):
            merged.append(indexes[k])
    columns = {c.key: c for c in table.columns}
    out.sort(key=lambda fk: fk.name)
    return out, sort_indexes(merged, {**columns})


def _checks(table: str, checks: list[CheckConstraint], flavor: Flavor,
            columns: Mapping[str, Column]) -> list[CheckConstraint]:
    """Name the unnamed CHECKs as the server does, in the server's order.

    MariaDB keeps an unnamed column CHECK with its column, named after it, and
    numbers the other unnamed ones CONSTRAINT_1, CONSTRAINT_2…; MySQL numbers
    every unnamed one <table>_chk_1, <table>_chk_2… in the order written.
    """
    column_level = [c for c in checks if c.column_level and flavor.column_level_checks]
    others = [replace(c, column_level=False) for c in checks if not (c.column_level and flavor.column_level_checks)]
    order = {k: n for n, k in enumerate(columns)}
    out = sorted(column_level, key=lambda c: order.get(c.key, len(order)))
    taken = {c.name for c in others if not c.auto_named}
    counter = 0
    for check in others:
        if check.auto_named:
            while True:
                counter += 1
                name = flavor.check_auto_name(table, counter)
                if name not in taken:
                    break
            check = replace(check, name=name, column_level=False)
        out.append(check)
    if flavor.lists_checks_by_name:
        out.sort(key=lambda c: (c.key, c.name))
    return out


def _partitioning(p: Partitioning | None) -> Partitioning | None:
    if p is None:
        return None
    partitions = p.partitions
    count = p.count
    sub_count = p.sub_count
    if p.method in ("HASH", "KEY", "LINEAR HASH", "LINEAR KEY") and partitions and all(
            part.values is None and not part.comment and not part.subpartitions for part in partitions) and \
            [part.name for part in partitions] == [f"p{k}" for k in range(len(partitions))]:
        count, partitions = len(partitions), ()
    if p.sub_method and partitions:
        subs = [part.subpartitions for part in partitions]
        n = len(subs[0])
        if n and all(s == tuple(f"{part.name}sp{k}" for k in range(n)) for s, part in zip(subs, partitions)):
            partitions = tuple(replace(part, subpartitions=()) for part in partitions)
            sub_count = n
    if count is not None and partitions:
        count = None
    if p.method in ("HASH", "KEY", "LINEAR HASH", "LINEAR KEY") and not partitions and count is None:
        count = 1
    # the server's spelling of the last range: MAXVALUE for RANGE, (MAXVALUE) for RANGE COLUMNS
    maxvalue = "LESS THAN MAXVALUE" if p.method == "RANGE" else "LESS THAN (MAXVALUE)"
    if p.method.startswith("RANGE") and any(part.values in ("LESS THAN MAXVALUE", "LESS THAN (MAXVALUE)")
                                            and part.values != maxvalue for part in partitions):
        partitions = tuple(replace(part, values=maxvalue) if part.values in ("LESS THAN MAXVALUE", "LESS THAN (MAXVALUE)")
                           else part for part in partitions)
    return replace(p, partitions=partitions, count=count, sub_count=sub_count)


# --------------------------------------------------------------------------
# Stored programs: what the server fills in when it stores a trigger, routine
# or event — the session's sql_mode (combination modes expanded) and time zone
# where the Schemafile set none; a parameter's character set (the database's
# default when not given, as for columns), integer display widths and the
# other type spellings of columns.
# --------------------------------------------------------------------------

def normalize_programs(schema: Schema, flavor: Flavor, inherit: tuple[str, str]
                       ) -> tuple[tuple[Trigger, ...], tuple[Routine, ...], tuple[Event, ...]]:
    triggers = tuple(replace(t, settings=program_settings(t.settings, flavor)) for t in schema.triggers)
    routines = tuple(_routine(r, flavor, inherit) for r in schema.routines)
    events = tuple(replace(e, settings=program_settings(e.settings, flavor, event=True)) for e in schema.events)
    return triggers, routines, events


def canonical_sql_mode(mode: tuple[str, ...], flavor: Flavor) -> tuple[str, ...]:
    """The modes the server stores for ``mode``: upper-case, combination modes expanded, sorted."""
    out: set[str] = set()
    combinations = flavor.sql_mode_combinations
    for name in mode:
        name = name.strip().upper()
        if not name:
            continue
        out.add(name)
        out.update(combinations.get(name, ()))
    return tuple(sorted(out))


def program_settings(declared: ProgramSettings, flavor: Flavor, *, event: bool = False) -> ProgramSettings:
    session = flavor.session
    mode = declared.sql_mode if declared.sql_mode is not None else session.sql_mode or ()
    client = canonical_charset(declared.client_charset)
    collation = canonical_collation(declared.collation)
    if collation is None and client is not None:  # SET NAMES x: x's default collation
        collation = flavor.default_collation(client)
    time_zone = (declared.time_zone or session.time_zone) if event else None
    return ProgramSettings(canonical_sql_mode(mode, flavor), client, collation, time_zone)


def _routine_parameter(p: Parameter, flavor: Flavor, inherit: tuple[str, str]) -> Parameter:
    t, charset, collation = typed_charset(p.type, p.charset, p.collation, inherit, flavor)
    return replace(p, type=t, mode=p.mode.upper(), charset=charset, collation=collation)


def _routine(r: Routine, flavor: Flavor, inherit: tuple[str, str]) -> Routine:
    return replace(r, kind=r.kind.upper(), parameters=tuple(_routine_parameter(p, flavor, inherit) for p in r.parameters),
                   returns=_routine_parameter(r.returns, flavor, inherit) if r.returns is not None else None,
                   data_access=r.data_access.upper(), security=r.security.upper(),
                   settings=program_settings(r.settings, flavor))
