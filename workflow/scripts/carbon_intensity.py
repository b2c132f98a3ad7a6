"""Grid carbon intensity by country and cloud region -> carbon_intensity.parquet."""

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.reference.sources import carbon_intensity

with log_to(snakemake.log[0]):
    table = carbon_intensity(
        online=snakemake.params.online,
        regions_path=snakemake.input.regions,
        countries_paths=list(snakemake.input.countries),
        google_path=snakemake.input.google,
        google_year=snakemake.params.google_year,
        raw_dir=snakemake.params.raw_dir,
        settings=snakemake.params.settings,
    )
    write_parquet(table, snakemake.output[0])
