"""Training estimates: calibrated 6ND per configured model, and training energy per model."""

from __future__ import annotations

import polars as pl
import pytest
from builders import HARDWARE, RES

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.estimates.schemas import MFU_CEILING
from lmfootprint.estimates.training_calibration import calibrate, calibration_runs, generation
from lmfootprint.estimates.training_estimates import (
    estimate_gpu_hours,
    estimate_training,
    intensity_for,
    training_energy,
)
from lmfootprint.estimates.training_footprint import load_published, recompute_training
from lmfootprint.estimates.training_tokens import load_derived_hours, load_tokens

MODELS = pl.DataFrame(
    {
        "model_id": [
            "HuggingFaceTB/SmolLM-135M",
            "EleutherAI/pythia-410m",
            "meta-llama/Llama-3.2-1B",
            "microsoft/Phi-3-mini-4k-instruct",
            "meta-llama/Llama-2-7b-hf",
            "mistralai/Mistral-7B-v0.1",
            "meta-llama/Llama-3.1-70B",
            "acme/unlisted-3b",
        ],
        "params_total": [
            134515008,
            405334016,
            1235814400,
            3821079552,
            6738415616,
            7241732096,
            70553706496,
            3_000_000_000,
        ],
    }
).with_columns(
    size_class=pl.when(pl.col("params_total") <= 8e9).then(pl.lit("SLM")).otherwise(pl.lit("LLM"))
)
DERIVED = load_derived_hours(RES / "training" / "derived_gpu_hours.csv")
TRAINING = recompute_training(
    load_published(RES / "published_training.csv"), MODELS, derived_hours=DERIVED
)
TOKENS = load_tokens(RES / "training" / "training_tokens.csv")
RUNS = calibration_runs(TRAINING, TOKENS, HARDWARE, DERIVED)
MFU_MODEL, HELD = calibrate(RUNS)


def estimate(models: pl.DataFrame = MODELS, **kw) -> pl.DataFrame:
    args = {"default_hardware": "H100-SXM5", "pue": 1.1, "lifetime_years": 5.0}
    return estimate_training(
        models, RUNS, HELD, MFU_MODEL, TOKENS, HARDWARE, 400.0, "test grid", **{**args, **kw}
    )


EST = estimate()


def one(model_id: str, frame: pl.DataFrame = EST) -> dict:
    return frame.filter(pl.col("model_id") == model_id).row(0, named=True)


def test_six_n_d() -> None:
    # Llama 2 7B: 6 x 6.738e9 x 2e12 = 8.09e22 FLOPs on A100 (312 TFLOP/s) at MFU 0.5 -> 144k h
    assert estimate_gpu_hours(6.738e9, 2e12, 312, 0.5) == pytest.approx(143_974, rel=1e-4)


def test_a_model_with_a_published_run_is_estimated_by_the_fit_that_left_it_out() -> None:
    r = one("meta-llama/Llama-2-7b-hf")
    h = HELD.filter(pl.col("model_id") == "meta-llama/Llama-2-7b-hf").row(0, named=True)
    assert r["hardware_id"] == "A100-80-SXM4"  # the run's own GPU
    assert r["mfu"] == pytest.approx(h["heldout_mfu"])
    assert r["published_gpu_hours"] == 184_320
    assert r["gpu_hours_error"] == pytest.approx(h["heldout_hours_error"])
    assert r["gpu_hours_error"] == pytest.approx(r["gpu_hours"] / 184_320 - 1)
    assert r["published_in_range"] == (r["gpu_hours_low"] <= 184_320 <= r["gpu_hours_high"])
    assert "held-out fit" in r["method"] and r["provenance"] == "estimated"
    derived = one("microsoft/Phi-3-mini-4k-instruct")
    assert derived["published_hours_status"] == "derived"


def test_a_model_without_a_run_uses_the_calibrated_fit_on_the_default_gpu() -> None:
    r = one("EleutherAI/pythia-410m")
    assert r["hardware_id"] == "H100-SXM5" and r["published_gpu_hours"] is None
    mid, low, high = MFU_MODEL.mfu(405334016, generation("H100-SXM5"))
    assert (r["mfu"], r["mfu_low"], r["mfu_high"]) == pytest.approx((mid, low, high))
    assert r["gpu_hours"] == pytest.approx(6 * 405334016 * 2.99892736e11 / (989e12 * mid) / 3600)
    # wording of the count and the MFU interval both widen the bounds
    assert r["gpu_hours_low"] < r["gpu_hours"] < r["gpu_hours_high"]
    assert r["energy_mwh"] == pytest.approx(r["gpu_hours"] * 700 * 1.1 / 1e6)
    assert r["co2e_t"] == pytest.approx(r["energy_mwh"] * 400 / 1000)
    # embodied: H100 164 kg over 5 years of 8760 h, by GPU-hours used
    assert r["embodied_co2e_t"] == pytest.approx(r["gpu_hours"] * 164 / (5 * 8760) / 1000)
    assert "calibrated fit" in r["method"]


def test_a_generation_without_an_intercept_is_estimated_outside_calibration() -> None:
    v100 = estimate(default_hardware="V100-32-SXM2")
    r = one("EleutherAI/pythia-410m", v100)
    assert r["method"].count("outside calibration: no volta intercept, ampere's used") == 1
    ampere = one("EleutherAI/pythia-410m", estimate(default_hardware="A100-80-SXM4"))
    assert r["mfu"] == pytest.approx(ampere["mfu"])  # the prior: the nearest fitted generation
    assert r["mfu_low"] < ampere["mfu_low"] and r["mfu_high"] > ampere["mfu_high"]
    # a model whose own run is held out says so; its family's siblings never saw it
    llama = one("meta-llama/Llama-3.1-70B")
    assert "held-out fit (family held out)" in llama["method"]
    assert EST["mfu_high"].max() <= MFU_CEILING


def test_token_bounds_carry_into_the_hours() -> None:
    r = one("meta-llama/Llama-3.2-1B")  # "up to 9T": the low end is half
    assert r["training_tokens_low"] == 4.5e12 and r["training_tokens_high"] == 9e12
    assert r["gpu_hours_low"] == pytest.approx(
        6 * 1235814400 * 4.5e12 / (989e12 * r["mfu_high"]) / 3600
    )


def test_assumed_tokens_keep_a_model_out_of_the_headline() -> None:
    assert not one("mistralai/Mistral-7B-v0.1")["in_headline"]
    unlisted = one("acme/unlisted-3b")
    assert unlisted["tokens_status"] == "assumed" and not unlisted["in_headline"]
    assert one("meta-llama/Llama-2-7b-hf")["in_headline"]
    assert EST.filter(pl.col("in_headline"))["tokens_status"].to_list() == ["published"] * 6
    over = estimate(tokens_override={"mistralai/Mistral-7B-v0.1": "8T"})
    r = one("mistralai/Mistral-7B-v0.1", over)
    assert r["tokens_status"] == "override" and r["training_tokens"] == 8e12 and r["in_headline"]


def test_an_unknown_default_gpu_is_named() -> None:
    with pytest.raises(LmFootprintError, match="'TPU-v9' is not in resources/hardware.csv"):
        estimate(default_hardware="TPU-v9")


def test_intensity_for_takes_the_latest_year() -> None:
    carbon = pl.DataFrame(
        {
            "geo_type": ["country"] * 3,
            "geo_id": ["FRA", "FRA", "USA"],
            "basis": ["lifecycle"] * 3,
            "year": [2022, 2024, 2024],
            "gco2e_per_kwh": [60.0, 40.0, 380.0],
            "provenance": ["published"] * 3,
        }
    )
    assert intensity_for(carbon, "FRA", "lifecycle") == (40.0, "FRA lifecycle 2024 (published)")
    with pytest.raises(LmFootprintError, match="no direct intensity"):
        intensity_for(carbon, "FRA", "direct")


def test_published_energy_without_published_co2e_gets_co2e_from_that_energy() -> None:
    """Phi-3 and SmolLM publish GPU-hours (so energy) but no CO2e: their CO2e is the published
    energy at the estimate's grid, never the estimate's own, different, energy."""
    energy = training_energy(TRAINING, EST)
    for model_id in ("microsoft/Phi-3-mini-4k-instruct", "HuggingFaceTB/SmolLM-135M"):
        pub = one(model_id, TRAINING)
        assert pub["co2e_t"] is None and pub["energy_mwh"] > 0
        r, e = one(model_id, energy), one(model_id, EST)
        assert r["provenance"] == "published"
        assert r["energy_mwh"] == pytest.approx(pub["energy_mwh"])
        assert r["co2e_t"] == pytest.approx(pub["energy_mwh"] * 400 / 1000)
        assert r["co2e_t"] != pytest.approx(e["co2e_t"])
        assert r["co2e_t_low"] == r["co2e_t_high"] == pytest.approx(r["co2e_t"])
        assert r["co2e_basis"] == "location, test grid"


def test_published_rows_keep_their_figure_and_estimates_fill_the_rest() -> None:
    energy = training_energy(TRAINING, EST)
    assert energy.height == EST.height
    llama = one("meta-llama/Llama-2-7b-hf", energy)
    pub = one("meta-llama/Llama-2-7b-hf", TRAINING)
    assert llama["co2e_t"] == pytest.approx(pub["co2e_t"])
    assert llama["co2e_basis"] == f"source grid ({pub['co2e_basis']}) x this boundary's energy"
    assert llama["energy_basis"] == "published GPU-hours"
    assert llama["published_co2e_t"] == pub["co2e_t_published"]
    assert llama["published_energy_mwh"] == pytest.approx(pub["source_energy_mwh"])
    # on one grid for every model, for comparisons across models
    assert llama["co2e_common"] == pytest.approx(llama["energy_mwh"] * 400 / 1000)
    assert one("microsoft/Phi-3-mini-4k-instruct", energy)["energy_basis"].startswith("derived")
    pythia, est = one("EleutherAI/pythia-410m", energy), one("EleutherAI/pythia-410m")
    assert pythia["provenance"] == "estimated"
    assert (pythia["energy_mwh_low"], pythia["energy_mwh"], pythia["energy_mwh_high"]) == (
        est["energy_mwh_low"],
        est["energy_mwh"],
        est["energy_mwh_high"],
    )
    assert not one("mistralai/Mistral-7B-v0.1", energy)["in_headline"]
