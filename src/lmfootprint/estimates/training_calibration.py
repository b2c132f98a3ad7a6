"""The 6ND training estimator, calibrated on every published run.

A published run gives GPU-hours, a GPU and (from the token table) the tokens it saw, so it
implies an effective MFU = 6ND / (peak x GPU-hours): the share of peak that ended up in the
model, after restarts, ablations, evaluation and idle. That share is not a constant: it rises
with size (Llama 3.2 1B ~0.05, Llama 3.1 405B ~0.35) and drops from A100 to H100 (a faster
GPU is harder to keep busy). So log(MFU) = a_generation + b log(params), least squares.

Every run is held out in turn (leave-one-out), and the 10-90% range of the held-out log
residuals is the interval of every estimate. Its coverage is measured honestly: each run's
interval is built only from the residuals of fits that never saw it (nested leave-one-out).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import polars as pl

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.validation import frame_from_rows, validate_frame
from lmfootprint.estimates.schemas import CalibrationRunSchema
from lmfootprint.estimates.training_tokens import resolve_tokens

LOW_Q, HIGH_Q = 0.1, 0.9
MFU_CEILING = 0.75  # no published dense run reports more
# Hopper and later run BF16 at ~3x an A100's peak; their runs' MFU sits lower.
HOPPER_AND_LATER = ("H100", "H200", "B200", "GH200", "GB200")
SIZE_CLASSES = (
    (0, 3e9, "<3B"),
    (3e9, 1e10, "3-10B"),
    (1e10, 1e11, "10-100B"),
    (1e11, 1e15, ">100B"),
)

# GPU names as published sources write them -> resources/hardware.csv ids
GPU_ALIASES = {
    "A100-80GB": "A100-80-SXM4",
    "A100-40GB": "A100-40-SXM4",
    "H100-80GB": "H100-SXM5",
    "V100": "V100-32-SXM2",
}


def generation(hardware_id: str) -> str:
    return "hopper+" if hardware_id.startswith(HOPPER_AND_LATER) else "pre-hopper"


def size_class_of(params: float) -> str:
    return next(label for lo, hi, label in SIZE_CLASSES if lo <= params < hi)


def peak_tflops(hw: dict[str, Any]) -> float:
    peak = hw["peak_bf16_tflops"] or hw["peak_fp16_tflops"]
    if not peak:
        raise LmFootprintError(f"hardware {hw['hardware_id']!r} has no dense bf16/fp16 peak")
    return float(peak)


def calibration_runs(
    training: pl.DataFrame,
    tokens_table: pl.DataFrame,
    hardware: pl.DataFrame,
    derived_hours: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Published runs usable for calibration: GPU-hours, a known GPU and disclosed tokens.

    A run repeated under another name (Llama 3.3 70B re-states Llama 3.1 70B's 7.0M hours) is
    counted once; runs with assumed tokens are listed but not used.
    """
    specs = {r["hardware_id"]: r for r in hardware.iter_rows(named=True)}
    derived = {}
    if derived_hours is not None:
        derived = {r["model_id"]: r for r in derived_hours.iter_rows(named=True)}
    rows: list[dict[str, Any]] = []
    seen: list[tuple[float, float, str]] = []
    for r in training.sort("source_date").iter_rows(named=True):
        if not r["gpu_hours"] or not r["params_total"]:
            continue
        hw_id = GPU_ALIASES.get(r["gpu_type"] or "", r["gpu_type"] or "")
        if hw_id not in specs:
            continue
        tokens = resolve_tokens(r["model_id"], r["params_total"], tokens_table)
        peak = peak_tflops(specs[hw_id])
        same = [
            m
            for h, p, m in seen
            if abs(h / r["gpu_hours"] - 1) < 0.01 and abs(p / r["params_total"] - 1) < 0.05
        ]
        used, why = True, None
        if not tokens.disclosed:
            used, why = False, "training tokens not disclosed"
        elif same:
            used, why = False, f"same run as {same[0]} (same GPU-hours and size)"
        else:
            seen.append((r["gpu_hours"], r["params_total"], r["model_id"]))
        d = derived.get(r["model_id"])
        rows.append(
            {
                "model_id": r["model_id"],
                "params": float(r["params_total"]),
                "tokens": tokens.tokens,
                "tokens_status": tokens.status,
                "hardware_id": hw_id,
                "generation": generation(hw_id),
                "peak_tflops": peak,
                "gpu_hours": float(r["gpu_hours"]),
                "hours_status": "derived" if d else "published",
                "hours_note": d["arithmetic"] if d else None,
                "implied_mfu": 6
                * r["params_total"]
                * tokens.tokens
                / (peak * 1e12 * r["gpu_hours"] * 3600),
                "used": used,
                "excluded_because": why,
                "size_class": size_class_of(r["params_total"]),
                "source_url": r["source_url"],
            }
        )
    df = frame_from_rows(CalibrationRunSchema, rows)
    return validate_frame(CalibrationRunSchema, df, "results/training_calibration.parquet")


@dataclass(frozen=True)
class MfuModel:
    """log(MFU) = intercept[generation] + slope x log(params / 1e9)."""

    slope: float
    intercepts: dict[str, float]
    log_q_low: float = 0.0
    log_q_high: float = 0.0
    loo_median_abs_error: float = 0.0
    loo_by_size_class: dict[str, float] = field(default_factory=dict)
    coverage: float | None = None
    coverage_n: int = 0
    nominal_coverage: float = HIGH_Q - LOW_Q
    n_runs: int = 0
    formula: str = "log(MFU) = a[GPU generation] + b log(params / 1e9), least squares"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MfuModel:
        return cls(**data)

    def mfu(self, params: float, gen: str) -> tuple[float, float, float]:
        """(mid, low, high) effective MFU; the interval is the held-out residual range."""
        a = self.intercepts.get(gen)
        if a is None:  # a generation with no run: the mean of the known ones
            a = float(np.mean(list(self.intercepts.values())))
        mid = math.exp(a + self.slope * math.log(params / 1e9))
        cap = MFU_CEILING
        return (
            min(mid, cap),
            min(mid * math.exp(self.log_q_low), cap),
            min(mid * math.exp(self.log_q_high), cap),
        )


def _solve(params: np.ndarray, gens: list[str], mfu: np.ndarray) -> tuple[float, dict]:
    levels = sorted(set(gens))
    x = np.column_stack(
        [np.log(params / 1e9), *(np.array([g == k for g in gens], float) for k in levels)]
    )
    coef, *_ = np.linalg.lstsq(x, np.log(mfu), rcond=None)
    return float(coef[0]), dict(zip(levels, (float(c) for c in coef[1:]), strict=True))


def _predict(slope: float, intercepts: dict[str, float], params: float, gen: str) -> float:
    a = intercepts.get(gen, float(np.mean(list(intercepts.values()))))
    return a + slope * math.log(params / 1e9)


def _loo_residuals(p: np.ndarray, g: list[str], m: np.ndarray, skip: int | None) -> np.ndarray:
    keep = [i for i in range(len(p)) if i != skip]
    res = []
    for i in keep:
        others = [j for j in keep if j != i]
        slope, inter = _solve(p[others], [g[j] for j in others], m[others])
        res.append(math.log(m[i]) - _predict(slope, inter, p[i], g[i]))
    return np.array(res)


def calibrate(runs: pl.DataFrame) -> tuple[MfuModel, pl.DataFrame]:
    """The MFU model on every used run, and each run's held-out prediction and interval."""
    used = runs.filter(pl.col("used"))
    if used.height < 4:
        raise LmFootprintError(
            f"training calibration needs at least 4 published runs with disclosed tokens; got "
            f"{used.height}"
        )
    p = used["params"].to_numpy()
    g = used["generation"].to_list()
    m = used["implied_mfu"].to_numpy()
    loo = _loo_residuals(p, g, m, None)
    q_lo, q_hi = np.quantile(loo, [LOW_Q, HIGH_Q])
    covered, held = [], []
    for i in range(len(p)):
        inner = _loo_residuals(p, g, m, i)  # residuals of fits that never saw run i
        lo_i, hi_i = np.quantile(inner, [LOW_Q, HIGH_Q])
        covered.append(bool(lo_i <= loo[i] <= hi_i))
        held.append((lo_i, hi_i))
    slope, inter = _solve(p, g, m)
    out = used.with_columns(
        heldout_mfu=pl.Series([math.exp(math.log(v) - r) for v, r in zip(m, loo, strict=True)]),
        heldout_log_residual=pl.Series(loo),
        heldout_interval_low=pl.Series(
            [math.exp(math.log(v) - r + lo) for v, r, (lo, _) in zip(m, loo, held, strict=True)]
        ),
        heldout_interval_high=pl.Series(
            [math.exp(math.log(v) - r + hi) for v, r, (_, hi) in zip(m, loo, held, strict=True)]
        ),
        covered=pl.Series(covered),
    ).with_columns(
        heldout_hours_error=pl.col("implied_mfu") / pl.col("heldout_mfu") - 1,
    )
    by_class = {
        k: float(v)
        for k, v in out.group_by("size_class")
        .agg((pl.col("heldout_hours_error").abs()).median())
        .iter_rows()
    }
    model = MfuModel(
        slope=slope,
        intercepts=inter,
        log_q_low=float(q_lo),
        log_q_high=float(q_hi),
        loo_median_abs_error=float(out["heldout_hours_error"].abs().median()),
        loo_by_size_class=by_class,
        coverage=float(np.mean(covered)),
        coverage_n=len(covered),
        n_runs=used.height,
    )
    return model, out
