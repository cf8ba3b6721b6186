"""The one place output is scrubbed.

Two kinds of thing must never reach a terminal, a log or a report:

* **credentials** — a password, a DSN with its password, a credstash/Secrets Manager value. Register
  each with :func:`register_secret` as soon as it is known; :func:`redact_text` masks registered
  values and every ``user:password@host`` shape — with or without a scheme, with ``://`` or the
  ``:/`` a path normalisation leaves, percent-encoded, with spaces or any other character in the
  password — and ``password=…`` / ``"password": "…"`` / ``IDENTIFIED BY '…'`` shapes, all as ``***``
  (the mask :meth:`ConnectionTarget.masked_url` uses). :func:`install` puts :func:`redact_text` in
  front of ``sys.stdout`` and ``sys.stderr`` and registers the passwords the command line and the
  environment carry, before the command line is parsed: usage errors, path errors, tracebacks and
  everything a command prints pass through it.
* **values from rows** — the server quotes row data in some error messages (``Duplicate entry
  'alice@example.com' for key 'uq_email'``). :func:`redact_server_message` replaces every such
  value with ``<redacted>`` and keeps identifiers (table, column, key, constraint names) readable.
  Messages of known codes are matched against their exact MySQL and MariaDB formats; any other
  message — an unknown code, or a known code whose text does not match — gets the **default-deny**
  treatment: every single- or double-quoted span that is not in an identifier position (after
  ``column``, ``key``, ``table``, ``constraint``…) is redacted, up to the last matching quote of the
  message (values are quoted without escaping, so a value may itself hold quotes and words like
  ``for column '``; an identifier that follows a value is redacted with it). Backquoted spans are
  identifiers and are kept.

:func:`redact_exception` renders an exception (PyMySQL's carry ``args == (code, message)``) through
both. Apart from :func:`install`, pure functions: no I/O, nothing printed.
"""

from __future__ import annotations

import bisect
import functools
import io
import json
import os
import re
import sys
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

__all__ = ["REDACTED", "MASK", "register_secret", "register_credentials_in", "redact_text",
           "redact_server_message", "redact_exception", "install"]

REDACTED = "<redacted>"
MASK = "***"

_secrets: set[str] = set()


# --- credentials ------------------------------------------------------------------------------------

def register_secret(value: str | None) -> None:
    """Never print ``value`` (nor its URL-encoded or JSON-escaped forms). Values under 3 characters
    are ignored: masking every "a" would garble all output and protect nothing."""
    if not value or len(value) < 3:
        return
    for form in (value, urllib.parse.quote(value, safe=""), json.dumps(value)[1:-1]):
        if len(form) >= 3:
            _secrets.add(form)


# user:password@host with a scheme: "mysql://", the "mysql:/" a path normalisation leaves, or
# percent-encoded separators. The password runs to the last "@" of the line that a host follows, so
# it may hold spaces, "@", "/" or quotes (more may be masked than the password; never less).
_SCHEME_URL = re.compile(
    r"(?P<pre>\b[A-Za-z][A-Za-z0-9+.-]*(?::|%3[Aa])(?:/|%2[Ff])+[^\s:/@%]*(?:%(?!3[Aa]|40)[0-9A-Fa-f]{2}[^\s:/@%]*)*"
    r"(?::|%3[Aa]))(?P<pw>[^\n]*)(?P<at>@|%40)(?=[\w\[\]%.-])")  # the specification: _mask_scheme_urls applies it
# user:password@host[:port][/db] without a scheme. The password starts with neither a space (that
# reads as prose: "contact: ops@example.com") nor "/" (a URL's path); it may hold spaces when a port or
# a database follows the host, as in a DSN, and none otherwise ("at 10:30 we met bob@x.com" is prose);
# it never runs across a URL's ":/" (a scheme URL further on is the other pattern's). This pattern is
# the specification; _mask_bare_dsns applies it (the same matches, in linear time).
_BARE_DSN = re.compile(
    r"(?<![\w/:@.%+-])(?P<pre>[\w.%+-]+:)"
    r"(?:(?P<pw>[^\s@/](?:(?!:/)[^\n])*?)(?P<at>@)(?=(?:[\w.-]+|\[[0-9A-Fa-f:.]+\])[:/])"
    r"|(?P<pw2>[^\s@/]\S*?)(?P<at2>@)(?=(?:[\w.-]+|\[[0-9A-Fa-f:.]+\])(?:$|[\s'\"),;])))", re.M)


_KEY_VALUE = re.compile(
    r"""(?ix)
    ((?<![\w.-])[\w.-]*(?:password|passwd|pwd|secret_access_key|session_token))  # the key, from where its run of
                                                   # [\w.-] starts (from every \b in it, a long run took quadratic time)
    (["']?\s*[=:]\s*)                                                    # = or : (a JSON key's quote)
    ("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|(?![{\[])[^\s,;&)}\]'"]+)      # the value (not an object)
    """)
_KEY_WORD = re.compile(r"(?i)password|passwd|pwd|secret_access_key|session_token")
_IDENTIFIED_BY = re.compile(r"""(?i)(\bIDENTIFIED\s+(?:WITH\s+\S+\s+)?(?:BY|AS)\s+)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")""")


def _mask_dsn(m: re.Match) -> str:
    return m.group("pre") + MASK + (m.group("at") or m.group("at2"))


# _SCHEME_URL in parts, for _mask_scheme_urls: the part before the password, tried once per run of scheme
# characters (from its first letter at a word boundary, as the pattern's \b does; `skip` is what precedes
# that letter in the run), and the "@" or "%40" a password may end at
_SCHEME_PRE = re.compile(
    r"(?<![A-Za-z0-9+.-])(?>(?P<skip>[A-Za-z0-9+.-]*?)\b[A-Za-z])[A-Za-z0-9+.-]*+(?::|%3[Aa])(?:/|%2[Ff])++"
    r"[^\s:/@%]*+(?:%(?!3[Aa]|40)[0-9A-Fa-f]{2}[^\s:/@%]*+)*+(?::|%3[Aa])")
_SCHEME_SEPARATOR = re.compile(r"(?::|%3[Aa])(?:/|%2[Ff])")
_URL_AT = re.compile(r"(?:@|%40)(?=[\w\[\]%.-])")


def _mask_scheme_urls(text: str) -> str:
    """``_SCHEME_URL.sub(_mask_dsn, text)``, in time linear in ``text``: the password runs to the last
    "@" (or "%40") of its line that a host follows, so a line without one is given up at its first
    failure instead of retried from every later scheme on it (``a://b:`` repeated: quadratic)."""
    if _SCHEME_SEPARATOR.search(text) is None:  # (every match holds one)
        return text
    ats = [(m.start(), m.end()) for m in _URL_AT.finditer(text)]
    starts = [a for a, _ in ats]
    out, done, pos, n = [], 0, 0, len(text)
    while (pre := _SCHEME_PRE.search(text, pos)) is not None:
        line_end = text.find("\n", pre.end())
        line_end = n if line_end < 0 else line_end
        k = bisect.bisect_left(starts, line_end) - 1
        if k >= 0 and starts[k] >= pre.end():
            at_start, at_end = ats[k]
            out += [text[done:pre.start()], pre.group(), MASK, text[at_start:at_end]]
            done = pos = at_end
        else:
            pos = line_end  # no later start on this line can reach an "@"
    out.append(text[done:])
    return "".join(out)


# _BARE_DSN in parts, for _mask_bare_dsns: where a match may start, and the "@" each alternative may end at
_BARE_START = re.compile(r"(?<![\w/:@.%+-])[\w.%+-]+:")
_HOST_THEN_PORT_OR_PATH = re.compile(r"@(?=(?:[\w.-]+|\[[0-9A-Fa-f:.]+\])[:/])")
_HOST_THEN_END = re.compile(r"@(?=(?:[\w.-]+|\[[0-9A-Fa-f:.]+\])(?:$|[\s'\"),;]))", re.M)
_NEWLINE_OR_URL = re.compile(r"\n|:/")
_WHITESPACE = re.compile(r"\s")


def _mask_bare_dsns(text: str) -> str:
    """``_BARE_DSN.sub(_mask_dsn, text)``, in time linear in ``text``. The regex tries each start in
    turn and scans on for an "@" a host follows — to the line's end when there is none, so a long
    line of ``a:b`` pairs (a Schemafile's view or comment, printed in the DDL) took time quadratic in
    its length (64 kB: 36 s). Here the "@"s each alternative may end at, and where its password may
    not reach (a newline or ":/"; whitespace), are found once; each start looks the next ones up."""
    if "@" not in text:
        return text
    ends1 = [m.start() for m in _HOST_THEN_PORT_OR_PATH.finditer(text)]
    stops1 = [m.start() for m in _NEWLINE_OR_URL.finditer(text)]
    ends2 = [m.start() for m in _HOST_THEN_END.finditer(text)]
    stops2 = [m.start() for m in _WHITESPACE.finditer(text)]

    def first(positions: list[int], at_least: int) -> int:
        k = bisect.bisect_left(positions, at_least)
        return positions[k] if k < len(positions) else len(text)

    def end_of(password: int) -> int | None:
        """The "@" a match whose password starts at ``password`` ends at: the first one either
        alternative may end at that no stop comes before (the lazy scan), or None."""
        if password >= len(text) or text[password].isspace() or text[password] in "@/":
            return None
        for ends, stops in ((ends1, stops1), (ends2, stops2)):
            at = first(ends, password + 1)
            if at < len(text) and at < first(stops, password + 1):
                return at
        return None

    out, done, pos = [], 0, 0
    while (start := _BARE_START.search(text, pos)) is not None:
        at = end_of(start.end())
        if at is None:
            pos = start.start() + 1
            continue
        out += [text[done:start.start()], start.group(), MASK, "@"]
        done = pos = at + 1
    out.append(text[done:])
    return "".join(out)


def _mask_value(m: re.Match) -> str:
    key, sep, value = m.groups()
    if value in ("null", "None", "true", "false"):
        return m.group(0)
    if value[:1] in ("'", '"') and len(value) >= 2:
        return key + sep + value[0] + MASK + value[0]
    if sep[:1] in ("'", '"'):  # "password": 1234 — keep the JSON (or dict) valid
        return key + sep + sep[0] + MASK + sep[0]
    return key + sep + MASK


def redact_text(text: str) -> str:
    """``text`` with credentials masked as ``***`` (see the module docstring)."""
    if not text:
        return text
    text = _mask_scheme_urls(text)
    text = _mask_bare_dsns(text)
    if _KEY_WORD.search(text):  # (every match holds one: most output has none, and is not scanned)
        text = _KEY_VALUE.sub(_mask_value, text)
    text = _IDENTIFIED_BY.sub(lambda m: m.group(1) + m.group(2)[0] + MASK + m.group(2)[0], text)
    for value in sorted(_secrets, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


_DSN_ARGUMENT = re.compile(r"^(?:--[\w-]+=)?(?:[A-Za-z][A-Za-z0-9+.-]*:/*)?[^:/@\s]*:(?P<pw>.+)@[\w\[\]%.-]", re.S)
_SECRET_VARIABLE = re.compile(r"(?:^|_)(?:PASSWORD|PASSWD|PASS)$|SECRET_ACCESS_KEY$|SESSION_TOKEN$|AUTHORIZATION_TOKEN$"
                              r"|^MYSQL_PWD$")


def register_credentials_in(text: str | None) -> None:
    """Register the password of a ``[scheme:/]/user:password@host…`` value (a command-line argument, a
    variable's value), in its written and its decoded form."""
    if not text:
        return
    for candidate in dict.fromkeys((text.strip(), urllib.parse.unquote(text.strip()))):  # a URL given encoded
        m = _DSN_ARGUMENT.match(candidate)
        if m:
            password = m.group("pw")
            register_secret(password)
            register_secret(urllib.parse.unquote(password))


def _register_startup(argv: Iterable[str], environ: Mapping[str, str]) -> None:
    for arg in argv:
        register_credentials_in(arg)
    for name, value in environ.items():
        if _SECRET_VARIABLE.search(name.upper()):
            register_secret(value)
        elif "@" in value and ":" in value:
            register_credentials_in(value)


class RedactingStream(io.TextIOBase):
    """A text stream that writes through :func:`redact_text`, a line at a time (a credential is never
    cut in two by the writes that carry it); ``flush`` writes a pending partial line (a prompt).
    It exposes no ``buffer`` and no ``fileno``: nothing can write around it."""

    def __init__(self, target):
        super().__init__()
        self._target = target
        self._pending = ""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self._target, "errors", None)

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return bool(getattr(self._target, "isatty", lambda: False)())

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            text = text.decode(self.encoding, "replace") if isinstance(text, (bytes, bytearray)) else str(text)
        lines = (self._pending + text).split("\n")
        self._pending = lines.pop()
        if lines:
            self._target.write(redact_text("\n".join(lines) + "\n"))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._target.write(redact_text(self._pending))
            self._pending = ""
        self._target.flush()

    def close(self) -> None:  # the underlying stream is not ours to close
        self.flush()


def wrap_below(wrap) -> None:
    """Put ``wrap`` around what ``sys.stdout`` writes to, under the redaction when it is installed
    (a stream that cuts long lines, as run-task's marking does, must get text already redacted)."""
    if isinstance(sys.stdout, RedactingStream):
        sys.stdout._target = wrap(sys.stdout._target)
    else:
        sys.stdout = wrap(sys.stdout)


@contextmanager
def install(argv: Iterable[str] | None = None, environ: Mapping[str, str] | None = None) -> Iterator[None]:
    """For the duration: ``sys.stdout`` and ``sys.stderr`` write through :func:`redact_text`, and the
    passwords ``argv`` (default ``sys.argv``) and ``environ`` (default ``os.environ``) carry are
    registered — before the command line is parsed, so that a usage error, a path error, a
    traceback or any report cannot print them. What was registered during the run is forgotten
    after it (a process runs one command; in-process runs, as in tests, stay independent)."""
    registered = set(_secrets)
    _register_startup(sys.argv[1:] if argv is None else argv, os.environ if environ is None else environ)
    saved = sys.stdout, sys.stderr
    wrapped = [RedactingStream(stream) if not isinstance(stream, RedactingStream) else stream for stream in saved]
    sys.stdout, sys.stderr = wrapped
    try:
        yield
    finally:
        for stream in wrapped:
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        sys.stdout, sys.stderr = saved
        _secrets.intersection_update(registered)


# --- server messages --------------------------------------------------------------------------------

# Building blocks. Values (named v…) are matched greedily: the server does not escape quotes inside
# a quoted value, so the value runs to the *last* place the rest of the format can still match.
_BQ = r"`(?:[^`]|``)*`"                       # a backquoted identifier (MariaDB's %`s)
_QUALIFIED = rf"{_BQ}(?:\.{_BQ})*"            # `db`.`t`.`c`
_SQ = r"'[^']*'"                              # a single-quoted identifier (MySQL's '%s')
_COLUMN = rf"(?:{_QUALIFIED}|{_SQ})"
_ROW = r" at row \d+"
_TYPE = r"[A-Za-z][\w ()]*?"                  # INTEGER, DOUBLE, datetime, string, "decimal(3,1)"…

# code -> formats (MySQL and MariaDB). A format is a regular expression matched against the whole
# message; the groups named v, v1, v2… are values from rows and are replaced; the rest is kept.
_FORMATS: dict[int, tuple[str, ...]] = {
    # ER_DUP_ENTRY / ER_DUP_ENTRY_WITH_KEY_NAME: MySQL 8.0.19+ names the key 'table.key'
    1062: (r"Duplicate entry '(?P<v>.*)' for key (?:'[^']*'|\d+)",),
    1586: (r"Duplicate entry '(?P<v>.*)' for key '[^']*'",),
    1569: (r"ALTER TABLE causes auto_increment resequencing, resulting in duplicate entry '(?P<v>.*)'"
           r" for key '[^']*'",),
    1557: (r"Upholding foreign key constraints for table '[^']*', entry '(?P<v>.*)', key \d+ would lead to"
           r" duplicate entry",),
    1761: (r"Foreign key constraint for table '[^']*', record '(?P<v>.*)' would lead to a duplicate entry in"
           r" table '[^']*', key '[^']*'",),
    1762: (r"Foreign key constraint for table '[^']*', record '(?P<v>.*)' would lead to a duplicate entry in"
           r" a child table",),
    # ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: MariaDB `db`.`t`.`c`, MySQL and older MariaDB 'c'
    1366: (rf"Incorrect {_TYPE} value: '(?P<v>.*)' for column {_COLUMN}{_ROW}",),
    # ER_TRUNCATED_WRONG_VALUE, also used for a column's datetime/date/time value
    1292: (rf"Truncated incorrect {_TYPE} value: '(?P<v>.*)'",
           rf"Incorrect {_TYPE} value: '(?P<v>.*)' for column {_COLUMN}{_ROW}",
           rf"Incorrect {_TYPE} value: '(?P<v>.*)'"),
    1525: (rf"Incorrect {_TYPE} value: '(?P<v>.*)'",),
    1411: (rf"Incorrect {_TYPE} value: '(?P<v>.*)' for function \w+",),
    1300: (r"Invalid \w+ character string: '(?P<v>.*)'",),
    3854: (r"Cannot convert string '(?P<v>.*)' from \w+ to \w+",),
    1977: (r"Cannot convert '[^']*' character 0x(?P<v>[0-9A-Fa-f]*) to '[^']*'",),
    1916: (r"Got overflow when converting '(?P<v>.*)' to [\w ()]+\. Value truncated\.?",),
    1917: (r"Truncated value '(?P<v>.*)' when converting to [\w ()]+",),
    1918: (r"Encountered illegal value '(?P<v>.*)' when converting to [\w ()]+",),
    1526: (r"Table has no partition for value (?P<v>.*)",),
    3140: (r"Invalid JSON text: \"(?P<v>.*)\" at position \d+ in value for column '[^']*'\.?",),
    3141: (r"Invalid JSON text in argument \d+ to function \w+: \"(?P<v>.*)\" at position \d+\.?",),
    # Value-free: identifiers only (the format is still checked; a mismatch falls back to default deny)
    1265: (rf"Data truncated for column '[^']*'{_ROW}",),
    1406: (rf"Data too long for column '[^']*'{_ROW}",),
    1264: (rf"Out of range value for column '[^']*'{_ROW}",),
    1263: (rf"Column set to default value; NULL supplied to NOT NULL column '[^']*'{_ROW}",),
    3751: (rf"Data truncated for functional index '[^']*'{_ROW}",),
    3819: (r"Check constraint '[^']*' is violated\.?",),
    4025: (rf"CONSTRAINT {_BQ} failed for {_QUALIFIED}",),
    1452: (r"Cannot add or update a child row: a foreign key constraint fails(?: \([^'\"]*\))?",),
    1451: (r"Cannot delete or update a parent row: a foreign key constraint fails(?: \([^'\"]*\))?",),
    1216: (r"Cannot add or update a child row: a foreign key constraint fails",),
    1217: (r"Cannot delete or update a parent row: a foreign key constraint fails",),
    1859: (r"Duplicate entry for key '[^']*'",),
    1048: (r"Column '[^']*' cannot be null",),
    1138: (r"Invalid use of NULL value",),
    1067: (r"Invalid default value for '[^']*'",),
    1171: (r"All parts of a PRIMARY KEY must be NOT NULL; if you need NULL in a key, use UNIQUE instead",),
    1677: (r"Column \d+ of table '[^']*' cannot be converted from type '[^']*' to type '[^']*'",),
    3780: (r"Referencing column '[^']*' and referenced column '[^']*' in foreign key constraint '[^']*' are"
           r" incompatible\.?",),
    1832: (r"Cannot change column '[^']*': used in a foreign key constraint '[^']*'",),
    1833: (r"Cannot change column '[^']*': used in a foreign key constraint '[^']*' of table '[^']*'",),
    4078: (r"Illegal parameter data types \w+ and \w+ for operation '[^']*'",),
    4079: (r"Illegal parameter data type \w+ for operation '[^']*'",),
    # Frequent DDL and privilege errors (identifiers only), so they stay readable
    1005: (rf"Can't create table (?:{_QUALIFIED}|{_SQ}) \(errno: \d+ \"[^\"]*\"\)",
           rf"Can't create table (?:{_QUALIFIED}|{_SQ}) \(errno: \d+\)"),
    1050: (rf"Table (?:{_QUALIFIED}|{_SQ}) already exists",),
    1051: (rf"Unknown table (?:{_QUALIFIED}|{_SQ})",),
    1054: (r"Unknown column '[^']*' in '[^']*'",),
    1060: (r"Duplicate column name '[^']*'",),
    1061: (r"Duplicate key name '[^']*'",),
    1068: (r"Multiple primary key defined",),
    1071: (r"Specified key was too long; max key length is \d+ bytes",),
    1072: (r"Key column '[^']*' doesn't exist in table",),
    1091: (r"Can't DROP '[^']*'; check that column/key exists", rf"Can't DROP (?:[A-Z ]+ )?{_BQ}; check that it exists"),
    1146: (rf"Table (?:{_QUALIFIED}|{_SQ}) doesn't exist",),
    1170: (r"BLOB/TEXT column '[^']*' used in key specification without a key length",),
    1215: (rf"Cannot add foreign key constraint(?: for table {_BQ}| for '[^']*')?",),
    1503: (r"A (?:PRIMARY KEY|UNIQUE INDEX) must include all columns in the table's partitioning function"
           r"(?: \(prefixed columns are not considered\))?",),
    1822: (r"Failed to add the foreign key constraint\. Missing (?:index|column '[^']*') for constraint '[^']*' in"
           r" the referenced table '[^']*'",),
    1846: (r"[A-Z_]+=[A-Z]+ is not supported\. Reason: [^'\"]*\. Try [A-Z_]+=[A-Z]+\.?",),
    1044: (r"Access denied for user '[^']*'@'[^']*' to database '[^']*'",),
    1045: (r"Access denied for user '[^']*'@'[^']*' \(using password: (?:YES|NO)\)",),
    1142: (rf"\w+ command denied to user '[^']*'@'[^']*' for table (?:{_QUALIFIED}|{_SQ})",),
    1143: (r"\w+ command denied to user '[^']*'@'[^']*' for column '[^']*' in table '[^']*'",),
    1227: (r"Access denied; you need \(at least one of\) the [\w ,]+ privilege\(s\) for this operation",),
    3572: (r"Statement aborted because lock\(s\) could not be acquired immediately and NOWAIT is set\.?",),
    1205: (r"Lock wait timeout exceeded; try restarting transaction",),
    2003: (r"Can't connect to MySQL server on '[^']*' \([^'\"]*\)",),
    2005: (r"Unknown MySQL server host '[^']*' \([^'\"]*\)",),
    2013: (r"Lost connection to MySQL server during query(?: \([^'\"]*\))?",),
    2006: (r"MySQL server has gone away(?: \([^'\"]*\))?",),
}
# Codes whose message carries a value with no quotes around it. In a text of another shape (a server
# whose lc_messages is not English: German 1526 "Tabelle hat für den Wert 42 keine Partition") default
# deny cannot find the value, so nothing of the message is kept.
_BARE_VALUE_CODES = frozenset({1526, 1977})


@functools.cache
def _compiled(code: int | None) -> tuple[re.Pattern, ...]:
    """The formats of ``code`` compiled (None: those of every code, in table order), on first use:
    only a server error needs them, and compiling all of them costs more than the rest of this
    module's import, which every run (``--help`` too) pays."""
    if code is None:
        return tuple(pattern for known in _FORMATS for pattern in _compiled(known))
    return tuple(re.compile(f, re.DOTALL) for f in _FORMATS.get(code, ()))


def redact_server_message(code: int | None, message: str) -> str:
    """``message`` (from server error ``code``) with every value quoted from row data replaced by
    ``<redacted>``; identifiers are kept. Unknown codes and unexpected texts: default deny."""
    if not message:
        return message
    if isinstance(code, str) and code.isdigit():
        code = int(code)
    # Without a code, any known format will do: each one places its values exactly.
    candidates = (_compiled(code) if code in _FORMATS else ()) if isinstance(code, int) else _compiled(None)
    for pattern in candidates:
        m = pattern.fullmatch(message)
        if m:
            return _replace_values(message, m)
    if code in _BARE_VALUE_CODES:
        return REDACTED
    return _default_deny(message)


def _replace_values(message: str, m: re.Match) -> str:
    spans = sorted(m.span(name) for name, value in m.groupdict().items() if name.startswith("v") and value is not None)
    out, last = [], 0
    for start, end in spans:
        out.append(message[last:start])
        out.append(REDACTED)
        last = end
    out.append(message[last:])
    return "".join(out)


# Words after which a quoted span names something (an identifier), not a value.
_IDENTIFIER_WORDS = frozenset("""
    column columns key keys table tables constraint constraints index database schema field fields view
    trigger function procedure partition subpartition name user engine charset collation tablespace
    sequence role variable
""".split())
_WORD_BEFORE = re.compile(r"(\w+)\W*$")


def _identifier_position(message: str, i: int) -> bool:
    """Is the quote at ``message[i]`` right after a word such as ``column`` or ``key``?"""
    before = message[max(0, i - 40):i]
    if before and not before[-1].isspace():
        return False  # 'x'@'host', ('a', 'b'): only "word 'name'" counts
    m = _WORD_BEFORE.search(before)
    return bool(m) and m.group(1).lower() in _IDENTIFIER_WORDS


def _default_deny(message: str) -> str:
    """Redact every quoted span that is not clearly an identifier; keep backquoted identifiers."""
    out: list[str] = []
    i, n = 0, len(message)
    while i < n:
        ch = message[i]
        if ch == "`":
            j = i + 1
            while j < n and not (message[j] == "`" and not message.startswith("``", j)):
                j += 2 if message.startswith("``", j) else 1
            out.append(message[i:j + 1])
            i = j + 1
            continue
        if ch not in "'\"":
            out.append(ch)
            i += 1
            continue
        if _identifier_position(message, i):
            j = message.find(ch, i + 1)
            if j < 0:  # unterminated: nothing after it can be trusted
                out.append(ch + REDACTED)
                break
            out.append(message[i:j + 1])
            i = j + 1
            continue
        # A value. The server does not escape quotes inside it, and it may even hold text such as
        # "for column '": only the last matching quote in the message is sure to close it.
        j = message.rfind(ch, i + 1)
        if j < 0:  # unterminated: redact the rest
            out.append(ch + REDACTED)
            break
        out.append(ch + REDACTED + ch)
        i = j + 1
    return "".join(out)


def redact_exception(exc: BaseException, *, chain: bool = False) -> str:
    """An exception as text fit for output.

    An error carrying ``args == (code, message)`` — what PyMySQL raises for every server error —
    becomes ``(code) redacted message``; any other PyMySQL error gets the default-deny treatment;
    any other exception (which never holds row data: only server messages quote rows) its ``str``
    with credentials masked. With ``chain``, the causes follow, each redacted the same way.
    """
    parts = [_one(exc)]
    seen = {id(exc)}
    cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    while chain and cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        parts.append(_one(cause))
        cause = cause.__cause__ or (None if cause.__suppress_context__ else cause.__context__)
    return "; caused by: ".join(parts)


def _one(exc: BaseException) -> str:
    args = getattr(exc, "args", ())
    if len(args) >= 2 and isinstance(args[0], int) and isinstance(args[1], str):
        return f"({args[0]}) {redact_text(redact_server_message(args[0], args[1]))}"
    text = redact_text(str(exc))
    if type(exc).__module__.split(".")[0] == "pymysql":  # a driver error of another shape: trust nothing
        return _default_deny(text)
    return text
