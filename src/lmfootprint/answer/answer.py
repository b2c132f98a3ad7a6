"""How energy, carbon and cost grow with size, in comparisons that hold other things equal.

Every analysis reads one long table of per-model metrics (``model_metrics``): training energy
and CO2e, and per (scenario, serving mode) J/token, gCO2e and USD per 1k tokens, each with its
80% interval and whether it may enter the headline (disclosed tokens, released weights, a
decoder-only model). On it:

- ladders (``ladders``): within one family, the ratio per step and per 10x parameters, each
  step saying whether anything but size separates its ends;
- size exponent: metric ~ params^b, from matched steps only (pooled), within families (family
  fixed effects; again with the estimator-only steps cut out) and across all;
- class medians: LLM median / SLM median, identical architectures counted once (their
  geometric mean), and how that ratio moves with the SLM/LLM threshold. The headline threshold's
  row is the same computation in both tables: each class split draws from its own seed.

Intervals come from Monte Carlo: each model's value is drawn from a log-normal whose 10-90%
range is its own interval (inputs' ranges: tokens, MFU, serving-model error), and the models
themselves are resampled within each class (bootstrap), so the interval covers both what we do
not know about each model and which architectures happen to be configured. It does not cover
the threshold (the threshold table does), and with a handful of architectures per class spanning
three orders of magnitude in energy (``slm_spread``/``llm_spread``) the bootstrap median can
only land on, or between, configured values: the interval is wide because the classes are.
Within a scenario, PUE, price per GPU-hour and grid intensity multiply every model alike and
cancel in a ratio.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import polars as pl

from lmfootprint.answer.ladders import collapse_identical, matched_exponent_rows, segments
from lmfootprint.answer.schemas import (
    AnswerSchema,
    ModelFamilySchema,
    ModelMetricSchema,
    SizeExponentSchema,
    ThresholdSchema,
)
from lmfootprint.core.validation import frame_from_rows, read_csv_checked, validate_frame
from lmfootprint.estimates.training_estimates import training_energy

Z80 = 1.2815515655446004  # the 90% quantile of the standard normal
DRAWS = 2000
SEED = 20261202
THRESHOLDS = (3e9, 7e9, 8e9, 13e9)
ARCH_KEY = ("model_type", "params_total", "n_layers", "hidden_size", "n_heads", "n_kv_heads")
INFERENCE_METRICS = (
    ("inference energy", "J/token", "j_per_token"),
    ("inference CO2e", "gCO2e/1k tokens", "gco2e_per_1k_tokens"),
    ("inference cost", "USD/1k tokens", "usd_per_1k_tokens"),
)

# why a model whose training tokens were assumed is kept out (the report details it)
ASSUMED_TOKENS = "training tokens assumed"


def load_families(path: str) -> pl.DataFrame:
    return read_csv_checked(path, ModelFamilySchema)


def _metric_row(
    model: dict[str, Any],
    reasons: list[str],
    phase: str,
    setting: str,
    metric: str,
    unit: str,
    values: dict[str, Any],
    col: str,
) -> dict[str, Any]:
    """One model-metrics row: training and inference rows carry the same value, interval,
    provenance and headline eligibility, read from ``col`` and its ``_low``/``_high``."""
    return {
        **model,
        "phase": phase,
        "setting": setting,
        "metric": metric,
        "unit": unit,
        "value": values[col],
        "low": values[f"{col}_low"],
        "high": values[f"{col}_high"],
        "provenance": values["provenance"],
        "headline": not reasons,
        "excluded_because": "; ".join(reasons) or None,
    }


def model_metrics(
    models: pl.DataFrame,
    families: pl.DataFrame,
    training: pl.DataFrame,
    estimates: pl.DataFrame,
    inference: pl.DataFrame,
) -> pl.DataFrame:
    """One row per (model, phase, setting, metric): value, 80% interval, headline eligibility."""
    fam = {r["model_id"]: r for r in families.iter_rows(named=True)}
    meta = {r["model_id"]: r for r in models.iter_rows(named=True)}
    train = training_energy(training, estimates)
    rows: list[dict[str, Any]] = []

    def base(model_id: str) -> dict[str, Any]:
        m = meta[model_id]
        f = fam.get(model_id)
        reasons = []
        if f is not None and not f["weights_released"]:
            reasons.append("weights not released")
        if m["is_encoder_decoder"]:
            reasons.append("encoder-decoder")
        return {
            "model_id": model_id,
            "params_total": m["params_total"],
            "size_class": m["size_class"],
            "family": f["family"] if f else model_id.split("/")[0],
            "ladder": bool(f["ladder"]) if f else False,
            "arch_group": "|".join(str(m[k]) for k in ARCH_KEY),
            "_reasons": reasons,
        }

    for t in train.iter_rows(named=True):
        b = base(t["model_id"])
        reasons = list(b.pop("_reasons"))
        if not t["in_headline"]:
            reasons.append(ASSUMED_TOKENS)
        for metric, unit, col in (
            ("training energy", "MWh", "energy_mwh"),
            ("training CO2e", "tCO2e", "co2e_common"),
        ):
            rows.append(_metric_row(b, reasons, "training", "training run", metric, unit, t, col))
    ok = inference.filter(pl.col("status") == "estimated")
    for r in ok.iter_rows(named=True):
        b = base(r["model_id"])
        reasons = b.pop("_reasons")
        for metric, unit, col in INFERENCE_METRICS:
            setting = f"{r['scenario']} · {r['serving']}"
            rows.append(_metric_row(b, reasons, "inference", setting, metric, unit, r, col))
    df = frame_from_rows(ModelMetricSchema, rows)
    return validate_frame(ModelMetricSchema, df, "results/comparison/model_metrics.parquet")


def _sigma(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return np.maximum(np.log(high) - np.log(low), 0.0) / (2 * Z80)


def _draw(df: pl.DataFrame, rng: np.random.Generator, draws: int) -> np.ndarray:
    """draws x models log-normal samples centred on each value."""
    mu = np.log(df["value"].to_numpy())
    sd = _sigma(df["low"].to_numpy(), df["high"].to_numpy())
    return np.exp(mu + sd * rng.standard_normal((draws, len(mu))))


def class_ratio(
    df: pl.DataFrame, threshold: float, rng: np.random.Generator, draws: int = DRAWS
) -> dict[str, Any] | None:
    """LLM median / SLM median with a Monte Carlo + bootstrap 80% interval."""
    groups = collapse_identical(df)
    small = groups.filter(pl.col("params_total") <= threshold)
    large = groups.filter(pl.col("params_total") > threshold)
    if small.height == 0 or large.height == 0:
        return None
    s_draw, l_draw = _draw(small, rng, draws), _draw(large, rng, draws)
    s_idx = rng.integers(0, small.height, (draws, small.height))
    l_idx = rng.integers(0, large.height, (draws, large.height))
    s_med = np.median(np.take_along_axis(s_draw, s_idx, axis=1), axis=1)
    l_med = np.median(np.take_along_axis(l_draw, l_idx, axis=1), axis=1)
    ratio = l_med / s_med
    point = float(large["value"].median() / small["value"].median())
    lo, hi = np.quantile(ratio, [0.1, 0.9])
    mix = "+".join(sorted(set("+".join(groups["provenance"].to_list()).split("+"))))
    return {
        "threshold_params": float(threshold),
        "slm_median": float(small["value"].median()),
        "llm_median": float(large["value"].median()),
        "llm_over_slm": point,
        "llm_over_slm_low": float(min(lo, point)),
        "llm_over_slm_high": float(max(hi, point)),
        "n_slm": small.height,
        "n_llm": large.height,
        "slm_spread": float(small["value"].max() / small["value"].min()),
        "llm_spread": float(large["value"].max() / large["value"].min()),
        "provenance_mix": mix,
        "models_slm": ", ".join(small["model_id"].to_list()),
        "models_llm": ", ".join(large["model_id"].to_list()),
    }


def _series(metrics: pl.DataFrame) -> list[tuple[tuple[str, str, str, str], pl.DataFrame]]:
    keys = ("phase", "setting", "metric", "unit")
    return [
        (k, g)
        for k, g in metrics.group_by(keys, maintain_order=True)
        if g.height  # type: ignore
    ]


def rng_for(series: tuple[str, ...], head: pl.DataFrame, threshold: float) -> np.random.Generator:
    """The draws of one class split of one series, seeded by the series and the SLMs it holds:
    the answer's row and the threshold table's row at the headline threshold are the same
    computation, and two thresholds that split the models alike give the same interval."""
    small = sorted(head.filter(pl.col("params_total") <= threshold)["model_id"].to_list())
    key = zlib.crc32(("|".join(series) + "#" + ",".join(small)).encode())
    return np.random.default_rng([SEED, key])


def answer_table(metrics: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """The headline: class-median ratios on headline rows, with what was kept out."""
    rows = []
    for (phase, setting, metric, unit), g in _series(metrics):
        head = g.filter(pl.col("headline"))
        r = class_ratio(head, threshold, rng_for((phase, setting, metric, unit), head, threshold))
        if r is None:
            continue
        out = g.filter(~pl.col("headline"))
        rows.append(
            {
                "phase": phase,
                "setting": setting,
                "metric": metric,
                "unit": unit,
                **r,
                "n_identical_merged": head.height - collapse_identical(head).height,
                "kept_out": "; ".join(
                    f"{m} ({why})" for m, why in out.select("model_id", "excluded_because").rows()
                )
                or None,
            }
        )
    df = frame_from_rows(AnswerSchema, rows)
    return validate_frame(AnswerSchema, df, "results/answer.parquet")


def threshold_table(
    metrics: pl.DataFrame, thresholds=THRESHOLDS, headline_threshold: float | None = None
) -> pl.DataFrame:
    """The class ratio at each threshold and at the headline's (marked), same draws as the
    answer's row."""
    every = sorted({*map(float, thresholds), *([headline_threshold] if headline_threshold else [])})
    rows = []
    for (phase, setting, metric, unit), g in _series(metrics):
        head = g.filter(pl.col("headline"))
        for t in every:
            r = class_ratio(head, t, rng_for((phase, setting, metric, unit), head, t))
            if r is None:
                continue
            rows.append(
                {
                    "phase": phase,
                    "setting": setting,
                    "metric": metric,
                    "unit": unit,
                    "threshold_params": t,
                    **{k: r[k] for k in ("llm_over_slm", "llm_over_slm_low", "llm_over_slm_high")},
                    "n_slm": r["n_slm"],
                    "n_llm": r["n_llm"],
                    "provenance_mix": r["provenance_mix"],
                    "headline_threshold": headline_threshold is not None
                    and t == float(headline_threshold),
                }
            )
    df = frame_from_rows(ThresholdSchema, rows)
    return validate_frame(ThresholdSchema, df, "results/comparison/threshold_sensitivity.parquet")


def _slope(logp: np.ndarray, logv: np.ndarray, fam: np.ndarray | None) -> float:
    if fam is None:
        x = np.column_stack([logp, np.ones_like(logp)])
    else:
        levels = np.unique(fam)
        x = np.column_stack([logp, *((fam == k).astype(float) for k in levels)])
    coef, *_ = np.linalg.lstsq(x, logv, rcond=None)
    return float(coef[0])


def size_exponent_table(
    metrics: pl.DataFrame, ladders: pl.DataFrame | None = None, draws: int = 500
) -> pl.DataFrame:
    """b in metric ~ params^b: from matched steps (pooled, ``ladders``), within families (fixed
    effects, ladder families; again with estimator-only steps cut out) and across all."""
    rng = np.random.default_rng(SEED)
    rows = [] if ladders is None else matched_exponent_rows(ladders)
    for (phase, setting, metric, unit), g in _series(metrics):
        head = g.filter(pl.col("headline"))
        fits = [
            ("within families", head.filter(pl.col("ladder")), "family"),
            ("across all models", head, None),
        ]
        if ladders is not None:
            seg = segments(ladders, (phase, setting, metric, unit))
            cut = head.filter(pl.col("ladder")).with_columns(
                family=pl.col("model_id").replace_strict(seg, default=pl.col("family"))
            )
            fits.insert(1, ("within families, estimator-only steps removed", cut, "segment"))
        for scope, sub, by in fits:
            row = _exponent_row(collapse_identical(sub), by, rng, draws)
            if row is not None:
                rows.append(
                    {
                        "phase": phase,
                        "setting": setting,
                        "metric": metric,
                        "unit": unit,
                        "scope": scope,
                        **row,
                    }
                )
    df = frame_from_rows(SizeExponentSchema, rows)
    return validate_frame(SizeExponentSchema, df, "results/comparison/size_exponent.parquet")


def _exponent_row(
    sub: pl.DataFrame, by: str | None, rng: np.random.Generator, draws: int
) -> dict[str, Any] | None:
    """The fitted b with its bootstrap interval (over families, or models when ``by`` is None);
    ``by`` names what the fixed effects stand for (a family, or a family's segment)."""
    by_family = by is not None
    if by_family:
        counts = sub.group_by("family").len()
        keep = counts.filter(pl.col("len") >= 2)["family"].to_list()
        sub = sub.filter(pl.col("family").is_in(keep))
    if sub.height < 3:
        return None
    logp = np.log10(sub["params_total"].to_numpy().astype(float))
    fam = sub["family"].to_numpy() if by_family else None
    b = _slope(logp, np.log10(sub["value"].to_numpy()), fam)
    samples = _draw(sub, rng, draws)
    boot = []
    units = np.unique(fam) if by_family else np.arange(sub.height)
    for i in range(draws):
        pick = rng.choice(units, len(units), replace=True)
        idx = np.concatenate([np.flatnonzero(fam == u) for u in pick]) if by_family else pick
        if len(np.unique(logp[idx])) < 2:
            continue
        f_i = None
        if by_family:  # resampled families get distinct labels
            f_i = np.concatenate([np.full(np.sum(fam == u), j) for j, u in enumerate(pick)])
        boot.append(_slope(logp[idx], np.log10(samples[i, idx]), f_i))
    lo, hi = np.quantile(boot, [0.1, 0.9])
    n_families = None
    if by_family:
        n_families = len({f.split("#")[0] for f in np.unique(fam)})
    return {
        "exponent": b,
        "exponent_low": float(min(lo, b)),
        "exponent_high": float(max(hi, b)),
        "per_10x_params": 10**b,
        "per_10x_params_low": 10 ** float(min(lo, b)),
        "per_10x_params_high": 10 ** float(max(hi, b)),
        "n_models": sub.height,
        "n_families": n_families,
        "n_steps": None,
    }
