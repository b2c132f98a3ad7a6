"""Inference stage: one benchmark job per (model, device, workload), then the table."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from lmfootprint.benchmark.backend import Backend, BackendJob
from lmfootprint.benchmark.budget import budget_reason
from lmfootprint.benchmark.detect_hardware import DeviceMissingError, Machine
from lmfootprint.benchmark.harness import (
    idle_baseline,
    peak_memory_gb,
    run_benchmark,
    run_replay,
    skip_reason,
    summarise,
    summarise_replay,
)
from lmfootprint.benchmark.job_settings import JobSettings
from lmfootprint.benchmark.meters import DOMAINS, meter_for
from lmfootprint.benchmark.registry import make_backend
from lmfootprint.benchmark.same_compute import same_compute_reason
from lmfootprint.benchmark.schemas import InferenceSchema
from lmfootprint.benchmark.workload import Workload, context_reason
from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.validation import (
    frame_from_rows,
    read_parquet_checked,
    read_parquet_part,
    validate_frame,
    validate_parts,
)

log = logging.getLogger(__name__)

DEFAULT_W_PER_THREAD = 4.0  # CodeCarbon's fallback when a CPU is not in its TDP table
# our dtypes as ML.ENERGY's weight_precision names them (quantisations keep their own name)
WEIGHT_PRECISION = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16", "f16": "float16"}


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
    model: dict[str, Any], machine: Machine, workload: Workload, dtype: str, threads: int
) -> dict[str, Any]:
    return {
        "model_id": model["model_id"],
        "slug": model["slug"],
        "params_total": model["params_total"],
        "size_class": model["size_class"],
        "device": machine.device,
        "hardware": machine.hardware,
        "workload": workload.name,
        "input_tokens": workload.input_tokens,
        "output_tokens": workload.output_tokens,
        "dtype": dtype,
        "backend": workload.backend,
        "quantization": workload.quantization,
        "threads": threads,
        "total_params_b": model["params_total"] / 1e9,
        "weight_precision": WEIGHT_PRECISION.get(dtype, dtype),
        "gpu_model": machine.gpu.name if machine.gpu else None,
        "num_gpus": 1 if machine.gpu else 0,
        "parallelization": "TP=1;EP=1;DP=1" if machine.gpu else None,
    }


def why_not_run(backend: Backend, machine: Machine, *, max_params: float) -> str | None:
    """The first reason this job is skipped: the device, the model's size and predicted
    memory (backend-neutral), a workload longer than the model's context, then what the
    backend itself cannot run."""
    job = backend.job
    return (
        skip_reason(
            job.model,
            max_params=max_params,
            available_gb=machine.usable_memory_gb(),
            predicted_gb=backend.predicted_memory_gb(max(job.workload.batch_sizes)),
            device_available=machine.available,
            device_reason=machine.unavailable_reason,
        )
        or context_reason(job.model, job.workload)
        or backend.skip_reason(machine)
    )


def benchmark_job(
    *,
    model: dict[str, Any],
    machine: Machine,
    config_path: Path,
    weights_dir: Path | None,
    workload: Workload,
    settings: JobSettings,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(summary rows, raw per-repeat rows) for one job; a skip yields one row with its reason.
    ``machine`` is what this job detected where it runs: a configured device that is absent is
    an error, or a skip row with ``settings.skip_missing_devices``."""
    if not machine.available and not settings.skip_missing_devices:
        raise DeviceMissingError(
            f"configured benchmark device {machine.device} is absent where the job runs: "
            f"{machine.unavailable_reason}. Run on a node that has it (on Slurm, the "
            f"benchmark job asks for a GPU), drop it from benchmark.devices, or set "
            f"benchmark.skip_missing_devices: true to record a skip row instead"
        )
    # never more threads than the machine has (`--cores 4` on a 2-core machine oversubscribes)
    threads = max(1, min(settings.threads, machine.cpu_logical_cores))
    device = machine.target
    backend = make_backend(
        BackendJob(
            model=model,
            config_path=config_path,
            weights_dir=weights_dir,
            workload=workload,
            dtype=settings.dtype,
            device=device.name,
            threads=threads,
            seed=settings.seed,
            cache_dir=Path(settings.gguf_cache) if settings.gguf_cache else None,
        )
    )
    base = _empty_row(model, machine, workload, backend.dtype, threads)
    reason = why_not_run(backend, machine, max_params=settings.max_params)
    if reason:
        log.info("%s on %s: skipped: %s", model["model_id"], device, reason)
        return validate_frame(
            InferenceSchema,
            _frame([{**base, "status": "skipped", "skip_reason": reason}]),
            "inference",
        ), pl.DataFrame()
    tdp, tdp_source = cpu_tdp(
        settings.cpu_tdp_w, machine.cpu_logical_cores, machine.cpu_model, settings.cpu_tdp_table
    )
    meter = meter_for(
        device,
        cpu_tdp_w=tdp,
        tdp_source=tdp_source,
        ram_gb=machine.ram_gb,
        ram_w_per_gb=settings.ram_w_per_gb,
        use_zeus=settings.use_zeus,
    )
    with tempfile.TemporaryDirectory(prefix="lmfootprint-scratch-") as scratch:
        prepared = backend.prepare(Path(scratch))
        log.info("%s: %s, meter: %s", model["model_id"], backend.describe(), meter.method)
        try:
            run = run_replay if workload.replay else run_benchmark
            raw = pl.DataFrame(run(backend, workload=workload, meter=meter)).cast(
                {f"{d}_j": pl.Float64 for d in DOMAINS}
            )
        finally:
            backend.close()
    # the idle window: as long as one timed generation (a full one, or one replayed response)
    timed = raw.filter(pl.col("phase") != "prefill")["seconds"]
    window = min(settings.idle_seconds_max, timed.median())
    idle = idle_baseline(meter, window)
    idle_w = idle.joules / idle.seconds
    if workload.replay:
        summary = summarise_replay(raw, idle_power_w=idle_w, target_noise=workload.target_noise)
    else:
        summary = summarise(
            raw,
            output_tokens=workload.output_tokens,
            idle_power_w=idle_w,
            target_noise=workload.target_noise,
        )
    device_tdp = machine.gpu.power_limit_w if machine.gpu else tdp
    bandwidth = settings.memory_bandwidth_gbps
    if workload.replay:  # its tokens/s includes each prompt's processing: not a decode rate
        roofline = pl.lit(None, dtype=pl.Float64)
        plausibility = pl.lit("replay: the roofline is checked on fixed-length rows")
    elif bandwidth:
        roofline = pl.col("batch_size") * bandwidth * 1e9 / (prepared.weights_gb * 1e9)
        plausibility = pl.lit(f"roofline at {bandwidth:g} GB/s")
    else:
        roofline = pl.lit(None, dtype=pl.Float64)
        plausibility = pl.lit("roofline unchecked: memory bandwidth unknown")
    predicted = {b: backend.predicted_memory_gb(b) for b in workload.batch_sizes}
    summary = summary.with_columns(
        **{k: pl.lit(v) for k, v in base.items()},
        status=pl.lit("ok"),
        skip_reason=pl.lit(None, dtype=pl.String),
        weights=pl.lit(prepared.weights),
        energy_method=pl.lit(meter.method),
        energy_domains=pl.lit(meter.domains),
        provenance=pl.lit(meter.kind),
        peak_memory_gb=pl.lit(peak_memory_gb(device)),
        predicted_memory_gb=pl.col("batch_size").replace_strict(predicted, return_dtype=pl.Float64),
        weights_gb=pl.lit(prepared.weights_gb),
        device_tdp_w=pl.lit(device_tdp, dtype=pl.Float64),
        roofline_tokens_per_s=roofline,
        plausibility=plausibility,
        measured_at=pl.lit(dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")),
        # ML.ENERGY's names: every sequence runs at once and gets exactly output_tokens
        max_num_seqs=pl.col("batch_size") if backend.batching == "continuous" else pl.lit(None),
        avg_batch_size=pl.col("batch_size").cast(pl.Float64),
        avg_output_len=pl.col("response_tokens_mean")
        if workload.replay
        else pl.lit(float(workload.output_tokens)),
        j_per_request=pl.col("j_per_response"),
        output_tokens_per_s=pl.col("tokens_per_s"),
        median_itl_ms=pl.col("latency_ms_per_token"),
    )
    raw = raw.with_columns(
        model_id=pl.lit(model["model_id"]),
        device=pl.lit(device.name),
        workload=pl.lit(workload.name),
        idle_power_w=pl.lit(idle_w),
    )
    return validate_frame(InferenceSchema, _frame(summary.to_dicts()), "inference"), raw


def no_results() -> tuple[pl.DataFrame, pl.DataFrame]:
    """(summary, raw) of a job whose model was left out (``models_on_error: skip``): no rows,
    so the inference table and the emissions go on without it."""
    return validate_frame(InferenceSchema, _frame([]), "inference"), pl.DataFrame()


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return frame_from_rows(InferenceSchema, rows)


@dataclass(frozen=True)
class SkipWithoutJob:
    """A (model, device, workload) given no benchmark job: the model is above the budget,
    or ``measured_as`` (a slug) runs the same computation (benchmark.same_compute)."""

    slug: str
    device: str
    workload: str
    dtype: str
    measured_as: str | None = None
    not_selected: bool = False  # left out by benchmark.only_models


def rows_without_job(
    skips: list[SkipWithoutJob],
    *,
    models: pl.DataFrame,
    machines: dict[str, Machine],
    workloads: dict[str, Workload],
    threads: int,
    max_params: float,
) -> pl.DataFrame:
    """The skip rows of the models that got no job, with the reason their job would have
    given; ``machines`` (by device) are the records of the host running the workflow."""
    by_slug = {row["slug"]: row for row in models.iter_rows(named=True)}
    rows = []
    for skip in skips:
        model = by_slug.get(skip.slug)
        if model is None:
            raise LmFootprintError(
                f"{skip.slug}: given no benchmark job but not in the models table"
            )
        if skip.not_selected:
            reason = "not in benchmark.only_models: this run measures other models"
        elif skip.measured_as:
            reason = _same_compute_reason(skip, model, by_slug)
        else:
            reason = budget_reason(model["params_total"], max_params)
        if reason is None:  # the closed form and the metadata job disagree: never silently
            raise LmFootprintError(
                f"{skip.slug}: counted above benchmark.max_params when the workflow was read, "
                f"but the models table says {model['params_total']:,} parameters"
            )
        machine = machines[skip.device]
        base = _empty_row(
            model,
            machine,
            workloads[skip.workload],
            skip.dtype,
            max(1, min(threads, machine.cpu_logical_cores)),
        )
        rows.append({**base, "status": "skipped", "skip_reason": reason})
    return _frame(rows)


def _same_compute_reason(
    skip: SkipWithoutJob, model: dict[str, Any], by_slug: dict[str, dict[str, Any]]
) -> str:
    measured = by_slug.get(skip.measured_as or "")
    if measured is None or measured["params_total"] != model["params_total"]:
        raise LmFootprintError(
            f"{skip.slug}: merged with {skip.measured_as} when the workflow was read, but the "
            "models table does not give them the same parameter count"
        )
    return same_compute_reason(measured["model_id"], model["params_total"])


def inference_table(
    paths: list[str | Path], without_job: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Every job's rows, and the skip rows of the models that got no job."""
    parts = [read_parquet_part(p, InferenceSchema) for p in paths]
    if without_job is not None and without_job.height:
        parts.append((without_job, "skip rows of the models given no job"))
    return validate_parts(InferenceSchema, parts, "results/inference.parquet")


def load_inference(path: str | Path) -> pl.DataFrame:
    return read_parquet_checked(path, InferenceSchema)
