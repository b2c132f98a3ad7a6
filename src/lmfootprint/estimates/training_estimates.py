"""Training footprint estimates for every configured model, checked on those with a published one.

GPU-hours = 6 x parameters x training tokens / (peak dense FLOP/s x effective MFU), with the
effective MFU from the calibrated model (training_calibration) and D from the sourced token
table (training_tokens); the bounds combine the MFU model's held-out interval with the range
the token count's wording allows. Energy = GPU-hours x TDP x PUE; CO2e = energy x grid
intensity; embodied CO2e = the GPU's embodied carbon allocated by use time over its lifetime
(BLOOM's method). Every row is ``estimated``; rows whose tokens are assumed stay out of the
headline.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.validation import frame_from_rows, validate_frame
from lmfootprint.estimates.schemas import TrainingEstimateSchema
from lmfootprint.estimates.training_calibration import (
    FAMILY_HELD_OUT,
    MfuModel,
    generation,
    peak_tflops,
)
from lmfootprint.estimates.training_distillation import excluded_compute
from lmfootprint.estimates.training_footprint import boundary_label
from lmfootprint.estimates.training_tokens import resolve_tokens

HOURS_PER_YEAR = 8760.0


def estimate_gpu_hours(params: float, tokens: float, peak_tflops: float, mfu: float) -> float:
    return 6.0 * params * tokens / (peak_tflops * 1e12 * mfu) / 3600.0


def intensity_for(carbon: pl.DataFrame, country_iso3: str, basis: str) -> tuple[float, str]:
    rows = carbon.filter(
        (pl.col("geo_type") == "country")
        & (pl.col("geo_id") == country_iso3)
        & (pl.col("basis") == basis)
    ).sort("year")
    if rows.height == 0:
        raise LmFootprintError(f"footprint.grid_country {country_iso3!r}: no {basis} intensity")
    r = rows.row(-1, named=True)
    return r["gco2e_per_kwh"], f"{country_iso3} {basis} {r['year']} ({r['provenance']})"


def estimate_training(
    models: pl.DataFrame,
    runs: pl.DataFrame,
    calibration: pl.DataFrame,
    mfu_model: MfuModel,
    tokens_table: pl.DataFrame,
    hardware: pl.DataFrame,
    intensity_g_per_kwh: float,
    intensity_label: str,
    *,
    default_hardware: str,
    pue: float,
    lifetime_years: float,
    tokens_override: dict[str, str] | None = None,
    pue_range: tuple[float, float] | None = None,
    distillation: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One estimate per configured model from the calibrated MFU model.

    A model whose own run is in the calibration is estimated by the fit that left its whole
    family out, so its ``gpu_hours_error`` is a held-out error, not a fitted one; a model on a
    GPU generation the runs do not fit is estimated outside calibration, and says so. A
    distilled or pruned model names the teacher compute its energy leaves out (``distillation``).
    """
    pue_lo, pue_hi = pue_range or (pue, pue)
    if not pue_lo <= pue <= pue_hi:
        raise LmFootprintError(
            f"footprint.pue {pue:g} must lie within footprint.pue_range [{pue_lo:g}, {pue_hi:g}]"
        )
    pues = {"mid": pue, "low": pue_lo, "high": pue_hi}
    specs = {r["hardware_id"]: r for r in hardware.iter_rows(named=True)}
    run_of = {r["model_id"]: r for r in runs.iter_rows(named=True)}
    held = {r["model_id"]: r for r in calibration.iter_rows(named=True)}
    teacher = excluded_compute(distillation)
    rows: list[dict[str, Any]] = []
    for m in models.iter_rows(named=True):
        run = run_of.get(m["model_id"])
        tok = resolve_tokens(m["model_id"], m["params_total"], tokens_table, tokens_override)
        hw_id = run["hardware_id"] if run else default_hardware
        if hw_id not in specs:
            raise LmFootprintError(f"footprint hardware {hw_id!r} is not in resources/hardware.csv")
        hw = specs[hw_id]
        peak = peak_tflops(hw)
        h = held.get(m["model_id"])
        if h is not None:
            mfu = (h["heldout_mfu"], h["heldout_interval_low"], h["heldout_interval_high"])
            basis = h["heldout_basis"]
            how_mfu = f"held-out fit ({basis})" if basis == FAMILY_HELD_OUT else basis
        else:
            mfu = mfu_model.mfu(m["params_total"], generation(hw_id))
            how_mfu = mfu_model.basis(generation(hw_id))
        n = m["params_total"]
        hours = {
            "mid": estimate_gpu_hours(n, tok.tokens, peak, mfu[0]),
            "low": estimate_gpu_hours(n, tok.low, peak, mfu[2]),
            "high": estimate_gpu_hours(n, tok.high, peak, mfu[1]),
        }
        energy = {k: v * hw["tdp_w"] * pues[k] / 1e6 for k, v in hours.items()}
        embodied = None
        if hw["embodied_kgco2e"]:
            embodied = (
                hours["mid"] * hw["embodied_kgco2e"] / (lifetime_years * HOURS_PER_YEAR) / 1000
            )
        published_hours = run["gpu_hours"] if run else None
        rows.append(
            {
                "model_id": m["model_id"],
                "params_total": m["params_total"],
                "size_class": m["size_class"],
                "training_tokens": tok.tokens,
                "training_tokens_low": tok.low,
                "training_tokens_high": tok.high,
                "tokens_status": tok.status,
                "tokens_label": tok.label,
                "tokens_source": tok.source,
                "hardware_id": hw_id,
                "mfu": mfu[0],
                "mfu_low": mfu[1],
                "mfu_high": mfu[2],
                "gpu_hours": hours["mid"],
                "gpu_hours_low": hours["low"],
                "gpu_hours_high": hours["high"],
                "energy_mwh": energy["mid"],
                "energy_mwh_low": energy["low"],
                "energy_mwh_high": energy["high"],
                "co2e_t": energy["mid"] * intensity_g_per_kwh / 1000,
                "co2e_t_low": energy["low"] * intensity_g_per_kwh / 1000,
                "co2e_t_high": energy["high"] * intensity_g_per_kwh / 1000,
                "embodied_co2e_t": embodied,
                "co2e_t_with_embodied": energy["mid"] * intensity_g_per_kwh / 1000
                + (embodied or 0.0),
                "intensity_g_per_kwh": intensity_g_per_kwh,
                "intensity": intensity_label,
                "published_gpu_hours": published_hours,
                "published_hours_status": run["hours_status"] if run else None,
                "gpu_hours_error": hours["mid"] / published_hours - 1 if published_hours else None,
                "published_in_range": (hours["low"] <= published_hours <= hours["high"])
                if published_hours
                else None,
                "implied_mfu": run["implied_mfu"] if run else None,
                "in_headline": tok.disclosed,
                "provenance": "estimated",
                "boundary": boundary_label(pue),
                "excluded_compute": teacher.get(m["model_id"], (None, None))[0],
                "excluded_compute_source": teacher.get(m["model_id"], (None, None))[1],
                "method": f"6·N·D / ({peak:g} TFLOP/s x effective MFU {mfu[0]:.3f} "
                f"[{mfu[1]:.3f}-{mfu[2]:.3f}], {how_mfu}: {mfu_model.formula}) x "
                f"{hw['tdp_w']:g} W x PUE {pue:g} [{pue_lo:g}-{pue_hi:g}]; D {tok.status}; "
                "embodied over "
                f"{lifetime_years:g} years",
            }
        )
    return validate_frame(
        TrainingEstimateSchema,
        frame_from_rows(TrainingEstimateSchema, rows),
        "results/training_estimates.parquet",
    )


def training_energy(training: pl.DataFrame, estimates: pl.DataFrame) -> pl.DataFrame:
    """Training energy and CO2e per configured model, all on one system boundary (GPU-hours x
    TDP x PUE): from the published GPU-hours where a source gives them, else from the
    calibrated estimate with its bounds; ``provenance`` says which, ``co2e_basis`` what the
    CO2e counts, ``in_headline`` whether its tokens are disclosed, and the source's own figure
    stays beside it (``published_energy_mwh``, ``published_co2e_t``).

    A published energy without a published CO2e (Phi-3, SmolLM) gets CO2e from that same
    energy at the estimate's grid, never from the estimate's different energy.
    """
    published = training.filter(pl.col("in_config")).select(
        "model_id",
        pub_mwh=pl.col("energy_mwh"),
        pub_t=pl.col("co2e_t"),
        pub_basis=pl.col("co2e_basis"),
        pub_hours_status=pl.col("gpu_hours_status"),
        pub_boundary=pl.col("boundary"),
        pub_arithmetic=pl.col("energy_arithmetic"),
        pub_conversion=pl.col("conversion"),
        pub_source_mwh=pl.coalesce("energy_mwh_published", "source_energy_mwh"),
        pub_source_t=pl.col("co2e_t_published"),
    )
    joined = estimates.join(published, on="model_id", how="left")
    mixed = joined.filter(
        pl.col("pub_boundary").is_not_null() & (pl.col("pub_boundary") != pl.col("boundary"))
    )
    if mixed.height:
        r = mixed.row(0, named=True)
        raise LmFootprintError(
            f"{r['model_id']}: published training energy on {r['pub_boundary']!r}, estimates on "
            f"{r['boundary']!r}; rerun training_footprint and training_estimates with one "
            "footprint.pue"
        )
    c = pl.col
    has = c("pub_mwh").is_not_null()
    pub_t = pl.coalesce(c("pub_t"), c("pub_mwh") * c("intensity_g_per_kwh") / 1000)
    out = {
        "model_id": c("model_id"),
        "size_class": c("size_class"),
        "params_total": c("params_total"),
    }
    for name, pub, col in (("energy_mwh", c("pub_mwh"), "energy_mwh"), ("co2e_t", pub_t, "co2e_t")):
        out[name] = pl.when(has).then(pub).otherwise(c(col))
        out[f"{name}_low"] = pl.when(has).then(pub).otherwise(c(f"{col}_low"))
        out[f"{name}_high"] = pl.when(has).then(pub).otherwise(c(f"{col}_high"))
    for suffix in ("", "_low", "_high"):  # one grid for every model: comparable across models
        out[f"co2e_common{suffix}"] = out[f"energy_mwh{suffix}"] * c("intensity_g_per_kwh") / 1000
    out["co2e_common_basis"] = c("intensity")
    out["provenance"] = pl.when(has).then(pl.lit("published")).otherwise(pl.lit("estimated"))
    out["boundary"] = c("boundary")
    out["energy_basis"] = (
        pl.when(has & (c("pub_hours_status") == "derived"))
        .then(pl.lit("derived GPU-hours (GPUs x days x 24 h)"))
        .when(has)
        .then(pl.lit("published GPU-hours"))
        .otherwise(pl.lit("estimated GPU-hours (calibrated 6ND)"))
    )
    out["energy_arithmetic"] = pl.when(has).then(c("pub_arithmetic")).otherwise(c("method"))
    out["conversion"] = c("pub_conversion")
    out["published_energy_mwh"] = c("pub_source_mwh")
    out["published_co2e_t"] = c("pub_source_t")
    out["co2e_basis"] = (
        pl.when(has & c("pub_t").is_not_null())
        .then(pl.lit("source grid (") + c("pub_basis") + pl.lit(") x this boundary's energy"))
        .otherwise(pl.lit("location, ") + c("intensity"))
    )
    out["excluded_compute"] = c("excluded_compute")
    out["excluded_compute_source"] = c("excluded_compute_source")
    out["tokens_status"] = c("tokens_status")
    out["in_headline"] = c("in_headline") | has
    return joined.select(**out)
