"""The Schemafile: its statements, one by one, into the model.

sqlglot tokenizes the file and parses every expression in it (defaults,
generated columns, CHECKs, functional index parts, partition functions, view
queries). The statement skeleton is walked by this package, token by token,
because sqlglot 30's MySQL DDL support fails on or drops clauses a Schemafile
needs (spatial types, SRID, PERSISTENT, IGNORED, partition definitions,
CHECKSUM=1, versioned comments, prefix parts in CREATE INDEX — see
tests/test_parse.py). Every token of a statement is either understood or
reported: an unknown clause is an error naming the file, line and object,
never a silent omission.

This module dispatches statements (``_SchemaBuilder.statement``): the kinds a
Schemafile declares (``DECLARES``), the kinds it may hold but that declare no
schema and are skipped with one note (``SKIPPED``: mysqldump's SET, USE,
DROP TABLE IF EXISTS…), and clear errors for everything else. CREATE TABLE's
body is read in ``tables``, columns in ``columns``, types in ``types``,
partitioning in ``partitions``; triggers, routines and events — and the SET
statements whose session settings they are created under — in ``routines``
(their compound bodies are found by ``lexer``, with ``DELIMITER``).

The result is the *declared* schema: names the server would make up are
left empty and defaults the server would fill in are left unset;
``normalize.normalize`` completes both for a given server.
"""

from __future__ import annotations

from dataclasses import field
from pathlib import Path

from sqlglot.tokens import TokenType

from ..errors import ParseError
from ..model import ColumnType, Event, Expr, Index, Routine, Schema, Trigger, View, key
from ..sql import expressions
from ..values import mutable
from . import views
from .lexer import Cursor, NotSimple, Statement, blank_versioned_comments, prepare, simple_statements, split_statements
from .partitions import read_partitioning
from .routines import ProgramReader
from .tables import TableDraft, TableReader, at_key_or_constraint
from .types import data_type

# The statements that declare schema, as the error for anything else lists them.
# Every kind the dispatch below accepts is listed here (tests/test_messages.py holds them together).
DECLARES = ("CREATE TABLE", "CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX", "ALTER TABLE … ADD/MODIFY/table options",
            "CREATE [OR REPLACE] VIEW", "CREATE TRIGGER", "CREATE PROCEDURE", "CREATE FUNCTION", "CREATE EVENT")
# Statements a schema file may hold that declare no schema: skipped, with one note naming them.
SKIPPED = ("SET", "USE", "CREATE DATABASE", "ALTER DATABASE", "DROP TABLE/VIEW/TRIGGER/PROCEDURE/FUNCTION/EVENT IF EXISTS",
           "ALTER TABLE … DISABLE/ENABLE KEYS", "START TRANSACTION", "BEGIN", "COMMIT", "SELECT … INTO @variable")
# A CREATE TABLE/VIEW/INDEX IF NOT EXISTS of one declared earlier: the server keeps the first and does
# nothing (note 1050/1061), so it declares no schema either; the skipped note names it so
_REPEATED = "CREATE … IF NOT EXISTS of one declared earlier"
_DATA = ("INSERT", "REPLACE", "UPDATE", "DELETE", "LOCK", "UNLOCK", "LOAD", "TRUNCATE")
# ALTER TABLE clauses that change a table rather than declare it.
_CHANGING_CLAUSES = {"DROP", "CHANGE", "RENAME", "ALTER", "ORDER", "FORCE", "DISCARD", "IMPORT", "REMOVE", "COALESCE",
                     "REORGANIZE", "EXCHANGE", "ANALYZE", "CHECK", "OPTIMIZE", "REBUILD", "REPAIR", "TRUNCATE",
                     "UPGRADE", "ENABLE", "DISABLE", "VALIDATION", "WITH", "WITHOUT"}


@mutable
class ParsedFile:
    """What a Schemafile declares, before server defaults are applied."""

    schema: Schema
    file: str
    statements: int = 0
    database: str | None = None  # a USE statement, if any
    # statements skipped because they declare no schema: kind -> lines
    skipped: dict[str, list[int]] = field(default_factory=dict)

    def skipped_note(self) -> str | None:
        """One line naming what was skipped, or None."""
        if not self.skipped:
            return None
        total = sum(len(lines) for lines in self.skipped.values())
        kinds = "; ".join(f"{kind} at line {lines[0]}" + (f" and {len(lines) - 1} more" if len(lines) > 1 else "")
                          for kind, lines in self.skipped.items())
        text = f"{self.file}: skipped {total} statement(s) that declare no schema ({kinds})"
        if "USE" in self.skipped or "CREATE DATABASE" in self.skipped or "ALTER DATABASE" in self.skipped:
            text += "; the database managed is the one the connection names"
        return text


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
    prepared = prepare(text, file, server)
    if not prepared[1]:
        try:
            return _parse_simply(text, file, prepared[0])
        except (NotSimple, ParseError):
            pass  # read the whole file the thorough way: the same result, and the error it finds first
    statements = split_statements(text, file, server, prepared)
    builder = _SchemaBuilder(file, annotations="@renamed" in text)
    count = len(statements)
    statements.reverse()
    while statements:  # each statement's tokens are freed once it is read (a large file's are most of its memory)
        builder.statement(statements.pop())
    return ParsedFile(builder.build(), file, count, builder.database, builder.skipped)


def has_versioned_comments(text: str) -> bool:
    """Whether ``text`` has ``/*!…*/`` or ``/*M!…*/`` (or a string that looks like one): without,
    ``parse_text`` gives the same for every server."""
    return "/*!" in text or "/*M!" in text


def parses_alike(text: str, server: tuple[str, tuple[int, int, int]]) -> bool:
    """Whether ``parse_text(text, file, server)`` is ``parse_text(text, file)``: the server decides
    only which versioned comments are code (without one, all are), so they are alike when the
    text has none or ``server`` runs every one of them (a mysqldump file's ``/*!40101 … */``)."""
    if not has_versioned_comments(text):
        return True
    return blank_versioned_comments(text, None) == blank_versioned_comments(text, server)


def _parse_simply(text: str, file: str, source: str, known: tuple[dict, dict, dict, dict] | None = None
                  ) -> ParsedFile:
    """``parse_text`` of a file without stored programs or delimiters, statement by statement, column
    definitions, key parts and table options met before not even tokenized (``simple_statements``);
    raises NotSimple or the first ParseError met (``parse_text`` then reads the file the thorough
    way). ``known`` (tests): the reader's definitions, commented definitions, parts and options met
    in an earlier reading."""
    builder = _SchemaBuilder(file, annotations="@renamed" in text)
    reader = builder.reader
    if known is not None:
        reader.definitions, reader.commented, reader.parts, reader.table_options = known
    count = 0
    for stmt in simple_statements(source, file, text, reader.definitions.__contains__, reader.commented.__contains__,
                                  reader.parts.__contains__, reader.table_options.__contains__):
        builder.statement(stmt)
        count += 1
    return ParsedFile(builder.build(), file, count, builder.database, builder.skipped)


class _SchemaBuilder:
    """Tables and views while the file is read (mutable), the Schema after (``build``)."""

    def __init__(self, file: str, *, annotations: bool = True):
        self.file = file
        self.tables: dict[str, TableDraft] = {}
        self.views: dict[str, View] = {}
        self.database: str | None = None
        self.skipped: dict[str, list[int]] = {}
        self.reader = TableReader(annotations)
        self.programs = ProgramReader(file, read_data_type, lambda: self.database)

    def build(self) -> Schema:
        triggers, routines, events = self.programs.build()
        return Schema(tuple(t.freeze() for t in self.tables.values()), tuple(self.views.values()),
                      triggers=triggers, routines=routines, events=events)

    # -- dispatch ---------------------------------------------------------------

    def statement(self, stmt: Statement) -> None:
        if self.programs.statement(stmt):  # triggers, routines, events, and the SETs they are created under
            if stmt.words[0] == "SET":  # read for the programs' session settings; it declares no schema
                self._skip("SET", stmt)
            elif stmt.words[0] == "SELECT":  # SELECT … INTO @variable: a value for a SET (never run)
                self._skip("SELECT … INTO @variable", stmt)
            elif stmt.words[0] == "DROP":  # DROP TRIGGER/PROCEDURE/FUNCTION/EVENT IF EXISTS (mysqldump's)
                self._skip(f"DROP {stmt.words[1]} IF EXISTS", stmt)
            return
        c = Cursor(stmt)
        first = c.word()
        if first == "CREATE":
            self._create(c)
        elif first == "ALTER" and "TABLE" in (c.word(1), c.word(2), c.word(3)):
            self._alter_table(c)
        elif first == "ALTER" and c.word(1) in ("DATABASE", "SCHEMA"):
            self._skip("ALTER DATABASE", stmt)  # as CREATE DATABASE: the database's options are not managed
        elif first == "USE":
            c.next()
            self.database = c.ident("a database name")
            self._end(c)
            self._skip("USE", stmt)
        elif first in ("SET", "COMMIT", "BEGIN") or c.at("START", "TRANSACTION"):
            self._skip("START TRANSACTION" if first == "START" else first, stmt)
        elif c.at("DROP", "TABLE", "IF", "EXISTS") or c.at("DROP", "VIEW", "IF", "EXISTS"):
            self._drop_if_exists(c)
        elif first in _DATA:
            raise ParseError(f"{first} statements hold or change data; a Schemafile declares schema only",
                             file=self.file, line=stmt.line,
                             hint="export the schema without data (mysqldump --no-data) or remove these statements")
        else:
            snippet = stmt.text(0, min(len(stmt.tokens) - 1, 3))
            raise ParseError(f"unexpected statement {snippet!r}; a Schemafile holds {_listing(DECLARES)}"
                             f" statements ({_listing(SKIPPED, 'or')} are skipped)", file=self.file, line=stmt.line)

    def _skip(self, kind: str, stmt: Statement) -> None:
        self.skipped.setdefault(kind, []).append(stmt.line)

    @staticmethod
    def _end(c: Cursor) -> None:
        if not c.at_end():
            c.fail("unexpected text after the end of the statement")

    def _create(self, c: Cursor) -> None:
        """CREATE [OR REPLACE] [ALGORITHM=…] [DEFINER=…] [SQL SECURITY …] <object> …"""
        c.expect("CREATE")
        or_replace = c.accept("OR", "REPLACE")
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
        word = c.word()
        if word in ("TABLE", "TEMPORARY"):
            c.obj = f"table {_name_after(c, 'TEMPORARY', 'TABLE', 'IF', 'NOT', 'EXISTS')}"
        if word == "TABLE":
            if or_replace:
                c.unsupported("CREATE OR REPLACE TABLE", hint="write CREATE TABLE; the Schemafile is declarative")
            self._create_table(c)
        elif word in ("INDEX", "UNIQUE", "FULLTEXT", "SPATIAL"):
            self._create_index(c)
        elif word == "VIEW":
            self._create_view(c, algorithm, security)
        elif word in ("DATABASE", "SCHEMA"):
            self._skip("CREATE DATABASE", c.stmt)  # the database is the connection's; its options are not managed
        elif word == "TEMPORARY":
            c.unsupported("CREATE TEMPORARY TABLE", hint="temporary tables are not part of a schema")
        elif word == "PACKAGE":  # triggers, routines and events were read by ProgramReader
            c.unsupported("CREATE PACKAGE (Oracle-mode packages)")
        elif word in ("SEQUENCE", "USER", "ROLE", "SERVER", "TABLESPACE", "LOGFILE"):
            c.unsupported(f"CREATE {word}")
        else:
            c.fail("expected TABLE, INDEX or VIEW after CREATE")

    @staticmethod
    def _skip_user(c: Cursor) -> None:
        """DEFINER = user@host | 'user'@'host' | role | CURRENT_USER[()] | CURRENT_ROLE[()] (not managed)."""
        if c.accept("CURRENT_USER") or c.accept("CURRENT_ROLE"):
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

    def _existing_table(self, c: Cursor, name: str, what: str) -> TableDraft:
        table = self.tables.get(name)
        if table is None:
            c.fail(f"{what} names table {name}, which is not created earlier in the file", tok=c.peek(-1))
        return table

    # -- CREATE TABLE ------------------------------------------------------------------

    def _create_table(self, c: Cursor) -> None:
        c.expect("TABLE")
        if_not_exists = c.accept("IF", "NOT", "EXISTS")
        line = c.line()
        name = self._table_name(c)
        c.obj = f"table {name}"
        if name in self.tables and not if_not_exists:
            c.fail(f"table {name} is declared twice (first at line {self.tables[name].line})", tok=c.peek(-1))
        table = TableDraft(name, line)
        self.reader.body(c, table)
        self._end(c)
        if name in self.tables or name in self.views:  # IF NOT EXISTS: the server keeps the first, does nothing
            self._skip(_REPEATED, c.stmt)
            return
        self.tables[name] = table

    # -- CREATE INDEX / ALTER TABLE … ADD ------------------------------------------------

    def _create_index(self, c: Cursor) -> None:
        line = c.line()
        kind = "index"
        for word, k in (("UNIQUE", "unique"), ("FULLTEXT", "fulltext"), ("SPATIAL", "spatial")):
            if c.accept(word):
                kind = k
        c.expect("INDEX")
        if_not_exists = c.accept("IF", "NOT", "EXISTS")
        name = c.ident("an index name")
        using = self.reader.using(c)
        c.expect("ON")
        tname = self._table_name(c)
        table = self._existing_table(c, tname, "CREATE INDEX")
        c.obj = f"index {name} on {tname}"
        parts = self.reader.index_parts(c)
        index = self.reader.index_options(c, Index(name, kind, parts, using=using, line=line))
        self._online_clauses(c)
        self._end(c)
        if any(i.key == key(name) for i in table.indexes if i.name):
            if if_not_exists:
                self._skip(_REPEATED, c.stmt)
                return
            c.fail(f"index {name} is declared twice on {tname}", tok=c.tokens[0])
        table.indexes.append(index)

    @staticmethod
    def _online_clauses(c: Cursor) -> None:
        """ALGORITHM=…, LOCK=…, WAIT n, NOWAIT: how to run a change, not what the schema is."""
        while True:
            if c.accept("ALGORITHM") or c.accept("LOCK"):
                c.accept_eq()
                c.value_word()
            elif c.accept("WAIT"):
                c.integer("a number of seconds")
            elif not c.accept("NOWAIT"):
                return

    def _alter_table(self, c: Cursor) -> None:
        """ALTER [ONLINE] [IGNORE] TABLE t [WAIT n|NOWAIT] clause, … [PARTITION BY …]: the clauses that
        declare (ADD, MODIFY as phpMyAdmin exports write it, table options); mysqldump's
        DISABLE/ENABLE KEYS is skipped; a clause that changes rather than declares is refused."""
        c.expect("ALTER")
        c.accept("ONLINE")
        c.accept("IGNORE")
        c.expect("TABLE")
        c.accept("IF", "EXISTS")
        tname = self._table_name(c)
        self._online_clauses(c)
        if (c.at("DISABLE", "KEYS") or c.at("ENABLE", "KEYS")) and len(c.tokens) == c.pos + 2:
            self._skip("ALTER TABLE … DISABLE/ENABLE KEYS", c.stmt)  # mysqldump, around a table's rows
            return
        table = self._existing_table(c, tname, "ALTER TABLE")
        c.obj = f"table {tname}"
        while not c.at_end() and not c.at("PARTITION", "BY"):
            self._alter_clause(c, table)
            if not c.accept_type(TokenType.COMMA) and not self.reader.at_option(c):
                break
        if c.at("PARTITION", "BY"):
            table.partitioning = read_partitioning(c)
        self._end(c)

    def _alter_clause(self, c: Cursor, table: TableDraft) -> None:
        if c.accept("ADD"):
            # ADD period int is a syntax error on the server (ADD PERIOD FOR): constraint() says so
            if c.accept("COLUMN") or not (c.at("PERIOD") or at_key_or_constraint(c)):
                if_not_exists = c.accept("IF", "NOT", "EXISTS")
                if c.accept_type(TokenType.L_PAREN):  # ADD [COLUMN] (a int, b int)
                    while True:
                        self._add_column(c, table, if_not_exists)
                        if not c.accept_type(TokenType.COMMA):
                            break
                    c.expect_type(TokenType.R_PAREN, ", or )")
                else:
                    self._add_column(c, table, if_not_exists)
                    self._no_position(c)
            else:
                self.reader.constraint(c, table)
        elif c.accept("MODIFY"):
            c.accept("COLUMN")
            if_exists = c.accept("IF", "EXISTS")
            name = c.peek().text if c.peek() is not None else ""
            old = table.column(name)
            if old is None and not if_exists:
                c.fail(f"MODIFY names column {name}, which table {table.name} does not declare")
            if old is None:
                self.reader.column(c, TableDraft(table.name, c.line()))  # read, then dropped (IF EXISTS)
            else:
                position = table.remove_column(old)
                self.reader.column(c, table)
                table.columns.insert(position, table.columns.pop())
            self._no_position(c)
        elif c.at("ALGORITHM") or c.at("LOCK"):
            self._online_clauses(c)
        elif c.at("CHARACTER", "SET") or c.at("CHARSET") or c.at("COLLATE") or c.at("DEFAULT") \
                or c.at("CONVERT", "TO"):
            c.unsupported("changing a table's character set or collation in ALTER TABLE",
                          hint="write it in CREATE TABLE: columns declared before the ALTER keep the old one")
        elif self.reader.option(c, table):
            pass
        elif c.word() in _CHANGING_CLAUSES:
            c.unsupported(f"ALTER TABLE … {c.word()}",
                          hint="a Schemafile declares the schema as it should be: write the final definition"
                               " in CREATE TABLE (ALTER TABLE may ADD, MODIFY and set table options)")
        else:
            c.fail("expected ADD, MODIFY or a table option in a Schemafile's ALTER TABLE")

    def _add_column(self, c: Cursor, table: TableDraft, if_not_exists: bool) -> None:
        if if_not_exists and c.peek() is not None and table.column(c.peek().text):
            self.reader.column(c, TableDraft(table.name, c.line()))  # IF NOT EXISTS: the first one stays
        else:
            self.reader.column(c, table)

    @staticmethod
    def _no_position(c: Cursor) -> None:
        if c.accept("FIRST") or c.accept("AFTER"):
            c.unsupported("FIRST/AFTER in a Schemafile", tok=c.peek(-1),
                          hint="write the column in CREATE TABLE at the place you want it")

    def _drop_if_exists(self, c: Cursor) -> None:
        """DROP {TABLE|VIEW} IF EXISTS a, b: read as the script it is — an object declared earlier in
        the file is gone again (mysqldump declares a view's placeholder, drops it, then the view)."""
        kind = c.word(1)
        c.pos += 4
        names = [self._table_name(c)]
        while c.accept_type(TokenType.COMMA):
            names.append(self._table_name(c))
        c.accept("RESTRICT") or c.accept("CASCADE")
        self._end(c)
        for name in names:
            self.tables.pop(name, None)
            self.views.pop(name, None)
        self._skip(f"DROP {kind} IF EXISTS", c.stmt)

    # -- CREATE VIEW ---------------------------------------------------------------------

    def _create_view(self, c: Cursor, algorithm: str | None, security: str | None) -> None:
        line = c.line()
        c.expect("VIEW")
        if_not_exists = c.accept("IF", "NOT", "EXISTS")
        name = self._table_name(c)
        c.obj = f"view {name}"
        repeated = name in self.views or name in self.tables
        if repeated and not if_not_exists:
            c.fail(f"{name} is declared twice", tok=c.peek(-1))
        columns: tuple[str, ...] = ()
        if c.at_type(TokenType.L_PAREN):
            columns = self.reader.names(c, "the view's column names")
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
        if repeated:  # IF NOT EXISTS: the server keeps the first, does nothing
            self._skip(_REPEATED, c.stmt)
            return
        self.views[name] = View(name, definition, columns, algorithm or "UNDEFINED", security or "DEFINER",
                                check_option, line=line)


def _name_after(c: Cursor, *words: str) -> str:
    """The name after optional ``words`` from the cursor (for naming the object of an early error)."""
    k = 0
    while c.word(k) in words:
        k += 1
    tok = c.peek(k)
    if tok is not None and c.peek(k + 1) is not None and c.peek(k + 1).token_type == TokenType.DOT:
        tok = c.peek(k + 2) or tok
    return tok.text if tok is not None else "?"


def _listing(items: tuple[str, ...], last: str = "and") -> str:
    return ", ".join(items[:-1]) + f" {last} " + items[-1] if len(items) > 1 else items[0]


def read_data_type(c: Cursor) -> tuple[ColumnType, dict]:
    """A data type at the cursor, and the character set and collation written with it (a stored
    program's parameter or RETURNS type)."""
    ctype, extras = data_type(c)
    return ctype, {"charset": extras.charset, "collation": extras.collation}


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
