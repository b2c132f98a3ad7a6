"""Inference per (model, deployment scenario) where it was not measured: a roofline estimate.

Decoding is memory-bound at small batch: each step reads every weight once, so
tokens/s ~ batch x devices x bandwidth x efficiency / weight bytes. Power is devices x TDP x
utilisation x PUE. The efficiency and utilisation ranges give the bounds; every row is
labelled ``estimated`` with its method. Cost per 1k tokens: cloud = GPU-hour price / tokens
per hour; local = electricity x tariff + the purchase amortised over its lifetime at the
stated utilisation.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

J_PER_KWH = 3.6e6


def _bounds(lo: float, hi: float) -> tuple[float, float, float]:
    return lo, math.sqrt(lo * hi), hi


def estimate_inference(
    models: pl.DataFrame,
    scenarios: pl.DataFrame,
    *,
    batch_size: int = 1,
    bandwidth_efficiency: tuple[float, float] = (0.4, 0.8),
    utilisation: tuple[float, float] = (0.5, 0.9),
    local_utilisation: float = 0.1,
    max_devices: int = 8,
) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    eff_lo, eff_hi = bandwidth_efficiency
    u_lo, u_hi = utilisation
    for m in models.iter_rows(named=True):
        kv_gb = m["kv_cache_gb"] * batch_size / m["memory_batch_size"]
        need_gb = (m["weights_gb_bf16"] + kv_gb) * 1.1
        weight_bytes = m["weights_gb_bf16"] * 1e9
        for s in scenarios.iter_rows(named=True):
            base = {
                "model_id": m["model_id"],
                "params_total": m["params_total"],
                "size_class": m["size_class"],
                "scenario": s["scenario"],
                "kind": s["kind"],
                "hardware_id": s["hardware_id"],
                "batch_size": batch_size,
            }
            devices = max(1, math.ceil(need_gb / s["memory_gb"]))
            limit = 1 if s["kind"] == "local" else max_devices
            if devices > limit:
                rows.append(
                    {
                        **base,
                        "status": "does not fit",
                        "note": f"needs {need_gb:.0f} GB: {devices} x {s['memory_gb']:g} GB "
                        f"devices, more than {limit}",
                    }
                )
                continue
            tps_lo = batch_size * devices * s["memory_bandwidth_gbps"] * 1e9 * eff_lo / weight_bytes
            tps_hi = tps_lo * eff_hi / eff_lo
            p_lo = devices * s["tdp_w"] * u_lo * s["pue"]
            p_hi = devices * s["tdp_w"] * u_hi * s["pue"]
            j = _bounds(p_lo / tps_hi, p_hi / tps_lo)
            g = tuple(v * 1000 / J_PER_KWH * s["intensity_g_per_kwh"] for v in j)
            if s["kind"] == "cloud":
                per_hour = devices * s["price_per_gpu_hour_usd"]
                usd = _bounds(per_hour / (tps_hi * 3600) * 1000, per_hour / (tps_lo * 3600) * 1000)
            else:
                amortised = (s["purchase_price_usd"] or 0.0) / (
                    s["lifetime_years"] * 8760 * local_utilisation
                )
                usd = _bounds(
                    j[0] * 1000 / J_PER_KWH * s["tariff_usd_per_kwh"]
                    + amortised / (tps_hi * 3600) * 1000,
                    j[2] * 1000 / J_PER_KWH * s["tariff_usd_per_kwh"]
                    + amortised / (tps_lo * 3600) * 1000,
                )
            rows.append(
                {
                    **base,
                    "status": "estimated",
                    "note": None,
                    "devices": devices,
                    "tokens_per_s_low": tps_lo,
                    "tokens_per_s_high": tps_hi,
                    "j_per_token_low": j[0],
                    "j_per_token": j[1],
                    "j_per_token_high": j[2],
                    "gco2e_per_1k_tokens_low": g[0],
                    "gco2e_per_1k_tokens": g[1],
                    "gco2e_per_1k_tokens_high": g[2],
                    "usd_per_1k_tokens_low": usd[0],
                    "usd_per_1k_tokens": usd[1],
                    "usd_per_1k_tokens_high": usd[2],
                    "intensity_basis": s["intensity_basis"],
                    "provenance": "estimated",
                    "method": f"roofline: batch x devices x {s['memory_bandwidth_gbps']:g} GB/s x "
                    f"efficiency {eff_lo:g}-{eff_hi:g} / bf16 weights; power: TDP x "
                    f"utilisation {u_lo:g}-{u_hi:g} x PUE {s['pue']:g}"
                    + (
                        ""
                        if s["kind"] == "cloud"
                        else f"; purchase amortised at {local_utilisation:.0%} utilisation"
                    ),
                }
            )
    return pl.DataFrame(rows, infer_schema_length=None)


def answer_table(
    training: pl.DataFrame, estimates: pl.DataFrame, inference: pl.DataFrame
) -> pl.DataFrame:
    """SLM vs LLM: ratio of the LLM median to the SLM median, with an interval and the mix of
    provenance behind each side. Training uses the published figure where one exists (as
    recomputed), else the 6ND estimate."""
    published = training.filter(pl.col("in_config")).select(
        "model_id", pub_mwh=pl.col("energy_mwh"), pub_t=pl.col("co2e_t")
    )
    train = estimates.join(published, on="model_id", how="left").with_columns(
        has_pub=pl.col("pub_mwh").is_not_null()
    )
    rows = []
    for metric, unit, pub, col in (
        ("training energy", "MWh", "pub_mwh", "energy_mwh"),
        ("training CO2e", "t", "pub_t", "co2e_t"),
    ):
        frame = train.select(
            "size_class",
            value=pl.coalesce(pub, col),
            low=pl.when(pl.col(pub).is_not_null())
            .then(pl.col(pub))
            .otherwise(pl.col(f"{col}_low")),
            high=pl.when(pl.col(pub).is_not_null())
            .then(pl.col(pub))
            .otherwise(pl.col(f"{col}_high")),
            provenance=pl.when(pl.col(pub).is_not_null())
            .then(pl.lit("published"))
            .otherwise(pl.lit("estimated")),
        ).drop_nulls("value")
        rows.append(_ratio(frame, "training", "as published or estimated", metric, unit))
    ok = inference.filter(pl.col("status") == "estimated")
    for scenario in ok["scenario"].unique(maintain_order=True).to_list():
        sub = ok.filter(pl.col("scenario") == scenario)
        for metric, unit, col in (
            ("inference energy", "J/token", "j_per_token"),
            ("inference CO2e", "gCO2e/1k tokens", "gco2e_per_1k_tokens"),
            ("inference cost", "USD/1k tokens", "usd_per_1k_tokens"),
        ):
            frame = sub.select(
                "size_class",
                value=pl.col(col),
                low=pl.col(f"{col}_low"),
                high=pl.col(f"{col}_high"),
                provenance=pl.col("provenance"),
            )
            rows.append(_ratio(frame, "inference", scenario, metric, unit))
    from lmfootprint.schemas import AnswerSchema
    from lmfootprint.validation import frame_from_rows, validate_frame

    df = frame_from_rows(AnswerSchema, [r for r in rows if r is not None])
    return validate_frame(AnswerSchema, df, "results/answer.parquet")


def _ratio(frame: pl.DataFrame, phase: str, setting: str, metric: str, unit: str):
    slm = frame.filter(pl.col("size_class") == "SLM")
    llm = frame.filter(pl.col("size_class") == "LLM")
    if slm.height == 0 or llm.height == 0:
        return None
    mix = ", ".join(f"{k}: {v}" for k, v in sorted(frame.group_by("provenance").len().iter_rows()))
    return {
        "phase": phase,
        "setting": setting,
        "metric": metric,
        "unit": unit,
        "slm_median": slm["value"].median(),
        "llm_median": llm["value"].median(),
        "llm_over_slm": llm["value"].median() / slm["value"].median(),
        "llm_over_slm_low": llm["low"].median() / slm["high"].median(),
        "llm_over_slm_high": llm["high"].median() / slm["low"].median(),
        "n_slm": slm.height,
        "n_llm": llm.height,
        "provenance_mix": mix,
    }
