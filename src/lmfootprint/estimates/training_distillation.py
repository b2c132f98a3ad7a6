"""Teacher compute a model's training energy leaves out: logit distillation and pruning.

A model trained on a larger model's logits, or pruned from one, owes part of what it knows to
compute its own training energy does not count (the teacher's training, the forward passes that
made the targets). That compute is not added here: it is named on the model's row, with the
sentence of the source that says so, so a reader comparing small and large models sees it.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lmfootprint.core.validation import read_csv_checked
from lmfootprint.estimates.schemas import DistillationSchema


def load_distillation(path: str | Path) -> pl.DataFrame:
    return read_csv_checked(path, DistillationSchema)


def excluded_compute(table: pl.DataFrame | None) -> dict[str, tuple[str, str]]:
    """model_id -> (what the training energy leaves out, the source that says so)."""
    if table is None:
        return {}
    return {
        r["model_id"]: (
            f"{r['method']} from {r['teachers']}: {r['excluded_compute']}",
            f"{r['source_title']} ({r['quote_location']}), {r['source_date']}: "
            f'{r["source_url"]}: "{r["quote"]}"',
        )
        for r in table.iter_rows(named=True)
    }
