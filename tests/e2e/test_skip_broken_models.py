"""End-to-end: with models_on_error: skip, a model whose config.json cannot be read is left out
with its reason in the report, and the rest of the study runs to its report (a catalogue of
thousands of local models is not stopped by one broken file). By default the run fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from snakemake.exceptions import WorkflowError
from workflow_runner import ROOT, TINY_BENCH, make_workdir, run_snakemake, write_config

pytestmark = pytest.mark.e2e

MODELS = ["EleutherAI/pythia-14m", "my_models/tiny-ok", "my_models/broken"]


def study(tmp_path: Path, on_error: str) -> Path:
    workdir = make_workdir(tmp_path)
    ok, broken = workdir / "my_models/tiny-ok", workdir / "my_models/broken"
    ok.mkdir(parents=True)
    broken.mkdir(parents=True)
    shutil.copy(ROOT / "resources/hub/EleutherAI--pythia-14m/config.json", ok / "config.json")
    (broken / "config.json").write_text("{not json")
    write_config(workdir, {"models": MODELS, "benchmark": TINY_BENCH, "models_on_error": on_error})
    return workdir


def test_skip_leaves_the_broken_model_out_and_says_why(tmp_path: Path) -> None:
    workdir = study(tmp_path, "skip")
    run_snakemake(workdir)
    models = pl.read_parquet(workdir / "results/models.parquet")
    assert models.get_column("model_id").to_list() == MODELS[:2]
    skipped = pl.read_parquet(workdir / "results/models_skipped.parquet")
    assert skipped.get_column("model_id").to_list() == ["my_models/broken"]
    inference = pl.read_parquet(workdir / "results/inference.parquet")
    assert "my_models/broken" not in inference.get_column("model_id").to_list()
    assert set(inference.filter(pl.col("status") == "ok")["model_id"]) == set(MODELS[:2])
    report = (workdir / "results/report.html").read_text()
    table = report.split('id="models-skipped-table"', 1)[1].split("</table>", 1)[0]
    assert "my_models/broken" in table and "config.json" in table
    log = (workdir / "logs/benchmark_model/local--broken.log").read_text()
    assert "not benchmarked (models_on_error: skip)" in log


def test_fail_is_the_default_and_names_the_file(tmp_path: Path) -> None:
    workdir = study(tmp_path, "fail")
    with pytest.raises(WorkflowError):
        run_snakemake(workdir)
    assert not (workdir / "results/report.html").exists()
    # the first job to read it (its metadata or its benchmark row) fails naming the file
    logs = [p.read_text() for p in (workdir / "logs").rglob("*broken*.log")]
    assert any("my_models/broken/config.json" in text for text in logs), logs
