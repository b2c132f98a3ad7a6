"""Metadata shards (metadata_shards: N): fewer, larger jobs for large studies, and adding a
model still re-runs only its own shard plus the aggregates, never another model's benchmark."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from workflow_runner import TINY_BENCH, make_workdir, run_snakemake, write_config

from lmfootprint.core.ids import shard_of

pytestmark = pytest.mark.e2e

MODELS = [
    "EleutherAI/pythia-14m",
    "EleutherAI/pythia-160m",
    "meta-llama/Llama-2-7b-hf",
    "Qwen/Qwen2.5-0.5B",
    "google/gemma-2-2b",
]
SHARDS = 3


def jobs_to_run(workdir: Path) -> dict[str, int]:
    out = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "2", "--quiet", "rules"],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=True,
    )
    return {r: int(n) for r, n in re.findall(r"^(\w+)\s+(\d+)$", out.stdout, flags=re.M)}


def test_sharded_metadata_adds_one_model_with_its_shard_only(tmp_path: Path) -> None:
    wd = make_workdir(tmp_path / "w")
    cfg = {"models": MODELS, "metadata_shards": SHARDS, "benchmark": TINY_BENCH}
    write_config(wd, cfg)
    first = run_snakemake(wd)
    slugs = [m.replace("/", "--") for m in MODELS]
    assert {f"results/models/{s}.parquet" for s in slugs} <= set(first)
    shards = {shard_of(s, SHARDS) for s in slugs}
    assert len(list((wd / "benchmarks/model_metadata").glob("shard-*.tsv"))) == len(shards)
    # the models table reads the shard tables, and puts their rows back in config order
    assert {f"results/models/shards/{k:04d}.parquet" for k in shards} <= set(first)
    table = pl.read_parquet(wd / "results/models.parquet")
    assert table.get_column("model_id").to_list() == MODELS
    assert table.get_column("params_total")[0] == 14_067_712

    # a model within the budget, so that it gets a benchmark job (SmolLM-135M would not)
    new, slug = "my_models/added", "local--added"
    (wd / new).mkdir(parents=True)
    (wd / new / "config.json").write_bytes(
        (wd / "resources/hub/EleutherAI--pythia-14m/config.json").read_bytes()
    )
    write_config(wd, {**cfg, "models": [*MODELS, new]})
    planned = jobs_to_run(wd)
    shard = f"{shard_of(slug, SHARDS):04d}"
    metadata_jobs = {r: n for r, n in planned.items() if r.startswith("model_")}
    assert metadata_jobs == {f"model_metadata_{shard}": 1, f"model_rows_{shard}": 1}
    assert planned["benchmark_inference"] == 1  # the new model's, no shard-mate's
    assert planned["benchmark_model"] == 1
    second = run_snakemake(wd)
    mates = [s for s in slugs if shard_of(s, SHARDS) == shard_of(slug, SHARDS)]
    # shard-mates' rows are rewritten byte for byte; their benchmarks are not measured again
    assert mates, "the added model's shard holds configured models"
    for mate in mates:
        assert f"results/benchmarks/{mate}/cpu/tiny.parquet" not in second
    assert f"results/benchmarks/{slug}/cpu/tiny.parquet" in second
    assert jobs_to_run(wd) == {}
    table = pl.read_parquet(wd / "results/models.parquet")
    assert table.get_column("model_id").to_list() == [*MODELS, new]

    # a model's row that is gone is rebuilt by a plain run from its shard's table alone; that
    # job rewrites its benchmarked mate's row unchanged, which must not re-measure that mate
    big = "meta-llama--Llama-2-7b-hf"
    assert shard_of(big, SHARDS) == shard_of(slug, SHARDS)
    (wd / f"results/models/{big}.parquet").unlink()
    planned = jobs_to_run(wd)
    assert {r: n for r, n in planned.items() if r not in ("all", "total")} == {
        f"model_rows_{shard}": 1
    }
    third = run_snakemake(wd)
    assert f"results/models/{big}.parquet" in third
    assert f"results/models/{slug}.parquet" in third  # the benchmarked mate's, rewritten
    assert not any(f.startswith("results/benchmarks/") for f in third)
    assert "results/models.parquet" not in third

    # a shard table that is gone: its shard's metadata and rows, and the models table only
    (wd / f"results/models/shards/{shard}.parquet").unlink()
    planned = jobs_to_run(wd)
    assert planned[f"model_metadata_{shard}"] == planned[f"model_rows_{shard}"] == 1
    assert planned["models_table"] == 1 and "benchmark_inference" not in planned
