"""Each configured deployment scenario joined to its hardware, grid, tariff and price."""

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.core.validation import read_parquet_checked
from lmfootprint.reference.scenarios import build_scenarios
from lmfootprint.reference.schemas import (
    CarbonIntensitySchema,
    GpuPriceSchema,
    HardwareSchema,
    TariffSchema,
)

with log_to(snakemake.log[0]):
    table = build_scenarios(
        snakemake.params.scenarios,
        hardware=read_parquet_checked(snakemake.input.hardware, HardwareSchema),
        carbon=read_parquet_checked(snakemake.input.carbon, CarbonIntensitySchema),
        tariffs=read_parquet_checked(snakemake.input.tariffs, TariffSchema),
        prices=read_parquet_checked(snakemake.input.prices, GpuPriceSchema),
        basis=snakemake.params.basis,
    )
    write_parquet(table, snakemake.output[0])
