"""The package's imports run one way: no module imports itself back through others, and the
stages keep their floors (core at the bottom; nothing outside the benchmark stage names a
backend: it asks the registry)."""

from __future__ import annotations

import ast
from pathlib import Path

import lmfootprint
from lmfootprint.benchmark.registry import BACKEND_NAMES
from lmfootprint.core.code_deps import imported_names

PKG = Path(lmfootprint.__file__).parent
MODULES = sorted(p for p in PKG.rglob("*.py"))


def module_of(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def graph() -> dict[str, set[str]]:
    """Module -> package modules it imports, function-level and TYPE_CHECKING imports
    included (a cycle of lazy imports is still a cycle in the design)."""
    names = {module_of(p) for p in MODULES}
    edges: dict[str, set[str]] = {}
    for path in MODULES:
        here = module_of(path)
        found = imported_names(path.read_text(encoding="utf-8"))
        edges[here] = {n for n in found if n in names and n != here and n != "lmfootprint"}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                out.append(sorted(scc))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_the_package_has_no_import_cycle() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_one() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_core_imports_no_stage() -> None:
    leaks = {
        (m, n)
        for m, deps in graph().items()
        if m.startswith("lmfootprint.core")
        for n in deps
        if not n.startswith("lmfootprint.core")
    }
    assert leaks == set()


# the Hub's library_name field ("transformers") shares a backend's name, not its meaning
HUB_LIBRARY = {"models/hub_query.py": {"transformers"}}


def test_no_module_outside_the_benchmark_stage_names_a_backend() -> None:
    named = []
    for path in MODULES:
        if module_of(path).startswith("lmfootprint.benchmark"):
            continue
        allowed = HUB_LIBRARY.get(path.relative_to(PKG).as_posix(), set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in set(BACKEND_NAMES) - allowed:
                named.append(f"{path.relative_to(PKG)}:{node.lineno} {node.value!r}")
    assert named == []
