"""Inference estimates per scenario (fitted energy, roofline throughput) and the answer table."""

from __future__ import annotations

import math

import polars as pl
import pytest

from lmfootprint.answer import answer_table
from lmfootprint.inference_estimates import estimate_inference
from lmfootprint.inference_fit import EnergyFit

# The memory-bound physics as a fit: J/token = 2 N TDP u / (bandwidth x 1e9 x efficiency) / batch
# with u = 1 and efficiency = 0.5: intercept log(2 / 0.5e9), slopes 1 and -1.
PHYSICS = EnergyFit(
    slope_params=1.0,
    slope_batch=-1.0,
    intercept=math.log(2 / 0.5e9),
    hardware_intercepts={},
    cv_log_q_low=-0.5,
    cv_log_q_high=0.5,
)

SCENARIOS = pl.DataFrame(
    [
        {
            "scenario": "cloud",
            "kind": "cloud",
            "hardware_id": "H100-SXM5",
            "memory_gb": 80.0,
            "memory_bandwidth_gbps": 3350.0,
            "tdp_w": 700.0,
            "pue": 1.0,
            "intensity_g_per_kwh": 400.0,
            "intensity_basis": "lifecycle",
            "price_per_gpu_hour_usd": 4.0,
            "tariff_usd_per_kwh": None,
            "purchase_price_usd": None,
            "lifetime_years": None,
        },
        {
            "scenario": "laptop",
            "kind": "local",
            "hardware_id": "M1-Pro-16c",
            "memory_gb": 16.0,
            "memory_bandwidth_gbps": 200.0,
            "tdp_w": 46.0,
            "pue": 1.0,
            "intensity_g_per_kwh": 40.0,
            "intensity_basis": "lifecycle",
            "price_per_gpu_hour_usd": None,
            "tariff_usd_per_kwh": 0.3,
            "purchase_price_usd": 2000.0,
            "lifetime_years": 4.0,
        },
    ]
)


def models(sizes: list[float]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "model_id": f"acme/m{int(n)}",
                "params_total": int(n),
                "size_class": "SLM" if n <= 8e9 else "LLM",
                "weights_gb_bf16": n * 2 / 1e9,
                "kv_cache_gb": 0.5,
                "memory_batch_size": 1,
            }
            for n in sizes
        ]
    )


def test_fitted_energy_roofline_throughput_and_bounds() -> None:
    est = estimate_inference(
        models([7e9]),
        SCENARIOS.head(1),
        PHYSICS,
        batch_size=1,
        bandwidth_efficiency=(0.5, 0.5),
        utilisation=(1.0, 1.0),
    )
    r = est.row(0, named=True)
    # 3350 GB/s x 0.5 / 14 GB of bf16 weights = 119.6 tokens/s; 700 W / 119.6 = 5.85 J/token
    assert r["tokens_per_s_low"] == pytest.approx(3350 * 0.5 / 14)
    assert r["j_per_token"] == pytest.approx(700 / (3350 * 0.5 / 14))
    assert r["j_per_token_roofline"] == pytest.approx(r["j_per_token"])  # same physics
    assert r["j_per_token_low"] == pytest.approx(r["j_per_token"] * math.exp(-0.5))
    assert r["gco2e_per_1k_tokens"] == pytest.approx(r["j_per_token"] * 1000 / 3.6e6 * 400)
    assert r["usd_per_1k_tokens"] == pytest.approx(4.0 / (r["tokens_per_s_low"] * 3600) * 1000)
    wide = estimate_inference(models([7e9]), SCENARIOS, PHYSICS, batch_size=1).row(0, named=True)
    assert wide["j_per_token_low"] < wide["j_per_token"] < wide["j_per_token_high"]
    assert wide["provenance"] == "estimated" and "fit on measured + published" in wide["method"]


def test_local_cost_is_electricity_plus_amortised_purchase() -> None:
    est = estimate_inference(
        models([1e9]),
        SCENARIOS.tail(1),
        PHYSICS,
        local_utilisation=0.25,
        bandwidth_efficiency=(0.5, 0.5),
    )
    r = est.row(0, named=True)
    electricity = r["j_per_token"] * 1000 / 3.6e6 * 0.3
    amortised = 2000.0 / (4 * 8760 * 0.25) / (r["tokens_per_s"] * 3600) * 1000
    assert r["usd_per_1k_tokens"] == pytest.approx(electricity + amortised)


def test_model_that_does_not_fit_is_reported_not_estimated() -> None:
    est = estimate_inference(models([70e9]), SCENARIOS, PHYSICS, batch_size=1)
    laptop = est.filter(pl.col("scenario") == "laptop").row(0, named=True)
    assert laptop["status"] == "does not fit" and "16 GB" in laptop["note"]
    cloud = est.filter(pl.col("scenario") == "cloud").row(0, named=True)
    assert cloud["status"] == "estimated" and cloud["devices"] == 2


@pytest.mark.parametrize("scenario", ["cloud", "laptop"])
def test_energy_co2_cost_grow_with_params_at_fixed_hardware(scenario: str) -> None:
    est = (
        estimate_inference(models([1e8, 5e8, 1e9, 3e9]), SCENARIOS, PHYSICS, batch_size=1)
        .filter(pl.col("scenario") == scenario)
        .sort("params_total")
    )
    for col in ("j_per_token", "gco2e_per_1k_tokens", "usd_per_1k_tokens"):
        assert est[col].is_sorted(), col


def test_answer_ratios_with_intervals_and_provenance() -> None:
    m = models([1e8, 1e9, 13e9, 70e9])
    inference = estimate_inference(m, SCENARIOS, PHYSICS, batch_size=1)
    training = pl.DataFrame(
        {
            "model_id": ["acme/m70000000000"],
            "in_config": [True],
            "energy_mwh": [1000.0],
            "co2e_t": [400.0],
        }
    )
    estimates = m.select("model_id", "size_class", "params_total").with_columns(
        energy_mwh=pl.col("model_id").str.len_chars().cast(pl.Float64), co2e_t=pl.lit(1.0)
    )
    estimates = estimates.with_columns(
        energy_mwh_low=pl.col("energy_mwh") / 2,
        energy_mwh_high=pl.col("energy_mwh") * 2,
        co2e_t_low=pl.col("co2e_t") / 2,
        co2e_t_high=pl.col("co2e_t") * 2,
    )
    ans = answer_table(training, estimates, inference)
    cloud = ans.filter((pl.col("setting") == "cloud") & (pl.col("metric") == "inference energy"))
    r = cloud.row(0, named=True)
    assert (
        r["llm_over_slm"] > 1
        and r["llm_over_slm_low"] <= r["llm_over_slm"] <= r["llm_over_slm_high"]
    )
    assert r["provenance_mix"] == "estimated: 4"
    energy = ans.filter(pl.col("metric") == "training energy").row(0, named=True)
    assert energy["provenance_mix"] == "estimated: 3, published: 1"
    # no LLM fits the laptop: no local ratio rather than a ratio of SLMs alone
    assert ans.filter(pl.col("setting") == "laptop").height == 0
