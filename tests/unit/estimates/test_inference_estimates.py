"""Inference per (model, scenario, serving mode): placement, physics check, carbon and cost."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from builders import FIT, SCENARIOS, SHAPES, models, scenario

from lmfootprint.core.errors import TableValidationError
from lmfootprint.core.validation import validate_frame
from lmfootprint.estimates.inference_estimates import _placement, estimate_inference
from lmfootprint.estimates.power_ceiling import with_devices_tdp
from lmfootprint.estimates.schemas import InferenceEstimateSchema
from lmfootprint.estimates.serving_model import predict_arrays

ESTIMATES = estimate_inference(models(SHAPES), SCENARIOS, FIT)


def row(model: str, scenario_name: str, serving: str) -> dict:
    sub = ESTIMATES.filter(
        (pl.col("model_id") == model)
        & (pl.col("scenario") == scenario_name)
        & (pl.col("serving") == serving)
    )
    assert sub.height == 1, (model, scenario_name, serving)
    return sub.row(0, named=True)


def test_405b_on_an_h100_node_is_served_in_fp8_on_8_devices() -> None:
    r = row("meta-llama/Llama-3.1-405B", "cloud-h100", "throughput")
    assert (r["status"], r["precision"], r["devices"]) == ("estimated", "fp8", 8)
    assert r["batch_size"] == r["concurrency"] == 64 and r["note"] is None
    assert r["reference"]  # the cloud reference mode is throughput
    # no FP8 on an A100: the same model drops to INT4 there, never FP8
    a100 = ESTIMATES.filter(
        (pl.col("scenario") == "cloud-a100") & (pl.col("model_id") == "meta-llama/Llama-3.1-405B")
    )
    assert set(a100["precision"]) == {"int4"}


def test_70b_is_served_in_bf16_on_4_devices_at_concurrency_64() -> None:
    r = row("meta-llama/Llama-3.1-70B", "cloud-h100", "throughput")
    assert (r["precision"], r["devices"], r["batch_size"], r["concurrency"]) == ("bf16", 4, 64, 64)
    # one request at a time needs only the smallest group that holds the weights
    r1 = row("meta-llama/Llama-3.1-70B", "cloud-h100", "interactive")
    assert (r1["precision"], r1["devices"], r1["batch_size"]) == ("bf16", 2, 1)
    assert not r1["reference"]


def test_a_model_that_does_not_fit_even_in_int4_is_reported_not_estimated() -> None:
    laptop = row("meta-llama/Llama-3.1-70B", "laptop", "interactive")
    assert laptop["status"] == "does not fit" and laptop["j_per_token"] is None
    assert "even in INT4" in laptop["note"] and "1 x 16 GB" in laptop["note"]
    huge = estimate_inference(models({"acme/2T": (2 * 10**12, 2.0)}), SCENARIOS.head(1), FIT)
    assert set(huge["status"]) == {"does not fit"}
    assert "8 x 80 GB" in huge["note"][0]


def test_local_scenarios_get_no_throughput_rows_by_default() -> None:
    local = ESTIMATES.filter(pl.col("kind") == "local")
    assert local.height == len(SHAPES)
    assert set(local["serving"]) == {"interactive"} and local["reference"].all()
    cloud = ESTIMATES.filter(pl.col("kind") == "cloud")
    assert set(cloud["serving"]) == {"interactive", "throughput"}
    # a configured mode can open throughput to local scenarios too
    modes = {"interactive": {"concurrency": 1}, "throughput": {"concurrency": 8}}
    both = estimate_inference(models(SHAPES), SCENARIOS.tail(1), FIT, serving=modes)
    assert set(both["serving"]) == {"interactive", "throughput"}


def test_memory_limited_batch_is_noted() -> None:
    # a KV cache of 20 GB per 2,048 tokens: an H100 node holds fewer than 64 sequences
    est = estimate_inference(models({"acme/wide": (8 * 10**9, 20.0)}), SCENARIOS.head(1), FIT)
    r = est.filter(pl.col("serving") == "throughput").row(0, named=True)
    assert r["status"] == "estimated" and r["batch_size"] < 64
    assert r["note"] == f"memory holds {r['batch_size']} of 64 sequences"
    assert r["devices"] == 8


def test_placement_prefers_bf16_then_fp8_then_int4() -> None:
    h100 = scenario("x", "cloud", "H100-SXM5")
    a100 = scenario("x", "cloud", "A100-80-SXM4")
    assert _placement(8e9, 1e8, 64, h100, 8) == ("bf16", 2.0, 1, 64)
    assert _placement(405e9, 1e8, 64, h100, 8)[:3] == ("fp8", 1.0, 8)
    assert _placement(405e9, 1e8, 64, a100, 8)[:3] == ("int4", 0.5, 4)
    assert _placement(405e9, 1e8, 1, a100, 1) is None


def test_values_follow_the_serving_model_pue_grid_and_price() -> None:
    r = row("meta-llama/Llama-3.1-8B", "cloud-h100", "throughput")
    n, kv = SHAPES["meta-llama/Llama-3.1-8B"]
    one = {
        "weight_bytes": np.array([n * 2.0]),
        # prefill FLOPs spread over the output tokens, as in the calibration rows (peer_rows)
        "flops_per_token": np.array([2.0 * n * (1 + 1000 / 500)]),
        "kv_bytes_per_token": np.array([kv * 1e9 / 2048]),
        "context": np.array([1000 + 500 / 2]),
        "batch": np.array([64.0]),
        "devices": np.array([1.0]),
        "bandwidth_gbps": np.array([3350.0]),
        "peak_tflops": np.array([989.0]),
        "tdp_w": np.array([700.0]),
    }
    pred = predict_arrays(one, FIT.serving_params)
    assert r["tokens_per_s"] == pytest.approx(pred["tokens_per_s"][0], rel=1e-9)
    assert r["gpu_power_w"] == pytest.approx(pred["power_w"][0])
    assert r["j_per_token"] == pytest.approx(pred["power_w"][0] / pred["tokens_per_s"][0] * 1.2)
    assert r["j_per_token_low"] == pytest.approx(r["j_per_token"] * math.exp(FIT.log_q_low))
    assert r["j_per_token_system"] == pytest.approx(
        (r["gpu_power_w"] + 150) / r["tokens_per_s"] * 1.2
    )
    assert r["gco2e_per_1k_tokens"] == pytest.approx(r["j_per_token"] * 1000 / 3.6e6 * 400)
    # cloud cost: devices x price per hour over the tokens served in an hour (high bound: slow)
    assert r["usd_per_1k_tokens"] == pytest.approx(4.0 / (r["tokens_per_s"] * 3600) * 1000)
    assert r["usd_per_1k_tokens_high"] == pytest.approx(4.0 / (r["tokens_per_s_low"] * 3600) * 1000)
    assert r["embodied_gco2e_per_1k_tokens"] == pytest.approx(
        (164 + 712.5) * 1000 / (3 * 8760 * 3600 * r["tokens_per_s"]) * 1000
    )


def test_local_cost_is_electricity_plus_amortised_purchase() -> None:
    est = estimate_inference(models(SHAPES).head(1), SCENARIOS.tail(1), FIT, local_utilisation=0.25)
    r = est.row(0, named=True)
    electricity = r["j_per_token"] * 1000 / 3.6e6 * 0.3
    amortised = 2000.0 / (4 * 8760 * 0.25) / (r["tokens_per_s"] * 3600) * 1000
    assert r["usd_per_1k_tokens"] == pytest.approx(electricity + amortised)
    assert r["host_power_w"] == 0.0


def test_physics_check_rejects_power_over_devices_tdp() -> None:
    """J/token x tokens/s over (devices x TDP + host) x PUE is a row that cannot be real."""
    df = ESTIMATES.filter(pl.col("status") == "estimated")
    validate_frame(InferenceEstimateSchema, df, "estimates")  # as produced: passes
    cap = (pl.col("devices") * pl.col("tdp_w") + pl.col("host_power_w")) * pl.col("pue")
    at_cap = cap / pl.col("tokens_per_s")

    def with_j(expr: pl.Expr, first_only: bool = True) -> pl.DataFrame:
        pick = pl.int_range(pl.len()) == 0 if first_only else pl.lit(True)
        j = pl.when(pick).then(expr).otherwise(pl.col("j_per_token"))
        return df.with_columns(j_per_token=j).with_columns(
            j_per_token_low=pl.min_horizontal("j_per_token_low", "j_per_token"),
            j_per_token_high=pl.max_horizontal("j_per_token_high", "j_per_token"),
        )

    validate_frame(InferenceEstimateSchema, with_j(at_cap * 0.999), "at the cap")  # host counts
    with pytest.raises(TableValidationError) as err:
        validate_frame(InferenceEstimateSchema, with_j(at_cap * 1.01), "over the cap")
    assert "power_within_devices_tdp" in str(err.value)
    assert "intervals_bracket_values" not in str(err.value)


def test_no_row_decodes_faster_than_the_bandwidth_roofline() -> None:
    """Even an interval's high end stays at or below bytes / (devices x bandwidth)."""
    df = ESTIMATES.filter(pl.col("status") == "estimated")
    assert (df["tokens_per_s_high"] <= df["roofline_tokens_per_s"] * 1.000001).all()
    faster = df.with_columns(
        tokens_per_s_high=pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.col("roofline_tokens_per_s") * 1.05)
        .otherwise(pl.col("tokens_per_s_high"))
    )
    with pytest.raises(TableValidationError, match="decode_within_bandwidth_roofline"):
        validate_frame(InferenceEstimateSchema, faster, "over the roofline")


def test_devices_tdp_is_the_devices_times_their_tdp_and_zero_where_nothing_fits() -> None:
    table = with_devices_tdp(ESTIMATES)
    fits = table.filter(pl.col("status") == "estimated")
    assert fits.height and (fits["devices_tdp_w"] == fits["devices"] * fits["tdp_w"]).all()
    h100 = fits.filter((pl.col("scenario") == "cloud-h100") & (pl.col("devices") == 8))
    assert h100.height and set(h100["devices_tdp_w"]) == {8 * 700.0}
    none = table.filter(pl.col("devices").is_null())
    assert none.height and set(none["devices_tdp_w"]) == {0.0}
    wrong = table.with_columns(devices_tdp_w=pl.col("devices_tdp_w") + 1)
    with pytest.raises(TableValidationError, match="devices_tdp_is_devices_times_tdp"):
        validate_frame(InferenceEstimateSchema, wrong, "estimates")
