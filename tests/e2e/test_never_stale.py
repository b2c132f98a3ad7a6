"""End-to-end: a finished run leaves nothing that the next dry run would redo.

The reproduction from the install issue: change `metadata_shards` (every model row is
rewritten) and a workload's batch sizes (the benchmark's params) in one edit. Snakemake skips
the params check of a job whose only link to a re-running producer is an `ancient()` input, so
the run reported "100% done" over the old batch rows and the next dry run planned the
benchmark again.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from workflow_runner import ROOT, TINY_BENCH, make_workdir, run_snakemake, write_config

pytestmark = pytest.mark.e2e

MODELS = ["EleutherAI/pythia-14m", "my_models/tiny-neox", "meta-llama/Llama-2-7b-hf"]


def dry_run(workdir: Path) -> str:
    """What the command-line `snakemake -n` says, as a user would run it."""
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1"],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout + done.stderr


def test_changed_shards_and_batches_leave_nothing_stale(tmp_path: Path) -> None:
    workdir = make_workdir(tmp_path)
    tiny = workdir / "my_models" / "tiny-neox"
    tiny.mkdir(parents=True)
    shutil.copy(ROOT / "resources/hub/EleutherAI--pythia-14m/config.json", tiny / "config.json")
    first = {"models": MODELS, "metadata_shards": 2, "benchmark": TINY_BENCH}
    write_config(workdir, first)
    run_snakemake(workdir)
    batches = pl.read_parquet(workdir / "results/inference.parquet").get_column("batch_size")
    assert set(batches.drop_nulls()) >= {1, 2}

    second = copy.deepcopy(first)
    second["metadata_shards"] = 0
    second["benchmark"]["workloads"]["tiny"]["batch_sizes"] = [1]
    write_config(workdir, second)
    updated = run_snakemake(workdir)
    # the measurement itself re-ran, not only the rows
    assert "results/benchmarks/EleutherAI--pythia-14m/cpu/tiny.parquet" in updated

    ok = pl.read_parquet(workdir / "results/inference.parquet").filter(pl.col("status") == "ok")
    assert set(ok.get_column("batch_size")) == {1}, "batch-2 rows survived the edit"
    said = dry_run(workdir)
    assert "Nothing to be done" in said, said
    assert not re.search(r"Params have changed", said), said
