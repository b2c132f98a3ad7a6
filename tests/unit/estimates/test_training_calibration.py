"""The MFU model calibrated on published runs: held-out error and nested interval coverage."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from builders import HARDWARE, RES

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.estimates.training_calibration import (
    MFU_CEILING,
    MfuModel,
    calibrate,
    calibration_runs,
    generation,
    size_class_of,
)
from lmfootprint.estimates.training_footprint import load_published, recompute_training
from lmfootprint.estimates.training_tokens import load_derived_hours, load_tokens

DERIVED = load_derived_hours(RES / "training" / "derived_gpu_hours.csv")
TRAINING = recompute_training(load_published(RES / "published_training.csv"), derived_hours=DERIVED)
TOKENS = load_tokens(RES / "training" / "training_tokens.csv")
RUNS = calibration_runs(TRAINING, TOKENS, HARDWARE, DERIVED)
MODEL, HELD = calibrate(RUNS)


def test_runs_imply_mfu_from_their_own_gpu_tokens_and_hours() -> None:
    r = RUNS.filter(pl.col("model_id") == "meta-llama/Llama-2-7b-hf").row(0, named=True)
    assert r["hardware_id"] == "A100-80-SXM4" and r["generation"] == "pre-hopper"
    assert r["implied_mfu"] == pytest.approx(6 * 7e9 * 2e12 / (312e12 * 184_320 * 3600))
    phi = RUNS.filter(pl.col("model_id") == "microsoft/Phi-3-mini-4k-instruct").row(0, named=True)
    assert phi["hours_status"] == "derived" and "512 x 7 x 24" in phi["hours_note"]


def test_a_run_restated_under_another_name_counts_once() -> None:
    r = RUNS.filter(pl.col("model_id") == "meta-llama/Llama-3.3-70B-Instruct").row(0, named=True)
    assert not r["used"] and r["excluded_because"].startswith("same run as")
    assert RUNS.filter(pl.col("used"))["model_id"].n_unique() == RUNS["used"].sum()


def test_shipped_runs_give_a_coverage_near_the_nominal_80_percent() -> None:
    used = RUNS["used"].sum()
    assert used >= 10
    assert MODEL.n_runs == MODEL.coverage_n == used == HELD.height
    assert 0.6 <= MODEL.coverage <= 0.95
    assert MODEL.coverage == pytest.approx(HELD["covered"].mean())
    assert MODEL.nominal_coverage == pytest.approx(0.8)
    assert 0 < MODEL.slope < 1  # MFU rises with size, slower than size
    assert MODEL.intercepts["hopper+"] < MODEL.intercepts["pre-hopper"]
    assert MODEL.log_q_low < 0 < MODEL.log_q_high
    assert 0 < MODEL.loo_median_abs_error < 1
    assert set(MODEL.loo_by_size_class) <= {"<3B", "3-10B", "10-100B", ">100B"}


def test_each_runs_interval_is_built_without_it() -> None:
    inside = (HELD["heldout_interval_low"] <= HELD["implied_mfu"] * (1 + 1e-12)) & (
        HELD["implied_mfu"] <= HELD["heldout_interval_high"] * (1 + 1e-12)
    )
    assert (inside == HELD["covered"]).all()
    # held-out MFU is not the run's own: the residual is what the run's absence costs
    assert (HELD["heldout_log_residual"].abs() > 1e-6).all()
    err = HELD["implied_mfu"] / HELD["heldout_mfu"] - 1
    assert np.allclose(err.to_numpy(), HELD["heldout_hours_error"].to_numpy())


def synthetic(n: int, seed: int, sigma: float, slope: float = 0.2) -> pl.DataFrame:
    """Runs from log MFU = a[generation] + slope log(params / 1e9) + N(0, sigma)."""
    rng = np.random.default_rng(seed)
    params = np.exp(rng.uniform(math.log(1e8), math.log(5e11), n))
    gens = np.where(rng.random(n) < 0.5, "hopper+", "pre-hopper")
    a = {"hopper+": -2.2, "pre-hopper": -1.7}
    log_mfu = np.array([a[g] for g in gens]) + slope * np.log(params / 1e9)
    mfu = np.exp(log_mfu + rng.normal(0.0, sigma, n))
    return pl.DataFrame(
        {
            "model_id": [f"acme/m{i}" for i in range(n)],
            "params": params,
            "generation": gens,
            "implied_mfu": mfu,
            "used": [True] * n,
            "size_class": [size_class_of(p) for p in params],
        }
    )


def test_noise_free_runs_are_recovered_exactly() -> None:
    model, held = calibrate(synthetic(12, 0, sigma=0.0))
    assert model.slope == pytest.approx(0.2)
    assert model.intercepts == pytest.approx({"hopper+": -2.2, "pre-hopper": -1.7})
    assert model.loo_median_abs_error == pytest.approx(0.0, abs=1e-9)
    mid, low, high = model.mfu(1e9, "hopper+")
    assert mid == pytest.approx(math.exp(-2.2)) and low == pytest.approx(mid)


def test_slope_and_nested_coverage_with_log_normal_noise() -> None:
    """40 runs, sigma 0.3, ten draws: the slope is unbiased and the nested 10-90% interval
    covers about 80% of held-out runs (finite samples run a little under)."""
    slopes, coverages = [], []
    for seed in range(10):
        model, _ = calibrate(synthetic(40, seed, sigma=0.3))
        slopes.append(model.slope)
        coverages.append(model.coverage)
        assert model.coverage_n == 40
        assert 0.6 <= model.coverage <= 0.95
        assert abs(model.slope - 0.2) < 0.08  # ~4 standard errors
        assert -0.3 * 1.28 * 1.6 < model.log_q_low < 0 < model.log_q_high < 0.3 * 1.28 * 1.6
    assert np.mean(slopes) == pytest.approx(0.2, abs=0.02)
    assert np.mean(coverages) == pytest.approx(0.8, abs=0.06)


def test_mfu_is_capped_and_an_unseen_generation_uses_the_mean() -> None:
    model = MfuModel(slope=0.5, intercepts={"a": math.log(0.2), "b": math.log(0.4)})
    assert model.mfu(1e15, "a")[0] == MFU_CEILING
    assert model.mfu(1e9, "tpu")[0] == pytest.approx(math.exp((math.log(0.2) + math.log(0.4)) / 2))
    assert MfuModel.from_dict(model.to_dict()) == model


def test_too_few_runs_is_an_error() -> None:
    with pytest.raises(LmFootprintError, match="at least 4 published runs"):
        calibrate(synthetic(3, 0, sigma=0.1))


@pytest.mark.parametrize(
    "hw,gen", [("H100-SXM5", "hopper+"), ("B200", "hopper+"), ("A100-80-SXM4", "pre-hopper")]
)
def test_generation(hw: str, gen: str) -> None:
    assert generation(hw) == gen
