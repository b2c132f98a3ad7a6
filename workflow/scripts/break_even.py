"""Tokens served before inference energy equals training energy, per (model, scenario)."""

import polars as pl

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.estimates.break_even import break_even

with log_to(snakemake.log[0]):
    table = break_even(
        pl.read_parquet(snakemake.input.training),
        pl.read_parquet(snakemake.input.estimates),
        pl.read_parquet(snakemake.input.inference),
    )
    write_parquet(table, snakemake.output[0])
