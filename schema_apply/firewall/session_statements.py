"""The guard's rules for the session's own statements: ``SET``, ``SHOW``, transaction control and
``KILL`` — read from the token stream, never parsed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .query_statements import check_expressions
from .reading import Name, Tok, is_name, name_at, split_commas
from .verdicts import LOCK, METADATA_READ, SESSION, UNKNOWN, Ctx, Refusal, StatementInfo, statement_info

def set_statement(toks: list[Tok], ctx: Ctx) -> StatementInfo:
    kind = SESSION
    for part in split_commas(toks[1:]):
        if not part:
            raise Refusal("SET", UNKNOWN)
        i = 0
        if part[0].w("GLOBAL", "PERSIST", "PERSIST_ONLY"):
            raise Refusal("SET", "it changes a server-wide setting; schema-apply sets session variables only")
        if part[0].w("SESSION", "LOCAL"):
            i = 1
        if i < len(part) and part[i].w("NAMES"):
            rest = part[i + 1:]
            ok = (len(rest) == 1 and (is_name(rest[0]) or rest[0].kind == "string")) or (
                len(rest) == 3 and rest[1].w("COLLATE") and all(is_name(r) or r.kind == "string"
                                                                for r in (rest[0], rest[2])))
            if not ok:
                raise Refusal("SET", UNKNOWN)
            continue
        if i + 1 < len(part) and part[i].w("CHARACTER") and part[i + 1].w("SET"):
            i += 1
        if i < len(part) and part[i].w("CHARSET", "SET") and i + 2 == len(part):
            continue
        # the variable: name | @@[session.|local.]name | @user_var
        target = part[i:]
        if target and target[0].p("@@"):
            target = target[1:]
            if len(target) >= 2 and target[0].w("GLOBAL", "PERSIST", "PERSIST_ONLY") and target[1].p("."):
                raise Refusal("SET", "it changes a server-wide setting; schema-apply sets session variables only")
            if len(target) >= 2 and target[0].w("SESSION", "LOCAL") and target[1].p("."):
                target = target[2:]
        elif target and target[0].p("@"):
            target = target[1:]
            if target and target[0].kind == "string":
                target = [Tok("ident", target[0].text, target[0].raw, target[0].start, target[0].end)] + target[1:]
        if len(target) < 3 or not is_name(target[0]) or not target[1].p("=", ":="):
            raise Refusal("SET", UNKNOWN)
        if target[0].w("PASSWORD", "ROLE", "TRANSACTION", "STATEMENT", "DEFAULT"):
            raise Refusal("SET", UNKNOWN)
        if check_expressions(target[2:], "SET", ctx) == LOCK:
            kind = LOCK
    return StatementInfo(kind)


_SHOW_CREATE = {"TABLE", "VIEW", "DATABASE", "SCHEMA", "TRIGGER", "PROCEDURE", "FUNCTION", "EVENT", "SEQUENCE"}


def show_statement(toks: list[Tok], ctx: Ctx) -> StatementInfo:
    rest = toks[1:]
    words = [t.text if t.kind == "word" else "" for t in rest]

    def tail(i: int) -> None:
        """What may follow: nothing, LIKE 'pattern', or WHERE expression."""
        if i >= len(rest):
            return
        if rest[i].w("LIKE") and len(rest) == i + 2 and rest[i + 1].kind == "string":
            return
        if rest[i].w("WHERE") and len(rest) > i + 1:
            check_expressions(rest[i + 1:], "SHOW", ctx)
            return
        raise Refusal("SHOW", UNKNOWN)

    if words[:1] == ["CREATE"] and len(rest) >= 2:
        what = words[1]
        if what in _SHOW_CREATE:
            i = 2
            if what in ("DATABASE", "SCHEMA") and words[2:5] == ["IF", "NOT", "EXISTS"]:
                i = 5
            got = name_at(rest, i)
            if got and got[1] == len(rest):
                return statement_info(METADATA_READ, [got[0]] if what in ("TABLE", "VIEW", "SEQUENCE") else [], ctx)
        if what == "USER":
            raise Refusal("SHOW CREATE USER", "it shows password hashes; " + UNKNOWN)
        raise Refusal("SHOW CREATE", UNKNOWN)
    if words[:1] and words[0] in ("GLOBAL", "SESSION", "LOCAL"):
        if words[1:2] == ["VARIABLES"]:
            tail(2)
            return StatementInfo(METADATA_READ)
        raise Refusal("SHOW", UNKNOWN)
    first = words[0] if words else ""
    if first == "VARIABLES" or first in ("DATABASES", "SCHEMAS", "COLLATION") or words[:2] == ["CHARACTER", "SET"] \
            or first == "CHARSET":
        tail(2 if words[:2] == ["CHARACTER", "SET"] else 1)
        return StatementInfo(METADATA_READ)
    if first == "ENGINES" and len(rest) == 1 or words[:2] == ["STORAGE", "ENGINES"] and len(rest) == 2:
        return StatementInfo(METADATA_READ)
    if first in ("WARNINGS", "ERRORS"):
        if len(rest) == 1 or (words[1:2] == ["LIMIT"] and all(t.kind == "number" or t.p(",") for t in rest[2:])
                              and len(rest) > 2):
            return StatementInfo(METADATA_READ)
        raise Refusal("SHOW", UNKNOWN)
    if first == "GRANTS":
        if len(rest) == 1:
            return StatementInfo(METADATA_READ)
        if words[1:2] == ["FOR"] and len(rest) >= 3:
            user = rest[2:]
            if user[0].w("CURRENT_USER") and (len(user) == 1 or (len(user) == 3 and user[1].p("(") and user[2].p(")"))):
                return StatementInfo(METADATA_READ)
            if len(user) in (1, 3) and all(is_name(u) or u.kind == "string" for u in user[::2]) \
                    and (len(user) == 1 or user[1].p("@")):
                return StatementInfo(METADATA_READ)
        raise Refusal("SHOW GRANTS", UNKNOWN)
    j = 0
    if words[j:j + 1] == ["EXTENDED"]:
        j += 1
    if words[j:j + 1] == ["FULL"]:
        j += 1
    if words[j:j + 1] == ["TABLES"]:
        j += 1
        if words[j:j + 1] in (["FROM"], ["IN"]):
            if not is_name(rest[j + 1] if j + 1 < len(rest) else None):
                raise Refusal("SHOW TABLES", UNKNOWN)
            j += 2
        tail(j)
        return StatementInfo(METADATA_READ)
    if words[j:j + 1] and words[j] in ("COLUMNS", "FIELDS", "INDEX", "INDEXES", "KEYS"):
        tables = _show_target(rest, j + 1)
        on = f" (on {ctx.show(tables)})" if tables else ""
        raise Refusal(f"SHOW {words[j]}", f"schema-apply reads columns and indexes from information_schema{on}"
                      " (SHOW COLUMNS/INDEX need privileges on the table, and SHOW INDEX shows cardinality"
                      " estimates derived from rows)", tables=tables)
    if words[:2] == ["TABLE", "STATUS"]:
        raise Refusal("SHOW TABLE STATUS", "it shows row counts, AUTO_INCREMENT counters and data sizes,"
                      " which are never shown for secret tables; " + UNKNOWN)
    shown = " ".join(w for w in words[:2] if w) or "…"
    raise Refusal(f"SHOW {shown}", "it is not among the SHOW statements schema-apply uses; " + UNKNOWN)


def _show_target(rest: Sequence[Tok], i: int) -> list[Name]:
    if i < len(rest) and rest[i].w("FROM", "IN"):
        got = name_at(rest, i + 1)
        if got:
            name, j = got
            if j + 1 < len(rest) and rest[j].w("FROM", "IN") and is_name(rest[j + 1]):
                name = Name(rest[j + 1].raw, name.table)
            return [name]
    return []


def transaction(toks: list[Tok]) -> StatementInfo:
    words = [t.text if t.kind == "word" else "?" for t in toks]
    allowed = (["COMMIT"], ["COMMIT", "WORK"], ["ROLLBACK"], ["ROLLBACK", "WORK"], ["BEGIN"], ["BEGIN", "WORK"],
               ["START", "TRANSACTION"], ["START", "TRANSACTION", "READ", "ONLY"],
               ["START", "TRANSACTION", "READ", "WRITE"],
               ["START", "TRANSACTION", "WITH", "CONSISTENT", "SNAPSHOT"])
    if words in allowed:
        return StatementInfo(SESSION)
    raise Refusal(words[0], UNKNOWN)


def kill(toks: list[Tok]) -> StatementInfo:
    """``KILL [QUERY | CONNECTION] <id>``: stops a statement or session; reads nothing."""
    rest = toks[1:]
    if rest and rest[0].w("QUERY", "CONNECTION"):
        rest = rest[1:]
    if len(rest) == 1 and re.fullmatch(r"[0-9]+", rest[0].raw):
        return StatementInfo(SESSION)
    raise Refusal("KILL", f"only KILL [QUERY | CONNECTION] <connection id> is allowed; {UNKNOWN}")
