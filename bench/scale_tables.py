"""Scale: N synthetic models through the table stages (validation, aggregation, training
footprint recompute), vectorised in polars. Goal: 10,000 models in under 5 s on 2 cores,
near-linear growth from 100 to 10,000.

Usage: .venv/bin/python bench/scale_tables.py [N ...]
"""

from __future__ import annotations

import sys
import time

import polars as pl

from lmfootprint.core.validation import validate_frame
from lmfootprint.estimates.training_footprint import recompute_training
from lmfootprint.models.schemas import ModelsSchema


def synthetic_models(n: int) -> pl.DataFrame:
    i = pl.int_range(0, n, eager=True)
    params = (1e8 * (1.0007 ** i.cast(pl.Float64))).cast(pl.Int64)
    return (
        pl.DataFrame({"model_id": "synthetic/model-" + i.cast(pl.String)})
        .with_columns(
            slug=pl.col("model_id").str.replace("/", "--"),
            config_source=pl.lit("snapshot"),
            config_provenance=pl.lit("architecture-record"),
            config_sha256=pl.lit("0" * 64),
            revision=pl.lit(None, dtype=pl.String),
            source_url=pl.lit(None, dtype=pl.String),
            source_date=pl.lit("2026-11-23"),
            model_type=pl.lit("llama"),
            architecture=pl.lit("LlamaForCausalLM"),
            params_total=params,
            params_embedding=(params // 10),
            params_non_embedding=params - params // 10,
            params_method=pl.lit("closed-form"),
            n_layers=pl.lit(32),
            n_decoder_layers=pl.lit(32),
            hidden_size=pl.lit(4096),
            n_heads=pl.lit(32),
            n_kv_heads=pl.lit(8),
            head_dim=pl.lit(128),
            vocab_size=pl.lit(32000),
            context_length=pl.lit(4096),
            tie_word_embeddings=pl.lit(False),
            is_encoder_decoder=pl.lit(False),
            size_class=pl.when(params <= 8e9).then(pl.lit("SLM")).otherwise(pl.lit("LLM")),
            weights_gb_fp32=params * 4 / 1e9,
            weights_gb_bf16=params * 2 / 1e9,
            weights_gb_int8=params / 1e9,
            weights_gb_int4=params / 2e9,
            memory_context_tokens=pl.lit(2048),
            memory_batch_size=pl.lit(1),
            kv_cache_gb=pl.lit(0.27),
            serve_gb_bf16=params * 2 / 1e9 + 0.27,
            license=pl.lit("mit"),
            training_tokens=pl.lit("2T"),
            metadata_source=pl.lit("synthetic"),
            hub_retrieved_at=pl.lit(None, dtype=pl.String),
            params_safetensors=pl.lit(None, dtype=pl.Int64),
            params_flag=pl.lit(None, dtype=pl.String),
            gated=pl.lit(None, dtype=pl.String),
            downloads=pl.lit(None, dtype=pl.Int64),
            likes=pl.lit(None, dtype=pl.Int64),
            pipeline_tag=pl.lit(None, dtype=pl.String),
            library_name=pl.lit(None, dtype=pl.String),
            card_co2_g=pl.lit(None, dtype=pl.Float64),
            card_co2_source=pl.lit(None, dtype=pl.String),
        )
        .select(list(ModelsSchema.to_schema().columns))
    )


def synthetic_published(models: pl.DataFrame) -> pl.DataFrame:
    n = models.height
    return models.select("model_id").with_columns(
        family=pl.format("fam-{}", pl.int_range(0, n) // 4),
        params_reported=pl.lit("7B"),
        training_tokens=pl.lit("2T"),
        gpu_type=pl.lit("H100-80GB"),
        gpu_hours=(models["params_total"] / 1e4).cast(pl.Float64),
        gpu_power_w=pl.lit(700.0),
        power_includes_pue=pl.lit(True),
        pue=pl.lit(1.0),
        energy_mwh_published=pl.lit(None, dtype=pl.Float64),
        co2e_t_published=(models["params_total"] / 1e4 * 0.7 * 0.42 / 1000).cast(pl.Float64),
        grid_intensity_g_per_kwh=pl.lit(None, dtype=pl.Float64),
        co2e_basis=pl.lit("location"),
        location=pl.lit(None, dtype=pl.String),
        method=pl.lit("synthetic"),
        source_url=pl.lit("https://example.org"),
        source_date=pl.lit("2026-11-23"),
        notes=pl.lit(None, dtype=pl.String),
    )


def run(n: int) -> float:
    models = synthetic_models(n)
    published = synthetic_published(models)
    t0 = time.perf_counter()
    table = validate_frame(ModelsSchema, models, "models")
    training = recompute_training(published, table)
    elapsed = time.perf_counter() - t0
    assert training.height == n
    return elapsed


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1000, 10000]
    run(100)  # warm-up (imports, pandera schema compilation)
    previous = None
    for n in sizes:
        t = run(n)
        growth = (
            f", x{t / previous[1]:.1f} time for x{n / previous[0]:.0f} models" if previous else ""
        )
        print(f"{n:>6} models: {t:.3f} s (validate models table + recompute training){growth}")
        previous = (n, t)
