"""Published training footprints, recomputed and checked -> results/training.parquet."""

from lmfootprint.io import write_parquet
from lmfootprint.logs import log_to
from lmfootprint.models import load_models
from lmfootprint.training import load_published, recompute_training

with log_to(snakemake.log[0]):
    table = recompute_training(
        load_published(snakemake.input.published),
        load_models(snakemake.input.models),
        intensity_band=tuple(snakemake.params.intensity_band),
        tolerance=snakemake.params.tolerance,
    )
    write_parquet(table, snakemake.output[0])
