"""The study's answer: how many times more an LLM costs than an SLM, with intervals.

Each ratio is the LLM median over the SLM median; its interval pairs the low side of one with
the high side of the other (LLM low / SLM high ... LLM high / SLM low), so it is as wide as
the inputs' bounds allow. Each row says how many rows of each provenance lie behind it.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lmfootprint.footprint import training_energy
from lmfootprint.schemas import AnswerSchema
from lmfootprint.validation import frame_from_rows, validate_frame

INFERENCE_METRICS = (
    ("inference energy", "J/token", "j_per_token"),
    ("inference CO2e", "gCO2e/1k tokens", "gco2e_per_1k_tokens"),
    ("inference cost", "USD/1k tokens", "usd_per_1k_tokens"),
)


def answer_table(
    training: pl.DataFrame, estimates: pl.DataFrame, inference: pl.DataFrame
) -> pl.DataFrame:
    rows: list[dict[str, Any] | None] = []
    train = training_energy(training, estimates)
    for metric, unit, col in (
        ("training energy", "MWh", "energy_mwh"),
        ("training CO2e", "t", "co2e_t"),
    ):
        frame = _bounded(train, col).drop_nulls("value")
        rows.append(_ratio(frame, "training", "as published or estimated", metric, unit))
    ok = inference.filter(pl.col("status") == "estimated")
    for scenario in ok["scenario"].unique(maintain_order=True).to_list():
        sub = ok.filter(pl.col("scenario") == scenario)
        for metric, unit, col in INFERENCE_METRICS:
            rows.append(_ratio(_bounded(sub, col), "inference", scenario, metric, unit))
    df = frame_from_rows(AnswerSchema, [r for r in rows if r is not None])
    return validate_frame(AnswerSchema, df, "results/answer.parquet")


def _bounded(df: pl.DataFrame, col: str) -> pl.DataFrame:
    """A quantity with its bounds (columns ``col``, ``col_low``, ``col_high``), by size class."""
    return df.select(
        "size_class",
        "provenance",
        value=pl.col(col),
        low=pl.col(f"{col}_low"),
        high=pl.col(f"{col}_high"),
    )


def _ratio(
    frame: pl.DataFrame, phase: str, setting: str, metric: str, unit: str
) -> dict[str, Any] | None:
    slm = frame.filter(pl.col("size_class") == "SLM")
    llm = frame.filter(pl.col("size_class") == "LLM")
    if slm.height == 0 or llm.height == 0:
        return None
    mix = ", ".join(f"{k}: {v}" for k, v in sorted(frame.group_by("provenance").len().iter_rows()))
    return {
        "phase": phase,
        "setting": setting,
        "metric": metric,
        "unit": unit,
        "slm_median": slm["value"].median(),
        "llm_median": llm["value"].median(),
        "llm_over_slm": llm["value"].median() / slm["value"].median(),
        "llm_over_slm_low": llm["low"].median() / slm["high"].median(),
        "llm_over_slm_high": llm["high"].median() / slm["low"].median(),
        "n_slm": slm.height,
        "n_llm": llm.height,
        "provenance_mix": mix,
    }
