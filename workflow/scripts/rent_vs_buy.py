"""A training run and a year of serving on the cloud scenarios' GPUs: rented vs owned, and a
GPU-year of both along the utilisation (the figure's curves)."""

import json
from pathlib import Path

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.core.validation import read_parquet_checked
from lmfootprint.estimates.rent_vs_buy import gpu_year_curves, rent_vs_buy
from lmfootprint.estimates.schemas import InferenceEstimateSchema, TrainingEstimateSchema
from lmfootprint.estimates.training_calibration import MfuModel
from lmfootprint.reference.schemas import HardwareSchema, ScenarioSchema, TariffSchema
from lmfootprint.reference.tariffs import lookup

with log_to(snakemake.log[0]):
    s = snakemake.params.settings
    tariff = lookup(read_parquet_checked(snakemake.input.tariffs, TariffSchema), **s["tariff"])
    table = rent_vs_buy(
        read_parquet_checked(snakemake.input.inference, InferenceEstimateSchema),
        read_parquet_checked(snakemake.input.estimates, TrainingEstimateSchema),
        read_parquet_checked(snakemake.input.scenarios, ScenarioSchema),
        read_parquet_checked(snakemake.input.hardware, HardwareSchema),
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
    write_parquet(table, snakemake.output.table)
    write_parquet(gpu_year_curves(table), snakemake.output.curves)
