"""The workflow through the Slurm profile on a real single-node Slurm (tests/slurm/*.sh).

CI runs as root on a fresh machine: the start script installs Debian's Slurm and munge.
If Slurm cannot be started these tests fail loudly; set LMFOOTPRINT_SKIP_SLURM=1 to skip
them on purpose (e.g. on a laptop without root).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from workflow_runner import ROOT, make_workdir, run_snakemake, write_config

pytestmark = pytest.mark.e2e

SCRIPTS = ROOT / "tests" / "slurm"
CONFIG = {
    "models": ["EleutherAI/pythia-14m", "meta-llama/Llama-2-7b-hf"],
    "benchmark": {
        "max_params": 1.0e8,
        "idle_seconds_max": 1,
        "workloads": {
            "tiny": {"input_tokens": 8, "output_tokens": 6, "batch_sizes": [1], "repeats": 3}
        },
    },
}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if os.environ.get("LMFOOTPRINT_SKIP_SLURM") == "1":
        pytest.skip("LMFOOTPRINT_SKIP_SLURM=1")
    # munged wants every directory on its socket path executable by all: not pytest's 0700
    base = Path(tempfile.mkdtemp(prefix="lmfootprint-slurm-"))
    base.chmod(0o755)
    with socket.socket() as s:  # two free consecutive ports are likely after a free one
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = subprocess.run(
        [str(SCRIPTS / "start_cluster.sh"), str(base)],
        env={**os.environ, "SLURM_TEST_PORT": str(port)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if start.returncode != 0:
        subprocess.run([str(SCRIPTS / "stop_cluster.sh"), str(base)], capture_output=True)
        pytest.fail(f"could not start Slurm:\n{start.stdout}\n{start.stderr}")
    env = dict(os.environ)
    env.pop("SLURM_JOB_ID", None)
    env["SLURM_CONF"] = str(base / "slurm.conf")
    env["PATH"] = f"{base / 'bin'}:{env['PATH']}"
    env["SBATCH_PARTITION"] = "debug"  # the user's partition, from the environment
    yield env
    subprocess.run([str(SCRIPTS / "stop_cluster.sh"), str(base)], capture_output=True)
    shutil.rmtree(base, ignore_errors=True)


def snakemake_on_slurm(workdir: Path, env: dict, **popen) -> subprocess.Popen:
    cmd = [
        "timeout",
        "-k",
        "15",
        "500",
        sys.executable,
        "-m",
        "snakemake",
        "--workflow-profile",
        str(workdir / "profiles/slurm"),
        # this test cluster has no accounting database: ask squeue, and ask often
        "--slurm-status-command",
        "squeue",
        "--slurm-init-seconds-before-status-checks",
        "2",
        "--seconds-between-status-checks",
        "2",
    ]
    return subprocess.Popen(
        cmd,
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        **popen,
    )


def slurm_records(env: dict) -> str:
    return subprocess.run(
        ["squeue", "-t", "all", "-h", "-o", "%i %T %k"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_profile_runs_jobs_through_slurm_with_local_outputs(cluster, tmp_path: Path) -> None:
    slurm_dir = make_workdir(tmp_path / "slurm")
    write_config(slurm_dir, CONFIG)
    proc = snakemake_on_slurm(slurm_dir, cluster)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, out[-3000:]
    job_ids = set(re.findall(r"SLURM jobid (\d+)", out))
    assert job_ids, out[-3000:]
    records = slurm_records(cluster)
    for job in job_ids:
        assert re.search(rf"^{job} COMPLETED ", records, flags=re.M), records
    # per-model and benchmark jobs went to Slurm; bookkeeping rules ran on the submit host
    assert "rule_model_metadata" in records and "rule_benchmark_inference" in records
    assert "rule_models_table" not in records

    local_dir = make_workdir(tmp_path / "local")
    write_config(local_dir, CONFIG)
    run_snakemake(local_dir)
    for table in ("models.parquet", "training.parquet"):
        assert_frame_equal(
            pl.read_parquet(slurm_dir / "results" / table),
            pl.read_parquet(local_dir / "results" / table),
        )
    keys = ["model_id", "status", "batch_size", "weights", "skip_reason"]
    assert_frame_equal(
        pl.read_parquet(slurm_dir / "results/inference.parquet").select(keys),
        pl.read_parquet(local_dir / "results/inference.parquet").select(keys),
    )


def test_job_cancelled_by_slurm_is_resubmitted(cluster, tmp_path: Path) -> None:
    workdir = make_workdir(tmp_path)
    write_config(workdir, CONFIG)
    proc = snakemake_on_slurm(workdir, cluster)
    cancelled = None
    deadline = time.monotonic() + 300
    while cancelled is None and time.monotonic() < deadline and proc.poll() is None:
        for line in slurm_records(cluster).splitlines():
            job, state, comment = (line.split(" ", 2) + [""])[:3]
            if state == "RUNNING" and "benchmark_inference" in comment and "pythia-14m" in comment:
                subprocess.run(["scancel", job], env=cluster, check=True)
                cancelled = job
                break
        time.sleep(0.2)
    out, _ = proc.communicate(timeout=600)
    assert cancelled, "never saw the benchmark job running"
    assert re.search(rf"^{cancelled} CANCELLED", slurm_records(cluster), flags=re.M)
    assert proc.returncode == 0, out[-3000:]
    inference = pl.read_parquet(workdir / "results/inference.parquet")
    assert inference.filter(pl.col("status") == "ok").height == 1
    assert (workdir / "results/report.html").is_file()
