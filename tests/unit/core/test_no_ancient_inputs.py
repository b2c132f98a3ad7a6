"""No rule takes an ancient() input: when the producer of an ancient input re-runs, Snakemake
skips the consumer's own params and code checks in that run (it is masked by the producer and
the ancient edge does not re-plan it), so a run could finish "100% done" over stale results.
tests/e2e/test_never_stale.py runs the case that found it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_no_rule_input_is_ancient() -> None:
    files = [ROOT / "Snakefile", *sorted((ROOT / "workflow").rglob("*.smk"))]
    files.append(ROOT / "workflow" / "Snakefile")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bancient\(", line.split("#", 1)[0])
    ]
    assert not found, found
