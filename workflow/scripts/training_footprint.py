"""Published training footprints, recomputed and checked -> results/training.parquet."""

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.estimates.training_footprint import load_published, recompute_training
from lmfootprint.estimates.training_tokens import load_derived_hours
from lmfootprint.models.model_metadata import load_models

with log_to(snakemake.log[0]):
    table = recompute_training(
        load_published(snakemake.input.published),
        load_models(snakemake.input.models),
        derived_hours=load_derived_hours(snakemake.input.derived_hours),
        pue=snakemake.params.pue,
        intensity_band=tuple(snakemake.params.intensity_band),
        tolerance=snakemake.params.tolerance,
    )
    write_parquet(table, snakemake.output[0])
