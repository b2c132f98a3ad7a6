"""A training run and a year of serving on the cloud scenarios' GPUs: rented vs owned."""

import json
from pathlib import Path

import polars as pl

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.estimates.rent_vs_buy import rent_vs_buy
from lmfootprint.estimates.training_calibration import MfuModel
from lmfootprint.reference.tariffs import lookup

with log_to(snakemake.log[0]):
    s = snakemake.params.settings
    tariff = lookup(pl.read_parquet(snakemake.input.tariffs), **s["tariff"])
    table = rent_vs_buy(
        pl.read_parquet(snakemake.input.inference),
        pl.read_parquet(snakemake.input.estimates),
        pl.read_parquet(snakemake.input.scenarios),
        pl.read_parquet(snakemake.input.hardware),
        utilisation=s["utilisation"],
        pue=s["pue"],
        lifetime_years=s["lifetime_years"],
        tariff_usd_per_kwh=tariff["usd_per_kwh"],
        tariff_label=f"{tariff['geo']} {tariff['consumer']} {tariff['band']} {tariff['period']}",
        mfu=tuple(snakemake.params.mfu),
        mfu_model=MfuModel.from_dict(
            json.loads(Path(snakemake.input.mfu_model).read_text(encoding="utf-8"))
        ),
    )
    write_parquet(table, snakemake.output[0])
