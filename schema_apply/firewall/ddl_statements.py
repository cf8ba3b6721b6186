"""The guard's rules for DDL: tables, indexes, databases, views and stored programs.

DDL is read from the token stream (it often uses syntax sqlglot cannot parse) and allowed on secret
tables too (it reads no rows), unless it would build a way to secret rows: a query inside it, a
secret table renamed to a non-secret name, partitions moved between secret and non-secret tables,
an engine that reads other tables' rows, a foreign key into a secret table or a system schema, a
non-secret view over what it may not read (:func:`~.queries.view_query_reasons`), a stored
program whose body breaks the body rules of :mod:`.programs`. No DDL passes before the secrecy
policy is settled.
"""

from __future__ import annotations

from collections.abc import Sequence

from .objects import LOCAL_ENGINES, foreign_key_reason
from .programs import statement_refusals
from .queries import SECRET_VIEW_RULE, VIEW_RULE, query_tables, secret_view_reasons, view_query_reasons
from .reading import WORD, Name, Tok, Unreadable, depths, is_name, name_at, split_commas, unique
from .verdicts import (DDL, UNKNOWN, Ctx, Refusal, StatementInfo, parse_or_refuse, refuse_rows, secret_words,
                       statement_info, tokenize_or_refuse)

def _need_settled(kind: str, ctx: Ctx) -> None:
    if not ctx.policy.settled:
        raise Refusal(kind, "DDL is judged by the secrecy policy, which is settled once the server's"
                      " lower_case_table_names is known; nothing sends DDL before that",
                      hint="a bug in schema-apply: the connection's policy was never settled")


def ddl(text: str, toks: list[Tok], ctx: Ctx) -> StatementInfo:
    verb = toks[0].text
    _need_settled(verb, ctx)
    i = 1
    if verb == "RENAME":
        if i < len(toks) and toks[i].w("TABLE", "TABLES"):
            return _rename_table(toks, i + 1, ctx)
        raise Refusal(f"RENAME {_word_of(toks, 1)}".strip(), UNKNOWN)
    if verb == "CREATE" and toks[i:i + 2] and toks[i].w("OR") and i + 1 < len(toks) and toks[i + 1].w("REPLACE"):
        i += 2
    # view options may come before VIEW: ALGORITHM = x, DEFINER = user, SQL SECURITY x
    j = _view_options(toks, i)
    if j is not None and j < len(toks) and toks[j].w("VIEW") and verb in ("CREATE", "ALTER"):
        return _view(text, toks, j + 1, verb, ctx, _view_algorithm(toks[i:j]))
    if verb == "DROP":
        return _drop(toks, ctx)
    if verb == "ALTER":
        while i < len(toks) and toks[i].w("ONLINE", "IGNORE"):
            i += 1
        if i < len(toks) and toks[i].w("TABLE"):
            return _alter_table(toks, i + 1, ctx)
        if i < len(toks) and toks[i].w("DATABASE", "SCHEMA"):
            return _database(toks, i + 1, "ALTER DATABASE")
        raise Refusal(f"ALTER {_word_of(toks, i)}".strip(), f"schema-apply alters tables, views and databases only; {UNKNOWN}")
    # CREATE
    if i < len(toks) and toks[i].w("TEMPORARY"):
        i += 1
    if i < len(toks) and toks[i].w("TABLE"):
        return _create_table(toks, i + 1, ctx)
    k = i
    while k < len(toks) and toks[k].w("ONLINE", "OFFLINE", "UNIQUE", "FULLTEXT", "SPATIAL"):
        k += 1
    if k < len(toks) and toks[k].w("INDEX"):
        return _create_index(toks, k + 1, ctx)
    if i < len(toks) and toks[i].w("DATABASE", "SCHEMA"):
        return _database(toks, i + 1, "CREATE DATABASE")
    what = _word_of(toks, i)
    raise Refusal(f"CREATE {what}".strip(), UNKNOWN)


def _word_of(toks: Sequence[Tok], i: int) -> str:
    return toks[i].text if i < len(toks) and toks[i].kind == "word" and len(toks[i].text) <= 20 else ""


def _skip_if_exists(toks: Sequence[Tok], i: int, *, not_: bool = False) -> int:
    words = ["IF", "NOT", "EXISTS"] if not_ else ["IF", "EXISTS"]
    if all(i + k < len(toks) and toks[i + k].w(w) for k, w in enumerate(words)):
        return i + len(words)
    return i


def _need_name(toks: Sequence[Tok], i: int, kind: str) -> tuple[Name, int]:
    got = name_at(toks, i)
    if got is None:
        raise Refusal(kind, f"the guard cannot read the table name; {UNKNOWN}")
    return got


def _no_query(toks: Sequence[Tok], kind: str, ctx: Ctx, tables: Sequence[Name]) -> None:
    """DDL other than a view must hold no query: nothing here may read rows."""
    for k, t in enumerate(toks):
        if t.w("SELECT") or (t.w("VALUES") and not (k + 1 < len(toks) and toks[k + 1].w("LESS", "IN"))):
            sources = [got[0] for j, s in enumerate(toks[:-1]) if s.w("FROM", "JOIN", "TABLE")
                       and (got := name_at(toks, j + 1))]
            sources += [s for s in secret_words(toks, ctx) if s not in tables and s not in sources]
            raise refuse_rows(kind, ctx, unique(sources),
                              what="copies rows (… SELECT / TABLE / VALUES) from")


def _engines(toks: Sequence[Tok], kind: str, tables: Sequence[Name]) -> None:
    for k, t in enumerate(toks):
        if t.w("ENGINE"):
            v = k + 1
            if v < len(toks) and toks[v].p("="):
                v += 1
            if v >= len(toks) or toks[v].kind not in ("word", "ident", "string"):
                raise Refusal(kind, f"the guard cannot read the storage engine; {UNKNOWN}", tables=tables)
            engine = toks[v].raw.upper()
            if engine not in LOCAL_ENGINES:
                shown = toks[v].raw if WORD.fullmatch(toks[v].raw) and len(engine) <= 30 else "…"
                raise Refusal(kind, f"storage engine {shown} can make a table whose rows are another table's"
                              " or another server's; schema-apply allows local engines only"
                              f" ({', '.join(sorted(LOCAL_ENGINES))})", tables=tables)
        if t.w("UNION") or t.w("CONNECTION"):
            raise Refusal(kind, f"the {t.text} table option makes a table read other tables' rows"
                          " (MERGE / FEDERATED); schema-apply never uses it", tables=tables)


def _references(toks: Sequence[Tok]) -> list[Name]:
    out = []
    for k, t in enumerate(toks):
        if t.w("REFERENCES"):
            got = name_at(toks, k + 1)
            if got:
                out.append(got[0])
    return out


def _create_table(toks: list[Tok], i: int, ctx: Ctx) -> StatementInfo:
    kind = "CREATE TABLE"
    i = _skip_if_exists(toks, i, not_=True)
    name, i = _need_name(toks, i, kind)
    rest = toks[i:]
    # CREATE TABLE t LIKE src  |  CREATE TABLE t (LIKE src): the definition only, never rows
    if rest and rest[0].w("LIKE"):
        src, j = _need_name(rest, 1, kind)
        if j == len(rest):
            return statement_info("ddl", [name, src], ctx)
    if len(rest) >= 3 and rest[0].p("(") and rest[1].w("LIKE"):
        src, j = _need_name(rest, 2, kind)
        if j + 1 == len(rest) and rest[j].p(")"):
            return statement_info("ddl", [name, src], ctx)
    _no_query(rest, kind, ctx, [name])
    for t in rest:
        if t.w("TABLE"):
            raise Refusal(kind, f"the guard cannot classify this table definition; {UNKNOWN}", tables=[name])
    _engines(rest, kind, [name])
    references = _references(rest)
    _foreign_keys(kind, name, references, ctx)
    return statement_info(DDL, [name, *references], ctx)


def _foreign_keys(kind: str, table: Name, references: Sequence[Name], ctx: Ctx) -> None:
    """A foreign key may not reach from a non-secret table into a secret one, nor into a system schema."""
    for ref in references:
        why = foreign_key_reason(table.table, ref.db, ref.table, ctx.policy)
        if why:
            raise Refusal(kind, f"table {ctx.show([table])} {why}", tables=[table, ref],
                          hint="keep foreign keys into secret tables on secret tables")


def _alter_table(toks: list[Tok], i: int, ctx: Ctx) -> StatementInfo:
    kind = "ALTER TABLE"
    i = _skip_if_exists(toks, i)
    name, i = _need_name(toks, i, kind)
    rest = toks[i:]
    _no_query(rest, kind, ctx, [name])
    _engines(rest, kind, [name])
    tables = [name]
    level = depths(rest)
    for k, t in enumerate(rest):
        if level[k] != 0:
            continue
        if t.w("RENAME"):
            nxt = rest[k + 1] if k + 1 < len(rest) else None
            if nxt is not None and nxt.w("COLUMN", "INDEX", "KEY", "CONSTRAINT"):
                continue
            j = k + 1
            if nxt is not None and nxt.w("TO", "AS"):
                j += 1
            new, _ = _need_name(rest, j, kind)
            tables.append(new)
            _declassify_check("ALTER TABLE … RENAME", name, new, ctx)
        elif t.w("TABLE"):
            # EXCHANGE PARTITION p WITH TABLE x / CONVERT PARTITION p TO TABLE x / CONVERT TABLE x TO …
            other, _ = _need_name(rest, _skip_if_exists(rest, k + 1, not_=True), kind)
            tables.append(other)
            if ctx.secret(name) != ctx.secret(other):
                secret, plain = (name, other) if ctx.secret(name) else (other, name)
                raise Refusal(kind, f"it moves rows between secret table {ctx.show([secret])} and"
                              f" non-secret table {ctx.show([plain])}, which would expose secret rows",
                              tables=tables, hint="exchange or convert partitions only between tables that"
                                                  " are both secret or both not")
    references = _references(rest)
    _foreign_keys(kind, name, references, ctx)
    return statement_info(DDL, tables + references, ctx)


def _declassify_check(kind: str, old: Name, new: Name, ctx: Ctx) -> None:
    if ctx.secret(old) and not ctx.secret(new):
        raise Refusal(kind, f"it would rename secret table {ctx.show([old])} to the non-secret name"
                      f" {ctx.show([new])}, exposing its rows to anyone who may read non-secret tables",
                      tables=[old, new],
                      hint=f"keep a secret prefix ({ctx.prefixes_text()}) on the new name")


def _rename_table(toks: list[Tok], i: int, ctx: Ctx) -> StatementInfo:
    kind = "RENAME TABLE"
    i = _skip_if_exists(toks, i)
    tables: list[Name] = []
    pairs = split_commas(toks[i:])
    for pair in pairs:
        old, j = _need_name(pair, 0, kind)
        if j < len(pair) and pair[j].w("NOWAIT"):
            j += 1
        elif j + 1 < len(pair) and pair[j].w("WAIT") and pair[j + 1].kind == "number":
            j += 2
        if j >= len(pair) or not pair[j].w("TO"):
            raise Refusal(kind, UNKNOWN, tables=[old])
        new, k = _need_name(pair, j + 1, kind)
        if k != len(pair):
            raise Refusal(kind, UNKNOWN, tables=[old, new])
        tables += [old, new]
        _declassify_check(kind, old, new, ctx)
    return statement_info(DDL, tables, ctx)


def _drop(toks: list[Tok], ctx: Ctx) -> StatementInfo:
    i = 1
    if i < len(toks) and toks[i].w("TEMPORARY"):
        i += 1
    what = _word_of(toks, i)
    if what in ("TABLE", "TABLES", "VIEW"):
        kind = f"DROP {what}"
        i = _skip_if_exists(toks, i + 1)
        names, rest = [], toks[i:]
        trailing = 0
        while trailing < len(rest) and rest[len(rest) - 1 - trailing].w("RESTRICT", "CASCADE", "NOWAIT"):
            trailing += 1
        body = rest[:len(rest) - trailing]
        if len(body) >= 2 and body[-2].w("WAIT") and body[-1].kind == "number":
            body = body[:-2]
        for part in split_commas(body):
            name, j = _need_name(part, 0, kind)
            if j != len(part):
                raise Refusal(kind, UNKNOWN, tables=[name])
            names.append(name)
        return statement_info(DDL, names, ctx)
    if what == "INDEX":
        kind = "DROP INDEX"
        i = _skip_if_exists(toks, i + 1)
        if i < len(toks) and is_name(toks[i]) and i + 1 < len(toks) and toks[i + 1].w("ON"):
            table, j = _need_name(toks, i + 2, kind)
            _options_only(toks[j:], kind, [table])
            return statement_info(DDL, [table], ctx)
        raise Refusal(kind, UNKNOWN)
    if what in ("DATABASE", "SCHEMA"):
        i = _skip_if_exists(toks, i + 1)
        if i + 1 == len(toks) and is_name(toks[i]):
            return StatementInfo(DDL)
        raise Refusal("DROP DATABASE", UNKNOWN)
    raise Refusal(f"DROP {what}".strip(), f"schema-apply drops tables, views, indexes and databases only; {UNKNOWN}")


def _options_only(toks: Sequence[Tok], kind: str, tables: Sequence[Name]) -> None:
    """``ALGORITHM [=] x``, ``LOCK [=] x``, ``WAIT n``, ``NOWAIT`` — and nothing else."""
    k = 0
    while k < len(toks):
        if toks[k].w("ALGORITHM", "LOCK"):
            k += 1
            if k < len(toks) and toks[k].p("="):
                k += 1
            if k < len(toks) and toks[k].kind == "word":
                k += 1
                continue
        elif toks[k].w("NOWAIT"):
            k += 1
            continue
        elif toks[k].w("WAIT") and k + 1 < len(toks) and toks[k + 1].kind == "number":
            k += 2
            continue
        raise Refusal(kind, UNKNOWN, tables=tables)


def _create_index(toks: list[Tok], i: int, ctx: Ctx) -> StatementInfo:
    kind = "CREATE INDEX"
    i = _skip_if_exists(toks, i, not_=True)
    level = depths(toks)
    on = next((k for k in range(i, len(toks)) if level[k] == 0 and toks[k].w("ON")), None)
    if on is None:
        raise Refusal(kind, UNKNOWN)
    table, j = _need_name(toks, on + 1, kind)
    _no_query(toks[j:], kind, ctx, [table])
    for t in toks[j:]:
        if t.w("TABLE"):
            raise Refusal(kind, UNKNOWN, tables=[table])
    return statement_info(DDL, [table], ctx)


def _database(toks: list[Tok], i: int, kind: str) -> StatementInfo:
    for t in toks[i:]:
        if t.w("SELECT", "TABLE", "VALUES") or t.p("(", ")"):
            raise Refusal(kind, UNKNOWN)
    return StatementInfo(DDL)


def _view_options(toks: Sequence[Tok], i: int) -> int | None:
    """Skip ``ALGORITHM = x``, ``DEFINER = user``, ``SQL SECURITY x``; return the index after them."""
    while i < len(toks):
        t = toks[i]
        if t.w("ALGORITHM") and i + 2 < len(toks) and toks[i + 1].p("=") and toks[i + 2].kind == "word":
            i += 3
        elif t.w("SQL") and i + 2 < len(toks) and toks[i + 1].w("SECURITY") and toks[i + 2].w("DEFINER", "INVOKER"):
            i += 3
        elif t.w("DEFINER") and i + 2 < len(toks) and toks[i + 1].p("="):
            j = i + 2
            if toks[j].w("CURRENT_USER"):
                j += 1
                if j + 1 < len(toks) and toks[j].p("(") and toks[j + 1].p(")"):
                    j += 2
            elif is_name(toks[j]) or toks[j].kind == "string":
                j += 1
                if j + 1 < len(toks) and toks[j].p("@") and (is_name(toks[j + 1]) or toks[j + 1].kind == "string"):
                    j += 2
            else:
                return None
            i = j
        else:
            return i
    return i


def _view_algorithm(options: Sequence[Tok]) -> str:
    """The ``ALGORITHM = x`` among a view's options (UNDEFINED when none is given)."""
    for k in range(len(options) - 2):
        if options[k].w("ALGORITHM") and options[k + 1].p("="):
            return options[k + 2].text.upper()
    return "UNDEFINED"


def _view(text: str, toks: list[Tok], i: int, verb: str, ctx: Ctx, algorithm: str = "UNDEFINED") -> StatementInfo:
    kind = f"{verb} VIEW"
    i = _skip_if_exists(toks, i, not_=True)
    name, i = _need_name(toks, i, kind)
    if i < len(toks) and toks[i].p("("):  # column list
        level = depths(toks)
        close = next((k for k in range(i + 1, len(toks)) if toks[k].p(")") and level[k] == level[i]), None)
        if close is None or not all(is_name(t) or t.p(",") for t in toks[i + 1:close]):
            raise Refusal(kind, UNKNOWN, tables=[name])
        i = close + 1
    if i >= len(toks) or not toks[i].w("AS") or i + 1 >= len(toks):
        raise Refusal(kind, UNKNOWN, tables=[name])
    body_toks = toks[i + 1:]
    n = len(body_toks)  # drop a trailing WITH [CASCADED | LOCAL] CHECK OPTION
    if n >= 3 and body_toks[-1].w("OPTION") and body_toks[-2].w("CHECK"):
        n -= 3 if body_toks[-3].w("WITH") else 4
        if n < 1 or not body_toks[n].w("WITH"):
            raise Refusal(kind, UNKNOWN, tables=[name])
    body_toks = body_toks[:n]
    if not body_toks:
        raise Refusal(kind, UNKNOWN, tables=[name])
    body = text[body_toks[0].start:body_toks[-1].end + 1]
    if ctx.secret(name):  # a secret view may read secret tables: its own rows are secret
        try:  # … but only a TEMPTABLE one (never written through) may read anything else
            reasons = secret_view_reasons(body, algorithm, ctx.policy, ctx.database)
        except Unreadable as why:
            raise Refusal(kind, f"view {ctx.show([name])} is updatable and the guard cannot analyse its query"
                          f" ({why}): {SECRET_VIEW_RULE}", tables=[name]) from None
        if reasons:
            raise Refusal(kind, f"view {ctx.show([name])} {'; '.join(reasons)}", tables=[name])
        try:
            _, raw = tokenize_or_refuse(body)
            read = query_tables(parse_or_refuse(body, raw))[1]
        except Refusal:  # not parseable by sqlglot: every name in it (never a string)
            read = secret_words(body_toks, ctx)
        return statement_info(DDL, [name, *read], ctx)
    if name.db is not None and (ctx.database is None or not ctx.policy.same_name(name.db, ctx.database)):
        raise Refusal(kind, f"view {ctx.show([name])} would be made in another database than this one;"
                      " schema-apply makes views in the managed database only", tables=[name])
    try:
        found = view_query_reasons(body, ctx.policy, ctx.database)
    except Unreadable as why:
        raise Refusal(kind, f"view {ctx.show([name])} is not secret-named, and the guard cannot analyse its"
                      f" query ({why}): {VIEW_RULE}", tables=[name]) from None
    if found.reasons:
        raise Refusal(kind, f"view {ctx.show([name])} {'; '.join(found.reasons)} — {VIEW_RULE}",
                      tables=[name, *found.read], hint=VIEW_HINT.format(prefixes=ctx.prefixes_text()))
    return statement_info(DDL, [name, *found.local], ctx)


VIEW_HINT = ("give the view a secret prefix ({prefixes}) if it must read such data (its readers then need"
             " access to secret objects), or build it on this database's non-secret tables only")


# --- stored programs --------------------------------------------------------------------------------

_PROGRAMS = ("TRIGGER", "PROCEDURE", "FUNCTION", "EVENT")
_ROUTINE_CHARACTERISTICS = {"COMMENT", "LANGUAGE", "SQL", "CONTAINS", "NO", "READS", "MODIFIES", "DATA", "SECURITY",
                            "DEFINER", "INVOKER"}


def program_kind(toks: Sequence[Tok]) -> str | None:
    """TRIGGER/PROCEDURE/FUNCTION/EVENT if the statement creates, drops or alters one (the kind word
    comes after OR REPLACE, DEFINER = account and AGGREGATE, in the first dozen tokens)."""
    for t in toks[1:14]:
        if t.w(*_PROGRAMS):
            return t.text
        if t.w("TABLE", "VIEW", "INDEX", "DATABASE", "SCHEMA", "USER", "ROLE", "SERVER", "TABLESPACE") or t.p("("):
            return None
    return None


def stored_program(text: str, toks: list[Tok], ctx: Ctx) -> StatementInfo:
    """CREATE TRIGGER/PROCEDURE/FUNCTION/EVENT (a compound body holds semicolons: it is read as one
    statement by the Schemafile parser, and anything after it is refused), the ALTER EVENT of a
    replacement, ALTER PROCEDURE/FUNCTION characteristics, DROP of one. A body that reads or writes
    secret tables from a non-secret program, or moves secret rows out, is refused here too."""
    verb, kind = toks[0].text, program_kind(toks)
    label = f"{verb} {kind}"
    _need_settled(label, ctx)
    if verb == "DROP":
        i = _skip_if_exists(toks, 2)
        got = name_at(toks, i) if len(toks) > 2 and toks[1].w(kind) else None
        if got is None or got[1] != len(toks) - (1 if toks[-1].p(";") else 0):
            raise Refusal(label, UNKNOWN)
        return StatementInfo(DDL)
    if verb == "ALTER" and kind in ("PROCEDURE", "FUNCTION"):
        got = name_at(toks, 2) if toks[1].w(kind) else None
        rest = toks[got[1]:] if got else []
        if got is None or not all(t.kind == "string" or t.w(*_ROUTINE_CHARACTERISTICS) for t in rest):
            raise Refusal(label, f"schema-apply alters only a routine's characteristics; {UNKNOWN}")
        return StatementInfo(DDL)
    if verb == "ALTER":  # ALTER EVENT …: read as the CREATE EVENT it amounts to
        if not any(t.w("DO") for t in toks):
            raise Refusal(label, UNKNOWN)
        text = "CREATE" + text[toks[0].end + 1:]
    tables, reasons = statement_refusals(text, ctx.policy, ctx.database)
    names = [Name(*t.split(".", 1)) if "." in t else Name(None, t) for t in tables]
    if reasons:
        raise Refusal(label, "; ".join(reasons), tables=names)
    return statement_info(DDL, names, ctx)
