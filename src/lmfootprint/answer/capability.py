"""Energy and cost against quality: what share of a large model's quality a small one reaches.

Quality is a published MMLU score per model (resources/quality/mmlu.csv, a source per row).
Scores are compared only on one footing: a base checkpoint, 5-shot multiple choice, measured
on the release the model's training row describes. A score on another footing (an instruct-only
release such as Phi-3 or Flan-T5, SmolLM's cloze 0-shot, another release) keeps its value and
its ``footing`` label but gets no front verdict. A model is on the Pareto front when no other
comparable model scores at least as well for less energy per token.

Shares against the family's top model are given raw (score / top) and above MMLU's chance
floor ((score - 25) / (top - 25)): four options per question, so guessing scores 25%, and a
raw share overstates how much of the top model's knowledge a weak model holds.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lmfootprint.answer.schemas import MMLU_FOOTINGS, CapabilitySchema, QualitySchema
from lmfootprint.core.validation import frame_from_rows, read_csv_checked, validate_frame

MMLU_CHANCE = 25.0  # percent: four answer options per question
FRONT_FOOTING = MMLU_FOOTINGS[0]  # "base 5-shot"


def load_quality(path: str) -> pl.DataFrame:
    return read_csv_checked(path, QualitySchema)


def comparable_scores(quality: pl.DataFrame) -> pl.DataFrame:
    """The scores that may be set against one another: base 5-shot, from the release the
    model's training row describes (the quality front's footing)."""
    return quality.filter(
        pl.col("mmlu").is_not_null()
        & (pl.col("footing") == FRONT_FOOTING)
        & (pl.col("release") == pl.col("training_release"))
    )


def share_above_chance(score: float, reference: float, chance: float = MMLU_CHANCE) -> float | None:
    """The share of the reference's margin over guessing that ``score`` reaches; None when the
    reference itself is at or below chance (no margin to share)."""
    if reference <= chance:
        return None
    return (score - chance) / (reference - chance)


def pareto_front(rows: list[dict[str, Any]], quality: str, energy: str) -> set[str]:
    """Model ids no other row dominates (at least as good on both axes, better on one)."""

    def dominates(o: dict[str, Any], r: dict[str, Any]) -> bool:
        at_least = o[quality] >= r[quality] and o[energy] <= r[energy]
        return at_least and (o[quality] > r[quality] or o[energy] < r[energy])

    return {
        r["model_id"]
        for r in rows
        if not any(o["model_id"] != r["model_id"] and dominates(o, r) for o in rows)
    }


def _footing_group(r: dict[str, Any]) -> tuple[str, str, bool]:
    """Rows whose scores may be divided by one another: same family, footing and release check."""
    return (r["family"], r["footing"], r["release"] == r["training_release"])


def capability_table(metrics: pl.DataFrame, quality: pl.DataFrame, setting: str) -> pl.DataFrame:
    """Per model: MMLU and its footing, J/token, USD/1k tokens (at ``setting``), training MWh,
    Pareto verdict (comparable rows only), shares against the family top on the same footing."""
    q = quality.filter(pl.col("mmlu").is_not_null()).with_columns(
        comparable=(pl.col("footing") == FRONT_FOOTING)
        & (pl.col("release") == pl.col("training_release"))
    )

    def metric(phase: str, name: str, where: str) -> pl.DataFrame:
        return metrics.filter(
            (pl.col("phase") == phase) & (pl.col("metric") == name) & (pl.col("setting") == where)
        ).select("model_id", pl.col("value").alias(name))

    base = metrics.unique("model_id", maintain_order=True).select(
        "model_id", "params_total", "size_class", "family", "ladder"
    )
    quality_cols = ["mmlu", "footing", "variant", "release", "training_release", "comparable"]
    df = (
        base.join(q.select("model_id", *quality_cols, "source_url"), on="model_id")
        .join(metric("inference", "inference energy", setting), on="model_id", how="left")
        .join(metric("inference", "inference cost", setting), on="model_id", how="left")
        .join(metric("training", "training energy", "training run"), on="model_id", how="left")
        .sort("params_total", "model_id")  # ties (same size) in a stable order
    )
    all_rows = list(df.iter_rows(named=True))
    measured = [r for r in all_rows if r["inference energy"]]
    front = pareto_front([r for r in measured if r["comparable"]], "mmlu", "inference energy")
    top_of: dict[tuple[str, str, bool], dict[str, Any]] = {}
    for r in measured:
        top = top_of.get(_footing_group(r))
        if r["ladder"] and (top is None or r["params_total"] > top["params_total"]):
            top_of[_footing_group(r)] = r

    rows: list[dict[str, Any]] = []
    for r in all_rows:
        top = top_of.get(_footing_group(r))
        if top is not None and top["model_id"] == r["model_id"]:
            top = None

        def share(col: str, r=r, top=top) -> float | None:
            if top is None or not r[col] or not top[col]:
                return None
            return r[col] / top[col]

        rows.append(
            {
                **{k: r[k] for k in ("model_id", "params_total", "size_class", "family")},
                **{k: r[k] for k in quality_cols},
                "mmlu_source": r["source_url"],
                "setting": setting,
                "j_per_token": r["inference energy"],
                "usd_per_1k_tokens": r["inference cost"],
                "training_mwh": r["training energy"],
                "pareto": (r["model_id"] in front)
                if r["comparable"] and r["inference energy"]
                else None,
                "family_top": top["model_id"] if top is not None else None,
                "quality_share": share("mmlu"),
                "quality_share_above_chance": share_above_chance(r["mmlu"], top["mmlu"])
                if top is not None
                else None,
                "energy_share": share("inference energy"),
                "cost_share": share("inference cost"),
                "training_share": share("training energy"),
            }
        )
    out = frame_from_rows(CapabilitySchema, rows)
    return validate_frame(CapabilitySchema, out, "results/comparison/capability.parquet")
