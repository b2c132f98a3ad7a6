"""Inference stage: one benchmark job per (model, device, workload), then the table."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
import psutil

from lmfootprint.benchmark.harness import (
    BYTES,
    TransformersRunner,
    Workload,
    idle_baseline,
    load_model,
    peak_memory_gb,
    predicted_memory_gb,
    run_benchmark,
    skip_reason,
    summarise,
)
from lmfootprint.benchmark.meters import meter_for
from lmfootprint.benchmark.schemas import InferenceSchema
from lmfootprint.core.validation import frame_from_rows, read_parquet_checked, validate_frame

log = logging.getLogger(__name__)

DEFAULT_W_PER_THREAD = 4.0  # CodeCarbon's fallback when a CPU is not in its TDP table


def device_slug(device: str) -> str:
    return device.replace(":", "")


def cpu_tdp(
    config_tdp_w: float | None, threads: int, cpu_model: str = "", table: str | Path | None = None
) -> tuple[float, str]:
    """The config's value, else CodeCarbon's table entry for this CPU, else 4 W per thread."""
    if config_tdp_w:
        return float(config_tdp_w), "benchmark.cpu_tdp_w in the config"
    if table is not None and cpu_model:
        from lmfootprint.reference.hardware_table import lookup_cpu_tdp

        found = lookup_cpu_tdp(cpu_model, table)
        if found:
            return found
    return (
        DEFAULT_W_PER_THREAD * threads,
        f"fallback {DEFAULT_W_PER_THREAD:g} W per thread x {threads}",
    )


def _empty_row(
    model: dict[str, Any], hw: dict[str, Any], workload: Workload, dtype: str, threads: int
) -> dict[str, Any]:
    return {
        "model_id": model["model_id"],
        "slug": model["slug"],
        "params_total": model["params_total"],
        "size_class": model["size_class"],
        "device": hw["device"],
        "hardware": hw["hardware"],
        "workload": workload.name,
        "input_tokens": workload.input_tokens,
        "output_tokens": workload.output_tokens,
        "dtype": dtype,
        "backend": workload.backend,
        "quantization": workload.quantization,
        "threads": threads,
    }


def benchmark_job(
    *,
    model: dict[str, Any],
    hardware: dict[str, Any],
    config_path: Path,
    weights_dir: Path | None,
    workload: Workload,
    dtype: str,
    threads: int,
    max_params: float,
    cpu_tdp_w: float | None,
    ram_w_per_gb: float,
    idle_seconds_max: float,
    seed: int = 0,
    cpu_tdp_table: str | Path | None = None,
    memory_bandwidth_gbps: float | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(summary rows, raw per-repeat rows) for one job; a skip yields one row with its reason."""
    # never more threads than the machine has (`--cores 4` on a 2-core machine oversubscribes)
    threads = max(1, min(threads, hardware["cpu_logical_cores"]))
    if workload.backend == "llama_cpp":
        dtype = workload.quantization or "f16"
    base = _empty_row(model, hardware, workload, dtype, threads)
    available = (
        psutil.virtual_memory().available / 1e9
        if hardware["gpu"] is None
        else hardware["gpu"]["memory_gb"]
    )
    reason = skip_reason(
        model,
        max_params=max_params,
        available_gb=available,
        dtype=dtype,
        workload=workload,
        device_available=hardware["available"],
        device_reason=hardware.get("unavailable_reason"),
    )
    if not reason and workload.backend == "llama_cpp":
        reason = _llama_cpp_reason(config_path, weights_dir, hardware)
    if reason:
        log.info("%s on %s: skipped: %s", model["model_id"], hardware["device"], reason)
        return validate_frame(
            InferenceSchema,
            _frame([{**base, "status": "skipped", "skip_reason": reason}]),
            "inference",
        ), pl.DataFrame()
    import torch

    torch.set_num_threads(threads)
    device = hardware["device"]
    tdp, tdp_source = cpu_tdp(
        cpu_tdp_w, hardware["cpu_logical_cores"], hardware["cpu_model"], cpu_tdp_table
    )
    meter = meter_for(
        device,
        cpu_tdp_w=tdp,
        tdp_source=tdp_source,
        ram_gb=hardware["ram_gb"],
        ram_w_per_gb=ram_w_per_gb,
    )
    with tempfile.TemporaryDirectory(prefix="lmfootprint-gguf-") as scratch:
        runner, weights, weights_gb = _runner(
            model, config_path, weights_dir, workload, dtype, device, threads, seed, Path(scratch)
        )
        log.info(
            "%s: %s backend, %s weights, %s, %d threads, meter: %s",
            model["model_id"],
            workload.backend,
            weights,
            dtype,
            threads,
            meter.method,
        )
        raw = pl.DataFrame(run_benchmark(runner, workload=workload, meter=meter))
        del runner
    window = min(idle_seconds_max, raw.filter(pl.col("phase") == "full")["seconds"].median())
    idle = idle_baseline(meter, window)
    idle_w = idle.joules / idle.seconds
    summary = summarise(raw, output_tokens=workload.output_tokens, idle_power_w=idle_w)
    kv_per_token = model["kv_cache_gb"] / (
        model["memory_context_tokens"] * model["memory_batch_size"]
    )
    device_tdp = hardware["gpu"]["power_limit_w"] if hardware["gpu"] else tdp
    weight_bytes = weights_gb * 1e9
    if memory_bandwidth_gbps:
        roofline = pl.col("batch_size") * memory_bandwidth_gbps * 1e9 / weight_bytes
        plausibility = pl.lit(f"roofline at {memory_bandwidth_gbps:g} GB/s")
    else:
        roofline = pl.lit(None, dtype=pl.Float64)
        plausibility = pl.lit("roofline unchecked: memory bandwidth unknown")
    summary = summary.with_columns(
        **{k: pl.lit(v) for k, v in base.items()},
        status=pl.lit("ok"),
        skip_reason=pl.lit(None, dtype=pl.String),
        weights=pl.lit(weights),
        energy_method=pl.lit(meter.method),
        provenance=pl.lit(meter.kind),
        peak_memory_gb=pl.lit(peak_memory_gb(device)),
        predicted_memory_gb=pl.col("batch_size").map_elements(
            lambda b: (
                predicted_memory_gb(
                    model["params_total"],
                    dtype,
                    kv_per_token,
                    b * (workload.input_tokens + workload.output_tokens),
                )
                / 1.2
            ),
            return_dtype=pl.Float64,
        ),
        weights_gb=pl.lit(weights_gb),
        device_tdp_w=pl.lit(device_tdp, dtype=pl.Float64),
        roofline_tokens_per_s=roofline,
        plausibility=plausibility,
        measured_at=pl.lit(dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
    )
    raw = raw.with_columns(
        model_id=pl.lit(model["model_id"]),
        device=pl.lit(device),
        workload=pl.lit(workload.name),
        idle_power_w=pl.lit(idle_w),
    )
    return validate_frame(InferenceSchema, _frame(summary.to_dicts()), "inference"), raw


def _llama_cpp_reason(config_path: Path, weights_dir: Path | None, hardware: dict) -> str | None:
    from lmfootprint.benchmark.llama_cpp import unsupported_reason
    from lmfootprint.models.architecture import read_config_json

    if hardware["gpu"] is not None:
        return "the llama_cpp backend runs on the CPU here (built without CUDA)"
    if weights_dir and any(Path(weights_dir).glob("*.gguf")):
        return None
    return unsupported_reason(read_config_json(config_path))


def _runner(model, config_path, weights_dir, workload, dtype, device, threads, seed, scratch):
    """(runner, weights label, weight GB): the backend the workload names, ready to run."""
    if workload.backend == "llama_cpp":
        from lmfootprint.benchmark.llama_cpp import LlamaCppRunner, prepare_gguf
        from lmfootprint.models.architecture import read_config_json

        path, weights = prepare_gguf(
            read_config_json(config_path), weights_dir, dtype, scratch, threads=threads, seed=seed
        )
        runner = LlamaCppRunner(
            path,
            threads=threads,
            input_tokens=workload.input_tokens,
            output_tokens=workload.output_tokens,
            seed=seed,
        )
        return runner, weights, path.stat().st_size / 1e9  # the file as llama.cpp maps it
    net, weights = load_model(config_path, weights_dir, dtype, device, seed)
    runner = TransformersRunner(
        net,
        vocab_size=model["vocab_size"],
        device=device,
        input_tokens=workload.input_tokens,
        seed=seed,
    )
    return runner, weights, model["params_total"] * BYTES[dtype] / 1e9


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return frame_from_rows(InferenceSchema, rows)


def inference_table(paths: list[str | Path]) -> pl.DataFrame:
    frames = [read_parquet_checked(p, InferenceSchema) for p in paths]
    df = pl.concat(frames, how="vertical_relaxed") if frames else _frame([])
    return validate_frame(InferenceSchema, df, "results/inference.parquet")


def load_inference(path: str | Path) -> pl.DataFrame:
    from lmfootprint.core.validation import read_parquet_checked

    return read_parquet_checked(path, InferenceSchema)
