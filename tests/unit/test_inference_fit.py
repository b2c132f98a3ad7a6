"""The J/token fit: recovers known physics, its cross-validated error, and the shipped data."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from workflow_runner import ROOT

from lmfootprint.errors import LmFootprintError
from lmfootprint.hardware_specs import load_hardware
from lmfootprint.inference_fit import EnergyFit, fit_energy, measured_rows, published_rows

HARDWARE = load_hardware(ROOT / "resources" / "hardware.csv")
PUBLISHED = ROOT / "resources" / "inference" / "published_inference.csv"


def synthetic(noise: float, seed: int = 0) -> pl.DataFrame:
    """J/token = e^-13 x TDP/bandwidth x N^0.8 x batch^-0.6 on three GPUs and a spec-less CPU."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, n in enumerate([1e8, 3e8, 1e9, 3e9, 7e9, 13e9, 70e9]):
        for hw, tdp, bw in (("H100-SXM5", 700, 3350), ("A40", 300, 696), ("cpu-x", None, None)):
            for batch in (1, 8, 64):
                a = -13 + math.log(tdp / bw) if tdp else -11.0
                j = math.exp(a + 0.8 * math.log(n) - 0.6 * math.log(batch) + rng.normal(0, noise))
                rows.append(
                    {
                        "model": f"m{i}",
                        "params": n,
                        "hardware_id": hw,
                        "batch_size": float(batch),
                        "j_per_token": j,
                        "provenance": "published",
                        "source": "synthetic",
                    }
                )
    return pl.DataFrame(rows)


def test_fit_recovers_known_coefficients_and_cv_error_tracks_noise() -> None:
    exact, cv = fit_energy(synthetic(0.0), HARDWARE)
    assert exact.slope_params == pytest.approx(0.8)
    assert exact.slope_batch == pytest.approx(-0.6)
    assert exact.intercept == pytest.approx(-13.0)
    assert exact.hardware_intercepts["cpu-x"] == pytest.approx(-11.0)
    assert exact.cv_median_abs_error == pytest.approx(0.0, abs=1e-9)
    assert cv.height == synthetic(0.0).height  # every row predicted while held out
    noisy, _ = fit_energy(synthetic(0.2, seed=1), HARDWARE)
    assert 0.05 < noisy.cv_median_abs_error < 0.35  # ~ the noise's median |e^x - 1|
    assert noisy.cv_log_q_low < 0 < noisy.cv_log_q_high


def test_prediction_interval_and_unseen_hardware() -> None:
    fit, _ = fit_energy(synthetic(0.1), HARDWARE)
    mid, low, high = fit.predict(7e9, 1, "L4", 72, 300)  # no rows on L4: physics offset
    assert low < mid < high
    assert mid == pytest.approx(
        math.exp(fit.intercept + math.log(72 / 300) + fit.slope_params * math.log(7e9))
    )
    with pytest.raises(LmFootprintError, match="no energy fit for hardware 'tpu'"):
        fit.predict(7e9, 1, "tpu")
    assert EnergyFit.from_dict(fit.to_dict()) == fit


def test_too_little_data_is_an_error_that_says_what_is_missing() -> None:
    rows = synthetic(0.0).filter(pl.col("batch_size") == 1)
    with pytest.raises(LmFootprintError, match="2 batch sizes; got 7 models, 1 batch sizes"):
        fit_energy(rows, HARDWARE)


def test_shipped_published_rows_fit_within_a_stated_error() -> None:
    """The ML.ENERGY rows alone: leave-one-model-out median error measured at 12%."""
    rows = published_rows(str(PUBLISHED))
    assert rows.height == 27  # the two mixture-of-experts rows are kept out
    fit, cv = fit_energy(rows, HARDWARE)
    assert fit.cv_median_abs_error < 0.2
    assert 0.5 < fit.slope_params < 1.0 and -0.7 < fit.slope_batch < -0.4
    # Llama 3.1 8B at batch 1 on an H100: a few J/token (ML.ENERGY v1 measured ~5 on A100)
    mid, low, high = fit.predict(8.03e9, 1, "H100-SXM5", 700, 3350)
    assert 2 < mid < 8 and low < mid < high


def test_error_on_held_back_measured_rows() -> None:
    """Rows measured on this machine's CPU, held back one model at a time, predicted from the
    others plus the published rows: the error stays within the band the report states."""
    measured = pl.DataFrame(
        {
            "model_id": ["a/135m"] * 2 + ["b/160m"] * 2 + ["c/360m"] * 2,
            "params_total": [134515008] * 2 + [162322944] * 2 + [361821120] * 2,
            "hardware": ["AMD EPYC (2 threads)"] * 6,
            "batch_size": [1, 4] * 3,
            # J/token at 13.6/35.6, 19.9/49.0, 8.1/19.1 tokens/s under about 8 W
            "j_per_token": [8 / 13.6, 8 / 35.6, 8 / 19.9, 8 / 49.0, 8 / 8.1, 8 / 19.1],
            "status": ["ok"] * 6,
            "provenance": ["estimated"] * 6,
            "energy_method": ["estimate"] * 6,
        }
    )
    rows = pl.concat([measured_rows(measured), published_rows(str(PUBLISHED))])
    fit, cv = fit_energy(rows, HARDWARE)
    here = cv.filter(pl.col("hardware_id") == "AMD EPYC (2 threads)")
    assert here.height == 6
    assert here["abs_error"].median() < 0.6
    assert "AMD EPYC (2 threads)" in fit.hardware_intercepts
