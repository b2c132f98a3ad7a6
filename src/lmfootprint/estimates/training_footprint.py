"""Training footprints: published figures recomputed from their own inputs and checked.

energy = GPU-hours x power (x PUE when the source's power does not fold it in);
CO2e = energy x grid intensity. The intensity is the one the source states, or else the one
implied by the family's published total (sum of tCO2e / sum of recomputed energy over the
models of one card). Every published figure also gets its own implied intensity, and rows
that cannot be right are flagged, not dropped.
"""

from __future__ import annotations

import logging
from pathlib import Path

import polars as pl

from lmfootprint.core.units import parse_param_label
from lmfootprint.core.validation import read_csv_checked, validate_frame
from lmfootprint.estimates.schemas import PublishedTrainingSchema, TrainingSchema

log = logging.getLogger(__name__)

FLAG_RECOMPUTE = "recompute-off"
FLAG_INTENSITY = "implied-intensity-implausible"
FLAG_SELF = "intensity-self-implied"
FLAG_ENERGY = "published-energy-mismatch"


def load_published(path: str | Path) -> pl.DataFrame:
    return read_csv_checked(path, PublishedTrainingSchema)


def recompute_training(
    published: pl.DataFrame,
    models: pl.DataFrame | None = None,
    *,
    derived_hours: pl.DataFrame | None = None,
    intensity_band: tuple[float, float] = (20.0, 1100.0),
    tolerance: float = 0.05,
) -> pl.DataFrame:
    """Recompute energy and CO2e of each published row and flag the ones that disagree."""
    df = published.with_columns(
        pue_applied=pl.when(pl.col("power_includes_pue")).then(1.0).otherwise(pl.col("pue")),
    ).with_columns(
        energy_from_hours=pl.col("gpu_hours") * pl.col("gpu_power_w") * pl.col("pue_applied") / 1e6
    )
    df = df.with_columns(
        energy_mwh=pl.coalesce("energy_from_hours", "energy_mwh_published"),
        energy_method=pl.when(pl.col("energy_from_hours").is_not_null())
        .then(pl.lit("gpu_hours x power x pue"))
        .otherwise(pl.lit("published energy")),
    )
    family = (
        df.filter(pl.col("co2e_t_published").is_not_null())
        .group_by("family")
        .agg(
            family_t=pl.col("co2e_t_published").sum(),
            family_mwh=pl.col("energy_mwh").sum(),
            family_n=pl.len(),
        )
        .with_columns(family_intensity=pl.col("family_t") * 1000 / pl.col("family_mwh"))
    )
    df = df.join(family, on="family", how="left")
    df = (
        df.with_columns(
            intensity_g_per_kwh=pl.coalesce("grid_intensity_g_per_kwh", "family_intensity"),
            intensity_basis=pl.when(pl.col("grid_intensity_g_per_kwh").is_not_null())
            .then(pl.lit("stated"))
            .when(pl.col("family_intensity").is_not_null())
            .then(pl.lit("family-total"))
            .otherwise(pl.lit(None, dtype=pl.String)),
        )
        .with_columns(
            co2e_t=pl.col("energy_mwh") * pl.col("intensity_g_per_kwh") / 1000,
            implied_intensity_g_per_kwh=pl.col("co2e_t_published") * 1000 / pl.col("energy_mwh"),
        )
        .with_columns(
            co2e_rel_error=pl.col("co2e_t") / pl.col("co2e_t_published") - 1,
        )
    )
    lo, hi = intensity_band
    flag_exprs = [
        pl.when(pl.col("co2e_rel_error").abs() > tolerance).then(
            pl.format(FLAG_RECOMPUTE + " {}%", (pl.col("co2e_rel_error") * 100).round(1))
        ),
        pl.when(~pl.col("implied_intensity_g_per_kwh").is_between(lo, hi)).then(
            pl.format(FLAG_INTENSITY + " {} g/kWh", pl.col("implied_intensity_g_per_kwh").round(1))
        ),
        pl.when((pl.col("intensity_basis") == "family-total") & (pl.col("family_n") == 1)).then(
            pl.lit(FLAG_SELF)
        ),
        pl.when(
            (pl.col("energy_mwh_published").is_not_null())
            & (pl.col("energy_from_hours").is_not_null())
            & ((pl.col("energy_from_hours") / pl.col("energy_mwh_published") - 1).abs() > tolerance)
        ).then(pl.lit(FLAG_ENERGY)),
    ]
    df = df.with_columns(
        flags=pl.concat_str(flag_exprs, separator="; ", ignore_nulls=True).fill_null("")
    )
    reported = pl.col("params_reported").map_elements(parse_param_label, return_dtype=pl.Int64)
    df = df.with_columns(params_reported_n=reported)
    if models is not None and models.height:
        df = df.join(
            models.select("model_id", pl.col("params_total").alias("params_models")),
            on="model_id",
            how="left",
        ).with_columns(in_config=pl.col("params_models").is_not_null())
    else:
        df = df.with_columns(params_models=pl.lit(None, dtype=pl.Int64), in_config=pl.lit(False))
    df = df.with_columns(
        params_total=pl.coalesce("params_models", "params_reported_n"),
        params_source=pl.when(pl.col("params_models").is_not_null())
        .then(pl.lit("models-table"))
        .when(pl.col("params_reported_n").is_not_null())
        .then(pl.lit("reported"))
        .otherwise(pl.lit("unknown")),
        provenance=pl.lit("published"),
    )
    if derived_hours is not None and derived_hours.height:
        df = df.join(
            derived_hours.select("model_id", gpu_hours_arithmetic=pl.col("arithmetic")),
            on="model_id",
            how="left",
        )
    else:
        df = df.with_columns(gpu_hours_arithmetic=pl.lit(None, dtype=pl.String))
    df = df.with_columns(
        gpu_hours_status=pl.when(pl.col("gpu_hours").is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("gpu_hours_arithmetic").is_not_null())
        .then(pl.lit("derived"))
        .otherwise(pl.lit("published"))
    )
    out = df.select(list(TrainingSchema.to_schema().columns)).sort("params_total", "model_id")
    for row in out.filter(pl.col("flags") != "").iter_rows(named=True):
        log.warning("%s: %s", row["model_id"], row["flags"])
    return validate_frame(TrainingSchema, out, "results/training.parquet")


def load_training(path: str | Path) -> pl.DataFrame:
    from lmfootprint.core.validation import read_parquet_checked

    return read_parquet_checked(path, TrainingSchema)
