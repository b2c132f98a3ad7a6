"""The report's provenance table: how many rows of each output are measured, estimated or
published, counted upstream (answer.provenance) so that the report only shows it."""

from __future__ import annotations

import polars as pl
import pytest

from lmfootprint.answer.provenance import TABLES, provenance_counts
from lmfootprint.answer.schemas import ProvenanceCountSchema
from lmfootprint.core.errors import TableValidationError
from lmfootprint.core.validation import validate_frame


def table(*provenance: str | None) -> pl.DataFrame:
    return pl.DataFrame({"provenance": list(provenance)}, schema={"provenance": pl.String})


def test_counts_each_table_in_order_with_skipped_rows_last() -> None:
    counts = provenance_counts(
        {
            "rent_vs_buy": table("estimated", "estimated"),
            "inference": table(None, "measured", "measured", "estimated", None),
            "training": table("published", "estimated", "published"),
        }
    )
    assert counts.rows() == [
        (TABLES["inference"], "estimated", 1),
        (TABLES["inference"], "measured", 2),
        (TABLES["inference"], "none (skipped)", 2),
        (TABLES["training"], "estimated", 1),
        (TABLES["training"], "published", 2),
        (TABLES["rent_vs_buy"], "estimated", 2),
    ]
    assert counts.columns == ["table", "provenance", "rows"]


def test_schema_rejects_a_count_twice_or_an_unknown_provenance() -> None:
    counts = provenance_counts({"training": table("published", "estimated")})
    with pytest.raises(TableValidationError, match="one_row_per_table_and_provenance"):
        validate_frame(ProvenanceCountSchema, pl.concat([counts, counts.head(1)]), "counts")
    guessed = counts.with_columns(provenance=pl.lit("guessed"))
    with pytest.raises(TableValidationError, match="provenance"):
        validate_frame(ProvenanceCountSchema, guessed, "counts")
