"""Within-family steps up in size, and what separates a step's two ends besides size.

A step is evidence about size only when everything else is held: the same family, the same
training data and token count, the same hardware. Each step says which it is (``step_kind``):

- ``published matched``: same recipe, token count and GPUs, both ends' energies published (the
  lab's own GPU-hours x power): the only training steps in the matched exponent;
- ``matched, one end estimated``: held equal, but one end's energy is the 6ND estimate, so the
  ratio leans on the estimator for that end (shown, kept out of the exponent);
- ``estimator only``: both ends estimated from the same tokens and GPUs, so nothing but size
  separates them and the ratio is the MFU fit's own slope, not evidence about it (kept out);
- ``data x size``: the token count or the data/recipe differs, or the family file names no shared
  recipe (pruned and distilled models): size and data move together (kept out);
- ``hardware x size``: trained on different GPUs (kept out);
- ``serving model, same stack`` (inference): both ends predicted by the one serving model in one
  setting (same GPUs, engine, batch, grid, price): matched in everything the serving stack sets,
  its ratio the roofline's answer for the two architectures (weights, KV cache, devices), not a
  measurement. Training data plays no part in serving cost, so no inference step is data x size.

The matched exponent pools the matched steps: b = sum(log10 ratio) / sum(log10 params ratio),
so a family's chain of steps telescopes to its end-to-end slope and each family weighs by the
log-size span it covers. Its 80% interval resamples families (with their steps) and draws each
step's ratio within its own interval.
"""

from __future__ import annotations

import math
import zlib
from itertools import combinations
from typing import Any

import numpy as np
import polars as pl

from lmfootprint.answer.schemas import STEP_KINDS, LadderSchema, MatchedPairSchema
from lmfootprint.core.validation import frame_from_rows, validate_frame
from lmfootprint.estimates.training_calibration import GPU_ALIASES
from lmfootprint.estimates.training_tokens import resolve_tokens

Z80 = 1.2815515655446004
SEED = 20261207

(
    PUBLISHED_MATCHED,
    ONE_END_ESTIMATED,
    ESTIMATOR_ONLY,
    DATA_X_SIZE,
    HARDWARE_X_SIZE,
    SERVING_MODEL,
) = STEP_KINDS
# the kinds whose steps enter the matched exponent, by phase
MATCHED = {"training": (PUBLISHED_MATCHED,), "inference": (SERVING_MODEL,)}
SERIES = ("phase", "setting", "metric", "unit")
TRAINING_SERIES = {
    "training energy": ("MWh", "energy_mwh"),
    "training CO2e": ("tCO2e", None),  # on the common grid, from the energy
}

POINT_SCHEMA = {
    "model_id": pl.String,
    "params_total": pl.Int64,
    "family": pl.String,
    "ladder": pl.Boolean,
    "arch_group": pl.String,
    "phase": pl.String,
    "setting": pl.String,
    "metric": pl.String,
    "unit": pl.String,
    "value": pl.Float64,
    "low": pl.Float64,
    "high": pl.Float64,
    "provenance": pl.String,
}


def end_facts(
    training: pl.DataFrame,
    estimates: pl.DataFrame,
    families: pl.DataFrame,
    tokens_table: pl.DataFrame,
) -> dict[str, dict[str, Any]]:
    """Per model, what its training value rests on: tokens (point, range, wording, status),
    the GPUs (and whether they are the run's own or the estimator's default) and the recipe."""
    recipe = {r["model_id"]: r.get("recipe") for r in families.iter_rows(named=True)}
    facts: dict[str, dict[str, Any]] = {}
    for r in estimates.iter_rows(named=True):
        facts[r["model_id"]] = {
            "tokens": r["training_tokens"],
            "tokens_low": r["training_tokens_low"],
            "tokens_high": r["training_tokens_high"],
            "tokens_label": r["tokens_label"],
            "tokens_disclosed": r["tokens_status"] != "assumed",
            "hardware": r["hardware_id"],
            "hardware_basis": "the run's"
            if r["published_gpu_hours"] is not None
            else "estimator's default",
            "recipe": recipe.get(r["model_id"]),
        }
    for r in training.filter(~pl.col("in_config")).iter_rows(named=True):
        if r["model_id"] not in recipe or not r["params_total"]:
            continue
        tok = resolve_tokens(r["model_id"], r["params_total"], tokens_table)
        facts[r["model_id"]] = {
            "tokens": tok.tokens,
            "tokens_low": tok.low,
            "tokens_high": tok.high,
            "tokens_label": tok.label,
            "tokens_disclosed": tok.disclosed,
            "hardware": GPU_ALIASES.get(r["gpu_type"] or "", r["gpu_type"]),
            "hardware_basis": "the run's",
            "recipe": recipe[r["model_id"]],
        }
    return facts


def published_points(
    training: pl.DataFrame, families: pl.DataFrame, estimates: pl.DataFrame
) -> pl.DataFrame:
    """Training rows for ladder models with a published run that are not configured (Llama 2
    34B: published in the Llama 2 card, weights never released): points on their family's
    ladder, never in the class medians. CO2e on the estimates' one common grid."""
    ladder = families.filter(pl.col("ladder"))
    fam = {r["model_id"]: r["family"] for r in ladder.iter_rows(named=True)}
    grid = estimates["intensity_g_per_kwh"][0] if estimates.height else None
    rows = []
    for r in training.filter(~pl.col("in_config")).iter_rows(named=True):
        if r["model_id"] not in fam or not r["params_total"] or not r["energy_mwh"]:
            continue
        for metric, (unit, _) in TRAINING_SERIES.items():
            value = r["energy_mwh"] if unit == "MWh" else None
            if value is None and grid is not None:
                value = r["energy_mwh"] * grid / 1000
            if value is None:
                continue
            rows.append(
                {
                    "model_id": r["model_id"],
                    "params_total": r["params_total"],
                    "family": fam[r["model_id"]],
                    "ladder": True,
                    "arch_group": r["model_id"],
                    "phase": "training",
                    "setting": "training run",
                    "metric": metric,
                    "unit": unit,
                    "value": value,
                    "low": value,
                    "high": value,
                    "provenance": "published",
                }
            )
    return pl.DataFrame(rows, schema=POINT_SCHEMA)


def _fmt_tokens(t: float | None) -> str:
    if t is None:
        return "?"
    return f"{t / 1e12:g}T" if t >= 1e12 else f"{t / 1e9:g}B"


def step_kind(
    phase: str,
    a: dict[str, Any],
    b: dict[str, Any],
    fa: dict[str, Any] | None,
    fb: dict[str, Any] | None,
) -> tuple[str, str]:
    """The kind of the step from ``a`` to ``b`` (collapsed metric rows) and why, read from
    each end's facts (``end_facts``)."""
    if phase == "inference":
        return SERVING_MODEL, "both ends from the serving model in this setting"
    if fa is None or fb is None:
        return DATA_X_SIZE, "no training facts for one end"
    if not fa["recipe"] or not fb["recipe"]:
        return DATA_X_SIZE, "no shared training recipe in the family file (see its note)"
    if fa["recipe"] != fb["recipe"]:
        return DATA_X_SIZE, f"recipe differs: {fa['recipe']} vs {fb['recipe']}"
    if not (fa["tokens_disclosed"] and fb["tokens_disclosed"]):
        return DATA_X_SIZE, "training tokens assumed for one end"
    if max(fa["tokens_low"], fb["tokens_low"]) > min(fa["tokens_high"], fb["tokens_high"]):
        return DATA_X_SIZE, (f"tokens differ: {fa['tokens_label']} vs {fb['tokens_label']}")
    if fa["hardware"] != fb["hardware"]:
        return HARDWARE_X_SIZE, f"GPUs differ: {fa['hardware']} vs {fb['hardware']}"
    ends = {a["provenance"], b["provenance"]}
    if ends == {"published"}:
        return PUBLISHED_MATCHED, "same recipe, tokens and GPUs; both ends published"
    if "published" not in ends:
        return ESTIMATOR_ONLY, (
            "both ends 6ND estimates with the same tokens and GPUs: the ratio is the MFU "
            "fit's slope in size"
        )
    return ONE_END_ESTIMATED, "same recipe, tokens and GPUs; one end a 6ND estimate"


def _series(metrics: pl.DataFrame, extra: pl.DataFrame | None):
    """(series key, ladder rows) with the published-only points joined to their series."""
    ladder = metrics.filter(pl.col("ladder")).select(POINT_SCHEMA.keys())
    if extra is not None and extra.height:
        ladder = pl.concat([ladder, extra.select(POINT_SCHEMA.keys())])
    yield from ladder.group_by(SERIES, maintain_order=True)


def collapse_identical(df: pl.DataFrame) -> pl.DataFrame:
    """Identical architectures count once: geometric means of their values and bounds, sorted
    by size (the class medians, the ladders and the size exponent all count them so)."""
    return (
        df.group_by("arch_group", maintain_order=True)
        .agg(
            pl.col("model_id").str.join(" = "),
            pl.col("params_total").first(),
            pl.col("family").first(),
            pl.col("value").log().mean().exp(),
            pl.col("low").log().mean().exp(),
            pl.col("high").log().mean().exp(),
            pl.col("provenance").unique().sort().str.join("+"),
        )
        .sort("params_total")
    )


def _step_row(key, family, a, b, facts) -> dict[str, Any]:
    phase, setting, metric, unit = key
    fa = facts.get(a["model_id"].split(" = ")[0])
    fb = facts.get(b["model_id"].split(" = ")[0])
    kind, note = step_kind(phase, a, b, fa, fb)
    p_ratio = b["params_total"] / a["params_total"]
    m_ratio = b["value"] / a["value"]
    hardware = None
    if phase == "training" and fa and fb:
        hw = {fa["hardware"], fb["hardware"]}
        hardware = fa["hardware"] if len(hw) == 1 else f"{fa['hardware']} / {fb['hardware']}"
        bases = {fa["hardware_basis"], fb["hardware_basis"]}
        hardware += f" ({' / '.join(sorted(bases))})"
    return {
        "phase": phase,
        "setting": setting,
        "metric": metric,
        "unit": unit,
        "family": family,
        "smaller": a["model_id"],
        "larger": b["model_id"],
        "params_ratio": p_ratio,
        "metric_ratio": m_ratio,
        "metric_ratio_low": b["low"] / a["high"],
        "metric_ratio_high": b["high"] / a["low"],
        "per_10x_params": m_ratio ** (1 / math.log10(p_ratio)),
        "provenance": f"{a['provenance']} / {b['provenance']}",
        "step_kind": kind,
        "step_note": note,
        "in_matched_exponent": kind in MATCHED.get(phase, ()),
        "tokens_smaller": fa["tokens"] if phase == "training" and fa else None,
        "tokens_larger": fb["tokens"] if phase == "training" and fb else None,
        "tokens_note": f"{fa['tokens_label']} / {fb['tokens_label']}"
        if phase == "training" and fa and fb
        else None,
        "hardware": hardware,
    }


def ladder_table(
    metrics: pl.DataFrame,
    facts: dict[str, dict[str, Any]] | None = None,
    extra: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Within-family steps: each model against the next larger one in its family, with the
    step's kind and the tokens and GPUs of both ends."""
    facts = facts or {}
    rows = []
    for key, g in _series(metrics, extra):
        for (family,), f in g.group_by("family", maintain_order=True):
            f = collapse_identical(f)
            ends = list(f.iter_rows(named=True))
            for a, b in zip(ends, ends[1:], strict=False):
                rows.append(_step_row(key, family, a, b, facts))
    df = frame_from_rows(LadderSchema, rows)
    return validate_frame(LadderSchema, df, "results/comparison/ladders.parquet")


def matched_pairs_table(
    metrics: pl.DataFrame,
    facts: dict[str, dict[str, Any]],
    extra: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every pair in a family, not only neighbours, that is matched in training (same family,
    recipe, tokens and GPUs, both ends published): its ratio and factor per 10x parameters."""
    rows = []
    for key, g in _series(metrics.filter(pl.col("phase") == "training"), extra):
        for (family,), f in g.group_by("family", maintain_order=True):
            ends = list(collapse_identical(f).iter_rows(named=True))
            for a, b in combinations(ends, 2):
                row = _step_row(key, family, a, b, facts)
                if row["in_matched_exponent"]:
                    rows.append(row)
    df = frame_from_rows(MatchedPairSchema, rows)
    return validate_frame(MatchedPairSchema, df, "results/comparison/matched_pairs.parquet")


def _sd(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return np.maximum(np.log10(high) - np.log10(low), 0.0) / (2 * Z80)


def pooled_slope(x: np.ndarray, y: np.ndarray) -> float:
    """b = sum(log ratio) / sum(log params ratio): a chain telescopes to its end-to-end slope."""
    return float(np.sum(y) / np.sum(x))


def matched_exponent_rows(ladders: pl.DataFrame, draws: int = 2000) -> list[dict[str, Any]]:
    """One size-exponent row per series from its matched steps, with an 80% interval over
    families (resampled with their steps) and each step's own interval."""
    rows = []
    for key, g in ladders.filter(pl.col("in_matched_exponent")).group_by(
        SERIES, maintain_order=True
    ):
        phase, setting, metric, unit = key
        x = np.log10(g["params_ratio"].to_numpy())
        y = np.log10(g["metric_ratio"].to_numpy())
        sd = _sd(g["metric_ratio_low"].to_numpy(), g["metric_ratio_high"].to_numpy())
        fam = g["family"].to_numpy()
        units = np.unique(fam)
        b = pooled_slope(x, y)
        rng = np.random.default_rng([SEED, zlib.crc32("|".join(key).encode())])
        boot = []
        for _ in range(draws):
            pick = rng.choice(units, len(units), replace=True)
            idx = np.concatenate([np.flatnonzero(fam == u) for u in pick])
            y_i = y[idx] + sd[idx] * rng.standard_normal(len(idx))
            boot.append(pooled_slope(x[idx], y_i))
        lo, hi = np.quantile(boot, [0.1, 0.9])
        lo, hi = float(min(lo, b)), float(max(hi, b))
        models = {m for col in ("smaller", "larger") for m in g[col].to_list()}
        rows.append(
            {
                "phase": phase,
                "setting": setting,
                "metric": metric,
                "unit": unit,
                "scope": "matched steps",
                "exponent": b,
                "exponent_low": lo,
                "exponent_high": hi,
                "per_10x_params": 10**b,
                "per_10x_params_low": 10**lo,
                "per_10x_params_high": 10**hi,
                "n_models": len(models),
                "n_families": len(units),
                "n_steps": g.height,
            }
        )
    return rows


def segments(ladders: pl.DataFrame, key: tuple[str, ...]) -> dict[str, str]:
    """model -> segment of its family, the ladder cut at every estimator-only step: a fixed
    effect per segment removes those steps from a within-family fit."""
    g = ladders.filter(pl.all_horizontal(pl.col(c) == v for c, v in zip(SERIES, key, strict=True)))
    out: dict[str, str] = {}
    for (family,), f in g.group_by("family", maintain_order=True):
        part = 0
        for r in f.iter_rows(named=True):
            for m in r["smaller"].split(" = "):
                out.setdefault(m, f"{family}#{part}")
            if r["step_kind"] == ESTIMATOR_ONLY:
                part += 1
            for m in r["larger"].split(" = "):
                out[m] = f"{family}#{part}"
    return out
