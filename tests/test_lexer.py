"""The DDL lexer (schema_apply.sql.lexer): token kinds, values, positions, errors, reentrancy."""

from __future__ import annotations

import threading

import pytest
from sqlglot.tokens import TokenType

from schema_apply.errors import ParseError
from schema_apply.parse.schemafile import parse_text
from schema_apply.sql.lexer import LexError, tokenize


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.token_type.name, t.text) for t in tokenize(text)]


def test_every_kind_of_token():
    text = ("CREATE TABLE `a``b` (x int DEFAULT 'it''s', n N'nat', h x'AF', h2 0x1f, b b'01', b2 0b101,"
            " e _utf8mb4'intro', f 1.5e3, g .5, @@sql_mode, @v := 1, a >= 2 <> 3 != 4 <=> 5, j->'$.a', j->>'$.b')")
    assert kinds(text) == [
        ("VAR", "CREATE"), ("VAR", "TABLE"), ("IDENTIFIER", "a`b"), ("L_PAREN", "("), ("VAR", "x"), ("VAR", "int"),
        ("VAR", "DEFAULT"), ("STRING", "it's"), ("COMMA", ","), ("VAR", "n"), ("NATIONAL_STRING", "nat"),
        ("COMMA", ","), ("VAR", "h"), ("HEX_STRING", "AF"), ("COMMA", ","), ("VAR", "h2"), ("HEX_STRING", "1f"),
        ("COMMA", ","), ("VAR", "b"), ("BIT_STRING", "01"), ("COMMA", ","), ("VAR", "b2"), ("BIT_STRING", "101"),
        ("COMMA", ","), ("VAR", "e"), ("INTRODUCER", "_utf8mb4"), ("STRING", "intro"), ("COMMA", ","),
        ("VAR", "f"), ("NUMBER", "1.5e3"), ("COMMA", ","), ("VAR", "g"), ("NUMBER", ".5"), ("COMMA", ","),
        ("SESSION_PARAMETER", "@@"), ("VAR", "sql_mode"), ("COMMA", ","), ("PARAMETER", "@"), ("VAR", "v"),
        ("COLON_EQ", ":="), ("NUMBER", "1"), ("COMMA", ","), ("VAR", "a"), ("GTE", ">="), ("NUMBER", "2"),
        ("NEQ", "<>"), ("NUMBER", "3"), ("NEQ", "!="), ("NUMBER", "4"), ("NULLSAFE_EQ", "<=>"), ("NUMBER", "5"),
        ("COMMA", ","), ("VAR", "j"), ("ARROW", "->"), ("STRING", "$.a"), ("COMMA", ","), ("VAR", "j"),
        ("DARROW", "->>"), ("STRING", "$.b"), ("R_PAREN", ")")]


@pytest.mark.parametrize("literal, value", [
    (r"'a\nb'", "a\nb"), (r"'tab\tend'", "tab\tend"), (r"'\0\Z'", "\0\x1a"), (r"'it''s'", "it's"),
    (r"'it\'s'", "it's"), (r'"say \"hi\""', 'say "hi"'), ('"a""b"', 'a"b'), (r"'back\\slash'", "back\\slash"),
    (r"'100\%_\_'", "100\\%_\\_"),  # \% and \_ keep their backslash (MySQL, for LIKE)
    (r"'\x\y'", "xy"),  # any other escaped character stands for itself
    ("'multi\nline'", "multi\nline"),
])
def test_string_values_as_mysql_reads_them(literal, value):
    [tok] = tokenize(literal)
    assert tok.token_type == TokenType.STRING and tok.text == value


@pytest.mark.parametrize("text, expected", [
    ("12abc", [("VAR", "12abc")]),  # an identifier may start with digits
    ("3e5x", [("VAR", "3e5x")]),
    ("1e5", [("NUMBER", "1e5")]),
    ("100.", [("NUMBER", "100.")]),
    ("0x1Fg", [("VAR", "0x1Fg")]),
    ("$price", [("VAR", "$price")]),
    ("naïve", [("VAR", "naïve")]),
    ("t.c", [("VAR", "t"), ("DOT", "."), ("VAR", "c")]),
    ("`db`.`t`", [("IDENTIFIER", "db"), ("DOT", "."), ("IDENTIFIER", "t")]),
    ("a--b", [("VAR", "a"), ("DASH", "-"), ("DASH", "-"), ("VAR", "b")]),  # "--" needs a space to comment
    ("a -- b\nc", [("VAR", "a"), ("VAR", "c")]),
    ("a # b\nc /* d\ne */ f", [("VAR", "a"), ("VAR", "c"), ("VAR", "f")]),
    ("-1", [("DASH", "-"), ("NUMBER", "1")]),
    ("_latin1 'x'", [("INTRODUCER", "_latin1"), ("STRING", "x")]),
    ("_col = 1", [("VAR", "_col"), ("EQ", "="), ("NUMBER", "1")]),
])
def test_words_numbers_and_comments(text, expected):
    assert kinds(text) == expected


def test_positions_are_where_tokens_start():
    text = "a 'two\nlines' b\n  /* one\ntwo */ c"
    toks = tokenize(text)
    assert [(t.text, t.line, t.col, t.start, t.end) for t in toks] == [
        ("a", 1, 1, 0, 0), ("two\nlines", 1, 3, 2, 12), ("b", 2, 8, 14, 14), ("c", 4, 8, 32, 32)]
    assert all(text[t.start:t.end + 1] for t in toks)


@pytest.mark.parametrize("text, message, offset", [
    ("a 'open", "unterminated string (opening ' never closed)", 2),
    ('a "open', 'unterminated string (opening " never closed)', 2),
    ("a `open", "unterminated quoted identifier (opening ` never closed)", 2),
    ("a /* open", "unterminated /* comment", 2),
    ("a \\ b", "unexpected character '\\\\'", 2),
])
def test_what_is_not_a_token(text, message, offset):
    with pytest.raises(LexError) as err:
        tokenize(text)
    assert str(err.value) == message and err.value.offset == offset


def test_a_schemafile_error_names_the_line_of_the_opening_quote():
    with pytest.raises(ParseError) as err:
        parse_text("CREATE TABLE t (\n  a int,\n  b varchar(3) DEFAULT 'x\n);\n", "s.sql")
    assert err.value.line == 3 and "unterminated string" in str(err.value)


def test_tokenize_keeps_no_state_between_calls():
    """Introspection lexes column types in a thread while the Schemafile lexes."""
    texts = [f"CREATE TABLE t{k} (c{k} varchar({k + 1}) DEFAULT 'v{k}')" * 200 for k in range(4)]
    expected = [kinds(t) for t in texts]
    results: list = [None] * 4

    def work(k: int) -> None:
        for _ in range(20):
            got = kinds(texts[k])
            if got != expected[k]:
                results[k] = got
                return
        results[k] = expected[k]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == expected
