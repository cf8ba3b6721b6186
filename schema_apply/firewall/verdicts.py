"""What the statement guard answers, and how it words a refusal.

An allowed statement gets a :class:`StatementInfo` (its kind — :data:`METADATA_READ`, :data:`LOCK`,
:data:`SESSION`, :data:`DDL` — and the tables it names); a refused reading raises :class:`Refusal`,
which :func:`~.statements.check` turns into :class:`~schema_apply.errors.SecretAccessRefused`. Here
too: the refusal texts every rule shares (:data:`METADATA_ONLY`, :data:`UNKNOWN`), the per-statement
context (:class:`Ctx`: the policy and the current database), the wrappers that turn an unreadable
text into a refusal, and the helpers that name the tables a refusal cites.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlglot import exp
from sqlglot.tokens import Token

from ..errors import SecretAccessRefused
from ..values import frozen
from .reading import Name, Tok, Unreadable, is_name, name_at, parse, q, tokenize, unique
from .secrecy import SecrecyPolicy

METADATA_READ = "metadata-read"
LOCK = "lock"
SESSION = "session"
DDL = "ddl"


@frozen
class StatementInfo:
    """What an allowed statement is.

    ``kind`` is one of ``"metadata-read"``, ``"lock"``, ``"session"``, ``"ddl"``. ``tables`` are the
    user tables (and views) the statement names, as written but unquoted — ``t`` or ``db.t`` — in
    order of appearance; ``secret_tables`` are those among them matching a secret prefix.
    """

    kind: str
    tables: tuple[str, ...] = ()
    secret_tables: tuple[str, ...] = ()


class Refusal(Exception):
    """Internal to the guard: why one reading of a statement is refused (made a SecretAccessRefused)."""

    def __init__(self, kind: str, reason: str, *, tables: Iterable["Name"] = (), hint: str | None = None):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.tables = unique(tables)
        self.hint = hint

    def error(self, ctx: Ctx, *, alternative: bool) -> SecretAccessRefused:
        noun = "text" if self.kind in _TEXT_KINDS else "statement"
        message = f"refused {self.kind} {noun}: {self.reason}"
        if alternative:
            message += (" (this is how the server reads the statement under some server versions or"
                        " sql_mode settings: executable /*! */ comments, ANSI_QUOTES or"
                        " NO_BACKSLASH_ESCAPES)")
        error = SecretAccessRefused(message, hint=self.hint)
        error.statement_kind = self.kind  # type: ignore[attr-defined]
        error.tables = tuple(str(t) for t in self.tables)  # type: ignore[attr-defined]
        error.secret_tables = tuple(str(t) for t in self.tables if ctx.secret(t))  # type: ignore[attr-defined]
        return error


_TEXT_KINDS = {"multi-statement", "empty", "unclassifiable", "unrecognised"}


@frozen
class Ctx:
    """The policy and the connection's current database, for one statement."""

    policy: SecrecyPolicy
    database: str | None

    def secret(self, name: Name) -> bool:
        return self.policy.is_secret(name.table)

    def show(self, names: Iterable[Name]) -> str:
        """Names for a message: backquoted, qualified with the current database when known."""
        out = []
        for name in unique(names):
            db = name.db or self.database
            out.append(f"{q(db)}.{q(name.table)}" if db else q(name.table))
        return ", ".join(out)

    def prefixes_text(self) -> str:
        return self.policy.prefixes_text()


def statement_info(kind: str, tables: Iterable[Name], ctx: Ctx) -> StatementInfo:
    """The answer for an allowed statement of ``kind`` naming ``tables`` (each once, the secret ones marked)."""
    names = unique(tables)
    return StatementInfo(kind, tuple(str(t) for t in names), tuple(str(t) for t in names if ctx.secret(t)))


def tokenize_or_refuse(text: str) -> tuple[list[Tok], list[Token]]:
    try:
        return tokenize(text)
    except Unreadable as why:
        raise Refusal("unclassifiable", f"{why}; {UNKNOWN}") from None


def parse_or_refuse(text: str, raw: Sequence[Token]) -> exp.Expr:
    try:
        return parse(text, raw)
    except Unreadable as why:
        raise Refusal("query", str(why)) from None


METADATA_ONLY = ("schema-apply reads metadata only (information_schema, SHOW CREATE) and sends DDL; it"
                 " never reads or writes rows of user tables, and a plain table name may be a view"
                 " over a secret table")
UNKNOWN = ("the guard allows only metadata reads, session settings, the apply lock and DDL, and"
           " refuses anything it cannot classify with certainty")


def refuse_rows(kind: str, ctx: Ctx, tables: Sequence[Name], what: str = "reads rows of") -> Refusal:
    secrets = [t for t in tables if ctx.secret(t)]
    if secrets:
        return Refusal(kind, f"it {what} secret table {ctx.show(secrets)} (matching secret prefix"
                       f" {ctx.prefixes_text()}); rows of secret tables are never read",
                       tables=tables,
                       hint="schema-apply needs no rows: read metadata from information_schema or"
                            " SHOW CREATE TABLE instead")
    named = f" {ctx.show(tables)}" if tables else ""
    return Refusal(kind, f"it {what} table{named}: {METADATA_ONLY}", tables=tables)


def secret_words(toks: Sequence[Tok], ctx: Ctx) -> list[Name]:
    """Every name (never a string) matching a secret prefix, qualified where written so."""
    out = []
    for k, t in enumerate(toks):
        if is_name(t) and ctx.secret(Name(None, t.raw)):
            qualified = k >= 2 and toks[k - 1].p(".") and is_name(toks[k - 2])
            out.append(Name(toks[k - 2].raw if qualified else None, t.raw))
    return list(unique(out))


def mentioned_tables(text: str, toks: Sequence[Tok], raw: Sequence[Token]) -> list[Name]:
    """Best effort, for messages: the tables a refused statement names."""
    try:
        tree = parse_or_refuse(text, raw)
        names = [Name(t.db or None, t.name) for t in tree.find_all(exp.Table) if t.name]
    except Refusal:
        names = []
    if not names:
        keys = {"FROM", "JOIN", "UPDATE", "INTO", "TABLE", "TABLES", "HANDLER", "STRAIGHT_JOIN", "USING"}
        for k, t in enumerate(toks[:-1]):
            if t.w(*keys) or (t.p(",") and names):
                got = name_at(toks, k + 1)
                if got and toks[k + 1].text not in ("SELECT", "TABLE", "VALUES", "WITH"):
                    names.append(got[0])
    return list(unique(names))
