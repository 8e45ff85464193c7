"""The shape of the code: no import cycles, no private module across packages, small modules.

The import graph is built from the source, with every import at every level
(function bodies included: an import deferred into a function that closes a cycle
is still a cycle); only imports under ``if TYPE_CHECKING:`` are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ROOTS = {"simulator": "plurisim", "agents": "plurisim.agents", "scenarios": "plurisim.scenarios"}
MAX_LINES = 500


def modules() -> dict[str, Path]:
    """Every module of the installed namespace, by dotted name."""
    out = {}
    for folder, prefix in ROOTS.items():
        for path in (REPO / folder).rglob("*.py"):
            rel = path.relative_to(REPO / folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            out[".".join([prefix, *parts])] = path
    return out


MODULES = modules()


def is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def package_of(name: str) -> str:
    return name if is_package(name) else name.rpartition(".")[0]


class _Imports(ast.NodeVisitor):
    """(imported module, imported name or None) for every import outside TYPE_CHECKING."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: list[tuple[str, str | None]] = []

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.found.append((alias.name, None))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            pkg = package_of(self.name).split(".")
            base = ".".join(pkg[: len(pkg) - node.level + 1] + ([base] if base else []))
        for alias in node.names:
            self.found.append((base, alias.name))


def imports_of(name: str) -> list[tuple[str, str | None]]:
    visitor = _Imports(name)
    visitor.visit(ast.parse(MODULES[name].read_text(encoding="utf-8")))
    return visitor.found


def edges() -> dict[str, set[str]]:
    """Module -> the plurisim modules it imports (a submodule named in ``from`` counts)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for m in MODULES:
        for base, name in imports_of(m):
            target = f"{base}.{name}" if name and f"{base}.{name}" in MODULES else base
            if target in MODULES and target != m:
                graph[m].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_import_graph_has_no_cycle():
    cycle = find_cycle(edges())
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_a_deferred_import_counts(tmp_path):
    src = "def f():\n    import plurisim.metrics\n\nif TYPE_CHECKING:\n    import plurisim.api\n"
    visitor = _Imports("plurisim.formatting")
    visitor.visit(ast.parse(src))
    assert visitor.found == [("plurisim.metrics", None)]


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_private_module_or_name_imported_from_another_package(name):
    mine = package_of(name)
    for base, imported in imports_of(name):
        if not base.startswith("plurisim"):
            continue
        target = f"{base}.{imported}" if imported and f"{base}.{imported}" in MODULES else base
        if target not in MODULES:
            continue
        where = package_of(target)
        last = target.rpartition(".")[2]
        if _private(last):
            assert package_of(target) == mine, f"{name} imports the private module {target}"
        if imported and _private(imported) and target == base:
            assert where == mine or target == mine, f"{name} imports {base}.{imported}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_500_lines(name):
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[name].relative_to(REPO)} has {lines} lines"
