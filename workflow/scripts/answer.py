"""The answer: class-median ratios, within-family ladders, size exponents, threshold
sensitivity and the capability view, all from one table of per-model metrics."""

import polars as pl

from lmfootprint.answer.answer import (
    answer_table,
    load_families,
    model_metrics,
    size_exponent_table,
    threshold_table,
)
from lmfootprint.answer.capability import capability_table, load_quality
from lmfootprint.answer.ladders import (
    end_facts,
    ladder_table,
    matched_pairs_table,
    published_points,
)
from lmfootprint.answer.price_sensitivity import price_sensitivity
from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.core.validation import read_parquet_checked
from lmfootprint.estimates.schemas import InferenceEstimateSchema, TrainingEstimateSchema
from lmfootprint.estimates.training_footprint import load_training
from lmfootprint.estimates.training_tokens import load_tokens
from lmfootprint.models.model_metadata import load_models
from lmfootprint.reference.schemas import GpuPriceSchema

with log_to(snakemake.log[0]):
    inference = read_parquet_checked(snakemake.input.inference, InferenceEstimateSchema)
    families = load_families(snakemake.input.families)
    training = load_training(snakemake.input.training)
    estimates = read_parquet_checked(snakemake.input.estimates, TrainingEstimateSchema)
    metrics = model_metrics(
        load_models(snakemake.input.models), families, training, estimates, inference
    )
    out = snakemake.output
    threshold = snakemake.params.threshold
    write_parquet(metrics, out.metrics)
    write_parquet(answer_table(metrics, threshold), out.answer)
    facts = end_facts(training, estimates, families, load_tokens(snakemake.input.tokens))
    extra = published_points(training, families, estimates)
    ladders = ladder_table(metrics, facts, extra)
    write_parquet(ladders, out.ladders)
    write_parquet(matched_pairs_table(metrics, facts, extra), out.matched_pairs)
    write_parquet(size_exponent_table(metrics, ladders), out.exponent)
    write_parquet(threshold_table(metrics, snakemake.params.thresholds, threshold), out.thresholds)
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
