"""pandera (polars) schemas of the tables the benchmark stage reads and writes."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from lmfootprint.benchmark.registry import BACKEND_NAMES
from lmfootprint.core.schema import TableSchema


class InferenceSchema(TableSchema):
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
    backend: str = pa.Field(isin=list(BACKEND_NAMES))
    quantization: str = pa.Field(nullable=True)
    threads: int = pa.Field(gt=0)
    batch_size: int = pa.Field(nullable=True, gt=0)
    weights: str = pa.Field(nullable=True, isin=["real", "random-init"])
    repeats: int = pa.Field(nullable=True, ge=3)
    tokens: int = pa.Field(nullable=True, gt=0)
    seconds_median: float = pa.Field(nullable=True, gt=0)
    spread: float = pa.Field(nullable=True, ge=0)
    # median absolute deviation / median of the repeats' times (what more repeats reduce)
    noise: float = pa.Field(nullable=True, ge=0)
    # what makes an ok row doubtful (noise above target, batch N slower than batch 1)
    flags: str = pa.Field(nullable=True)
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
    # a replay of real requests (workload replay: N): how many, their mean lengths, and the
    # median seconds per response (j_per_response is then per replayed response)
    responses: int = pa.Field(nullable=True, gt=0)
    prompt_tokens_mean: float = pa.Field(nullable=True, gt=0)
    response_tokens_mean: float = pa.Field(nullable=True, gt=0)
    seconds_per_response: float = pa.Field(nullable=True, gt=0)
    avg_power_w: float = pa.Field(nullable=True, gt=0, le=5000)
    idle_power_w: float = pa.Field(nullable=True, ge=0)
    peak_memory_gb: float = pa.Field(nullable=True, gt=0)
    predicted_memory_gb: float = pa.Field(nullable=True, gt=0)
    weights_gb: float = pa.Field(nullable=True, gt=0)
    energy_method: str = pa.Field(nullable=True)
    # what energy_j covers: "gpu" (board), "cpu" (RAPL package), "cpu+dram"
    energy_domains: str = pa.Field(nullable=True, isin=["gpu", "cpu", "dram", "cpu+dram"])
    provenance: str = pa.Field(nullable=True, isin=["measured", "estimated"])
    device_tdp_w: float = pa.Field(nullable=True, gt=0)
    roofline_tokens_per_s: float = pa.Field(nullable=True, gt=0)
    plausibility: str = pa.Field(nullable=True)
    measured_at: str = pa.Field(nullable=True)
    # ML.ENERGY leaderboard v3's columns (resources/inference/mlenergy_v3.csv), same names and
    # units, so their rows and ours stack: max_num_seqs only for continuous batching (vllm)
    total_params_b: float = pa.Field(gt=0)
    weight_precision: str
    gpu_model: str = pa.Field(nullable=True)
    num_gpus: int = pa.Field(ge=0)
    parallelization: str = pa.Field(nullable=True)
    max_num_seqs: int = pa.Field(nullable=True, gt=0)
    avg_batch_size: float = pa.Field(nullable=True, gt=0)
    avg_output_len: float = pa.Field(nullable=True, gt=0)
    j_per_request: float = pa.Field(nullable=True, gt=0)
    output_tokens_per_s: float = pa.Field(nullable=True, gt=0)
    median_itl_ms: float = pa.Field(nullable=True, gt=0)

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
