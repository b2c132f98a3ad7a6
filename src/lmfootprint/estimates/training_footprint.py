"""Training footprints: published figures recomputed from their own inputs, checked, and put
on the one system boundary every training energy in this project shares.

The boundary is accelerator energy: GPU-hours x the GPU's TDP x one PUE (config
``footprint.pue``), for published and estimated rows alike. A source's own figure (power
"adjusted for PUE", a measured energy, an average system power with its own PUE) stays beside
it, with the conversion written on the row. CO2e = energy x grid intensity: the intensity the
source states, or else the one implied by the family's published total on the source's own
energy (sum of tCO2e / sum of that energy over the models of one card). Every published
figure also gets its own implied intensity, and rows that cannot be right are flagged, not
dropped.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import polars as pl

from lmfootprint.core.units import parse_param_label
from lmfootprint.core.validation import read_csv_checked, validate_frame
from lmfootprint.estimates.schemas import PublishedTrainingSchema, TrainingSchema

log = logging.getLogger(__name__)

FLAG_RECOMPUTE = "recompute-off"
FLAG_INTENSITY = "implied-intensity-implausible"
FLAG_SELF = "intensity-self-implied"
FLAG_ENERGY = "published-energy-mismatch"
# The config schema's default footprint.pue; the workflow always passes the configured one.
DEFAULT_PUE = 1.1


def boundary_label(pue: float) -> str:
    """The one system boundary of every training energy, named the same on every row."""
    return f"GPU-hours x GPU TDP x PUE {pue:g}"


def _conversion(r: dict[str, Any], pue: float) -> str:
    """How the source's own figure differs from the boundary, in words and one factor."""
    why = []
    if r["power_includes_pue"]:
        why.append(
            f"the source's {r['gpu_power_w']:g} W per GPU is 'adjusted for PUE' but no PUE is"
            " separable from it; read as the GPU's power, with this PUE on top"
        )
    elif r["gpu_hours"] is None:
        why.append(f"source energy / its PUE {r['source_pue']:g} x PUE {pue:g}")
    elif r["source_pue"] == pue:
        why.append(f"source PUE {pue:g} kept")
    elif r["source_pue"] == 1.0:
        why.append(f"source counts no facility overhead; PUE {pue:g} added")
    else:
        why.append(f"source PUE {r['source_pue']:g} replaced by {pue:g}")
    if r["gpu_power_w"] is not None and r["gpu_tdp_w"] != r["gpu_power_w"]:
        why.append(f"source power {r['gpu_power_w']:g} W replaced by the TDP {r['gpu_tdp_w']:g} W")
    if r["energy_mwh_published"] is not None:
        why.append(f"published energy {r['energy_mwh_published']:,.1f} MWh")
    ratio = r["energy_mwh"] / r["source_energy_mwh"] if r["source_energy_mwh"] else None
    factor = f"; this boundary / source = {ratio:.3f}" if ratio else ""
    return f"source: {r['source_energy_mwh']:,.1f} MWh ({r['method']}); " + "; ".join(why) + factor


def _arithmetic(r: dict[str, Any], pue: float) -> str:
    if r["gpu_hours"] is not None:
        return (
            f"{r['gpu_hours']:,.0f} GPU-h x {r['gpu_tdp_w']:g} W ({r['gpu_type']} TDP) x PUE "
            f"{pue:g} = {r['energy_mwh']:,.1f} MWh"
        )
    return (
        f"{r['energy_mwh_published']:,.1f} MWh published / source PUE {r['source_pue']:g} x PUE "
        f"{pue:g} = {r['energy_mwh']:,.1f} MWh"
    )


def load_published(path: str | Path) -> pl.DataFrame:
    return read_csv_checked(path, PublishedTrainingSchema)


def recompute_training(
    published: pl.DataFrame,
    models: pl.DataFrame | None = None,
    *,
    derived_hours: pl.DataFrame | None = None,
    pue: float = DEFAULT_PUE,
    intensity_band: tuple[float, float] = (20.0, 1100.0),
    tolerance: float = 0.05,
) -> pl.DataFrame:
    """Recompute energy and CO2e of each published row on the one boundary (GPU-hours x TDP x
    ``pue``), check the source's own arithmetic, and flag the rows that disagree."""
    df = published.with_columns(
        source_pue=pl.when(pl.col("power_includes_pue")).then(1.0).otherwise(pl.col("pue")),
    ).with_columns(
        source_from_hours=pl.col("gpu_hours") * pl.col("gpu_power_w") * pl.col("source_pue") / 1e6
    )
    df = df.with_columns(
        source_energy_mwh=pl.coalesce("source_from_hours", "energy_mwh_published"),
        energy_mwh=pl.coalesce(
            pl.col("gpu_hours") * pl.col("gpu_tdp_w") * pue / 1e6,
            pl.col("energy_mwh_published") / pl.col("source_pue") * pue,
        ),
        boundary=pl.lit(boundary_label(pue)),
    )
    df = df.with_columns(
        energy_arithmetic=pl.Series([_arithmetic(r, pue) for r in df.iter_rows(named=True)]),
        conversion=pl.Series([_conversion(r, pue) for r in df.iter_rows(named=True)]),
    )
    family = (
        df.filter(pl.col("co2e_t_published").is_not_null())
        .group_by("family")
        .agg(
            family_t=pl.col("co2e_t_published").sum(),
            family_mwh=pl.col("source_energy_mwh").sum(),
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
            source_co2e_t=pl.col("source_energy_mwh") * pl.col("intensity_g_per_kwh") / 1000,
            implied_intensity_g_per_kwh=pl.col("co2e_t_published")
            * 1000
            / pl.col("source_energy_mwh"),
        )
        .with_columns(
            co2e_rel_error=pl.col("source_co2e_t") / pl.col("co2e_t_published") - 1,
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
            & (pl.col("source_from_hours").is_not_null())
            & ((pl.col("source_from_hours") / pl.col("energy_mwh_published") - 1).abs() > tolerance)
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
