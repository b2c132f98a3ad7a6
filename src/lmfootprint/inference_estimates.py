"""Inference per (model, deployment scenario) where it was not measured here.

Energy per token comes from the fit on measured and published rows (inference_fit), times the
scenario's PUE, with the fit's cross-validated interval. Throughput comes from the memory-bound
roofline: each decode step reads every weight once, so tokens/s ~ batch x devices x bandwidth x
efficiency / weight bytes (the efficiency range gives the bounds); the roofline's own J/token
(devices x TDP x utilisation / tokens/s) is kept beside the fit as a cross-check. Cost per 1k
tokens: cloud = GPU-hour price / tokens per hour; local = electricity x tariff + the purchase
amortised over its lifetime at the stated utilisation. Every row is labelled ``estimated``.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from lmfootprint.inference_fit import EnergyFit
from lmfootprint.schemas import InferenceEstimateSchema
from lmfootprint.units import ENERGY_IN_J
from lmfootprint.validation import frame_from_rows, validate_frame

J_PER_KWH = ENERGY_IN_J["kWh"]


def estimate_inference(
    models: pl.DataFrame,
    scenarios: pl.DataFrame,
    fit: EnergyFit,
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
            roofline_j = (
                math.sqrt(u_lo * u_hi)
                * devices
                * s["tdp_w"]
                * s["pue"]
                / math.sqrt(tps_lo * tps_hi)
            )
            mid, low, high = fit.predict(
                m["params_total"],
                batch_size,
                s["hardware_id"],
                s["tdp_w"],
                s["memory_bandwidth_gbps"],
            )
            j = (low * s["pue"], mid * s["pue"], high * s["pue"])
            g = tuple(v * 1000 / J_PER_KWH * s["intensity_g_per_kwh"] for v in j)
            if s["kind"] == "cloud":
                per_hour = devices * s["price_per_gpu_hour_usd"]
                hourly = (per_hour, per_hour)
                how_cost = f"{devices} x {s['price_per_gpu_hour_usd']:g} USD/GPU-hour"
            else:
                amortised = (s["purchase_price_usd"] or 0.0) / (
                    s["lifetime_years"] * 8760 * local_utilisation
                )
                hourly = (amortised, amortised)
                how_cost = (
                    f"electricity at {s['tariff_usd_per_kwh']:.3f} USD/kWh + purchase amortised "
                    f"over {s['lifetime_years']:g} years at {local_utilisation:.0%} utilisation"
                )
            electricity = [
                v * 1000 / J_PER_KWH * (s["tariff_usd_per_kwh"] or 0.0) for v in j
            ]  # cloud prices include electricity
            usd = (
                electricity[0] + hourly[0] / (tps_hi * 3600) * 1000,
                electricity[1] + hourly[0] / (math.sqrt(tps_lo * tps_hi) * 3600) * 1000,
                electricity[2] + hourly[1] / (tps_lo * 3600) * 1000,
            )
            rows.append(
                {
                    **base,
                    "status": "estimated",
                    "note": None,
                    "devices": devices,
                    "tokens_per_s_low": tps_lo,
                    "tokens_per_s": math.sqrt(tps_lo * tps_hi),
                    "tokens_per_s_high": tps_hi,
                    "j_per_token_low": j[0],
                    "j_per_token": j[1],
                    "j_per_token_high": j[2],
                    "j_per_token_roofline": roofline_j,
                    "gco2e_per_1k_tokens_low": g[0],
                    "gco2e_per_1k_tokens": g[1],
                    "gco2e_per_1k_tokens_high": g[2],
                    "usd_per_1k_tokens_low": usd[0],
                    "usd_per_1k_tokens": usd[1],
                    "usd_per_1k_tokens_high": usd[2],
                    "intensity_g_per_kwh": s["intensity_g_per_kwh"],
                    "intensity_basis": s["intensity_basis"],
                    "provenance": "estimated",
                    "method": f"energy: fit on measured + published J/token ({fit.formula}) "
                    f"x PUE {s['pue']:g}; throughput: roofline batch x devices x "
                    f"{s['memory_bandwidth_gbps']:g} GB/s x efficiency {eff_lo:g}-{eff_hi:g} / "
                    f"bf16 weights; cost: {how_cost}",
                }
            )
    df = frame_from_rows(InferenceEstimateSchema, rows)
    return validate_frame(InferenceEstimateSchema, df, "results/inference_estimates.parquet")
