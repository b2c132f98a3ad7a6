"""All benchmark summaries, and the skip rows of the models that got no job (above the
budget, or measured as another model of the same computation) -> results/inference.parquet
(validated as a whole)."""

from lmfootprint.benchmark.benchmark_inference import (
    SkipWithoutJob,
    inference_table,
    rows_without_job,
)
from lmfootprint.benchmark.detect_hardware import Machine
from lmfootprint.benchmark.prompts import load_prompts
from lmfootprint.benchmark.registry import workload_from_spec
from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.models.model_metadata import load_models

with log_to(snakemake.log[0]) as log:
    skips = [SkipWithoutJob(**s) for s in snakemake.params.without_job]
    prompts = load_prompts(snakemake.input.prompts) if snakemake.input.prompts else None
    rows = None
    if skips:
        rows = rows_without_job(
            skips,
            models=load_models(snakemake.input.models),
            machines={
                device: Machine.from_json(path)
                for device, path in zip(
                    snakemake.params.devices, snakemake.input.hardware, strict=True
                )
            },
            workloads={
                name: workload_from_spec(name, spec, prompts)
                for name, spec in snakemake.params.workloads.items()
            },
            threads=snakemake.params.threads,
            max_params=snakemake.params.max_params,
        )
        log.info("%d skip rows of models given no benchmark job", rows.height)
    write_parquet(inference_table(list(snakemake.input.tables), rows), snakemake.output[0])
