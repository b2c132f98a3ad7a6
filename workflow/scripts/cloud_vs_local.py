"""Inference estimates -> results/cloud_vs_local.parquet (the study's third question)."""

import polars as pl

from lmfootprint.answer.cloud_vs_local import cloud_vs_local
from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.estimates.local_device import load_published_local

with log_to(snakemake.log[0]) as log:
    s = snakemake.params.settings
    table = cloud_vs_local(
        pl.read_parquet(snakemake.input.estimates),
        ladder=tuple(s["ladder"]),
        large=s["large"],
        local_scenario=s["local_scenario"],
        cloud_scenario=s["cloud_scenario"],
        published=load_published_local(snakemake.input.published),
    )
    log.info("%d rows", table.height)
    write_parquet(table, snakemake.output[0])
