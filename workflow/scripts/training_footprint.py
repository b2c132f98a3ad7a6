"""Published training footprints, recomputed and checked -> results/training.parquet."""

from lmfootprint.io import write_parquet
from lmfootprint.logs import log_to
from lmfootprint.models import load_models
from lmfootprint.training import load_published, recompute_training
from lmfootprint.training_tokens import load_derived_hours

with log_to(snakemake.log[0]):
    table = recompute_training(
        load_published(snakemake.input.published),
        load_models(snakemake.input.models),
        derived_hours=load_derived_hours(snakemake.input.derived_hours),
        intensity_band=tuple(snakemake.params.intensity_band),
        tolerance=snakemake.params.tolerance,
    )
    write_parquet(table, snakemake.output[0])
