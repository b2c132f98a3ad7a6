"""The terminal's job lines (the project's Snakemake logger plugin): what runs and why in one
line, against the reason text Snakemake writes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from workflow_runner import make_workdir

from lmfootprint.core.terminal import error_lines, job_line, short_reason

CODE = ", ".join(f"/src/lmfootprint/core/m{i}.py" for i in range(25))


def test_new_outputs_say_new_whatever_else() -> None:
    reason = f"Missing output files: a.parquet; Input files updated by another job: {CODE}"
    assert short_reason(reason) == "new"


def test_changed_inputs_keep_two_names_and_a_count() -> None:
    assert short_reason(f"Updated input files: {CODE}") == "inputs changed (m0.py, m1.py +23)"


def test_params_dicts_are_not_printed() -> None:
    reason = "Params have changed since last execution: {'workloads': {'short': " + "x" * 500
    assert short_reason(reason) == "settings changed"
    assert short_reason("Code has changed since last execution; Forced execution") == (
        "code changed; forced"
    )


def test_unknown_clauses_are_cut() -> None:
    assert short_reason("z" * 100) == "z" * 57 + "..."


def test_job_and_error_lines() -> None:
    msg = {
        "jobid": 9,
        "rule_name": "benchmark_inference",
        "wildcards": {"model": "EleutherAI--pythia-14m", "device": "cpu", "workload": "short"},
        "input": CODE.split(", "),
        "log": ["logs/benchmark_inference/EleutherAI--pythia-14m/cpu/short.log"],
        "rule_msg": None,
        "shellcmd": None,
        "aux": {},
    }
    line = job_line(msg, "Missing output files: x")
    assert line == "[9] benchmark_inference EleutherAI--pythia-14m cpu short: new"
    lines = error_lines(msg)
    assert lines[0] == "Error in benchmark_inference EleutherAI--pythia-14m cpu short (job 9)"
    assert "logs/benchmark_inference/EleutherAI--pythia-14m/cpu/short.log" in lines[1]
    assert not any("m0.py" in line for line in lines)


@pytest.mark.e2e
def test_a_dry_run_of_the_default_study_is_a_line_per_job(tmp_path: Path) -> None:
    workdir = make_workdir(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n"],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    )
    said = done.stdout + done.stderr
    jobs = [line for line in said.splitlines() if line.startswith("[")]
    assert len(jobs) > 40 and "[0] all: inputs rebuilt" in said
    assert "input:" not in said and "/lmfootprint/core/" not in said
    assert len(said) < 12_000, len(said)  # 140 KB for a cold run before
