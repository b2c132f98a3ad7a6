"""Energy and cost against quality: what share of a large model's quality a small one reaches.

Quality is a published MMLU score per model (resources/quality/mmlu.csv, a source per row).
Only 5-shot multiple-choice scores are compared; a score in another format (SmolLM's cloze
MMLU) is shown but marked not comparable. A model is on the Pareto front when no other
comparable model scores at least as well for less energy per token.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lmfootprint.answer.schemas import CapabilitySchema, QualitySchema
from lmfootprint.core.validation import frame_from_rows, read_csv_checked, validate_frame


def load_quality(path: str) -> pl.DataFrame:
    return read_csv_checked(path, QualitySchema)


def capability_table(metrics: pl.DataFrame, quality: pl.DataFrame, setting: str) -> pl.DataFrame:
    """Per model: MMLU, J/token, USD/1k tokens (at ``setting``), training MWh, Pareto, shares."""
    q = quality.filter(pl.col("mmlu_5shot").is_not_null()).with_columns(
        comparable=~pl.col("notes").fill_null("").str.starts_with("NOT COMPARABLE")
    )

    def metric(phase: str, name: str, where: str) -> pl.DataFrame:
        return metrics.filter(
            (pl.col("phase") == phase) & (pl.col("metric") == name) & (pl.col("setting") == where)
        ).select("model_id", pl.col("value").alias(name))

    base = metrics.unique("model_id", maintain_order=True).select(
        "model_id", "params_total", "family", "ladder"
    )
    df = (
        base.join(
            q.select("model_id", "mmlu_5shot", "variant", "comparable", "source_url"), on="model_id"
        )
        .join(metric("inference", "inference energy", setting), on="model_id", how="left")
        .join(metric("inference", "inference cost", setting), on="model_id", how="left")
        .join(metric("training", "training energy", "training run"), on="model_id", how="left")
        .sort("params_total", "model_id")  # ties (same size) in a stable order
    )
    rows: list[dict[str, Any]] = []
    comparable = [r for r in df.iter_rows(named=True) if r["comparable"] and r["inference energy"]]
    top_of: dict[str, dict[str, Any]] = {}
    for r in comparable:
        top = top_of.get(r["family"])
        if r["ladder"] and (top is None or r["params_total"] > top["params_total"]):
            top_of[r["family"]] = r
    for r in df.iter_rows(named=True):
        pareto = None
        if r["comparable"] and r["inference energy"]:
            pareto = not any(
                o is not r
                and o["mmlu_5shot"] >= r["mmlu_5shot"]
                and o["inference energy"] <= r["inference energy"]
                and (
                    o["mmlu_5shot"] > r["mmlu_5shot"]
                    or o["inference energy"] < r["inference energy"]
                )
                for o in comparable
            )
        top = top_of.get(r["family"]) if r["comparable"] else None

        def share(col: str, r=r, top=top) -> float | None:
            if top is None or top is r or not r[col] or not top[col]:
                return None
            return r[col] / top[col]

        rows.append(
            {
                "model_id": r["model_id"],
                "params_total": r["params_total"],
                "family": r["family"],
                "mmlu_5shot": r["mmlu_5shot"],
                "variant": r["variant"],
                "comparable": r["comparable"],
                "mmlu_source": r["source_url"],
                "setting": setting,
                "j_per_token": r["inference energy"],
                "usd_per_1k_tokens": r["inference cost"],
                "training_mwh": r["training energy"],
                "pareto": pareto,
                "family_top": top["model_id"] if top is not None and top is not r else None,
                "quality_share": share("mmlu_5shot"),
                "energy_share": share("inference energy"),
                "cost_share": share("inference cost"),
                "training_share": share("training energy"),
            }
        )
    out = frame_from_rows(CapabilitySchema, rows)
    return validate_frame(CapabilitySchema, out, "results/comparison/capability.parquet")
