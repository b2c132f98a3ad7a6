"""pandera (polars) schemas for every table that crosses a stage boundary."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

PROVENANCE = ["measured", "estimated", "published"]
DATE_RE = r"^\d{4}-\d{2}-\d{2}$"


class ModelsSchema(pa.DataFrameModel):
    """results/models.parquet and each results/models/{model}.parquet: one row per model."""

    model_id: str = pa.Field(unique=True, str_length={"min_value": 1, "max_value": 300})
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

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def embedding_split_adds_up(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("params_embedding") + pl.col("params_non_embedding") == pl.col("params_total")
        )


class PublishedTrainingSchema(pa.DataFrameModel):
    """resources/published_training.csv: training footprints as their authors published them."""

    model_id: str = pa.Field(unique=True)
    family: str
    params_reported: str = pa.Field(nullable=True)
    training_tokens: str = pa.Field(nullable=True)
    gpu_type: str = pa.Field(nullable=True)
    gpu_hours: float = pa.Field(nullable=True, gt=0, lt=1e9)
    gpu_power_w: float = pa.Field(nullable=True, ge=50, le=2000)
    power_includes_pue: bool
    pue: float = pa.Field(ge=1.0, le=3.0)
    energy_mwh_published: float = pa.Field(nullable=True, ge=0, lt=1e7)
    co2e_t_published: float = pa.Field(nullable=True, ge=0, lt=1e7)
    grid_intensity_g_per_kwh: float = pa.Field(nullable=True, ge=0, le=1500)
    co2e_basis: str = pa.Field(isin=["location", "unspecified", "dynamic-power-location", "none"])
    location: str = pa.Field(nullable=True)
    method: str
    source_url: str = pa.Field(str_startswith="http")
    source_date: str = pa.Field(str_matches=DATE_RE)
    notes: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def has_hours_or_energy(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("gpu_hours").is_not_null() & pl.col("gpu_power_w").is_not_null())
            | pl.col("energy_mwh_published").is_not_null()
        )


class TrainingSchema(pa.DataFrameModel):
    """results/training.parquet: published training footprints, recomputed and checked."""

    model_id: str = pa.Field(unique=True)
    family: str
    in_config: bool
    params_total: int = pa.Field(nullable=True, gt=0)
    params_source: str = pa.Field(isin=["models-table", "reported", "unknown"])
    gpu_type: str = pa.Field(nullable=True)
    gpu_hours: float = pa.Field(nullable=True, gt=0)
    gpu_hours_status: str = pa.Field(nullable=True, isin=["published", "derived"])
    gpu_hours_arithmetic: str = pa.Field(nullable=True)
    gpu_power_w: float = pa.Field(nullable=True, gt=0)
    pue_applied: float = pa.Field(ge=1.0)
    energy_mwh: float = pa.Field(ge=0)
    energy_method: str
    energy_mwh_published: float = pa.Field(nullable=True, ge=0)
    intensity_g_per_kwh: float = pa.Field(nullable=True, ge=0)
    intensity_basis: str = pa.Field(nullable=True, isin=["stated", "family-total"])
    co2e_t: float = pa.Field(nullable=True, ge=0)
    co2e_t_published: float = pa.Field(nullable=True, ge=0)
    implied_intensity_g_per_kwh: float = pa.Field(nullable=True, ge=0)
    co2e_rel_error: float = pa.Field(nullable=True)
    flags: str
    provenance: str = pa.Field(isin=PROVENANCE)
    co2e_basis: str
    location: str = pa.Field(nullable=True)
    source_url: str
    source_date: str = pa.Field(str_matches=DATE_RE)

    class Config:
        strict = True
        coerce = True


class InferenceSchema(pa.DataFrameModel):
    """results/inference.parquet: one row per (model, device, workload, batch size)."""

    model_id: str
    slug: str
    params_total: int = pa.Field(gt=0)
    size_class: str = pa.Field(isin=["SLM", "LLM"])
    device: str
    hardware: str
    workload: str
    status: str = pa.Field(isin=["ok", "skipped"])
    skip_reason: str = pa.Field(nullable=True)
    input_tokens: int = pa.Field(gt=0)
    output_tokens: int = pa.Field(gt=1)
    dtype: str = pa.Field(
        isin=["fp32", "bf16", "fp16", "f16", "q8_0", "q4_0", "q4_k_m", "q5_k_m", "q6_k"]
    )
    backend: str = pa.Field(isin=["transformers", "llama_cpp"])
    quantization: str = pa.Field(nullable=True)
    threads: int = pa.Field(gt=0)
    batch_size: int = pa.Field(nullable=True, gt=0)
    weights: str = pa.Field(nullable=True, isin=["real", "random-init"])
    repeats: int = pa.Field(nullable=True, ge=3)
    tokens: int = pa.Field(nullable=True, gt=0)
    seconds_median: float = pa.Field(nullable=True, gt=0)
    spread: float = pa.Field(nullable=True, ge=0)
    ttft_s: float = pa.Field(nullable=True, gt=0)
    decode_s: float = pa.Field(nullable=True, gt=0)
    tokens_per_s: float = pa.Field(nullable=True, gt=0)
    decode_tokens_per_s: float = pa.Field(nullable=True, gt=0)
    latency_ms_per_token: float = pa.Field(nullable=True, gt=0)
    prefill_share: float = pa.Field(nullable=True, ge=0, le=1)
    energy_j: float = pa.Field(nullable=True, gt=0)
    prefill_energy_j: float = pa.Field(nullable=True, ge=0)
    decode_energy_j: float = pa.Field(nullable=True, ge=0)
    j_per_token: float = pa.Field(nullable=True, gt=0)
    j_per_token_net: float = pa.Field(nullable=True, ge=0)
    j_per_response: float = pa.Field(nullable=True, gt=0)
    avg_power_w: float = pa.Field(nullable=True, gt=0, le=5000)
    idle_power_w: float = pa.Field(nullable=True, ge=0)
    peak_memory_gb: float = pa.Field(nullable=True, gt=0)
    predicted_memory_gb: float = pa.Field(nullable=True, gt=0)
    weights_gb: float = pa.Field(nullable=True, gt=0)
    energy_method: str = pa.Field(nullable=True)
    provenance: str = pa.Field(nullable=True, isin=["measured", "estimated"])
    device_tdp_w: float = pa.Field(nullable=True, gt=0)
    roofline_tokens_per_s: float = pa.Field(nullable=True, gt=0)
    plausibility: str = pa.Field(nullable=True)
    measured_at: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def net_not_above_gross(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("j_per_token_net").is_null()
            | (pl.col("j_per_token_net") <= pl.col("j_per_token"))
        )

    @pa.dataframe_check
    def power_not_below_idle(cls, data: pa.PolarsData) -> pl.LazyFrame:
        # a loaded machine cannot draw less than the same meter read at idle (5% noise allowed)
        return data.lazyframe.select(
            pl.col("avg_power_w").is_null()
            | (pl.col("avg_power_w") >= 0.95 * pl.col("idle_power_w"))
        )

    @pa.dataframe_check
    def power_not_above_tdp_plus_idle(cls, data: pa.PolarsData) -> pl.LazyFrame:
        # the device cannot draw more than its TDP on top of what the machine draws at idle
        return data.lazyframe.select(
            pl.col("avg_power_w").is_null()
            | pl.col("device_tdp_w").is_null()
            | (pl.col("avg_power_w") <= 1.05 * (pl.col("device_tdp_w") + pl.col("idle_power_w")))
        )

    @pa.dataframe_check
    def decode_within_bandwidth_roofline(cls, data: pa.PolarsData) -> pl.LazyFrame:
        # each decode step reads every weight once: batch x bandwidth / weight bytes bounds it
        return data.lazyframe.select(
            pl.col("roofline_tokens_per_s").is_null()
            | (pl.col("decode_tokens_per_s") <= 1.1 * pl.col("roofline_tokens_per_s"))
        )

    @pa.dataframe_check
    def ok_rows_are_complete(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("status") == "skipped") | pl.col("tokens_per_s").is_not_null()
        )


# ------------------------------------------------------------------ reference data
PROVENANCE_COLUMNS = ["provenance", "source", "source_version", "retrieved_at"]


class GpuSkuSchema(pa.DataFrameModel):
    """resources/gpu_skus.csv: the reviewed instance type -> GPU mapping."""

    provider: str = pa.Field(isin=["aws", "azure", "gcp"])
    sku: str
    gpu_model: str
    gpu_count: float = pa.Field(gt=0, le=64)
    source: str = pa.Field(str_startswith="http")

    class Config:
        strict = True
        coerce = True
        unique = ["provider", "sku"]


class GpuPriceSchema(pa.DataFrameModel):
    """results/gpu_prices.parquet: one row per (provider, region, SKU, price type)."""

    provider: str
    region: str
    sku: str
    gpu_model: str
    gpu_count: float = pa.Field(gt=0)
    price_type: str = pa.Field(
        isin=[
            "on_demand",
            "spot",
            "low_priority",
            "capacity_block",
            "reserved_1y",
            "reserved_3y",
            "marketplace",
        ]
    )
    instance_price_per_hour: float = pa.Field(gt=0, le=500)
    currency: str = pa.Field(isin=["USD", "EUR"])
    price_per_gpu_hour: float = pa.Field(ge=0.05, le=20)
    effective_date: str = pa.Field(str_matches=DATE_RE)
    provenance: str = pa.Field(isin=PROVENANCE)
    source: str
    source_version: str
    retrieved_at: str

    class Config:
        strict = True
        coerce = True
        unique = ["provider", "region", "sku", "price_type"]


class HardwareSchema(pa.DataFrameModel):
    """resources/hardware.csv: specs, embodied carbon and purchase prices, each with a source."""

    hardware_id: str = pa.Field(unique=True, str_matches=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    kind: str = pa.Field(isin=["gpu", "cpu", "laptop"])
    name: str
    vendor: str
    memory_gb: float = pa.Field(gt=0, le=2048)
    memory_bandwidth_gbps: float = pa.Field(gt=0, le=20000)
    tdp_w: float = pa.Field(gt=0, le=2000)
    peak_bf16_tflops: float = pa.Field(nullable=True, gt=0, le=10000)
    peak_fp16_tflops: float = pa.Field(nullable=True, gt=0, le=10000)
    peak_fp8_tflops: float = pa.Field(nullable=True, gt=0, le=20000)
    embodied_kgco2e: float = pa.Field(nullable=True, gt=0, le=100000)
    purchase_price_usd: float = pa.Field(nullable=True, gt=0)
    purchase_price_low_usd: float = pa.Field(nullable=True, gt=0)
    purchase_price_high_usd: float = pa.Field(nullable=True, gt=0)
    price_basis: str = pa.Field(nullable=True)
    price_date: str = pa.Field(nullable=True, str_matches=DATE_RE)
    release_date: str = pa.Field(str_matches=DATE_RE)
    source: str = pa.Field(str_startswith="http")
    notes: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def price_range_brackets_price(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("purchase_price_usd").is_null()
            | (
                (pl.col("purchase_price_low_usd") <= pl.col("purchase_price_usd"))
                & (pl.col("purchase_price_usd") <= pl.col("purchase_price_high_usd"))
            )
        )


class CarbonIntensitySchema(pa.DataFrameModel):
    """results/carbon_intensity.parquet: gCO2e/kWh by country or cloud region, basis explicit."""

    geo_type: str = pa.Field(isin=["country", "cloud_region"])
    geo_id: str
    provider: str = pa.Field(nullable=True)
    country_iso3: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    year: int = pa.Field(ge=1990, le=2100)
    gco2e_per_kwh: float = pa.Field(ge=0, le=1600)  # highest real country value seen: 1306
    basis: str = pa.Field(isin=["lifecycle", "direct"])
    provenance: str = pa.Field(isin=PROVENANCE)
    method: str
    source: str
    source_version: str
    retrieved_at: str

    class Config:
        strict = True
        coerce = True
        unique = ["geo_type", "geo_id", "provider", "year", "basis"]


class TariffSchema(pa.DataFrameModel):
    """results/tariffs.parquet: electricity prices, with band, tax level and period."""

    geo: str
    consumer: str = pa.Field(isin=["household", "non_household"])
    band: str
    tax_level: str = pa.Field(isin=["I_TAX", "X_VAT", "X_TAX"])
    period: str = pa.Field(str_matches=r"^\d{4}(-S[12])?$")
    currency: str = pa.Field(isin=["EUR", "USD"])
    price_per_kwh: float = pa.Field(ge=0.01, le=1.5)
    usd_per_kwh: float = pa.Field(ge=0.01, le=2.0)
    fx_period: str
    provenance: str = pa.Field(isin=PROVENANCE)
    source: str
    source_version: str
    retrieved_at: str

    class Config:
        strict = True
        coerce = True
        unique = ["geo", "consumer", "band", "tax_level", "period"]


class TrainingEstimateSchema(pa.DataFrameModel):
    """results/training_estimates.parquet: one estimate per configured model, with bounds."""

    model_id: str = pa.Field(unique=True)
    params_total: int = pa.Field(gt=0)
    size_class: str = pa.Field(isin=["SLM", "LLM"])
    training_tokens: float = pa.Field(gt=0)
    training_tokens_low: float = pa.Field(gt=0)
    training_tokens_high: float = pa.Field(gt=0)
    tokens_status: str = pa.Field(isin=["published", "assumed", "override"])
    tokens_label: str
    tokens_source: str
    hardware_id: str
    mfu: float = pa.Field(gt=0, le=1)
    mfu_low: float = pa.Field(gt=0, le=1)
    mfu_high: float = pa.Field(gt=0, le=1)
    gpu_hours: float = pa.Field(gt=0)
    gpu_hours_low: float = pa.Field(gt=0)
    gpu_hours_high: float = pa.Field(gt=0)
    energy_mwh: float = pa.Field(gt=0)
    energy_mwh_low: float = pa.Field(gt=0)
    energy_mwh_high: float = pa.Field(gt=0)
    co2e_t: float = pa.Field(ge=0)
    co2e_t_low: float = pa.Field(ge=0)
    co2e_t_high: float = pa.Field(ge=0)
    embodied_co2e_t: float = pa.Field(nullable=True, ge=0)
    co2e_t_with_embodied: float = pa.Field(ge=0)
    intensity_g_per_kwh: float = pa.Field(ge=0)
    intensity: str
    published_gpu_hours: float = pa.Field(nullable=True, gt=0)
    published_hours_status: str = pa.Field(nullable=True, isin=["published", "derived"])
    gpu_hours_error: float = pa.Field(nullable=True)
    published_in_range: bool = pa.Field(nullable=True)
    implied_mfu: float = pa.Field(nullable=True, gt=0)
    in_headline: bool
    provenance: str = pa.Field(isin=["estimated"])
    method: str

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def bounds_bracket_the_estimate(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("gpu_hours_low") <= pl.col("gpu_hours"))
            & (pl.col("gpu_hours") <= pl.col("gpu_hours_high"))
        )


class AnswerSchema(pa.DataFrameModel):
    """results/answer.parquet: LLM median / SLM median per phase, setting and metric, on the
    headline rows (identical architectures once), with an 80% Monte Carlo + bootstrap interval."""

    phase: str = pa.Field(isin=["training", "inference"])
    setting: str
    metric: str
    unit: str
    slm_median: float = pa.Field(gt=0)
    llm_median: float = pa.Field(gt=0)
    llm_over_slm: float = pa.Field(gt=0)
    llm_over_slm_low: float = pa.Field(gt=0)
    llm_over_slm_high: float = pa.Field(gt=0)
    n_slm: int = pa.Field(gt=0)
    n_llm: int = pa.Field(gt=0)
    provenance_mix: str
    models_slm: str
    models_llm: str
    n_identical_merged: int = pa.Field(ge=0)
    kept_out: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def interval_brackets_ratio(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_brackets("llm_over_slm"))


def _brackets(col: str) -> pl.Expr:
    """``col_low <= col <= col_high`` with a relative tolerance of 1e-6 (nulls pass)."""
    c = pl.col
    return c(col).is_null() | (
        (c(f"{col}_low") <= c(col) * 1.000001) & (c(col) <= c(f"{col}_high") * 1.000001)
    )


class ModelFamilySchema(pa.DataFrameModel):
    """resources/comparison/model_families.csv: family, ladder membership, released weights."""

    model_id: str = pa.Field(unique=True)
    family: str
    ladder: bool
    weights_released: bool
    note: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


class ModelMetricSchema(pa.DataFrameModel):
    """results/comparison/model_metrics.parquet: one value per (model, phase, setting, metric)."""

    model_id: str
    params_total: int = pa.Field(gt=0)
    size_class: str = pa.Field(isin=["SLM", "LLM"])
    family: str
    ladder: bool
    arch_group: str
    phase: str = pa.Field(isin=["training", "inference"])
    setting: str
    metric: str
    unit: str
    value: float = pa.Field(gt=0)
    low: float = pa.Field(gt=0)
    high: float = pa.Field(gt=0)
    provenance: str = pa.Field(isin=PROVENANCE)
    headline: bool
    excluded_because: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def bounds_bracket_value(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        return data.lazyframe.select(
            (c("low") <= c("value") * 1.000001) & (c("value") <= c("high") * 1.000001)
        )


class LadderSchema(pa.DataFrameModel):
    """results/comparison/ladders.parquet: each within-family step up in size."""

    phase: str
    setting: str
    metric: str
    unit: str
    family: str
    smaller: str
    larger: str
    params_ratio: float = pa.Field(gt=1)
    metric_ratio: float = pa.Field(gt=0)
    metric_ratio_low: float = pa.Field(gt=0)
    metric_ratio_high: float = pa.Field(gt=0)
    per_10x_params: float = pa.Field(gt=0)
    provenance: str

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def interval_brackets_ratio(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_brackets("metric_ratio"))


class SizeExponentSchema(pa.DataFrameModel):
    """results/comparison/size_exponent.parquet: b in metric ~ params^b, with an 80% interval."""

    phase: str
    setting: str
    metric: str
    unit: str
    scope: str = pa.Field(isin=["within families", "across all models"])
    exponent: float
    exponent_low: float
    exponent_high: float
    per_10x_params: float = pa.Field(gt=0)
    per_10x_params_low: float = pa.Field(gt=0)
    per_10x_params_high: float = pa.Field(gt=0)
    n_models: int = pa.Field(ge=3)
    n_families: int = pa.Field(nullable=True, ge=1)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def interval_brackets_exponent(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        return data.lazyframe.select(
            (c("exponent_low") <= c("exponent") + 1e-9)
            & (c("exponent") <= c("exponent_high") + 1e-9)
        )


class ThresholdSchema(pa.DataFrameModel):
    """results/comparison/threshold_sensitivity.parquet: the class ratio at other thresholds."""

    phase: str
    setting: str
    metric: str
    unit: str
    threshold_params: float = pa.Field(gt=0)
    llm_over_slm: float = pa.Field(gt=0)
    llm_over_slm_low: float = pa.Field(gt=0)
    llm_over_slm_high: float = pa.Field(gt=0)
    n_slm: int = pa.Field(gt=0)
    n_llm: int = pa.Field(gt=0)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def interval_brackets_ratio(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_brackets("llm_over_slm"))


class FitRowsSchema(pa.DataFrameModel):
    """results/inference_fit_cv.parquet: measured rows beside the serving model's prediction,
    in-sample and held out (by family, by GPU, and ML.ENERGY v2 never fitted)."""

    model: str
    family: str
    hardware_id: str
    devices: float = pa.Field(ge=1)
    tdp_w: float = pa.Field(gt=0)
    batch: float = pa.Field(gt=0)
    tokens_per_s: float = pa.Field(gt=0)
    power_w: float = pa.Field(gt=0)
    j_per_token: float = pa.Field(gt=0)
    predicted_tokens_per_s: float = pa.Field(gt=0)
    predicted_power_w: float = pa.Field(gt=0)
    predicted_j_per_token: float = pa.Field(gt=0)
    held_out: str
    log_residual: float
    abs_error: float = pa.Field(ge=0)
    source: str

    class Config:
        strict = False
        coerce = True

    @pa.dataframe_check
    def predicted_power_within_tdp(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        return data.lazyframe.select(c("predicted_power_w") <= c("devices") * c("tdp_w") * 1.000001)


class PeerMeasurementSchema(pa.DataFrameModel):
    """resources/inference/mlenergy_v3.csv: ML.ENERGY v3 configurations (GPU energy, Zeus)."""

    model_id: str
    task: str
    total_params_b: float = pa.Field(gt=0)
    activated_params_b: float = pa.Field(gt=0)
    architecture: str
    weight_precision: str
    gpu_model: str
    num_gpus: int = pa.Field(ge=1, le=64)
    parallelization: str = pa.Field(nullable=True)
    max_num_seqs: int = pa.Field(ge=1)
    avg_batch_size: float = pa.Field(gt=0)
    avg_output_len: float = pa.Field(gt=0)
    avg_power_w: float = pa.Field(gt=0)
    j_per_token: float = pa.Field(gt=0)
    j_per_request: float = pa.Field(nullable=True, gt=0)
    output_tokens_per_s: float = pa.Field(gt=0)
    median_itl_ms: float = pa.Field(nullable=True, gt=0)
    release: str
    source_repo: str = pa.Field(str_startswith="https://")
    source_commit: str = pa.Field(str_matches=r"^[0-9a-f]{7,40}$")
    data_path: str
    source_date: str = pa.Field(str_matches=DATE_RE)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def energy_is_power_over_throughput(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        return data.lazyframe.select(
            (c("j_per_token") * c("output_tokens_per_s") / c("avg_power_w") - 1).abs() < 0.01
        )


class PeerV2Schema(pa.DataFrameModel):
    """resources/inference/mlenergy_v2_sweeps.csv: ML.ENERGY v2 batch sweeps (older vLLM)."""

    model_id: str
    params_b: float = pa.Field(gt=0)
    task: str
    gpu_model: str
    num_gpus: int = pa.Field(ge=1, le=64)
    tensor_parallel: int = pa.Field(ge=1)
    batch_size: int = pa.Field(ge=1)
    j_per_token: float = pa.Field(gt=0)
    avg_power_w: float = pa.Field(gt=0)
    output_tokens_per_s: float = pa.Field(gt=0)
    release: str
    source_repo: str = pa.Field(str_startswith="https://")
    source_commit: str
    data_path: str
    source_date: str = pa.Field(str_matches=DATE_RE)

    class Config:
        strict = True
        coerce = True


class PeerShapeSchema(pa.DataFrameModel):
    """resources/inference/peer_model_shapes.csv: decoder shapes of the models peers measured."""

    model_id: str = pa.Field(unique=True)
    params_b: float = pa.Field(gt=0)
    n_layers: int = pa.Field(gt=0)
    n_kv_heads: int = pa.Field(gt=0)
    head_dim: int = pa.Field(gt=0)
    sliding_window: float = pa.Field(nullable=True, gt=0)
    sliding_layers_fraction: float = pa.Field(nullable=True, ge=0, le=1)
    weight_dtype_bytes: float = pa.Field(gt=0)
    source_url: str = pa.Field(nullable=True)
    notes: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


class BreakEvenSchema(pa.DataFrameModel):
    """results/break_even.parquet: tokens served after which inference energy = training energy."""

    model_id: str
    size_class: str = pa.Field(isin=["SLM", "LLM"])
    params_total: int = pa.Field(gt=0)
    scenario: str
    training_energy_mwh: float = pa.Field(gt=0)
    training_energy_mwh_low: float = pa.Field(gt=0)
    training_energy_mwh_high: float = pa.Field(gt=0)
    training_provenance: str = pa.Field(isin=PROVENANCE)
    j_per_token: float = pa.Field(gt=0)
    j_per_token_low: float = pa.Field(gt=0)
    j_per_token_high: float = pa.Field(gt=0)
    break_even_tokens: float = pa.Field(gt=0)
    break_even_tokens_low: float = pa.Field(gt=0)
    break_even_tokens_high: float = pa.Field(gt=0)
    provenance: str = pa.Field(isin=PROVENANCE)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def interval_brackets_value(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        return data.lazyframe.select(
            (c("break_even_tokens_low") <= c("break_even_tokens") * 1.000001)
            & (c("break_even_tokens") <= c("break_even_tokens_high") * 1.000001)
        )


class RentVsBuySchema(pa.DataFrameModel):
    """results/rent_vs_buy.parquet: a training run and a year of serving, rented vs owned."""

    model_id: str
    size_class: str = pa.Field(isin=["SLM", "LLM"])
    params_total: int = pa.Field(gt=0)
    scenario: str
    hardware_id: str
    devices: int = pa.Field(ge=1)
    price_per_gpu_hour_usd: float = pa.Field(gt=0)
    purchase_price_usd: float = pa.Field(gt=0)
    lifetime_years: float = pa.Field(gt=0)
    owned_utilisation: float = pa.Field(gt=0, le=1)
    electricity_usd_per_kwh: float = pa.Field(gt=0)
    electricity_usd_per_gpu_hour: float = pa.Field(gt=0)
    break_even_utilisation: float = pa.Field(nullable=True, gt=0)
    training_gpu_hours: float = pa.Field(gt=0)
    training_rent_usd: float = pa.Field(gt=0)
    training_buy_usd: float = pa.Field(gt=0)
    serving_year_tokens: float = pa.Field(gt=0)
    serving_year_rent_usd: float = pa.Field(gt=0)
    serving_year_buy_usd: float = pa.Field(gt=0)
    cheaper_for_serving: str = pa.Field(isin=["rent", "buy"])
    provenance: str = pa.Field(isin=PROVENANCE)
    method: str

    class Config:
        strict = True
        coerce = True


class InferenceEstimateSchema(pa.DataFrameModel):
    """results/inference_estimates.parquet: one row per (model, scenario, serving mode)."""

    model_id: str
    params_total: int = pa.Field(gt=0)
    size_class: str = pa.Field(isin=["SLM", "LLM"])
    scenario: str
    serving: str
    reference: bool
    concurrency: int = pa.Field(ge=1)
    kind: str = pa.Field(isin=["cloud", "local"])
    hardware_id: str
    batch_size: int = pa.Field(ge=1)
    status: str = pa.Field(isin=["estimated", "does not fit"])
    note: str = pa.Field(nullable=True)
    precision: str = pa.Field(nullable=True, isin=["bf16", "fp8", "int4"])
    devices: int = pa.Field(nullable=True, ge=1)
    bound: str = pa.Field(nullable=True, isin=["memory", "compute"])
    tdp_w: float = pa.Field(nullable=True, gt=0)
    pue: float = pa.Field(nullable=True, ge=1)
    gpu_power_w: float = pa.Field(nullable=True, gt=0)
    host_power_w: float = pa.Field(nullable=True, ge=0)
    tokens_per_s_low: float = pa.Field(nullable=True, gt=0)
    tokens_per_s: float = pa.Field(nullable=True, gt=0)
    tokens_per_s_high: float = pa.Field(nullable=True, gt=0)
    roofline_tokens_per_s: float = pa.Field(nullable=True, gt=0)
    j_per_token_low: float = pa.Field(nullable=True, gt=0)
    j_per_token: float = pa.Field(nullable=True, gt=0)
    j_per_token_high: float = pa.Field(nullable=True, gt=0)
    j_per_token_system: float = pa.Field(nullable=True, gt=0)
    gco2e_per_1k_tokens_low: float = pa.Field(nullable=True, ge=0)
    gco2e_per_1k_tokens: float = pa.Field(nullable=True, ge=0)
    gco2e_per_1k_tokens_high: float = pa.Field(nullable=True, ge=0)
    embodied_gco2e_per_1k_tokens: float = pa.Field(nullable=True, ge=0)
    usd_per_1k_tokens_low: float = pa.Field(nullable=True, gt=0)
    usd_per_1k_tokens: float = pa.Field(nullable=True, gt=0)
    usd_per_1k_tokens_high: float = pa.Field(nullable=True, gt=0)
    intensity_g_per_kwh: float = pa.Field(nullable=True, ge=0)
    intensity_basis: str = pa.Field(nullable=True)
    provenance: str = pa.Field(nullable=True, isin=PROVENANCE)
    method: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def power_within_devices_tdp(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Physics: J/token x tokens/s is the power drawn; it cannot exceed what the devices
        (at TDP) and the modelled host share draw, times PUE."""
        c = pl.col
        cap = (c("devices") * c("tdp_w") + c("host_power_w")) * c("pue")
        return data.lazyframe.select(
            c("j_per_token").is_null() | (c("j_per_token") * c("tokens_per_s") <= cap * 1.000001)
        )

    @pa.dataframe_check
    def decode_within_bandwidth_roofline(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Physics: no row, not even its interval's high end, decodes faster than its weights
        and KV cache stream at the devices' full memory bandwidth."""
        c = pl.col
        return data.lazyframe.select(
            c("tokens_per_s_high").is_null()
            | (c("tokens_per_s_high") <= c("roofline_tokens_per_s") * 1.000001)
        )

    @pa.dataframe_check
    def intervals_bracket_values(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        ok = pl.lit(True)
        for v in ("tokens_per_s", "j_per_token", "gco2e_per_1k_tokens", "usd_per_1k_tokens"):
            ok = ok & (
                c(v).is_null()
                | ((c(f"{v}_low") <= c(v) * 1.000001) & (c(v) <= c(f"{v}_high") * 1.000001))
            )
        return data.lazyframe.select(ok)


class TrainingTokensSchema(pa.DataFrameModel):
    """resources/training/training_tokens.csv: training tokens per model, each with its source."""

    model_id: str = pa.Field(unique=True)
    base_model_id: str = pa.Field(nullable=True)
    pretraining_tokens: float = pa.Field(nullable=True, gt=1e6, lt=1e15)
    finetune_tokens: float = pa.Field(nullable=True, ge=0, lt=1e15)
    tokens_label: str = pa.Field(nullable=True)
    status: str = pa.Field(isin=["published", "assumed"])
    source_url: str = pa.Field(nullable=True, str_startswith="http")
    source_title: str = pa.Field(nullable=True)
    source_date: str = pa.Field(nullable=True, str_matches=DATE_RE)
    quote_location: str = pa.Field(nullable=True)
    quote: str = pa.Field(nullable=True)
    notes: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def published_rows_have_count_and_source(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        return data.lazyframe.select(
            (c("status") != "published")
            | (
                c("pretraining_tokens").is_not_null()
                & c("source_url").is_not_null()
                & c("source_date").is_not_null()
            )
        )


class DerivedGpuHoursSchema(pa.DataFrameModel):
    """resources/training/derived_gpu_hours.csv: GPU-hours derived from GPUs x days."""

    model_id: str = pa.Field(unique=True)
    gpus: float = pa.Field(gt=0)
    days: float = pa.Field(gt=0)
    gpu_hours: float = pa.Field(gt=0)
    arithmetic: str
    source_url: str = pa.Field(str_startswith="http")
    quote: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def hours_are_gpus_times_days(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        return data.lazyframe.select(
            ((c("gpus") * c("days") * 24 / c("gpu_hours")) - 1).abs() < 0.01
        )


class QualitySchema(pa.DataFrameModel):
    """resources/quality/mmlu.csv: a published MMLU score per model, with its source."""

    model_id: str = pa.Field(unique=True)
    mmlu_5shot: float = pa.Field(nullable=True, ge=0, le=100)
    variant: str = pa.Field(nullable=True)
    source_url: str = pa.Field(nullable=True, str_startswith="http")
    source_title: str = pa.Field(nullable=True)
    source_date: str = pa.Field(nullable=True, str_matches=DATE_RE)
    quote_location: str = pa.Field(nullable=True)
    notes: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


class CalibrationRunSchema(pa.DataFrameModel):
    """results/training_calibration.parquet: published runs and the MFU they imply."""

    model_id: str = pa.Field(unique=True)
    params: float = pa.Field(gt=0)
    tokens: float = pa.Field(gt=0)
    tokens_status: str = pa.Field(isin=["published", "assumed", "override"])
    hardware_id: str
    generation: str
    peak_tflops: float = pa.Field(gt=0)
    gpu_hours: float = pa.Field(gt=0)
    hours_status: str = pa.Field(isin=["published", "derived"])
    hours_note: str = pa.Field(nullable=True)
    implied_mfu: float = pa.Field(gt=0)
    used: bool
    excluded_because: str = pa.Field(nullable=True)
    size_class: str
    source_url: str

    class Config:
        strict = False
        coerce = True


class CapabilitySchema(pa.DataFrameModel):
    """results/comparison/capability.parquet: quality against energy and cost per model."""

    model_id: str = pa.Field(unique=True)
    params_total: int = pa.Field(gt=0)
    family: str
    mmlu_5shot: float = pa.Field(ge=0, le=100)
    variant: str = pa.Field(nullable=True)
    comparable: bool
    mmlu_source: str = pa.Field(nullable=True)
    setting: str
    j_per_token: float = pa.Field(nullable=True, gt=0)
    usd_per_1k_tokens: float = pa.Field(nullable=True, gt=0)
    training_mwh: float = pa.Field(nullable=True, gt=0)
    pareto: bool = pa.Field(nullable=True)
    family_top: str = pa.Field(nullable=True)
    quality_share: float = pa.Field(nullable=True, gt=0)
    energy_share: float = pa.Field(nullable=True, gt=0)
    cost_share: float = pa.Field(nullable=True, gt=0)
    training_share: float = pa.Field(nullable=True, gt=0)

    class Config:
        strict = True
        coerce = True


class PeerMapSchema(pa.DataFrameModel):
    """resources/peers/model_map.csv: which peer row stands for which configured model."""

    model_id: str
    peer: str = pa.Field(isin=["ML.ENERGY v3", "ML.ENERGY v2"])
    peer_model_id: str
    note: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True


class EcoLogitsSchema(pa.DataFrameModel):
    """resources/peers/ecologits.csv: EcoLogits' figures per model, dated and versioned."""

    model_id: str
    params_b: float = pa.Field(gt=0)
    output_tokens: int = pa.Field(gt=0)
    electricity_mix_zone: str
    energy_kwh_min: float = pa.Field(gt=0)
    energy_kwh_max: float = pa.Field(gt=0)
    j_per_token_min: float = pa.Field(gt=0)
    j_per_token_max: float = pa.Field(gt=0)
    j_per_token_mid: float = pa.Field(gt=0)
    gwp_kgco2e_min: float = pa.Field(ge=0)
    gwp_kgco2e_max: float = pa.Field(ge=0)
    usage_gwp_kgco2e_min: float = pa.Field(ge=0)
    usage_gwp_kgco2e_max: float = pa.Field(ge=0)
    embodied_gwp_kgco2e_min: float = pa.Field(ge=0)
    embodied_gwp_kgco2e_max: float = pa.Field(ge=0)
    pue: float = pa.Field(ge=1)
    batch_size: int = pa.Field(ge=1)
    ecologits_version: str
    method: str
    computed_on: str = pa.Field(str_matches=DATE_RE)

    class Config:
        strict = True
        coerce = True


class PeerValidationSchema(pa.DataFrameModel):
    """results/peer_validation.parquet: our estimate beside a peer's figure, with the ratio."""

    model_id: str
    peer: str
    peer_model_id: str
    setting: str
    ours_j_per_token: float = pa.Field(gt=0)
    peer_j_per_token: float = pa.Field(gt=0)
    ours_over_peer: float = pa.Field(gt=0)
    boundary: str
    ours_method: str
    peer_source: str
    explanation: str = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def gaps_over_2x_are_explained(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        far = (c("ours_over_peer") > 2) | (c("ours_over_peer") < 0.5)
        return data.lazyframe.select(~far | c("explanation").is_not_null())


class PriceSensitivitySchema(pa.DataFrameModel):
    """results/comparison/price_sensitivity.parquet: cost per 1k tokens at each price type."""

    scenario: str
    serving: str
    price_type: str
    price_per_gpu_hour_usd: float = pa.Field(gt=0)
    relative_to_scenario_price: float = pa.Field(gt=0)
    effective_date: str = pa.Field(str_matches=DATE_RE)
    source: str
    slm_median_usd_per_1k_tokens: float = pa.Field(nullable=True, gt=0)
    llm_median_usd_per_1k_tokens: float = pa.Field(nullable=True, gt=0)

    class Config:
        strict = True
        coerce = True
