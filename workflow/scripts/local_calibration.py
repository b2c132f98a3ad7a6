"""Published local measurements + this machine's GGUF ladder (this run's, else the recorded
one) -> the local-device model's calibration rows, held-out errors and fitted constants, and
the ladder the report shows."""

import json

import polars as pl

from lmfootprint.benchmark.benchmark_inference import load_inference
from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.estimates.local_device import efficiencies, fit_local, load_published_local
from lmfootprint.estimates.local_measurements import (
    RUN_SOURCE,
    calibration_rows,
    class_errors,
    cpu_class,
    ladder_rows,
    measured_rows,
)

with log_to(snakemake.log[0]) as log:
    with open(snakemake.input.bandwidth, encoding="utf-8") as fh:
        probe = json.load(fh)
    bandwidth = snakemake.params.bandwidth.get("cpu") or probe["gbps"]
    this_run = ladder_rows(
        load_inference(snakemake.input.inference), bandwidth_gbps=bandwidth, source=RUN_SOURCE
    )
    recorded = pl.read_csv(snakemake.input.recorded, infer_schema_length=None)
    log.info(
        "%d GGUF rows measured in this run (bandwidth %.1f GB/s); %d recorded",
        this_run.height,
        bandwidth,
        recorded.height,
    )
    machine_rows = [
        measured_rows(ladder, device_class=cpu_class()) if ladder.height else ladder.clear()
        for ladder in (recorded, this_run)
    ]
    rows = calibration_rows(load_published_local(snakemake.input.published), *machine_rows)
    fit = fit_local(rows)
    write_parquet(rows, snakemake.output.rows)
    write_parquet(class_errors(fit.heldout), snakemake.output.errors)
    write_parquet(efficiencies(fit), snakemake.output.efficiencies)
    # the ladder the report shows: this run's when it measured one, else the recorded one
    write_parquet(this_run if this_run.height else recorded, snakemake.output.ladder)
