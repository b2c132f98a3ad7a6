"""pandera (polars) schemas of the tables the estimates stage reads and writes."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from lmfootprint.core.schema import DATE_RE, PROVENANCE, TableSchema, brackets

# The effective MFU of a whole run cannot beat the best steady-state throughput reported for a
# dense model, and those records stop below 0.6: PaLM 540B, 46.2% MFU on 6,144 TPU v4 (Chowdhery
# et al. 2022, arXiv:2204.02311, Table 3); Megatron-LM, 1T parameters at 502 PFLOP/s on 3,072
# A100 = 52% of peak (Narayanan et al. 2021, arXiv:2104.04473, abstract); MegaScale, 175B at
# 55.2% MFU on 12,288 GPUs (Jiang et al. 2024, arXiv:2402.15627, abstract); Llama 3 405B, 38-43%
# BF16 MFU on H100 (Llama 3 Herd, arXiv:2407.21783, Table 4). A run's effective MFU also pays for
# restarts and evaluation, so 0.6 is a ceiling no estimate should reach, not a typical value.
# Checked here, on the calibration and on every training estimate.
MFU_CEILING = 0.6


class PublishedTrainingSchema(TableSchema):
    """resources/published_training.csv: training footprints as their authors published them."""

    model_id: str = pa.Field(unique=True)
    family: str
    params_reported: str = pa.Field(nullable=True)
    training_tokens: str = pa.Field(nullable=True)
    gpu_type: str = pa.Field(nullable=True)
    gpu_hours: float = pa.Field(nullable=True, gt=0, lt=1e9)
    gpu_power_w: float = pa.Field(nullable=True, ge=50, le=2000)
    gpu_tdp_w: float = pa.Field(nullable=True, ge=50, le=2000)
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

    @pa.dataframe_check
    def has_hours_or_energy(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("gpu_hours").is_not_null() & pl.col("gpu_power_w").is_not_null())
            | pl.col("energy_mwh_published").is_not_null()
        )

    @pa.dataframe_check
    def hours_have_a_tdp(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """GPU-hours go on the one boundary (GPU-hours x TDP x PUE): they need the GPU's TDP."""
        return data.lazyframe.select(
            pl.col("gpu_hours").is_null() | pl.col("gpu_tdp_w").is_not_null()
        )


class TrainingSchema(TableSchema):
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
    gpu_tdp_w: float = pa.Field(nullable=True, gt=0)
    boundary: str
    energy_mwh: float = pa.Field(ge=0)
    energy_arithmetic: str
    source_pue: float = pa.Field(ge=1.0)
    source_energy_mwh: float = pa.Field(ge=0)
    conversion: str
    energy_mwh_published: float = pa.Field(nullable=True, ge=0)
    intensity_g_per_kwh: float = pa.Field(nullable=True, ge=0)
    intensity_basis: str = pa.Field(nullable=True, isin=["stated", "family-total"])
    co2e_t: float = pa.Field(nullable=True, ge=0)
    source_co2e_t: float = pa.Field(nullable=True, ge=0)
    co2e_t_published: float = pa.Field(nullable=True, ge=0)
    implied_intensity_g_per_kwh: float = pa.Field(nullable=True, ge=0)
    co2e_rel_error: float = pa.Field(nullable=True)
    flags: str
    provenance: str = pa.Field(isin=PROVENANCE)
    co2e_basis: str
    location: str = pa.Field(nullable=True)
    source_url: str
    source_date: str = pa.Field(str_matches=DATE_RE)


class TrainingEstimateSchema(TableSchema):
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
    mfu: float = pa.Field(gt=0, le=MFU_CEILING)
    mfu_low: float = pa.Field(gt=0, le=MFU_CEILING)
    mfu_high: float = pa.Field(gt=0, le=MFU_CEILING)
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
    boundary: str
    excluded_compute: str = pa.Field(nullable=True)
    excluded_compute_source: str = pa.Field(nullable=True)
    method: str

    @pa.dataframe_check
    def bounds_bracket_the_estimate(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(brackets("gpu_hours", "energy_mwh", "co2e_t"))


class FitRowsSchema(TableSchema):
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


class PeerMeasurementSchema(TableSchema):
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

    @pa.dataframe_check
    def energy_is_power_over_throughput(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        return data.lazyframe.select(
            (c("j_per_token") * c("output_tokens_per_s") / c("avg_power_w") - 1).abs() < 0.01
        )


class PeerV2Schema(TableSchema):
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


class PeerShapeSchema(TableSchema):
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


class BreakEvenSchema(TableSchema):
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

    @pa.dataframe_check
    def interval_brackets_value(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(brackets("break_even_tokens"))


class RentVsBuySchema(TableSchema):
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


class RentVsBuyCurveSchema(TableSchema):
    """results/rent_vs_buy_curves.parquet: what one GPU of each cloud scenario costs for a
    year, rented and owned, at each share of the year it is busy (the rent_vs_buy figure)."""

    scenario: str
    hardware_id: str
    option: str = pa.Field(isin=["rent", "buy"])
    utilisation: float = pa.Field(gt=0, le=1)
    usd_per_gpu_year: float = pa.Field(gt=0)
    provenance: str = pa.Field(isin=PROVENANCE)
    method: str

    @pa.dataframe_check
    def one_point_per_option_and_utilisation(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            ~pl.struct("scenario", "option", "utilisation").is_duplicated()
        )

    @pa.dataframe_check
    def cost_grows_with_utilisation(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Both options pay for the busy hours: a busier year never costs less."""
        return data.lazyframe.select(
            pl.col("usd_per_gpu_year")
            .sort_by("utilisation")
            .diff()
            .fill_null(0)
            .over("scenario", "option")
            >= 0
        )


class InferenceEstimateSchema(TableSchema):
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
    # cloud: bf16, else fp8 / int4 where that is what fits; local: one GGUF format for the
    # whole ladder (inference.local_precision, Q4_K_M as local tools ship), never switched
    precision: str = pa.Field(nullable=True, isin=["bf16", "fp8", "int4", "q4_k_m", "q8_0", "f16"])
    devices: int = pa.Field(nullable=True, ge=1)
    bound: str = pa.Field(nullable=True, isin=["memory", "compute"])
    # the batch lies outside the running batches the serving model was calibrated on (e.g.
    # batch 1 below ML.ENERGY's smallest, 8): an extrapolation, with a widened interval
    batch_outside_calibration: bool = pa.Field(nullable=True)
    tdp_w: float = pa.Field(nullable=True, gt=0)
    # the devices' TDP together, the ceiling gpu_power_w sits under (0: the model fits no
    # device); null only in estimate_inference's own frame, before estimates.power_ceiling
    devices_tdp_w: float = pa.Field(nullable=True, ge=0)
    # one response of the estimate's prompt and output tokens: its time (batch 1: the whole
    # response; loaded: one request's share of the steps) and energy
    seconds_per_response: float = pa.Field(nullable=True, gt=0)
    j_per_response: float = pa.Field(nullable=True, gt=0)
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
    # cloud rows: input (prefill) and output (decode) tokens priced apart at the utilisation
    # band (estimates.token_prices); the interval joins the band and the serving model's
    usd_per_m_input_tokens_low: float = pa.Field(nullable=True, gt=0)
    usd_per_m_input_tokens: float = pa.Field(nullable=True, gt=0)
    usd_per_m_input_tokens_high: float = pa.Field(nullable=True, gt=0)
    usd_per_m_output_tokens_low: float = pa.Field(nullable=True, gt=0)
    usd_per_m_output_tokens: float = pa.Field(nullable=True, gt=0)
    usd_per_m_output_tokens_high: float = pa.Field(nullable=True, gt=0)
    intensity_g_per_kwh: float = pa.Field(nullable=True, ge=0)
    intensity_basis: str = pa.Field(nullable=True)
    provenance: str = pa.Field(nullable=True, isin=PROVENANCE)
    method: str = pa.Field(nullable=True)

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
    def devices_tdp_is_devices_times_tdp(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        ceiling = c("devices").fill_null(0) * c("tdp_w").fill_null(0)
        return data.lazyframe.select(
            c("devices_tdp_w").is_null()
            | ((c("devices_tdp_w") - ceiling).abs() <= ceiling.abs() * 1e-6 + 1e-9)
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
        return data.lazyframe.select(
            brackets(
                "tokens_per_s",
                "j_per_token",
                "gco2e_per_1k_tokens",
                "usd_per_1k_tokens",
                "usd_per_m_input_tokens",
                "usd_per_m_output_tokens",
            )
        )


class TrainingTokensSchema(TableSchema):
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

    @pa.dataframe_check
    def counts_are_quoted(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Every stated or assumed count carries the verbatim text it rests on and where."""
        c = pl.col
        return data.lazyframe.select(
            c("pretraining_tokens").is_null()
            | (
                (c("quote").str.strip_chars().str.len_chars() > 0)
                & (c("quote_location").str.strip_chars().str.len_chars() > 0)
            ).fill_null(False)
        )

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


class DistillationSchema(TableSchema):
    """resources/training/distillation.csv: models trained from a teacher's logits or pruned from
    a larger model, with the teacher compute their training energy leaves out."""

    model_id: str = pa.Field(unique=True)
    method: str
    teachers: str
    excluded_compute: str = pa.Field(str_length={"min_value": 10})
    source_url: str = pa.Field(str_startswith="http")
    source_title: str
    source_date: str = pa.Field(str_matches=DATE_RE)
    quote_location: str
    quote: str = pa.Field(str_length={"min_value": 20})
    notes: str = pa.Field(nullable=True)


class DerivedGpuHoursSchema(TableSchema):
    """resources/training/derived_gpu_hours.csv: GPU-hours derived from GPUs x days."""

    model_id: str = pa.Field(unique=True)
    gpus: float = pa.Field(gt=0)
    days: float = pa.Field(gt=0)
    gpu_hours: float = pa.Field(gt=0)
    arithmetic: str
    source_url: str = pa.Field(str_startswith="http")
    quote: str = pa.Field(nullable=True)

    @pa.dataframe_check
    def hours_are_gpus_times_days(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        return data.lazyframe.select(
            ((c("gpus") * c("days") * 24 / c("gpu_hours")) - 1).abs() < 0.01
        )


class CalibrationRunSchema(TableSchema):
    """results/training_calibration.parquet: published runs and the MFU they imply."""

    model_id: str = pa.Field(unique=True)
    family: str  # lineage: a whole family is held out at once
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
    outside_calibration: bool  # its generation has runs of one family only: not fitted
    size_class: str
    source_url: str

    class Config:
        strict = False
        coerce = True


class CalibrationSchema(CalibrationRunSchema):
    """results/training_calibration.parquet once calibrated: each fitted run's prediction by
    the fit that never saw its family (null for runs neither fitted nor outside calibration)."""

    heldout_mfu: float = pa.Field(nullable=True, gt=0, le=MFU_CEILING)
    heldout_log_residual: float = pa.Field(nullable=True)
    heldout_interval_low: float = pa.Field(nullable=True, gt=0, le=MFU_CEILING)
    heldout_interval_high: float = pa.Field(nullable=True, gt=0, le=MFU_CEILING)
    heldout_basis: str = pa.Field(nullable=True)
    covered: bool = pa.Field(nullable=True)
    heldout_hours_error: float = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def interval_brackets_the_prediction(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            brackets("heldout_mfu", low="heldout_interval_low", high="heldout_interval_high")
        )
