"""USD per million input and output tokens at a utilisation band (estimates.token_prices)."""

from __future__ import annotations

import math

import polars as pl
import pytest
from builders import FIT, SCENARIOS, SHAPES, models

from lmfootprint.estimates.inference_estimates import estimate_inference
from lmfootprint.estimates.token_prices import (
    UtilisationBand,
    split_step_seconds,
    token_prices,
    usd_per_million,
)


def test_a_server_busy_half_the_time_doubles_the_cost_of_each_token() -> None:
    # an 8 x H100 node at 55.04 USD/h serving 10,000 tokens/s when busy
    full = usd_per_million(55.04, 1 / 10_000, 1.0)
    assert full == pytest.approx(55.04 / 3600 / 10_000 * 1e6)  # 1.529 USD per million
    assert usd_per_million(55.04, 1 / 10_000, 0.5) == pytest.approx(2 * full)
    assert usd_per_million(55.04, 1 / 10_000, 0.25) == pytest.approx(4 * full)
    with pytest.raises(ValueError, match="utilisation"):
        usd_per_million(55.04, 1 / 10_000, 0.0)


def test_a_step_splits_into_its_prefill_and_the_rest() -> None:
    # 64 sequences, 1,000 prompt and 500 output tokens each: a step carries 128 input tokens
    per_in, per_out = split_step_seconds(0.030, 0.010, 64, 1000, 500)
    assert per_in == pytest.approx(0.010 / 128)
    assert per_out == pytest.approx(0.020 / 64)
    with pytest.raises(ValueError, match="prefill"):
        split_step_seconds(0.010, 0.010, 64, 1000, 500)


def test_the_band_and_the_speed_interval_widen_the_price_together() -> None:
    band = UtilisationBand(0.3, 0.5, 0.7)
    p = token_prices(
        10.0,
        0.030,
        0.010,
        batch=64,
        prompt_tokens=1000,
        output_tokens=500,
        band=band,
        speed_band=(800.0, 1000.0, 1250.0),
    )
    out = usd_per_million(10.0, 0.020 / 64, 1.0)
    assert p["usd_per_m_output_tokens"] == pytest.approx(out / 0.5)
    assert p["usd_per_m_output_tokens_low"] == pytest.approx(out * 1000 / 1250 / 0.7)
    assert p["usd_per_m_output_tokens_high"] == pytest.approx(out * 1000 / 800 / 0.3)
    inp = usd_per_million(10.0, 0.010 / 128, 1.0)
    assert p["usd_per_m_input_tokens"] == pytest.approx(inp / 0.5)
    with pytest.raises(ValueError, match="band"):
        UtilisationBand(0.6, 0.5, 0.7)


def test_cloud_rows_price_input_and_output_apart_and_they_add_back_to_the_bill() -> None:
    band = UtilisationBand(0.4, 0.5, 0.8)
    est = estimate_inference(models(SHAPES), SCENARIOS, FIT, utilisation=band)
    cloud = est.filter((pl.col("kind") == "cloud") & (pl.col("status") == "estimated"))
    assert cloud.height > 0
    for r in cloud.iter_rows(named=True):
        assert 0 < r["usd_per_m_input_tokens"] < r["usd_per_m_output_tokens"], r["model_id"]
        # 1,000 input + 500 output tokens at the central utilisation = the 100% bill / 0.5
        response = (1000 * r["usd_per_m_input_tokens"] + 500 * r["usd_per_m_output_tokens"]) / 1e6
        at_full = r["usd_per_1k_tokens"] * 500 / 1000
        assert response == pytest.approx(at_full / band.mid, rel=1e-9), r["model_id"]
        assert (
            r["usd_per_m_output_tokens_low"]
            < r["usd_per_m_output_tokens"]
            < r["usd_per_m_output_tokens_high"]
        )
    # local rows are priced by their own amortisation, not by rented hours
    local = est.filter((pl.col("kind") == "local") & (pl.col("status") == "estimated"))
    assert local["usd_per_m_input_tokens"].null_count() == local.height


def test_a_common_utilisation_leaves_the_class_ratio_where_it_was() -> None:
    def ratio(band: UtilisationBand) -> float:
        est = estimate_inference(models(SHAPES), SCENARIOS, FIT, utilisation=band).filter(
            (pl.col("kind") == "cloud") & (pl.col("status") == "estimated")
        )
        big = est["usd_per_m_output_tokens"].max()
        small = est["usd_per_m_output_tokens"].min()
        return big / small

    assert math.isclose(ratio(UtilisationBand(0.3, 0.5, 0.7)), ratio(UtilisationBand(1, 1, 1)))
