"""CREATE TRIGGER / PROCEDURE / FUNCTION / EVENT in a Schemafile -> model.

The header is read token by token like the rest of the grammar (names,
timing, parameters and their types, characteristics, the schedule); the body
is kept as written, for sending, and as its tokens, for comparing: the server
stores the body's text, so comments, spacing and the versioned comments this
server skips do not count (``body_from_tokens``, ``body_from_server``).

The SET statements that mysqldump writes around stored programs
(``SET sql_mode = …``, ``SET character_set_client = …``, ``SET
collation_connection = …``, ``SET time_zone = …``, saved in and restored from
user variables) decide the settings each program is created with, as they
would in the mysql client: ``ProgramReader`` keeps track of them.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import field, replace
from typing import Callable

from sqlglot.tokens import TokenType

from ..errors import ParseError
from ..model import ColumnType, Event, Expr, Parameter, ProgramSettings, Routine, Schedule, Trigger, key
from ..sql.lexer import Token
from ..sql.quoting import quote_ident, quote_string
from ..values import mutable
from . import compound
from .lexer import Cursor, Statement, blank_versioned_comments, tokenize

DataType = Callable[[Cursor], tuple[ColumnType, dict]]

_DATA_ACCESS = {("CONTAINS", "SQL"): "CONTAINS SQL", ("NO", "SQL"): "NO SQL",
                ("READS", "SQL", "DATA"): "READS SQL DATA", ("MODIFIES", "SQL", "DATA"): "MODIFIES SQL DATA"}
_SIMPLE_UNITS = ("YEAR", "QUARTER", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND")
_COMPOUND_UNITS = {  # unit -> (parts, seconds or months per part, separators)
    "YEAR_MONTH": (("Y", "M"), (12, 1), "-"),
    "DAY_HOUR": (("D", "H"), (86400, 3600), " "),
    "DAY_MINUTE": (("D", "H", "M"), (86400, 3600, 60), " :"),
    "DAY_SECOND": (("D", "H", "M", "S"), (86400, 3600, 60, 1), " ::"),
    "HOUR_MINUTE": (("H", "M"), (3600, 60), ":"),
    "HOUR_SECOND": (("H", "M", "S"), (3600, 60, 1), "::"),
    "MINUTE_SECOND": (("M", "S"), (60, 1), ":"),
}
# Session variables that decide how a stored program is stored, by their names in SET.
_SETTING_NAMES = {"SQL_MODE": "sql_mode", "CHARACTER_SET_CLIENT": "client_charset",
                  "COLLATION_CONNECTION": "collation", "TIME_ZONE": "time_zone"}


# --------------------------------------------------------------------------
# Bodies: the text to send, the tokens to compare
# --------------------------------------------------------------------------

def _token_canon(tok: Token) -> str:
    t = tok.token_type
    if t == TokenType.STRING:
        return quote_string(tok.text)
    if t == TokenType.IDENTIFIER:
        return quote_ident(tok.text)
    if t in (TokenType.NATIONAL_STRING, TokenType.HEX_STRING, TokenType.BIT_STRING, TokenType.BYTE_STRING,
             TokenType.RAW_STRING):
        return f"{t.name}:{quote_string(tok.text)}"
    return tok.text


def body_canon(tokens: list[Token]) -> str:
    """The compared form of a body: its tokens, one space apart (no comments, no spacing)."""
    return " ".join(_token_canon(t) for t in tokens)


def body_from_server(text: str, server: tuple[str, tuple[int, int, int]] | None) -> Expr:
    """A body as information_schema shows it (ACTION_STATEMENT, ROUTINE_DEFINITION,
    EVENT_DEFINITION) -> Expr. A trailing unmatched ``*/`` (mysqldump's ``/*!50003 … */``
    wrapper, which some servers keep) is not part of it."""
    body = text.strip()
    if body.endswith("*/") and "/*" not in body:
        body = body[:-2].rstrip()
    try:
        tokens, _ = tokenize(blank_versioned_comments(body, server))
    except ParseError:
        return Expr(body, " ".join(body.split()))
    return Expr(body, body_canon(tokens))


# --------------------------------------------------------------------------
# Settings (sql_mode, character sets, time zone) as the file sets them
# --------------------------------------------------------------------------

_UNKNOWN = object()  # a user variable set to an expression: its value cannot be told


@mutable
class _Session:
    values: dict[str, str | None] = field(default_factory=dict)  # sql_mode, client_charset, collation, time_zone
    saved: dict[str, object] = field(default_factory=dict)  # user variables (lower-case names), or _UNKNOWN
    # settings set to a value that cannot be told (an expression), and where: refused only when a
    # stored program keeps them, pointing at the SET that made them so
    unknown: dict[str, tuple[str, str, int, int, str]] = field(default_factory=dict)

    def refuse_unknown(self, program: str, *, event: bool = False) -> None:
        for setting, (target, file, line, column, found) in self.unknown.items():
            if event or setting != "time_zone":  # only an event keeps the time zone
                raise ParseError(f"cannot tell the value {target} is set to, and {program} is created under it;"
                                 f" write it as a quoted string, found {found!r}", file=file, line=line, column=column)

    def settings(self, *, event: bool = False) -> ProgramSettings:
        mode = self.values.get("sql_mode")
        return ProgramSettings(
            sql_mode=tuple(p for p in mode.upper().split(",") if p) if mode is not None else None,
            client_charset=self.values.get("client_charset"), collation=self.values.get("collation"),
            time_zone=self.values.get("time_zone") if event else None)


# --------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------

_NOT_SESSION_SETTINGS = ("TRANSACTION", "PASSWORD", "ROLE", "DEFAULT", "GLOBAL", "PERSIST", "PERSIST_ONLY",
                         "STATEMENT")


class ProgramReader:
    """The stored programs of one Schemafile, and the session settings they are created under.

    ``statement`` reads a statement if it is one of its own (CREATE or DROP IF EXISTS of a
    trigger, routine or event, or a SET) and says whether it did."""

    def __init__(self, file: str, data_type: DataType, database: Callable[[], str | None]):
        self.file = file
        self._data_type = data_type
        self._database = database
        self.triggers: dict[str, Trigger] = {}
        self.routines: dict[tuple[str, str], Routine] = {}
        self.events: dict[str, Event] = {}
        self.session = _Session()

    def statement(self, stmt: Statement) -> bool:
        c = Cursor(stmt)
        first = c.word()
        if first == "SET":
            self._set(c)
            return True
        if first == "SELECT":  # SELECT … INTO @var: a value for a later SET that cannot be told
            names = _into_user_variables(c)
            for name in names or ():
                self.session.saved[name] = _UNKNOWN
            return names is not None
        if first == "DROP" and c.word(1) in compound.STORED_PROGRAM_KINDS and c.at("DROP", c.word(1), "IF", "EXISTS"):
            return True  # mysqldump writes these before each CREATE; the Schemafile is declarative anyway
        if first != "CREATE":
            return False
        found = compound.program_kind(stmt.words, stmt.tokens, 0, len(stmt.tokens))
        if found is None:
            return False
        kind, at = found
        c.obj = f"{kind.lower()} {stmt.tokens[at + 1].text if at + 1 < len(stmt.tokens) else ''}".strip()
        c.expect("CREATE")
        c.accept("OR", "REPLACE")
        definer = None
        if c.accept("DEFINER"):
            c.accept_eq()
            definer = self._account(c)
        if c.at("AGGREGATE"):
            c.unsupported("CREATE AGGREGATE FUNCTION")
        c.expect(kind)
        c.accept("IF", "NOT", "EXISTS")
        if kind == "TRIGGER":
            self._trigger(c, definer)
        elif kind == "EVENT":
            self._event(c, definer)
        else:
            self._routine(c, kind, definer)
        return True

    # -- pieces -----------------------------------------------------------------

    def _account(self, c: Cursor) -> str | None:
        """DEFINER = user@host -> 'user@host' (as information_schema writes it); CURRENT_USER -> None."""
        if c.accept("CURRENT_USER"):
            if c.at_type(TokenType.L_PAREN):
                c.balanced()
            return None
        user = c.ident("a string or a user name")
        host = "%"  # 'u@h' quoted whole is the user u@h on any host, as the server reads it
        if c.at_type(TokenType.PARAMETER) and c.peek().text == "@":
            c.next()
            first = c.next()
            host = first.text
            prev = first
            while c.peek() is not None and c.peek().start == prev.end + 1 and c.peek().token_type in (
                    TokenType.DOT, TokenType.NUMBER, TokenType.VAR, TokenType.DASH):
                prev = c.next()
                host += prev.text
        return f"{user}@{host}"

    def _name(self, c: Cursor, what: str) -> str:
        schema, name = c.qualified_name(what)
        database = self._database()
        if schema is not None and database is not None and schema != database:
            c.fail(f"{what.removeprefix('a ').removeprefix('the ')} {schema}.{name} belongs to another database")
        return name

    def _body(self, c: Cursor) -> Expr:
        """The rest of the statement is the body (the lexer found where it ends)."""
        stmt = c.stmt
        start = c.pos
        if start >= len(stmt.tokens):
            c.fail("expected the body")
        kind, at = compound.program_kind(stmt.words, stmt.tokens, 0, len(stmt.tokens))
        if compound.body_start(kind, stmt.tokens, stmt.words, at, len(stmt.tokens)) != start:
            c.fail("unexpected text before the body")
        last = len(stmt.tokens) - 1
        return Expr(stmt.raw(start, last), body_canon(stmt.tokens[start:]))

    def _settings(self, c: Cursor, *, event: bool = False) -> ProgramSettings:
        """The settings the program is created under; its text must survive the client character set."""
        self.session.refuse_unknown(c.obj, event=event)
        settings = self.session.settings(event=event)
        charset = (settings.client_charset or "utf8mb4").lower()
        if charset not in ("utf8mb4", "utf8mb3", "utf8") and not c.stmt.raw(0, len(c.tokens) - 1).isascii():
            c.unsupported(f"a stored program with non-ASCII text under character_set_client {charset}", tok=c.tokens[0],
                          hint="schema-apply sends statements in UTF-8; SET NAMES utf8mb4 before it")
        return settings

    # -- CREATE TRIGGER -----------------------------------------------------------

    def _trigger(self, c: Cursor, definer: str | None) -> None:
        line = c.line()
        name = self._name(c, "a trigger name")
        c.obj = f"trigger {name}"
        timing = c.word()
        if timing not in ("BEFORE", "AFTER"):
            c.fail("expected BEFORE or AFTER")
        c.next()
        event = c.word()
        if event not in ("INSERT", "UPDATE", "DELETE"):
            c.fail("expected INSERT, UPDATE or DELETE")
        c.next()
        c.expect("ON")
        table = self._name(c, "a table name")
        c.expect("FOR", "EACH", "ROW")
        follows = None
        if c.word() in ("FOLLOWS", "PRECEDES"):
            how = c.next().text.upper()
            follows = (how, c.ident("a trigger name"))
        body = self._body(c)
        if name in self.triggers:
            c.fail(f"trigger {name} is declared twice (first at line {self.triggers[name].line})", tok=c.tokens[0])
        self.triggers[name] = Trigger(name, table, timing, event, body, 0, self._settings(c), definer, follows, line)

    # -- CREATE PROCEDURE / FUNCTION ---------------------------------------------------

    def _routine(self, c: Cursor, kind: str, definer: str | None) -> None:
        line = c.line()
        name = self._name(c, f"a {kind.lower()} name")
        c.obj = f"{kind.lower()} {name}"
        parameters: list[Parameter] = []
        if c.at_type(TokenType.L_PAREN) and c.at_type(TokenType.R_PAREN, 1):
            c.pos += 2
        else:
            parameters = c.parenthesized(lambda: self._parameter(c, kind), "the parameters")
        names = [key(p.name) for p in parameters]
        if len(set(names)) != len(names):
            c.fail("a parameter name is used twice", tok=c.tokens[0])
        returns = None
        if kind == "FUNCTION":
            c.expect("RETURNS")
            ctype, attrs = self._data_type(c)
            returns = Parameter("", ctype, "", attrs.get("charset"), attrs.get("collation"))
        deterministic, access, security, comment = False, "CONTAINS SQL", "DEFINER", ""
        while True:
            if c.accept("COMMENT"):
                comment = c.string("the comment text")
            elif c.accept("LANGUAGE"):
                c.expect("SQL")
            elif c.accept("NOT", "DETERMINISTIC"):
                deterministic = False
            elif c.accept("DETERMINISTIC"):
                deterministic = True
            elif c.at("SQL", "SECURITY"):
                c.pos += 2
                security = c.word()
                if security not in ("DEFINER", "INVOKER"):
                    c.fail("expected DEFINER or INVOKER")
                c.next()
            else:
                for words, value in _DATA_ACCESS.items():
                    if c.accept(*words):
                        access = value
                        break
                else:
                    break
        body = self._body(c)
        routine = Routine(kind, name, tuple(parameters), body, returns, deterministic, access, security, comment,
                          self._settings(c), definer, line)
        if routine.key in self.routines:
            c.fail(f"{kind.lower()} {name} is declared twice (first at line {self.routines[routine.key].line})",
                   tok=c.tokens[0])
        self.routines[routine.key] = routine

    def _parameter(self, c: Cursor, kind: str) -> Parameter:
        mode = "IN"
        if c.word() in ("IN", "OUT", "INOUT") and c.peek(1) is not None and c.peek(2) is not None \
                and c.peek(2).token_type not in (TokenType.COMMA, TokenType.R_PAREN, TokenType.L_PAREN):
            mode = c.next().text.upper()
            if kind == "FUNCTION" and mode != "IN":
                c.fail("a function's parameters are IN parameters", tok=c.peek(-1))
        name = c.ident("a parameter name")
        ctype, attrs = self._data_type(c)
        return Parameter(name, ctype, mode, attrs.get("charset"), attrs.get("collation"))

    # -- CREATE EVENT --------------------------------------------------------------

    def _event(self, c: Cursor, definer: str | None) -> None:
        line = c.line()
        name = self._name(c, "an event name")
        c.obj = f"event {name}"
        c.expect("ON", "SCHEDULE")
        at = every = unit = starts = ends = starts_sql = None
        if c.accept("AT"):
            at = self._time(c, "AT", relative_ok=False)
        elif c.accept("EVERY"):
            every, unit = self._interval(c)
            if c.accept("STARTS"):
                first = c.pos
                starts = self._time(c, "STARTS", relative_ok=True)
                if starts is None:
                    starts_sql = c.stmt.raw(first, c.pos - 1)
            if c.accept("ENDS"):
                ends = self._time(c, "ENDS", relative_ok=False)
        else:
            c.fail("expected AT or EVERY")
        preserve = False
        status = "ENABLED"
        comment = ""
        while True:
            if c.accept("ON", "COMPLETION", "NOT", "PRESERVE"):
                preserve = False
            elif c.accept("ON", "COMPLETION", "PRESERVE"):
                preserve = True
            elif c.accept("ENABLE"):
                status = "ENABLED"
            elif c.accept("DISABLE", "ON", "SLAVE") or c.accept("DISABLE", "ON", "REPLICA"):
                status = "SLAVESIDE_DISABLED"
            elif c.accept("DISABLE"):
                status = "DISABLED"
            elif c.accept("COMMENT"):
                comment = c.string("the comment text")
            else:
                break
        c.expect("DO")
        body = self._body(c)
        if key(name) in self.events:
            c.fail(f"event {name} is declared twice (first at line {self.events[key(name)].line})", tok=c.tokens[0])
        self.events[key(name)] = Event(name, Schedule(at, every, unit, starts, ends, starts_sql), body, preserve, status, comment,
                                       self._settings(c, event=True), definer, line)

    def _interval(self, c: Cursor) -> tuple[str, str]:
        tok = c.peek()
        negative = c.accept_type(TokenType.DASH) is not None
        tok = c.next() if c.peek() is not None else c.fail("expected the interval")
        if tok.token_type not in (TokenType.NUMBER, TokenType.STRING):
            c.fail("expected a number or a quoted interval after EVERY", tok=tok)
        unit = c.word()
        if unit not in _SIMPLE_UNITS and unit not in _COMPOUND_UNITS:
            if unit.endswith("MICROSECOND") or unit == "MICROSECOND":
                c.unsupported("an event interval in microseconds (the servers do not run events that often)")
            c.fail("expected an interval unit (DAY, HOUR, DAY_HOUR, …)")
        c.next()
        value = canonical_interval(("-" if negative else "") + tok.text, unit)
        if value is None:
            c.fail(f"cannot read {tok.text!r} as an interval of {unit}", tok=tok)
        return value, unit

    def _time(self, c: Cursor, what: str, *, relative_ok: bool) -> str | None:
        """A timestamp literal, optionally ``+ INTERVAL n unit`` (computed as the server does).
        A time relative to now (CURRENT_TIMESTAMP …) is refused for AT/ENDS; for STARTS it is
        written as is and not compared (None)."""
        start = c.pos
        tok = c.peek()
        if tok is not None and tok.token_type == TokenType.STRING:
            c.next()
            value = _timestamp(tok.text)
            if value is None:
                c.fail(f"cannot read {tok.text!r} as a date and time", tok=tok)
            while c.at_type(TokenType.PLUS) or c.at_type(TokenType.DASH):
                sign = -1 if c.next().token_type == TokenType.DASH else 1
                c.expect("INTERVAL")
                number = c.next()
                unit = c.word()
                amount = _number(number.text)
                if amount is None or unit not in _SIMPLE_UNITS:
                    c.fail("expected INTERVAL n YEAR|QUARTER|MONTH|WEEK|DAY|HOUR|MINUTE|SECOND", tok=number)
                c.next()
                value = _add_interval(value, sign * amount, unit)
            return value.strftime("%Y-%m-%d %H:%M:%S")
        if not relative_ok:
            c.fail(f"ON SCHEDULE … {what} must be a fixed date and time in a Schemafile: a time relative to"
                   " the moment of apply would differ on every run", tok=tok)
        # STARTS CURRENT_TIMESTAMP [+ INTERVAL …]: up to the next clause
        while not c.at_end() and c.word() not in ("ENDS", "ON", "ENABLE", "DISABLE", "COMMENT", "DO"):
            c.next()
        if c.pos == start:
            c.fail(f"expected a date and time after {what}")
        return None

    # -- SET ---------------------------------------------------------------------------

    def _set(self, c: Cursor) -> None:
        """SET name = value, … — only the settings that stored programs keep are tracked."""
        c.expect("SET")
        if c.word() in _NOT_SESSION_SETTINGS or c.at("SESSION", "TRANSACTION") or c.at("LOCAL", "TRANSACTION"):
            return  # a transaction, a password, roles, a global: nothing a program is created under
        session = self.session
        while not c.at_end():
            c.accept("SESSION") or c.accept("LOCAL")
            if c.accept("NAMES"):
                charset = c.value_word("a character set").lower()
                collation = None
                if c.accept("COLLATE"):
                    collation = c.value_word("a collation").lower()
                if charset != "default":
                    session.values["client_charset"] = charset
                    session.values["collation"] = collation
                else:
                    session.values.pop("client_charset", None)
                    session.values.pop("collation", None)
            elif c.at("CHARACTER", "SET") or c.at("CHARSET"):
                c.pos += 1 if c.at("CHARSET") else 2
                value = c.value_word("a character set").lower()
                if value == "default":
                    session.values.pop("client_charset", None)
                else:
                    session.values["client_charset"] = value
                session.values.pop("collation", None)
            else:
                target = self._variable(c)
                if not (c.accept_type(TokenType.EQ) or c.accept_type(TokenType.COLON_EQ)):
                    c.fail("expected = in SET")
                first = c.pos
                value, known = self._value(c)
                if not (c.at_end() or c.at_type(TokenType.COMMA)):  # an expression: skip it
                    c.pos = first
                    depth = 0
                    while not c.at_end() and not (depth == 0 and c.at_type(TokenType.COMMA)):
                        depth += c.at_type(TokenType.L_PAREN) - c.at_type(TokenType.R_PAREN)
                        c.next()
                    value, known = None, False
                setting = _SETTING_NAMES.get(target)
                if target.startswith("@"):
                    session.saved[target[1:]] = value if known else _UNKNOWN
                elif setting is not None and not known:
                    # it matters only to the stored programs created under it (_settings)
                    tok = c.tokens[first]
                    session.unknown[setting] = (target.lower(), c.stmt.file, tok.line, c.column_of(tok),
                                                c.stmt.source[tok.start:tok.end + 1])
                    session.values.pop(setting, None)
                elif setting is not None:
                    session.unknown.pop(setting, None)
                    if value is None:
                        session.values.pop(setting, None)
                    else:
                        session.values[setting] = value if setting in ("sql_mode", "time_zone") else value.lower()
            if not c.accept_type(TokenType.COMMA):
                break
        if not c.at_end():
            c.fail("unexpected text in SET")

    def _variable(self, c: Cursor) -> str:
        """@user_var -> '@name'; @@[session.]name / name -> 'NAME'."""
        tok = c.peek()
        if tok is not None and tok.token_type == TokenType.PARAMETER:
            c.next()
            return "@" + c.ident("a variable name").lower()
        if tok is not None and tok.token_type == TokenType.SESSION_PARAMETER:
            c.next()
            if c.word() in ("SESSION", "LOCAL", "GLOBAL") and c.at_type(TokenType.DOT, 1):
                scope = c.next().text.upper()
                c.next()
                if scope == "GLOBAL":
                    return "GLOBAL." + c.ident("a variable name").upper()
        return c.ident("a variable name").upper()

    def _value(self, c: Cursor) -> tuple[str | None, bool]:
        """A SET value: (value, known). ``None`` is the default (DEFAULT, NULL, an unknown @var)."""
        tok = c.peek()
        if tok is None:
            c.fail("expected a value")
        if tok.token_type == TokenType.STRING:
            return c.string(), True
        if tok.token_type == TokenType.PARAMETER:
            c.next()
            name = c.ident("a variable name").lower()
            value = self.session.saved.get(name)
            if value is _UNKNOWN:
                return None, False
            return value, name in self.session.saved
        if tok.token_type == TokenType.SESSION_PARAMETER:
            name = self._variable_after_at(c)
            setting = _SETTING_NAMES.get(name)
            return (self.session.values.get(setting) if setting else None), setting is not None
        c.next()
        word = tok.text.upper()
        if word in ("DEFAULT", "NULL"):
            return None, True
        return tok.text, True

    def _variable_after_at(self, c: Cursor) -> str:
        c.next()
        if c.word() in ("SESSION", "LOCAL", "GLOBAL") and c.at_type(TokenType.DOT, 1):
            c.pos += 2
        return c.ident("a variable name").upper()

    # -- result ---------------------------------------------------------------------

    def build(self) -> tuple[tuple[Trigger, ...], tuple[Routine, ...], tuple[Event, ...]]:
        return tuple(_trigger_orders(list(self.triggers.values()), self.file)), tuple(self.routines.values()), \
            tuple(self.events.values())


def _into_user_variables(c: Cursor) -> list[str] | None:
    """The user variables a SELECT … INTO @a, @b sets (lower-case names), or None for a SELECT with no
    INTO or INTO something else (OUTFILE, DUMPFILE, a local variable)."""
    depth = 0
    for k, tok in enumerate(c.tokens):
        depth += (tok.token_type == TokenType.L_PAREN) - (tok.token_type == TokenType.R_PAREN)
        if depth == 0 and c.stmt.words[k] == "INTO":
            c.pos = k + 1
            names = []
            while c.accept_type(TokenType.PARAMETER):
                names.append(c.ident("a variable name").lower())
                if not c.accept_type(TokenType.COMMA):
                    break
            return names or None
    return None


def _trigger_orders(triggers: list[Trigger], file: str) -> list[Trigger]:
    """ACTION_ORDER from the file's order and FOLLOWS/PRECEDES, as the server would number them."""
    groups: dict[tuple[str, str, str], list[Trigger]] = {}
    for trigger in triggers:  # file order
        group = groups.setdefault((trigger.table, trigger.timing, trigger.event), [])
        if trigger.follows is None:
            group.append(trigger)
            continue
        how, other = trigger.follows
        names = [t.name for t in group]
        if other not in names:
            raise ParseError(f"{how} {other}: no earlier trigger of {trigger.table} {trigger.timing} {trigger.event}"
                             f" is named {other}", file=file, line=trigger.line, obj=f"trigger {trigger.name}")
        at = names.index(other) + (1 if how == "FOLLOWS" else 0)
        group.insert(at, trigger)
    out = []
    for group in groups.values():
        out += [replace(t, order=k) for k, t in enumerate(group, 1)]
    return out


# --------------------------------------------------------------------------
# Values the server computes: intervals, timestamps
# --------------------------------------------------------------------------

def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def canonical_interval(text: str, unit: str) -> str | None:
    """EVERY ``text`` ``unit`` as information_schema.EVENTS.INTERVAL_VALUE shows it: the server
    keeps the interval as a number of seconds or months and rebuilds the text ('1 30' DAY_HOUR
    is '2 6'; 1.5 HOUR is '2'). Compound values are quoted, as the server shows them."""
    text = text.strip().strip("'\"")
    if unit in _SIMPLE_UNITS:
        value = _number(text)
        if value is None:
            return None
        rounded = int(value + 0.5) if value >= 0 else -int(-value + 0.5)
        return str(rounded)
    parts_spec, weights, _ = _COMPOUND_UNITS[unit]
    negative = text.startswith("-")
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if not numbers or len(numbers) > len(parts_spec):
        return None
    numbers = [0] * (len(parts_spec) - len(numbers)) + numbers  # '5' HOUR_MINUTE is 5 minutes
    total = sum(n * w for n, w in zip(numbers, weights))
    out = []
    for w in weights:
        out.append(total // w)
        total %= w
    seps = _COMPOUND_UNITS[unit][2]
    seps = seps if len(seps) == len(out) - 1 else seps[0] * (len(out) - 1)
    text = str(out[0]) + "".join(sep + str(n) for sep, n in zip(seps, out[1:]))
    return f"'{'-' if negative else ''}{text}'"


def _timestamp(text: str) -> _dt.datetime | None:
    text = text.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S.%f", "%Y%m%d%H%M%S", "%Y%m%d"):
        try:
            return _dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _add_interval(value: _dt.datetime, amount: float, unit: str) -> _dt.datetime:
    n = int(amount)
    if unit in ("YEAR", "QUARTER", "MONTH"):
        months = n * {"YEAR": 12, "QUARTER": 3, "MONTH": 1}[unit] + value.month - 1
        year, month = value.year + months // 12, months % 12 + 1
        day = min(value.day, calendar.monthrange(year, month)[1])
        return value.replace(year=year, month=month, day=day)
    seconds = {"WEEK": 604800, "DAY": 86400, "HOUR": 3600, "MINUTE": 60, "SECOND": 1}[unit]
    return value + _dt.timedelta(seconds=n * seconds)
