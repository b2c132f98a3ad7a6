"""Benchmark one (model, device, workload) -> summary rows, raw per-repeat rows, the machine
this job ran on, and its energy and emissions in CodeCarbon's emissions.csv columns."""

from pathlib import Path

import polars as pl

from lmfootprint.benchmark.benchmark_inference import benchmark_job
from lmfootprint.benchmark.detect_hardware import detect
from lmfootprint.benchmark.emissions import (
    country_names,
    emissions_rows,
    grid_for,
    write_emissions_csv,
)
from lmfootprint.benchmark.harness import Workload
from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.models.model_metadata import load_models
from lmfootprint.reference.hardware_table import gpu_memory_bandwidth

with log_to(snakemake.log[0]) as log:
    spec = snakemake.params.workload
    # the hardware this job holds, detected here: the node it runs on may not be the one that
    # ran detect_hardware (on Slurm only this job is granted the GPU)
    machine = detect(snakemake.params.device)
    log.info("detected %s (%s)", machine.hardware, machine.unavailable_reason or "present")
    machine.to_json(snakemake.output.hardware)
    grid = grid_for(
        snakemake.params.scenarios,
        snakemake.params.grid_scenario,
        pl.read_parquet(snakemake.input.carbon),
        basis=snakemake.params.carbon_basis,
        country_names=country_names(snakemake.input.countries),
    )
    log.info("emissions at the grid of %s", grid.label)
    kind = "cuda" if machine.gpu else "cpu"
    bandwidth = snakemake.params.bandwidth.get(kind)
    if bandwidth is None and machine.gpu:
        bandwidth = gpu_memory_bandwidth(
            machine.gpu.name, machine.gpu.memory_gb, pl.read_parquet(snakemake.input.specs)
        )
    model = load_models(snakemake.input.model).row(0, named=True)
    summary, raw = benchmark_job(
        model=model,
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
        skip_missing_devices=snakemake.params.skip_missing_devices,
        grid=grid,
    )
    rows = []
    if not raw.is_empty():
        first = summary.row(0, named=True)
        rows = emissions_rows(
            raw,
            grid=grid,
            machine=machine,
            experiment=f"{model['slug']}/{snakemake.wildcards.device}/{snakemake.wildcards.workload}",
            timestamp=first["measured_at"].rstrip("Z"),
            peak_memory_gb=first["peak_memory_gb"],
        )
    write_emissions_csv(rows, snakemake.output.emissions)
    write_parquet(raw, snakemake.output.raw)
    write_parquet(summary, snakemake.output.summary)
