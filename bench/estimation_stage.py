"""Time the estimation stage on the default run's tables (goal: under 30 s on 2 cores).

Run after `make run` (it reads results/ and the shipped resources/):

    .venv/bin/python bench/estimation_stage.py

Prints the seconds of each step and the total: training calibration and estimates, the
serving-model calibration with its held-out checks, the inference estimates, the comparison
tables and the peer table. Every step is the package function its rule's script calls.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import polars as pl

from lmfootprint.answer.answer import (
    answer_table,
    ladder_table,
    load_families,
    model_metrics,
    size_exponent_table,
    threshold_table,
)
from lmfootprint.answer.capability import capability_table, load_quality
from lmfootprint.answer.peer_validation import load_ecologits, load_map, peer_table
from lmfootprint.estimates.inference_estimates import estimate_inference
from lmfootprint.estimates.inference_fit import fit_serving, load_shapes, peer_rows, v2_rows
from lmfootprint.estimates.training_calibration import calibrate, calibration_runs
from lmfootprint.estimates.training_estimates import estimate_training, intensity_for
from lmfootprint.estimates.training_footprint import load_training
from lmfootprint.estimates.training_tokens import load_derived_hours, load_tokens
from lmfootprint.models.model_metadata import load_models

ROOT = Path(__file__).resolve().parents[1]
R = ROOT / "results"


def main() -> None:
    times: dict[str, float] = {}
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        times[name] = now - t
        t = now

    models = load_models(R / "models.parquet")
    hardware = pl.read_parquet(R / "hardware.parquet")
    training = load_training(R / "training.parquet")
    tokens = load_tokens(ROOT / "resources/training/training_tokens.csv")
    runs = calibration_runs(
        training,
        tokens,
        hardware,
        load_derived_hours(ROOT / "resources/training/derived_gpu_hours.csv"),
    )
    mfu, held = calibrate(runs)
    ci, label = intensity_for(pl.read_parquet(R / "carbon_intensity.parquet"), "USA", "lifecycle")
    estimates = estimate_training(
        models,
        runs,
        held,
        mfu,
        tokens,
        hardware,
        ci,
        label,
        default_hardware="H100-SXM5",
        pue=1.1,
        lifetime_years=5,
    )
    lap("training calibration + estimates")
    shapes = load_shapes(str(ROOT / "resources/inference/peer_model_shapes.csv"))
    fit, cv = fit_serving(
        peer_rows(str(ROOT / "resources/inference/mlenergy_v3.csv"), shapes, hardware),
        v2_rows(str(ROOT / "resources/inference/mlenergy_v2_sweeps.csv"), shapes, hardware),
    )
    lap("serving model: calibration, held-out families and GPUs, nested coverage, v2")
    inference = estimate_inference(models, pl.read_parquet(R / "scenarios.parquet"), fit)
    lap("inference estimates")
    metrics = model_metrics(
        models,
        load_families(str(ROOT / "resources/comparison/model_families.csv")),
        training,
        estimates,
        inference,
    )
    answer_table(metrics, 8e9)
    ladder_table(metrics)
    size_exponent_table(metrics)
    threshold_table(metrics)
    capability_table(metrics, load_quality(str(ROOT / "resources/quality/mmlu.csv")), "")
    lap("comparison: answer, ladders, exponents, thresholds, capability")
    peer_table(
        cv,
        load_map(str(ROOT / "resources/peers/model_map.csv")),
        load_ecologits(str(ROOT / "resources/peers/ecologits.csv")),
        inference,
    )
    lap("peer table")
    for k, v in times.items():
        print(f"{v:7.2f} s  {k}")
    print(f"{sum(times.values()):7.2f} s  total")
    print(json.dumps({"total_s": round(sum(times.values()), 2)}))


if __name__ == "__main__":
    main()
