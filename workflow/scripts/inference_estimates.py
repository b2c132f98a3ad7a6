"""J/token, tokens/s, gCO2e and USD per 1k tokens per (model, scenario, serving mode), with the
devices' TDP each row's power sits under."""

import json

import polars as pl

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.core.validation import read_parquet_checked
from lmfootprint.estimates.inference_estimates import estimate_inference
from lmfootprint.estimates.inference_fit import ServingFit
from lmfootprint.estimates.local_device import LocalMeasurement, fit_local
from lmfootprint.estimates.power_ceiling import with_devices_tdp
from lmfootprint.estimates.token_prices import UtilisationBand

with log_to(snakemake.log[0]):
    s = snakemake.params.settings
    with open(snakemake.input.fit, encoding="utf-8") as fh:
        fit = ServingFit.from_dict(json.load(fh))
    table = estimate_inference(
        pl.read_parquet(snakemake.input.models),
        pl.read_parquet(snakemake.input.scenarios),
        fit,
        serving=s["serving"],
        prompt_tokens=s["prompt_tokens"],
        output_tokens=s["output_tokens"],
        host_w_per_device=s["host_w_per_device"],
        server_embodied_kgco2e_per_device=s["server_embodied_kgco2e_per_device"],
        embodied_lifetime_years=s["embodied_lifetime_years"],
        local_utilisation=s["local_utilisation"],
        local_fit=fit_local(read_parquet_checked(snakemake.input.local, LocalMeasurement)),
        local_precision=s["local_precision"],
        utilisation=UtilisationBand(**s["utilisation"]),
    )
    write_parquet(with_devices_tdp(table), snakemake.output[0])
