"""GPU prices per GPU-hour (live Azure + AWS, or the shipped snapshot) -> gpu_prices.parquet."""

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.reference.sources import gpu_prices

with log_to(snakemake.log[0]):
    table = gpu_prices(
        online=snakemake.params.online,
        skus_path=snakemake.input.skus,
        snapshot_path=snakemake.input.snapshot,
        raw_dir=snakemake.params.raw_dir,
        settings=snakemake.params.settings,
        hardware_path=snakemake.input.hardware,
    )
    write_parquet(table, snakemake.output[0])
