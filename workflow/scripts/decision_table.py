"""The report's decision page's table: every (model, deployment) option, its prefill and
decode rates, grid, quality share and fit (lmfootprint.answer.decision)."""

import json

import polars as pl

from lmfootprint.answer.answer import load_families
from lmfootprint.answer.capability import load_quality
from lmfootprint.answer.decision import decision_options, owned_servers, released_only
from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.core.validation import read_parquet_checked
from lmfootprint.estimates.inference_estimates import estimate_inference
from lmfootprint.estimates.inference_fit import ServingFit
from lmfootprint.estimates.local_device import LocalMeasurement, fit_local

with log_to(snakemake.log[0]):
    s = snakemake.params.settings
    with open(snakemake.input.fit, encoding="utf-8") as fh:
        fit = ServingFit.from_dict(json.load(fh))
    scenarios = pl.read_parquet(snakemake.input.scenarios)
    # the same estimate as results/inference_estimates.parquet, with a one-token prompt: what
    # decoding alone costs, so the page can price prompts and responses of any length
    decode_only = estimate_inference(
        pl.read_parquet(snakemake.input.models),
        scenarios,
        fit,
        serving=s["serving"],
        prompt_tokens=1,
        output_tokens=s["output_tokens"],
        host_w_per_device=s["host_w_per_device"],
        server_embodied_kgco2e_per_device=s["server_embodied_kgco2e_per_device"],
        embodied_lifetime_years=s["embodied_lifetime_years"],
        local_utilisation=s["local_utilisation"],
        local_fit=fit_local(read_parquet_checked(snakemake.input.local, LocalMeasurement)),
        local_precision=s["local_precision"],
    )
    options = decision_options(
        pl.read_parquet(snakemake.input.inference),
        decode_only,
        load_quality(snakemake.input.quality),
        scenarios,
        prompt_tokens=s["prompt_tokens"],
        output_tokens=s["output_tokens"],
    )
    options = released_only(options, load_families(snakemake.input.families))
    owned = owned_servers(options, pl.read_parquet(snakemake.input.rent_vs_buy))
    write_parquet(owned, snakemake.output[0])
