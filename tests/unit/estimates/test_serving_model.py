"""The serving model: roofline step time, power bounded by idle..TDP, and its calibration."""

from __future__ import annotations

import numpy as np
import pytest
from builders import HARDWARE, RES
from hypothesis import given
from hypothesis import strategies as st

from lmfootprint.estimates.inference_fit import arrays, load_shapes, peer_rows
from lmfootprint.estimates.serving_model import (
    ServingParams,
    calibrate,
    power_fraction,
    predict_arrays,
    step_arrays,
)


def one(**over: float) -> dict[str, np.ndarray]:
    row = {
        "weight_bytes": 16e9,
        "flops_per_token": 16e9,
        "kv_bytes_per_token": 131072.0,
        "context": 1250.0,
        "batch": 1.0,
        "devices": 1.0,
        "bandwidth_gbps": 3350.0,
        "peak_tflops": 989.0,
        "tdp_w": 700.0,
    }
    return {k: np.array([float(v)]) for k, v in {**row, **over}.items()}


def test_step_time_is_memory_plus_compute_plus_overhead() -> None:
    p = ServingParams(eta_bw=0.5, eta_flop=0.5, overhead_s=0.002, comm=0.5)
    r = one(batch=8, devices=4)
    t_step, t_mem, t_flop = step_arrays(**{k: v for k, v in r.items() if k != "tdp_w"}, p=p)
    assert t_mem[0] == pytest.approx((16e9 + 8 * 1250 * 131072) / (4 * 3350e9 * 0.5))
    assert t_flop[0] == pytest.approx(16e9 * 8 / (4 * 989e12 * 0.5))
    assert t_step[0] == pytest.approx(t_mem[0] + t_flop[0] + 0.002 * (1 + 0.5 * 2))
    pred = predict_arrays(r, p)
    assert pred["tokens_per_s"][0] == pytest.approx(8 / t_step[0])
    assert pred["j_per_token"][0] == pytest.approx(pred["power_w"][0] / pred["tokens_per_s"][0])
    assert pred["bound"][0] == "memory"
    assert predict_arrays(one(batch=4096, kv_bytes_per_token=1000), p)["bound"][0] == "compute"


def test_power_fraction_is_clipped_to_idle_and_tdp() -> None:
    p = ServingParams(floor=5.0, slope=5.0, idle=0.1)
    full = power_fraction(np.array([1.0]), np.array([1.0]), np.array([1.0]), p)
    assert full[0] == 1.0
    idle = power_fraction(np.array([1.0]), np.array([0.0]), np.array([0.0]), p)
    assert idle[0] == pytest.approx(0.1)


finite = {"allow_nan": False, "allow_infinity": False}
rows = st.fixed_dictionaries(
    {
        "weight_bytes": st.floats(1e7, 2e12, **finite),
        "flops_per_token": st.floats(1e7, 5e12, **finite),
        "kv_bytes_per_token": st.floats(1e3, 1e7, **finite),
        "context": st.floats(1, 2e5, **finite),
        "batch": st.integers(1, 4096),
        "devices": st.sampled_from([1, 2, 4, 8, 16]),
        "bandwidth_gbps": st.floats(50, 10_000, **finite),
        "peak_tflops": st.floats(1, 5_000, **finite),
        "tdp_w": st.floats(5, 1_500, **finite),
    }
)
params = st.builds(
    ServingParams,
    eta_bw=st.floats(0.05, 1.0),
    eta_flop=st.floats(0.05, 1.0),
    overhead_s=st.floats(0.0, 0.05),
    comm=st.floats(0.0, 2.0),
    floor=st.floats(0.0, 3.0),
    slope=st.floats(0.0, 3.0),
    idle=st.floats(0.0, 0.5),
)


@given(batch=st.lists(rows, min_size=1, max_size=8), p=params)
def test_predicted_power_never_exceeds_devices_tdp_nor_falls_below_idle(batch, p) -> None:
    r = {k: np.array([float(row[k]) for row in batch]) for k in batch[0]}
    pred = predict_arrays(r, p)
    cap = r["devices"] * r["tdp_w"]
    assert np.all(pred["power_w"] <= cap * (1 + 1e-9))
    assert np.all(pred["power_w"] >= p.idle * cap * (1 - 1e-9))
    # the J/token the estimates report times tokens/s is that same bounded power
    assert np.allclose(pred["j_per_token"] * pred["tokens_per_s"], pred["power_w"], rtol=1e-9)
    assert np.all((pred["busy"] > 0) & (pred["busy"] <= 1 + 1e-12))


def test_calibration_recovers_the_parameters_that_generated_the_rows() -> None:
    """The shipped v3 configurations, their tokens/s and watts replaced by what known
    parameters predict: the grid search and the power regression give those parameters back."""
    shapes = load_shapes(str(RES / "inference" / "peer_model_shapes.csv"))
    a = arrays(peer_rows(str(RES / "inference" / "mlenergy_v3.csv"), shapes, HARDWARE))
    true = ServingParams(eta_bw=0.7, eta_flop=0.5, overhead_s=0.004, comm=0.3, floor=0.6, slope=0.4)
    pred = predict_arrays(a, true)
    a["tokens_per_s"], a["power_w"] = pred["tokens_per_s"], pred["power_w"]
    got = calibrate(a)
    for name, value in true.to_dict().items():
        assert getattr(got, name) == pytest.approx(value, abs=1e-6), name
