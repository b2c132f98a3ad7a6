"""Training tokens per model, each with the source that discloses it.

The 6ND estimate is only as good as D. A count is ``published`` when the model's card or
report states it (with the quote's location), ``assumed`` when nothing is disclosed; assumed
rows are kept out of the headline and named in the report. A stated count is often a bound
("up to 9T", "15T+"), so every count carries a range read from how the source words it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lmfootprint.core.units import parse_tokens
from lmfootprint.core.validation import read_csv_checked
from lmfootprint.estimates.schemas import DerivedGpuHoursSchema, TrainingTokensSchema

log = logging.getLogger(__name__)

CHINCHILLA_TOKENS_PER_PARAM = 20.0
# How a wording widens the stated count: "up to X" is an upper bound (the smaller sizes of
# Llama 3.2 may have seen less), "X+" a lower one, "about X" a rounded figure.
UP_TO_LOW = 0.5
PLUS_HIGH = 1.1
ABOUT = 0.1


def load_tokens(path: str | Path) -> pl.DataFrame:
    return read_csv_checked(path, TrainingTokensSchema)


def load_derived_hours(path: str | Path) -> pl.DataFrame:
    return read_csv_checked(path, DerivedGpuHoursSchema)


def token_range(label: str | None, value: float) -> tuple[float, float]:
    """The range a stated count allows: 'up to 9T' -> (4.5T, 9T), '15T+' -> (15T, 16.5T)."""
    text = (label or "").strip().lower()
    if text.startswith("up to") or text.startswith("<"):
        return value * UP_TO_LOW, value
    if text.endswith("+") or text.startswith(">"):
        return value, value * PLUS_HIGH
    if re.match(r"^(about|around|approximately|~)", text):
        return value * (1 - ABOUT), value * (1 + ABOUT)
    return value, value


@dataclass(frozen=True)
class Tokens:
    """Training tokens of one model: total (pretraining + fine-tuning) with range and source."""

    tokens: float
    low: float
    high: float
    status: str  # published | assumed | override
    source: str
    label: str

    @property
    def disclosed(self) -> bool:
        return self.status in ("published", "override")


def resolve_tokens(
    model_id: str,
    params_total: float,
    table: pl.DataFrame,
    overrides: dict[str, str] | None = None,
) -> Tokens:
    """Tokens for one model: a config override, else the sourced table, else an assumption."""
    if overrides and model_id in overrides:
        value = parse_tokens(overrides[model_id])
        if value:
            lo, hi = token_range(overrides[model_id], value)
            return Tokens(
                value, lo, hi, "override", "config footprint.training_tokens", overrides[model_id]
            )
    rows = table.filter(pl.col("model_id") == model_id)
    if rows.height:
        r = rows.row(0, named=True)
        pre = r["pretraining_tokens"]
        if r["status"] == "published" and pre:
            fine = r["finetune_tokens"] or 0.0
            lo, hi = token_range(r["tokens_label"], pre)
            where = f" ({r['quote_location']})" if r["quote_location"] else ""
            base = f"; base model {r['base_model_id']}" if r["base_model_id"] else ""
            ft = f" + {fine:.3g} fine-tuning tokens" if fine else ""
            return Tokens(
                pre + fine,
                lo + fine,
                hi + fine,
                "published",
                f"{r['source_title']}{where}, {r['source_date']}: {r['source_url']}{base}{ft}",
                r["tokens_label"] or f"{pre:.3g}",
            )
        if pre:  # a documented assumption carried by the table itself
            return Tokens(
                pre,
                pre * 0.5,
                pre * 2.0,
                "assumed",
                f"assumed: {r['notes']}",
                r["tokens_label"] or f"{pre:.3g}",
            )
    value = CHINCHILLA_TOKENS_PER_PARAM * params_total
    log.warning("%s: no disclosed training tokens; assuming 20 per parameter", model_id)
    return Tokens(
        value,
        value * 0.5,
        value * 100.0,
        "assumed",
        "assumed: 20 tokens per parameter (Chinchilla-optimal); recent models train on "
        "50-5,000 per parameter, so the range runs to 100x",
        "20 x params",
    )
