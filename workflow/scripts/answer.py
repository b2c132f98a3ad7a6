"""Roofline inference estimates per (model, scenario) and the SLM vs LLM answer table."""

import polars as pl

from lmfootprint.inference_estimates import answer_table, estimate_inference
from lmfootprint.io import write_parquet
from lmfootprint.logs import log_to

with log_to(snakemake.log[0]):
    s = snakemake.params.settings
    inference = estimate_inference(
        pl.read_parquet(snakemake.input.models),
        pl.read_parquet(snakemake.input.scenarios),
        batch_size=s["batch_size"],
        bandwidth_efficiency=tuple(s["bandwidth_efficiency"]),
        utilisation=tuple(s["utilisation"]),
        local_utilisation=s["local_utilisation"],
    )
    write_parquet(inference, snakemake.output.inference)
    answer = answer_table(
        pl.read_parquet(snakemake.input.training),
        pl.read_parquet(snakemake.input.estimates),
        inference,
    )
    write_parquet(answer, snakemake.output.answer)
