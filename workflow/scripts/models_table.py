"""All per-model rows -> results/models.parquet (validated as a whole)."""

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.models.model_metadata import aggregate_models

with log_to(snakemake.log[0]):
    write_parquet(aggregate_models(list(snakemake.input.models)), snakemake.output[0])
