"""The declared side of a command: the file read, parsed and normalised into the desired schema.

This module imports only what that needs (the parser, the model, normalisation), not the engine
(the planner, the driver, the firewall, the reporters). A plan starts this side before it connects
(``begin``): a large Schemafile is parsed in a forked child (``aside``) while this process
connects and reads the live schema. The server's flavour and database are told to the child when
known; until then it parses as if every versioned comment were code.

"""

from __future__ import annotations

from typing import Callable

from .aside import Aside
from .collector import building_models
from .errors import SchemaApplyError
from .flavor import Flavor
from .model import Schema
from .normalize import normalize
from .parse.schemafile import ParsedFile, has_versioned_comments, parse_text, parses_alike
from .source import SchemaText
from .validate import ensure_declares_tables, validate

Prepared = tuple["Schema | None", "list[str]", "SchemaApplyError | None"]
"""(schema, notes to print, error): what a Schemafile gave, as values, so that it can be computed
aside and shown where it is used, notes first, as if it had been computed there."""

# A Schemafile this large is parsed in a second process while the live schema is read (below, the
# fork and the pickled result cost more than they save). Measured with plan, median of 6: 9 kB
# (10 tables) 0.30 s forked / 0.285 s not; 25 kB about even; 90 kB 0.40 / 0.435 s; friendica's
# 194 kB (92 tables, 27 views) 0.575 / 0.745 s.
PARSE_ASIDE_FROM = 32_000


def prepare(source: SchemaText, manages: Callable[[str], bool], server: Callable[[], tuple[Flavor, str | None]]
            ) -> Prepared:
    """The Schemafile parsed, checked and normalised for the server that ``server()`` gives as
    (flavor, database) when first needed; only the objects that ``manages`` (--tables,
    --ignore-tables) leaves to us are kept, with a note per index that repeats another. It is
    parsed at once, as if every versioned comment (``/*!…*/``, ``/*M!…*/``) were code; a file with
    one waits for the server then, and is parsed again in the rare case that the server leaves one
    a comment (``parses_alike``)."""
    notes: list[str] = []
    with building_models():  # (a forked child builds its model here too)
        try:
            parsed, flavor, database = _parse_before_server(source, server)
            if note := parsed.skipped_note():
                notes.append(f"note: {note}")
            ensure_declares_tables(parsed.schema, source.name)
            validate(parsed.schema, source.name)
            if flavor is None:
                flavor, database = server()
            desired = normalize(parsed.schema, flavor, database=database).filtered(manages)
            return desired, notes + duplicate_index_notes(desired, source.name), None
        except SchemaApplyError as exc:
            return None, notes, exc


def _parse_before_server(source: SchemaText, server: Callable[[], tuple[Flavor, str | None]]
                         ) -> tuple[ParsedFile, Flavor | None, str | None]:
    """(the Schemafile parsed for the server, and the server's (flavor, database) if they had to be
    awaited to know that parse: None, None when the file has no versioned comment)."""
    try:
        parsed, error = parse_text(source.text, source.name), None
    except SchemaApplyError as exc:
        parsed, error = None, exc
    flavor = database = None
    if has_versioned_comments(source.text):
        flavor, database = server()
        if not parses_alike(source.text, flavor.server):
            return parse_text(source.text, source.name, flavor.server), flavor, database
    if error is not None:
        raise error
    return parsed, flavor, database


def duplicate_index_notes(schema: Schema, file: str) -> list[str]:
    """A note per index that repeats another of its table's: the server makes it, questioning it."""
    return [f"note: {file}{f':{dup.line}' if dup.line else ''}: index {dup.name} of {table.name} repeats {of.name}"
            " (the same kind and parts); the server makes it with a note that duplicate indexes are deprecated"
            for table in schema.tables for dup, of in table.duplicate_indexes()]


class Begun:
    """The Schemafile read and its preparation started (``begin``): in a forked child for a large
    file, else when ``aside.result()`` asks. An error reading the file is kept and raised by
    ``source``, where the command would have read it."""

    def __init__(self, source: SchemaText | None, manages: Callable[[str], bool],
                 error: SchemaApplyError | None = None):
        self._source, self._error = source, error
        self.aside: Aside[Prepared] | None = None
        if source is not None:
            self.aside = Aside(prepare, source, manages, fork=len(source.text) >= PARSE_ASIDE_FROM, told=True)

    def source(self) -> SchemaText:
        if self._error is not None:
            raise self._error
        return self._source

    def cancel(self) -> None:
        """Stop the child, if one still runs (the command ended, or failed, before asking)."""
        if self.aside is not None:
            self.aside.cancel()


def begin(read: Callable[[], SchemaText], manages: Callable[[str], bool]) -> Begun:
    """The Schemafile that ``read()`` gives (``source.read_schemafile``), its preparation started."""
    try:
        return Begun(read(), manages)
    except SchemaApplyError as exc:
        return Begun(None, manages, exc)
