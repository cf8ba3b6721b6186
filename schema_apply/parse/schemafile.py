"""The Schemafile grammar: CREATE TABLE / INDEX / VIEW and friends -> model.

sqlglot tokenizes the file and parses every expression in it (defaults,
generated columns, CHECKs, functional index parts, partition functions, view
queries). The statement skeleton is walked here, token by token, because
sqlglot 30's MySQL DDL support fails on or drops clauses a Schemafile needs
(spatial types, SRID, PERSISTENT, IGNORED, partition definitions,
CHECKSUM=1, versioned comments, prefix parts in CREATE INDEX — see
tests/test_parse.py). Every token of a statement is either understood or
reported: an unknown clause is an error naming the file, line and object,
never a silent omission.

The result is the *declared* schema: names the server would make up are
left empty and defaults the server would fill in are left unset;
``flavor.normalize`` completes both for a given server.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlglot.tokens import TokenType

from ..errors import ParseError
from ..model import (
    ALL_TYPES, CheckConstraint, Column, ColumnType, Default, Event, Expr, ForeignKey, Generated, Index,
    IndexPart, Partition, Partitioning, Routine, Schema, Table, TableOptions, Trigger, View, key)
from . import expressions, views
from .lexer import Cursor, Statement, split_statements
from .routines import ProgramReader

_RENAMED = re.compile(r"@renamed\s+from\s*=\s*(?:\"((?:[^\"]|\"\")+)\"|`((?:[^`]|``)+)`|'([^']+)'|([\w$.]+))", re.I)

TYPE_ALIASES: dict[str, str] = {
    "integer": "int", "int4": "int", "int1": "tinyint", "int2": "smallint", "int3": "mediumint",
    "int8": "bigint", "middleint": "mediumint", "dec": "decimal", "numeric": "decimal", "fixed": "decimal",
    "real": "double", "float4": "float", "float8": "double", "character": "char", "nchar": "char",
    "nvarchar": "varchar",
}
NATIONAL_CHARSET = "utf8mb3"
_TEXT_BY_SIZE = ((255, "tinytext"), (65535, "text"), (16777215, "mediumtext"), (4294967295, "longtext"))
_BLOB_BY_SIZE = ((255, "tinyblob"), (65535, "blob"), (16777215, "mediumblob"), (4294967295, "longblob"))
FK_ACTIONS = {("RESTRICT",): "RESTRICT", ("CASCADE",): "CASCADE", ("SET", "NULL"): "SET NULL",
              ("NO", "ACTION"): "NO ACTION", ("SET", "DEFAULT"): "SET DEFAULT"}
_TABLE_CONSTRAINT_WORDS = {"CONSTRAINT", "PRIMARY", "UNIQUE", "KEY", "INDEX", "FULLTEXT", "SPATIAL", "FOREIGN",
                           "CHECK", "PERIOD"}

# Table options the server reports in information_schema.TABLES.CREATE_OPTIONS,
# with how their values are written there.
_NUMERIC_OPTIONS = {"KEY_BLOCK_SIZE", "STATS_SAMPLE_PAGES", "MIN_ROWS", "MAX_ROWS", "AVG_ROW_LENGTH",
                    "PAGE_COMPRESSION_LEVEL", "ENCRYPTION_KEY_ID", "AUTOEXTEND_SIZE"}
_FLAG_OPTIONS = {"STATS_PERSISTENT", "STATS_AUTO_RECALC", "CHECKSUM", "TABLE_CHECKSUM", "PAGE_CHECKSUM",
                 "PACK_KEYS", "DELAY_KEY_WRITE", "TRANSACTIONAL", "PAGE_COMPRESSED"}
_STRING_OPTIONS = {"COMPRESSION", "ENCRYPTION", "ENCRYPTED"}


@dataclass
class ParsedFile:
    """What a Schemafile declares, before server defaults are applied."""

    schema: Schema
    file: str
    statements: int = 0
    database: str | None = None  # a USE statement, if any


def parse_file(path: str | Path, server: tuple[str, tuple[int, int, int]] | None = None) -> ParsedFile:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParseError("no such file", file=str(path)) from None
    except IsADirectoryError:
        raise ParseError("is a directory, not a Schemafile", file=str(path)) from None
    except UnicodeDecodeError as exc:
        line = text_line_of_offset(path.read_bytes(), exc.start)
        raise ParseError("not valid UTF-8", file=str(path), line=line) from None
    except OSError as exc:
        raise ParseError(f"cannot read: {exc.strerror}", file=str(path)) from None
    return parse_text(text, str(path), server)


def text_line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def parse_text(text: str, file: str = "Schemafile.sql", server: tuple[str, tuple[int, int, int]] | None = None
               ) -> ParsedFile:
    """Parse a Schemafile; ``server`` = (kind, version) decides which versioned comments are code."""
    if text.startswith("\ufeff"):  # a byte-order mark, as some editors write
        text = " " + text[1:]
    statements = split_statements(text, file, server)
    builder = _SchemaBuilder(file)
    builder.annotations = "@renamed" in text
    for stmt in statements:
        builder.statement(stmt)
    return ParsedFile(builder.build(), file, len(statements), builder.database)


# --------------------------------------------------------------------------
# Builders: mutable while a statement is read, frozen model values after.
# --------------------------------------------------------------------------

@dataclass
class _TableBuilder:
    name: str
    line: int
    columns: list[Column] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    checks: list[CheckConstraint] = field(default_factory=list)
    options: TableOptions = TableOptions()
    partitioning: Partitioning | None = None
    renamed_from: str | None = None

    def freeze(self) -> Table:
        return Table(self.name, tuple(self.columns), tuple(self.indexes), tuple(self.foreign_keys),
                     tuple(self.checks), self.options, self.partitioning, self.renamed_from, self.line)


class _SchemaBuilder:
    def __init__(self, file: str):
        self.file = file
        self.tables: dict[str, _TableBuilder] = {}
        self.views: dict[str, View] = {}
        self.database: str | None = None
        self.annotations = True  # whether the file has any @renamed annotation to look for
        self.programs = ProgramReader(file, self._data_type, lambda: self.database)

    def build(self) -> Schema:
        triggers, routines, events = self.programs.build()
        return Schema(tuple(t.freeze() for t in self.tables.values()), tuple(self.views.values()),
                      triggers=triggers, routines=routines, events=events)

    # -- statements -------------------------------------------------------

    def statement(self, stmt: Statement) -> None:
        if self.programs.statement(stmt):  # triggers, routines, events, and the SETs they are created under
            return
        c = Cursor(stmt)
        first = c.word()
        if first == "CREATE":
            self._create(c)
        elif first == "ALTER" and c.word(1) == "TABLE":
            self._alter_table(c)
        elif first == "USE":
            c.next()
            self.database = c.ident("a database name")
            self._end(c)
        elif first == "DROP" and c.at("DROP", "TABLE", "IF", "EXISTS") or c.at("DROP", "VIEW", "IF", "EXISTS"):
            return  # mysqldump writes these before each CREATE; the Schemafile is declarative anyway
        elif first in ("INSERT", "REPLACE", "UPDATE", "DELETE", "LOCK", "UNLOCK", "LOAD", "TRUNCATE"):
            raise ParseError(f"{first} statements hold or change data; a Schemafile declares schema only",
                             file=self.file, line=stmt.line,
                             hint="export the schema without data (mysqldump --no-data) or remove these statements")
        else:
            snippet = stmt.text(0, min(len(stmt.tokens) - 1, 3))
            raise ParseError(f"unexpected statement {snippet!r}; a Schemafile holds CREATE TABLE, CREATE INDEX,"
                             " ALTER TABLE … ADD, CREATE VIEW, CREATE TRIGGER, CREATE PROCEDURE, CREATE FUNCTION"
                             " and CREATE EVENT statements", file=self.file, line=stmt.line)

    def _end(self, c: Cursor) -> None:
        if not c.at_end():
            c.fail("unexpected text after the end of the statement")

    def _create(self, c: Cursor) -> None:
        c.expect("CREATE")
        or_replace = c.accept("OR", "REPLACE")
        if c.at("TEMPORARY"):
            c.unsupported("CREATE TEMPORARY TABLE", hint="temporary tables are not part of a schema")
        if c.at("TABLE"):
            if or_replace:
                c.unsupported("CREATE OR REPLACE TABLE", hint="write CREATE TABLE; the Schemafile is declarative")
            self._create_table(c)
            return
        if c.at("INDEX") or c.at("UNIQUE") or c.at("FULLTEXT") or c.at("SPATIAL"):
            self._create_index(c)
            return
        # CREATE [ALGORITHM=…] [DEFINER=…] [SQL SECURITY …] VIEW
        start = c.pos
        algorithm = security = None
        while True:
            if c.accept("ALGORITHM"):
                c.accept_eq()
                algorithm = c.value_word("UNDEFINED, MERGE or TEMPTABLE").upper()
            elif c.accept("DEFINER"):
                c.accept_eq()
                self._skip_user(c)
            elif c.accept("SQL", "SECURITY"):
                security = c.value_word("DEFINER or INVOKER").upper()
            else:
                break
        if c.at("VIEW"):
            self._create_view(c, algorithm, security)
            return
        c.pos = start
        word = c.word()
        if word == "PACKAGE":
            c.unsupported("CREATE PACKAGE (Oracle-mode packages)")
        if word in ("DATABASE", "SCHEMA"):
            c.unsupported("CREATE DATABASE", hint="the Schemafile describes the tables of one database;"
                                                  " the database itself is given by --database-url")
        if word in ("SEQUENCE", "USER", "ROLE", "SERVER", "TABLESPACE", "LOGFILE"):
            c.unsupported(f"CREATE {word}")
        c.fail("expected TABLE, INDEX or VIEW after CREATE")

    @staticmethod
    def _skip_user(c: Cursor) -> None:
        """DEFINER = user@host | 'user'@'host' | CURRENT_USER[()] (the definer is not managed)."""
        if c.accept("CURRENT_USER"):
            if c.at_type(TokenType.L_PAREN):
                c.balanced()
            return
        c.ident("a string or a user name")
        if c.accept_type(TokenType.PARAMETER):
            c.ident("a string or a host name")
        elif c.peek() is not None and c.peek().text.startswith("@"):
            c.next()

    def _table_name(self, c: Cursor) -> str:
        schema, name = c.qualified_name("a table name")
        if schema is not None and self.database is not None and schema != self.database:
            c.fail(f"table {schema}.{name} belongs to another database")
        return name

    # -- CREATE TABLE -------------------------------------------------------

    def _create_table(self, c: Cursor) -> None:
        c.expect("TABLE")
        c.accept("IF", "NOT", "EXISTS")
        line = c.line()
        name = self._table_name(c)
        c.obj = f"table {name}"
        if name in self.tables:
            c.fail(f"table {name} is declared twice (first at line {self.tables[name].line})",
                   tok=c.peek(-1))
        table = _TableBuilder(name, line)
        if c.accept("LIKE") or (c.at_type(TokenType.L_PAREN) and c.word(1) == "LIKE"):
            c.unsupported("CREATE TABLE … LIKE", hint="write the table's definition out in full")
        open_paren = c.pos
        c.expect_type(TokenType.L_PAREN, "( and the column definitions")
        table.renamed_from = self._renamed_annotation(c.stmt.gap(open_paren), same_line_only=True)
        if c.at("SELECT") or c.at("WITH"):
            c.unsupported("CREATE TABLE … SELECT", hint="a Schemafile declares columns, not query results")
        self._definitions(c, table)
        self._table_options(c, table)
        if c.at("PARTITION", "BY"):
            table.partitioning = self._partitioning(c, table)
        if c.at("SELECT") or c.at("AS") or c.at("IGNORE") or c.at("REPLACE"):
            c.unsupported("CREATE TABLE … SELECT", hint="a Schemafile declares columns, not query results")
        self._end(c)
        self.tables[name] = table

    def _definitions(self, c: Cursor, table: _TableBuilder) -> None:
        while True:
            start = c.pos
            if c.word() in _TABLE_CONSTRAINT_WORDS:
                self._table_constraint(c, table)
            else:
                self._column(c, table, start)
            if c.accept_type(TokenType.COMMA):
                continue
            c.expect_type(TokenType.R_PAREN, ", or ) after a definition")
            return

    def _renamed_annotation(self, gap: str, *, same_line_only: bool) -> str | None:
        text = gap.split("\n", 1)[0] if same_line_only else gap
        m = _RENAMED.search(text)
        if not m:
            return None
        dq, bq, sq, bare = m.groups()
        if dq is not None:
            return dq.replace('""', '"')
        if bq is not None:
            return bq.replace("``", "`")
        return sq if sq is not None else bare

    def _column_annotation(self, c: Cursor, first: int) -> str | None:
        """`-- @renamed from=old` after the column (same line), or /* … */ inside it."""
        stmt = c.stmt
        inner = "".join(stmt.gap(k) for k in range(first, c.pos))
        found = self._renamed_annotation(inner, same_line_only=False)
        if found:
            return found
        # after the comma (or after the last token of the last column)
        after = c.pos if c.at_type(TokenType.COMMA) else c.pos - 1
        return self._renamed_annotation(stmt.gap(after), same_line_only=True)

    # -- columns ------------------------------------------------------------

    def _column(self, c: Cursor, table: _TableBuilder, first: int) -> None:
        line = c.line()
        name = c.ident("a column name or a constraint")
        c.obj = f"column {table.name}.{name}"
        if table_column := next((col for col in table.columns if col.key == key(name)), None):
            c.fail(f"column {name} is declared twice (first at line {table_column.line})", tok=c.peek(-1))
        ctype, attrs = self._data_type(c)
        nullable: bool | None = attrs.pop("nullable", None)
        default: Default | None = None
        on_update: Expr | None = None
        auto_increment = attrs.pop("auto_increment", False)
        charset: str | None = attrs.pop("charset", None)
        collation: str | None = attrs.pop("collation", None)
        comment = ""
        generated: Generated | None = None
        srid: int | None = None
        invisible = False
        inline_keys: list[Index] = []
        words = c.stmt.words
        while not (c.at_end() or c.at_type(TokenType.COMMA) or c.at_type(TokenType.R_PAREN)):
            tok = c.peek()
            w = words[c.pos]  # one look at the keyword, then plain comparisons (this loop is hot)
            w1 = words[c.pos + 1] if c.pos + 1 < len(words) else ""
            if w == "NOT" and w1 == "NULL":
                c.pos += 2
                nullable = False
            elif w == "NULL":
                c.pos += 1
                nullable = True
            elif w == "DEFAULT":
                c.pos += 1
                default = self._default(c)
            elif w == "ON" and w1 == "UPDATE":
                c.pos += 2
                on_update = self._now(c, "ON UPDATE")
            elif w == "AUTO_INCREMENT":
                c.pos += 1
                auto_increment = True
            elif w == "COMMENT":
                c.pos += 1
                comment = c.string("the comment text")
            elif w == "COLLATE":
                c.pos += 1
                c.accept_eq()
                collation = c.ident("a collation name").lower()
            elif (w == "CHARACTER" and w1 == "SET") or w == "CHARSET":
                c.pos += 2 if w == "CHARACTER" else 1
                c.accept_eq()
                charset = c.ident("a character set name").lower()
            elif w in ("GENERATED", "AS"):
                if c.accept("GENERATED"):
                    c.expect("ALWAYS")
                c.expect("AS")
                s, e = c.balanced()
                expr = self._expression(c, s, e, "generated column expression")
                stored = False
                if c.accept("STORED") or c.accept("PERSISTENT"):
                    stored = True
                else:
                    c.accept("VIRTUAL")
                generated = Generated(expr, stored)
            elif (w == "PRIMARY" and w1 == "KEY") or w == "KEY":
                c.pos += 2 if w == "PRIMARY" else 1
                inline_keys.append(Index("PRIMARY", "primary", (IndexPart(column=name),), line=tok.line))
            elif w == "UNIQUE":
                c.pos += 1
                c.accept("KEY") or c.accept("INDEX")
                inline_keys.append(Index("", "unique", (IndexPart(column=name),), auto_named=True,
                                         line=tok.line))
            elif w == "SRID":
                c.pos += 1
                srid = c.integer("an SRID number")
            elif w in ("INVISIBLE", "VISIBLE"):
                c.pos += 1
                invisible = w == "INVISIBLE"
            elif c.at("CHECK") or c.at("CONSTRAINT"):
                cname = ""
                if c.accept("CONSTRAINT"):
                    if not c.at("CHECK"):
                        cname = c.ident("a constraint name")
                c.expect("CHECK")
                s, e = c.balanced()
                expr = self._expression(c, s, e, "CHECK expression")
                enforced = self._enforced(c)
                # unnamed: MariaDB names it after the column, MySQL <table>_chk_N (normalize decides)
                table.checks.append(CheckConstraint(cname or name, expr, enforced, column_level=not cname,
                                                    auto_named=not cname, line=tok.line))
            elif c.accept("REFERENCES"):
                ref_schema, ref_table = c.qualified_name("the referenced table")
                ref_columns = self._name_list(c, "referenced columns")
                on_delete, on_update_action = self._fk_actions(c)
                table.foreign_keys.append(ForeignKey("", (name,), ref_table, ref_columns, on_delete or "",
                                                     on_update_action or "", ref_schema, auto_named=True,
                                                     position=len(table.indexes) + len(inline_keys),
                                                     line=tok.line))
            elif c.at("COLUMN_FORMAT") or c.at("STORAGE"):
                c.unsupported(f"the {c.word()} column attribute",
                              hint="it is an NDB Cluster attribute that InnoDB ignores (MariaDB rejects it);"
                                   " remove it")
            elif c.at("COMPRESSED"):
                c.unsupported("MariaDB column COMPRESSED")
            elif c.at("WITH", "SYSTEM") or c.at("WITHOUT", "SYSTEM"):
                c.unsupported("system-versioned columns")
            elif c.at("SERIAL", "DEFAULT", "VALUE"):
                c.pos += 3
                nullable = False
                auto_increment = True
                inline_keys.append(Index("", "unique", (IndexPart(column=name),), auto_named=True,
                                         line=tok.line))
            elif c.at("ENGINE_ATTRIBUTE") or c.at("SECONDARY_ENGINE_ATTRIBUTE"):
                c.unsupported(f"the {c.word()} column attribute")
            else:
                c.fail("unknown column attribute")
        if attrs.pop("serial", False):
            nullable = False
            auto_increment = True
            inline_keys.insert(0, Index("", "unique", (IndexPart(column=name),), auto_named=True, line=line))
        renamed_from = self._column_annotation(c, first) if self.annotations else None
        column = Column(name=name, type=ctype, nullable=nullable, default=default, on_update=on_update,
                        auto_increment=auto_increment, charset=charset, collation=collation, comment=comment,
                        generated=generated, srid=srid, invisible=invisible, renamed_from=renamed_from, line=line)
        table.columns.append(column)
        table.indexes.extend(inline_keys)
        c.obj = f"table {table.name}"

    def _data_type(self, c: Cursor) -> tuple[ColumnType, dict]:
        """A data type and the attributes folded into it (national, serial, binary, ...)."""
        tok = c.peek()
        attrs: dict = {}
        word = c.word()
        if not word:
            c.fail("expected a data type")
        c.next()
        words = [word.lower()]
        # multi-word type names
        if word == "DOUBLE" and c.accept("PRECISION"):
            pass
        elif word == "LONG":
            if c.accept("VARCHAR") or c.accept("CHARACTER", "VARYING") or c.accept("CHAR", "VARYING"):
                words = ["mediumtext"]
            elif c.accept("VARBINARY"):
                words = ["mediumblob"]
            else:
                words = ["mediumtext"]
        elif word in ("NATIONAL", "NCHAR") or word == "NVARCHAR":
            if word == "NATIONAL":
                nxt = c.word()
                if nxt not in ("CHAR", "CHARACTER", "VARCHAR"):
                    c.fail("expected CHAR or VARCHAR after NATIONAL")
                c.next()
                words = ["varchar" if nxt == "VARCHAR" else "char"]
            if c.accept("VARYING") or c.accept("VARCHAR"):
                words = ["varchar"]
            attrs["charset"] = NATIONAL_CHARSET
        elif word in ("CHAR", "CHARACTER") and c.accept("VARYING"):
            words = ["varchar"]
        name = words[0]
        name = TYPE_ALIASES.get(name, name)
        if word in ("NCHAR", "NVARCHAR"):
            attrs["charset"] = NATIONAL_CHARSET
        length = scale = None
        values: tuple[str, ...] = ()
        if name in ("bool", "boolean"):
            ctype = ColumnType("tinyint", 1)
            self._numeric_flags(c, attrs)
            return replace(ctype, unsigned=attrs.pop("unsigned", False), zerofill=attrs.pop("zerofill", False)), attrs
        if name == "serial":
            attrs["serial"] = True
            return ColumnType("bigint", unsigned=True), attrs
        if name not in ALL_TYPES:
            if name in ("geomcollection",):
                name = "geometrycollection"
            elif name in ("varchar2", "nvarchar2", "clob", "number", "string", "uuid_short", "money",
                          "smallserial", "bigserial", "bytea", "boolean[]"):
                c.fail(f"{name} is not a MySQL data type", tok=tok)
            else:
                c.fail(f"unknown data type {tok.text!r}", tok=tok)
        if name in ("enum", "set"):
            values = self._enum_values(c)
        elif c.at_type(TokenType.L_PAREN):
            c.next()
            length = c.integer("a length")
            if c.accept_type(TokenType.COMMA):
                scale = c.integer("a scale")
            c.expect_type(TokenType.R_PAREN, ")")
        if name == "float" and length is not None and scale is None:
            # FLOAT(p): p <= 24 is FLOAT, 25..53 is DOUBLE; the precision is not kept
            name, length = ("float" if length <= 24 else "double"), None
        self._numeric_flags(c, attrs)
        # BINARY / ASCII / UNICODE / BYTE after a string type
        while True:
            if c.at("BINARY") and not c.at("BINARY", "("):
                c.next()
                attrs["collation"] = "*_bin"
            elif c.accept("ASCII"):
                attrs["charset"] = "latin1"
            elif c.accept("UNICODE"):
                attrs["charset"] = "ucs2"
            elif c.accept("BYTE"):
                attrs["charset"] = "binary"
            elif c.at("CHARACTER", "SET") or c.at("CHARSET"):
                if not c.accept("CHARSET"):
                    c.pos += 2
                c.accept_eq()
                attrs["charset"] = c.ident("a character set name").lower()
            elif c.at("COLLATE"):
                c.next()
                c.accept_eq()
                attrs["collation"] = c.ident("a collation name").lower()
            else:
                break
        if name in ("text", "blob") and length is not None:
            attrs["sized"] = length  # resolved by normalize: depends on the character set
            sized = attrs.pop("sized")
            return ColumnType(name, sized, unsigned=attrs.pop("unsigned", False)), attrs
        ctype = ColumnType(name, length, scale, attrs.pop("unsigned", False), attrs.pop("zerofill", False), values)
        if name == "year" and length not in (None, 4):
            c.fail("YEAR(2) is not supported by current servers; write YEAR", tok=tok)
        if name == "varchar" and length is None:
            c.fail("VARCHAR needs a length, as in VARCHAR(255)", tok=tok)
        if name == "varbinary" and length is None:
            c.fail("VARBINARY needs a length, as in VARBINARY(255)", tok=tok)
        return ctype, attrs

    @staticmethod
    def _numeric_flags(c: Cursor, attrs: dict) -> None:
        while True:
            if c.accept("UNSIGNED"):
                attrs["unsigned"] = True
            elif c.accept("SIGNED"):
                attrs["unsigned"] = False
            elif c.accept("ZEROFILL"):
                attrs["zerofill"] = True
                attrs["unsigned"] = True
            else:
                return

    def _enum_values(self, c: Cursor) -> tuple[str, ...]:
        return tuple(c.parenthesized(lambda: c.string("a quoted value"), "the list of values"))

    def _expression(self, c: Cursor, first: int, last: int, what: str) -> Expr:
        if last < first:
            c.fail(f"empty {what}", tok=c.peek(-1))
        text = c.text(first, last)
        try:
            return expressions.expression(text)
        except expressions.ExpressionError as exc:
            tok = c.tokens[first]
            raise ParseError(f"cannot read the {what} {text!r}: {exc}", file=c.stmt.file, line=tok.line,
                             column=c.column_of(tok), obj=c.obj) from None

    def _now(self, c: Cursor, what: str) -> Expr:
        first = c.pos
        word = c.word()
        if word not in ("CURRENT_TIMESTAMP", "NOW", "LOCALTIME", "LOCALTIMESTAMP"):
            c.fail(f"{what} accepts only CURRENT_TIMESTAMP[(n)]")
        c.next()
        if c.at_type(TokenType.L_PAREN):
            c.balanced()
        return self._expression(c, first, c.pos - 1, what)

    def _default(self, c: Cursor) -> Default:
        tok = c.peek()
        if tok is None:
            c.fail("expected a default value")
        word = c.word()
        tt = tok.token_type
        if word == "NULL":
            c.next()
            return Default("null")
        if word in ("TRUE", "FALSE"):
            c.next()
            return Default("number", "1" if word == "TRUE" else "0")
        if word in ("CURRENT_TIMESTAMP", "NOW", "LOCALTIME", "LOCALTIMESTAMP"):
            return Default("expression", expr=self._now(c, "DEFAULT"))
        if tt in (TokenType.STRING, TokenType.NATIONAL_STRING):
            return Default("string", c.string())
        if word in ("DATE", "TIME", "TIMESTAMP") and c.at_type(TokenType.STRING, 1):
            c.next()  # a typed literal: DATE '2020-01-01'
            return Default("string", c.string())
        if tt == TokenType.INTRODUCER:  # _utf8mb4'x'
            c.next()
            return Default("string", c.string())
        if tt == TokenType.BIT_STRING:
            c.next()
            return Default("bits", tok.text)
        if tt == TokenType.HEX_STRING:
            c.next()
            try:
                data = bytes.fromhex(tok.text if len(tok.text) % 2 == 0 else "0" + tok.text)
            except ValueError:
                c.fail("not a valid hexadecimal literal", tok=tok)
            return Default("string", data.decode("latin-1"))
        sign = ""
        if tt in (TokenType.DASH, TokenType.PLUS):
            c.next()
            sign = "-" if tt == TokenType.DASH else ""
            tok = c.peek()
            if tok is None or tok.token_type != TokenType.NUMBER:
                c.fail("expected a number after the sign")
            tt = tok.token_type
        if tt == TokenType.NUMBER:
            c.next()
            return Default("number", sign + tok.text)
        if tt == TokenType.L_PAREN:
            s, e = c.balanced()
            expr = self._expression(c, s - 1, e + 1, "default expression")
            return Default("expression", expr=expr)
        c.fail("expected a default value (a literal, NULL, CURRENT_TIMESTAMP or an (expression))")

    # -- table-level constraints -----------------------------------------------

    def _table_constraint(self, c: Cursor, table: _TableBuilder) -> None:
        line = c.line()
        cname = ""
        if c.accept("CONSTRAINT"):
            if not (c.at("PRIMARY") or c.at("UNIQUE") or c.at("FOREIGN") or c.at("CHECK")):
                cname = c.ident("a constraint name")
        if c.accept("PRIMARY", "KEY"):
            using = self._using(c)
            parts = self._index_parts(c)
            index = self._index_options(c, Index("PRIMARY", "primary", parts, using=using, line=line))
            table.indexes.append(index)
        elif c.at("UNIQUE") or c.at("KEY") or c.at("INDEX") or c.at("FULLTEXT") or c.at("SPATIAL"):
            kind = {"UNIQUE": "unique", "KEY": "index", "INDEX": "index", "FULLTEXT": "fulltext",
                    "SPATIAL": "spatial"}[c.word()]
            c.next()
            if kind != "index":
                c.accept("KEY") or c.accept("INDEX")
            if cname and kind != "unique":
                c.fail("CONSTRAINT name is only allowed before PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK")
            name = cname
            if not c.at_type(TokenType.L_PAREN) and not c.at("USING"):
                name = c.ident("an index name")
            using = self._using(c)
            parts = self._index_parts(c)
            index = Index(name, kind, parts, using=using, auto_named=not name, line=line)
            index = self._index_options(c, index)
            if self.annotations:
                index = replace(index, renamed_from=self._renamed_annotation(
                    "".join(c.stmt.gap(k) for k in range(c.pos - 1, c.pos + 1)), same_line_only=True))
            table.indexes.append(index)
        elif c.accept("FOREIGN", "KEY"):
            index_name = None
            if not c.at_type(TokenType.L_PAREN):
                index_name = c.ident("an index name")
            columns = self._name_list(c, "the foreign key's columns")
            c.expect("REFERENCES")
            ref_schema, ref_table = c.qualified_name("the referenced table")
            ref_columns = self._name_list(c, "the referenced columns")
            if len(ref_columns) != len(columns):
                c.fail(f"the foreign key has {len(columns)} column(s) but references {len(ref_columns)}",
                       tok=c.peek(-1))
            on_delete, on_update = self._fk_actions(c)
            table.foreign_keys.append(ForeignKey(cname, columns, ref_table, ref_columns, on_delete or "",
                                                 on_update or "", ref_schema, auto_named=not cname,
                                                 index_name=index_name, position=len(table.indexes), line=line))
        elif c.accept("CHECK"):
            s, e = c.balanced()
            expr = self._expression(c, s, e, "CHECK expression")
            enforced = self._enforced(c)
            table.checks.append(CheckConstraint(cname, expr, enforced, auto_named=not cname, line=line))
        elif c.at("PERIOD"):
            c.unsupported("PERIOD FOR (application-time periods)")
        else:
            c.fail("expected PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK after CONSTRAINT")

    def _enforced(self, c: Cursor) -> bool:
        if c.accept("NOT", "ENFORCED"):
            return False
        c.accept("ENFORCED")
        return True

    def _fk_actions(self, c: Cursor) -> tuple[str | None, str | None]:
        on_delete = on_update = None
        if c.accept("MATCH"):
            if not (c.accept("FULL") or c.accept("PARTIAL") or c.accept("SIMPLE")):
                c.fail("expected FULL, PARTIAL or SIMPLE after MATCH")
        while c.accept("ON"):
            which = c.word()
            if which not in ("DELETE", "UPDATE"):
                c.fail("expected DELETE or UPDATE after ON")
            c.next()
            for words, action in FK_ACTIONS.items():
                if c.accept(*words):
                    break
            else:
                c.fail("expected RESTRICT, CASCADE, SET NULL, NO ACTION or SET DEFAULT")
            if which == "DELETE":
                on_delete = action
            else:
                on_update = action
        return on_delete, on_update

    def _name_list(self, c: Cursor, what: str) -> tuple[str, ...]:
        return tuple(c.parenthesized(lambda: c.ident("a column name"), what))

    def _using(self, c: Cursor) -> str | None:
        if c.accept("USING") or c.accept("TYPE"):
            kind = c.word()
            if kind not in ("BTREE", "HASH", "RTREE"):
                c.fail("expected BTREE, HASH or RTREE after USING")
            c.next()
            return kind
        return None

    def _index_parts(self, c: Cursor) -> tuple[IndexPart, ...]:
        return tuple(c.parenthesized(lambda: self._index_part(c), "the indexed columns"))

    def _index_part(self, c: Cursor) -> IndexPart:
        """``col``, ``col(10)`` or ``(expression)``, then ASC or DESC."""
        if c.at_type(TokenType.L_PAREN):
            s, e = c.balanced()
            part = IndexPart(expr=self._expression(c, s, e, "functional index part"))
        else:
            column = c.ident("a column name")
            length = None
            if c.at_type(TokenType.L_PAREN):
                c.next()
                length = c.integer("a prefix length")
                c.expect_type(TokenType.R_PAREN, ")")
            part = IndexPart(column=column, length=length)
        if c.accept("DESC"):
            return replace(part, descending=True)
        c.accept("ASC")
        return part

    def _index_options(self, c: Cursor, index: Index) -> Index:
        while True:
            if c.at("USING") or c.at("TYPE"):
                index = replace(index, using=self._using(c))
            elif c.accept("COMMENT"):
                index = replace(index, comment=c.string("the comment text"))
            elif c.accept("INVISIBLE") or c.accept("IGNORED"):
                index = replace(index, invisible=True)
            elif c.accept("VISIBLE") or c.accept("NOT", "IGNORED"):
                index = replace(index, invisible=False)
            elif c.accept("WITH", "PARSER"):
                index = replace(index, parser=c.ident("a parser name").lower())
            elif c.accept("KEY_BLOCK_SIZE"):
                c.accept_eq()
                c.integer("a block size")
                c.unsupported("KEY_BLOCK_SIZE on an index", tok=c.peek(-1),
                              hint="InnoDB ignores it; set KEY_BLOCK_SIZE on the table instead")
            elif c.at("ENGINE_ATTRIBUTE") or c.at("SECONDARY_ENGINE_ATTRIBUTE") or c.at("CLUSTERING"):
                c.unsupported(f"the {c.word()} index option")
            else:
                return index

    # -- table options and partitioning ---------------------------------------

    def _table_options(self, c: Cursor, table: _TableBuilder) -> None:
        opts = table.options
        extra: dict[str, str] = dict(opts.extra)
        while not c.at_end() and not c.at("PARTITION", "BY"):
            if c.accept_type(TokenType.COMMA):
                continue
            tok = c.peek()
            word = c.word()
            if c.accept("ENGINE") or c.accept("TYPE"):
                c.accept_eq()
                opts = replace(opts, engine=c.ident("an engine name"))
            elif c.at("DEFAULT") and (c.at("DEFAULT", "CHARSET") or c.at("DEFAULT", "CHARACTER")
                                      or c.at("DEFAULT", "COLLATE")):
                c.next()
                continue
            elif c.accept("CHARSET") or c.accept("CHARACTER", "SET"):
                c.accept_eq()
                opts = replace(opts, charset=c.ident("a character set name").lower())
            elif c.accept("COLLATE"):
                c.accept_eq()
                opts = replace(opts, collation=c.ident("a collation name").lower())
            elif c.accept("COMMENT"):
                c.accept_eq()
                opts = replace(opts, comment=c.string("the comment text"))
            elif c.accept("AUTO_INCREMENT"):
                c.accept_eq()
                opts = replace(opts, auto_increment=c.integer("a number"))
            elif c.accept("ROW_FORMAT"):
                c.accept_eq()
                value = c.value_word("a row format").upper()
                if value not in ("DEFAULT", "DYNAMIC", "FIXED", "COMPRESSED", "REDUNDANT", "COMPACT", "PAGE"):
                    c.fail("expected DEFAULT, DYNAMIC, FIXED, COMPRESSED, REDUNDANT, COMPACT or PAGE", tok=c.peek(-1))
                opts = replace(opts, row_format=value)
            elif word in _NUMERIC_OPTIONS:
                c.next()
                c.accept_eq()
                if word == "STATS_SAMPLE_PAGES" and c.accept("DEFAULT"):
                    extra.pop(word.lower(), None)
                    continue
                extra[word.lower()] = str(c.integer("a number"))
            elif word in _FLAG_OPTIONS:
                c.next()
                c.accept_eq()
                if c.accept("DEFAULT"):
                    extra.pop(word.lower(), None)
                    continue
                value = c.value_word("0 or 1")
                extra["checksum" if word == "TABLE_CHECKSUM" else word.lower()] = value.upper()
            elif word in _STRING_OPTIONS:
                c.next()
                c.accept_eq()
                tok = c.peek()
                extra[word.lower()] = c.string("a quoted value") if tok.token_type == TokenType.STRING \
                    else c.value_word().upper()
            elif c.at("WITH", "SYSTEM", "VERSIONING"):
                c.unsupported("WITH SYSTEM VERSIONING (system-versioned tables)")
            elif word in ("SELECT", "AS", "IGNORE", "REPLACE", "WITH", "TABLE", "VALUES"):
                c.unsupported("CREATE TABLE … SELECT", hint="a Schemafile declares columns, not query results")
            elif word in ("DATA", "INDEX") and c.word(1) == "DIRECTORY":
                c.unsupported(f"{word} DIRECTORY", hint="storage paths are not part of the schema")
            elif word in ("TABLESPACE", "UNION", "INSERT_METHOD", "CONNECTION", "PASSWORD", "STORAGE",
                          "ENGINE_ATTRIBUTE", "SECONDARY_ENGINE", "SECONDARY_ENGINE_ATTRIBUTE", "START",
                          "SEQUENCE", "IETF_QUOTES"):
                c.unsupported(f"the {word} table option")
            else:
                c.fail("unknown table option", tok=tok)
        table.options = replace(opts, extra=tuple(sorted(extra.items())))

    def _partitioning(self, c: Cursor, table: _TableBuilder) -> Partitioning:
        c.expect("PARTITION", "BY")
        method, expr, algorithm = self._partition_method(c)
        count = sub_count = None
        sub_method = sub_expr = None
        if c.accept("PARTITIONS"):
            count = c.integer("the number of partitions")
        if c.accept("SUBPARTITION", "BY"):
            sub_method, sub_expr, _ = self._partition_method(c, sub=True)
            if c.accept("SUBPARTITIONS"):
                sub_count = c.integer("the number of subpartitions")
        partitions: list[Partition] = []
        if c.at_type(TokenType.L_PAREN):
            c.next()
            while True:
                partitions.append(self._partition_definition(c, method))
                if c.accept_type(TokenType.COMMA):
                    continue
                c.expect_type(TokenType.R_PAREN, ", or )")
                break
        if method in ("RANGE", "LIST", "RANGE COLUMNS", "LIST COLUMNS") and not partitions:
            c.fail(f"PARTITION BY {method} needs a list of partitions")
        if partitions and count is not None and count != len(partitions):
            c.fail(f"PARTITIONS {count} does not match the {len(partitions)} partitions listed")
        return Partitioning(method, expr, tuple(partitions), count, algorithm, sub_method, sub_expr, sub_count)

    def _partition_method(self, c: Cursor, sub: bool = False) -> tuple[str, Expr | None, int | None]:
        linear = c.accept("LINEAR")
        algorithm = None
        if c.accept("HASH"):
            s, e = c.balanced()
            return ("LINEAR HASH" if linear else "HASH"), self._expression(c, s, e, "partition function"), None
        if c.accept("KEY"):
            if c.accept("ALGORITHM"):
                c.accept_eq()
                algorithm = c.integer("1 or 2")
            s, e = c.balanced()
            expr = self._column_list_expr(c, s, e) if e >= s else None
            return ("LINEAR KEY" if linear else "KEY"), expr, algorithm
        if linear:
            c.fail("expected HASH or KEY after LINEAR")
        if sub:
            c.fail("subpartitions are by HASH or KEY")
        for method in ("RANGE", "LIST"):
            if c.accept(method):
                if c.accept("COLUMNS"):
                    s, e = c.balanced()
                    return f"{method} COLUMNS", self._column_list_expr(c, s, e), None
                s, e = c.balanced()
                return method, self._expression(c, s, e, "partition function"), None
        if c.at("SYSTEM_TIME"):
            c.unsupported("PARTITION BY SYSTEM_TIME (system-versioned tables)")
        c.fail("expected RANGE, LIST, HASH or KEY")

    def _column_list_expr(self, c: Cursor, first: int, last: int) -> Expr:
        names = []
        k = first
        while k <= last:
            tok = c.tokens[k]
            if tok.token_type != TokenType.COMMA:
                names.append(tok.text)
            k += 1
        sql = ",".join(f"`{n.replace('`', '``')}`" for n in names)
        return Expr(sql=sql, canon=",".join(n.lower() for n in names))

    def _partition_definition(self, c: Cursor, method: str) -> Partition:
        c.expect("PARTITION")
        name = c.ident("a partition name")
        values = None
        if c.accept("VALUES"):
            if c.accept("LESS", "THAN"):
                if c.accept("MAXVALUE"):
                    values = "LESS THAN MAXVALUE"
                else:
                    s, e = c.balanced()
                    values = "LESS THAN (" + self._value_list(c, s, e) + ")"
            elif c.accept("IN"):
                s, e = c.balanced()
                values = "IN (" + self._value_list(c, s, e) + ")"
            else:
                c.fail("expected LESS THAN or IN after VALUES")
        elif method in ("RANGE", "LIST", "RANGE COLUMNS", "LIST COLUMNS"):
            c.fail(f"a {method} partition needs VALUES")
        comment = ""
        subpartitions: list[str] = []
        while True:
            if c.accept("STORAGE", "ENGINE") or c.accept("ENGINE"):
                c.accept_eq()
                c.ident("an engine name")  # a partition's engine is the table's (the server enforces it)
            elif c.accept("COMMENT"):
                c.accept_eq()
                comment = c.string("the comment text")
            elif c.at_type(TokenType.L_PAREN):
                c.next()
                while True:
                    c.expect("SUBPARTITION")
                    subpartitions.append(c.ident("a subpartition name"))
                    while c.accept("ENGINE") or c.accept("STORAGE", "ENGINE") or c.accept("COMMENT"):
                        c.accept_eq()
                        c.value_word()
                    if c.accept_type(TokenType.COMMA):
                        continue
                    c.expect_type(TokenType.R_PAREN, ", or )")
                    break
            elif c.word() in ("DATA", "INDEX", "MAX_ROWS", "MIN_ROWS", "TABLESPACE", "NODEGROUP"):
                c.unsupported(f"the partition option {c.word()}")
            else:
                return Partition(name, values, comment, tuple(subpartitions))

    def _value_list(self, c: Cursor, first: int, last: int) -> str:
        """Partition values in the server's spelling: 10,'m',MAXVALUE — compared as text."""
        items: list[str] = []
        depth = 0
        current: list[int] = []
        for k in range(first, last + 1):
            tok = c.tokens[k]
            if tok.token_type == TokenType.L_PAREN:
                depth += 1
            elif tok.token_type == TokenType.R_PAREN:
                depth -= 1
            if tok.token_type == TokenType.COMMA and depth == 0:
                items.append(self._partition_value(c, current))
                current = []
            else:
                current.append(k)
        items.append(self._partition_value(c, current))
        return ",".join(items)

    def _partition_value(self, c: Cursor, toks: list[int]) -> str:
        if not toks:
            c.fail("empty partition value")
        if len(toks) == 1:
            tok = c.tokens[toks[0]]
            if tok.token_type == TokenType.STRING:
                from ..sqltext import quote_string
                return quote_string(tok.text)
            if tok.text.upper() in ("MAXVALUE", "NULL"):
                return tok.text.upper()
            return tok.text
        if len(toks) == 2 and c.tokens[toks[0]].token_type == TokenType.DASH:
            return "-" + c.tokens[toks[1]].text
        if c.tokens[toks[0]].token_type == TokenType.L_PAREN:  # LIST COLUMNS tuples: (1,'a')
            return "(" + self._value_list(c, toks[1], toks[-2]) + ")"
        return c.text(toks[0], toks[-1])

    # -- CREATE INDEX / ALTER TABLE … ADD ---------------------------------------

    def _create_index(self, c: Cursor) -> None:
        line = c.line()
        kind = "index"
        for word, k in (("UNIQUE", "unique"), ("FULLTEXT", "fulltext"), ("SPATIAL", "spatial")):
            if c.accept(word):
                kind = k
        c.expect("INDEX")
        c.accept("IF", "NOT", "EXISTS")
        name = c.ident("an index name")
        using = self._using(c)
        c.expect("ON")
        tname = self._table_name(c)
        table = self._existing_table(c, tname, "CREATE INDEX")
        c.obj = f"index {name} on {tname}"
        parts = self._index_parts(c)
        index = self._index_options(c, Index(name, kind, parts, using=using, line=line))
        while c.accept("ALGORITHM") or c.accept("LOCK"):
            c.accept_eq()
            c.value_word()
        self._end(c)
        if any(i.key == key(name) for i in table.indexes if i.name):
            c.fail(f"index {name} is declared twice on {tname}", tok=c.tokens[0])
        table.indexes.append(index)

    def _existing_table(self, c: Cursor, name: str, what: str) -> _TableBuilder:
        table = self.tables.get(name)
        if table is None:
            c.fail(f"{what} names table {name}, which is not created earlier in the file", tok=c.peek(-1))
        return table

    def _alter_table(self, c: Cursor) -> None:
        c.expect("ALTER", "TABLE")
        tname = self._table_name(c)
        table = self._existing_table(c, tname, "ALTER TABLE")
        c.obj = f"table {tname}"
        while True:
            if c.accept("ADD"):
                if c.accept("COLUMN") or c.word() not in _TABLE_CONSTRAINT_WORDS:
                    if c.at_type(TokenType.L_PAREN):
                        c.unsupported("ADD COLUMN (…list…)", hint="declare the columns in CREATE TABLE")
                    start = c.pos
                    self._column(c, table, start)
                    if c.accept("FIRST") or c.accept("AFTER"):
                        c.unsupported("FIRST/AFTER in a Schemafile", tok=c.peek(-1),
                                      hint="write the column in CREATE TABLE at the place you want it")
                else:
                    self._table_constraint(c, table)
            elif c.at("ALGORITHM") or c.at("LOCK"):
                c.next()
                c.accept_eq()
                c.value_word()
            else:
                c.fail("a Schemafile may only use ALTER TABLE … ADD (index, key, constraint or column)")
            if not c.accept_type(TokenType.COMMA):
                break
        self._end(c)

    # -- CREATE VIEW -----------------------------------------------------------

    def _create_view(self, c: Cursor, algorithm: str | None, security: str | None) -> None:
        line = c.line()
        c.expect("VIEW")
        c.accept("IF", "NOT", "EXISTS")
        name = self._table_name(c)
        c.obj = f"view {name}"
        if name in self.views or name in self.tables:
            c.fail(f"{name} is declared twice", tok=c.peek(-1))
        columns: tuple[str, ...] = ()
        if c.at_type(TokenType.L_PAREN):
            columns = self._name_list(c, "the view's column names")
        c.expect("AS")
        first = c.pos
        check_option = "NONE"
        last = len(c.tokens) - 1
        toks = c.tokens
        if last >= first + 2 and c.stmt.text(last - 1, last).upper() == "CHECK OPTION":
            k = last - 2
            mode = "CASCADED"
            if toks[k].text.upper() in ("CASCADED", "LOCAL"):
                mode = toks[k].text.upper()
                k -= 1
            if toks[k].text.upper() != "WITH":
                c.fail("expected WITH [CASCADED|LOCAL] CHECK OPTION", tok=toks[k])
            check_option = mode
            last = k - 1
        if last < first:
            c.fail("expected the view's query after AS")
        query = c.text(first, last)
        try:
            definition = Expr(sql=query, canon=views.parse_query(query))
        except expressions.ExpressionError as exc:
            tok = toks[first]
            raise ParseError(f"cannot read the view's query: {exc}", file=c.stmt.file, line=tok.line,
                             obj=c.obj) from None
        self.views[name] = View(name, definition, columns, algorithm or "UNDEFINED", security or "DEFINER",
                                check_option, line=line)


def read_data_type(c: Cursor) -> tuple[ColumnType, dict]:
    """A data type at the cursor, and its attributes (charset, collation, …)."""
    return _SchemaBuilder(c.stmt.file)._data_type(c)


def parse_program(text: str, file: str = "<statement>") -> Trigger | Routine | Event:
    """One CREATE TRIGGER/PROCEDURE/FUNCTION/EVENT statement on its own (what the statement guard
    sees): its FOLLOWS/PRECEDES names a trigger this text does not hold, so it is not resolved."""
    statements = split_statements(text, file)
    reader = ProgramReader(file, read_data_type, lambda: None)
    if len(statements) != 1 or not reader.statement(statements[0]):
        raise ParseError("not exactly one CREATE TRIGGER, PROCEDURE, FUNCTION or EVENT statement", file=file)
    programs = [*reader.triggers.values(), *reader.routines.values(), *reader.events.values()]
    if len(programs) != 1:
        raise ParseError("not exactly one CREATE TRIGGER, PROCEDURE, FUNCTION or EVENT statement", file=file)
    return programs[0]


@functools.lru_cache(maxsize=4096)
def parse_column_type(text: str) -> ColumnType:
    """A COLUMN_TYPE from information_schema (``int(10) unsigned``, ``enum('a','b')``) -> ColumnType."""
    stmt = split_statements(text, "<information_schema.COLUMNS>")[0]
    c = Cursor(stmt)
    ctype, attrs = _SchemaBuilder(stmt.file)._data_type(c)
    if not c.at_end():
        c.fail("unexpected text after the type")
    return ctype
