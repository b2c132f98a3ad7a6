"""The per-model rows or the shard tables -> results/models.parquet (validated as a whole, in
config order)."""

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.models.model_metadata import aggregate_models

with log_to(snakemake.log[0]):
    table = aggregate_models(list(snakemake.input.models), order=snakemake.params.order)
    write_parquet(table, snakemake.output[0])
