"""Which package modules a rule's script runs, read from its imports.

Snakemake does not see Python imports, so each rule lists the modules it runs as inputs:
editing one re-runs exactly the jobs that import it, directly or through another module.
The list is computed here from the script's ``import lmfootprint...`` statements, followed
through the package with ``ast`` (no module is imported, so parsing the workflow stays cheap).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = "lmfootprint"


@cache
def _imported(path: Path, package_dir: Path) -> frozenset[Path]:
    """Package modules a file imports (function-level imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[Path] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] != PACKAGE:
                continue
            # importing lmfootprint.a.b runs lmfootprint/__init__.py and a/__init__.py too
            for depth in range(1, len(parts) + 1):
                here = package_dir.joinpath(*parts[1:depth])
                if (here / "__init__.py").is_file():
                    found.add(here / "__init__.py")
                elif here.with_suffix(".py").is_file():
                    found.add(here.with_suffix(".py"))
                    break
                else:
                    break
    return frozenset(found)


@cache
def module_closure(script: str, package_dir: str) -> tuple[str, ...]:
    """Every package module ``script`` runs, directly or not, sorted."""
    root = Path(package_dir)
    seen: set[Path] = set()
    todo = list(_imported(Path(script), root))
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo.extend(_imported(module, root) - seen)
    return tuple(sorted(str(p) for p in seen))
