"""6ND training estimates with bounds, checked on the published rows -> training_estimates."""

import polars as pl

from lmfootprint.footprint import estimate_training, intensity_for
from lmfootprint.io import write_parquet
from lmfootprint.logs import log_to
from lmfootprint.training import load_published

with log_to(snakemake.log[0]):
    s = snakemake.params.settings
    intensity, label = intensity_for(
        pl.read_parquet(snakemake.input.carbon), s["grid_country"], snakemake.params.basis
    )
    table = estimate_training(
        pl.read_parquet(snakemake.input.models),
        load_published(snakemake.input.published),
        pl.read_parquet(snakemake.input.hardware),
        intensity,
        label,
        default_hardware=s["training_hardware"],
        mfu=tuple(s["mfu"]),
        pue=s["pue"],
        lifetime_years=s["lifetime_years"],
        tokens_override=s["training_tokens"],
    )
    write_parquet(table, snakemake.output[0])
