"""Calibrate the serving model (serving_model) on measured rows and check it on held-out ones.

The rows are ML.ENERGY v3's dense-model configurations (vLLM, H100 and B200, 8 to 2,048
concurrent requests, GPU energy by Zeus): tokens/s, average power and J/token per row. The
model's six numbers are fitted on them; its error is measured by holding out whole model
families (a family never seen predicts its rows) and whole GPU types (B200 predicted from H100
rows and specs alone, and back). The 10-90% range of the held-out log errors of J/token is the
interval of every estimate, and its coverage is measured on each held-out group with an
interval built without that group (nested).

ML.ENERGY v3 has no dense model under 8B, so the sub-8B models of ML.ENERGY v2 (gemma-2-2b,
Phi-3-mini, Phi-3-small, Mistral-7B; vLLM 0.5.4 on H100 and A100) join the calibration, flagged
``legacy_stack``: their engine gets its own per-sequence host time, every other number is shared.
The v2 models of 8B and more stay a check never fitted (Llama-3.1-8B among them: the same
checkpoint as v3's, so it shows what the engine alone changes). ``small_model_errors`` reports
the held-out errors of tokens/s, power and J/token apart, for small and large models apart.
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
from lmfootprint.estimates.serving_model import (
    ServingParams,
    calibrate,
    predict_arrays,
    step_times,
)
from lmfootprint.models.memory import bytes_per_param

LOW_Q, HIGH_Q = 0.1, 0.9
GPU_IDS = {
    "H100": "H100-SXM5",
    "B200": "B200",
    "A100": "A100-40-SXM4",
    "A100-SXM4-40GB": "A100-40-SXM4",  # ML.ENERGY v2's name for it
}
SMALL_PARAMS = 8e9  # below this a model is small (the v2 rows that join the fit)
V2_FITTED = "ML.ENERGY v2 small (fitted)"
V2_CHECK = "ML.ENERGY v2"
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
    legacy_stack: bool = False,
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
        "legacy_stack": 1.0 if legacy_stack else 0.0,
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
            legacy_stack=True,
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
    "legacy_stack",
)


def arrays(df: pl.DataFrame) -> dict[str, np.ndarray]:
    """The model's columns as arrays; rows without ``legacy_stack`` are v3's engine."""
    return {
        c: df[c].to_numpy().astype(float) if c in df.columns else np.zeros(df.height)
        for c in ARRAY_COLUMNS
    }


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


QUANTITIES = ("tokens_per_s", "power_w", "j_per_token")
SIZE_SMALL, SIZE_LARGE = "small (<8B)", "large (>=8B)"
FAMILY_SCHEME, V2_SCHEME = "family held out", "ML.ENERGY v2, never fitted"
V2_CHECK_LABEL = "ML.ENERGY v2 (never fitted)"
V2_SMALL_LABEL = "ML.ENERGY v2 small (family held out)"


def split_v2(v2: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the sub-8B rows, which join the fit; the rest, a check never fitted)."""
    small = pl.col("params") < SMALL_PARAMS
    return v2.filter(small), v2.filter(~small)


def small_model_errors(cv: pl.DataFrame) -> pl.DataFrame:
    """Held-out errors of tokens/s, power and J/token, each against its own measured column,
    for small (<8B) and large models apart: per family held out (and all families together,
    ``family`` = "all"), and on the ML.ENERGY v2 rows never fitted.

    One row per (scheme, size, family, quantity): n_rows, median |measured/predicted - 1|,
    the median ratio measured / predicted (above 1: the model predicts too little) and the
    10% and 90% quantiles of that ratio."""
    held = cv.filter(
        pl.col("held_out").str.starts_with("family=") | (pl.col("held_out") == V2_CHECK_LABEL)
    ).with_columns(
        scheme=pl.when(pl.col("held_out") == V2_CHECK_LABEL)
        .then(pl.lit(V2_SCHEME))
        .otherwise(pl.lit(FAMILY_SCHEME)),
        size=pl.when(pl.col("params") < SMALL_PARAMS)
        .then(pl.lit(SIZE_SMALL))
        .otherwise(pl.lit(SIZE_LARGE)),
    )
    long = pl.concat(
        [
            held.select(
                "scheme",
                "size",
                "family",
                quantity=pl.lit(q),
                ratio=pl.col(q) / pl.col(f"predicted_{q}"),
            )
            for q in QUANTITIES
        ]
    )
    stats = [
        pl.len().alias("n_rows"),
        (pl.col("ratio") - 1).abs().median().alias("median_abs_error"),
        pl.col("ratio").median().alias("median_ratio"),
        pl.col("ratio").quantile(LOW_Q).alias("ratio_q10"),
        pl.col("ratio").quantile(HIGH_Q).alias("ratio_q90"),
    ]
    per_family = long.group_by("scheme", "size", "family", "quantity").agg(stats)
    overall = long.group_by("scheme", "size", "quantity").agg(stats)
    out = pl.concat([per_family, overall.with_columns(family=pl.lit("all"))], how="diagonal")
    order = {q: i for i, q in enumerate(QUANTITIES)}
    return out.with_columns(n_rows=pl.col("n_rows").cast(pl.Int64)).sort(
        "scheme",
        "size",
        pl.col("family") != "all",
        "family",
        pl.col("quantity").replace_strict(order, return_dtype=pl.Int64),
    )


def _error_summary(errors: pl.DataFrame, scheme: str) -> dict[str, dict[str, float]]:
    """{size: {quantity: median |error|}} of all families together, for the fit's JSON."""
    rows = errors.filter((pl.col("scheme") == scheme) & (pl.col("family") == "all"))
    out: dict[str, dict[str, float]] = {}
    for r in rows.iter_rows(named=True):
        out.setdefault(r["size"], {})[r["quantity"]] = float(r["median_abs_error"])
    return out


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
        "eta_flop) + overhead x (1 + comm x log2 devices) + batch x host time per sequence; "
        "power per device between idle and TDP; calibrated on ML.ENERGY v3 and v2's "
        "sub-8B models (v2's engine with its own host time)"
    )
    # The running batches the calibration rows span (v3's smallest average batch is 7.9):
    # an estimate outside them is an extrapolation and says so.
    batch_min: float = 7.9
    batch_max: float = 3600.0
    # {size: {quantity: median |error|}}, families held out / v2 never fitted
    small_model_holdout_errors: dict[str, dict[str, float]] = field(default_factory=dict)
    small_model_v2_errors: dict[str, dict[str, float]] = field(default_factory=dict)
    # the smallest per-step overhead a measured small-batch row leaves room for at full
    # bandwidth and FLOP rate (0: none measured, the roofline itself); widens extrapolations
    overhead_floor_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServingFit:
        return cls(**data)

    @property
    def serving_params(self) -> ServingParams:
        return ServingParams(**self.params)

    def outside_calibration(self, batch: float) -> bool:
        """Whether a running batch lies outside the batches the fit saw (e.g. batch 1)."""
        return batch < self.batch_min or batch > self.batch_max


def overhead_floor(rows: pl.DataFrame) -> float:
    """The smallest per-step overhead any row at the smallest batches (up to twice the smallest)
    leaves room for: measured step time minus the ideal memory and FLOP times (eta = 1, no
    overhead, no host time). What a batch below the calibrated range could at best reach."""
    small = rows.filter(pl.col("batch") <= 2 * pl.col("batch").min())
    a = arrays(small)
    ideal = ServingParams(eta_bw=1.0, eta_flop=1.0, overhead_s=0.0, comm=0.0)
    t_ideal, _, _ = step_times(a, ideal)
    return float(max(0.0, np.min(a["batch"] / a["tokens_per_s"] - t_ideal)))


def fit_serving(
    rows: pl.DataFrame, v2_rows: pl.DataFrame | None = None, *, fit_small_v2: bool = True
) -> tuple[ServingFit, pl.DataFrame]:
    """Calibrate on the v3 rows (and v2's sub-8B rows, unless ``fit_small_v2`` is off); validate
    by family, by GPU and on the v2 rows never fitted; the cv table holds all."""
    n_v3 = rows.height
    fitted_v2, check_v2 = None, v2_rows
    if v2_rows is not None and v2_rows.height and fit_small_v2:
        fitted_v2, check_v2 = split_v2(v2_rows)
        if fitted_v2.height:
            rows = pl.concat([rows, fitted_v2], how="diagonal_relaxed")
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
    if fitted_v2 is not None and fitted_v2.height:
        # the same family-held-out predictions, under the v2 label the peer table reads
        parts.append(
            by_family.filter(pl.col("legacy_stack") > 0).with_columns(
                held_out=pl.lit(V2_SMALL_LABEL)
            )
        )
    v2_err = None
    if check_v2 is not None and check_v2.height:
        v2 = _predict_frame(check_v2, full, V2_CHECK_LABEL)
        v2_err = float(v2["abs_error"].median())
        parts.append(v2)
    cv = pl.concat(parts, how="diagonal_relaxed")
    cv = validate_frame(FitRowsSchema, cv, "results/inference_fit_cv.parquet")
    errors = small_model_errors(cv)
    share = (in_sample["predicted_power_w"] / (in_sample["devices"] * in_sample["tdp_w"])).max()
    n_rows = {"ML.ENERGY v3": n_v3}
    if fitted_v2 is not None:
        n_rows[V2_FITTED] = fitted_v2.height
    if check_v2 is not None:
        n_rows[V2_CHECK] = check_v2.height
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
        n_rows=n_rows,
        n_models=rows["model"].n_unique(),
        max_power_share_of_tdp=float(share),
        batch_min=float(rows["batch"].min()),
        batch_max=float(rows["batch"].max()),
        small_model_holdout_errors=_error_summary(errors, FAMILY_SCHEME),
        small_model_v2_errors=_error_summary(errors, V2_SCHEME),
        overhead_floor_s=overhead_floor(rows),
    )
    return fit, cv


def interval(fit: ServingFit, value: float) -> tuple[float, float]:
    return value * math.exp(fit.log_q_low), value * math.exp(fit.log_q_high)
