"""Which package modules a rule's script runs, read from its imports.

Snakemake does not see Python imports, so each rule lists the modules it runs as inputs:
editing one re-runs exactly the jobs that import it, directly or through another module.
The list is computed here from the script's ``import lmfootprint...`` statements, followed
through the package. Nothing is imported, and the statements are found by a line scan rather
than ``ast``: the workflow computes this at every parse, and parsing and walking ~100 modules
took a third of a second of each no-op re-run (a test checks the scan against ``ast`` on every
module shipped).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

PACKAGE = "lmfootprint"


# `from lmfootprint.x import a, b` (parenthesised over lines or not) and `import lmfootprint.x`,
# at any indentation (function-level imports count)
_STATEMENT = re.compile(
    rf"^[ \t]*(?:from[ \t]+({PACKAGE}(?:\.\w+)*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)"
    rf"|import[ \t]+({PACKAGE}\b[^\n]*))",
    re.M,
)


def _listed(names: str) -> list[str]:
    """`a as b, c  # comment` -> [a, c]."""
    names = re.sub(r"#[^\n]*", "", names).strip("()")
    return [n.split()[0] for n in names.split(",") if n.strip()]


def imported_names(source: str) -> set[str]:
    """Dotted names a module's package imports bind or may bind: `from m import a` gives m and
    m.a (a may be a submodule)."""
    found: set[str] = set()
    for module, names, plain in _STATEMENT.findall(source.replace("\\\n", " ")):
        if plain:
            found.update(n for n in _listed(plain) if n.split(".")[0] == PACKAGE)
        else:
            found.add(module)
            found.update(f"{module}.{n}" for n in _listed(names) if n != "*")
    return found


@cache
def _files_of(name: str, package_dir: Path) -> tuple[Path, ...]:
    """The files importing `name` runs: lmfootprint.a.b runs lmfootprint/__init__.py,
    a/__init__.py and a/b.py (a name that is not a module, e.g. a class, adds nothing)."""
    files = []
    parts = name.split(".")
    for depth in range(1, len(parts) + 1):
        here = package_dir.joinpath(*parts[1:depth])
        if (here / "__init__.py").is_file():
            files.append(here / "__init__.py")
        elif here.with_suffix(".py").is_file():
            files.append(here.with_suffix(".py"))
            break
        else:
            break
    return tuple(files)


@cache
def _imported(path: Path, package_dir: Path) -> frozenset[Path]:
    """Package modules a file imports (function-level imports included)."""
    source = path.read_text(encoding="utf-8")
    return frozenset(f for name in imported_names(source) for f in _files_of(name, package_dir))


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
