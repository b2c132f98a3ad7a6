"""Our estimates beside ML.ENERGY's measurements and EcoLogits' figures -> peer_validation."""

import polars as pl

from lmfootprint.answer.peer_validation import load_ecologits, load_map, peer_table
from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to

with log_to(snakemake.log[0]):
    table = peer_table(
        pl.read_parquet(snakemake.input.cv),
        load_map(snakemake.input.peer_map),
        load_ecologits(snakemake.input.ecologits),
        pl.read_parquet(snakemake.input.inference),
    )
    write_parquet(table, snakemake.output[0])
