"""Refreshed reference tables -> a new snapshot in the shipped files' formats, written to the
rule's outputs (results/reference_refresh/, mirroring resources/; `make refresh-reference`
copies it over resources/). A snapshot covering less than the shipped one is refused unless
reference.allow_coverage_loss names the source."""

import datetime as dt

from lmfootprint.core.logs import log_to
from lmfootprint.core.validation import read_parquet_checked
from lmfootprint.reference.schemas import CarbonIntensitySchema, GpuPriceSchema, TariffSchema
from lmfootprint.reference.snapshot import SnapshotFiles, write_snapshot

with log_to(snakemake.log[0]) as log:
    out, into = snakemake.output, snakemake.input
    written = write_snapshot(
        prices_table=read_parquet_checked(snakemake.input.prices, GpuPriceSchema),
        carbon_table=read_parquet_checked(snakemake.input.carbon, CarbonIntensitySchema),
        tariffs_table=read_parquet_checked(snakemake.input.tariffs, TariffSchema),
        current=SnapshotFiles(
            into.current_prices,
            into.current_countries,
            into.current_google,
            into.current_tariffs,
            into.current_stamp,
        ),
        out=SnapshotFiles(out.prices, out.countries, out.google, out.tariffs, out.stamp),
        date=dt.date.today().isoformat(),
        allow_loss=snakemake.params.allow_loss,
    )
    log.info("snapshot written: %s", ", ".join(str(p) for p in written))
