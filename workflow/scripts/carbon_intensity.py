"""Grid carbon intensity by country and cloud region, from the retrieved raw files
-> carbon_intensity.parquet (live files or the shipped snapshot's copy: params.live)."""

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.reference.build import carbon_from_live, carbon_from_snapshot

with log_to(snakemake.log[0]):
    common = {
        "regions_path": snakemake.input.regions,
        "google_year": snakemake.params.google_year,
    }
    if snakemake.params.live:
        table = carbon_from_live(
            snakemake.input.owid, snakemake.input.google, snakemake.input.manifest, **common
        )
    else:
        table = carbon_from_snapshot(
            list(snakemake.input.countries),
            snakemake.input.google,
            snakemake.input.manifest,
            **common,
        )
    write_parquet(table, snakemake.output[0])
