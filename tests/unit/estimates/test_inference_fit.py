"""The serving model calibrated on ML.ENERGY v3 and checked on held-out families, GPUs and v2."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from builders import HARDWARE, RES

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.estimates.inference_fit import (
    ServingFit,
    family_of,
    fit_serving,
    holdout,
    interval,
    kv_bytes_per_token,
    peer_rows,
    split_v2,
)


def fitted_rows(serving) -> pl.DataFrame:
    """What the fit calibrates on: the v3 rows and v2's sub-8B rows."""
    return pl.concat([serving.rows, split_v2(serving.v2)[0]], how="diagonal_relaxed")


@pytest.mark.parametrize(
    "model_id,family",
    [
        ("meta-llama/Llama-3.1-8B-Instruct", "llama-3"),
        ("meta-llama/Meta-Llama-3.1-70B-Instruct", "llama-3"),
        ("meta-llama/Llama-3.3-70B-Instruct", "llama-3"),
        ("Qwen/Qwen3-8B", "qwen3"),
        ("google/gemma-3-27b-it", "gemma-3"),
        ("mistralai/Mistral-7B-Instruct-v0.3", "mistral"),
    ],
)
def test_family_of(model_id: str, family: str) -> None:
    assert family_of(model_id) == family


def test_kv_bytes_sliding_window_layers_keep_only_their_window() -> None:
    shape = {"n_layers": 10, "n_kv_heads": 8, "head_dim": 128}
    full = 2 * 10 * 8 * 128 * 2.0
    assert kv_bytes_per_token(shape, 4096) == full
    sliding = {**shape, "sliding_layers_fraction": 0.5, "sliding_window": 1024}
    assert kv_bytes_per_token(sliding, 1000) == full  # context inside the window
    assert kv_bytes_per_token(sliding, 4096) == pytest.approx(full * (0.5 + 0.5 * 1024 / 4096))


def test_shipped_rows_are_dense_configurations_on_h100_and_b200(serving) -> None:
    rows = serving.rows
    assert rows.height > 100
    assert set(rows["hardware_id"]) == {"H100-SXM5", "B200"}
    assert set(rows["task"]) <= {"lm-arena-chat", "gpqa"}
    assert rows["family"].n_unique() >= 3
    assert (rows["j_per_token"] * rows["tokens_per_s"] / rows["power_w"] - 1).abs().max() < 0.01


def test_family_and_gpu_holdout_errors_are_computed(serving) -> None:
    fit, cv, rows = serving.fit, serving.cv, fitted_rows(serving)
    assert set(fit.gpu_holdout_median_abs_error) == {
        "hardware_id=H100-SXM5",
        "hardware_id=B200",
        "hardware_id=A100-40-SXM4",  # only v2's sub-8B rows ran on it
    }
    for err in [fit.family_holdout_median_abs_error, *fit.gpu_holdout_median_abs_error.values()]:
        assert math.isfinite(err) and 0 < err < 1
    # every measured row is predicted once per hold-out scheme, by a fit that never saw it
    for key, prefix in (("family", "family="), ("hardware_id", "hardware_id=")):
        for group, n in rows.group_by(key).len().iter_rows():
            held = cv.filter(pl.col("held_out") == f"{prefix}{group}")
            assert held.height == n, (key, group)
            assert set(held[key]) == {group}
    assert cv.filter(pl.col("held_out") == "none (in-sample)").height == rows.height
    # v2: the sub-8B rows (family held out) and the rest (never fitted), each once
    assert cv.filter(pl.col("held_out").str.starts_with("ML.ENERGY v2")).height == serving.v2.height
    assert fit.v2_median_abs_error is not None and fit.v2_median_abs_error < 0.5
    assert fit.in_sample_median_abs_error < 0.3
    small, large = split_v2(serving.v2)
    assert small.height and set(small["family"]) == {"gemma-2", "phi-3", "mistral"}
    assert fit.n_rows == {
        "ML.ENERGY v3": serving.rows.height,
        "ML.ENERGY v2 small (fitted)": small.height,
        "ML.ENERGY v2": large.height,
    }


def test_v2_alone_can_still_be_a_check_never_fitted(serving) -> None:
    """fit_small_v2=False: the v3-only calibration, every v2 row a check."""
    fit, cv = fit_serving(serving.rows, serving.v2.head(3), fit_small_v2=False)
    assert fit.n_rows == {"ML.ENERGY v3": serving.rows.height, "ML.ENERGY v2": 3}
    assert cv.filter(pl.col("held_out") == "ML.ENERGY v2 (never fitted)").height == 3


def test_held_out_predictions_come_from_another_fit(serving) -> None:
    cv = serving.cv
    keys = ["model", "task", "hardware_id", "max_num_seqs", "devices"]
    inside = cv.filter(pl.col("held_out") == "none (in-sample)")
    held = cv.filter(pl.col("held_out").str.starts_with("family="))
    both = inside.join(held, on=keys, suffix="_held")
    assert both.height == inside.height
    gap = (both["predicted_j_per_token"] / both["predicted_j_per_token_held"] - 1).abs()
    assert gap.max() > 0.01  # a held-out group changes the parameters


def test_predicted_power_never_exceeds_devices_tdp(serving) -> None:
    cv = serving.cv
    assert (cv["predicted_power_w"] <= cv["devices"] * cv["tdp_w"] * (1 + 1e-9)).all()
    assert 0 < serving.fit.max_power_share_of_tdp <= 1.0


def test_interval_and_coverage(serving) -> None:
    fit = serving.fit
    assert fit.log_q_low < 0 < fit.log_q_high
    assert fit.tps_log_q_low < 0 < fit.tps_log_q_high
    low, high = interval(fit, 2.0)
    assert low == pytest.approx(2.0 * math.exp(fit.log_q_low)) and low < 2.0 < high
    assert 0.5 < fit.coverage <= 1.0
    assert fit.coverage_n == fitted_rows(serving).height  # every row in some held-out family
    assert ServingFit.from_dict(fit.to_dict()) == fit
    assert fit.serving_params.idle == pytest.approx(0.1)


def test_holdout_skips_nothing_and_predicts_every_group(serving) -> None:
    two = serving.rows.filter(pl.col("family").is_in(["qwen3", "gemma-3"]))
    out = holdout(two, "family")
    assert out.height == two.height
    assert set(out["held_out"]) == {"family=qwen3", "family=gemma-3"}
    assert np.isfinite(out["log_residual"].to_numpy()).all()


def test_one_family_is_not_enough(serving) -> None:
    one = serving.rows.filter(pl.col("family") == "qwen3")
    with pytest.raises(LmFootprintError, match="at least 2 families"):
        fit_serving(one)


def test_rows_without_a_known_shape_are_dropped_and_none_left_is_an_error() -> None:
    shapes: dict = {}  # no shape known: every row dropped
    with pytest.raises(LmFootprintError, match="no dense rows"):
        peer_rows(str(RES / "inference" / "mlenergy_v3.csv"), shapes, HARDWARE)


def test_formula_describes_the_sum_the_model_uses(serving) -> None:
    """The formula written into inference_fit.json and the report is the one step_arrays uses:
    the sum of memory and compute time, not their max."""
    assert "max(" not in serving.fit.formula
    assert "+" in serving.fit.formula.split("overhead")[0]
