"""The 6ND training estimator, calibrated on published runs and checked one family at a time.

A published run gives GPU-hours, a GPU and (from the token table) the tokens it saw, so it
implies an effective MFU = 6ND / (peak x GPU-hours): the share of peak that ended up in the
model, after restarts, ablations, evaluation and idle. That share is not a constant: it rises
with size (Llama 3.2 1B ~0.04, Llama 3.1 405B ~0.35) and drops on faster GPUs (a faster GPU is
harder to keep busy). So log(MFU) = a[generation] + b log(params), least squares.

**Families.** Runs of one lineage share data, code, cluster or weights, so one of them held
out while its siblings stay in the fit is not a test (Llama 3 and 3.1 8B differ by 12% in
GPU-hours). A run's calibration family is its lineage, by model id (``CALIBRATION_FAMILIES``):
Llama 3, 3.1, 3.2 and 3.3 are one family (3.1 re-trains 3 on the same 15T-token data and stack;
3.2 1B/3B were pruned from 3.1 8B and pre-trained on 3.1 8B/70B logits, on the same clusters);
Llama 2, Phi-3, SmolLM, BLOOM and GPT-3 are one family each. A run no pattern names is a
family of the source it was published in (``published_training.csv``'s ``family``: one card or
paper). Every held-out prediction comes from a fit that never saw any run of its family, and
the 10-90% range of these family-held-out log residuals is the interval of every estimate.
Its coverage is measured honestly: each family's interval is built only from the residuals of
fits that never saw it (nested: the family out, then each other family out in turn).

**Generations.** volta (V100 and older, 125 TFLOP/s fp16), ampere (A100 class, 312) and
hopper+ (H100 and later, ~1,000). A generation gets its own intercept only when runs of at
least two families were trained on it: with one family its intercept would fit that family
exactly and claim a tiny error, and holding the family out would leave it with none. Such
runs (GPT-3, the one V100 run) stay in the table, out of the fit and out of the error and
coverage, and are estimated *outside calibration*: the intercept of the nearest fitted
generation (the prior: a slower GPU is at least as easy to keep busy as the next one) with the
interval widened on both sides by the largest gap between fitted intercepts.

**Bounds.** No MFU, point or bound, exceeds ``MFU_CEILING`` (0.6, above every published dense
record; the constant and its sources are in estimates.schemas, which checks it on every
table); the lower bound is a positive multiple of the point.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import polars as pl

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.validation import frame_from_rows, validate_frame
from lmfootprint.estimates.schemas import MFU_CEILING, CalibrationRunSchema, CalibrationSchema
from lmfootprint.estimates.training_tokens import resolve_tokens

LOW_Q, HIGH_Q = 0.1, 0.9
# A generation's intercept is fitted only from runs of this many families (see the docstring).
MIN_FAMILIES_PER_GENERATION = 2
# Oldest first; an unfitted generation borrows the intercept of its nearest fitted neighbour.
GENERATIONS = ("volta", "ampere", "hopper+")
VOLTA_AND_EARLIER = ("V100", "T4", "P100")
HOPPER_AND_LATER = ("H100", "H200", "B200", "GH200", "GB200", "MI300")
SIZE_CLASSES = (
    (0, 3e9, "<3B"),
    (3e9, 1e10, "3-10B"),
    (1e10, 1e11, "10-100B"),
    (1e11, 1e15, ">100B"),
)
# A run's lineage, by model id; first match wins (rule and reasons in the module docstring).
CALIBRATION_FAMILIES = (
    (r"^meta-llama/(Meta-)?Llama-3", "llama3"),  # 3, 3.1, 3.2 (pruned/distilled from 3.1), 3.3
    (r"^meta-llama/Llama-2-", "llama2"),
    (r"^microsoft/Phi-3", "phi3"),
    (r"^HuggingFaceTB/SmolLM", "smollm"),
    (r"^bigscience/bloom", "bloom"),
    (r"^openai/gpt-3", "gpt3"),
)
FAMILY_HELD_OUT = "family held out"

# GPU names as published sources write them -> resources/hardware.csv ids
GPU_ALIASES = {
    "A100-80GB": "A100-80-SXM4",
    "A100-40GB": "A100-40-SXM4",
    "H100-80GB": "H100-SXM5",
    "V100": "V100-32-SXM2",
}


def generation(hardware_id: str) -> str:
    if hardware_id.startswith(VOLTA_AND_EARLIER):
        return "volta"
    return "hopper+" if hardware_id.startswith(HOPPER_AND_LATER) else "ampere"


def calibration_family(model_id: str, source_family: str | None = None) -> str:
    """The run's lineage; a run no pattern names is a family of its source."""
    for pattern, family in CALIBRATION_FAMILIES:
        if re.match(pattern, model_id):
            return family
    return f"source:{source_family}" if source_family else model_id


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
    counted once; runs with assumed tokens are listed but not used; runs on a generation with
    fewer than two families are listed, not fitted, and marked ``outside_calibration``.
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
                "family": calibration_family(r["model_id"], r.get("family")),
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
                "outside_calibration": False,
                "size_class": size_class_of(r["params_total"]),
                "source_url": r["source_url"],
            }
        )
    _set_generations_apart(rows)
    df = frame_from_rows(CalibrationRunSchema, rows)
    return validate_frame(CalibrationRunSchema, df, "results/training_calibration.parquet")


def _set_generations_apart(rows: list[dict[str, Any]]) -> None:
    """Take the runs of a generation with fewer than two families out of the fit."""
    families: dict[str, set[str]] = {}
    for r in rows:
        if r["used"]:
            families.setdefault(r["generation"], set()).add(r["family"])
    for r in rows:
        gen = r["generation"]
        if r["used"] and len(families[gen]) < MIN_FAMILIES_PER_GENERATION:
            r["used"], r["outside_calibration"] = False, True
            r["excluded_because"] = (
                f"the only family on {gen} GPUs: a {gen} intercept would fit it exactly; "
                "estimated outside calibration"
            )


def _nearest_intercept(intercepts: Mapping[str, float], gen: str) -> tuple[float, str | None]:
    """The generation's intercept, else the nearest fitted generation's (ties: their mean)
    and the name of what was borrowed; a generation outside ``GENERATIONS`` takes the mean."""
    if gen in intercepts:
        return intercepts[gen], None
    known = [g for g in GENERATIONS if g in intercepts]
    if gen in GENERATIONS and known:
        distance = {k: abs(GENERATIONS.index(k) - GENERATIONS.index(gen)) for k in known}
        near = [k for k in known if distance[k] == min(distance.values())]
    else:
        near = sorted(intercepts)
    return float(np.mean([intercepts[k] for k in near])), " and ".join(near)


def _bounded(mid: float, log_low: float, log_high: float) -> tuple[float, float, float]:
    """(mid, low, high) with low <= mid <= high <= MFU_CEILING and low > 0."""
    mid_c = min(mid, MFU_CEILING)
    low = min(mid * math.exp(log_low), mid_c)
    high = min(max(mid * math.exp(log_high), mid_c), MFU_CEILING)
    return mid_c, low, high


@dataclass(frozen=True)
class MfuFit:
    """One least-squares fit, with the runs and families it saw: what a held-out prediction
    made from it knew."""

    slope: float
    intercepts: dict[str, float]
    model_ids: frozenset[str]
    families: frozenset[str]

    def log_mfu(self, run: Mapping[str, Any]) -> float:
        a, _ = _nearest_intercept(self.intercepts, run["generation"])
        return a + self.slope * math.log(run["params"] / 1e9)


FitFunction = Callable[[pl.DataFrame], MfuFit]


def fit_mfu(runs: pl.DataFrame) -> MfuFit:
    """log(MFU) = a[generation] + b log(params / 1e9), least squares on ``runs``."""
    gens = runs["generation"].to_list()
    levels = sorted(set(gens))
    x = np.column_stack(
        [
            np.log(runs["params"].to_numpy() / 1e9),
            *(np.array([g == k for g in gens], float) for k in levels),
        ]
    )
    coef, *_ = np.linalg.lstsq(x, np.log(runs["implied_mfu"].to_numpy()), rcond=None)
    return MfuFit(
        slope=float(coef[0]),
        intercepts=dict(zip(levels, (float(c) for c in coef[1:]), strict=True)),
        model_ids=frozenset(runs["model_id"]),
        families=frozenset(runs["family"]),
    )


def heldout_log_residuals(runs: pl.DataFrame, fit: FitFunction = fit_mfu) -> np.ndarray:
    """Each run's log(MFU) residual under a fit that never saw its family, in row order."""
    family = runs["family"].to_numpy()
    residuals = np.empty(runs.height)
    for held in dict.fromkeys(family):
        out = family == held
        model = fit(runs.filter(pl.Series(~out)))
        for i in np.flatnonzero(out):
            run = runs.row(int(i), named=True)
            residuals[i] = math.log(run["implied_mfu"]) - model.log_mfu(run)
    return residuals


def family_interval(
    runs: pl.DataFrame, family: str, fit: FitFunction = fit_mfu
) -> tuple[float, float]:
    """The 10-90% log-residual range that family's own interval is made of: the family-held-out
    residuals of the other families, from fits that never saw ``family`` either."""
    others = runs.filter(pl.col("family") != family)
    lo, hi = np.quantile(heldout_log_residuals(others, fit), [LOW_Q, HIGH_Q])
    return float(lo), float(hi)


@dataclass(frozen=True)
class MfuModel:
    """log(MFU) = intercept[generation] + slope x log(params / 1e9), checked family by family."""

    slope: float
    intercepts: dict[str, float]
    log_q_low: float = 0.0
    log_q_high: float = 0.0
    prior_widening: float = 0.0
    heldout_median_abs_error: float = 0.0
    heldout_by_size_class: dict[str, float] = field(default_factory=dict)
    coverage: float | None = None
    coverage_n: int = 0
    nominal_coverage: float = HIGH_Q - LOW_Q
    n_runs: int = 0
    n_families: int = 0
    holdout: str = "family"
    outside_calibration: list[str] = field(default_factory=list)
    mfu_ceiling: float = MFU_CEILING
    formula: str = "log(MFU) = a[GPU generation] + b log(params / 1e9), least squares"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MfuModel:
        return cls(**data)

    def mfu(self, params: float, gen: str) -> tuple[float, float, float]:
        """(mid, low, high) effective MFU; the interval is the family-held-out residual range,
        widened by ``prior_widening`` on a generation the runs do not fit."""
        a, borrowed = _nearest_intercept(self.intercepts, gen)
        widen = self.prior_widening if borrowed else 0.0
        mid = math.exp(a + self.slope * math.log(params / 1e9))
        return _bounded(mid, self.log_q_low - widen, self.log_q_high + widen)

    def basis(self, gen: str) -> str:
        """How an estimate on ``gen`` is made: calibrated, or outside calibration (and how)."""
        _, borrowed = _nearest_intercept(self.intercepts, gen)
        if borrowed is None:
            return "calibrated fit"
        return (
            f"outside calibration: no {gen} intercept, {borrowed}'s used, interval widened "
            f"x{math.exp(self.prior_widening):.2f}"
        )


def calibrate(runs: pl.DataFrame, fit: FitFunction = fit_mfu) -> tuple[MfuModel, pl.DataFrame]:
    """The MFU model on every used run, each run's family-held-out prediction and interval, and
    the prediction of each run outside calibration (from the full fit, which never saw it).

    ``fit`` is the least-squares fit; a test passes one that checks what it is given.
    """
    used = runs.filter(pl.col("used"))
    n_families = used["family"].n_unique() if used.height else 0
    if used.height < 4 or n_families < 3:
        raise LmFootprintError(
            "training calibration needs at least 4 published runs with disclosed tokens, of at "
            f"least 3 families; got {used.height} runs of {n_families} families"
        )
    residuals = heldout_log_residuals(used, fit)
    q_lo, q_hi = np.quantile(residuals, [LOW_Q, HIGH_Q])
    full = fit(used)
    fitted = list(full.intercepts.values())
    model = MfuModel(
        slope=full.slope,
        intercepts=full.intercepts,
        log_q_low=float(q_lo),
        log_q_high=float(q_hi),
        prior_widening=float(max(fitted) - min(fitted)),
        n_runs=used.height,
        n_families=n_families,
    )
    intervals = {f: family_interval(used, f, fit) for f in dict.fromkeys(used["family"])}
    rows = []
    for run, res in zip(used.iter_rows(named=True), residuals, strict=True):
        lo, hi = intervals[run["family"]]
        mid = math.exp(math.log(run["implied_mfu"]) - res)
        rows.append((run, res, _bounded(mid, lo, hi), FAMILY_HELD_OUT))
    for run in runs.filter(pl.col("outside_calibration")).iter_rows(named=True):
        res = math.log(run["implied_mfu"]) - full.log_mfu(run)
        rows.append((run, res, model.mfu(run["params"], run["generation"]), None))
    out = pl.DataFrame(
        {
            "model_id": [r["model_id"] for r, *_ in rows],
            "heldout_mfu": [b[0] for _, _, b, _ in rows],
            "heldout_log_residual": [res for _, res, _, _ in rows],
            "heldout_interval_low": [b[1] for _, _, b, _ in rows],
            "heldout_interval_high": [b[2] for _, _, b, _ in rows],
            "heldout_basis": [basis or model.basis(r["generation"]) for r, _, _, basis in rows],
            "covered": [
                b[1] <= r["implied_mfu"] <= b[2] if basis else None for r, _, b, basis in rows
            ],
        },
        schema_overrides={"covered": pl.Boolean},
    )
    out = (
        runs.join(out, on="model_id", how="inner")
        .with_columns(heldout_hours_error=pl.col("implied_mfu") / pl.col("heldout_mfu") - 1)
        .select(
            "model_id",
            *[c for c in runs.columns if c != "model_id"],
            *[c for c in out.columns if c != "model_id"],
            "heldout_hours_error",
        )
    )
    calibrated = out.filter(pl.col("used"))
    errors = calibrated["heldout_hours_error"].abs()
    by_class = {
        k: float(v)
        for k, v in calibrated.group_by("size_class")
        .agg(pl.col("heldout_hours_error").abs().median())
        .iter_rows()
    }
    covered = calibrated["covered"]
    model = MfuModel(
        **{
            **model.to_dict(),
            "heldout_median_abs_error": float(errors.median()),
            "heldout_by_size_class": by_class,
            "coverage": float(covered.mean()),
            "coverage_n": covered.len(),
            "outside_calibration": out.filter(pl.col("outside_calibration"))["model_id"].to_list(),
        }
    )
    return model, out


def calibration_table(runs: pl.DataFrame, held: pl.DataFrame) -> pl.DataFrame:
    """Every listed run with its held-out prediction where it has one: the published table."""
    extra = [c for c in held.columns if c not in runs.columns]
    table = runs.join(held.select("model_id", *extra), on="model_id", how="left")
    return validate_frame(CalibrationSchema, table, "results/training_calibration.parquet")
