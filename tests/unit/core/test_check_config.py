"""`python -m lmfootprint check-config`: what Snakemake cannot say about a --configfile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lmfootprint.__main__ import main

ROOT = Path(__file__).resolve().parents[3]


def test_malformed_overlay_is_named_with_line_and_column(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "other.yaml"
    bad.write_text("models:\n  - a\n  b: [\n")
    assert main(["check-config", str(bad), "--base", str(ROOT / "config/config.yaml")]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:3:" in err and "malformed YAML" in err


def test_overlay_is_merged_onto_the_default_and_checked(tmp_path: Path, capsys) -> None:
    overlay = tmp_path / "other.yaml"
    overlay.write_text("online: maybe\nbenchmark: {max_params: -1}\n")
    assert main(["check-config", str(overlay), "--base", str(ROOT / "config/config.yaml")]) == 1
    err = capsys.readouterr().err
    assert "online: expected boolean, got str 'maybe'" in err
    assert "benchmark.max_params" in err
    # the default's other keys (models, scenarios) are still there: no "required" complaints
    assert "required" not in err


def test_good_overlay_passes_with_the_spellings_people_type(tmp_path: Path, capsys) -> None:
    overlay = tmp_path / "other.yaml"
    overlay.write_text("online: 'no'\nmodels: [HuggingFaceTB/SmolLM-135M]\n")
    assert main(["check-config", str(overlay), "--base", str(ROOT / "config/config.yaml")]) == 0
    assert "(1 models)" in capsys.readouterr().out


def test_snakemake_itself_gives_no_line_for_a_malformed_configfile(tmp_path: Path) -> None:
    """Why the command exists: Snakemake parses --configfile before the workflow can check it."""
    bad = tmp_path / "other.yaml"
    bad.write_text("models: [a\n  b: c\n")
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode != 0
    assert "not valid JSON or YAML" in proc.stdout + proc.stderr
