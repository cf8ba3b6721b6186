"""CREATE TABLE: the definitions inside the parentheses (columns, keys, foreign keys, CHECKs),
the table options after them, and the pieces CREATE INDEX and ALTER TABLE … ADD share with it
(index parts and options, table-level constraints).
"""

from __future__ import annotations

import re
from dataclasses import field

from sqlglot.tokens import TokenType

from ..model import (CheckConstraint, Column, ForeignKey, Index, IndexPart, Partitioning, Table, TableOptions, evolve,
                     key)
from ..values import mutable
from .columns import read_column, read_enforced, read_fk_actions
from .lexer import CONSTRAINT_WORDS, OPTIONS, PARTS, Cursor
from .partitions import read_partitioning
from .types import TYPE_WORDS

_INDEX_KINDS = {"UNIQUE": "unique", "KEY": "index", "INDEX": "index", "FULLTEXT": "fulltext", "SPATIAL": "spatial"}
# The words an index option starts with (index_options: anything else ends them)
_INDEX_OPTION_WORDS = {"USING", "TYPE", "COMMENT", "INVISIBLE", "IGNORED", "VISIBLE", "NOT", "WITH", "KEY_BLOCK_SIZE",
                       "ENGINE_ATTRIBUTE", "SECONDARY_ENGINE_ATTRIBUTE", "CLUSTERING"}
_RENAMED = re.compile(r"@renamed\s+from\s*=\s*(?:\"((?:[^\"]|\"\")+)\"|`((?:[^`]|``)+)`|'([^']+)'|([\w$.]+))", re.I)

# Table options the server reports in information_schema.TABLES.CREATE_OPTIONS,
# with how their values are written there.
_NUMERIC_OPTIONS = {"KEY_BLOCK_SIZE", "STATS_SAMPLE_PAGES", "MIN_ROWS", "MAX_ROWS", "AVG_ROW_LENGTH",
                    "PAGE_COMPRESSION_LEVEL", "ENCRYPTION_KEY_ID"}
_FLAG_OPTIONS = {"STATS_PERSISTENT", "STATS_AUTO_RECALC", "CHECKSUM", "TABLE_CHECKSUM", "PAGE_CHECKSUM",
                 "PACK_KEYS", "DELAY_KEY_WRITE", "TRANSACTIONAL", "PAGE_COMPRESSED"}
_STRING_OPTIONS = {"COMPRESSION", "ENCRYPTION", "ENCRYPTED"}
_OPTION_WORDS = {"ENGINE", "TYPE", "STORAGE", "AUTO_INCREMENT", "COMMENT", "ROW_FORMAT"}
ROW_FORMATS = ("DEFAULT", "DYNAMIC", "FIXED", "COMPRESSED", "REDUNDANT", "COMPACT", "PAGE")
# Table options the servers accept that schema-apply does not manage.
_UNSUPPORTED_OPTIONS = {"TABLESPACE", "UNION", "INSERT_METHOD", "CONNECTION", "PASSWORD", "STORAGE",
                        "ENGINE_ATTRIBUTE", "SECONDARY_ENGINE", "SECONDARY_ENGINE_ATTRIBUTE", "START", "SEQUENCE",
                        "IETF_QUOTES", "AUTOEXTEND_SIZE"}


def at_key_or_constraint(c: Cursor) -> bool:
    """Whether the definition at ``c`` (in CREATE TABLE's parentheses, after ALTER TABLE … ADD) is a
    key or constraint rather than a column. The words that start one are reserved but PERIOD and
    VECTOR, which name columns as well (Icinga Director's ``period varchar(255)``): PERIOD starts a
    period only before FOR, VECTOR an index only where no data type follows it."""
    word = c.word()
    if word == "PERIOD":
        return c.word(1) == "FOR"
    if word == "VECTOR":
        return c.word(1) not in TYPE_WORDS
    return word in CONSTRAINT_WORDS


@mutable
class TableDraft:
    """A table while its statements are read; ``freeze()`` gives the model value."""

    name: str
    line: int
    columns: list[Column] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    checks: list[CheckConstraint] = field(default_factory=list)
    options: TableOptions = TableOptions()
    partitioning: Partitioning | None = None
    renamed_from: str | None = None
    column_keys: set[str] = field(default_factory=set)  # the columns' keys (a duplicate is found at once)

    def add_column(self, column: Column) -> None:
        self.columns.append(column)
        self.column_keys.add(column.key)

    def remove_column(self, column: Column) -> int:
        """Remove ``column``; its position."""
        position = self.columns.index(column)
        del self.columns[position]
        self.column_keys.discard(column.key)
        return position

    def primary_key(self) -> Index | None:
        return next((i for i in self.indexes if i.kind == "primary"), None)

    def index(self, name: str) -> Index | None:
        return next((i for i in self.indexes if i.name and i.key == key(name)), None)

    def column(self, name: str) -> Column | None:
        wanted = key(name)
        if wanted not in self.column_keys:
            return None
        return next((col for col in self.columns if col.key == wanted), None)

    def freeze(self) -> Table:
        return Table(self.name, tuple(self.columns), tuple(self.indexes), tuple(self.foreign_keys),
                     tuple(self.checks), self.options, self.partitioning, self.renamed_from, self.line)


def _at_parts(c: Cursor) -> bool:
    """Whether a key's parts are next: ``(``, or a PARTS token (parts met before)."""
    return c.at_type(TokenType.L_PAREN) or c.at_type(PARTS)


class TableReader:
    """Reads table definitions; ``annotations`` says whether the file has any @renamed to look for."""

    def __init__(self, annotations: bool):
        self.annotations = annotations
        # column definitions met in this file (read_column's ``seen``)
        self.definitions: dict[str, tuple[Column, int]] = {}
        self.commented: dict[str, Column] = {}  # the same by their text before a final COMMENT (read_column)
        self.parts: dict[str, tuple[IndexPart, ...]] = {}  # keys' parts met in this file, by their text (index_parts)
        self.table_options: dict[str, TableOptions] = {}  # CREATE TABLE's options met in this file, by their text

    # -- CREATE TABLE name ( … ) options [PARTITION BY …] ------------------------------

    def body(self, c: Cursor, table: TableDraft) -> None:
        if c.accept("LIKE") or (c.at_type(TokenType.L_PAREN) and c.word(1) == "LIKE"):
            c.unsupported("CREATE TABLE … LIKE", hint="write the table's definition out in full")
        if c.word() in ("AS", "SELECT", "IGNORE", "REPLACE", "WITH", "TABLE"):
            c.unsupported("CREATE TABLE … SELECT", hint="a Schemafile declares columns, not query results")
        open_paren = c.pos
        c.expect_type(TokenType.L_PAREN, "( and the column definitions")
        if self.annotations:
            table.renamed_from = self._annotation(c.stmt.gap(open_paren), same_line_only=True)
        if c.word() in ("SELECT", "WITH"):
            c.unsupported("CREATE TABLE … SELECT", hint="a Schemafile declares columns, not query results")
        while True:  # the definitions: columns, keys and constraints
            if at_key_or_constraint(c):
                self.constraint(c, table)
            else:
                self.column(c, table)
            if c.accept_type(TokenType.COMMA):
                continue
            c.expect_type(TokenType.R_PAREN, ", or ) after a definition")
            break
        self.options(c, table)
        if c.at("PARTITION", "BY"):
            table.partitioning = read_partitioning(c)
        if c.word() in ("SELECT", "AS", "IGNORE", "REPLACE"):
            c.unsupported("CREATE TABLE … SELECT", hint="a Schemafile declares columns, not query results")

    def column(self, c: Cursor, table: TableDraft) -> None:
        read_column(c, table, renamed_from=self._column_annotation if self.annotations else None, seen=self.definitions,
                    commented=self.commented)

    # -- @renamed annotations ------------------------------------------------------------

    def _annotation(self, gap: str, *, same_line_only: bool) -> str | None:
        if not self.annotations:
            return None
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
        if not self.annotations:
            return None
        stmt = c.stmt
        found = self._annotation("".join(stmt.gap(k) for k in range(first, c.pos)), same_line_only=False)
        if found:
            return found
        # after the comma (or after the last token of the last column)
        after = c.pos if c.at_type(TokenType.COMMA) else c.pos - 1
        return self._annotation(stmt.gap(after), same_line_only=True)

    # -- table-level constraints -------------------------------------------------------------

    def constraint(self, c: Cursor, table: TableDraft) -> None:
        """A key, foreign key or CHECK (CREATE TABLE, ALTER TABLE … ADD). MariaDB's IF NOT EXISTS
        keeps the one declared first."""
        line = c.line()
        cname = ""
        if c.accept("CONSTRAINT"):
            if not (c.at("PRIMARY") or c.at("UNIQUE") or c.at("FOREIGN") or c.at("CHECK")):
                cname = c.ident("a constraint name")
        if c.accept("PRIMARY", "KEY"):
            if_not_exists = c.accept("IF", "NOT", "EXISTS")
            # PRIMARY KEY [name] [USING …] (…): the server accepts a name and ignores it (always PRIMARY)
            if not (_at_parts(c) or c.at("USING") or c.at("TYPE")):
                c.ident("an index name")
            using = self.using(c)
            index = self.index_options(c, Index("PRIMARY", "primary", self.index_parts(c), using=using, line=line))
            if not (if_not_exists and table.primary_key()):
                table.indexes.append(index)
        elif c.word() in _INDEX_KINDS:
            kind = _INDEX_KINDS[c.word()]
            c.next()
            if kind != "index":
                c.accept("KEY") or c.accept("INDEX")
            if cname and kind != "unique":
                c.fail("CONSTRAINT name is only allowed before PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK")
            if_not_exists = c.accept("IF", "NOT", "EXISTS")
            name = cname
            if not _at_parts(c) and not c.at("USING") and not c.at("TYPE"):
                name = c.ident("an index name")
            using = self.using(c)
            index = Index(name, kind, self.index_parts(c), using=using, auto_named=not name, line=line)
            index = self.index_options(c, index)
            renamed = self._annotation("".join(c.stmt.gap(k) for k in range(c.pos - 1, c.pos + 1)),
                                       same_line_only=True) if self.annotations else None
            if not (if_not_exists and name and table.index(name)):
                table.indexes.append(index if renamed is None else evolve(index, renamed_from=renamed))
        elif c.accept("FOREIGN", "KEY"):
            if_not_exists = c.accept("IF", "NOT", "EXISTS")
            index_name = None
            if not c.at_type(TokenType.L_PAREN):
                index_name = c.ident("an index name")
            columns = self.names(c, "the foreign key's columns")
            c.expect("REFERENCES")
            ref_schema, ref_table = c.qualified_name("the referenced table")
            ref_columns = self.names(c, "the referenced columns")
            if len(ref_columns) != len(columns):
                c.fail(f"the foreign key has {len(columns)} column(s) but references {len(ref_columns)}",
                       tok=c.peek(-1))
            on_delete, on_update = read_fk_actions(c)
            if not (if_not_exists and cname and any(fk.name.lower() == cname.lower() for fk in table.foreign_keys)):
                table.foreign_keys.append(ForeignKey(cname, columns, ref_table, ref_columns, on_delete or "",
                                                     on_update or "", ref_schema, auto_named=not cname,
                                                     index_name=index_name, position=len(table.indexes), line=line))
        elif c.accept("CHECK"):
            s, e = c.balanced()
            expr = c.expression(s, e, "CHECK expression")
            table.checks.append(CheckConstraint(cname, expr, read_enforced(c), auto_named=not cname, line=line))
        elif c.at("PERIOD"):
            if c.word(1) != "FOR":  # ALTER TABLE … ADD period int: the server reads ADD PERIOD FOR too
                c.fail("expected FOR after PERIOD (a column named period is added with ADD COLUMN period)",
                       tok=c.peek(1))
            c.unsupported("PERIOD FOR (application-time periods and system versioning)")
        elif c.at("VECTOR"):
            c.unsupported("VECTOR indexes")
        else:
            c.fail("expected PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK after CONSTRAINT")

    @staticmethod
    def names(c: Cursor, what: str) -> tuple[str, ...]:
        return tuple(c.parenthesized(lambda: c.ident("a column name"), what))

    # -- keys: USING, parts, options (CREATE TABLE, CREATE INDEX, ALTER TABLE … ADD) ------------

    @staticmethod
    def using(c: Cursor) -> str | None:
        if c.accept("USING") or c.accept("TYPE"):
            kind = c.word()
            if kind not in ("BTREE", "HASH", "RTREE"):
                c.fail("expected BTREE, HASH or RTREE after USING")
            c.next()
            return kind
        return None

    def index_parts(self, c: Cursor) -> tuple[IndexPart, ...]:
        """``( part {, part} )``; parts met before are one PARTS token (``lexer._KEY``): the same
        text is the same tokens, so the same parts."""
        tokens = c.tokens
        start = c.pos
        if start < len(tokens) and tokens[start][0] is PARTS:
            c.pos = start + 1
            return self.parts[tokens[start].text]
        parts = tuple(c.parenthesized(lambda: self._index_part(c), "the indexed columns"))
        self.parts.setdefault(c.stmt.source[tokens[start].start:tokens[c.pos - 1].end + 1], parts)
        return parts

    @staticmethod
    def _index_part(c: Cursor) -> IndexPart:
        """``col``, ``col(10)`` or ``(expression)``, then ASC or DESC."""
        column = length = expr = None
        if c.at_type(TokenType.L_PAREN):
            s, e = c.balanced()
            expr = c.expression(s, e, "functional index part")
        else:
            column = c.ident("a column name")
            if c.at_type(TokenType.L_PAREN):
                c.next()
                length = c.integer("a prefix length")
                c.expect_type(TokenType.R_PAREN, ")")
        descending = c.accept("DESC")
        if not descending:
            c.accept("ASC")
        return IndexPart(column, length, descending, expr)

    def index_options(self, c: Cursor, index: Index) -> Index:
        while c.word() in _INDEX_OPTION_WORDS:
            if c.at("USING") or c.at("TYPE"):
                index = evolve(index, using=self.using(c))
            elif c.accept("COMMENT"):
                index = evolve(index, comment=c.string("the comment text"))
            elif c.accept("INVISIBLE") or c.accept("IGNORED"):
                index = evolve(index, invisible=True)
            elif c.accept("VISIBLE") or c.accept("NOT", "IGNORED"):
                index = evolve(index, invisible=False)
            elif c.accept("WITH", "PARSER"):
                index = evolve(index, parser=c.ident("a parser name").lower())
            elif c.accept("KEY_BLOCK_SIZE"):
                c.accept_eq()
                c.integer("a block size")
                c.unsupported("KEY_BLOCK_SIZE on an index", tok=c.peek(-1),
                              hint="InnoDB ignores it; set KEY_BLOCK_SIZE on the table instead")
            elif c.at("ENGINE_ATTRIBUTE") or c.at("SECONDARY_ENGINE_ATTRIBUTE") or c.at("CLUSTERING"):
                c.unsupported(f"the {c.word()} index option")
            else:
                return index
        return index

    # -- table options -------------------------------------------------------------------------

    def options(self, c: Cursor, table: TableDraft) -> None:
        """The table options after CREATE TABLE's definitions (spaces or commas between them), into
        the new table's options. Options met before that end the statement are one OPTIONS token
        (``lexer._OPTIONS``): the same text is the same tokens, so the same options."""
        tokens = c.tokens
        start = c.pos
        if start < len(tokens) and tokens[start][0] is OPTIONS:
            c.pos = start + 1
            table.options = self.table_options[tokens[start].text]
            return
        fresh = table.options == TableOptions()
        while not c.at_end() and not c.at("PARTITION", "BY"):
            if c.accept_type(TokenType.COMMA):
                continue
            if not self.option(c, table):
                self._not_an_option(c)
        if fresh and c.at_end() and c.pos > start:
            self.table_options.setdefault(c.stmt.source[tokens[start].start:tokens[-1].end + 1], table.options)

    def option(self, c: Cursor, table: TableDraft) -> bool:
        """One table option at the cursor, into ``table.options``; False if the cursor is not at one."""
        opts = table.options
        word = c.word()
        if c.accept("ENGINE") or c.accept("TYPE") or c.accept("STORAGE", "ENGINE"):
            c.accept_eq()
            opts = evolve(opts, engine=c.name("an engine name"))
        elif c.at("DEFAULT") and (c.at("DEFAULT", "CHARSET") or c.at("DEFAULT", "CHARACTER")
                                  or c.at("DEFAULT", "COLLATE")):
            c.next()
            return self.option(c, table)
        elif c.accept("CHARSET") or c.accept("CHARACTER", "SET"):
            c.accept_eq()
            opts = evolve(opts, charset=c.name("a character set name").lower())
        elif c.accept("COLLATE"):
            c.accept_eq()
            opts = evolve(opts, collation=c.name("a collation name").lower())
        elif c.accept("COMMENT"):
            c.accept_eq()
            opts = evolve(opts, comment=c.string("the comment text"))
        elif c.accept("AUTO_INCREMENT"):
            c.accept_eq()
            opts = evolve(opts, auto_increment=c.integer("a number"))
        elif c.accept("ROW_FORMAT"):
            c.accept_eq()
            value = c.value_word("a row format").upper()
            if value not in ROW_FORMATS:
                c.fail(f"expected {', '.join(ROW_FORMATS[:-1])} or {ROW_FORMATS[-1]}", tok=c.peek(-1))
            opts = evolve(opts, row_format=value)
        elif word in _NUMERIC_OPTIONS or word in _FLAG_OPTIONS or word in _STRING_OPTIONS:
            opts = evolve(opts, extra=self._extra_option(c, dict(opts.extra)))
        else:
            return False
        table.options = opts
        return True

    @staticmethod
    def at_option(c: Cursor) -> bool:
        """Whether a table option starts at the cursor (ALTER TABLE t MODIFY …, AUTO_INCREMENT=5 needs no comma)."""
        word = c.word()
        return word in _OPTION_WORDS or word in _NUMERIC_OPTIONS or word in _FLAG_OPTIONS or word in _STRING_OPTIONS

    @staticmethod
    def _extra_option(c: Cursor, extra: dict[str, str]) -> tuple[tuple[str, str], ...]:
        """An option kept in ``TableOptions.extra`` as CREATE_OPTIONS reports it (DEFAULT removes it)."""
        word = c.next().text.upper()
        name = "checksum" if word == "TABLE_CHECKSUM" else word.lower()
        c.accept_eq()
        if word in _NUMERIC_OPTIONS:
            if word == "STATS_SAMPLE_PAGES" and c.accept("DEFAULT"):
                extra.pop(name, None)
            else:
                extra[name] = str(c.integer("a number"))
        elif word in _FLAG_OPTIONS:
            if c.accept("DEFAULT"):
                extra.pop(name, None)
            else:
                extra[name] = c.value_word("0 or 1").upper()
        else:
            tok = c.peek()
            extra[name] = c.string("a quoted value") if tok is not None and tok.token_type == TokenType.STRING \
                else c.value_word().upper()
        return tuple(sorted(extra.items()))

    @staticmethod
    def _not_an_option(c: Cursor) -> None:
        word = c.word()
        if c.at("WITH", "SYSTEM", "VERSIONING"):
            c.unsupported("WITH SYSTEM VERSIONING (system-versioned tables)")
        if word in ("SELECT", "AS", "IGNORE", "REPLACE", "WITH", "TABLE", "VALUES"):
            c.unsupported("CREATE TABLE … SELECT", hint="a Schemafile declares columns, not query results")
        if word in ("DATA", "INDEX") and c.word(1) == "DIRECTORY":
            c.unsupported(f"{word} DIRECTORY", hint="storage paths are not part of the schema")
        if word in _UNSUPPORTED_OPTIONS:
            c.unsupported(f"the {word} table option")
        c.fail("unknown table option")
