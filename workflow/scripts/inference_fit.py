"""Fit J/token on the rows measured here plus the published ones; keep each held-out error."""

import polars as pl

from lmfootprint.inference_fit import fit_energy, measured_rows, published_rows
from lmfootprint.io import write_json, write_parquet
from lmfootprint.logs import log_to

with log_to(snakemake.log[0]):
    rows = pl.concat(
        [
            measured_rows(pl.read_parquet(snakemake.input.measured)),
            published_rows(snakemake.input.published),
        ]
    )
    fit, cv = fit_energy(rows, pl.read_parquet(snakemake.input.hardware))
    write_json(fit.to_dict(), snakemake.output.fit)
    write_parquet(cv, snakemake.output.cv)
