"""Training footprint estimates for models without a published one, checked on those with one.

GPU-hours = 6 x parameters x training tokens / (peak dense FLOP/s x MFU); the MFU range gives
the low and high bounds. Energy = GPU-hours x TDP x PUE; CO2e = energy x grid intensity;
embodied CO2e = the GPU's embodied carbon allocated by use time over its lifetime (BLOOM's
method). Every row is labelled ``estimated`` with its method and assumptions.
"""

from __future__ import annotations

import math
import re
from typing import Any

import polars as pl

from lmfootprint.errors import LmFootprintError
from lmfootprint.schemas import TrainingEstimateSchema
from lmfootprint.validation import frame_from_rows, validate_frame

# GPU names as published sources write them -> hardware.csv ids
GPU_ALIASES = {
    "A100-80GB": "A100-80-SXM4",
    "A100-40GB": "A100-40-SXM4",
    "H100-80GB": "H100-SXM5",
    "V100": "V100-32-SXM2",
}
CHINCHILLA_TOKENS_PER_PARAM = 20.0
HOURS_PER_YEAR = 8760.0


def parse_tokens(label: str | None) -> float | None:
    """'600B' -> 6e11, '15T+' -> 1.5e13, 'up to 9T' -> 9e12, '1,500B' -> 1.5e12."""
    if not label:
        return None
    match = re.search(r"(\d+(?:\.\d+)?)\s*([BT])", label.replace(",", ""))
    if not match:
        return None
    return float(match.group(1)) * (1e9 if match.group(2) == "B" else 1e12)


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
    published: pl.DataFrame,
    hardware: pl.DataFrame,
    intensity_g_per_kwh: float,
    intensity_label: str,
    *,
    default_hardware: str,
    mfu: tuple[float, float],
    pue: float,
    lifetime_years: float,
    tokens_override: dict[str, str] | None = None,
) -> pl.DataFrame:
    """One estimate per configured model; where a published row exists, its GPU type is used
    and the estimate's GPU-hours are compared with the published ones."""
    lo_mfu, hi_mfu = mfu
    if not 0 < lo_mfu <= hi_mfu <= 1:
        raise LmFootprintError(f"footprint.mfu must satisfy 0 < low <= high <= 1, got {mfu}")
    specs = {r["hardware_id"]: r for r in hardware.iter_rows(named=True)}
    pub = {r["model_id"]: r for r in published.iter_rows(named=True)}
    rows: list[dict[str, Any]] = []
    for m in models.iter_rows(named=True):
        p = pub.get(m["model_id"])
        label = (
            (tokens_override or {}).get(m["model_id"])
            or (p or {}).get("training_tokens")
            or m.get("training_tokens")
        )
        tokens = parse_tokens(label)
        tokens_source = (
            "override"
            if (tokens_override or {}).get(m["model_id"])
            else (
                "published" if p and p.get("training_tokens") else "model card" if tokens else None
            )
        )
        if tokens is None:
            tokens = CHINCHILLA_TOKENS_PER_PARAM * m["params_total"]
            tokens_source = "assumed: 20 tokens per parameter (Chinchilla-optimal)"
        hw_id = GPU_ALIASES.get((p or {}).get("gpu_type") or "", default_hardware)
        if hw_id not in specs:
            raise LmFootprintError(f"footprint hardware {hw_id!r} is not in resources/hardware.csv")
        hw = specs[hw_id]
        peak = hw["peak_bf16_tflops"] or hw["peak_fp16_tflops"]
        mid = math.sqrt(lo_mfu * hi_mfu)
        hours = {
            k: estimate_gpu_hours(m["params_total"], tokens, peak, v)
            for k, v in (("low", hi_mfu), ("mid", mid), ("high", lo_mfu))
        }
        energy = {k: h * hw["tdp_w"] * pue / 1e6 for k, h in hours.items()}
        embodied = None
        if hw["embodied_kgco2e"]:
            embodied = (
                hours["mid"] * hw["embodied_kgco2e"] / (lifetime_years * HOURS_PER_YEAR) / 1000
            )
        published_hours = (p or {}).get("gpu_hours")
        rows.append(
            {
                "model_id": m["model_id"],
                "params_total": m["params_total"],
                "size_class": m["size_class"],
                "training_tokens": tokens,
                "tokens_source": tokens_source,
                "hardware_id": hw_id,
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
                "gpu_hours_error": hours["mid"] / published_hours - 1 if published_hours else None,
                "published_in_range": (hours["low"] <= published_hours <= hours["high"])
                if published_hours
                else None,
                "implied_mfu": 6.0
                * m["params_total"]
                * tokens
                / (peak * 1e12 * published_hours * 3600)
                if published_hours
                else None,
                "provenance": "estimated",
                "method": f"6·N·D / ({peak:g} TFLOP/s x MFU {lo_mfu:g}-{hi_mfu:g}) "
                f"x {hw['tdp_w']:g} W x PUE {pue:g}; embodied over {lifetime_years:g} years",
            }
        )
    return validate_frame(
        TrainingEstimateSchema,
        frame_from_rows(TrainingEstimateSchema, rows),
        "results/training_estimates.parquet",
    )


def training_energy(training: pl.DataFrame, estimates: pl.DataFrame) -> pl.DataFrame:
    """Training energy and CO2e per configured model: the published figure (as recomputed)
    where one exists, else the 6ND estimate with its bounds; ``provenance`` says which."""
    published = training.filter(pl.col("in_config")).select(
        "model_id", pub_mwh=pl.col("energy_mwh"), pub_t=pl.col("co2e_t")
    )
    joined = estimates.join(published, on="model_id", how="left")
    has = pl.col("pub_mwh").is_not_null()
    out = {"model_id": pl.col("model_id"), "size_class": pl.col("size_class")}
    out["params_total"] = pl.col("params_total")
    for name, pub, col in (("energy_mwh", "pub_mwh", "energy_mwh"), ("co2e_t", "pub_t", "co2e_t")):
        out[name] = pl.coalesce(pub, col)
        out[f"{name}_low"] = (
            pl.when(has & pl.col(pub).is_not_null()).then(pub).otherwise(pl.col(f"{col}_low"))
        )
        out[f"{name}_high"] = (
            pl.when(has & pl.col(pub).is_not_null()).then(pub).otherwise(pl.col(f"{col}_high"))
        )
    out["provenance"] = pl.when(has).then(pl.lit("published")).otherwise(pl.lit("estimated"))
    return joined.select(**out)
