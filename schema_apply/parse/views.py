"""View queries: what they read, and one canonical form for comparing them.

The server stores a view's query rewritten (MariaDB's ``st_select_lex::print``, MySQL's
``Query_block::print``): every column qualified with its table (and the database), ``*``
expanded, every projection aliased, joins in parentheses — ``a JOIN b ON … LEFT JOIN c ON …``
becomes ``((a join b on(…)) left join c on(…))``, INNER and CROSS JOIN become ``join``, a RIGHT
JOIN becomes a LEFT JOIN the other way round, USING and NATURAL become ``on(…)`` — conditions
rewritten (``NOT x`` as ``x = 0``, a bare column in a condition as ``x <> 0``, NOT pushed into
comparisons, ``IN`` of one value as ``=``, an EXISTS subquery as ``select 1 … limit 1``),
aliases in ORDER BY and GROUP BY replaced by what they name, function synonyms renamed
(``UPPER`` as ``ucase``, ``DATE_ADD(d, INTERVAL …)`` as ``d + interval …``, ``count(*)`` as
``count(0)``). MySQL 8 writes ``(0 <> x)`` for a bare column and adds parentheses.

``canonical_query`` prints both the Schemafile's query and the server's in one structural form
in which those rewrites no longer show: a join tree flattened where it is left-deep, conditions
in negation normal form (``and``/``or`` flattened, NOT pushed down, a value's truth as
``truthy(x)`` however written), equalities with their operands in one order, columns qualified
by resolving them against the tables' columns (from the model). It walks sqlglot's syntax tree
once, with no copies (the whole cost is sqlglot's parse: ~2 ms for a 40-column view with ten
joins; scripts/bench-views measures it).
"""

from __future__ import annotations

import functools
import re
from dataclasses import field
from typing import Mapping

from sqlglot import exp

from ..sql import expressions
from ..values import mutable

AUTO_ALIAS = "<auto>"
_PLAIN_NAME = re.compile(r"[A-Za-z_$][\w$]*\Z")
# The server prints MATCH's columns without parentheses, which sqlglot cannot read.
_SERVER_MATCH = re.compile(r"\bmatch\s+((?:`(?:[^`]|``)*`\.)*`(?:[^`]|``)*`(?:\s*,\s*(?:`(?:[^`]|``)*`\.)*`(?:[^`]|``)*`)*)"
                           r"\s+against\s*\(", re.I)


def parse_query(query: str) -> str:
    """Check that ``query`` is a query sqlglot can read; return it."""
    tree = expressions._parse(query)
    if not isinstance(tree, (exp.Query, exp.Values)):
        raise expressions.ExpressionError("a view's definition must be a SELECT")
    return query


@functools.lru_cache(maxsize=1024)
def referenced_tables(query: str) -> frozenset[str]:
    """Names of the tables and views a query reads (CTE names excluded)."""
    try:
        tree = _parse(query)
    except expressions.ExpressionError:
        return frozenset()
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    return frozenset(t.name for t in tree.find_all(exp.Table) if t.name and t.name not in ctes)


def dependency_order(queries: dict[str, str]) -> list[str]:
    """View names, each after the views (among ``queries``) it reads; by name otherwise.
    A cycle, which the server would not accept anyway, is broken by name."""
    pending = dict(queries)
    out: list[str] = []
    while pending:
        ready = [n for n in sorted(pending) if not (referenced_tables(pending[n]) & (set(pending) - {n}))]
        for name in ready or [min(pending)]:
            out.append(name)
            del pending[name]
    return out


def _parse(query: str) -> exp.Expression:
    return expressions._parse(_SERVER_MATCH.sub(r"match (\1) against (", query) if "against" in query.lower()
                              else query)


def canonical_query(query: str, columns: Mapping[str, tuple[str, ...]], *, database: str | None,
                    view_columns: tuple[str, ...] = ()) -> tuple[str, tuple[str, ...]]:
    """The structural form of a view's query, as it compares with the server's, and the names of
    the view's columns (lower-case). ``columns``: the columns of the tables and views it may read,
    in order, names in lower case (identifiers in a view compare case-insensitively)."""
    try:
        tree = _parse(query)
    except expressions.ExpressionError:
        return query, view_columns
    canon = _Canon(columns, database.lower() if database else None, query)
    text, output = canon.query(tree, None, view_columns, outer=True)
    return text, tuple(c.lower() for c in view_columns) or output


_SELECT_OPTIONS = {"DISTINCT", "ALL", "DISTINCTROW", "HIGH_PRIORITY", "STRAIGHT_JOIN", "SQL_SMALL_RESULT",
                   "SQL_BIG_RESULT", "SQL_BUFFER_RESULT", "SQL_NO_CACHE", "SQL_CACHE", "SQL_CALC_FOUND_ROWS"}
_ITEM_ENDS = {"FROM", "INTO", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "UNION", "EXCEPT", "INTERSECT", "FOR",
              "WINDOW", "LOCK"}


def _item_texts(query: str) -> list[str]:
    """The text of each item of the outermost SELECT list, as written (the server names an item
    without an alias after its text)."""
    from sqlglot.dialects.mysql import MySQL
    tokens = MySQL().tokenizer().tokenize(query)
    depth, k = 0, 0
    while k < len(tokens):
        tok = tokens[k]
        depth += tok.token_type.name == "L_PAREN"
        depth -= tok.token_type.name == "R_PAREN"
        k += 1
        if depth == 0 and tok.text.upper() == "SELECT":
            break
    while k < len(tokens) and tokens[k].text.upper() in _SELECT_OPTIONS:
        k += 1
    items, first = [], k
    while k <= len(tokens):
        tok = tokens[k] if k < len(tokens) else None
        if tok is not None:
            depth += tok.token_type.name == "L_PAREN"
            depth -= tok.token_type.name == "R_PAREN"
        end = tok is None or depth < 0 or (depth == 0 and (tok.token_type.name == "COMMA"
                                                           or tok.text.upper() in _ITEM_ENDS))
        if end:
            if k > first:
                items.append(query[tokens[first].start:tokens[k - 1].end + 1].strip())
            if tok is None or tok.token_type.name != "COMMA" or depth != 0:
                return items
            first = k + 1
        k += 1
    return items


# --------------------------------------------------------------------------
# The canonical printer
# --------------------------------------------------------------------------

@mutable
class _Scope:
    """The sources a SELECT reads (alias -> its columns, None when unknown) and its outer scope."""

    parent: "_Scope | None"
    ctes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sources: dict[str, tuple[str, ...] | None] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # select-list alias -> canonical expression

    def cte(self, name: str) -> tuple[str, ...] | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.ctes:
                return scope.ctes[name]
            scope = scope.parent
        return None


_BOOLEAN = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.And, exp.Or, exp.Not, exp.Xor,
            exp.In, exp.Between, exp.Like, exp.ILike, exp.RegexpLike, exp.Is, exp.Exists, exp.MatchAgainst,
            exp.Escape, exp.All, exp.Any)
_NEGATED = {exp.EQ: "neq", exp.NEQ: "eq", exp.GT: "lte", exp.LTE: "gt", exp.GTE: "lt", exp.LT: "gte"}
_SYMMETRIC = (exp.EQ, exp.NEQ, exp.NullSafeEQ)
_SYMMETRIC_KEYS = {"eq", "neq", "nullsafeeq"}
# function names the servers print in another spelling (sqlglot already merges most synonyms)
_FUNCTION_SYNONYMS = {"octet_length": "length_bytes", "ucase": "upper", "lcase": "lower", "substr": "substring",
                      "mid": "substring", "curdate": "current_date", "curtime": "current_time",
                      "character_length": "char_length", "pow": "power", "ceiling": "ceil", "std": "stddev",
                      "stddev_pop": "stddev", "variance": "var_pop", "now": "current_timestamp",
                      "sysdate": "sysdate", "schema": "database", "lcase_": "lower"}
_SKIPPED_ARGS = {"quoted", "joins"}


class _Canon:
    def __init__(self, columns: Mapping[str, tuple[str, ...]], database: str | None, query: str):
        self.columns = columns
        self.database = database
        self.text = query
        self._items: list[str] | None = None

    def auto_name(self, position: int, item: exp.Expression) -> str:
        """The name the server gives an item of the outer SELECT written without an alias: its text
        (a string literal's value), ``Name_exp_N`` when longer than 64 characters."""
        if isinstance(item, exp.Literal) and item.is_string:
            name = item.this
        else:
            if self._items is None:
                self._items = _item_texts(self.text)
            name = self._items[position] if position < len(self._items) else ""
        return name if 0 < len(name) <= 64 else ""

    # -- queries ------------------------------------------------------------------

    def query(self, node: exp.Expression, parent: _Scope | None, names: tuple[str, ...] = (), *,
              outer: bool = False) -> tuple[str, tuple[str, ...]]:
        """A query (SELECT, UNION, a parenthesised one) -> (canonical text, output column names)."""
        while isinstance(node, exp.Subquery) and not node.alias and not node.args.get("joins"):
            node = node.this
        if isinstance(node, exp.SetOperation):
            left, output = self.query(node.this, parent, names, outer=outer)
            right, _ = self.query(node.expression, parent)
            kind = f"{node.key}{'' if node.args.get('distinct', True) else '_all'}"
            return f"{kind}({left},{right}{self._tail(node, None)})", output
        if isinstance(node, exp.Select):
            return self.select(node, parent, names, outer=outer)
        return self.expr(node, _Scope(parent), "value"), ()

    def select(self, node: exp.Select, parent: _Scope | None, names: tuple[str, ...] = (),
               exists: bool = False, *, outer: bool = False) -> tuple[str, tuple[str, ...]]:
        scope = _Scope(parent)
        head = []
        with_ = node.args.get("with_") or node.args.get("with")
        if with_ is not None:
            ctes = []
            for cte in with_.expressions:
                text, output = self.query(cte.this, scope)
                scope.ctes[cte.alias_or_name.lower()] = output
                ctes.append(f"{cte.alias_or_name.lower()}={text}")
            head.append("with[" + ",".join(ctes) + "]")
        source = node.args.get("from_") or node.args.get("from")
        tree: list = []
        if source is not None:
            tree = self._tree(source.this, node.args.get("joins") or [], scope)
        items, output = ([], ()) if exists else self._projections(node, scope, names, outer)
        parts = head + (["distinct" if node.args.get("distinct") else ""] if not exists else [])
        parts.append("items=[" + ",".join(items) + "]")
        if tree:
            parts.append("from=" + self._tree_text(tree, scope))
        if node.args.get("where") is not None:
            parts.append("where=" + self.cond(node.args["where"].this, scope))
        group = node.args.get("group")
        if group is not None:
            parts.append("group=[" + ",".join(self._resolved(e, scope, prefer_alias=False)
                                             for e in group.expressions) + "]"
                         + ("rollup" if group.args.get("rollup") or group.args.get("with_rollup") else ""))
        if node.args.get("having") is not None:
            parts.append("having=" + self.cond(node.args["having"].this, scope))
        for name in ("operation_modifiers", "hint", "locks"):
            if node.args.get(name):
                parts.append(f"{name}=" + self._generic_value(node.args[name], scope))
        parts.append(self._tail(node, scope, exists))
        return "select(" + " ".join(p for p in parts if p) + ")", output

    def _tail(self, node: exp.Expression, scope: _Scope | None, exists: bool = False) -> str:
        """ORDER BY, LIMIT, OFFSET (an EXISTS subquery's LIMIT 1 changes nothing)."""
        scope = scope or _Scope(None)
        parts = []
        order = node.args.get("order")
        if order is not None:
            parts.append("order=[" + ",".join(
                self._resolved(o.this, scope, prefer_alias=True) + (" desc" if o.args.get("desc") else "")
                for o in order.expressions) + "]")
        limit = node.args.get("limit")
        if limit is not None and not (exists and self._is_one(limit)):
            parts.append("limit=" + self._generic_value(limit, scope))
        if node.args.get("offset") is not None:
            parts.append("offset=" + self._generic_value(node.args["offset"], scope))
        return " ".join(parts)

    @staticmethod
    def _is_one(limit: exp.Expression) -> bool:
        value = limit.args.get("expression") or limit.this
        return isinstance(value, exp.Literal) and value.this == "1" and limit.args.get("offset") is None

    def _projections(self, node: exp.Select, scope: _Scope, names: tuple[str, ...], outer: bool
                     ) -> tuple[list[str], tuple]:
        items: list[str] = []
        output: list[str] = []
        for position, item in enumerate(node.expressions):
            for text, name, alias in self._projection(item, scope, position if outer else None):
                if names and len(output) < len(names):
                    alias = names[len(output)].lower()
                items.append(f"{text} as {alias}")
                output.append(name)
                if alias != AUTO_ALIAS:
                    scope.aliases.setdefault(alias, text)
        return items, tuple(output)

    def _projection(self, item: exp.Expression, scope: _Scope, position: int | None
                    ) -> list[tuple[str, str, str]]:
        """(canonical expression, output name, alias as compared) for one select item (a * is many).
        An alias compares as written when it is a plain name (not one the server made up,
        ``Name_exp_1``); a longer one compares as <auto>: an item's auto name is its text, which
        only the original spelling gives."""
        if isinstance(item, exp.Star) or (isinstance(item, exp.Column) and isinstance(item.this, exp.Star)):
            qualifier = item.table.lower() if isinstance(item, exp.Column) and item.table else None
            out = []
            for alias, cols in scope.sources.items():
                if qualifier is None or alias == qualifier:
                    out += [(f"col:{alias}.{c}", c, c) for c in cols or ()]
            return out or [("star", "*", AUTO_ALIAS)]
        if isinstance(item, exp.Alias):
            name = item.alias
            return [(self.expr(item.this, scope, "value"), name.lower(), _compared_alias(name))]
        text = self.expr(item, scope, "value")
        if isinstance(item, exp.Column):
            return [(text, item.name.lower(), item.name.lower())]
        name = self.auto_name(position, item) if position is not None else ""
        return [(text, (name or item.sql(dialect="mysql")).lower(), _compared_alias(name))]

    def _resolved(self, node: exp.Expression, scope: _Scope, *, prefer_alias: bool) -> str:
        """An ORDER BY / GROUP BY item: a bare name that is a select-list alias stands for what it names."""
        if isinstance(node, exp.Column) and not node.table:
            name = node.name.lower()
            is_column = self._find(name, scope) is not None
            if name in scope.aliases and (prefer_alias or not is_column):
                return scope.aliases[name]
        return self.expr(node, scope, "value")

    # -- FROM: the join tree ----------------------------------------------------------

    def _tree(self, source: exp.Expression, joins: list, scope: _Scope) -> list:
        """A FROM clause as a join list [(kind, source, condition)], left-deep joins flattened,
        RIGHT JOIN turned into LEFT JOIN; a source is a leaf node or a nested list (a group)."""
        tree = self._group(source, scope)
        for join in joins:
            tree = self._join(tree, join, scope)
        return tree

    def _group(self, node: exp.Expression, scope: _Scope) -> list:
        inner_joins = node.args.get("joins") or []
        if isinstance(node, exp.Subquery) and not node.alias and isinstance(node.this, (exp.Table, exp.Subquery)):
            tree = self._group(node.this, scope)  # ( a JOIN b … ) on the left of a join: the same as without
        else:
            tree = [(None, self._leaf(node, scope), None)]
        for join in inner_joins:
            tree = self._join(tree, join, scope)
        return tree

    def _join(self, tree: list, join: exp.Join, scope: _Scope) -> list:
        right_node = join.this
        right = self._group(right_node, scope)
        right_source = right if len(right) > 1 else right[0][1]
        side = (join.args.get("side") or "").upper()
        kind = (join.args.get("kind") or "").upper()
        condition = join.args.get("on")
        using = join.args.get("using") or []
        if (join.args.get("method") or "").upper() == "NATURAL" or using:
            condition = self._using(tree, right, [u.name.lower() for u in using] or None)
        label = {"LEFT": "left", "RIGHT": "right", "FULL": "full"}.get(side, "join")
        if "STRAIGHT" in kind or "STRAIGHT" in (join.args.get("method") or "").upper():
            label = "straight"
        if label == "right":  # L RIGHT JOIN R ON c  ==  R LEFT JOIN L ON c
            left_source = tree if len(tree) > 1 else tree[0][1]
            return [(None, right_source, None), ("left", left_source, condition)]
        return tree + [(label, right_source, condition)]

    def _using(self, tree: list, right: list, names: list[str] | None):
        """USING (…) / NATURAL as the ON condition the server writes: left.c = right.c, …"""
        left = self._leaves(tree)
        right_leaves = self._leaves(right)
        pairs = []
        right_cols = {c for _, cols in right_leaves for c in cols or ()}
        candidates = names if names is not None else [c for _, cols in left for c in cols or () if c in right_cols]
        for name in candidates:
            l_alias = next((a for a, cols in left if cols and name in cols), left[0][0] if left else "")
            r_alias = next((a for a, cols in right_leaves if cols and name in cols), right_leaves[0][0])
            pairs.append(exp.EQ(this=exp.column(name, l_alias), expression=exp.column(name, r_alias)))
        if not pairs:
            return None
        condition = pairs[0]
        for pair in pairs[1:]:
            condition = exp.And(this=condition, expression=pair)
        return condition

    def _leaves(self, tree) -> list[tuple[str, tuple[str, ...] | None]]:
        out = []
        for _, source, _ in tree if isinstance(tree, list) else [(None, tree, None)]:
            if isinstance(source, list):
                out += self._leaves(source)
            else:
                out.append((source.alias, source.columns))
        return out

    def _leaf(self, node: exp.Expression, scope: _Scope) -> "_Leaf":
        """A table, view, CTE or derived table in FROM, registered in ``scope``."""
        if isinstance(node, exp.Table):
            name = node.name.lower()
            db = node.args.get("db")
            db_name = db.name.lower() if isinstance(db, exp.Identifier) and db.name.lower() != self.database else None
            alias = node.alias.lower() if node.alias else name
            columns = scope.cte(name) if db_name is None else None
            if columns is None and db_name is None:
                columns = self.columns.get(name)
            text = f"tbl:{db_name + '.' if db_name else ''}{name}" + (f" as {alias}" if alias != name else "")
            hints = node.args.get("hints")
            if hints:
                text += " hints=" + self._generic_value(hints, scope)
            scope.sources[alias] = columns
            return _Leaf(text, alias, columns)
        if isinstance(node, exp.Subquery):
            text, output = self.query(node.this, scope.parent)
            alias = node.alias.lower()
            scope.sources[alias] = output
            return _Leaf(f"sub:{text} as {alias}", alias, output)
        text = self.expr(node, scope, "value")
        return _Leaf(text, text, None)

    def _tree_text(self, tree: list, scope: _Scope) -> str:
        out = []
        for kind, source, condition in tree:
            text = self._tree_text(source, scope) if isinstance(source, list) else source.text
            on = f" on {self.cond(condition, scope)}" if condition is not None else ""
            out.append(f"{kind + ' ' if kind else ''}{text}{on}")
        return "[" + ",".join(out) + "]"

    # -- expressions ------------------------------------------------------------------

    def _find(self, name: str, scope: _Scope | None) -> str | None:
        """The alias of the source (in this scope or an outer one) that has column ``name``."""
        while scope is not None:
            for alias, cols in scope.sources.items():
                if cols is not None and name in cols:
                    return alias
            unknown = [alias for alias, cols in scope.sources.items() if cols is None]
            if len(unknown) == 1 and len(scope.sources) == 1:
                return unknown[0]  # a table the model does not know: the only source
            scope = scope.parent
        return None

    def column(self, node: exp.Column, scope: _Scope) -> str:
        name = node.name.lower()
        db = node.args.get("db")
        db_name = db.name.lower() if isinstance(db, exp.Identifier) and db.name.lower() != self.database else None
        if node.table:
            return f"col:{db_name + '.' if db_name else ''}{node.table.lower()}.{name}"
        alias = self._find(name, scope)
        if alias is not None:
            return f"col:{alias}.{name}"
        return f"name:{name}"

    def expr(self, node: exp.Expression, scope: _Scope, context: str) -> str:
        """An expression in ``context`` "value" or "cond" (a condition: WHERE, ON, HAVING, an
        operand of AND/OR/NOT/XOR, a CASE WHEN, IF's first argument)."""
        node = self._unwrap(node)
        if isinstance(node, (exp.And, exp.Or, exp.Not)) or (context == "cond" and not isinstance(node, exp.Xor)):
            return self.cond(node, scope)
        return self._value(node, scope)

    @staticmethod
    def _unwrap(node: exp.Expression) -> exp.Expression:
        while True:
            stripped = expressions._strip(node)
            if stripped is node:
                return node
            node = stripped

    def cond(self, node: exp.Expression, scope: _Scope) -> str:
        return _joined(*self._logic(node, scope, True))

    def negate(self, node: exp.Expression, scope: _Scope) -> str:
        return _joined(*self._logic(node, scope, False))

    def _logic(self, node: exp.Expression, scope: _Scope, positive: bool) -> tuple[str | None, list[str]]:
        """A condition (``positive``) or its negation in negation normal form: (operator, operands),
        AND and OR flattened through NOT and parentheses; a value's truth as truthy/falsy."""
        node = self._unwrap(node)
        if isinstance(node, (exp.And, exp.Or)):
            op = node.key if positive else ("or" if isinstance(node, exp.And) else "and")
            items: list[str] = []
            for operand in self._flat(node, type(node)):
                inner_op, inner = self._logic(operand, scope, positive)
                items += inner if inner_op == op else [_joined(inner_op, inner)]
            return op, items
        if isinstance(node, exp.Not):
            return self._logic(node.this, scope, not positive)
        truth = self._truth(node)
        if truth is not None:
            value, truthy = truth
            return self._logic(value, scope, positive == truthy)
        return None, [self._predicate(node, scope) if positive else self._negated(node, scope)]

    def _predicate(self, node: exp.Expression, scope: _Scope) -> str:
        if isinstance(node, _BOOLEAN):
            return self._value(node, scope)
        return f"truthy({self._value(node, scope)})"

    def _negated(self, node: exp.Expression, scope: _Scope) -> str:
        flipped = _NEGATED.get(type(node))
        if flipped is not None:
            return self._compare(flipped, node.this, node.expression, scope)
        if isinstance(node, exp.In) and not node.args.get("query") and len(node.expressions) == 1:
            return self._compare("neq", node.this, node.expressions[0], scope)
        if node.args.get("negate"):
            return self._generic(node, scope, skip="negate")
        if isinstance(node, _BOOLEAN):
            return f"not({self._value(node, scope)})"
        return f"falsy({self._value(node, scope)})"

    @staticmethod
    def _truth(node: exp.Expression) -> tuple[exp.Expression, bool] | None:
        """``x <> 0`` / ``0 <> x`` -> (x, True), ``x = 0`` -> (x, False): how the servers write a value's
        truth (NOT x is stored as x = 0)."""
        if isinstance(node, (exp.EQ, exp.NEQ)):
            for value, other in ((node.this, node.expression), (node.expression, node.this)):
                other = _Canon._unwrap(other)
                if isinstance(other, exp.Literal) and not other.is_string and other.this in ("0", "0.0"):
                    return _Canon._unwrap(value), isinstance(node, exp.NEQ)
        return None

    @staticmethod
    def _flat(node: exp.Expression, kind: type) -> list[exp.Expression]:
        out, stack = [], [node]
        while stack:
            item = _Canon._unwrap(stack.pop())
            if isinstance(item, kind):
                stack += [item.expression, item.this]
            else:
                out.append(item)
        return out

    def _compare(self, kind: str, left: exp.Expression, right: exp.Expression, scope: _Scope) -> str:
        """A comparison; = and <> with their operands in one order (a = b is b = a)."""
        a, b = self._value(left, scope), self._value(right, scope)
        if kind in _SYMMETRIC_KEYS and b < a:
            a, b = b, a
        return f"{kind}({a},{b})"

    def _value(self, node: exp.Expression, scope: _Scope) -> str:
        node = self._unwrap(node)
        if isinstance(node, (exp.GT, exp.GTE, exp.LT, exp.LTE)):
            return self._compare(node.key, node.this, node.expression, scope)
        if isinstance(node, exp.Column):
            if isinstance(node.this, exp.Star):
                return "star"
            return self.column(node, scope)
        if isinstance(node, exp.Literal):
            return ("str:" if node.is_string else "num:") + node.name
        if isinstance(node, exp.Null):
            return "null"
        if isinstance(node, (exp.BitString, exp.HexString)):
            base = 2 if isinstance(node, exp.BitString) else 16
            return f"bin:{int(node.this or '0', base):x}"
        if isinstance(node, (exp.Identifier, exp.Var)):
            return "id:" + node.name.lower()
        if isinstance(node, (exp.And, exp.Or, exp.Not)):
            return self.cond(node, scope)
        if isinstance(node, _SYMMETRIC):
            if self._truth(node) is not None:
                return self.cond(node, scope)
            return self._compare(node.key, node.this, node.expression, scope)
        if isinstance(node, exp.In) and not node.args.get("query") and len(node.expressions) == 1:
            return self._compare("eq", node.this, node.expressions[0], scope)  # a IN (b) is stored as a = b
        if isinstance(node, exp.Exists):
            inner = node.this
            while isinstance(inner, exp.Subquery):
                inner = inner.this
            text = self.select(inner, scope, exists=True)[0] if isinstance(inner, exp.Select) else \
                self.query(inner, scope)[0]
            return f"exists({text})"
        if isinstance(node, (exp.Select, exp.SetOperation)) or (isinstance(node, exp.Subquery) and not node.alias):
            return "(" + self.query(node, scope)[0] + ")"
        if isinstance(node, exp.Count):  # count(*) is stored as count(0)
            inner = node.this
            return "count(" + ("num:0" if isinstance(inner, exp.Star) else self._value(inner, scope)) + ")"
        if isinstance(node, (exp.Add, exp.Sub)) and any(isinstance(self._unwrap(x), exp.Interval)
                                                         for x in (node.this, node.expression)):
            left, right = self._unwrap(node.this), self._unwrap(node.expression)
            if isinstance(left, exp.Interval):
                left, right = right, left
            return f"{node.key}({self._value(left, scope)},{self._value(right, scope)})"
        if node.args.get("negate"):  # a NOT LIKE b: the same as NOT (a LIKE b)
            return f"not({self._generic(node, scope, skip='negate')})"
        if isinstance(node, (exp.DateAdd, exp.DateSub)):
            op = "add" if isinstance(node, exp.DateAdd) else "sub"
            return f"{op}({self._value(node.this, scope)},{self._interval(node.expression, node.args.get('unit'), scope)})"
        if isinstance(node, exp.Interval):
            return self._interval(node.this, node.args.get("unit"), scope)
        if isinstance(node, exp.Length) and node.args.get("binary"):
            return f"fn:length_bytes({self._value(node.this, scope)})"
        if isinstance(node, exp.Cast):
            return f"cast({self._value(node.this, scope)},{self._cast_type(node.args.get('to'))})"
        if isinstance(node, exp.If):
            return ("if(" + self.cond(node.this, scope) + "," + self._value(node.args["true"], scope) + ","
                    + (self._value(node.args["false"], scope) if node.args.get("false") is not None else "null") + ")")
        if isinstance(node, exp.Case):
            ifs = ",".join(("when " + (self._value(i.this, scope) if node.this is not None else self.cond(i.this, scope))
                            + " then " + self._value(i.args["true"], scope)) for i in node.args.get("ifs") or [])
            default = node.args.get("default")
            return (f"case({self._value(node.this, scope) if node.this is not None else ''}|{ifs}"
                    f"|{self._value(default, scope) if default is not None else ''})")
        if isinstance(node, exp.Xor):
            return f"xor({self.cond(node.this, scope)},{self.cond(node.expression, scope)})"
        if isinstance(node, exp.Anonymous):
            name = str(node.this).lower()
            if name in ("adddate", "subdate") and len(node.expressions) == 2:
                amount = node.expressions[1]
                if not isinstance(amount, exp.Interval):
                    amount = exp.Interval(this=amount, unit=exp.var("DAY"))
                return f"{name[:3]}({self._value(node.expressions[0], scope)},{self._value(amount, scope)})"
            name = _FUNCTION_SYNONYMS.get(name, name)
            return f"fn:{name}(" + ",".join(self._value(a, scope) for a in node.expressions) + ")"
        return self._generic(node, scope)

    def _interval(self, amount: exp.Expression, unit: exp.Expression | None, scope: _Scope) -> str:
        amount = self._unwrap(amount)
        value = amount.name if isinstance(amount, exp.Literal) else self._value(amount, scope)  # '1' or 1
        return f"interval({value},{(unit.name if unit is not None else 'day').lower()})"

    @staticmethod
    def _cast_type(to: exp.Expression | None) -> str:
        """The type of a CAST: CHAR CHARACTER SET binary is BINARY; another character set is the
        connection's (the server writes it), so not compared."""
        if not isinstance(to, exp.DataType):
            return str(to).lower()
        kind = to.args.get("kind")
        if to.this == exp.DataType.Type.CHARACTER_SET:
            base = "binary" if kind is not None and kind.name.lower() == "binary" else "char"
        elif to.this in (exp.DataType.Type.BINARY, exp.DataType.Type.VARBINARY):
            base = "binary"
        else:
            base = to.this.value.lower()
        sizes = ",".join(e.name for e in to.expressions if isinstance(e, (exp.DataTypeParam, exp.Literal)))
        return f"{base}({sizes})" if sizes else base

    def _generic(self, node: exp.Expression, scope: _Scope, skip: str = "") -> str:
        parts = []
        for name in sorted(node.args):
            if name in _SKIPPED_ARGS or name == skip:
                continue
            value = node.args[name]
            if value is None or value is False or value == []:
                continue
            parts.append(f"{name}={self._generic_value(value, scope)}")
        return f"{node.key}(" + " ".join(parts) + ")"

    def _generic_value(self, value, scope: _Scope) -> str:
        if isinstance(value, exp.Expression):
            return self._value(value, scope)
        if isinstance(value, list):
            return "[" + ",".join(self._generic_value(v, scope) for v in value) + "]"
        return str(value).lower()


def _joined(op: str | None, items: list[str]) -> str:
    return items[0] if op is None else f"{op}(" + ",".join(items) + ")"


def _compared_alias(name: str) -> str:
    if _PLAIN_NAME.match(name) and not name.startswith("_col_") and not re.fullmatch(r"Name_exp_\d+", name):
        return name.lower()
    return AUTO_ALIAS


@mutable
class _Leaf:
    text: str
    alias: str
    columns: tuple[str, ...] | None
