"""PARTITION BY: the method, its expression or columns, and the partition definitions.

Partition values are kept in the server's spelling (``10``, ``'m'``, ``MAXVALUE``) and compared as
text; the method's expression goes through the expression canonicalizer like any other.
"""

from __future__ import annotations

from sqlglot.tokens import TokenType

from ..model import Expr, Partition, Partitioning
from ..sql.quoting import quote_string
from .lexer import Cursor


def read_partitioning(c: Cursor) -> Partitioning:
    """PARTITION BY … [PARTITIONS n] [SUBPARTITION BY … [SUBPARTITIONS n]] [(partition definitions)]"""
    c.expect("PARTITION", "BY")
    method, expr, algorithm = _partition_method(c)
    count = sub_count = None
    sub_method = sub_expr = None
    if c.accept("PARTITIONS"):
        count = c.integer("the number of partitions")
    if c.accept("SUBPARTITION", "BY"):
        sub_method, sub_expr, _ = _partition_method(c, sub=True)
        if c.accept("SUBPARTITIONS"):
            sub_count = c.integer("the number of subpartitions")
    partitions: list[Partition] = []
    if c.at_type(TokenType.L_PAREN):
        c.next()
        while True:
            partitions.append(_partition_definition(c, method))
            if c.accept_type(TokenType.COMMA):
                continue
            c.expect_type(TokenType.R_PAREN, ", or )")
            break
    if method in ("RANGE", "LIST", "RANGE COLUMNS", "LIST COLUMNS") and not partitions:
        c.fail(f"PARTITION BY {method} needs a list of partitions")
    if partitions and count is not None and count != len(partitions):
        c.fail(f"PARTITIONS {count} does not match the {len(partitions)} partitions listed")
    return Partitioning(method, expr, tuple(partitions), count, algorithm, sub_method, sub_expr, sub_count)


def _partition_method(c: Cursor, sub: bool = False) -> tuple[str, Expr | None, int | None]:
    linear = c.accept("LINEAR")
    algorithm = None
    if c.accept("HASH"):
        s, e = c.balanced()
        return ("LINEAR HASH" if linear else "HASH"), c.expression(s, e, "partition function"), None
    if c.accept("KEY"):
        if c.accept("ALGORITHM"):
            c.accept_eq()
            algorithm = c.integer("1 or 2")
        s, e = c.balanced()
        expr = _column_list_expr(c, s, e) if e >= s else None
        return ("LINEAR KEY" if linear else "KEY"), expr, algorithm
    if linear:
        c.fail("expected HASH or KEY after LINEAR")
    if sub:
        c.fail("subpartitions are by HASH or KEY")
    for method in ("RANGE", "LIST"):
        if c.accept(method):
            if c.accept("COLUMNS"):
                s, e = c.balanced()
                return f"{method} COLUMNS", _column_list_expr(c, s, e), None
            s, e = c.balanced()
            return method, c.expression(s, e, "partition function"), None
    if c.at("SYSTEM_TIME"):
        c.unsupported("PARTITION BY SYSTEM_TIME (system-versioned tables)")
    c.fail("expected RANGE, LIST, HASH or KEY")


def _column_list_expr(c: Cursor, first: int, last: int) -> Expr:
    names = []
    k = first
    while k <= last:
        tok = c.tokens[k]
        if tok.token_type != TokenType.COMMA:
            names.append(tok.text)
        k += 1
    sql = ",".join(f"`{n.replace('`', '``')}`" for n in names)
    return Expr(sql=sql, canon=",".join(n.lower() for n in names))


def _partition_definition(c: Cursor, method: str) -> Partition:
    c.expect("PARTITION")
    name = c.ident("a partition name")
    values = None
    if c.accept("VALUES"):
        if c.accept("LESS", "THAN"):
            if c.accept("MAXVALUE"):
                values = "LESS THAN MAXVALUE"
            else:
                s, e = c.balanced()
                values = "LESS THAN (" + _value_list(c, s, e) + ")"
        elif c.accept("IN"):
            s, e = c.balanced()
            values = "IN (" + _value_list(c, s, e) + ")"
        else:
            c.fail("expected LESS THAN or IN after VALUES")
    elif method in ("RANGE", "LIST", "RANGE COLUMNS", "LIST COLUMNS"):
        c.fail(f"a {method} partition needs VALUES")
    comment = ""
    subpartitions: list[str] = []
    while True:
        if c.accept("STORAGE", "ENGINE") or c.accept("ENGINE"):
            c.accept_eq()
            c.ident("an engine name")  # a partition's engine is the table's (the server enforces it)
        elif c.accept("COMMENT"):
            c.accept_eq()
            comment = c.string("the comment text")
        elif c.at_type(TokenType.L_PAREN):
            c.next()
            while True:
                c.expect("SUBPARTITION")
                subpartitions.append(c.ident("a subpartition name"))
                while c.accept("ENGINE") or c.accept("STORAGE", "ENGINE") or c.accept("COMMENT"):
                    c.accept_eq()
                    c.value_word()
                if c.accept_type(TokenType.COMMA):
                    continue
                c.expect_type(TokenType.R_PAREN, ", or )")
                break
        elif c.word() in ("DATA", "INDEX", "MAX_ROWS", "MIN_ROWS", "TABLESPACE", "NODEGROUP"):
            c.unsupported(f"the partition option {c.word()}")
        else:
            return Partition(name, values, comment, tuple(subpartitions))


def _value_list(c: Cursor, first: int, last: int) -> str:
    """Partition values in the server's spelling: 10,'m',MAXVALUE — compared as text."""
    items: list[str] = []
    depth = 0
    current: list[int] = []
    for k in range(first, last + 1):
        tok = c.tokens[k]
        if tok.token_type == TokenType.L_PAREN:
            depth += 1
        elif tok.token_type == TokenType.R_PAREN:
            depth -= 1
        if tok.token_type == TokenType.COMMA and depth == 0:
            items.append(_partition_value(c, current))
            current = []
        else:
            current.append(k)
    items.append(_partition_value(c, current))
    return ",".join(items)


def _partition_value(c: Cursor, toks: list[int]) -> str:
    if not toks:
        c.fail("empty partition value")
    if len(toks) == 1:
        tok = c.tokens[toks[0]]
        if tok.token_type == TokenType.STRING:
            return quote_string(tok.text)
        if tok.text.upper() in ("MAXVALUE", "NULL"):
            return tok.text.upper()
        return tok.text
    if len(toks) == 2 and c.tokens[toks[0]].token_type == TokenType.DASH:
        return "-" + c.tokens[toks[1]].text
    if c.tokens[toks[0]].token_type == TokenType.L_PAREN:  # LIST COLUMNS tuples: (1,'a')
        return "(" + _value_list(c, toks[1], toks[-2]) + ")"
    return c.text(toks[0], toks[-1])

# -- CREATE INDEX / ALTER TABLE … ADD ---------------------------------------
