"""The comparison design: per-model metrics, class-median ratios, ladders, size exponents."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from builders import FIT, NO_PUBLISHED, SCENARIOS, models, training_estimates

from lmfootprint.answer.answer import (
    THRESHOLDS,
    answer_table,
    class_ratio,
    model_metrics,
    size_exponent_table,
    threshold_table,
)
from lmfootprint.answer.ladders import ladder_table
from lmfootprint.answer.schemas import ModelMetricSchema
from lmfootprint.core.validation import validate_frame
from lmfootprint.estimates.inference_estimates import estimate_inference

SETTING = "cloud-h100 · throughput"


def metrics(spec: list[dict], metric: str = "inference energy") -> pl.DataFrame:
    """Rows of model_metrics for one series. Each spec: model, params, value, and optionally
    family, ladder, arch (identical architectures share one), headline/why, spread."""
    rows = []
    for s in spec:
        spread = s.get("spread", 1.5)
        rows.append(
            {
                "model_id": s["model"],
                "params_total": int(s["params"]),
                "size_class": "SLM" if s["params"] <= 8e9 else "LLM",
                "family": s.get("family", s["model"]),
                "ladder": s.get("ladder", False),
                "arch_group": s.get("arch", s["model"]),
                "phase": "inference",
                "setting": SETTING,
                "metric": metric,
                "unit": "J/token",
                "value": s["value"],
                "low": s["value"] / spread,
                "high": s["value"] * spread,
                "provenance": "estimated",
                "headline": s.get("why") is None,
                "excluded_because": s.get("why"),
            }
        )
    return validate_frame(ModelMetricSchema, pl.DataFrame(rows), "test metrics")


CLASSES = [
    {"model": "a/1b", "params": 1e9, "value": 1.0, "arch": "X"},
    {"model": "b/1b", "params": 1e9, "value": 4.0, "arch": "X"},  # same architecture as a/1b
    {"model": "c/3b", "params": 3e9, "value": 2.0},
    {"model": "d/70b", "params": 70e9, "value": 10.0},
    {"model": "e/70b", "params": 70e9, "value": 30.0},
]


def test_identical_architectures_count_once() -> None:
    rng = np.random.default_rng(0)
    r = class_ratio(metrics(CLASSES), 8e9, rng, draws=500)
    assert (r["n_slm"], r["n_llm"]) == (2, 2)
    assert r["slm_median"] == pytest.approx(2.0)  # median of geomean(1, 4) = 2 and 2
    assert r["llm_median"] == pytest.approx(20.0)  # median of 10 and 30
    assert r["llm_over_slm"] == pytest.approx(10.0)
    assert "a/1b = b/1b" in r["models_slm"]
    assert r["llm_over_slm_low"] <= r["llm_over_slm"] <= r["llm_over_slm_high"]
    distinct = [{**s, "arch": s["model"]} for s in CLASSES]
    assert class_ratio(metrics(distinct), 8e9, rng, draws=500)["n_slm"] == 3
    assert class_ratio(metrics(CLASSES), 1e12, rng) is None  # no LLM: no ratio


def test_answer_keeps_non_headline_rows_out_and_names_them() -> None:
    spec = [
        *CLASSES,
        {"model": "f/175b", "params": 175e9, "value": 1e4, "why": "weights not released"},
        {"model": "g/7b", "params": 7e9, "value": 1e-3, "why": "training tokens assumed"},
    ]
    ans = answer_table(metrics(spec), 8e9)
    assert ans.height == 1
    r = ans.row(0, named=True)
    assert (r["n_slm"], r["n_llm"]) == (2, 2) and r["llm_over_slm"] == pytest.approx(10.0)
    assert r["kept_out"] == "f/175b (weights not released); g/7b (training tokens assumed)"
    assert "f/175b" not in r["models_llm"] and "g/7b" not in r["models_slm"]
    assert r["n_identical_merged"] == 1
    assert r["provenance_mix"] == "estimated"
    assert answer_table(metrics(CLASSES), 8e9)["kept_out"][0] is None


def test_threshold_moves_models_between_classes() -> None:
    spec = [
        {"model": f"m/{n:g}", "params": n, "value": n / 1e9} for n in (1e9, 5e9, 7.5e9, 10e9, 70e9)
    ]
    t = threshold_table(metrics(spec)).sort("threshold_params")
    assert t["threshold_params"].to_list() == list(THRESHOLDS)
    assert t["n_slm"].to_list() == [1, 2, 3, 4]
    assert t["n_llm"].to_list() == [4, 3, 2, 1]
    assert t["llm_over_slm"].n_unique() == 4
    # a threshold above every model leaves no LLM: no row rather than a ratio of SLMs
    assert threshold_table(metrics(spec), thresholds=(1e12,)).height == 0


def test_ladder_step_and_per_10x_params() -> None:
    spec = [
        {"model": "L/1b", "params": 1e9, "value": 1.0, "family": "L", "ladder": True},
        {"model": "L/8b", "params": 8e9, "value": 4.0, "family": "L", "ladder": True},
        {"model": "L/70b", "params": 70e9, "value": 20.0, "family": "L", "ladder": True},
        {"model": "x/3b", "params": 3e9, "value": 9.0, "family": "x", "ladder": False},
    ]
    lad = ladder_table(metrics(spec))
    assert lad["smaller"].to_list() == ["L/1b", "L/8b"]
    assert lad["larger"].to_list() == ["L/8b", "L/70b"]
    for r in lad.iter_rows(named=True):
        assert r["per_10x_params"] == pytest.approx(
            r["metric_ratio"] ** (1 / math.log10(r["params_ratio"]))
        )
    first = lad.row(0, named=True)
    assert (first["params_ratio"], first["metric_ratio"]) == pytest.approx((8.0, 4.0))
    assert first["per_10x_params"] == pytest.approx(4.0 ** (1 / math.log10(8)))
    assert first["metric_ratio_low"] == pytest.approx(4.0 / 1.5**2)
    assert first["metric_ratio_high"] == pytest.approx(4.0 * 1.5**2)


def power_law(families: dict[str, tuple[float, list[float]]], b: float) -> list[dict]:
    return [
        {
            "model": f"{fam}/{n:g}",
            "params": n,
            "value": c * n**b,
            "family": fam,
            "ladder": True,
            "spread": 1.05,
        }
        for fam, (c, sizes) in families.items()
        for n in sizes
    ]


def test_size_exponent_recovers_b_within_and_across_families() -> None:
    b = 0.8
    # offsets that fall with size: pooled, they would bend the slope; fixed effects do not
    spec = power_law(
        {
            "A": (1e-6, [1e8, 4e8, 1.6e9]),
            "B": (3e-7, [1e9, 7e9, 7e10]),
            "C": (1e-7, [8e9, 7e10, 4e11]),
        },
        b,
    )
    t = size_exponent_table(metrics(spec), draws=100)
    within = t.filter(pl.col("scope") == "within families").row(0, named=True)
    assert within["exponent"] == pytest.approx(b, abs=1e-9)
    assert within["n_families"] == 3 and within["n_models"] == 9
    assert within["exponent_low"] <= b <= within["exponent_high"]
    assert within["per_10x_params"] == pytest.approx(10**b)
    pooled = t.filter(pl.col("scope") == "across all models").row(0, named=True)
    assert pooled["exponent"] < b - 0.05  # the bias the within-family fit removes
    same = power_law({"A": (1e-6, [1e8, 1e9]), "B": (1e-6, [3e9, 7e10, 4e11])}, b)
    across = size_exponent_table(metrics(same), draws=100).filter(
        pl.col("scope") == "across all models"
    )
    assert across["exponent"][0] == pytest.approx(b, abs=1e-9)
    assert across["n_families"][0] is None


def test_model_metrics_headline_reasons_and_architecture_groups() -> None:
    sizes = [1e9, 7e9, 70e9]
    m = models(sizes).with_columns(
        model_type=pl.lit("llama"),
        n_layers=pl.lit(32),
        hidden_size=pl.lit(4096),
        n_heads=pl.lit(32),
        n_kv_heads=pl.lit(8),
        is_encoder_decoder=pl.Series([False, True, False]),
    )
    twin = m.head(1).with_columns(model_id=pl.lit("acme/twin-of-1b"))
    m = pl.concat([m, twin])
    families = pl.DataFrame(
        {
            "model_id": m["model_id"],
            "family": ["acme"] * 4,
            "ladder": [True] * 4,
            "weights_released": [True, True, False, True],
            "note": [None] * 4,
        }
    )
    estimates = pl.concat(
        [
            training_estimates(m.head(3)),
            training_estimates(twin, tokens=None),  # not in the token table: assumed
        ]
    )
    inference = estimate_inference(m, SCENARIOS.head(1), FIT)
    out = model_metrics(m, families, NO_PUBLISHED, estimates, inference)
    why = dict(
        out.filter(pl.col("phase") == "training")
        .select("model_id", "excluded_because")
        .unique()
        .iter_rows()
    )
    assert why == {
        "acme/m1000000000": None,
        "acme/m7000000000": "encoder-decoder",
        "acme/m70000000000": "weights not released",
        "acme/twin-of-1b": "training tokens assumed",
    }
    groups = dict(out.select("model_id", "arch_group").unique().iter_rows())
    assert groups["acme/twin-of-1b"] == groups["acme/m1000000000"]
    assert groups["acme/m7000000000"] != groups["acme/m1000000000"]
    inf = out.filter(pl.col("phase") == "inference")
    assert set(inf["setting"]) == {"cloud-h100 · interactive", SETTING}
    assert set(inf["metric"]) == {"inference energy", "inference CO2e", "inference cost"}
    # inference rows are not kept out for the training tokens
    assert inf.filter(pl.col("model_id") == "acme/twin-of-1b")["headline"].all()
    assert set(out.filter(pl.col("phase") == "training")["metric"]) == {
        "training energy",
        "training CO2e",
    }


def test_headline_row_is_the_threshold_tables_row_at_the_headline_threshold() -> None:
    spec = [
        {"model": f"m/{n:g}", "params": n, "value": n / 1e9, "spread": 3.0}
        for n in (1e9, 2e9, 5e9, 8.03e9, 14e9, 70e9, 400e9)
    ]
    m = metrics(spec)
    head = answer_table(m, 9e9).row(0, named=True)
    t = threshold_table(m, THRESHOLDS, 9e9)
    assert sorted(t["threshold_params"].to_list()) == sorted({*THRESHOLDS, 9e9})
    at = t.filter(pl.col("headline_threshold"))
    assert at.height == 1 and at["threshold_params"][0] == 9e9
    for col in ("llm_over_slm", "llm_over_slm_low", "llm_over_slm_high", "n_slm", "n_llm"):
        assert at[col][0] == head[col], col  # the same draws, not merely close
    # the answer's interval is not a draw that happens to follow another series' draws
    again = answer_table(pl.concat([metrics(spec, "inference CO2e"), m]), 9e9)
    assert (
        again.filter(pl.col("metric") == "inference energy")["llm_over_slm_low"][0]
        == (head["llm_over_slm_low"])
    )
    assert head["slm_spread"] == pytest.approx(8.03 / 1) and head["threshold_params"] == 9e9
    # 9B and 13B split these models alike: the same row, draw for draw
    same = t.filter(pl.col("threshold_params").is_in([9e9, 13e9]))
    assert same["llm_over_slm_high"].n_unique() == 1 and same["n_slm"].to_list() == [4, 4]


def test_an_8b_model_is_small_under_the_configured_threshold() -> None:
    """The question's "up to about 7-8B": a model sold as 8B (Llama 3.1 8B, 8,030,261,248
    parameters) is small under the shipped slm_max_params, and 13B is large."""
    import yaml
    from builders import ROOT

    threshold = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["slm_max_params"]
    spec = [
        {"model": "meta-llama/Llama-3.1-8B", "params": 8_030_261_248, "value": 1000.0},
        {"model": "acme/2b", "params": 2e9, "value": 50.0},
        {"model": "meta-llama/Llama-2-13b-hf", "params": 13_015_864_320, "value": 150.0},
    ]
    r = class_ratio(metrics(spec), threshold, np.random.default_rng(0), draws=100)
    assert "meta-llama/Llama-3.1-8B" in r["models_slm"]
    assert r["models_llm"] == "meta-llama/Llama-2-13b-hf"
