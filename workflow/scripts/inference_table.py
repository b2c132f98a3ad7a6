"""All benchmark summaries -> results/inference.parquet (validated as a whole)."""

from lmfootprint.benchmark.benchmark_inference import inference_table
from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to

with log_to(snakemake.log[0]):
    write_parquet(inference_table(list(snakemake.input.tables)), snakemake.output[0])
