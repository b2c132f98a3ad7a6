"""Break-even: how many tokens a model serves before its inference energy equals its training.

tokens = training energy (J) / inference energy per token, per (model, scenario). The bounds
pair the training bounds with the opposite J/token bounds. Training energy is the published
figure where there is one, else the 6ND estimate.
"""

from __future__ import annotations

import polars as pl

from lmfootprint.core.units import ENERGY_IN_J
from lmfootprint.core.validation import validate_frame
from lmfootprint.estimates.schemas import BreakEvenSchema
from lmfootprint.estimates.training_estimates import training_energy

J_PER_MWH = ENERGY_IN_J["MWh"]


def break_even(
    training: pl.DataFrame, estimates: pl.DataFrame, inference: pl.DataFrame
) -> pl.DataFrame:
    train = training_energy(training, estimates).select(
        "model_id",
        "energy_mwh",
        "energy_mwh_low",
        "energy_mwh_high",
        training_provenance="provenance",
    )
    ok = inference.filter((pl.col("status") == "estimated") & pl.col("reference")).join(
        train, on="model_id"
    )
    c = pl.col
    df = ok.select(
        "model_id",
        "size_class",
        "params_total",
        "scenario",
        training_energy_mwh=c("energy_mwh"),
        training_energy_mwh_low=c("energy_mwh_low"),
        training_energy_mwh_high=c("energy_mwh_high"),
        training_provenance=c("training_provenance"),
        j_per_token=c("j_per_token"),
        j_per_token_low=c("j_per_token_low"),
        j_per_token_high=c("j_per_token_high"),
        break_even_tokens=c("energy_mwh") * J_PER_MWH / c("j_per_token"),
        break_even_tokens_low=c("energy_mwh_low") * J_PER_MWH / c("j_per_token_high"),
        break_even_tokens_high=c("energy_mwh_high") * J_PER_MWH / c("j_per_token_low"),
        provenance=pl.lit("estimated"),
    ).sort("scenario", "params_total", "model_id")
    return validate_frame(BreakEvenSchema, df, "results/break_even.parquet")
