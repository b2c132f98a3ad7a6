"""Refreshed reference tables -> resources/ (the shipped snapshot) + a list of what changed."""

import datetime as dt

import polars as pl

from lmfootprint.core.io import write_json
from lmfootprint.core.logs import log_to
from lmfootprint.reference.sources import write_snapshot

with log_to(snakemake.log[0]) as log:
    written = write_snapshot(
        prices_table=pl.read_parquet(snakemake.input.prices),
        carbon_table=pl.read_parquet(snakemake.input.carbon),
        tariffs_table=pl.read_parquet(snakemake.input.tariffs),
        resources=snakemake.params.resources,
        date=dt.date.today().isoformat(),
    )
    log.info("snapshot written: %s", ", ".join(str(p) for p in written))
    write_json({"written": [str(p) for p in written]}, snakemake.output[0])
