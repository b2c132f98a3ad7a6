"""Local scenarios from the local-device model: one precision along the ladder, calibrated on
local measurements, with per-response time and energy; the 004 study's laptop reproduced."""

from __future__ import annotations

import polars as pl
import pytest
from builders import FIT, LOCAL_PUBLISHED, SCENARIOS, SHAPES, local_fit, models

from lmfootprint.estimates.inference_estimates import estimate_inference
from lmfootprint.estimates.local_device import load_published_local
from lmfootprint.estimates.local_measurements import (
    calibration_rows,
    cpu_class,
    device_class_of,
    measured_rows,
)

PUBLISHED = LOCAL_PUBLISHED


def laptop(precision: str = "q4_k_m", **kw) -> pl.DataFrame:
    out = estimate_inference(
        models(SHAPES),
        SCENARIOS.filter(pl.col("kind") == "local"),
        FIT,
        local_fit=local_fit(),
        local_precision=precision,
        **kw,
    )
    return out.filter(pl.col("kind") == "local")


def test_a_local_ladder_never_mixes_precisions() -> None:
    for precision in ("q4_k_m", "q8_0", "f16"):
        rows = laptop(precision)
        assert set(rows["precision"]) == {precision}
    # 70B and 405B do not fit a 16 GB laptop at Q4_K_M: said so, not run at int4
    q4 = laptop()
    big = q4.filter(pl.col("params_total") > 6e10)
    assert set(big["status"]) == {"does not fit"}
    assert all("at q4_k_m (the local ladder's one precision)" in n for n in big["note"])
    # at F16 the 8B no longer fits either: it does not switch to a smaller format
    f16 = laptop("f16").filter(pl.col("model_id") == "meta-llama/Llama-3.1-8B")
    assert f16["status"].to_list() == ["does not fit"]


def test_the_ladder_gets_costlier_per_token_with_size() -> None:
    ok = laptop().filter(pl.col("status") == "estimated").sort("params_total")
    assert ok["j_per_token"].is_sorted() and ok["tokens_per_s"].is_sorted(descending=True)
    assert (ok["method"].str.contains("local-device model")).all()
    # decode never beats the memory roofline, and each response has a time and an energy
    assert (ok["tokens_per_s_high"] <= ok["roofline_tokens_per_s"] * 1.0001).all()
    assert (ok["seconds_per_response"] > 0).all() and (ok["j_per_response"] > 0).all()


def test_the_004_laptop_figures_are_reproduced_within_their_conditions() -> None:
    """M1 Pro, GPT4All (llama.cpp, 4-bit, Metal): 100 / 55 / 30 tokens/s for 1B / 3B / 8B.
    The fit includes those rows; their conditions are Q4_0 (4.5 bits/weight)."""
    rows = laptop("q4_k_m", prompt_tokens=60, output_tokens=70)
    tps = dict(zip(rows["model_id"], rows["tokens_per_s"], strict=True))
    assert tps["meta-llama/Llama-3.2-1B"] == pytest.approx(100, rel=0.35)
    assert tps["meta-llama/Llama-3.1-8B"] == pytest.approx(30, rel=0.35)


def test_without_a_local_fit_the_serving_model_is_used() -> None:
    out = estimate_inference(models(SHAPES), SCENARIOS, FIT)
    local = out.filter((pl.col("kind") == "local") & (pl.col("status") == "estimated"))
    assert local["method"].str.starts_with("serving model").all()


def test_device_classes() -> None:
    assert device_class_of("Apple MacBook Pro 14in M1 Pro (16-core GPU)") == "apple-metal"
    assert device_class_of("Lenovo ThinkPad, Intel Core i7") == "x86-cpu"
    assert cpu_class("x86_64") == "x86-cpu" and cpu_class("arm64") == "arm-cpu"


def inference_row(**over) -> dict:
    base = {
        "status": "ok",
        "quantization": "q4_k_m",
        "responses": None,
        "flags": None,
        "batch_size": 1,
        "hardware": "AMD EPYC (2 threads)",
        "params_total": 1_235_814_400,
        "input_tokens": 128,
        "ttft_s": 2.0,
        "decode_tokens_per_s": 20.0,
        "provenance": "estimated",
        "avg_power_w": 9.0,
        "idle_power_w": 1.0,
        "model_id": "meta-llama/Llama-3.2-1B",
        "weights_gb": 0.81,
        "threads": 2,
        "weights": "random-init",
        "energy_method": "estimate",
        "measured_at": "2026-12-07T20:00:00Z",
        "bandwidth_gbps": 20.0,
        "source": "this run",
    }
    return {**base, **over}


def test_only_clean_fixed_length_gguf_rows_calibrate() -> None:
    inference = pl.DataFrame(
        [
            inference_row(),
            inference_row(quantization=None),  # transformers
            inference_row(responses=8),  # a replay: prompt processing inside tokens/s
            inference_row(flags="noisy: ..."),
            inference_row(status="skipped"),
        ],
        infer_schema_length=None,
    )
    rows = measured_rows(inference, device_class="x86-cpu")
    assert rows.height == 1
    r = rows.row(0, named=True)
    assert (r["prompt_tps"], r["decode_tps"]) == (64.0, 20.0)
    assert r["power_w"] is None  # an estimate is not a measured power
    assert r["bytes_per_weight"] == pytest.approx(0.81e9 / 1_235_814_400)
    assert (r["date"], r["bandwidth_gbps"]) == ("2026-12-07", 20.0)
    # this run's rows replace a recorded ladder of the same machine, not the published ones
    recorded = rows.with_columns(decode_tps=pl.lit(5.0), source=pl.lit("recorded"))
    both = calibration_rows(load_published_local(PUBLISHED), recorded, rows)
    assert "recorded" not in both["source"].to_list()
    assert both.filter(pl.col("origin") == "measured-here")["decode_tps"].to_list() == [20.0]


def test_rows_measured_on_an_apple_gpu_calibrate_the_apple_metal_class() -> None:
    ladder = pl.DataFrame(
        [inference_row(device="mps", hardware="Apple M3 GPU (Metal)"), inference_row()],
        infer_schema_length=None,
    )
    rows = measured_rows(ladder, device_class="arm-cpu")
    assert rows["device_class"].to_list() == ["apple-metal", "arm-cpu"]
    assert rows["backend"].to_list() == ["Metal", "CPU"]
    # a ladder recorded before the device column: the CPU
    assert measured_rows(ladder.drop("device"), device_class="x86-cpu")[
        "device_class"
    ].to_list() == [
        "x86-cpu",
        "x86-cpu",
    ]
