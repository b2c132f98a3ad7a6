"""Energy per token fitted on measurements: ours and published ones, with a cross-validated error.

log(J/token) = a + log(TDP / bandwidth) + b x log(parameters) + c x log(batch size), least
squares over the rows measured here (results/inference.parquet) and the published rows
(resources/inference/published_inference.csv). The TDP / bandwidth offset is the memory-bound
physics (a decode step reads every weight once at close to full power), which lets the fit
carry over to hardware with no rows; hardware whose specs are unknown (the CPU measured here)
gets its own intercept instead. The error is leave-one-model-out: every model's rows are
predicted by a fit that never saw that model, and the 10-90% range of those residuals is the
interval of every prediction.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import polars as pl

from lmfootprint.errors import LmFootprintError
from lmfootprint.schemas import FitRowsSchema, PublishedInferenceSchema
from lmfootprint.validation import read_csv_checked, validate_frame

LOW_Q, HIGH_Q = 0.1, 0.9


@dataclass(frozen=True)
class EnergyFit:
    slope_params: float
    slope_batch: float
    intercept: float
    hardware_intercepts: dict[str, float]
    cv_log_q_low: float = 0.0
    cv_log_q_high: float = 0.0
    cv_median_abs_error: float = 0.0
    cv_by_provenance: dict[str, float] = field(default_factory=dict)
    n_rows: dict[str, int] = field(default_factory=dict)
    n_models: int = 0
    formula: str = (
        "log(J/token) = a + log(TDP / memory bandwidth) + b log(params) + c log(batch); "
        "hardware without a TDP and bandwidth gets its own intercept"
    )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EnergyFit:
        return cls(**data)

    def predict(
        self,
        params: float,
        batch_size: float,
        hardware_id: str,
        tdp_w: float | None = None,
        bandwidth_gbps: float | None = None,
    ) -> tuple[float, float, float]:
        """J/token (mid, low, high); the interval is the cross-validated residual range."""
        if tdp_w and bandwidth_gbps:
            a = self.intercept + math.log(tdp_w / bandwidth_gbps)
        elif hardware_id in self.hardware_intercepts:
            a = self.hardware_intercepts[hardware_id]
        else:
            raise LmFootprintError(
                f"no energy fit for hardware {hardware_id!r}: it has no measured rows and no "
                "TDP and memory bandwidth in resources/hardware.csv"
            )
        mid = math.exp(
            a + self.slope_params * math.log(params) + self.slope_batch * math.log(batch_size)
        )
        return mid, mid * math.exp(self.cv_log_q_low), mid * math.exp(self.cv_log_q_high)


def published_rows(path: str) -> pl.DataFrame:
    df = read_csv_checked(path, PublishedInferenceSchema)
    return df.filter(~pl.col("moe")).select(
        model=pl.col("model_name"),
        params=pl.col("params_b") * 1e9,
        hardware_id="hardware_id",
        batch_size=pl.col("batch_size").cast(pl.Float64),
        j_per_token="j_per_token",
        provenance=pl.lit("published"),
        source=pl.col("release") + pl.lit(", ") + pl.col("source_url"),
    )


def measured_rows(inference: pl.DataFrame) -> pl.DataFrame:
    """Rows benchmarked here; their provenance is the energy's (measured or estimated)."""
    ok = inference.filter((pl.col("status") == "ok") & pl.col("j_per_token").is_not_null())
    return ok.select(
        model=pl.col("model_id"),
        params=pl.col("params_total").cast(pl.Float64),
        hardware_id=pl.col("hardware"),
        batch_size=pl.col("batch_size").cast(pl.Float64),
        j_per_token="j_per_token",
        provenance=pl.lit("this machine: ") + pl.col("provenance") + pl.lit(" energy"),
        source=pl.lit("results/inference.parquet (") + pl.col("energy_method") + pl.lit(")"),
    )


def _specs(hardware: pl.DataFrame) -> dict[str, tuple[float, float]]:
    return {
        r["hardware_id"]: (r["tdp_w"], r["memory_bandwidth_gbps"])
        for r in hardware.iter_rows(named=True)
        if r["tdp_w"] and r["memory_bandwidth_gbps"]
    }


def _solve(rows: pl.DataFrame, specs: dict[str, tuple[float, float]]) -> EnergyFit:
    hw = rows["hardware_id"].to_list()
    own = sorted({h for h in hw if h not in specs})
    offset = np.array([math.log(specs[h][0] / specs[h][1]) if h in specs else 0.0 for h in hw])
    columns = [
        np.log(rows["params"].to_numpy()),
        np.log(rows["batch_size"].to_numpy()),
        np.array([1.0 if h in specs else 0.0 for h in hw]),
        *(np.array([1.0 if h == k else 0.0 for h in hw]) for k in own),
    ]
    y = np.log(rows["j_per_token"].to_numpy()) - offset
    coef, *_ = np.linalg.lstsq(np.column_stack(columns), y, rcond=None)
    return EnergyFit(
        slope_params=float(coef[0]),
        slope_batch=float(coef[1]),
        intercept=float(coef[2]),
        hardware_intercepts=dict(zip(own, (float(c) for c in coef[3:]), strict=True)),
    )


def fit_energy(rows: pl.DataFrame, hardware: pl.DataFrame) -> tuple[EnergyFit, pl.DataFrame]:
    """The fit on every row, and each row's leave-one-model-out prediction."""
    if rows["model"].n_unique() < 3 or rows["batch_size"].n_unique() < 2:
        raise LmFootprintError(
            "energy fit needs rows for at least 3 models and 2 batch sizes; "
            f"got {rows['model'].n_unique()} models, {rows['batch_size'].n_unique()} batch sizes"
        )
    specs = _specs(hardware)
    held: list[dict[str, Any]] = []
    for model in rows["model"].unique(maintain_order=True).to_list():
        partial = _solve(rows.filter(pl.col("model") != model), specs)
        for r in rows.filter(pl.col("model") == model).iter_rows(named=True):
            tdp, bw = specs.get(r["hardware_id"], (None, None))
            try:
                pred = partial.predict(r["params"], r["batch_size"], r["hardware_id"], tdp, bw)[0]
            except LmFootprintError:
                continue  # the only model on hardware without specs: nothing to predict from
            held.append({**r, "predicted_j_per_token": pred})
    cv = pl.DataFrame(held, infer_schema_length=None).with_columns(
        log_residual=(pl.col("j_per_token") / pl.col("predicted_j_per_token")).log(),
    )
    cv = cv.with_columns(abs_error=(pl.col("log_residual").exp() - 1).abs())
    cv = validate_frame(FitRowsSchema, cv, "results/inference_fit_cv.parquet")
    full = _solve(rows, specs)
    fit = EnergyFit(
        slope_params=full.slope_params,
        slope_batch=full.slope_batch,
        intercept=full.intercept,
        hardware_intercepts=full.hardware_intercepts,
        cv_log_q_low=float(cv["log_residual"].quantile(LOW_Q)),
        cv_log_q_high=float(cv["log_residual"].quantile(HIGH_Q)),
        cv_median_abs_error=float(cv["abs_error"].median()),
        cv_by_provenance={
            k: float(v)
            for k, v in cv.group_by("provenance").agg(pl.col("abs_error").median()).iter_rows()
        },
        n_rows={k: int(v) for k, v in rows.group_by("provenance").len().iter_rows()},
        n_models=rows["model"].n_unique(),
    )
    return fit, cv
