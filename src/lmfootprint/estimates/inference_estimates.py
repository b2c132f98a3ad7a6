"""Inference per (model, deployment scenario, serving mode), from the calibrated serving model.

Each scenario is served the way people deploy: an ``interactive`` mode (one request at a time)
and a ``throughput`` mode (many concurrent requests), at the smallest tensor-parallel group of
1, 2, 4 or 8 devices that holds the weights and the KV cache, in bf16, or in FP8 / INT4 only
where that is what makes the model fit (e.g. Llama 3.1 405B on one 8 x H100 node). Tokens/s and
GPU power come from the serving model (power bounded by idle..TDP), J/token = power / tokens/s,
times PUE; the interval is the model's held-out-family error. A batch outside the running batches
the calibration saw (ML.ENERGY's smallest is 8: interactive batch 1 lies below it) is labelled
``batch_outside_calibration`` and its interval widened (EXTRAPOLATION_WIDEN on the log error,
and out to the prediction with the smallest per-step overhead the measured rows allow). Host
power (CPU, DRAM, fans) and embodied carbon are reported beside it, not inside the headline
J/token, which keeps the same boundary as the published training figures (accelerator power x
PUE).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import polars as pl

from lmfootprint.core.units import ENERGY_IN_J
from lmfootprint.core.validation import frame_from_rows, validate_frame
from lmfootprint.estimates.inference_fit import ServingFit
from lmfootprint.estimates.local_device import LocalFit, bytes_per_weight, predict_local
from lmfootprint.estimates.local_measurements import device_class_of
from lmfootprint.estimates.schemas import InferenceEstimateSchema
from lmfootprint.estimates.serving_model import ServingParams, predict_arrays, step_times
from lmfootprint.estimates.token_prices import UtilisationBand, token_prices
from lmfootprint.estimates.training_estimates import HOURS_PER_YEAR
from lmfootprint.models.memory import bytes_per_param

J_PER_KWH = ENERGY_IN_J["kWh"]
DEVICE_COUNTS = (1, 2, 4, 8)
MEMORY_HEADROOM = 0.9  # activations, allocator and framework take the rest
# weight precision, bytes per parameter, and whether the device needs FP8 support
# tried in this order; fp8 only on GPUs with FP8 tensor cores (bytes from models.memory)
PRECISIONS = (("bf16", False), ("fp8", True), ("int4", False))
# The mode that break-even, rent vs buy and the per-scenario figures use: a loaded server in
# the cloud, one user on local hardware.
REFERENCE_MODE = {"cloud": "throughput", "local": "interactive"}
# How much wider (in log error) the interval of an extrapolated batch is: assumed, not fitted
EXTRAPOLATION_WIDEN = 2.0
DEFAULT_SERVING = {
    "interactive": {"concurrency": 1},
    "throughput": {"concurrency": 64, "kinds": ["cloud"]},
}


def _placement(
    weights_params: float, kv_per_seq: float, concurrency: int, s: dict[str, Any], limit: int
) -> tuple[str, float, int, int] | None:
    """(precision, bytes/param, devices, batch) as a deployment would choose it.

    The smallest group of 1, 2, 4 or 8 devices that holds the weights and the KV cache of
    every concurrent request, in bf16; FP8 (where the device has it), then INT4, only when
    bf16 cannot. If no format holds every request, the placement that holds the most."""
    best: tuple[str, float, int, int] | None = None
    for name, needs_fp8 in PRECISIONS:
        if needs_fp8 and not s.get("peak_fp8_tflops"):
            continue
        nbytes = bytes_per_param(name)
        weights = weights_params * nbytes
        for d in DEVICE_COUNTS:
            if d > limit:
                break
            room = d * s["memory_gb"] * 1e9 * MEMORY_HEADROOM - weights
            if room < kv_per_seq:
                continue
            batch = max(1, min(concurrency, int(room // kv_per_seq)))
            if batch == concurrency:
                return name, nbytes, d, batch
            if best is None or batch > best[3]:
                best = (name, nbytes, d, batch)
    return best


def estimate_inference(
    models: pl.DataFrame,
    scenarios: pl.DataFrame,
    fit: ServingFit,
    *,
    serving: dict[str, dict[str, Any]] | None = None,
    prompt_tokens: int = 1000,
    output_tokens: int = 500,
    host_w_per_device: float = 150.0,
    server_embodied_kgco2e_per_device: float = 712.5,
    embodied_lifetime_years: float = 3.0,
    local_utilisation: float = 0.1,
    max_devices: int = 8,
    local_fit: LocalFit | None = None,
    local_precision: str = "q4_k_m",
    utilisation: UtilisationBand | None = None,
) -> pl.DataFrame:
    """Every (model, scenario, serving mode). Cloud scenarios come from the serving model;
    local ones from the local-device model (``local_fit``, calibrated on local measurements)
    at one precision for every model, or from the serving model where no local fit is given.
    ``usd_per_1k_tokens`` is the cost at 100% utilisation, input folded into output tokens;
    cloud rows also price input and output tokens apart at the ``utilisation`` band."""
    modes = serving or DEFAULT_SERVING
    band = utilisation or UtilisationBand()
    p = fit.serving_params
    context = prompt_tokens + output_tokens / 2
    rows: list[dict[str, Any]] = []
    for m in models.iter_rows(named=True):
        kv_per_token = (
            m["kv_cache_gb"] * 1e9 / (m["memory_context_tokens"] * m["memory_batch_size"])
        )
        kv_per_seq = kv_per_token * context
        for s in scenarios.iter_rows(named=True):
            limit = 1 if s["kind"] == "local" else max_devices
            for mode, settings in modes.items():
                if s["kind"] not in settings.get("kinds", ("cloud", "local")):
                    continue
                base = {
                    "model_id": m["model_id"],
                    "params_total": m["params_total"],
                    "size_class": m["size_class"],
                    "scenario": s["scenario"],
                    "serving": mode,
                    "reference": mode == REFERENCE_MODE.get(s["kind"], next(iter(modes))),
                    "concurrency": settings["concurrency"],
                    "kind": s["kind"],
                    "hardware_id": s["hardware_id"],
                }
                if s["kind"] == "local" and local_fit is not None:
                    rows.append(
                        _local_row(
                            base,
                            m,
                            s,
                            local_fit,
                            precision=local_precision,
                            kv_per_token=kv_per_token,
                            prompt_tokens=prompt_tokens,
                            output_tokens=output_tokens,
                            lifetime_hours=s["lifetime_years"] * HOURS_PER_YEAR,
                            local_utilisation=local_utilisation,
                        )
                    )
                    continue
                placed = _placement(
                    m["params_total"], kv_per_seq, settings["concurrency"], s, limit
                )
                if placed is None:
                    need = m["params_total"] * 0.5 / 1e9
                    rows.append(
                        {
                            **base,
                            "batch_size": settings["concurrency"],
                            "status": "does not fit",
                            "note": f"needs over {need:.0f} GB even in INT4: more than {limit} x "
                            f"{s['memory_gb']:g} GB",
                        }
                    )
                    continue
                precision, nbytes, devices, batch = placed
                peak = s["peak_fp8_tflops"] if precision == "fp8" else s["peak_tflops"]
                one = {
                    "weight_bytes": np.array([m["params_total"] * nbytes]),
                    # prefill FLOPs per output token, as in the calibration rows
                    "flops_per_token": np.array(
                        [2.0 * m["params_total"] * (1 + prompt_tokens / output_tokens)]
                    ),
                    "kv_bytes_per_token": np.array([kv_per_token]),
                    "context": np.array([context]),
                    "batch": np.array([float(batch)]),
                    "devices": np.array([float(devices)]),
                    "bandwidth_gbps": np.array([s["memory_bandwidth_gbps"]]),
                    "peak_tflops": np.array([peak]),
                    "tdp_w": np.array([s["tdp_w"]]),
                }
                pred = predict_arrays(one, p)
                tps = float(pred["tokens_per_s"][0])
                gpu_w = float(pred["power_w"][0])
                pue = s["pue"]
                j_mid = gpu_w / tps * pue
                outside = fit.outside_calibration(batch)
                widen = EXTRAPOLATION_WIDEN if outside else 1.0
                j = (
                    j_mid * math.exp(widen * fit.log_q_low),
                    j_mid,
                    j_mid * math.exp(widen * fit.log_q_high),
                )
                tps_lo, tps_hi = (
                    tps * math.exp(widen * fit.tps_log_q_low),
                    tps * math.exp(widen * fit.tps_log_q_high),
                )
                if outside:  # as fast as the least per-step overhead measured allows
                    fast = predict_arrays(
                        one, replace(p, overhead_s=min(p.overhead_s, fit.overhead_floor_s))
                    )
                    j_fast = float(fast["j_per_token"][0]) * pue
                    j = (min(j[0], j_fast), j_mid, max(j[2], j_fast))
                    tps_hi = max(tps_hi, float(fast["tokens_per_s"][0]))
                # physics: no batch decodes faster than its bytes stream at full bandwidth
                roofline = (
                    batch
                    * devices
                    * s["memory_bandwidth_gbps"]
                    * 1e9
                    / (m["params_total"] * nbytes + batch * context * kv_per_token)
                )
                tps_b = (tps_lo, tps, min(tps_hi, roofline))
                host_w = host_w_per_device * devices if s["kind"] == "cloud" else 0.0
                j_system = (gpu_w + host_w) / tps * pue
                g = tuple(v / J_PER_KWH * 1000 * s["intensity_g_per_kwh"] for v in j)
                embodied_kg = devices * (
                    (s["embodied_kgco2e"] or 0.0)
                    + (server_embodied_kgco2e_per_device if s["kind"] == "cloud" else 0.0)
                )
                embodied_g_1k = (
                    embodied_kg
                    * 1000
                    / (embodied_lifetime_years * HOURS_PER_YEAR * 3600 * tps)
                    * 1000
                )
                split: dict[str, float] = {}
                if s["kind"] == "cloud":
                    per_hour = devices * s["price_per_gpu_hour_usd"]
                    split = _split_prices(
                        one, p, per_hour, batch, prompt_tokens, output_tokens, band, tps_b
                    )
                    how_cost = (
                        f"{devices} x {s['price_per_gpu_hour_usd']:g} USD/GPU-hour "
                        f"({s['price_type']}, {s['price_region']})"
                    )
                    electricity = (0.0, 0.0, 0.0)  # cloud prices include electricity
                else:
                    per_hour = (s["purchase_price_usd"] or 0.0) / (
                        s["lifetime_years"] * HOURS_PER_YEAR * local_utilisation
                    )
                    how_cost = (
                        f"electricity at {s['tariff_usd_per_kwh']:.3f} USD/kWh + purchase "
                        f"amortised over {s['lifetime_years']:g} years at "
                        f"{local_utilisation:.0%} utilisation"
                    )
                    electricity = tuple(
                        v * 1000 / J_PER_KWH * (s["tariff_usd_per_kwh"] or 0.0) for v in j
                    )
                usd = (
                    electricity[0] + per_hour / (tps_b[2] * 3600) * 1000,
                    electricity[1] + per_hour / (tps_b[1] * 3600) * 1000,
                    electricity[2] + per_hour / (tps_b[0] * 3600) * 1000,
                )
                rows.append(
                    {
                        **base,
                        "batch_size": batch,
                        "status": "estimated",
                        # one request's share: its output tokens at tokens/s per sequence
                        "seconds_per_response": output_tokens / (tps / batch),
                        "j_per_response": j_mid * output_tokens,
                        "note": None
                        if batch == settings["concurrency"]
                        else (f"memory holds {batch} of {settings['concurrency']} sequences"),
                        "precision": precision,
                        "devices": devices,
                        "bound": str(pred["bound"][0]),
                        "batch_outside_calibration": outside,
                        "tdp_w": s["tdp_w"],
                        "pue": pue,
                        "gpu_power_w": gpu_w,
                        "host_power_w": host_w,
                        **_band("tokens_per_s", tps_b),
                        "roofline_tokens_per_s": roofline,
                        **_band("j_per_token", j),
                        "j_per_token_system": j_system,
                        **_band("gco2e_per_1k_tokens", g),
                        "embodied_gco2e_per_1k_tokens": embodied_g_1k,
                        **_band("usd_per_1k_tokens", usd),
                        **split,
                        "intensity_g_per_kwh": s["intensity_g_per_kwh"],
                        "intensity_basis": s["intensity_basis"],
                        "provenance": "estimated",
                        "method": "serving model calibrated on ML.ENERGY v3 + v2 <8B "
                        f"({precision}, {devices} x {s['hardware_id']}, batch {batch}, "
                        f"{pred['bound'][0]}-bound); J/token = GPU power / tokens/s x PUE "
                        f"{pue:g}; interval: held-out-family error"
                        + (
                            f", widened: batch {batch} outside the calibrated "
                            f"{fit.batch_min:.0f}-{fit.batch_max:.0f}"
                            if outside
                            else ""
                        )
                        + f"; cost: {how_cost}"
                        + (
                            f"; input/output tokens priced apart at {band.low:.0%}/"
                            f"{band.mid:.0%}/{band.high:.0%} utilisation"
                            if split
                            else ""
                        ),
                    }
                )
    df = frame_from_rows(InferenceEstimateSchema, rows)
    return validate_frame(InferenceEstimateSchema, df, "results/inference_estimates.parquet")


def _split_prices(
    one: dict[str, np.ndarray],
    p: ServingParams,
    per_hour: float,
    batch: int,
    prompt_tokens: int,
    output_tokens: int,
    band: UtilisationBand,
    tps_b: tuple[float, float, float],
) -> dict[str, float]:
    """USD per million input and output tokens of one cloud row: the serving model's step
    time split into the prompts' prefill compute and the rest (estimates.token_prices)."""
    t_step, _, t_flop = step_times(one, p)
    ratio = prompt_tokens / output_tokens
    prefill_s = float(t_flop[0]) * ratio / (1 + ratio)  # flops_per_token = 2N x (1 + ratio)
    return token_prices(
        per_hour,
        float(t_step[0]),
        prefill_s,
        batch=batch,
        prompt_tokens=prompt_tokens,
        output_tokens=output_tokens,
        band=band,
        speed_band=tps_b,
    )


def _band(name: str, values: tuple[float, float, float]) -> dict[str, float]:
    """(low, value, high) as the table's ``<name>_low``, ``<name>``, ``<name>_high``."""
    low, mid, high = values
    return {f"{name}_low": low, name: mid, f"{name}_high": high}


def _local_row(
    base: dict[str, Any],
    m: dict[str, Any],
    s: dict[str, Any],
    fit: LocalFit,
    *,
    precision: str,
    kv_per_token: float,
    prompt_tokens: int,
    output_tokens: int,
    lifetime_hours: float,
    local_utilisation: float,
) -> dict[str, Any]:
    """One model on a local device, one request at a time, at the ladder's one precision:
    the local-device model's tokens/s, power and per-response time and energy. A model whose
    weights at that precision do not fit the device's memory does not fit: never a silent
    switch to a smaller format."""
    context = prompt_tokens + output_tokens / 2
    need = m["params_total"] * bytes_per_weight(precision) + kv_per_token * context
    if need > s["memory_gb"] * 1e9 * MEMORY_HEADROOM:
        return {
            **base,
            "batch_size": 1,
            "status": "does not fit",
            "precision": precision,
            "note": f"needs {need / 1e9:.0f} GB at {precision} (the local ladder's one "
            f"precision), more than {MEMORY_HEADROOM:.0%} of the device's {s['memory_gb']:g} GB",
        }
    device_class = device_class_of(s["hardware_name"])
    p = predict_local(
        fit,
        device_class=device_class,
        bandwidth_gbps=s["memory_bandwidth_gbps"],
        peak_tflops=s["peak_tflops"],
        power_w=s["tdp_w"],
        idle_w=0.0,
        params=m["params_total"],
        precision=precision,
        prompt_tokens=prompt_tokens,
        response_tokens=output_tokens,
        kv_bytes_per_token=kv_per_token,
    )
    tps = p["decode_tps"]
    j = (p["j_per_token_low"] or p["j_per_token"], p["j_per_token"], p["j_per_token_high"])
    j = (j[0], j[1], j[2] or j[1])
    tps_b = (
        p["decode_tps_low"] or tps,
        tps,
        min(p["decode_tps_high"] or tps, p["roofline_decode_tps"]),
    )
    g = tuple(v / J_PER_KWH * 1000 * s["intensity_g_per_kwh"] for v in j)
    embodied_g_1k = (s["embodied_kgco2e"] or 0.0) * 1e6 / (lifetime_hours * 3600 * tps)
    per_hour = (s["purchase_price_usd"] or 0.0) / (lifetime_hours * local_utilisation)
    tariff = s["tariff_usd_per_kwh"] or 0.0
    usd = tuple(
        v * 1000 / J_PER_KWH * tariff + per_hour / (t * 3600) * 1000
        for v, t in zip(j, (tps_b[2], tps_b[1], tps_b[0]), strict=True)
    )
    n_rows = fit.classes[device_class].n_decode
    return {
        **base,
        "batch_size": 1,
        "status": "estimated",
        "note": None,
        "precision": precision,
        "devices": 1,
        "bound": "memory",
        "batch_outside_calibration": False,
        "tdp_w": s["tdp_w"],
        "seconds_per_response": p["seconds_per_response"],
        "j_per_response": p["joules_per_response"],
        "pue": 1.0,
        "gpu_power_w": p["power_w"],
        "host_power_w": 0.0,
        **_band("tokens_per_s", tps_b),
        "roofline_tokens_per_s": p["roofline_decode_tps"],
        **_band("j_per_token", j),
        "j_per_token_system": j[1],
        **_band("gco2e_per_1k_tokens", g),
        "embodied_gco2e_per_1k_tokens": embodied_g_1k,
        **_band("usd_per_1k_tokens", usd),
        "intensity_g_per_kwh": s["intensity_g_per_kwh"],
        "intensity_basis": s["intensity_basis"],
        "provenance": "estimated",
        "method": f"{p['method']}; calibrated on {n_rows} local measurements of class "
        f"{device_class}; {precision} for every model (llama.cpp GGUF, as local tools ship), "
        f"batch 1; cost: electricity at {tariff:.3f} USD/kWh + purchase amortised over "
        f"{lifetime_hours / HOURS_PER_YEAR:g} years at {local_utilisation:.0%} utilisation",
    }
