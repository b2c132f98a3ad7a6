"""Each configured deployment scenario joined to its hardware, grid, tariff and price."""

import polars as pl

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.reference.scenarios import build_scenarios

with log_to(snakemake.log[0]):
    table = build_scenarios(
        snakemake.params.scenarios,
        hardware=pl.read_parquet(snakemake.input.hardware),
        carbon=pl.read_parquet(snakemake.input.carbon),
        tariffs=pl.read_parquet(snakemake.input.tariffs),
        prices=pl.read_parquet(snakemake.input.prices),
        basis=snakemake.params.basis,
    )
    write_parquet(table, snakemake.output[0])
