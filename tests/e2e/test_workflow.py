"""End-to-end: the workflow runs, adding a model re-runs only what depends on it."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest
from snakemake.exceptions import WorkflowError
from workflow_runner import ROOT, TINY_BENCH, make_workdir, run_snakemake, write_config

from lmfootprint.present.charts import FIGURES

pytestmark = pytest.mark.e2e


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return make_workdir(tmp_path)


AGGREGATES = [
    *(f"results/figures/{f}.{ext}" for f in FIGURES for ext in ("html", "png", "vl.json")),
    "results/inference.parquet",
    "results/models.parquet",
    "results/report.html",
    "results/training.parquet",
    "results/training_estimates.parquet",
    "results/inference_fit.json",
    "results/inference_fit_cv.parquet",
    "results/inference_fit_errors.parquet",
    "results/inference_estimates.parquet",
    "results/cloud_vs_local.parquet",
    "results/decision/options.parquet",
    *(
        f"results/local/{t}.parquet"
        for t in ("calibration", "heldout_errors", "efficiencies", "ladder")
    ),
    "results/break_even.parquet",
    "results/rent_vs_buy.parquet",
    "results/rent_vs_buy_curves.parquet",
    "results/answer.parquet",
    "results/training_calibration.parquet",
    "results/training_calibration.json",
    "results/peer_validation.parquet",
    *(
        f"results/comparison/{t}.parquet"
        for t in (
            "model_metrics",
            "ladders",
            "matched_pairs",
            "size_exponent",
            "threshold_sensitivity",
            "capability",
            "price_sensitivity",
            "cost_vs_market",
        )
    ),
]


# the serving model's fit; its figure is re-drawn, since every title reads the headlines table
MODEL_INDEPENDENT = {
    "results/inference_fit.json",
    "results/inference_fit_cv.parquet",
    "results/inference_fit_errors.parquet",
}


def test_run_add_model_and_noop(workdir: Path) -> None:
    tiny = workdir / "my_models" / "tiny-neox"
    tiny.mkdir(parents=True)
    shutil.copy(ROOT / "resources/hub/EleutherAI--pythia-14m/config.json", tiny / "config.json")
    models = ["EleutherAI/pythia-14m", "meta-llama/Llama-2-7b-hf", "my_models/tiny-neox"]
    write_config(workdir, {"models": models, "benchmark": TINY_BENCH})

    first = run_snakemake(workdir)
    assert set(AGGREGATES) <= set(first)
    # built (the report reads it), though Snakemake's updated-files list leaves it out
    assert (workdir / "results/headlines.parquet").is_file()
    for table in ("gpu_prices", "carbon_intensity", "tariffs", "scenarios", "hardware"):
        assert f"results/{table}.parquet" in first
    table = pl.read_parquet(workdir / "results/models.parquet")
    assert table.get_column("model_id").to_list() == models
    assert table.get_column("params_total").to_list() == [14_067_712, 6_738_415_616, 14_067_712]
    assert table.get_column("config_source").to_list() == ["snapshot", "snapshot", "local"]
    training = pl.read_parquet(workdir / "results/training.parquet")
    assert {"model_id", "gpu_hours", "energy_mwh", "co2e_t", "co2e_t_published", "flags"} <= set(
        training.columns
    )
    l7 = training.filter(pl.col("model_id") == "meta-llama/Llama-2-7b-hf").row(0, named=True)
    assert l7["in_config"] and l7["params_source"] == "models-table"
    for rule in [
        "model_metadata/EleutherAI--pythia-14m",
        "models_table",
        "training_footprint",
        "report",
    ]:
        assert (workdir / "logs" / f"{rule}.log").is_file()

    report = (workdir / "results/report.html").read_text()
    # no LLM in this config: the answer table and its charts (the table's and the first
    # screen's three) say so instead of plotting nothing
    assert report.count('vegaEmbed("#') == len(FIGURES) - 4
    assert "Not enough SLMs and LLMs configured for a class ratio" in report
    assert not re.search(r"<script[^>]+src=", report)
    assert "cdn.jsdelivr" not in report

    inference = pl.read_parquet(workdir / "results/inference.parquet")
    ok = inference.filter(pl.col("status") == "ok")
    assert set(ok.get_column("model_id")) == {"EleutherAI/pythia-14m", "my_models/tiny-neox"}
    assert set(ok.get_column("weights")) == {"random-init"}
    assert set(ok.get_column("provenance")) <= {"measured", "estimated"}
    assert (ok.get_column("j_per_token") > 0).all() and (ok.get_column("tokens_per_s") > 0).all()
    skipped = inference.filter(pl.col("status") == "skipped").row(0, named=True)
    assert skipped["model_id"] == "meta-llama/Llama-2-7b-hf"
    assert "above benchmark.max_params" in skipped["skip_reason"]
    # its size was known when the workflow was read: no benchmark job, the table says why
    assert not (workdir / "results/benchmarks/meta-llama--Llama-2-7b-hf").exists()
    assert skipped["hardware"] == ok.get_column("hardware")[0]

    # add two models: exactly their jobs and the aggregates downstream re-run; the one above
    # the budget gets its metadata job only
    two = workdir / "my_models" / "tiny-two"
    two.mkdir(parents=True)
    shutil.copy(ROOT / "resources/hub/EleutherAI--pythia-14m/config.json", two / "config.json")
    added = ["my_models/tiny-two", "HuggingFaceTB/SmolLM-135M"]
    write_config(workdir, {"models": [*models, *added], "benchmark": TINY_BENCH})
    second = run_snakemake(workdir)
    new, big = "local--tiny-two", "HuggingFaceTB--SmolLM-135M"
    assert second == sorted(
        [
            f"results/models/{new}.parquet",
            f"results/models/{big}.parquet",
            f"results/benchmarks/{new}/model.parquet",
            f"results/benchmarks/{new}/cpu/tiny.parquet",
            f"results/benchmarks/{new}/cpu/tiny.raw.parquet",
            f"results/benchmarks/{new}/cpu/tiny.hardware.json",
            f"results/benchmarks/{new}/cpu/tiny.emissions.csv",
            "results/headlines.parquet",
            "results/provenance.parquet",
            # the serving model is calibrated on peer measurements: a new model leaves it be
            *(a for a in AGGREGATES if a not in MODEL_INDEPENDENT),
        ]
    )
    inference = pl.read_parquet(workdir / "results/inference.parquet")
    smol = inference.filter(pl.col("model_id") == "HuggingFaceTB/SmolLM-135M").row(0, named=True)
    assert smol["status"] == "skipped" and "134,515,008 parameters" in smol["skip_reason"]

    # nothing changed: nothing runs
    assert run_snakemake(workdir) == []

    # code inputs come from the scripts' imports: editing a module that only the answer
    # imports re-runs the answer and what reads it, nothing upstream. (A touch is not an
    # edit: Snakemake compares the checksums of small inputs, so the text must change; it is
    # restored afterwards.)
    import lmfootprint.answer.price_sensitivity as leaf

    leaf_path = Path(leaf.__file__)
    original = leaf_path.read_bytes()
    try:
        leaf_path.write_bytes(original + b"\n# edited by test_run_add_model_and_noop\n")
        touched = set(run_snakemake(workdir))
    finally:
        leaf_path.write_bytes(original)
    assert "results/answer.parquet" in touched
    assert touched <= {
        *(a for a in AGGREGATES if a.startswith(("results/answer", "results/comparison/"))),
        *(a for a in AGGREGATES if a.startswith(("results/figures/", "results/report"))),
        "results/headlines.parquet",  # reads the answer
        "results/provenance.parquet",  # the headlines rule's second table
    }, touched

    # an output the README lists that goes missing is rebuilt by a plain run, not ignored
    for rel in ("results/answer.parquet", "results/inference.parquet", "results/models.parquet"):
        (workdir / rel).unlink()
    shutil.rmtree(workdir / "results/figures")
    rebuilt = set(run_snakemake(workdir))
    assert {"results/answer.parquet", "results/inference.parquet", "results/models.parquet"} <= (
        rebuilt
    )
    assert all((workdir / f"results/figures/{f}.png").is_file() for f in FIGURES)

    # Snakemake's own report, a caption per figure rendered from the registry
    subprocess.run(
        [sys.executable, "-m", "snakemake", "--report", "snakemake_report.zip"],
        cwd=workdir,
        check=True,
        capture_output=True,
    )
    with zipfile.ZipFile(workdir / "snakemake_report.zip") as z:
        text = "".join(
            z.read(n).decode("utf-8", "replace")
            for n in z.namelist()
            if n.endswith((".html", ".js"))
        )
    for name in FIGURES:
        caption = " ".join((ROOT / f"workflow/report/figures/{name}.rst").read_text().split())
        assert caption.split(":")[0][:40] in text


def test_missing_model_says_how_to_add_it(workdir: Path) -> None:
    write_config(workdir, {"models": ["EleutherAI/pythia-14m", "acme/not-a-model"]})
    with pytest.raises(WorkflowError) as err:
        run_snakemake(workdir, dryrun=True)
    text = str(err.value)
    assert "'acme/not-a-model'" in text and "resources/hub/<org>--<name>/config.json" in text
    assert not (workdir / "results").exists()


def test_bad_config_one_message_before_any_job(workdir: Path) -> None:
    cfg = workdir / "config" / "config.yaml"
    cfg.write_text("models: [EleutherAI/pythia-14m]\nmemory: {batch_size: -1}\ncolour: red\n")
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "1", "-n"],
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "invalid configuration (2 problem(s))" in out
    assert "unknown key(s) ['colour']" in out
    assert "memory.batch_size: -1 is less than the minimum of 1" in out
    assert not (workdir / "results").exists()


def test_bad_yaml(workdir: Path) -> None:
    (workdir / "config" / "config.yaml").write_text("models: [a/b\n  - oops: :\n")
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "1", "-n"],
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert "config/config.yaml:2:" in proc.stdout + proc.stderr
    assert "malformed YAML" in proc.stdout + proc.stderr


def test_figure_spec_encodes_units_and_provenance(workdir: Path) -> None:
    write_config(workdir, {"models": ["EleutherAI/pythia-14m"], "benchmark": TINY_BENCH})
    run_snakemake(workdir)
    spec = json.loads((workdir / "results/figures/training_footprint.vl.json").read_text())
    text = json.dumps(spec)
    for field in ["provenance", "source_url", "source_date", "flags", "Energy (MWh)", "CO2e (t)"]:
        assert field in text
    assert '"type": "log"' in text


@pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None,
    reason="llama-cpp-python not installed (make install-llama)",
)
def test_llama_cpp_backend_beside_transformers(workdir: Path) -> None:
    """One model, both backends, same hardware and meter: rows that compare."""
    tiny = workdir / "my_models" / "tiny-llama"
    tiny.mkdir(parents=True)
    config = {
        "model_type": "llama",
        "architectures": ["LlamaForCausalLM"],
        "hidden_size": 256,
        "intermediate_size": 768,
        "num_hidden_layers": 4,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "vocab_size": 2048,
        "max_position_embeddings": 512,
        "tie_word_embeddings": True,
    }
    (tiny / "config.json").write_text(json.dumps(config))
    workloads = {
        "tiny": {**TINY_BENCH["workloads"]["tiny"], "batch_sizes": [1]},
        "tiny_q8": {
            **TINY_BENCH["workloads"]["tiny"],
            "batch_sizes": [1],
            "backend": "llama_cpp",
            "quantization": "q8_0",
        },
    }
    write_config(
        workdir,
        {
            "models": ["my_models/tiny-llama", "EleutherAI/pythia-14m"],
            "benchmark": {**TINY_BENCH, "workloads": workloads},
        },
    )
    run_snakemake(workdir)
    rows = pl.read_parquet(workdir / "results/inference.parquet")
    llama = rows.filter(pl.col("model_id") == "my_models/tiny-llama").sort("backend")
    assert llama["backend"].to_list() == ["llama_cpp", "transformers"]
    assert llama["status"].to_list() == ["ok", "ok"]
    q8 = llama.row(0, named=True)
    assert q8["quantization"] == "q8_0" and q8["dtype"] == "q8_0" and q8["weights"] == "random-init"
    assert q8["tokens_per_s"] > 0 and q8["j_per_token"] > 0
    # the memory model of the metadata stage predicts the quantised weights llama.cpp mapped
    params = pl.read_parquet(workdir / "results/models.parquet").row(0, named=True)["params_total"]
    assert q8["weights_gb"] == pytest.approx(params * 8.5 / 8 / 1e9, rel=0.15)
    assert q8["peak_memory_gb"] >= q8["weights_gb"]
    neox = rows.filter(
        (pl.col("model_id") == "EleutherAI/pythia-14m") & (pl.col("backend") == "llama_cpp")
    ).row(0, named=True)
    assert neox["status"] == "skipped" and "gpt_neox" in neox["skip_reason"]


def test_plain_snakemake_applies_the_default_profile(workdir: Path) -> None:
    """No --cores on the command line: profiles/default (cores: all, keep-going, ...) applies."""
    write_config(workdir, {"models": ["EleutherAI/pythia-14m"], "benchmark": TINY_BENCH})
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "results/models.parquet"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "Using workflow specific profile profiles/default" in out
    assert (workdir / "results/models.parquet").is_file()
