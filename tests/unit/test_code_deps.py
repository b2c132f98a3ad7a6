"""A rule's code inputs: the package modules its script runs, read from imports."""

from __future__ import annotations

from pathlib import Path

import lmfootprint
from lmfootprint.code_deps import module_closure

ROOT = Path(__file__).resolve().parents[2]
PKG = str(Path(lmfootprint.__file__).parent)


def names(script: Path) -> set[str]:
    return {Path(p).stem for p in module_closure(str(script), PKG)}


def test_direct_and_indirect_imports_are_followed() -> None:
    answer = names(ROOT / "workflow/scripts/answer.py")
    # imported by the script, and through comparison -> footprint -> training_calibration
    assert {"comparison", "price_sensitivity", "footprint", "training_calibration"} <= answer
    assert {"schemas", "validation", "errors"} <= answer
    assert "benchmark" not in answer and "report" not in answer


def test_function_level_and_submodule_imports(tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text(
        "import polars\n"
        "def f():\n"
        "    from lmfootprint.units import convert\n"
        "    import lmfootprint.io\n"
    )
    got = names(script)
    assert {"units", "io"} <= got  # both, though neither is imported at module level
    assert "polars" not in got


def test_every_rule_script_resolves() -> None:
    for script in (ROOT / "workflow/scripts").glob("*.py"):
        assert names(script), script.name
