"""Local-device inference (a laptop or desktop running llama.cpp at batch 1), calibrated on local
measurements, not on data-centre GPUs.

The model, per device class (``apple-metal``, ``x86-cpu``, ...):

- decode: each generated token reads every weight once plus the KV cache of the context, so the
  time per token is ``bytes_per_token / (eff_bw * bandwidth) + overhead_s``. ``eff_bw`` in (0, 1]
  is the fraction of the nominal memory bandwidth the engine sustains; ``overhead_s`` is a fixed
  cost per token (kernel launches, synchronisation, sampling) that dominates only small models on
  fast memory. ``overhead_s = 0`` gives the plain roofline ``eff_bw * bandwidth / bytes``.
- prompt processing: compute-bound, ``eff_compute * peak_flops / (2 * params)`` tokens/s.
- energy: ``J/token = idle_w / tokens_per_s + e_byte * bytes_per_token``, i.e. power during decode
  is ``idle_w + e_byte * bytes moved per second``, held between idle and the device's maximum.
  ``e_byte`` (joules per byte read) is fitted on the rows that carry a measured power.

Each parameter is fitted by least squares on the log of the measured quantity, per class. The
held-out error (leave one device out; leave one model out where a class has one device) gives
both the reported accuracy and the interval around every prediction.

Pure: numpy, polars and pandera only. Rows measured here (``origin = "measured-here"``) enter
through the same schema as published ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandera.polars as pa
import polars as pl

from lmfootprint.core.schema import DATE_RE, TableSchema
from lmfootprint.core.validation import TableValidationError, read_csv_checked, validate_frame
from lmfootprint.models.memory import BYTES_PER_PARAM, bytes_per_param

ORIGINS = ["published", "measured-here"]
POWER_SCOPES = ["gpu", "package", "wall"]
QUANTITIES = ["decode_tps", "prompt_tps", "j_per_token"]
# llama.cpp block formats that lmfootprint.models.memory does not list; exact from the block
# layout (32 weights + one fp16 scale, + one fp16 min for the _1 kinds)
EXTRA_BYTES_PER_WEIGHT: dict[str, float] = {
    "q4_1": 5.0 / 8,
    "q5_0": 5.5 / 8,
    "q5_1": 6.0 / 8,
}
# the grid the decode fit searches (bandwidth efficiency, seconds of fixed cost per token)
_EFF_GRID = np.geomspace(0.01, 1.0, 240)
_OVERHEAD_GRID = np.concatenate([[0.0], np.geomspace(1e-5, 0.05, 200)])
INTERVAL_QUANTILE = 0.9
# the fixed cost per token is fitted only where a class has this many rows; below, two constants
# would fit any two points exactly and the held-out error would mean nothing
MIN_ROWS_OVERHEAD = 4


def bytes_per_weight(precision: str) -> float:
    """Bytes one weight takes in a precision: the project's table first (GGUF kinds at their
    bits per weight, scales included), then the llama.cpp block formats it lacks."""
    key = precision.strip().lower()
    if key in EXTRA_BYTES_PER_WEIGHT:
        return EXTRA_BYTES_PER_WEIGHT[key]
    return bytes_per_param(key)


def known_precisions() -> list[str]:
    return sorted({*BYTES_PER_PARAM, *EXTRA_BYTES_PER_WEIGHT})


class LocalMeasurement(TableSchema):
    """One local inference measurement (batch 1): a published row or one measured here."""

    device_id: str
    device_class: str = pa.Field(str_matches=r"^[a-z0-9][a-z0-9-]*$")
    bandwidth_gbps: float = pa.Field(gt=0, le=20_000)
    peak_tflops: float = pa.Field(nullable=True, gt=0, le=5_000)
    engine: str
    precision: str
    params: int = pa.Field(gt=0, lt=10**13)
    prompt_tps: float = pa.Field(nullable=True, gt=0, lt=1e6)
    decode_tps: float = pa.Field(gt=0, lt=1e5)
    power_w: float = pa.Field(nullable=True, gt=0, le=5_000)
    source: str = pa.Field(str_length={"min_value": 3})
    date: str = pa.Field(str_matches=DATE_RE)
    origin: str = pa.Field(isin=ORIGINS)
    # optional columns: descriptions, the bytes actually used, the power's scope and bounds
    device_name: str | None = pa.Field(nullable=True)
    gpu_cores: float | None = pa.Field(nullable=True, gt=0)
    peak_tflops_basis: str | None = pa.Field(nullable=True)
    backend: str | None = pa.Field(nullable=True)
    model: str | None = pa.Field(nullable=True)
    bytes_per_weight: float | None = pa.Field(nullable=True, gt=0, le=4)
    bytes_basis: str | None = pa.Field(nullable=True)
    kv_bytes_per_token: float | None = pa.Field(nullable=True, ge=0)
    context_tokens: float | None = pa.Field(nullable=True, ge=0)
    power_scope: str | None = pa.Field(nullable=True, isin=POWER_SCOPES)
    idle_w: float | None = pa.Field(nullable=True, ge=0)
    max_power_w: float | None = pa.Field(nullable=True, gt=0)
    notes: str | None = pa.Field(nullable=True)

    @pa.dataframe_check
    def precision_known(cls, data: pa.PolarsData) -> pl.LazyFrame:
        cols = data.lazyframe.collect_schema().names()
        given = pl.col("bytes_per_weight").is_not_null() if "bytes_per_weight" in cols else False
        return data.lazyframe.select(
            pl.col("precision").str.to_lowercase().is_in(known_precisions()) | given
        )

    @pa.dataframe_check
    def power_has_scope(cls, data: pa.PolarsData) -> pl.LazyFrame:
        cols = data.lazyframe.collect_schema().names()
        if "power_scope" not in cols:
            return data.lazyframe.select(pl.col("power_w").is_null())
        return data.lazyframe.select(
            pl.col("power_w").is_null() | pl.col("power_scope").is_not_null()
        )

    @pa.dataframe_check
    def power_between_idle_and_max(cls, data: pa.PolarsData) -> pl.LazyFrame:
        cols = data.lazyframe.collect_schema().names()
        ok = pl.lit(True)
        if "idle_w" in cols:
            ok = ok & (
                pl.col("power_w").is_null()
                | pl.col("idle_w").is_null()
                | (pl.col("power_w") >= pl.col("idle_w"))
            )
        if "max_power_w" in cols:
            ok = ok & (
                pl.col("power_w").is_null()
                | pl.col("max_power_w").is_null()
                | (pl.col("power_w") <= pl.col("max_power_w"))
            )
        return data.lazyframe.select(ok)


_OPTIONAL_FLOATS = [
    "peak_tflops",
    "prompt_tps",
    "power_w",
    "gpu_cores",
    "bytes_per_weight",
    "kv_bytes_per_token",
    "context_tokens",
    "idle_w",
    "max_power_w",
]
_OPTIONAL_STRINGS = [
    "device_name",
    "peak_tflops_basis",
    "backend",
    "model",
    "bytes_basis",
    "power_scope",
    "notes",
]


def _complete(rows: pl.DataFrame) -> pl.DataFrame:
    """The optional columns present (as nulls where a table lacks them) and bytes per token."""
    missing = [
        pl.lit(None, dtype=pl.Float64).alias(c) for c in _OPTIONAL_FLOATS if c not in rows.columns
    ]
    missing += [
        pl.lit(None, dtype=pl.Utf8).alias(c) for c in _OPTIONAL_STRINGS if c not in rows.columns
    ]
    df = rows.with_columns(missing) if missing else rows
    bpw = [
        bpw if bpw is not None else bytes_per_weight(prec)
        for bpw, prec in zip(
            df["bytes_per_weight"].to_list(), df["precision"].to_list(), strict=True
        )
    ]
    return df.with_columns(
        bpw_used=pl.Series(bpw, dtype=pl.Float64),
    ).with_columns(
        bytes_per_token=pl.col("params").cast(pl.Float64) * pl.col("bpw_used")
        + pl.col("kv_bytes_per_token").fill_null(0.0) * pl.col("context_tokens").fill_null(0.0),
        group=pl.coalesce(pl.col("model"), pl.col("params").cast(pl.Utf8)),
    )


def roofline_violations(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows whose decode is faster than the memory-bandwidth roofline allows (physically
    impossible at the stated bandwidth and bytes per weight)."""
    df = _complete(rows)
    return df.filter(
        pl.col("decode_tps") * pl.col("bytes_per_token") > pl.col("bandwidth_gbps") * 1e9 * 1.0001
    )


def validate_local(rows: pl.DataFrame, where: str = "local measurements") -> pl.DataFrame:
    """Schema, then physics: no decode beyond the bandwidth roofline."""
    df = validate_frame(LocalMeasurement, rows, where)
    bad = roofline_violations(df)
    if bad.height:
        raise TableValidationError(
            f"{where}: decode faster than the bandwidth roofline in {bad.height} row(s): "
            f"{bad.select('device_id', 'precision', 'params', 'decode_tps').to_dicts()}"
        )
    return df


def load_published_local(path: str | Path) -> pl.DataFrame:
    """resources/local/published_local.csv, validated (schema and roofline)."""
    df = read_csv_checked(path, LocalMeasurement)
    return validate_local(df, str(path))


# ---------------------------------------------------------------- fitting


@dataclass(frozen=True)
class ClassFit:
    """The fitted constants of one device class."""

    device_class: str
    eff_bw: float
    overhead_s: float
    eff_compute: float | None
    e_byte_j: float | None
    n_decode: int
    n_prompt: int
    n_power: int
    devices: tuple[str, ...]


@dataclass(frozen=True)
class LocalFit:
    classes: dict[str, ClassFit]
    heldout: pl.DataFrame  # per device: see heldout_errors
    heldout_rows: pl.DataFrame  # one row per held-out prediction
    interval_log: dict[tuple[str, str], float] = field(default_factory=dict)
    overhead: bool = True

    def interval(self, device_class: str, quantity: str) -> float | None:
        """Half-width (in natural-log units) of the interval of a prediction: the
        INTERVAL_QUANTILE quantile of that class's held-out absolute log errors."""
        return self.interval_log.get((device_class, quantity))


def _decode_seconds(bytes_per_token, bandwidth_gbps, eff, overhead_s):
    return np.asarray(bytes_per_token) / (eff * np.asarray(bandwidth_gbps) * 1e9) + overhead_s


def _fit_decode(
    bytes_tok: np.ndarray, bw: np.ndarray, tps: np.ndarray, overhead: bool
) -> tuple[float, float]:
    """(eff_bw, overhead_s) minimising the squared log error of seconds per token, eff in (0, 1]."""
    x = bytes_tok / (bw * 1e9)  # seconds per token at the full nominal bandwidth
    log_t = np.log(1.0 / tps)
    if not overhead or len(x) < MIN_ROWS_OVERHEAD:
        # closed form for eff alone, held to (0, 1]
        eff = float(np.exp(np.mean(np.log(x) - log_t)))
        return min(eff, 1.0), 0.0
    eff_g, ov_g = _EFF_GRID, _OVERHEAD_GRID
    best = (np.inf, 1.0, 0.0)
    for _ in range(3):  # coarse grid, then two finer grids around the best point
        pred = x[None, None, :] / eff_g[:, None, None] + ov_g[None, :, None]
        sse = ((np.log(pred) - log_t[None, None, :]) ** 2).sum(axis=2)
        i, j = np.unravel_index(np.argmin(sse), sse.shape)
        if sse[i, j] < best[0]:
            best = (float(sse[i, j]), float(eff_g[i]), float(ov_g[j]))
        eff_c, ov_c = best[1], best[2]
        eff_g = np.clip(np.geomspace(eff_c / 1.1, eff_c * 1.1, 81), 1e-3, 1.0)
        ov_g = np.unique(
            np.concatenate([[0.0], np.linspace(max(ov_c * 0.8 - 2e-5, 0.0), ov_c * 1.2 + 2e-5, 81)])
        )
    return best[1], best[2]


def _log_mean(values: np.ndarray) -> float:
    return float(np.exp(np.mean(np.log(values))))


def _fit_class(df: pl.DataFrame, overhead: bool) -> ClassFit:
    eff, ov = _fit_decode(
        df["bytes_per_token"].to_numpy(),
        df["bandwidth_gbps"].to_numpy(),
        df["decode_tps"].to_numpy(),
        overhead,
    )
    pp = df.filter(pl.col("prompt_tps").is_not_null() & pl.col("peak_tflops").is_not_null())
    eff_c = (
        _log_mean(
            pp["prompt_tps"].to_numpy()
            * 2
            * pp["params"].to_numpy()
            / (pp["peak_tflops"].to_numpy() * 1e12)
        )
        if pp.height
        else None
    )
    pw = df.filter(pl.col("power_w").is_not_null())
    e_byte = None
    if pw.height:
        active = pw["power_w"].to_numpy() - pw["idle_w"].fill_null(0.0).to_numpy()
        moved = pw["decode_tps"].to_numpy() * pw["bytes_per_token"].to_numpy()
        e_byte = _log_mean(np.clip(active, 1e-3, None) / moved)
    return ClassFit(
        device_class=df["device_class"][0],
        eff_bw=eff,
        overhead_s=ov,
        eff_compute=eff_c,
        e_byte_j=e_byte,
        n_decode=df.height,
        n_prompt=pp.height,
        n_power=pw.height,
        devices=tuple(sorted(df["device_id"].unique().to_list())),
    )


def _fit_all(df: pl.DataFrame, overhead: bool) -> dict[str, ClassFit]:
    return {
        cls: _fit_class(part, overhead)
        for (cls,), part in df.sort("device_class").group_by("device_class", maintain_order=True)
    }


def _predict_rows(cf: ClassFit, df: pl.DataFrame) -> pl.DataFrame:
    """decode_tps, prompt_tps and j_per_token of measured rows, from one class's constants."""
    sec = _decode_seconds(
        df["bytes_per_token"].to_numpy(), df["bandwidth_gbps"].to_numpy(), cf.eff_bw, cf.overhead_s
    )
    tps = 1.0 / sec
    out = df.with_columns(pred_decode_tps=pl.Series(tps))
    if cf.eff_compute is not None:
        out = out.with_columns(
            pred_prompt_tps=cf.eff_compute
            * pl.col("peak_tflops")
            * 1e12
            / (2 * pl.col("params").cast(pl.Float64))
        )
    else:
        out = out.with_columns(pred_prompt_tps=pl.lit(None, dtype=pl.Float64))
    if cf.e_byte_j is not None:
        idle = pl.col("idle_w").fill_null(0.0)
        power = idle + cf.e_byte_j * pl.col("bytes_per_token") * pl.col("pred_decode_tps")
        power = (
            pl.when(pl.col("max_power_w").is_not_null())
            .then(pl.min_horizontal(power, pl.col("max_power_w")))
            .otherwise(power)
        )
        out = out.with_columns(pred_j_per_token=power / pl.col("pred_decode_tps"))
    else:
        out = out.with_columns(pred_j_per_token=pl.lit(None, dtype=pl.Float64))
    return out


def _heldout_rows(df: pl.DataFrame, overhead: bool) -> pl.DataFrame:
    """Each row predicted by a fit of its class that never saw its device (or, in a class of one
    device, its model)."""
    parts = []
    for _, part in df.sort("device_class").group_by("device_class", maintain_order=True):
        devices = part["device_id"].unique().sort().to_list()
        if len(devices) > 1:
            key, scheme, groups = "device_id", "leave-one-device-out", devices
        else:
            key, scheme, groups = (
                "group",
                "leave-one-model-out",
                part["group"].unique().sort().to_list(),
            )
        for g in groups:
            train = part.filter(pl.col(key) != g)
            test = part.filter(pl.col(key) == g)
            if train.height == 0:
                continue
            cf = _fit_class(train, overhead)
            pred = _predict_rows(cf, test).with_columns(
                measured_j_per_token=pl.col("power_w") / pl.col("decode_tps"), scheme=pl.lit(scheme)
            )
            for q, obs in [
                ("decode_tps", "decode_tps"),
                ("prompt_tps", "prompt_tps"),
                ("j_per_token", "measured_j_per_token"),
            ]:
                got = pred.filter(pl.col(obs).is_not_null() & pl.col(f"pred_{q}").is_not_null())
                if got.height:
                    parts.append(
                        got.select(
                            "device_class",
                            "device_id",
                            "group",
                            "scheme",
                            "source",
                            pl.lit(q).alias("quantity"),
                            pl.col(obs).cast(pl.Float64).alias("measured"),
                            pl.col(f"pred_{q}").cast(pl.Float64).alias("predicted"),
                        )
                    )
    if not parts:
        return pl.DataFrame(
            schema={
                "device_class": pl.Utf8,
                "device_id": pl.Utf8,
                "group": pl.Utf8,
                "scheme": pl.Utf8,
                "source": pl.Utf8,
                "quantity": pl.Utf8,
                "measured": pl.Float64,
                "predicted": pl.Float64,
                "log_error": pl.Float64,
            }
        )
    return pl.concat(parts).with_columns(log_error=(pl.col("predicted") / pl.col("measured")).log())


def _summarise(rows: pl.DataFrame) -> pl.DataFrame:
    return (
        rows.group_by("device_class", "device_id", "quantity", "scheme")
        .agg(
            n=pl.len(),
            median_abs_log_error=pl.col("log_error").abs().median(),
            max_abs_log_error=pl.col("log_error").abs().max(),
            median_ratio=pl.col("log_error").median().exp(),
        )
        .with_columns(
            median_error_factor=pl.col("median_abs_log_error").exp(),
            max_error_factor=pl.col("max_abs_log_error").exp(),
        )
        .sort("device_class", "quantity", "device_id")
    )


def heldout_errors(rows: pl.DataFrame, *, overhead: bool = True) -> pl.DataFrame:
    """Per device and quantity (decode_tps, prompt_tps, j_per_token): how many rows, the median
    and maximum absolute log error (and as factors), and the median predicted/measured ratio, each
    row predicted by a fit of its class that excluded its device (leave-one-model-out where the
    class has one device)."""
    df = _complete(validate_local(rows))
    return _summarise(_heldout_rows(df, overhead))


def fit_local(rows: pl.DataFrame, *, overhead: bool = True) -> LocalFit:
    """Per-class constants fitted on every row, with the held-out errors and the intervals they
    give. ``overhead=False`` fits the plain roofline (no fixed cost per token)."""
    df = _complete(validate_local(rows))
    classes = _fit_all(df, overhead)
    held = _heldout_rows(df, overhead)
    interval = {
        (r["device_class"], r["quantity"]): float(r["q"])
        for r in held.group_by("device_class", "quantity")
        .agg(q=pl.col("log_error").abs().quantile(INTERVAL_QUANTILE, interpolation="linear"))
        .to_dicts()
    }
    return LocalFit(
        classes=classes,
        heldout=_summarise(held),
        heldout_rows=held,
        interval_log=interval,
        overhead=overhead,
    )


def efficiencies(fit: LocalFit) -> pl.DataFrame:
    """The fitted constants, one row per class."""
    return pl.DataFrame(
        [
            {
                "device_class": c.device_class,
                "eff_bw": c.eff_bw,
                "overhead_ms": c.overhead_s * 1e3,
                "eff_compute": c.eff_compute,
                "e_byte_pj": None if c.e_byte_j is None else c.e_byte_j * 1e12,
                "n_decode": c.n_decode,
                "n_prompt": c.n_prompt,
                "n_power": c.n_power,
                "n_devices": len(c.devices),
            }
            for c in fit.classes.values()
        ]
    )


# ---------------------------------------------------------------- prediction


def _band(value: float | None, half_log: float | None) -> tuple[float | None, float | None]:
    if value is None or half_log is None or not math.isfinite(half_log):
        return None, None
    return value * math.exp(-half_log), value * math.exp(half_log)


def predict_local(
    fit: LocalFit,
    *,
    device_class: str,
    bandwidth_gbps: float,
    peak_tflops: float | None,
    power_w: float | None,
    idle_w: float | None,
    params: float,
    precision: str,
    prompt_tokens: int,
    response_tokens: int,
    kv_bytes_per_token: float = 0.0,
    bytes_per_weight_used: float | None = None,
) -> dict[str, Any]:
    """Speed and energy of one batch-1 response on a local device.

    ``power_w`` is the device's maximum power under load (package, or the scope the class was
    fitted on): decode power is capped at it and prompt processing, compute-bound, is taken at
    it. ``idle_w`` is the floor (0 where the scope is the GPU alone). ``kv_bytes_per_token`` is
    the KV cache one context token holds; each decode step reads it for the whole context
    (taken at its mean, prompt + response / 2).
    Returns tokens/s, power, J/token, seconds and joules per response, each with the interval
    from the class's held-out error (None where no held-out error exists)."""
    if device_class not in fit.classes:
        raise ValueError(f"no fit for device class {device_class!r}; fitted: {sorted(fit.classes)}")
    if min(bandwidth_gbps, params) <= 0 or min(prompt_tokens, response_tokens) < 0:
        raise ValueError("bandwidth and params must be positive, token counts non-negative")
    cf = fit.classes[device_class]
    bpw = (
        bytes_per_weight_used if bytes_per_weight_used is not None else bytes_per_weight(precision)
    )
    context = prompt_tokens + response_tokens / 2.0
    bytes_tok = params * bpw + kv_bytes_per_token * context
    decode_tps = float(1.0 / _decode_seconds(bytes_tok, bandwidth_gbps, cf.eff_bw, cf.overhead_s))
    roofline_tps = bandwidth_gbps * 1e9 / bytes_tok
    prompt_tps = (
        cf.eff_compute * peak_tflops * 1e12 / (2 * params)
        if cf.eff_compute is not None and peak_tflops is not None
        else None
    )
    idle = idle_w or 0.0
    power = None
    capped = False
    if cf.e_byte_j is not None:
        power = idle + cf.e_byte_j * bytes_tok * decode_tps
        if power_w is not None and power > power_w:
            power, capped = power_w, True
    elif power_w is not None:
        power, capped = power_w, True  # no fitted energy per byte: the maximum, an upper bound
    j_tok = power / decode_tps if power is not None else None
    t_prompt = prompt_tokens / prompt_tps if prompt_tps else None
    t_decode = response_tokens / decode_tps
    seconds = t_decode + (t_prompt or 0.0)
    prefill_power = power_w if power_w is not None else power
    joules = None
    if j_tok is not None:
        joules = j_tok * response_tokens + (
            prefill_power * t_prompt if t_prompt and prefill_power else 0.0
        )
    q_dec = fit.interval(device_class, "decode_tps")
    q_pp = fit.interval(device_class, "prompt_tps")
    q_j = fit.interval(device_class, "j_per_token")
    dec_lo, dec_hi = _band(decode_tps, q_dec)
    pp_lo, pp_hi = _band(prompt_tps, q_pp)
    j_lo, j_hi = _band(j_tok, q_j)
    sec_lo = sec_hi = None
    if dec_lo is not None:
        t_pp_fast = prompt_tokens / pp_hi if pp_hi else (t_prompt or 0.0)
        t_pp_slow = prompt_tokens / pp_lo if pp_lo else (t_prompt or 0.0)
        sec_lo = response_tokens / dec_hi + t_pp_fast
        sec_hi = response_tokens / dec_lo + t_pp_slow
    jr_lo, jr_hi = _band(joules, q_j)
    return {
        "device_class": device_class,
        "bytes_per_weight": bpw,
        "bytes_per_token": bytes_tok,
        "roofline_decode_tps": roofline_tps,
        "decode_tps": decode_tps,
        "decode_tps_low": dec_lo,
        "decode_tps_high": dec_hi,
        "prompt_tps": prompt_tps,
        "prompt_tps_low": pp_lo,
        "prompt_tps_high": pp_hi,
        "power_w": power,
        "power_capped": capped,
        "j_per_token": j_tok,
        "j_per_token_low": j_lo,
        "j_per_token_high": j_hi,
        "seconds_per_response": seconds,
        "seconds_per_response_low": sec_lo,
        "seconds_per_response_high": sec_hi,
        "joules_per_response": joules,
        "joules_per_response_low": jr_lo,
        "joules_per_response_high": jr_hi,
        "eff_bw": cf.eff_bw,
        "overhead_s": cf.overhead_s,
        "eff_compute": cf.eff_compute,
        "e_byte_j": cf.e_byte_j,
        "provenance": "estimated",
        "method": (
            f"local-device model ({device_class}): decode = bytes/(eff_bw x bandwidth) + overhead; "
            "prefill = eff_compute x peak / (2 params); J/token = idle/tps + e_byte x bytes; "
            f"interval = held-out |log error| q{int(INTERVAL_QUANTILE * 100)}"
        ),
    }
