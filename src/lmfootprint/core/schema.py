"""The base every table schema shares: strict columns, coerced types, one interval check."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

PROVENANCE = ["measured", "estimated", "published"]

DATE_RE = r"^\d{4}-\d{2}-\d{2}$"


class TableSchema(pa.DataFrameModel):
    """Strict (no unknown column) and coercing: every stage's schemas derive from it."""

    class Config:
        strict = True
        coerce = True


def brackets(*cols: str, low: str = "{}_low", high: str = "{}_high") -> pl.Expr:
    """Each ``low <= col <= high`` (nulls pass), with a slack of 1e-6 relative + 1e-9 absolute
    so that bounds computed apart from the value do not fail on rounding. ``low`` and ``high``
    name the bound columns, ``{}`` standing for the column."""
    ok = pl.lit(True)
    for col in cols:
        value = pl.col(col)
        slack = value.abs() * 1e-6 + 1e-9
        ok = ok & (
            value.is_null()
            | (
                (pl.col(low.format(col)) <= value + slack)
                & (value <= pl.col(high.format(col)) + slack)
            )
        )
    return ok
