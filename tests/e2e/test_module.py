"""The workflow used as a Snakemake module from the user's own folder, as snakedeploy sets
it up: shipped files come from the clone, config/results/logs stay in the user's folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from workflow_runner import ROOT, TINY_BENCH, write_config

pytestmark = pytest.mark.e2e

USER_SNAKEFILE = """\
configfile: "config/config.yaml"


module lmfootprint:
    snakefile:
        "{snakefile}"
    config:
        config


use rule * from lmfootprint as lmfootprint_*
"""

SKIP_DIRS = {".git", ".venv", "__pycache__", ".ruff_cache", ".pytest_cache"}


def written_since(root: Path, start: float) -> list[str]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in files:
            path = Path(folder) / name
            if path.stat().st_mtime >= start:
                found.append(str(path.relative_to(root)))
    return sorted(found)


def test_two_model_study_as_a_module_writes_only_into_the_user_folder(tmp_path: Path) -> None:
    study = tmp_path / "my-study"
    (study / "config").mkdir(parents=True)
    write_config(
        study,
        {"models": ["EleutherAI/pythia-14m", "Qwen/Qwen2.5-0.5B"], "benchmark": TINY_BENCH},
    )
    (study / "Snakefile").write_text(
        USER_SNAKEFILE.format(snakefile=ROOT / "workflow" / "Snakefile")
    )
    start = time.time() - 1
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2"],
        cwd=study,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert (study / "results/report.html").is_file()
    assert (study / "results/answer.parquet").is_file()
    assert any((study / "logs").rglob("*.log"))
    assert written_since(ROOT, start) == []
