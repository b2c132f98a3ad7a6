"""Electricity tariffs in their currency and in USD -> tariffs.parquet."""

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.reference.sources import electricity_tariffs

with log_to(snakemake.log[0]):
    table = electricity_tariffs(
        online=snakemake.params.online,
        table_path=snakemake.input.table,
        fx_path=snakemake.input.fx,
        raw_dir=snakemake.params.raw_dir,
        settings=snakemake.params.settings,
    )
    write_parquet(table, snakemake.output[0])
