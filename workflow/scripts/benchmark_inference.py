"""Benchmark one (model, device, workload) -> summary rows, raw per-repeat rows and the
machine this job ran on. Only what the measurement needs is an input: a grid or scenario edit
re-runs benchmark_emissions, never a measurement."""

from pathlib import Path

from lmfootprint.benchmark.benchmark_inference import benchmark_job, no_results
from lmfootprint.benchmark.detect_hardware import detect
from lmfootprint.benchmark.job_settings import JobSettings
from lmfootprint.benchmark.prompts import load_prompts
from lmfootprint.benchmark.registry import workload_from_spec
from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.core.validation import read_parquet_checked
from lmfootprint.models.model_metadata import load_models
from lmfootprint.reference.hardware_table import gpu_memory_bandwidth
from lmfootprint.reference.schemas import HardwareSchema

with log_to(snakemake.log[0]) as log:
    spec = snakemake.params.workload
    # the hardware this job holds, detected here: the node it runs on may not be the one that
    # ran detect_hardware (on Slurm only this job is granted the GPU)
    machine = detect(snakemake.params.device)
    log.info("detected %s (%s)", machine.hardware, machine.unavailable_reason or "present")
    machine.to_json(snakemake.output.hardware)
    bandwidth = snakemake.params.bandwidth.get(machine.target.kind)
    if bandwidth is None and machine.gpu:
        bandwidth = gpu_memory_bandwidth(
            machine.gpu.name,
            machine.gpu.memory_gb,
            read_parquet_checked(snakemake.input.specs, HardwareSchema),
        )
    models = load_models(snakemake.input.model)
    if models.is_empty():  # models_on_error: skip, and its config.json could not be read
        log.info(
            "%s: left out (logs/benchmark_model says why): nothing measured",
            snakemake.wildcards.model,
        )
        summary, raw = no_results()
    else:
        model = models.row(0, named=True)
        weights_dir = snakemake.params.weights_dir
        summary, raw = benchmark_job(
            model=model,
            machine=machine,
            config_path=Path(snakemake.input.config_json),
            weights_dir=Path(weights_dir) if weights_dir else None,
            workload=workload_from_spec(
                snakemake.wildcards.workload,
                spec,
                load_prompts(snakemake.input.prompts) if spec.get("replay") else None,
            ),
            settings=JobSettings.from_params(
                dict(snakemake.params.items()),
                threads=min(snakemake.params.threads, snakemake.threads),
                cpu_tdp_table=snakemake.input.cpu_tdp,
                memory_bandwidth_gbps=bandwidth,
            ),
        )
    write_parquet(raw, snakemake.output.raw)
    write_parquet(summary, snakemake.output.summary)
