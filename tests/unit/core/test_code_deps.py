"""A rule's code inputs: the package modules its script runs, read from imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import lmfootprint
from lmfootprint.core.code_deps import PACKAGE, imported_names, module_closure

ROOT = Path(__file__).resolve().parents[3]
PKG = str(Path(lmfootprint.__file__).parent)


def names(script: Path) -> set[str]:
    """Modules as paths inside the package, without .py: ``answer/answer``."""
    return {
        Path(p).relative_to(PKG).with_suffix("").as_posix()
        for p in module_closure(str(script), PKG)
    }


def test_direct_and_indirect_imports_are_followed() -> None:
    answer = names(ROOT / "workflow/scripts/answer.py")
    # imported by the script, and through answer -> training_estimates -> training_calibration
    assert {
        "answer/answer",
        "answer/price_sensitivity",
        "estimates/training_estimates",
        "estimates/training_calibration",
    } <= answer
    assert {"answer/schemas", "core/validation", "core/errors", "core/schema"} <= answer
    # a subpackage's __init__ runs when one of its modules is imported
    assert {"__init__", "answer/__init__", "estimates/__init__"} <= answer
    assert not any(n.startswith(("benchmark/", "present/")) for n in answer)


def test_function_level_and_submodule_imports(tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text(
        "import polars\n"
        "def f():\n"
        "    from lmfootprint.core.units import convert\n"
        "    import lmfootprint.core.io\n"
    )
    got = names(script)
    assert {"core/units", "core/io"} <= got  # both, though neither is imported at module level
    assert not any("polars" in n for n in got)


def test_every_rule_script_resolves() -> None:
    for script in (ROOT / "workflow/scripts").glob("*.py"):
        assert names(script), script.name


def names_by_ast(source: str) -> set[str]:
    """The reference the line scan must match: what Python's own parser sees."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == PACKAGE)
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (node.module or "").split(".")[0] == PACKAGE
        ):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names if a.name != "*")
    return found


SHIPPED = sorted(
    [*Path(PKG).rglob("*.py"), *(ROOT / "workflow/scripts").glob("*.py"), *ROOT.glob("bench/*.py")]
)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_line_scan_finds_what_the_parser_finds(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert imported_names(source) == names_by_ast(source)


def test_the_line_scan_reads_every_import_form() -> None:
    source = (
        "from lmfootprint.core.ids import (\n"
        "    ModelRef,  # a comment, with a comma\n"
        "    slug_of_hub_id as slug,\n"
        ")\n"
        "import lmfootprint.core.io as io, os, lmfootprint.core.units\n"
        "if True:\n"
        "    from lmfootprint.core import schema\n"
        "from lmfootprint.core.limits import \\\n    memory_limit\n"
        "import lmfootprintx\n"
        "from other.lmfootprint import nothing\n"
    )
    assert (
        imported_names(source)
        == names_by_ast(source)
        == {
            "lmfootprint.core.ids",
            "lmfootprint.core.ids.ModelRef",
            "lmfootprint.core.ids.slug_of_hub_id",
            "lmfootprint.core.io",
            "lmfootprint.core.units",
            "lmfootprint.core",
            "lmfootprint.core.schema",
            "lmfootprint.core.limits",
            "lmfootprint.core.limits.memory_limit",
        }
    )
