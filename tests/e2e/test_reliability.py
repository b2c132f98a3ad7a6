"""Crash and resume, and determinism of the tables (issue: reliability evidence)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from workflow_runner import make_workdir, run_snakemake, write_config

pytestmark = pytest.mark.e2e

CONFIG = {
    "models": ["EleutherAI/pythia-14m", "HuggingFaceTB/SmolLM-135M", "meta-llama/Llama-2-7b-hf"],
    "benchmark": {
        "max_params": 1.0e8,
        "idle_seconds_max": 1,
        "workloads": {
            "tiny": {"input_tokens": 8, "output_tokens": 6, "batch_sizes": [1], "repeats": 3}
        },
    },
}
# deterministic outputs: everything except measurements (inference rows carry times, energy
# and `measured_at`; the report and inference figure embed them)
DETERMINISTIC = [
    "results/models.parquet",
    "results/training.parquet",
    "results/gpu_prices.parquet",
    "results/carbon_intensity.parquet",
    "results/tariffs.parquet",
    "results/scenarios.parquet",
    "results/hardware.parquet",
    "results/figures/training_footprint.vl.json",
    "results/models/EleutherAI--pythia-14m.parquet",
]


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One uninterrupted run from scratch: what every other run here must reproduce."""
    workdir = make_workdir(tmp_path_factory.mktemp("reliability") / "clean")
    write_config(workdir, CONFIG)
    run_snakemake(workdir)
    return workdir


def test_two_runs_from_scratch_are_byte_identical(clean_run: Path, tmp_path: Path) -> None:
    again = make_workdir(tmp_path / "again")
    write_config(again, CONFIG)
    run_snakemake(again)
    for rel in DETERMINISTIC:
        assert (clean_run / rel).read_bytes() == (again / rel).read_bytes(), rel


def _run_and_kill_when(workdir: Path, marker: str, timeout: float = 300) -> None:
    """Start Snakemake, SIGKILL its whole process group as soon as ``marker`` exists."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "2"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while not (workdir / marker).exists():
        assert proc.poll() is None, "the run ended before reaching the kill point"
        assert time.monotonic() < deadline, f"never saw {marker}"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.mark.parametrize(
    "marker",
    [
        "logs/benchmark_inference/EleutherAI--pythia-14m/cpu/tiny.log",  # mid-benchmark
        "logs/report.log",
    ],  # mid-aggregate
)
def test_sigkill_then_rerun_completes_with_identical_outputs(
    clean_run: Path, tmp_path: Path, marker: str
) -> None:
    killed = make_workdir(tmp_path / "killed")
    write_config(killed, CONFIG)
    _run_and_kill_when(killed, marker)
    # what a user does after a crash: release Snakemake's lock, run again
    subprocess.run(
        [sys.executable, "-m", "snakemake", "--unlock"], cwd=killed, check=True, capture_output=True
    )
    again = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2"],
        cwd=killed,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert not list((killed / "results").rglob(".*.tmp")), "half-written temporary files left"
    for rel in DETERMINISTIC:
        assert (killed / rel).read_bytes() == (clean_run / rel).read_bytes(), rel
    assert (killed / "results/report.html").stat().st_size > 100_000


def test_forced_benchmark_killed_is_redone_by_the_next_plain_run(tmp_path: Path) -> None:
    """A user forces a benchmark again, the machine dies mid-job: a plain `snakemake` (the
    default profile: rerun-incomplete, cores all) redoes it, and then has nothing to do."""
    workdir = make_workdir(tmp_path / "w")
    write_config(workdir, {**CONFIG, "models": CONFIG["models"][:1]})
    run_snakemake(workdir)
    table = workdir / "results/benchmarks/EleutherAI--pythia-14m/cpu/tiny.parquet"
    assert table.is_file()
    proc = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--forcerun", "benchmark_inference"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while table.exists():  # Snakemake removes a job's old outputs as the job starts
        assert proc.poll() is None, "the forced run ended before the benchmark started"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    subprocess.run(
        [sys.executable, "-m", "snakemake", "--unlock"],
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    again = subprocess.run(
        [sys.executable, "-m", "snakemake"], cwd=workdir, capture_output=True, text=True
    )
    out = again.stdout + again.stderr
    assert again.returncode == 0, out[-3000:]
    assert "benchmark_inference" in out
    assert table.is_file()
    noop = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n"], cwd=workdir, capture_output=True, text=True
    )
    assert "Nothing to be done" in noop.stdout + noop.stderr
