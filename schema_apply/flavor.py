"""Server flavours: what a server is and how it spells values.

Every MySQL/MariaDB quirk that could make a parsed model differ from the
introspected one is either a capability question here (``flavor.keeps_int_width``)
with the canonical form of one value (a character set, a collation, a default,
a type), or a step of ``normalize.normalize``, which applies them to a whole
schema — never a version comparison at a call site.
"""

from __future__ import annotations

import re
import struct
from dataclasses import field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Mapping

from .errors import UsageError
from .model import INTEGER_TYPES, ColumnType, Default, ProgramSettings
from .sql.expressions import expression
from .sql.quoting import quote_string
from .values import frozen

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


@frozen
class KeyLimits:
    """How long a key may be in an engine, in bytes, and what the server does past that."""

    key_bytes: int | None = None  # a whole key; MariaDB makes a longer UNIQUE a hidden hash (long unique)
    part_bytes: int | None = None  # one key part
    cuts_parts: bool = False  # a plain (non-unique) key's longer part is cut to a prefix, with only note 1071
    long_unique: bool = False  # whether a too-long UNIQUE becomes a long unique here (else: an error)


@frozen
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
        COLUMNS as JSON chunks and TABLES, STATISTICS and CHECK_CONSTRAINTS as one JSON array a row
        (``introspect_bulk``); MySQL writes binary strings as
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
    def primary_key_column_drops_unique(self) -> bool:
        """A column definition that declares PRIMARY KEY and UNIQUE too (``id SERIAL PRIMARY KEY``:
        SERIAL says UNIQUE) makes the primary key only on MariaDB (10.11's SHOW CREATE TABLE);
        MySQL makes both (sql_parse.cc, Alter_info::add_field: a key per flag), the UNIQUE named
        after the column."""
        return self.is_mariadb

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


def _bmp_only(text: str) -> bool:
    """Whether every character of ``text`` is in the Basic Multilingual Plane (U+FFFF or below)."""
    return text.isascii() or max(text) <= "\uffff"


def stored_comment(text: str) -> str:
    """A comment as the server keeps it: in utf8mb3, a character outside the Basic Multilingual
    Plane (an emoji) becomes ``?``, silently. (MariaDB keeps a literal default of a CHAR, VARCHAR,
    ENUM or SET column and ENUM/SET values in utf8mb3 too: see canonical_default, canonical_type.)"""
    return text if _bmp_only(text) else "".join(ch if ord(ch) <= 0xFFFF else "?" for ch in text)


def canonical_default(d: Default | None, t: ColumnType, flavor: Flavor, collation: str | None = None
                      ) -> Default | None:
    """The default as the server stores it for a column of type ``t`` (and ``collation``, which tells
    an ENUM's or a SET's members apart: ``member_key``)."""
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
    if d.kind == "string" and flavor.is_mariadb and not _bmp_only(value) and t.name in (
            "char", "varchar", "enum", "set"):
        # kept in utf8mb3: an emoji becomes ? (a TEXT/BLOB default keeps it, but information_schema
        # shows it as ????: a known limit, README)
        value = stored_comment(value)
        d = Default("string", value)
    if t.name == "enum" and d.kind == "number" and value.isdigit() and 1 <= int(value) <= len(t.values):
        return Default("string", t.values[int(value) - 1])  # DEFAULT n: the n-th value
    if t.name == "set" and d.kind == "number" and value.isdigit():  # DEFAULT n: the values of n's bits
        return Default("string", ",".join(v for k, v in enumerate(t.values) if int(value) >> k & 1))
    if t.name in ("enum", "set") and d.kind == "string":
        # the members the default names, spelt as declared (in the set's order): DEFAULT 'b ' of
        # enum('a','B') is 'B' under a case-insensitive collation
        chosen = {member_key(v, collation) for v in (value.split(",") if t.name == "set" else (value,))}
        named = [v for v in t.values if member_key(v, collation) in chosen]
        if t.name == "set":
            return Default("string", ",".join(named))
        return Default("string", named[0]) if named else d
    if d.kind != "string":  # a number given for a string column is stored as its text
        return Default("string", value)
    return d


_BINARY_STRINGS = ("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def member_key(value: str, collation: str | None) -> str:
    """An ENUM's or a SET's member (or a value naming one) as the server compares them under the
    column's ``collation``, as far as that is certain here: trailing spaces do not count but in the
    binary character set, nor does the letter case of ASCII letters in a case-insensitive collation
    (but Turkish and Azerbaijani ones, where I and i are two letters). Accents, and letter case
    outside ASCII, which some collations ignore too, count here."""
    if collation in (None, "binary"):
        return value
    value = value.rstrip(" ")
    if collation.endswith("_ci") and not any(t in collation for t in ("turkish", "azeri", "_tr_", "_az_")):
        return value.translate(_ASCII_LOWER)
    return value


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
        if charset != "binary":  # the server cuts a member's trailing spaces (but in the binary character set)
            values = tuple(v.rstrip(" ") for v in values)
        if flavor.is_mariadb and not all(_bmp_only(v) for v in values):
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
