"""canonical() reads an expression with quoted names, and bare names where sqlglot surely reads them
as columns, through its shape (the names made holes, one sqlglot parse per shape): it must give
exactly what reading the text itself gives."""

from __future__ import annotations

import pytest

from schema_apply.sql import expressions

EXPRESSIONS = [
    "json_valid(`rank_no`)", "json_valid(`Mixed Case`)", "`score` >= 0", "(`score` >= 0)", "`a` + 1",
    "`a` + `b` * `c`", "(`a` + `b`) * `c`", "`t`.`c` = `d`", "`db`.`t`.`c` is not null",
    "`price` > 0 and `price` < 1000", "`state` in ('draft','done')", "`name` like 'a%' escape '!'",
    "`a` between 1 and `b`", "`s` regexp '^[a-z]+$'", "`c` collate utf8mb4_bin = 'x'",
    "cast(`a` as char(3) charset utf8mb4)", "cast(`d` as date)", "convert(`a` using utf8mb4)",
    "`d` + interval 1 day", "`d` + interval `n` day", "case when `a` > 0 then 'p' else `b` end",
    "coalesce(`a`, `b`, 0)", "if(`a` is null, 0, `a`)", "`a` div 2", "`a` mod 3", "-`a`", "not `flag`",
    "`weird``name` > 0", "`a` <=> `b`", "json_extract(`doc`, '$.k') = 1", "`doc` ->> '$.k'",
    "`f`(1)", "`g`(`a`)", "lower(`email`) <> ''", "char_length(`code`) = 6", "octet_length(`b`) < 10",
    "current_timestamp()", "`a` = current_timestamp(3)", "_utf8mb4'x' = `c`", "`c` = _latin1'y'",
    "concat(`first`, ' ', `last`)", "substr(`a`, 1, 2) = 'ab'", "`a` & 1 = 1", "`a` is true",
    "`x` = 'it''s `not` a name'", "`a` = `A`", "`b` <> `B`", "(`a`)", "((`a` = 1))",
    "`amount` >= 0.00", "`v` = 1e3", "`ts` > '2020-01-01 00:00:00'", "`a` in (select 1)",
    # bare names: holes only in a plain expression (names, literals, operators, AND/OR/NOT, BETWEEN, IN, IS)
    "score >= 0", "(score >= 0)", "ratio between 0 and 1000000 or ratio is null", "a * b", "-a + b",
    "not flag", "a in (1, 2) and b is not null", "(a + b) * c", "a = b or (c <> d and e < 5)", "Price > 0",
    "a between b and c", "state in ('draft', 'done')", "a is true", "x = 'score'", "`a` + b", "a / 2 % 3",
    "interval + against > of", "interval * a", "a sounds like b", "a member of ('[1]')", "a div b", "a mod b",
    "timestampdiff(minute, a, b) > 0", "f(a + b) > 0", "cast(a as char) = 'x'", "a collate utf8mb4_bin = 'x'",
    "date + 1 > year", "a + interval 1 day > b", "case when a > 0 then b end", "if(a, b, c)", "user = 'x'",
    "_utf8mb4'x' = a", "a = _latin1'y'", "t.a > 0", "a -> '$.k' = 1", "left(a, 2) = 'x'", "a xor b",
    "current_date > d", "a like 'x%'", "a regexp '^x'", "binary a = 'x'", "a = 0x1F", "a = b'1'",
]


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_the_shape_gives_what_the_text_gives(text):
    direct = expressions._dump(expressions.strip_tree(expressions._parse(text)))
    shaped = expressions._canonical_by_shape(text)
    assert shaped is None or shaped == direct
    assert expressions.canonical(text) == direct


def test_names_differing_only_in_case_are_one_name():
    assert expressions.canonical("json_valid(`Doc`)") == expressions.canonical("json_valid(`doc`)")
    assert expressions.canonical("`a` > `b`") != expressions.canonical("`b` > `a`")


def test_one_parse_per_shape():
    expressions._canonical_shape.cache_clear()
    for k in range(50):
        expressions.canonical(f"json_valid(`column_{k}_of_shapes`)")
    assert expressions._canonical_shape.cache_info().misses == 1


def test_a_quoted_name_that_is_not_read_falls_back_to_the_text():
    with pytest.raises(expressions.ExpressionError):
        expressions.canonical("`a` +")


def test_a_plain_expression_of_bare_names_is_one_parse_per_shape():
    expressions._canonical_shape.cache_clear()
    expressions.canonical.cache_clear()
    for k in range(50):
        assert expressions.canonical(f"col_{k} >= 0") == f"gte(expression=num:0 this=column(this=id:col_{k}))"
    assert expressions._canonical_shape.cache_info().misses == 1


@pytest.mark.parametrize("text", ["interval + a > b", "a sounds like b", "f(a + b) > 0", "a div b",
                                  "a collate utf8mb4_bin = 'x'", "date + 1 > x", "any > 0", "t.a > 0"])
def test_bare_names_near_other_words_are_read_as_written(text):
    # a keyword or a function anywhere: its bare names are not holes (sqlglot may read them otherwise)
    assert expressions._canonical_by_shape(text) is None
