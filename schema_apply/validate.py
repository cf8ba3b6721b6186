"""Checks on a declared schema that the server would make only halfway through an apply.

A Schemafile with an index on a missing column, a foreign key to a table it
does not declare, two primary keys, or a trigger on a table it does not declare
is reported before anything runs, naming the file, the line and the object.
"""

from __future__ import annotations

from .errors import ParseError, PolicyRefused
from .model import Schema, key


def validate(schema: Schema, file: str) -> None:
    tables = {t.name: t for t in schema.tables}
    for table in schema.tables:
        where = f"table {table.name}"
        columns = {c.key for c in table.columns}
        if not table.columns:
            raise ParseError("a table needs at least one column", file=file, line=table.line, obj=where)
        primaries = [i for i in table.indexes if i.kind == "primary"]
        if len(primaries) > 1:
            raise ParseError("more than one PRIMARY KEY", file=file, line=primaries[1].line, obj=where)
        names: dict[str, int | None] = {}
        for index in table.indexes:
            for part in index.parts:
                if part.column is not None and key(part.column) not in columns:
                    raise ParseError(f"index {index.name or '(unnamed)'} names column {part.column},"
                                     " which the table does not have", file=file, line=index.line, obj=where)
            if index.name and index.kind != "primary":
                if key(index.name) in names:
                    raise ParseError(f"index {index.name} is declared twice", file=file, line=index.line, obj=where)
                names[key(index.name)] = index.line
        for fk in table.foreign_keys:
            label = f"foreign key {fk.name}" if fk.name else "a foreign key"
            for column in fk.columns:
                if key(column) not in columns:
                    raise ParseError(f"{label} names column {column}, which the table does not have",
                                     file=file, line=fk.line, obj=where)
            if fk.ref_schema is not None:
                continue
            parent = tables.get(fk.ref_table)
            if parent is None:
                raise ParseError(f"{label} references table {fk.ref_table}, which the Schemafile does not declare",
                                 file=file, line=fk.line, obj=where)
            for column in fk.ref_columns:
                if parent.column(column) is None:
                    raise ParseError(f"{label} references {fk.ref_table}.{column}, which does not exist",
                                     file=file, line=fk.line, obj=where)
    for trigger in schema.triggers:
        if trigger.table not in tables:
            raise ParseError(f"trigger {trigger.name} is on table {trigger.table}, which the Schemafile does not"
                             " declare", file=file, line=trigger.line, obj=f"trigger {trigger.name}")


def ensure_declares_tables(desired: Schema, file: str, current: Schema | None = None) -> None:
    """A Schemafile that declares nothing is always refused (a wrong --schema-file must not drop
    everything); one that declares no tables, only views or stored programs, is refused against a
    database that has tables (``current``), for the same reason."""
    if desired.tables:
        return
    if not (desired.views or desired.programs):
        raise PolicyRefused(f"{file} declares no tables: refusing a plan that would drop every table",
                            hint="check --schema-file; an empty Schemafile is always refused")
    if current is not None and current.tables:
        raise PolicyRefused(f"{file} declares no tables: refusing a plan that would drop every table",
                            hint="check --schema-file; a Schemafile without tables is refused against a database"
                                 " that has tables")
