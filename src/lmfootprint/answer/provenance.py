"""How many rows of each output are measured, estimated or published: the report's
provenance table, counted here so that the report only shows it."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from lmfootprint.answer.schemas import ProvenanceCountSchema
from lmfootprint.core.validation import frame_from_rows, validate_frame

# the tables counted (the provenance rule's inputs by name) and how the report names them
TABLES = {
    "inference": "results/inference.parquet (this machine)",
    "training": "results/training.parquet",
    "estimates": "results/training_estimates.parquet",
    "inference_estimates": "results/inference_estimates.parquet",
    "break_even": "results/break_even.parquet",
    "rent_vs_buy": "results/rent_vs_buy.parquet",
}
SKIPPED = "none (skipped)"  # a row without provenance: a model or setting the run skipped


def provenance_counts(tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """One row per (table, provenance) of the TABLES given, in TABLES' order, provenances
    sorted and the skipped rows last."""
    rows = []
    for key, label in TABLES.items():
        df = tables.get(key)
        if df is None:
            continue
        counts = df.group_by("provenance").len().sort("provenance", nulls_last=True)
        for value, n in counts.iter_rows():
            rows.append({"table": label, "provenance": value or SKIPPED, "rows": n})
    df = frame_from_rows(ProvenanceCountSchema, rows)
    return validate_frame(ProvenanceCountSchema, df, "results/provenance.parquet")
