"""The local-device inference model and the published local measurements it is fitted on."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from lmfootprint.core.validation import TableValidationError
from lmfootprint.estimates.local_device import (
    bytes_per_weight,
    efficiencies,
    fit_local,
    heldout_errors,
    load_published_local,
    predict_local,
    validate_local,
)

ROOT = Path(__file__).resolve().parents[3]
CSV = ROOT / "resources" / "local" / "published_local.csv"
STUDY_004 = "seeds/004_"
M1_PRO = "apple-m1-pro-16c"


@pytest.fixture(scope="module")
def published() -> pl.DataFrame:
    return load_published_local(CSV)


@pytest.fixture(scope="module")
def fit_all(published):
    return fit_local(published)


def _row(**kw) -> dict:
    base = {
        "device_id": "dev",
        "device_class": "test-class",
        "bandwidth_gbps": 100.0,
        "peak_tflops": None,
        "engine": "llama.cpp",
        "precision": "q4_0",
        "params": 1_000_000_000,
        "prompt_tps": None,
        "decode_tps": 10.0,
        "power_w": None,
        "source": "synthetic",
        "date": "2026-12-07",
        "origin": "measured-here",
    }
    base.update(kw)
    return base


def _synthetic(eff_bw, overhead_s, eff_compute, e_byte, idle_w=5.0, noise=0.0, seed=0):
    """Rows generated from known constants: 4 devices x 3 models x 2 precisions."""
    rng = np.random.default_rng(seed)
    rows = []
    for d, (bw, tflops) in enumerate([(68, 2.6), (200, 5.2), (400, 10.4), (800, 21.0)]):
        for params in (1_240_000_000, 3_210_000_000, 8_030_000_000):
            for prec in ("q4_0", "q8_0"):
                b = params * bytes_per_weight(prec)
                tps = 1 / (b / (eff_bw * bw * 1e9) + overhead_s) * math.exp(rng.normal(0, noise))
                pp = eff_compute * tflops * 1e12 / (2 * params) * math.exp(rng.normal(0, noise))
                power = idle_w + e_byte * b * tps
                rows.append(
                    _row(
                        device_id=f"dev{d}",
                        bandwidth_gbps=bw,
                        peak_tflops=tflops,
                        precision=prec,
                        params=params,
                        prompt_tps=pp,
                        decode_tps=tps,
                        power_w=power,
                        power_scope="package",
                        idle_w=idle_w,
                        model=f"m{params}",
                    )
                )
    return pl.DataFrame(rows)


# ---------------------------------------------------------------- the data


def test_published_csv_validates_with_source_and_date(published):
    assert published.height >= 80
    assert published["source"].str.len_chars().min() >= 3
    assert all(s.startswith("https://") or s.startswith(STUDY_004) for s in published["source"])
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in published["date"])
    assert set(published["origin"]) == {"published"}
    # every row says where its bytes per weight come from
    assert published["bytes_basis"].null_count() == 0


def test_published_csv_holds_the_004_rows_and_the_4167_table(published):
    s004 = published.filter(pl.col("source").str.starts_with(STUDY_004)).sort("params")
    assert s004["decode_tps"].to_list() == [100.0, 55.0, 30.0]
    assert s004["device_id"].unique().to_list() == [M1_PRO]
    assert s004["power_w"].drop_nulls().to_list() == [18.0]
    t4167 = published.filter(pl.col("source").str.contains("discussions/4167"))
    m1pro = t4167.filter((pl.col("device_id") == M1_PRO) & (pl.col("precision") == "q4_0"))
    assert m1pro["decode_tps"].to_list() == [36.41]
    assert m1pro["prompt_tps"].to_list() == [266.25]
    assert t4167["device_id"].n_unique() == 28


def test_the_loader_rejects_decode_beyond_the_roofline():
    # 1e9 params at q4_0 (0.5625 B) on 100 GB/s: the roofline is 177.8 tokens/s
    ok = pl.DataFrame([_row(decode_tps=170.0)])
    validate_local(ok)
    with pytest.raises(TableValidationError, match="roofline"):
        validate_local(pl.DataFrame([_row(decode_tps=200.0)]))


def test_the_loader_rejects_power_outside_idle_and_max():
    row = _row(power_w=50.0, power_scope="package", idle_w=5.0, max_power_w=40.0)
    with pytest.raises(TableValidationError):
        validate_local(pl.DataFrame([row]))
    with pytest.raises(TableValidationError):
        validate_local(pl.DataFrame([_row(power_w=3.0, power_scope="package", idle_w=5.0)]))
    with pytest.raises(TableValidationError):  # a power needs its scope
        validate_local(pl.DataFrame([_row(power_w=10.0)]))


def test_the_loader_rejects_an_unknown_precision_without_bytes():
    with pytest.raises(TableValidationError):
        validate_local(pl.DataFrame([_row(precision="q3_weird")]))
    validate_local(pl.DataFrame([_row(precision="q3_weird", bytes_per_weight=0.45)]))


def test_rows_measured_here_need_only_the_required_columns():
    rows = pl.DataFrame([_row(device_id=f"d{i}", decode_tps=50.0 + i) for i in range(3)])
    fit = fit_local(rows)
    assert 0 < fit.classes["test-class"].eff_bw <= 1


# ---------------------------------------------------------------- precision


def test_precision_bytes_ordering():
    f16, q8, q4km, q4 = (bytes_per_weight(p) for p in ("f16", "q8_0", "q4_k_m", "q4_0"))
    assert f16 > q8 > q4km > q4
    assert (f16, q8, q4) == (2.0, 8.5 / 8, 4.5 / 8)
    assert bytes_per_weight("Q5_0") == 5.5 / 8
    with pytest.raises(ValueError):
        bytes_per_weight("q3_weird")


def test_a_wider_precision_decodes_slower(fit_all):
    fit = fit_all
    kw = dict(
        device_class="apple-metal", bandwidth_gbps=200, peak_tflops=5.2, power_w=46, idle_w=0,
        params=3_210_000_000, prompt_tokens=0, response_tokens=100,
    )  # fmt: skip
    tps = [predict_local(fit, precision=p, **kw)["decode_tps"] for p in ("f16", "q8_0", "q4_k_m")]
    assert tps[0] < tps[1] < tps[2]


# ---------------------------------------------------------------- fitting


def test_fit_recovers_known_constants():
    rows = _synthetic(eff_bw=0.7, overhead_s=0.003, eff_compute=0.5, e_byte=150e-12)
    c = fit_local(rows).classes["test-class"]
    assert c.eff_bw == pytest.approx(0.7, rel=0.02)
    assert c.overhead_s == pytest.approx(0.003, rel=0.05)
    assert c.eff_compute == pytest.approx(0.5, rel=1e-9)
    assert c.e_byte_j == pytest.approx(150e-12, rel=1e-9)


def test_fit_without_overhead_recovers_the_plain_roofline():
    rows = _synthetic(eff_bw=0.55, overhead_s=0.0, eff_compute=0.8, e_byte=90e-12)
    c = fit_local(rows, overhead=False).classes["test-class"]
    assert c.overhead_s == 0.0
    assert c.eff_bw == pytest.approx(0.55, rel=1e-9)


def test_bandwidth_efficiency_is_held_to_one():
    # measurements at the roofline itself: the efficiency must not exceed 1
    rows = _synthetic(eff_bw=1.0, overhead_s=0.0, eff_compute=0.5, e_byte=1e-10)
    assert fit_local(rows).classes["test-class"].eff_bw <= 1.0


def test_heldout_errors_per_device_and_quantity():
    exact = heldout_errors(_synthetic(0.7, 0.003, 0.5, 150e-12))
    assert set(exact["quantity"]) == {"decode_tps", "prompt_tps", "j_per_token"}
    assert set(exact["device_id"]) == {"dev0", "dev1", "dev2", "dev3"}
    assert set(exact["scheme"]) == {"leave-one-device-out"}
    assert exact["n"].to_list() == [6] * exact.height
    assert exact["median_abs_log_error"].max() < 0.02
    noisy = heldout_errors(_synthetic(0.7, 0.003, 0.5, 150e-12, noise=0.2, seed=3))
    assert noisy.filter(pl.col("quantity") == "decode_tps")["median_abs_log_error"].min() > 0.01


def test_one_device_falls_back_to_leave_one_model_out():
    rows = _synthetic(0.7, 0.0, 0.5, 150e-12).filter(pl.col("device_id") == "dev1")
    held = heldout_errors(rows)
    assert set(held["scheme"]) == {"leave-one-model-out"}


def test_predictions_carry_the_heldout_interval(fit_all):
    fit = fit_all
    r = predict_local(
        fit, device_class="apple-metal", bandwidth_gbps=200, peak_tflops=5.23, power_w=46,
        idle_w=0, params=8_030_000_000, precision="q4_0", prompt_tokens=50, response_tokens=600,
    )  # fmt: skip
    assert r["decode_tps_low"] < r["decode_tps"] < r["decode_tps_high"]
    assert r["j_per_token_low"] < r["j_per_token"] < r["j_per_token_high"]
    assert (
        r["seconds_per_response_low"] < r["seconds_per_response"] < r["seconds_per_response_high"]
    )
    half = fit.interval("apple-metal", "decode_tps")
    assert r["decode_tps_high"] / r["decode_tps"] == pytest.approx(math.exp(half))
    assert r["decode_tps"] <= r["roofline_decode_tps"]
    assert r["provenance"] == "estimated"


# ---------------------------------------------------------------- physics on the real data


def test_fitted_efficiencies_are_physical(fit_all):
    eff = efficiencies(fit_all)
    assert ((eff["eff_bw"] > 0) & (eff["eff_bw"] <= 1)).all()
    assert ((eff["eff_compute"] > 0) & (eff["eff_compute"] <= 1)).all()


def test_predicted_power_stays_between_idle_and_max(fit_all, published):
    """Against resources/hardware.csv's M1 Pro: 200 GB/s, 46 W package power under load."""
    hw = pl.read_csv(ROOT / "resources" / "hardware.csv").filter(
        pl.col("hardware_id") == "M1-Pro-16c"
    )
    bw, tdp = float(hw["memory_bandwidth_gbps"][0]), float(hw["tdp_w"][0])
    assert (bw, tdp) == (200.0, 46.0)
    fit = fit_all
    for params in (1_240_000_000, 3_210_000_000, 8_030_000_000):
        r = predict_local(
            fit, device_class="apple-metal", bandwidth_gbps=bw, peak_tflops=5.23, power_w=tdp,
            idle_w=2.0, params=params, precision="q4_0", prompt_tokens=0, response_tokens=100,
        )  # fmt: skip
        assert 2.0 <= r["power_w"] <= tdp
        assert not r["power_capped"]
    capped = predict_local(
        fit, device_class="apple-metal", bandwidth_gbps=bw, peak_tflops=5.23, power_w=10.0,
        idle_w=2.0, params=8_030_000_000, precision="q4_0", prompt_tokens=0, response_tokens=100,
    )  # fmt: skip
    assert capped["power_capped"] and capped["power_w"] == 10.0


# ---------------------------------------------------------------- the 004 study, held out


def test_the_004_m1_pro_figures_are_predicted_by_a_fit_that_never_saw_the_device(published):
    """The study's 100 / 55 / 30 tokens/s (Llama 3.2 1B, 3B, Llama 3 8B, Q4_0, GPT4All on Metal)
    within a factor 1.35, and its ~0.6 J/token (8B, GPU power) within a factor 2.5, from a fit
    that excludes every M1 Pro 16-core row (the study's and llama.cpp's)."""
    train = published.filter(pl.col("device_id") != M1_PRO)
    fit = fit_local(train)
    study = published.filter(pl.col("source").str.starts_with(STUDY_004)).sort("params")
    for row in study.iter_rows(named=True):
        r = predict_local(
            fit, device_class="apple-metal", bandwidth_gbps=row["bandwidth_gbps"],
            peak_tflops=row["peak_tflops"], power_w=row["max_power_w"], idle_w=0.0,
            params=row["params"], precision=row["precision"], prompt_tokens=50,
            response_tokens=int(row["decode_tps"] * 20),
            bytes_per_weight_used=row["bytes_per_weight"],
        )  # fmt: skip
        ratio = r["decode_tps"] / row["decode_tps"]
        assert 1 / 1.35 < ratio < 1.35, (row["model"], ratio)
        if row["power_w"] is not None:
            j_ratio = r["j_per_token"] / (row["power_w"] / row["decode_tps"])
            # over-predicted: the fit's only other power is the M4 mini's wall power,
            # the study's is the GPU's alone
            assert 1.0 < j_ratio < 2.5, j_ratio
            assert r["power_w"] <= row["max_power_w"]
