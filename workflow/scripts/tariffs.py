"""Electricity tariffs in their currency and in USD, from the retrieved raw files
-> tariffs.parquet (live Eurostat files or the shipped snapshot's copy: params.live)."""

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.reference.build import tariffs_from_live, tariffs_from_snapshot

with log_to(snakemake.log[0]):
    if snakemake.params.live:
        table = tariffs_from_live(
            {
                "household": snakemake.input.household,
                "non_household": snakemake.input.non_household,
            },
            snakemake.input.manifest,
            us_table=snakemake.input.snapshot,
            us_manifest=snakemake.input.snapshot_manifest,
            fx_path=snakemake.input.fx,
        )
    else:
        table = tariffs_from_snapshot(
            snakemake.input.snapshot, snakemake.input.snapshot_manifest, fx_path=snakemake.input.fx
        )
    write_parquet(table, snakemake.output[0])
