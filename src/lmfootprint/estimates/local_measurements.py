"""The rows the local-device model is calibrated on: published local measurements, the ladder
recorded on this project's machine, and this run's own llama.cpp rows.

A run that measured a GGUF ladder here calibrates on its own rows (they replace a recorded
ladder of the same machine); one that did not falls back on the recorded ladder, and the
report says which. Only clean rows calibrate: fixed-length generations (a replay's tokens/s
includes prompt processing), no noise or contention flag.
"""

from __future__ import annotations

import platform
import re

import polars as pl

from lmfootprint.core.validation import validate_frame
from lmfootprint.estimates.local_device import LocalMeasurement, validate_local

RUN_SOURCE = "measured in this run (results/inference.parquet)"


def cpu_class(machine: str | None = None) -> str:
    """The local-device class of a CPU running llama.cpp: x86-cpu or arm-cpu."""
    arch = (machine or platform.machine()).lower()
    return "arm-cpu" if arch in ("arm64", "aarch64") else "x86-cpu"


def device_class_of(hardware_name: str) -> str:
    """The class a local scenario's hardware is modelled with: Apple silicon runs llama.cpp
    on its GPU through Metal (GPT4All, LM Studio and Ollama do), other laptops on the CPU."""
    return "apple-metal" if "apple" in hardware_name.lower() else "x86-cpu"


def device_id(hardware: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", hardware.lower()).strip("-")


# what a GGUF ladder row keeps (results/local/ladder.parquet, and the recorded ladder
# resources/local/measured_here_ladder.csv): the benchmark columns the calibration and the
# report read, and the bandwidth the machine was measured at
LADDER_COLUMNS = [
    "model_id",
    "device",
    "params_total",
    "hardware",
    "workload",
    "quantization",
    "status",
    "batch_size",
    "threads",
    "weights",
    "weights_gb",
    "input_tokens",
    "output_tokens",
    "repeats",
    "ttft_s",
    "tokens_per_s",
    "decode_tokens_per_s",
    "j_per_token",
    "avg_power_w",
    "idle_power_w",
    "responses",
    "prompt_tokens_mean",
    "response_tokens_mean",
    "seconds_per_response",
    "j_per_response",
    "noise",
    "flags",
    "provenance",
    "energy_method",
    "measured_at",
]


def ladder_rows(inference: pl.DataFrame, *, bandwidth_gbps: float, source: str) -> pl.DataFrame:
    """The run's measured GGUF rows (fixed lengths and replays), with the bandwidth of the
    machine and where they come from."""
    return inference.filter(
        (pl.col("status") == "ok") & pl.col("quantization").is_not_null()
    ).select(
        *LADDER_COLUMNS,
        bandwidth_gbps=pl.lit(float(bandwidth_gbps)),
        source=pl.lit(source),
    )


def measured_rows(ladder: pl.DataFrame, *, device_class: str) -> pl.DataFrame:
    """A ladder's clean rows as calibration rows (origin measured-here): fixed lengths (a
    replay's tokens/s includes prompt processing), batch 1, no noise or contention flag.
    ``device_class`` is the CPU's; rows measured on ``mps`` (Metal) are apple-metal."""
    if "device" not in ladder.columns:  # a ladder recorded before devices other than cpu
        ladder = ladder.with_columns(device=pl.lit("cpu"))
    metal = pl.col("device") == "mps"
    ok = ladder.filter(
        (pl.col("status") == "ok")
        & pl.col("quantization").is_not_null()
        & pl.col("responses").is_null()
        & pl.col("flags").is_null()
        & (pl.col("batch_size") == 1)
    )
    measured = pl.col("provenance") == "measured"
    rows = ok.select(
        device_id=pl.col("hardware").map_elements(device_id, return_dtype=pl.String),
        device_class=pl.when(metal).then(pl.lit("apple-metal")).otherwise(pl.lit(device_class)),
        bandwidth_gbps=pl.col("bandwidth_gbps").cast(pl.Float64),
        peak_tflops=pl.lit(None, dtype=pl.Float64),
        engine=pl.lit("llama.cpp"),
        precision=pl.col("quantization"),
        params=pl.col("params_total").cast(pl.Int64),
        # time to first token: the prompt's processing and one step
        prompt_tps=(pl.col("input_tokens") / pl.col("ttft_s")).cast(pl.Float64),
        decode_tps=pl.col("decode_tokens_per_s").cast(pl.Float64),
        power_w=pl.when(measured).then(pl.col("avg_power_w")).otherwise(None),
        source=pl.col("source"),
        date=pl.col("measured_at").str.slice(0, 10),
        origin=pl.lit("measured-here"),
        device_name=pl.col("hardware"),
        backend=pl.when(metal).then(pl.lit("Metal")).otherwise(pl.lit("CPU")),
        model=pl.col("model_id"),
        # the file as llama.cpp maps it: fallback tensor types included
        bytes_per_weight=pl.col("weights_gb") * 1e9 / pl.col("params_total"),
        bytes_basis=pl.lit("GGUF file size / parameters"),
        power_scope=pl.when(measured).then(pl.lit("package")).otherwise(None),
        idle_w=pl.when(measured).then(pl.col("idle_power_w")).otherwise(None),
        notes=pl.format("{} threads, {}; energy: {}", "threads", "weights", "energy_method"),
    )
    return validate_frame(LocalMeasurement, rows, "local measurements of this machine")


def calibration_rows(
    published: pl.DataFrame, recorded: pl.DataFrame, this_run: pl.DataFrame
) -> pl.DataFrame:
    """Every calibration row; a recorded ladder of a machine this run measured again is
    replaced by this run's rows."""
    fresh = set(this_run["device_id"].to_list()) if this_run.height else set()
    kept = recorded.filter(~pl.col("device_id").is_in(list(fresh))) if recorded.height else recorded
    frames = [published, kept, this_run]
    both = pl.concat([f for f in frames if f.height], how="diagonal_relaxed")
    return validate_local(both, "local calibration rows")


def class_errors(heldout: pl.DataFrame) -> pl.DataFrame:
    """Per device class and quantity: how many devices were held out, the median of their
    median error factors and the worst factor (what the report shows)."""
    return (
        heldout.group_by("device_class", "quantity")
        .agg(
            devices=pl.col("device_id").n_unique(),
            median=pl.col("median_error_factor").median(),
            worst=pl.col("max_error_factor").max(),
        )
        .sort("device_class", "quantity")
    )
