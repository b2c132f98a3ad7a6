"""pandera (polars) schemas of the tables the models stage reads and writes."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from lmfootprint.core.schema import DATE_RE, TableSchema


class ModelsSchema(TableSchema):
    """results/models.parquet and each results/models/{model}.parquet: one row per model."""

    model_id: str = pa.Field(unique=True, str_length={"min_value": 1, "max_value": 4096})
    slug: str = pa.Field(str_matches=r"^[A-Za-z0-9][A-Za-z0-9._-]*--[A-Za-z0-9._-]+$")
    config_source: str = pa.Field(isin=["snapshot", "local", "hub", "snapshot-fallback"])
    config_provenance: str = pa.Field(isin=["hub-config", "architecture-record", "local"])
    config_sha256: str = pa.Field(str_matches=r"^[0-9a-f]{64}$")
    revision: str = pa.Field(nullable=True)
    source_url: str = pa.Field(nullable=True)
    source_date: str = pa.Field(nullable=True, str_matches=DATE_RE)
    model_type: str
    architecture: str
    params_total: int = pa.Field(gt=0, le=10**14)
    params_embedding: int = pa.Field(ge=0)
    params_non_embedding: int = pa.Field(ge=0)
    params_method: str = pa.Field(isin=["transformers-meta", "closed-form"])
    n_layers: int = pa.Field(gt=0)
    n_decoder_layers: int = pa.Field(ge=0)
    hidden_size: int = pa.Field(gt=0)
    n_heads: int = pa.Field(gt=0)
    n_kv_heads: int = pa.Field(gt=0)
    head_dim: int = pa.Field(gt=0)
    vocab_size: int = pa.Field(gt=0)
    context_length: int = pa.Field(nullable=True, gt=0)
    tie_word_embeddings: bool
    is_encoder_decoder: bool
    size_class: str = pa.Field(isin=["SLM", "LLM"])
    weights_gb_fp32: float = pa.Field(gt=0)
    weights_gb_bf16: float = pa.Field(gt=0)
    weights_gb_int8: float = pa.Field(gt=0)
    weights_gb_int4: float = pa.Field(gt=0)
    memory_context_tokens: int = pa.Field(gt=0)
    memory_batch_size: int = pa.Field(gt=0)
    kv_cache_gb: float = pa.Field(ge=0)
    serve_gb_bf16: float = pa.Field(gt=0)
    license: str = pa.Field(nullable=True)
    training_tokens: str = pa.Field(nullable=True)
    metadata_source: str
    hub_retrieved_at: str = pa.Field(nullable=True)
    params_safetensors: int = pa.Field(nullable=True, ge=0)
    params_flag: str = pa.Field(nullable=True)
    gated: str = pa.Field(nullable=True)
    downloads: int = pa.Field(nullable=True, ge=0)
    likes: int = pa.Field(nullable=True, ge=0)
    pipeline_tag: str = pa.Field(nullable=True)
    library_name: str = pa.Field(nullable=True)
    card_co2_g: float = pa.Field(nullable=True, ge=0)
    card_co2_source: str = pa.Field(nullable=True)

    @pa.dataframe_check
    def embedding_split_adds_up(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("params_embedding") + pl.col("params_non_embedding") == pl.col("params_total")
        )


class SkippedModelsSchema(TableSchema):
    """results/models_skipped.parquet (models_on_error: skip): each configured model whose
    metadata could not be read, and why; the models table goes on without it."""

    model_id: str = pa.Field(str_length={"min_value": 1, "max_value": 4096})
    slug: str = pa.Field(str_matches=r"^[A-Za-z0-9][A-Za-z0-9._-]*--[A-Za-z0-9._-]+$")
    config_json: str
    reason: str = pa.Field(str_length={"min_value": 1})
