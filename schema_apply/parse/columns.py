"""A column definition: ``name type [attribute …]`` (CREATE TABLE, ALTER TABLE … ADD COLUMN).

Each attribute is read by its own small function, chosen by its first keyword (``_ATTRIBUTES``).
Attributes that declare something beyond the column — an inline PRIMARY KEY/UNIQUE, CHECK or
REFERENCES — are added to the table being built, where the server puts them.
"""

from __future__ import annotations

from dataclasses import field
from typing import TYPE_CHECKING, Callable

from sqlglot.tokens import TokenType

from ..model import (CheckConstraint, Column, ColumnType, Default, Expr, ForeignKey, Generated, Index, IndexPart,
                     evolve)
from ..values import mutable
from .lexer import COMMENTED, DEFINITION, Cursor
from .types import data_type, default_value, now_function

if TYPE_CHECKING:
    from .tables import TableDraft


@mutable
class _ColumnDraft:
    name: str
    type: ColumnType
    line: int
    nullable: bool | None = None
    default: Default | None = None
    on_update: Expr | None = None
    auto_increment: bool = False
    charset: str | None = None
    collation: str | None = None
    comment: str = ""
    generated: Generated | None = None
    srid: int | None = None
    invisible: bool = False
    keys: list[Index] = field(default_factory=list)  # inline PRIMARY KEY / UNIQUE, in the order written


def read_column(c: Cursor, table: TableDraft, *, renamed_from: Callable[[Cursor, int], str | None] | None,
                seen: dict[str, tuple[Column, int]] | None = None, commented: dict[str, Column] | None = None
                ) -> None:
    """Read one column definition at the cursor into ``table``. ``renamed_from(c, first)`` finds a
    ``@renamed`` annotation around the tokens from ``first`` (None: the file has none).

    ``seen`` (text after the name -> (the first column it declared, its number of tokens)) lets a
    definition met before in the same file skip the grammar: schemas repeat definitions (``int
    unsigned NOT NULL DEFAULT '0'`` …; 15 real applications declare 5,389 columns with 1,176
    distinct definitions). The same tokens give the same column, so only the name, line and
    annotation are its own. Definitions that add to the table (inline keys, CHECK, REFERENCES) are
    read every time.

    ``commented`` (the text before a definition's final ``COMMENT 'text'`` -> the column of that
    definition) does the same for a definition met before but for its comment (a COMMENTED token,
    then COMMENT and the string: see ``lexer.simple_statements``): the comment, the last
    attribute, changes the column's comment alone."""
    first = c.pos
    tokens = c.stmt.tokens
    if first + 1 < len(tokens):  # the hot path: a definition met before (or but for its comment)
        kind = tokens[first + 1][0]
        if kind is DEFINITION or kind is COMMENTED:
            name_token = tokens[first]
            name = name_token.text
            if name.lower() not in table.column_keys:  # (declared twice: the error below)
                if kind is DEFINITION:
                    column, comment = seen[tokens[first + 1].text][0], None
                    c.pos = first + 2
                else:  # COMMENTED, COMMENT, the string
                    column, comment = commented[tokens[first + 1].text], tokens[first + 3].text
                    c.pos = first + 4
                table.add_column(_same_definition(column, name, name_token.line,
                                                  renamed_from(c, first) if renamed_from else None, comment))
                return
    line = c.line()
    name = c.ident("a column name or a constraint")
    if name.lower() in table.column_keys:
        earlier = table.column(name)
        c.fail(f"column {name} is declared twice (first at line {earlier.line})", tok=c.peek(-1))
    text = None
    if seen is not None:
        text, known = _known_definition(c, seen)
        if known is not None:
            column, length = known
            c.pos += length
            table.add_column(_same_definition(column, name, line, renamed_from(c, first) if renamed_from else None))
            return
    c.obj = f"column {table.name}.{name}"
    start = c.pos
    additions = len(table.indexes) + len(table.checks) + len(table.foreign_keys)
    ctype, extras = data_type(c)
    draft = _ColumnDraft(name, ctype, line, charset=extras.charset, collation=extras.collation)
    words = c.stmt.words
    while not (c.at_end() or c.at_type(TokenType.COMMA) or c.at_type(TokenType.R_PAREN)):
        word = words[c.pos]  # one look at the keyword (this loop is hot)
        if word in _ENDS:
            break  # ALTER TABLE … ADD COLUMN's FIRST/AFTER: the statement decides
        reader = _ATTRIBUTES.get(word)
        if reader is None:
            _unsupported_attribute(c)
        reader(c, draft, table)
    if extras.serial:  # SERIAL: NOT NULL AUTO_INCREMENT UNIQUE
        draft.nullable, draft.auto_increment = False, True
        draft.keys.insert(0, _unique(name, line))
    if len(draft.keys) > 1:
        draft.keys = _column_keys(draft.keys)
    column = Column(name, draft.type, draft.nullable, draft.default, draft.on_update, draft.auto_increment,
                    draft.charset, draft.collation, draft.comment, draft.generated, draft.srid, draft.invisible,
                    renamed_from=renamed_from(c, first) if renamed_from else None, line=line)
    if text is not None and not draft.keys and \
            additions == len(table.indexes) + len(table.checks) + len(table.foreign_keys):
        seen[text] = (column, c.pos - start)
        if commented is not None and draft.comment:
            _remember_commented(c, start, column, commented)
    table.add_column(column)
    table.indexes.extend(draft.keys)
    c.obj = f"table {table.name}"


def _remember_commented(c: Cursor, start: int, column: Column, commented: dict[str, Column]) -> None:
    """Remember ``column``, read from tokens ``start`` to the cursor, by its text before its final
    ``COMMENT 'text'`` (its last two tokens: a comment of one string), for ``read_column``."""
    tokens = c.stmt.tokens
    end = c.pos
    if end - start < 3 or tokens[end - 1].token_type is not TokenType.STRING or c.stmt.words[end - 2] != "COMMENT":
        return
    text = c.stmt.source[tokens[start].start:tokens[end - 3].end + 1]
    commented.setdefault(text, column)


def _same_definition(column: Column, name: str, line: int, renamed_from: str | None,
                     comment: str | None = None) -> Column:
    """A column of the same definition as ``column``, with its own name, line and annotation (and
    comment, when given) (``model.evolve``: 2.5 times as fast as the frozen class's ``__init__``,
    which sets its fourteen fields one by one)."""
    if comment is None:
        return evolve(column, name=name, renamed_from=renamed_from, line=line)
    return evolve(column, name=name, renamed_from=renamed_from, line=line, comment=comment)


def _known_definition(c: Cursor, seen: dict[str, tuple[Column, int]]) -> tuple[str | None, tuple[Column, int] | None]:
    """(the text of the definition at the cursor, what ``seen`` knows of it: (column, tokens) or None).
    A DEFINITION token (``lexer.simple_statements``) is a definition met before, whole."""
    tokens = c.stmt.tokens
    start = c.pos
    if start < len(tokens) and tokens[start][0] is DEFINITION:
        return tokens[start].text, (seen[tokens[start].text][0], 1)
    end = _definition_end(tokens, start)
    if end <= start:
        return None, None
    text = c.stmt.source[tokens[start].start:tokens[end - 1].end + 1]
    return text, seen.get(text)


def _definition_end(tokens: list, i: int) -> int:
    """The index of the ``,`` or ``)`` that ends the definition starting at ``tokens[i]`` (or the
    statement's end)."""
    depth = 0
    n = len(tokens)
    opening, closing, comma = TokenType.L_PAREN, TokenType.R_PAREN, TokenType.COMMA
    while i < n:
        kind = tokens[i][0]
        if kind is opening:
            depth += 1
        elif kind is closing:
            if not depth:
                return i
            depth -= 1
        elif kind is comma and not depth:
            return i
        i += 1
    return n


def _unique(column: str, line: int) -> Index:
    return Index("", "unique", (IndexPart(column=column),), auto_named=True, line=line)


def _column_keys(keys: list[Index]) -> list[Index]:
    """The keys of one column definition that says PRIMARY KEY or UNIQUE (SERIAL, SERIAL DEFAULT
    VALUE) more than once: the server keeps a flag per kind, so one primary key and one UNIQUE at
    most (``a int UNIQUE UNIQUE`` makes one key). A UNIQUE beside the primary key is marked: MySQL
    makes it, MariaDB does not (normalize decides)."""
    primary = next((k for k in keys if k.kind == "primary"), None)
    unique = next((k for k in keys if k.kind == "unique"), None)
    if primary is None or unique is None:
        return [primary or unique]
    return [primary, evolve(unique, beside_primary=True)]


# -- the attributes, each after its first keyword ------------------------------------------

def _not(c: Cursor, col: _ColumnDraft, table: TableDraft) -> None:
    c.expect("NOT", "NULL")
    col.nullable = False


def _null(c: Cursor, col: _ColumnDraft, table: TableDraft) -> None:
    c.next()
    col.nullable = True


def _default(c: Cursor, col: _ColumnDraft, table: TableDraft) -> None:
    c.next()
    col.default = default_value(c)


def _on_update(c: Cursor, col: _ColumnDraft, table: TableDraft) -> None:
    c.expect("ON", "UPDATE")
    col.on_update = now_function(c, "ON UPDATE")


def _auto_increment(c: Cursor, col: _ColumnDraft, table: TableDraft) -> None:
    c.next()
    col.auto_increment = True


def _comment(c: Cursor, col: _ColumnDraft, table: TableDraft) -> None:
    c.next()
    col.comment = c.string("the comment text")


def _collate(c: Cursor, col: _ColumnDraft, table: TableDraft) -> None:
    c.next()
    c.accept_eq()
    col.collation = c.name("a collation name").lower()


def _charset(c: Cursor, col: _ColumnDraft, table: TableDraft) -> None:
    if not c.accept("CHARSET"):
        c.expect("CHARACTER", "SET")
    c.accept_eq()
    col.charset = c.name("a character set name").lower()


def _generated(c: Cursor, col: _ColumnDraft, table: TableDraft) -> None:
    """[GENERATED ALWAYS] AS (expr) [VIRTUAL | STORED | PERSISTENT]"""
    if c.accept("GENERATED"):
        c.expect("ALWAYS")
    c.expect("AS")
    if c.at("ROW"):
        c.unsupported("GENERATED ALWAYS AS ROW START/END (system-versioned tables)")
    s, e = c.balanced()
    expr = c.expression(s, e, "generated column expression")
    stored = c.accept("STORED") or c.accept("PERSISTENT")
    if not stored:
        c.accept("VIRTUAL")
    col.generated = Generated(expr, stored)


def _primary_key(c: Cursor, col: _ColumnDraft, table: TableDraft) -> None:
    line = c.line()
    if not c.accept("KEY"):
        c.expect("PRIMARY", "KEY")
    col.keys.append(Index("PRIMARY", "primary", (IndexPart(column=col.name),), line=line))


def _unique_key(c: Cursor, col: _ColumnDraft, table: TableDraft) -> None:
    line = c.line()
    c.next()
    c.accept("KEY") or c.accept("INDEX")
    col.keys.append(_unique(col.name, line))


def _srid(c: Cursor, col: _ColumnDraft, table: TableDraft) -> None:
    c.next()
    col.srid = c.integer("an SRID number")


def _visibility(c: Cursor, col: _ColumnDraft, table: TableDraft) -> None:
    col.invisible = c.next().text.upper() == "INVISIBLE"


def _check(c: Cursor, col: _ColumnDraft, table: TableDraft) -> None:
    """[CONSTRAINT [name]] CHECK (expr) [[NOT] ENFORCED]: unnamed, MariaDB keeps it with the column
    (named after it), MySQL names it <table>_chk_N; normalize decides."""
    line = c.line()
    name = ""
    if c.accept("CONSTRAINT") and not c.at("CHECK"):
        name = c.ident("a constraint name")
    c.expect("CHECK")
    s, e = c.balanced()
    expr = c.expression(s, e, "CHECK expression")
    enforced = read_enforced(c)
    table.checks.append(CheckConstraint(name or col.name, expr, enforced, column_level=not name,
                                        auto_named=not name, line=line))


def _references(c: Cursor, col: _ColumnDraft, table: TableDraft) -> None:
    line = c.line()
    c.expect("REFERENCES")
    ref_schema, ref_table = c.qualified_name("the referenced table")
    ref_columns = tuple(c.parenthesized(lambda: c.ident("a column name"), "referenced columns"))
    on_delete, on_update = read_fk_actions(c)
    table.foreign_keys.append(ForeignKey("", (col.name,), ref_table, ref_columns, on_delete or "", on_update or "",
                                         ref_schema, auto_named=True,
                                         position=len(table.indexes) + len(col.keys), line=line))


def _serial_default_value(c: Cursor, col: _ColumnDraft, table: TableDraft) -> None:
    line = c.line()
    c.expect("SERIAL", "DEFAULT", "VALUE")  # NOT NULL AUTO_INCREMENT UNIQUE
    col.nullable, col.auto_increment = False, True
    col.keys.append(_unique(col.name, line))


_ATTRIBUTES: dict[str, Callable[[Cursor, _ColumnDraft, "TableDraft"], None]] = {
    "NOT": _not, "NULL": _null, "DEFAULT": _default, "ON": _on_update, "AUTO_INCREMENT": _auto_increment,
    "COMMENT": _comment, "COLLATE": _collate, "CHARACTER": _charset, "CHARSET": _charset,
    "GENERATED": _generated, "AS": _generated, "PRIMARY": _primary_key, "KEY": _primary_key,
    "UNIQUE": _unique_key, "SRID": _srid, "INVISIBLE": _visibility,
    "VISIBLE": _visibility, "CHECK": _check, "CONSTRAINT": _check, "REFERENCES": _references,
    "SERIAL": _serial_default_value,
}

_ENDS = {"FIRST", "AFTER"}
# Attributes the servers accept that schema-apply does not manage, with why.
_UNSUPPORTED = {
    "COLUMN_FORMAT": "it is an NDB Cluster attribute that InnoDB ignores (MariaDB rejects it); remove it",
    "STORAGE": "it is an NDB Cluster attribute that InnoDB ignores (MariaDB rejects it); remove it",
    "COMPRESSED": "MariaDB's compressed columns are not managed",
    "REF_SYSTEM_ID": "MariaDB does not show a column's spatial reference system in information_schema",
    "ENGINE_ATTRIBUTE": None, "SECONDARY_ENGINE_ATTRIBUTE": None,
}


def _unsupported_attribute(c: Cursor) -> None:
    word = c.word()
    if c.at("WITH", "SYSTEM") or c.at("WITHOUT", "SYSTEM"):
        c.unsupported("system-versioned columns (WITH/WITHOUT SYSTEM VERSIONING)")
    if word in _UNSUPPORTED:
        c.unsupported(f"the {word} column attribute", hint=_UNSUPPORTED[word])
    c.fail("unknown column attribute")


# -- shared with table-level constraints -----------------------------------------------------

FK_ACTIONS = {("RESTRICT",): "RESTRICT", ("CASCADE",): "CASCADE", ("SET", "NULL"): "SET NULL",
              ("NO", "ACTION"): "NO ACTION", ("SET", "DEFAULT"): "SET DEFAULT"}


def read_enforced(c: Cursor) -> bool:
    if c.accept("NOT", "ENFORCED"):
        return False
    c.accept("ENFORCED")
    return True


def read_fk_actions(c: Cursor) -> tuple[str | None, str | None]:
    """[MATCH FULL|PARTIAL|SIMPLE] [ON DELETE action] [ON UPDATE action]"""
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
