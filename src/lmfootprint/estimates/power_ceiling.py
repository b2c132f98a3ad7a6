"""The devices' TDP together: the ceiling each inference estimate's GPU power sits under.

A column of results/inference_estimates.parquet (``devices_tdp_w``), added to the table that
estimates.inference_estimates builds, so that the report shows it and computes nothing.
"""

from __future__ import annotations

import polars as pl

from lmfootprint.core.validation import validate_frame
from lmfootprint.estimates.schemas import InferenceEstimateSchema


def with_devices_tdp(estimates: pl.DataFrame) -> pl.DataFrame:
    """``estimates`` with ``devices_tdp_w`` = devices x TDP; 0 where the model fits no device
    (no devices, no TDP)."""
    table = estimates.with_columns(
        devices_tdp_w=pl.col("tdp_w").fill_null(0) * pl.col("devices").fill_null(0)
    )
    return validate_frame(InferenceEstimateSchema, table, "results/inference_estimates.parquet")
