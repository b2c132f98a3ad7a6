"""A physically bounded model of LLM decoding: step time from the roofline, power in idle..TDP.

One decode step of a batch of B sequences on d tensor-parallel devices reads every weight once
and each sequence's KV cache, and does 2 x active-params FLOPs per token:

    t_mem  = (weight bytes + B x context x KV bytes per token) / (d x bandwidth x eta_bw)
    t_flop = 2 x N_active x B / (d x peak FLOP/s x eta_flop)
    t_host = B x per-sequence host time (scheduling, sampling, detokenising; GPU idle)
    t_step = t_mem + t_flop + overhead x (1 + comm x log2 d) + t_host
    tokens/s = B / t_step

Power per device is bounded by construction: the device idles at ``idle`` x TDP while the step
waits on the host (overheads, host time), and draws between ``floor`` (memory-bound) and TDP as
the share of compute grows; so J/token x tokens/s can never exceed devices x TDP. The four shared
time numbers, one host time per engine and two power numbers are calibrated on measured rows
(ML.ENERGY v3, vLLM on H100 and B200, 8 to 2,048 concurrent requests, plus ML.ENERGY v2's sub-8B
models), and checked by holding out whole families and whole GPUs. The per-sequence host time
belongs to the serving software: v3's vLLM (~0.11) has its own (``per_seq_s``, the one estimates
use), v2's vLLM 0.5.4 another (``legacy_per_seq_s``, only for rows flagged ``legacy_stack``); v2
reaches 2,100-2,700 tokens/s on one H100 whatever the model (2.6B to 8B), the mark of a
host-bound engine.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

IDLE_FRACTION = 0.1  # H100 SXM idles near 70 W of 700 W; ML.ENERGY's lowest rows sit above


@dataclass(frozen=True)
class ServingParams:
    eta_bw: float = 0.7
    eta_flop: float = 0.5
    overhead_s: float = 0.004
    comm: float = 0.3
    per_seq_s: float = 0.0  # host time per running sequence per step, v3's vLLM (~0.11)
    legacy_per_seq_s: float = 0.0  # the same for ML.ENERGY v2's vLLM 0.5.4 (legacy_stack rows)
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
    legacy: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t_step, t_mem, t_flop) in seconds, vectorised over rows; ``legacy`` (0/1 per row) marks
    rows served by ML.ENERGY v2's older engine, whose per-sequence host time differs."""
    t_mem = (weight_bytes + batch * context * kv_bytes_per_token) / (
        devices * bandwidth_gbps * 1e9 * p.eta_bw
    )
    t_flop = flops_per_token * batch / (devices * peak_tflops * 1e12 * p.eta_flop)
    # The sum, not the max: vLLM's decode kernels do not overlap weight streaming with the
    # batch's GEMMs and attention well. On ML.ENERGY v3 the sum predicts small-batch
    # throughput within 10% (the max: 32%) and v2, never fitted, within 9% (max: 28%).
    t_step = t_mem + t_flop + p.overhead_s * (1 + p.comm * np.log2(devices))
    return t_step + batch * _per_seq(p, legacy), t_mem, t_flop


def _per_seq(p: ServingParams, legacy: np.ndarray | None) -> np.ndarray | float:
    if legacy is None:
        return p.per_seq_s
    return np.where(legacy > 0, p.legacy_per_seq_s, p.per_seq_s)


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
        rows.get("legacy_stack"),
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
# Host time per sequence per step: searched for each engine apart (v3's and v2's), since each
# only moves its own rows' error once the shared numbers are fixed.
PER_SEQ_GRID = np.array(
    [0.0, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 1.5e-4, 2e-4, 2.5e-4, 3e-4, 4e-4, 5e-4, 7e-4, 1e-3]
)


def calibrate(rows: dict[str, np.ndarray]) -> ServingParams:
    """Least squares on log tokens/s over the grid, then the power model on the measured watts.

    The grid is searched in the order of ``itertools.product(*GRID.values())`` (first best
    kept), one bandwidth efficiency at a time with the rest as array axes; each engine's host
    time is the best of PER_SEQ_GRID for its own rows."""
    y = np.log(rows["tokens_per_s"])
    batch = rows["batch"]
    legacy = rows.get("legacy_stack")
    old = np.zeros(len(y), dtype=bool) if legacy is None else legacy > 0
    ideal = ServingParams(eta_bw=1.0, eta_flop=1.0, overhead_s=0.0, comm=0.0)
    _, t_mem1, t_flop1 = step_arrays(*(rows[k] for k in STEP_COLUMNS), p=ideal)
    log2d = np.log2(rows["devices"])
    # axes: eta_flop, overhead, comm, host time, row
    t_flop = (t_flop1[None, :] / GRID["eta_flop"][:, None])[:, None, None, None, :]
    overhead = GRID["overhead_s"][:, None, None] * (1 + GRID["comm"][None, :, None] * log2d)
    fixed = t_flop + overhead[None, :, :, None, :] + (PER_SEQ_GRID[:, None] * batch)[None, None]
    best, best_err = None, math.inf
    for eta_bw in GRID["eta_bw"]:
        sq = (np.log(batch / (t_mem1 / eta_bw + fixed)) - y) ** 2
        new_err, old_err = sq[..., ~old].sum(axis=-1), sq[..., old].sum(axis=-1)
        err = new_err.min(axis=-1) + old_err.min(axis=-1)
        i = int(np.argmin(err))
        if err.flat[i] < best_err:
            f, o, c = np.unravel_index(i, err.shape)
            best_err = float(err.flat[i])
            best = ServingParams(
                eta_bw=float(eta_bw),
                eta_flop=float(GRID["eta_flop"][f]),
                overhead_s=float(GRID["overhead_s"][o]),
                comm=float(GRID["comm"][c]),
                per_seq_s=float(PER_SEQ_GRID[np.argmin(new_err[f, o, c])]),
                legacy_per_seq_s=float(PER_SEQ_GRID[np.argmin(old_err[f, o, c])])
                if old.any()
                else 0.0,
            )
    assert best is not None
    return _fit_power(rows, best)


STEP_COLUMNS = (
    "weight_bytes",
    "flops_per_token",
    "kv_bytes_per_token",
    "context",
    "batch",
    "devices",
    "bandwidth_gbps",
    "peak_tflops",
)


def _fit_power(rows: dict[str, np.ndarray], p: ServingParams) -> ServingParams:
    """share - idle = floor x memory utilisation + slope x compute utilisation: linear."""
    t_step, t_mem, t_flop = step_times(rows, p)
    y = rows["power_w"] / (rows["devices"] * rows["tdp_w"]) - p.idle
    x = np.column_stack([t_mem * p.eta_bw / t_step, t_flop * p.eta_flop / t_step])
    (floor, slope), *_ = np.linalg.lstsq(x, y, rcond=None)
    return replace(p, floor=float(max(floor, 0.0)), slope=float(max(slope, 0.0)))
