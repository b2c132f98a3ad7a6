"""GPU prices per GPU-hour, built from the retrieved raw files -> gpu_prices.parquet.

The rule gives either the live files (params.live) or the copy of the shipped snapshot."""

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.reference.build import gpu_prices_from_live, gpu_prices_from_snapshot

with log_to(snakemake.log[0]):
    common = {
        "skus_path": snakemake.input.skus,
        "hardware_path": snakemake.input.hardware,
        "fx_path": snakemake.input.fx,
    }
    if snakemake.params.live:
        table = gpu_prices_from_live(
            snakemake.input.azure, list(snakemake.input.aws), snakemake.input.manifest, **common
        )
    else:
        table = gpu_prices_from_snapshot(
            snakemake.input.snapshot, snakemake.input.manifest, **common
        )
    write_parquet(table, snakemake.output[0])
