"""The SLM vs LLM answer table: ratios for energy, CO2e and cost with intervals."""

import polars as pl

from lmfootprint.answer import answer_table
from lmfootprint.io import write_parquet
from lmfootprint.logs import log_to

with log_to(snakemake.log[0]):
    table = answer_table(
        pl.read_parquet(snakemake.input.training),
        pl.read_parquet(snakemake.input.estimates),
        pl.read_parquet(snakemake.input.inference),
    )
    write_parquet(table, snakemake.output[0])
