"""Calibrate the serving model (serving_model) on measured rows and check it on held-out ones.

The rows are ML.ENERGY v3's dense-model configurations (vLLM, H100 and B200, 8 to 2,048
concurrent requests, GPU energy by Zeus): tokens/s, average power and J/token per row. The
model's six numbers are fitted on them; its error is measured by holding out whole model
families (a family never seen predicts its rows) and whole GPU types (B200 predicted from H100
rows and specs alone, and back). The 10-90% range of the held-out log errors of J/token is the
interval of every estimate, and its coverage is measured on each held-out group with an
interval built without that group (nested). ML.ENERGY v2 (an older vLLM, H100 and A100) is
a second, independent check, never fitted.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import polars as pl

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.validation import read_csv_checked, validate_frame
from lmfootprint.estimates.schemas import (
    FitRowsSchema,
    PeerMeasurementSchema,
    PeerShapeSchema,
    PeerV2Schema,
)
from lmfootprint.estimates.serving_model import ServingParams, calibrate, predict_arrays
from lmfootprint.models.memory import bytes_per_param

LOW_Q, HIGH_Q = 0.1, 0.9
GPU_IDS = {"H100": "H100-SXM5", "B200": "B200", "A100": "A100-40-SXM4"}
# Prompt tokens per task: not in ML.ENERGY's files; Arena chats are short, GPQA questions
# a few hundred tokens. The decode context is the prompt plus half the output.
PROMPT_TOKENS = {"lm-arena-chat": 1000, "gpqa": 400, "chat": 1000}
FIT_TASKS = ("lm-arena-chat", "gpqa")


def family_of(model_id: str) -> str:
    """'meta-llama/Llama-3.1-8B-Instruct' -> 'llama-3', 'Qwen/Qwen3-8B' -> 'qwen3'."""
    name = model_id.split("/")[-1].lower()
    for prefix in ("llama-3", "meta-llama-3", "qwen3", "qwen2.5", "gemma-3", "gemma-2", "phi-3"):
        if name.startswith(prefix):
            return prefix.removeprefix("meta-")
    return name.split("-")[0]


def kv_bytes_per_token(shape: dict[str, Any], context: float, kv_bytes: float = 2.0) -> float:
    """K and V of every layer; sliding-window layers keep at most their window."""
    full = 2.0 * shape["n_layers"] * shape["n_kv_heads"] * shape["head_dim"] * kv_bytes
    frac = shape.get("sliding_layers_fraction") or 0.0
    window = shape.get("sliding_window")
    if frac and window and context > window:
        return full * ((1 - frac) + frac * window / context)
    return full


def load_shapes(path: str) -> dict[str, dict[str, Any]]:
    df = read_csv_checked(path, PeerShapeSchema)
    return {r["model_id"]: r for r in df.iter_rows(named=True)}


def _row(
    r: dict[str, Any],
    shape: dict[str, Any],
    hw: dict[str, Any],
    *,
    precision: str,
    active_params: float,
    batch: float,
    max_num_seqs: float,
    output_tokens: float,
    source: str,
) -> dict[str, Any]:
    """One measured configuration in the columns the serving model reads."""
    dtype_bytes = bytes_per_param(precision)
    peak = hw["peak_fp8_tflops"] if dtype_bytes == 1.0 else hw["peak_bf16_tflops"]
    prompt = PROMPT_TOKENS.get(r["task"], 1000)
    context = prompt + output_tokens / 2
    params = shape["params_b"] * 1e9
    return {
        "model": r["model_id"],
        "family": family_of(r["model_id"]),
        "task": r["task"],
        "hardware_id": hw["hardware_id"],
        "devices": float(r["num_gpus"]),
        "batch": float(batch),
        "max_num_seqs": float(max_num_seqs),
        "params": params,
        "weight_precision": precision,
        "weight_bytes": params * dtype_bytes,
        # the prompt's FLOPs are spent per request: per output token, prompt / output of them
        "flops_per_token": 2.0 * active_params * (1 + prompt / output_tokens),
        "kv_bytes_per_token": kv_bytes_per_token(shape, context),
        "context": context,
        "bandwidth_gbps": float(hw["memory_bandwidth_gbps"]),
        "peak_tflops": float(peak or hw["peak_bf16_tflops"]),
        "tdp_w": float(hw["tdp_w"]),
        "tokens_per_s": r["output_tokens_per_s"],
        "power_w": r["avg_power_w"],
        "j_per_token": r["j_per_token"],
        "source": source,
    }


def _known(
    df: pl.DataFrame, shapes: dict[str, dict[str, Any]], hardware: pl.DataFrame
) -> list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    """(row, shape, hardware) of the rows whose model shape and GPU are known."""
    specs = {r["hardware_id"]: r for r in hardware.iter_rows(named=True)}
    out = []
    for r in df.iter_rows(named=True):
        shape = shapes.get(r["model_id"])
        hw = specs.get(GPU_IDS.get(r["gpu_model"], r["gpu_model"]))
        if shape is not None and hw is not None:
            out.append((r, shape, hw))
    return out


def peer_rows(
    v3_path: str, shapes: dict[str, dict[str, Any]], hardware: pl.DataFrame, release: str = "v3"
) -> pl.DataFrame:
    """ML.ENERGY dense rows with what the serving model needs, one row per configuration."""
    df = read_csv_checked(v3_path, PeerMeasurementSchema)
    df = df.filter(
        (pl.col("architecture") == "Dense Transformer") & pl.col("task").is_in(FIT_TASKS)
    )
    rows = [
        _row(
            r,
            shape,
            hw,
            precision=r["weight_precision"],
            active_params=r["activated_params_b"] * 1e9,
            batch=r["avg_batch_size"],
            max_num_seqs=r["max_num_seqs"],
            output_tokens=r["avg_output_len"],
            source=f"ML.ENERGY {release} @{r['source_commit'][:7]} {r['data_path']}",
        )
        for r, shape, hw in _known(df, shapes, hardware)
    ]
    if not rows:
        raise LmFootprintError(f"{v3_path}: no dense rows with a known shape and GPU")
    return pl.DataFrame(rows, infer_schema_length=None)


V2_OUTPUT_TOKENS = 250  # v2 files state no output length; ShareGPT replies run a few hundred


def v2_rows(path: str, shapes: dict[str, dict[str, Any]], hardware: pl.DataFrame) -> pl.DataFrame:
    """ML.ENERGY v2 sweeps in the same columns (batch = the configured maximum)."""
    df = read_csv_checked(path, PeerV2Schema)
    rows = [
        _row(
            r,
            shape,
            hw,
            precision="bf16" if shape["weight_dtype_bytes"] == 2 else "fp8",
            active_params=shape["params_b"] * 1e9,
            batch=r["batch_size"],
            max_num_seqs=r["batch_size"],
            output_tokens=V2_OUTPUT_TOKENS,
            source=f"ML.ENERGY v2 @{r['source_commit'][:7]} {r['data_path']}",
        )
        for r, shape, hw in _known(df, shapes, hardware)
    ]
    return pl.DataFrame(rows, infer_schema_length=None)


ARRAY_COLUMNS = (
    "weight_bytes",
    "flops_per_token",
    "kv_bytes_per_token",
    "context",
    "batch",
    "devices",
    "bandwidth_gbps",
    "peak_tflops",
    "tdp_w",
    "tokens_per_s",
    "power_w",
)


def arrays(df: pl.DataFrame) -> dict[str, np.ndarray]:
    return {c: df[c].to_numpy().astype(float) for c in ARRAY_COLUMNS}


def _predict_frame(df: pl.DataFrame, p: ServingParams, held_out: str) -> pl.DataFrame:
    pred = predict_arrays(arrays(df), p)
    return df.with_columns(
        predicted_tokens_per_s=pl.Series(pred["tokens_per_s"]),
        predicted_power_w=pl.Series(pred["power_w"]),
        predicted_j_per_token=pl.Series(pred["j_per_token"]),
        bound=pl.Series(pred["bound"]),
        held_out=pl.lit(held_out),
    ).with_columns(
        log_residual=(pl.col("j_per_token") / pl.col("predicted_j_per_token")).log(),
        abs_error=(pl.col("j_per_token") / pl.col("predicted_j_per_token") - 1).abs(),
        tps_log_residual=(pl.col("tokens_per_s") / pl.col("predicted_tokens_per_s")).log(),
    )


def holdout(df: pl.DataFrame, key: str) -> pl.DataFrame:
    """Each group of ``key`` predicted by a model calibrated without it."""
    parts = []
    for (group,), rest in df.group_by(key, maintain_order=True):
        train = df.filter(pl.col(key) != group)
        if train.height == 0:
            continue
        p = calibrate(arrays(train))
        parts.append(_predict_frame(rest, p, f"{key}={group}"))
    return pl.concat(parts)


def nested_coverage(df: pl.DataFrame, key: str) -> tuple[float, int]:
    """Share of a held-out group's rows inside an interval built without that group."""
    groups = df[key].unique().to_list()
    if len(groups) < 3:
        return float("nan"), 0
    hits, n = 0, 0
    for g in groups:
        inner = df.filter(pl.col(key) != g)
        residuals = holdout(inner, key)["log_residual"].to_numpy()
        lo, hi = np.quantile(residuals, [LOW_Q, HIGH_Q])
        p = calibrate(arrays(inner))
        out = _predict_frame(df.filter(pl.col(key) == g), p, f"{key}={g}")
        r = out["log_residual"].to_numpy()
        hits += int(np.sum((r >= lo) & (r <= hi)))
        n += len(r)
    return hits / n, n


@dataclass(frozen=True)
class ServingFit:
    params: dict[str, float]
    log_q_low: float
    log_q_high: float
    tps_log_q_low: float
    tps_log_q_high: float
    in_sample_median_abs_error: float
    family_holdout_median_abs_error: float
    gpu_holdout_median_abs_error: dict[str, float]
    coverage: float
    coverage_n: int
    v2_median_abs_error: float | None = None
    n_rows: dict[str, int] = field(default_factory=dict)
    n_models: int = 0
    max_power_share_of_tdp: float = 0.0
    formula: str = (
        "decode step = bytes / (devices x bandwidth x eta_bw) + FLOPs / (devices x peak x "
        "eta_flop) + overhead x (1 + comm x log2 devices); power per device between "
        "idle and TDP; calibrated on ML.ENERGY v3"
    )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServingFit:
        return cls(**data)

    @property
    def serving_params(self) -> ServingParams:
        return ServingParams(**self.params)


def fit_serving(
    rows: pl.DataFrame, v2_rows: pl.DataFrame | None = None
) -> tuple[ServingFit, pl.DataFrame]:
    """Calibrate on every row; validate by family, by GPU and on v2; the cv table holds all."""
    if rows["family"].n_unique() < 2:
        raise LmFootprintError("the serving model needs measured rows of at least 2 families")
    full = calibrate(arrays(rows))
    by_family = holdout(rows, "family")
    by_gpu = holdout(rows, "hardware_id")
    lo, hi = np.quantile(by_family["log_residual"].to_numpy(), [LOW_Q, HIGH_Q])
    tlo, thi = np.quantile(by_family["tps_log_residual"].to_numpy(), [LOW_Q, HIGH_Q])
    coverage, n_cov = nested_coverage(rows, "family")
    in_sample = _predict_frame(rows, full, "none (in-sample)")
    parts = [in_sample, by_family, by_gpu]
    v2_err = None
    if v2_rows is not None and v2_rows.height:
        v2 = _predict_frame(v2_rows, full, "ML.ENERGY v2 (never fitted)")
        v2_err = float(v2["abs_error"].median())
        parts.append(v2)
    cv = pl.concat(parts, how="diagonal_relaxed")
    cv = validate_frame(FitRowsSchema, cv, "results/inference_fit_cv.parquet")
    share = (in_sample["predicted_power_w"] / (in_sample["devices"] * in_sample["tdp_w"])).max()
    fit = ServingFit(
        params=full.to_dict(),
        log_q_low=float(lo),
        log_q_high=float(hi),
        tps_log_q_low=float(tlo),
        tps_log_q_high=float(thi),
        in_sample_median_abs_error=float(in_sample["abs_error"].median()),
        family_holdout_median_abs_error=float(by_family["abs_error"].median()),
        gpu_holdout_median_abs_error={
            k: float(v)
            for k, v in by_gpu.group_by("held_out").agg(pl.col("abs_error").median()).iter_rows()
        },
        coverage=float(coverage),
        coverage_n=n_cov,
        v2_median_abs_error=v2_err,
        n_rows={
            "ML.ENERGY v3": rows.height,
            **({"ML.ENERGY v2": v2_rows.height} if v2_rows is not None else {}),
        },
        n_models=rows["model"].n_unique(),
        max_power_share_of_tdp=float(share),
    )
    return fit, cv


def interval(fit: ServingFit, value: float) -> tuple[float, float]:
    return value * math.exp(fit.log_q_low), value * math.exp(fit.log_q_high)
