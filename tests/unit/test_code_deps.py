"""A rule's code inputs: the package modules its script runs, read from imports."""

from __future__ import annotations

from pathlib import Path

import lmfootprint
from lmfootprint.core.code_deps import module_closure

ROOT = Path(__file__).resolve().parents[2]
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
