"""Benchmark one (model, device, workload) -> summary rows and raw per-repeat rows."""

from pathlib import Path

import polars as pl

from lmfootprint.benchmark.benchmark_inference import benchmark_job
from lmfootprint.benchmark.detect_hardware import Machine
from lmfootprint.benchmark.harness import Workload
from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.models.model_metadata import load_models
from lmfootprint.reference.hardware_table import gpu_memory_bandwidth

with log_to(snakemake.log[0]):
    spec = snakemake.params.workload
    machine = Machine.from_json(snakemake.input.hardware)
    kind = "cuda" if machine.gpu else "cpu"
    bandwidth = snakemake.params.bandwidth.get(kind)
    if bandwidth is None and machine.gpu:
        bandwidth = gpu_memory_bandwidth(
            machine.gpu.name, machine.gpu.memory_gb, pl.read_parquet(snakemake.input.specs)
        )
    summary, raw = benchmark_job(
        model=load_models(snakemake.input.model).row(0, named=True),
        machine=machine,
        config_path=Path(snakemake.input.config_json),
        weights_dir=Path(snakemake.params.weights_dir) if snakemake.params.weights_dir else None,
        workload=Workload(
            name=snakemake.wildcards.workload,
            input_tokens=spec["input_tokens"],
            output_tokens=spec["output_tokens"],
            batch_sizes=tuple(spec["batch_sizes"]),
            warmup=spec.get("warmup", 1),
            repeats=spec.get("repeats", 3),
            backend=spec.get("backend", "transformers"),
            quantization=spec.get("quantization"),
        ),
        dtype=snakemake.params.dtype,
        threads=min(snakemake.params.threads, snakemake.threads),
        max_params=snakemake.params.max_params,
        cpu_tdp_w=snakemake.params.cpu_tdp_w,
        ram_w_per_gb=snakemake.params.ram_w_per_gb,
        idle_seconds_max=snakemake.params.idle_seconds_max,
        seed=snakemake.params.seed,
        cpu_tdp_table=snakemake.input.cpu_tdp,
        memory_bandwidth_gbps=bandwidth,
    )
    write_parquet(raw, snakemake.output.raw)
    write_parquet(summary, snakemake.output.summary)
