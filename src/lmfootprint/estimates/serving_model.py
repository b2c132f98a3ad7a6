"""A physically bounded model of LLM decoding: step time from the roofline, power in idle..TDP.

One decode step of a batch of B sequences on d tensor-parallel devices reads every weight once
and each sequence's KV cache, and does 2 x active-params FLOPs per token:

    t_mem  = (weight bytes + B x context x KV bytes per token) / (d x bandwidth x eta_bw)
    t_flop = 2 x N_active x B / (d x peak FLOP/s x eta_flop)
    t_step = t_mem + t_flop + overhead x (1 + comm x log2 d)
    tokens/s = B / t_step

Power per device is bounded by construction: the device idles at ``idle`` x TDP while the step
waits on the host (overheads), and draws between ``floor`` (memory-bound) and TDP as the share
of compute grows; so J/token x tokens/s can never exceed devices x TDP. The four efficiency
numbers and two power numbers are calibrated on measured rows (ML.ENERGY v3, vLLM on H100 and
B200, 8 to 2,048 concurrent requests), and checked by holding out whole families and whole GPUs.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

IDLE_FRACTION = 0.1  # H100 SXM idles near 70 W of 700 W; ML.ENERGY's lowest rows sit above


@dataclass(frozen=True)
class ServingParams:
    eta_bw: float = 0.7
    eta_flop: float = 0.5
    overhead_s: float = 0.004
    comm: float = 0.3
    floor: float = 0.6  # power share per unit of memory-bandwidth utilisation
    slope: float = 0.4  # power share per unit of compute utilisation
    idle: float = IDLE_FRACTION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def step_arrays(
    weight_bytes: np.ndarray,
    flops_per_token: np.ndarray,
    kv_bytes_per_token: np.ndarray,
    context: np.ndarray,
    batch: np.ndarray,
    devices: np.ndarray,
    bandwidth_gbps: np.ndarray,
    peak_tflops: np.ndarray,
    p: ServingParams,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t_step, t_mem, t_flop) in seconds, vectorised over rows."""
    t_mem = (weight_bytes + batch * context * kv_bytes_per_token) / (
        devices * bandwidth_gbps * 1e9 * p.eta_bw
    )
    t_flop = flops_per_token * batch / (devices * peak_tflops * 1e12 * p.eta_flop)
    # The sum, not the max: vLLM's decode kernels do not overlap weight streaming with the
    # batch's GEMMs and attention well. On ML.ENERGY v3 the sum predicts small-batch
    # throughput within 10% (the max: 32%) and v2, never fitted, within 9% (max: 28%).
    t_step = t_mem + t_flop + p.overhead_s * (1 + p.comm * np.log2(devices))
    return t_step, t_mem, t_flop


def step_times(
    rows: dict[str, np.ndarray], p: ServingParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """step_arrays on a table of rows (the columns of ``ARRAY_COLUMNS``)."""
    return step_arrays(
        rows["weight_bytes"],
        rows["flops_per_token"],
        rows["kv_bytes_per_token"],
        rows["context"],
        rows["batch"],
        rows["devices"],
        rows["bandwidth_gbps"],
        rows["peak_tflops"],
        p,
    )


def power_fraction(
    t_step: np.ndarray,
    t_mem: np.ndarray,
    t_flop: np.ndarray,
    p: ServingParams,
) -> np.ndarray:
    """Device power as a share of TDP, always within [idle, 1].

    Energy follows the work: idle power plus a cost per byte moved and per FLOP done, each
    expressed against the device's own peak (achieved bandwidth / peak bandwidth, achieved
    FLOP/s / peak FLOP/s), so one pair of coefficients carries across GPU generations."""
    mem_util = t_mem * p.eta_bw / t_step
    flop_util = t_flop * p.eta_flop / t_step
    return np.clip(p.idle + p.floor * mem_util + p.slope * flop_util, p.idle, 1.0)


def predict_arrays(rows: dict[str, np.ndarray], p: ServingParams) -> dict[str, np.ndarray]:
    """tokens/s, GPU power (W, all devices) and GPU J/token for every row."""
    t_step, t_mem, t_flop = step_times(rows, p)
    tps = rows["batch"] / t_step
    power = rows["devices"] * rows["tdp_w"] * power_fraction(t_step, t_mem, t_flop, p)
    return {
        "tokens_per_s": tps,
        "power_w": power,
        "j_per_token": power / tps,
        "bound": np.where(t_flop > t_mem, "compute", "memory"),
        "busy": (t_mem + t_flop) / t_step,
    }


# Search grid for the time model; the power model is linear once the times are known.
GRID = {
    "eta_bw": np.linspace(0.4, 1.0, 13),
    "eta_flop": np.linspace(0.2, 1.0, 17),
    "overhead_s": np.array([0.0, 0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.012]),
    "comm": np.array([0.0, 0.15, 0.3, 0.5, 0.8, 1.2]),
}


def calibrate(rows: dict[str, np.ndarray]) -> ServingParams:
    """Least squares on log tokens/s over the grid, then the power model on the measured watts."""
    best, best_err = None, math.inf
    y_tps = np.log(rows["tokens_per_s"])
    for eta_bw, eta_flop, oh, comm in itertools.product(*GRID.values()):
        p = ServingParams(eta_bw=eta_bw, eta_flop=eta_flop, overhead_s=oh, comm=comm)
        t_step, _, _ = step_times(rows, p)
        err = float(np.sum((np.log(rows["batch"] / t_step) - y_tps) ** 2))
        if err < best_err:
            best, best_err = p, err
    assert best is not None
    return _fit_power(rows, best)


def _fit_power(rows: dict[str, np.ndarray], p: ServingParams) -> ServingParams:
    """share - idle = floor x memory utilisation + slope x compute utilisation: linear."""
    t_step, t_mem, t_flop = step_times(rows, p)
    y = rows["power_w"] / (rows["devices"] * rows["tdp_w"]) - p.idle
    x = np.column_stack([t_mem * p.eta_bw / t_step, t_flop * p.eta_flop / t_step])
    (floor, slope), *_ = np.linalg.lstsq(x, y, rcond=None)
    return ServingParams(
        eta_bw=p.eta_bw,
        eta_flop=p.eta_flop,
        overhead_s=p.overhead_s,
        comm=p.comm,
        floor=float(max(floor, 0.0)),
        slope=float(max(slope, 0.0)),
        idle=p.idle,
    )
