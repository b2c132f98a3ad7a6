"""pandera (polars) schemas of the tables the answer stage reads and writes."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from lmfootprint.core.schema import DATE_RE, PROVENANCE, TableSchema, brackets

# what besides size separates a ladder step's ends (lmfootprint.answer.ladders says each)
STEP_KINDS = (
    "published matched",
    "matched, one end estimated",
    "estimator only",
    "data x size",
    "hardware x size",
    "serving model, same stack",
)


class AnswerSchema(TableSchema):
    """results/answer.parquet: LLM median / SLM median per phase, setting and metric, on the
    headline rows (identical architectures once), with an 80% Monte Carlo + bootstrap interval:
    each model's own range and which architectures are in each class, not the threshold (the
    threshold table) ; ``slm_spread``/``llm_spread``: largest over smallest value in a class."""

    phase: str = pa.Field(isin=["training", "inference"])
    setting: str
    metric: str
    unit: str
    threshold_params: float = pa.Field(gt=0)
    slm_median: float = pa.Field(gt=0)
    llm_median: float = pa.Field(gt=0)
    llm_over_slm: float = pa.Field(gt=0)
    llm_over_slm_low: float = pa.Field(gt=0)
    llm_over_slm_high: float = pa.Field(gt=0)
    n_slm: int = pa.Field(gt=0)
    n_llm: int = pa.Field(gt=0)
    slm_spread: float = pa.Field(ge=1)
    llm_spread: float = pa.Field(ge=1)
    provenance_mix: str
    models_slm: str
    models_llm: str
    n_identical_merged: int = pa.Field(ge=0)
    kept_out: str = pa.Field(nullable=True)

    @pa.dataframe_check
    def interval_brackets_ratio(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(brackets("llm_over_slm"))


class ModelFamilySchema(TableSchema):
    """resources/comparison/model_families.csv: family, ladder membership, released weights."""

    model_id: str = pa.Field(unique=True)
    family: str
    ladder: bool
    weights_released: bool
    recipe: str = pa.Field(nullable=True)
    note: str = pa.Field(nullable=True)


class ModelMetricSchema(TableSchema):
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

    @pa.dataframe_check
    def bounds_bracket_value(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(brackets("value", low="low", high="high"))


class LadderSchema(TableSchema):
    """results/comparison/ladders.parquet: each within-family step up in size, its kind (what
    besides size separates its ends: lmfootprint.answer.ladders) and, in training, both ends'
    tokens and GPUs."""

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
    step_kind: str = pa.Field(isin=list(STEP_KINDS))
    step_note: str
    in_matched_exponent: bool
    tokens_smaller: float = pa.Field(nullable=True, gt=0)
    tokens_larger: float = pa.Field(nullable=True, gt=0)
    tokens_note: str = pa.Field(nullable=True)
    hardware: str = pa.Field(nullable=True)

    @pa.dataframe_check
    def interval_brackets_ratio(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(brackets("metric_ratio"))


class MatchedPairSchema(TableSchema):
    """results/comparison/matched_pairs.parquet: every training pair in a family (neighbours or
    not) with the same recipe, tokens and GPUs and both ends published."""

    phase: str = pa.Field(isin=["training"])
    setting: str
    metric: str
    unit: str
    family: str
    smaller: str
    larger: str
    params_ratio: float = pa.Field(gt=1)
    metric_ratio: float = pa.Field(gt=0)
    per_10x_params: float = pa.Field(gt=0)
    step_kind: str = pa.Field(isin=["published matched"])
    tokens_note: str = pa.Field(nullable=True)
    hardware: str = pa.Field(nullable=True)
    provenance: str


class SizeExponentSchema(TableSchema):
    """results/comparison/size_exponent.parquet: b in metric ~ params^b, with an 80% interval."""

    phase: str
    setting: str
    metric: str
    unit: str
    scope: str = pa.Field(
        isin=[
            "matched steps",
            "within families",
            "within families, estimator-only steps removed",
            "across all models",
        ]
    )
    exponent: float
    exponent_low: float
    exponent_high: float
    per_10x_params: float = pa.Field(gt=0)
    per_10x_params_low: float = pa.Field(gt=0)
    per_10x_params_high: float = pa.Field(gt=0)
    n_models: int = pa.Field(ge=2)
    n_families: int = pa.Field(nullable=True, ge=1)
    n_steps: int = pa.Field(nullable=True, ge=1)

    @pa.dataframe_check
    def interval_brackets_exponent(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(brackets("exponent"))


class ThresholdSchema(TableSchema):
    """results/comparison/threshold_sensitivity.parquet: the class ratio at other thresholds and
    at the headline's (``headline_threshold``: the same draws, so the same row as the answer's)."""

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
    provenance_mix: str
    headline_threshold: bool

    @pa.dataframe_check
    def interval_brackets_ratio(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(brackets("llm_over_slm"))


MMLU_FOOTINGS = ["base 5-shot", "instruct 5-shot", "cloze 0-shot"]
"""How an MMLU score was obtained: the checkpoint (base or instruct) and the protocol (5-shot
multiple choice, or the cloze formulation 0-shot). Only the first one is compared on the front."""

MONTH_RE = r"^\d{4}-\d{2}$"


class QualitySchema(TableSchema):
    """resources/quality/mmlu.csv: a published MMLU score per model, with its footing (checkpoint
    and protocol), the release it was measured on and the release the model's training row
    describes, and its source."""

    model_id: str = pa.Field(unique=True)
    mmlu: float = pa.Field(nullable=True, ge=0, le=100)
    footing: str = pa.Field(nullable=True, isin=MMLU_FOOTINGS)
    variant: str = pa.Field(nullable=True)
    release: str = pa.Field(nullable=True, str_matches=MONTH_RE)
    training_release: str = pa.Field(nullable=True, str_matches=MONTH_RE)
    source_url: str = pa.Field(nullable=True, str_startswith="http")
    source_title: str = pa.Field(nullable=True)
    source_date: str = pa.Field(nullable=True, str_matches=DATE_RE)
    quote_location: str = pa.Field(nullable=True)
    notes: str = pa.Field(nullable=True)

    @pa.dataframe_check
    def a_value_has_its_footing_release_and_source(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        described = pl.all_horizontal(
            c(k).is_not_null()
            for k in ("footing", "release", "training_release", "source_url", "quote_location")
        )
        return data.lazyframe.select(c("mmlu").is_null() | described)


class CapabilitySchema(TableSchema):
    """results/comparison/capability.parquet: quality against energy and cost per model.
    ``comparable`` rows (base 5-shot, same release as the training row) make the front;
    the others keep their value and footing but no front verdict."""

    model_id: str = pa.Field(unique=True)
    params_total: int = pa.Field(gt=0)
    size_class: str = pa.Field(isin=["SLM", "LLM"])
    family: str
    mmlu: float = pa.Field(ge=0, le=100)
    footing: str = pa.Field(isin=MMLU_FOOTINGS)
    variant: str = pa.Field(nullable=True)
    release: str = pa.Field(str_matches=MONTH_RE)
    training_release: str = pa.Field(str_matches=MONTH_RE)
    comparable: bool
    mmlu_source: str
    setting: str
    j_per_token: float = pa.Field(nullable=True, gt=0)
    usd_per_1k_tokens: float = pa.Field(nullable=True, gt=0)
    training_mwh: float = pa.Field(nullable=True, gt=0)
    pareto: bool = pa.Field(nullable=True)
    family_top: str = pa.Field(nullable=True)
    quality_share: float = pa.Field(nullable=True, gt=0)
    quality_share_above_chance: float = pa.Field(nullable=True)
    energy_share: float = pa.Field(nullable=True, gt=0)
    cost_share: float = pa.Field(nullable=True, gt=0)
    training_share: float = pa.Field(nullable=True, gt=0)

    @pa.dataframe_check
    def front_only_on_one_footing(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        on_footing = (c("footing") == MMLU_FOOTINGS[0]) & (c("release") == c("training_release"))
        return data.lazyframe.select(
            (c("comparable") == on_footing) & (c("comparable") | c("pareto").is_null())
        )


class PeerMapSchema(TableSchema):
    """resources/peers/model_map.csv: which peer row stands for which configured model."""

    model_id: str
    peer: str = pa.Field(isin=["ML.ENERGY v3", "ML.ENERGY v2"])
    peer_model_id: str
    note: str = pa.Field(nullable=True)


class EcoLogitsSchema(TableSchema):
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


class PeerValidationSchema(TableSchema):
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

    @pa.dataframe_check
    def gaps_over_2x_are_explained(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        far = (c("ours_over_peer") > 2) | (c("ours_over_peer") < 0.5)
        return data.lazyframe.select(~far | c("explanation").is_not_null())


class PriceSensitivitySchema(TableSchema):
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


class ApiPriceSchema(TableSchema):
    """resources/prices/api_prices.csv: a provider's published price for serving an open model,
    input and output USD per million tokens, each row with its source, date and verbatim quote
    (a price without them is refused: it could not be checked)."""

    provider: str = pa.Field(str_length={"min_value": 1})
    api_model: str = pa.Field(str_length={"min_value": 1})
    model_id: str = pa.Field(str_matches=r"^[^/\s]+/[^/\s]+$")
    input_usd_per_m_tokens: float = pa.Field(gt=0, lt=1000)
    output_usd_per_m_tokens: float = pa.Field(gt=0, lt=1000)
    source_url: str = pa.Field(str_startswith="http")
    source_title: str = pa.Field(str_length={"min_value": 1})
    source_date: str = pa.Field(str_matches=DATE_RE)
    quote: str = pa.Field(str_length={"min_value": 1})
    quote_location: str = pa.Field(str_length={"min_value": 1})
    notes: str = pa.Field(nullable=True)

    @pa.dataframe_check
    def one_row_per_provider_model(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            ~pl.struct("provider", "api_model", "model_id").is_duplicated()
        )


class CostVsMarketSchema(TableSchema):
    """results/comparison/cost_vs_market.parquet: our USD per million input and output tokens
    at the utilisation band beside the band of published API prices for the same model."""

    scenario: str
    hardware_id: str
    serving: str
    model_id: str
    params_total: int = pa.Field(gt=0)
    size_class: str = pa.Field(isin=["SLM", "LLM"])
    devices: int = pa.Field(ge=1)
    precision: str
    batch_size: int = pa.Field(ge=1)
    price_per_gpu_hour_usd: float = pa.Field(gt=0)
    price_type: str
    utilisation_low: float = pa.Field(gt=0, le=1)
    utilisation_mid: float = pa.Field(gt=0, le=1)
    utilisation_high: float = pa.Field(gt=0, le=1)
    ours_input_usd_per_m_low: float = pa.Field(gt=0)
    ours_input_usd_per_m: float = pa.Field(gt=0)
    ours_input_usd_per_m_high: float = pa.Field(gt=0)
    ours_output_usd_per_m_low: float = pa.Field(gt=0)
    ours_output_usd_per_m: float = pa.Field(gt=0)
    ours_output_usd_per_m_high: float = pa.Field(gt=0)
    ours_output_usd_per_m_at_100pct: float = pa.Field(gt=0)
    market_providers: int = pa.Field(ge=1)
    market_input_usd_per_m_min: float = pa.Field(gt=0)
    market_input_usd_per_m: float = pa.Field(gt=0)  # the median provider
    market_input_usd_per_m_max: float = pa.Field(gt=0)
    market_output_usd_per_m_min: float = pa.Field(gt=0)
    market_output_usd_per_m: float = pa.Field(gt=0)  # the median provider
    market_output_usd_per_m_max: float = pa.Field(gt=0)
    output_ours_over_market_median: float = pa.Field(gt=0)
    input_ours_over_market_median: float = pa.Field(gt=0)
    market_source_dates: str
    provenance: str = pa.Field(isin=PROVENANCE)
    method: str

    @pa.dataframe_check
    def intervals_bracket_values(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            brackets("ours_input_usd_per_m", "ours_output_usd_per_m")
            & brackets(
                "market_input_usd_per_m", "market_output_usd_per_m", low="{}_min", high="{}_max"
            )
        )


HEADLINE_PROVENANCE = [*PROVENANCE, "configured", "computed"]
_KINDS = "|".join(HEADLINE_PROVENANCE)


class HeadlineSchema(TableSchema):
    """results/headlines.parquet: every number a figure title or the report states, computed
    once from the table it summarises, under a stable key. ``low``/``high`` are its interval or
    range (both or neither); ``subject``/``versus``/``setting`` name what it is about."""

    key: str = pa.Field(unique=True, str_matches=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
    value: float
    low: float = pa.Field(nullable=True)
    high: float = pa.Field(nullable=True)
    unit: str
    label: str = pa.Field(str_length={"min_value": 1})
    subject: str = pa.Field(nullable=True)
    versus: str = pa.Field(nullable=True)
    setting: str = pa.Field(nullable=True)
    source: str = pa.Field(str_length={"min_value": 1})
    provenance: str = pa.Field(str_matches=rf"^({_KINDS})(\s*\+\s*({_KINDS}))*$")

    @pa.dataframe_check
    def bounds_bracket_value(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        neither = c("low").is_null() & c("high").is_null()
        both = c("low").is_not_null() & c("high").is_not_null()
        bracketed = neither | (both & brackets("value", low="low", high="high"))
        return data.lazyframe.select(c("value").is_finite() & bracketed)


class CloudVsLocalSchema(TableSchema):
    """results/cloud_vs_local.parquet: the same models at home and in the cloud, and small
    models at home against a large one in the cloud; every row says what differs."""

    question: str
    model_id: str
    params_total: int = pa.Field(gt=0)
    setting: str
    scenario: str
    kind: str = pa.Field(isin=["cloud", "local"])
    serving: str
    batch_size: int = pa.Field(ge=1)
    precision: str = pa.Field(nullable=True)
    intensity_g_per_kwh: float = pa.Field(nullable=True, ge=0)
    tokens_per_s: float = pa.Field(gt=0)
    seconds_per_response: float = pa.Field(nullable=True, gt=0)
    j_per_response: float = pa.Field(nullable=True, gt=0)
    j_per_token_low: float = pa.Field(nullable=True, gt=0)
    j_per_token: float = pa.Field(gt=0)
    j_per_token_high: float = pa.Field(nullable=True, gt=0)
    gco2e_per_1k_tokens: float = pa.Field(nullable=True, ge=0)
    usd_per_1k_tokens: float = pa.Field(nullable=True, gt=0)
    # the row's J/token over the home row's (1 for the home row)
    j_per_token_vs_home: float = pa.Field(gt=0)
    differs_from_home: str
    method: str = pa.Field(nullable=True)
    # a home row's published measurement on the same device and model size (the 004 study)
    published_tokens_per_s: float = pa.Field(nullable=True, gt=0)
    published_j_per_token: float = pa.Field(nullable=True, gt=0)
    published_source: str = pa.Field(nullable=True)


class ProvenanceCountSchema(TableSchema):
    """results/provenance.parquet: how many rows of each output are measured, estimated or
    published (the report's provenance table)."""

    table: str
    provenance: str = pa.Field(isin=[*PROVENANCE, "none (skipped)"])
    rows: int = pa.Field(ge=1)

    @pa.dataframe_check
    def one_row_per_table_and_provenance(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(~pl.struct("table", "provenance").is_duplicated())


class DecisionOptionSchema(TableSchema):
    """results/decision/options.parquet: every (model, scenario, serving mode) a reader of the
    report's decision page can choose: energy and money per prompt token (prefill) and per
    generated token (decode), low/value/high, from the inference estimate at the study's
    request shape and with a one-token prompt; grid, quality share of the best model, fits."""

    model_id: str
    params_total: int = pa.Field(gt=0)
    size_class: str = pa.Field(isin=["SLM", "LLM"])
    scenario: str
    kind: str = pa.Field(isin=["cloud", "local", "owned"])
    hardware_id: str
    location: str
    serving: str
    fits: bool
    note: str = pa.Field(nullable=True)
    precision: str = pa.Field(nullable=True)
    devices: int = pa.Field(nullable=True, ge=1)
    tokens_per_s: float = pa.Field(nullable=True, gt=0)
    intensity_g_per_kwh: float = pa.Field(ge=0)
    intensity_source: str
    mmlu: float = pa.Field(nullable=True, ge=0, le=100)
    quality_share: float = pa.Field(nullable=True, gt=0, le=1)
    quality_source: str = pa.Field(nullable=True)
    energy_provenance: str = pa.Field(nullable=True, isin=PROVENANCE)
    energy_method: str = pa.Field(nullable=True)
    price_provenance: str = pa.Field(nullable=True, isin=PROVENANCE)
    price_basis: str
    j_prefill_per_token_low: float = pa.Field(nullable=True, ge=0)
    j_prefill_per_token: float = pa.Field(nullable=True, ge=0)
    j_prefill_per_token_high: float = pa.Field(nullable=True, ge=0)
    j_decode_per_token_low: float = pa.Field(nullable=True, gt=0)
    j_decode_per_token: float = pa.Field(nullable=True, gt=0)
    j_decode_per_token_high: float = pa.Field(nullable=True, gt=0)
    usd_prefill_per_token_low: float = pa.Field(nullable=True, ge=0)
    usd_prefill_per_token: float = pa.Field(nullable=True, ge=0)
    usd_prefill_per_token_high: float = pa.Field(nullable=True, ge=0)
    usd_decode_per_token_low: float = pa.Field(nullable=True, gt=0)
    usd_decode_per_token: float = pa.Field(nullable=True, gt=0)
    usd_decode_per_token_high: float = pa.Field(nullable=True, gt=0)
    basis_prompt_tokens: int = pa.Field(ge=1)
    basis_output_tokens: int = pa.Field(ge=1)

    @pa.dataframe_check
    def an_option_that_fits_has_its_rates(cls, data: pa.PolarsData) -> pl.LazyFrame:
        c = pl.col
        return data.lazyframe.select(
            ~c("fits")
            | (c("j_decode_per_token").is_not_null() & c("usd_decode_per_token").is_not_null())
        )
