"""The package's import shape (issue 12): modules import each other at their top, where a reader
sees every dependency, and without a cycle; an import deferred into a function exists only where
laziness is the point (the command line and the commands, so that ``--help`` and a plan load only
what they use; the AWS libraries, loaded only when AWS is used) and says so on its line
(``# deferred: why``, beside it or above the run of imports it opens). Read from the source,
without importing it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "schema_apply"

# Modules being reworked by others while their deferred imports are moved to the top or explained;
# the check spares them until then. (module, imported module) pairs, or a module with None for all.
PENDING = {
    ("schema_apply.introspect", None), ("schema_apply.introspect_programs", None),
}


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The package's modules an import statement loads (``from . import x`` names a module x,
    ``from .m import f`` the module m); a module loads its parent packages too."""
    if isinstance(node, ast.Import):
        named = [alias.name for alias in node.names]
    else:
        base = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
        if node.level:
            base = base[:len(base) - node.level + 1]
        prefix = ".".join(base + ([node.module] if node.module else [])) if node.level else node.module or ""
        named = [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in MODULES else prefix for alias in node.names]
    out = []
    for name in named:
        parts = name.split(".")
        out += [".".join(parts[:k]) for k in range(2, len(parts) + 1) if ".".join(parts[:k]) in MODULES]
    return [name for name in dict.fromkeys(out) if name.startswith("schema_apply")]


def _imports(module: str) -> tuple[set[str], list[tuple[int, str, bool]]]:
    """(the modules imported at the module's top, [(line, module, whether it says why) for each
    imported inside a function]). An import says why when ``# deferred`` is on one of its lines, or
    on the line above the run of import statements it belongs to."""
    text = MODULES[module].read_text(encoding="utf-8")
    lines = text.splitlines()
    top: set[str] = set()
    inner: list[tuple[int, str, bool]] = []

    def visit(body: list[ast.stmt], in_function: bool) -> None:
        for k, node in enumerate(body):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue  # annotations only: nothing is imported when the code runs
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                first = k
                while first and isinstance(body[first - 1], (ast.Import, ast.ImportFrom)):
                    first -= 1
                said = any("# deferred" in line for line in lines[max(0, body[first].lineno - 2):node.end_lineno])
                for target in _targets(module, node):
                    (inner.append((node.lineno, target, said)) if in_function else top.add(target))
            for field in ("body", "orelse", "finalbody", "handlers"):
                nested = getattr(node, field, None)
                if isinstance(nested, list):
                    visit(nested, in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)))

    visit(ast.parse(text).body, False)
    top.discard(module)
    return top, inner


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path (first node repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def _pending(module: str, target: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m, t in PENDING if t in (None, target))


def test_the_cycle_check_finds_a_cycle():  # a positive control for the test below
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_at_module_top():
    graph = {module: _imports(module)[0] for module in MODULES}
    assert len(graph) > 50 and graph["schema_apply.commands"] >= {"schema_apply.plan", "schema_apply.model"}
    cycle = _cycle(graph)
    assert cycle is None, " -> ".join(cycle)


def test_an_import_deferred_into_a_function_says_why():
    unexplained = []
    for module, path in MODULES.items():
        for lineno, target, said in _imports(module)[1]:
            if not said and not _pending(module, target):
                unexplained.append(f"{path.relative_to(PACKAGE.parent)}:{lineno} imports {target}")
    assert not unexplained, "import at the module's top, or say why not (# deferred: …):\n" + "\n".join(unexplained)


def test_the_sql_toolkit_stands_beneath_the_parser_and_introspection():
    """``sql`` (lexer, quoting, canonical expressions) is what the parser, introspection, flavor and
    rendering share: it imports none of them (only the model it produces values of)."""
    above = ("schema_apply.parse", "schema_apply.flavor", "schema_apply.introspect", "schema_apply.plan",
             "schema_apply.render_ddl", "schema_apply.firewall", "schema_apply.commands")
    for module in MODULES:
        if module.startswith("schema_apply.sql"):
            top, inner = _imports(module)
            loaded = top | {name for _, name, _ in inner}
            assert not [m for m in loaded if m.startswith(above)], (module, sorted(loaded))
    for user in ("schema_apply.flavor", "schema_apply.introspect", "schema_apply.render_ddl", "schema_apply.model"):
        top, _ = _imports(user)
        assert any(m.startswith("schema_apply.sql.") for m in top), user


# The statement guard has one entry point (``firewall.statements``, whose ``check`` every statement
# passes); the modules that hold its rules and its answers are its own, imported from outside the
# firewall by no one.
GUARD_INSIDES = {"schema_apply.firewall.verdicts", "schema_apply.firewall.query_statements",
                 "schema_apply.firewall.session_statements", "schema_apply.firewall.ddl_statements"}


def test_the_statement_guard_is_entered_through_statements_only():
    assert GUARD_INSIDES <= _imports("schema_apply.firewall.statements")[0]
    reaching_in = []
    for module in MODULES:
        if module.startswith("schema_apply.firewall"):
            continue
        top, inner = _imports(module)
        reaching_in += [f"{module} imports {target}" for target in sorted(top | {t for _, t, _ in inner})
                        if target in GUARD_INSIDES]
    assert not reaching_in, "use schema_apply.firewall.statements:\n" + "\n".join(reaching_in)


def _closure(module: str) -> set[str]:
    """Every module of the package that importing ``module`` loads (imports at the top, transitively)."""
    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += _imports(name)[0]
    return seen


def test_the_declared_side_loads_none_of_the_engine():
    """``declared`` (the Schemafile read, parsed, checked and normalised; what a plan's forked child
    computes) stands beneath the engine: no planner, driver, firewall, reporter or command."""
    engine = ("schema_apply.plan", "schema_apply.diff", "schema_apply.changes", "schema_apply.policy",
              "schema_apply.connection", "schema_apply.introspect", "schema_apply.firewall", "schema_apply.report",
              "schema_apply.commands", "schema_apply.online", "schema_apply.apply", "schema_apply.settings")
    loaded = _closure("schema_apply.declared")
    assert "schema_apply.normalize" in loaded and "schema_apply.parse.schemafile" in loaded  # (the check sees)
    assert not sorted(m for m in loaded if m.startswith(engine)), sorted(loaded)
