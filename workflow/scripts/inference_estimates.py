"""J/token, gCO2e and USD per 1k tokens per (model, scenario), with intervals."""

import json

import polars as pl

from lmfootprint.inference_estimates import estimate_inference
from lmfootprint.inference_fit import EnergyFit
from lmfootprint.io import write_parquet
from lmfootprint.logs import log_to

with log_to(snakemake.log[0]):
    s = snakemake.params.settings
    with open(snakemake.input.fit, encoding="utf-8") as fh:
        fit = EnergyFit.from_dict(json.load(fh))
    table = estimate_inference(
        pl.read_parquet(snakemake.input.models),
        pl.read_parquet(snakemake.input.scenarios),
        fit,
        batch_size=s["batch_size"],
        bandwidth_efficiency=tuple(s["bandwidth_efficiency"]),
        utilisation=tuple(s["utilisation"]),
        local_utilisation=s["local_utilisation"],
    )
    write_parquet(table, snakemake.output[0])
