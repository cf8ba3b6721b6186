"""One seed of the DDL generator (tests/ddlgen.py) against the real server.

``check_seed(server, seed)`` loads the generated schema into a scratch database (statements the
server rejects are dropped: the generator's problem), then checks:

- oracle: the model parsed from the SQL equals the model introspected;
- plan: ``plan`` with the same SQL as Schemafile exits 0;
- create: ``apply`` of the SQL to an empty database exits 0, the server says nothing the model did
  not predict, and ``plan`` then exits 0;
- converge: a mutated version (``ddlgen.mutate``) applies to the loaded database the same way and
  plans clean afterwards (and is itself oracle-checked).

It returns a ``SeedResult`` with one ``Failure`` (check, signature, detail) per problem found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
import tempfile

import pymysql

from schema_apply.normalize import normalize
from schema_apply.errors import SchemaApplyError
from schema_apply.introspect import introspect
from schema_apply.model import differences
from schema_apply.parse.schemafile import parse_text

import ddlgen
from conftest import Databases, guarded, run_cli


@dataclass
class Failure:
    check: str
    signature: str
    detail: str

    follows: str | None = None  # the known class a failure is a consequence of (see _attribute)

    @property
    def known(self) -> str | None:
        """The known limit this failure is an instance or a consequence of (README: known limits), or None."""
        if self.follows:
            return self.follows
        first = self.detail.split("\n", 1)[0]
        for reason, pattern in KNOWN:
            if re.search(pattern, first if self.check == "oracle" else self.signature + "\n" + self.detail):
                return reason
        return None


# Failure classes found and left (README: known limits): (reason, pattern on the oracle's first
# difference line, or on a command's signature and output).
KNOWN = [
    ("server refuses ALTER … MODIFY between some types (INET6/INET4/UUID and others) even on an empty table",
     r"Cannot cast '"),
    ("TEXT/BLOB default written with a character set introducer is kept as written (_utf8mb4'x')",
     r"default\.(kind|value|expr).*_utf8mb4'|default\.expr: None != Expr\(sql=\"_\w+'"),
    ("TEXT/BLOB/BINARY default with a character outside the BMP reads back as ???? from information_schema",
     r"default\.value: '[^']*[\U00010000-\U0010FFFF]"),
    ("KEY_BLOCK_SIZE on an index is refused by the parser (clear error)", r"KEY_BLOCK_SIZE on an index"),
    ("a CHECK in a table of a narrow character set is printed back with its constants folded (1e6 -> 1000000)",
     r"checks\[\d+\]\.expr\.canon: .*num:\d+e\d"),
    ("`a || b` (OR without PIPES_AS_CONCAT) is printed back as `a <> 0 or b`", r"generated\.expr\.canon: 'or\("),
    ("ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=1: the server refuses the rendered CREATE (row size) it took as written",
     r"Row size too large"),
]


@dataclass
class SeedResult:
    seed: int
    statements: int = 0
    rejected: int = 0
    rejected_codes: dict = field(default_factory=dict)
    load_warnings: list = field(default_factory=list)
    failures: list = field(default_factory=list)


def _load(server, db: str, tables: list[ddlgen.GenTable], result: SeedResult | None) -> list[ddlgen.GenTable]:
    """Run each CREATE TABLE in order (foreign key checks on: a table that references a rejected one
    is rejected too); return the accepted tables."""
    accepted = []
    conn = server.connect(db)
    try:
        with conn.cursor() as cur:
            names = set()
            for t in tables:
                if any(f"REFERENCES `{ref}`" in fk for fk in t.foreign_keys for ref in
                       {m for m in (x.name for x in tables) if m not in names}):
                    continue  # references a rejected table (MyISAM would take it: the Schemafile would not)
                try:
                    _create(cur, t)
                except pymysql.err.MySQLError as exc:
                    if result is not None:
                        result.rejected += 1
                        code = exc.args[0]
                        result.rejected_codes[code] = result.rejected_codes.get(code, 0) + 1
                    continue
                accepted.append(t)
                names.add(t.name)
                if result is not None:
                    cur.execute("SHOW WARNINGS")
                    result.load_warnings += [f"{level} {code}: {msg}" for level, code, msg in cur.fetchall()]
    finally:
        conn.close()
    return accepted


def _create(cur, t: ddlgen.GenTable) -> None:
    """CREATE TABLE ``t``; a default the server finds invalid is dropped (a few times) rather than
    the whole table."""
    for _ in range(6):
        try:
            cur.execute(t.sql())
            return
        except pymysql.err.MySQLError as exc:
            m = re.match(r"Invalid default value for '(.*)'$", str(exc.args[1]))
            col = next((c for c in t.columns if m and c.name == m.group(1) and c.default_sql), None)
            if col is None:
                raise
            col.default_sql = ""
            if col.invisible and not col.nullable:
                col.invisible = False
    cur.execute(t.sql())


def _signature(diff_line: str) -> str:
    path = diff_line.split(":", 1)[0]
    return re.sub(r"\[\d+\]", "[]", path)


def _oracle(server, db: str, sql: str) -> list[str]:
    with guarded(server, db) as conn:
        live = introspect(conn, db)
    try:
        parsed = parse_text(sql, "gen.sql", live.flavor.server)
        declared = normalize(parsed.schema, live.flavor, database=db)
    except SchemaApplyError as exc:
        return [f"parse: {type(exc).__name__}: {exc}"]
    if declared == live.schema:
        return []
    return differences(declared, live.schema) or ["(unequal, no field differs)"]


def _cli_failure(check: str, res, db_url_args) -> Failure:
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    key = next((ln for ln in lines if ln.startswith(("error", "warning: the server", "  ["))), lines[0] if lines else "")
    key = re.sub(r"`[^`]*`|'[^']*'|\d+", "?", key)[:120]
    return Failure(check, f"{check}: exit {res.exit_code}: {key}", res.output[-4000:])


def _plan_apply(server, db: str, sql: str, check: str, tmp: Path) -> list[Failure]:
    f = tmp / f"{check}.sql"
    f.write_text(sql, encoding="utf-8")
    args = ["--schema-file", str(f), "--database-url", server.url(db), "--allow-drop"]
    out = []
    if check != "plan":
        res = run_cli("apply", *args)
        if res.exit_code != 0 or "warning: the server" in res.stderr:
            out.append(_cli_failure(check + "-apply", res, args))
            if res.exit_code != 0:
                return out
    res = run_cli("plan", *args)
    if res.exit_code != 0 or "warning" in res.stderr:
        out.append(_cli_failure(check + "-plan", res, args))
    return out


def check_seed(server, seed: int, *, checks=("oracle", "plan", "create", "converge")) -> SeedResult:
    result = SeedResult(seed)
    tables = ddlgen.generate(seed)
    result.statements = len(tables)
    dbs = Databases(server)
    try:
        with tempfile.TemporaryDirectory() as tmpname:
            tmp = Path(tmpname)
            a = dbs.new(prefix="sa_gen")
            accepted = _load(server, a, tables, result)
            if not accepted:
                return result
            sql = ddlgen.schema_sql(accepted)
            if "oracle" in checks:
                for d in _oracle(server, a, sql):
                    result.failures.append(Failure("oracle", "oracle: " + _signature(d), d + "\n" + sql))
            if "plan" in checks:
                result.failures += _plan_apply(server, a, sql, "plan", tmp)
            if "create" in checks:
                result.failures += _plan_apply(server, dbs.new(prefix="sa_gen"), sql, "create", tmp)
            if "converge" in checks:
                names = {t.name: t for t in accepted}
                mutated = ddlgen.mutate(accepted, seed)
                b = dbs.new(prefix="sa_gen")
                ok = {t.name for t in _load(server, b, mutated, None)}
                if ok != set(names):  # a mutation the server rejects: keep that table as it was
                    mutated = [t if t.name in ok else names[t.name] for t in mutated]
                    dbs.drop_all()
                    dbs.created = [x for x in dbs.created if x != b]
                    b = dbs.new(prefix="sa_gen")
                    a = dbs.new(prefix="sa_gen")
                    _load(server, a, accepted, None)
                    if {t.name for t in _load(server, b, mutated, None)} != set(names):
                        return result
                msql = ddlgen.schema_sql(mutated)
                if "oracle" in checks:
                    for d in _oracle(server, b, msql):
                        result.failures.append(Failure("oracle", "oracle: " + _signature(d), d + "\n" + msql))
                fails = _plan_apply(server, a, msql, "converge", tmp)
                for f in fails:
                    f.detail = f"--- from\n{sql}\n--- to\n{msql}\n--- output\n{f.detail}"
                result.failures += fails
    finally:
        dbs.drop_all()
    _attribute(result.failures)
    return result


def _attribute(failures: list[Failure]) -> None:
    """A known oracle difference drags others along: the other fields of the same column, and the
    plan, apply and convergence checks of that seed (when no oracle difference is new)."""
    known_paths = {}
    for f in failures:
        if f.check == "oracle" and f.known:
            m = re.match(r"(\.tables\[\d+\]\.(?:columns|indexes|checks)\[\d+\])", f.detail)
            if m:
                known_paths[m.group(1)] = f.known
    for f in failures:
        m = re.match(r"(\.tables\[\d+\]\.(?:columns|indexes|checks)\[\d+\])", f.detail)
        if f.check == "oracle" and not f.known and m and m.group(1) in known_paths:
            f.follows = known_paths[m.group(1)]
    oracle = [f for f in failures if f.check == "oracle"]
    if oracle and all(f.known for f in oracle):
        for f in failures:
            if f.check != "oracle" and not f.known:
                f.follows = oracle[0].known
