"""The answer: class-median ratios, within-family ladders, size exponents, threshold
sensitivity and the capability view, all from one table of per-model metrics."""

import polars as pl

from lmfootprint.answer.answer import (
    answer_table,
    ladder_table,
    load_families,
    model_metrics,
    size_exponent_table,
    threshold_table,
)
from lmfootprint.answer.capability import capability_table, load_quality
from lmfootprint.answer.price_sensitivity import price_sensitivity
from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.core.validation import read_parquet_checked
from lmfootprint.estimates.schemas import InferenceEstimateSchema, TrainingEstimateSchema
from lmfootprint.estimates.training_footprint import load_training
from lmfootprint.models.model_metadata import load_models
from lmfootprint.reference.schemas import GpuPriceSchema

with log_to(snakemake.log[0]):
    inference = read_parquet_checked(snakemake.input.inference, InferenceEstimateSchema)
    metrics = model_metrics(
        load_models(snakemake.input.models),
        load_families(snakemake.input.families),
        load_training(snakemake.input.training),
        read_parquet_checked(snakemake.input.estimates, TrainingEstimateSchema),
        inference,
    )
    out = snakemake.output
    write_parquet(metrics, out.metrics)
    write_parquet(answer_table(metrics, snakemake.params.threshold), out.answer)
    write_parquet(ladder_table(metrics), out.ladders)
    write_parquet(size_exponent_table(metrics), out.exponent)
    write_parquet(threshold_table(metrics, snakemake.params.thresholds), out.thresholds)
    cloud = inference.filter((pl.col("kind") == "cloud") & pl.col("reference"))
    setting = f"{cloud['scenario'][0]} · {cloud['serving'][0]}" if cloud.height else ""
    write_parquet(
        capability_table(metrics, load_quality(snakemake.input.quality), setting), out.capability
    )
    write_parquet(
        price_sensitivity(
            inference,
            read_parquet_checked(snakemake.input.prices, GpuPriceSchema),
            snakemake.params.scenarios,
        ),
        out.prices,
    )
