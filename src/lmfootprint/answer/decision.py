"""What should we run? Every (model, deployment) option a reader can choose, and their ranking.

The decision table (``results/decision/options.parquet``) holds, per model and deployment
(scenario and serving mode), the energy and money of one request split into what each prompt
token costs (prefill) and what each generated token costs (decode), with the estimate's 80%
interval, plus the grid intensity, the model's quality (published MMLU, as a share of the best
model's) and whether it fits the hardware. The split comes from the package's own inference
estimate run twice: at the study's request shape (``prompt_tokens``, ``output_tokens``) and with
a one-token prompt (decode alone); the difference, per prompt token, is the prefill. So a
request of the study's shape costs exactly the estimate's figure.

``rank_options`` is the one computation the report's decision page repeats in Vega-Lite
(present.decision_page); a test holds the two equal. Yearly totals:

    kWh/yr   = requests/day x 365 x (prompt x J_prefill + response x J_decode) / 3.6e6
    tCO2e/yr = kWh/yr x gCO2e/kWh / 1e6
    USD/yr   = requests/day x 365 x (prompt x USD_prefill + response x USD_decode)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import polars as pl

from lmfootprint.answer.capability import comparable_scores
from lmfootprint.answer.schemas import DecisionOptionSchema
from lmfootprint.core.validation import frame_from_rows, validate_frame

DAYS_PER_YEAR = 365
J_PER_KWH = 3.6e6
CRITERIA = {"energy": "kwh_per_year", "co2e": "tco2e_per_year", "cost": "usd_per_year"}
OWN = {
    "laptop": "a laptop",
    "server": "a GPU server (the cloud scenarios' GPUs, bought)",
    "nothing": "nothing (cloud only)",
}
# kinds of deployment whose grid is the reader's own (``where``), not a cloud region's
OWN_GRID = ("local", "owned")
HOURS_PER_YEAR = 8760.0
BANDS = ("low", "value", "high")


@dataclass(frozen=True)
class DecisionSettings:
    """What a reader sets on the decision page (its inputs, one to one)."""

    requests_per_day: int = 1000
    prompt_tokens: float = 62.0
    response_tokens: float = 72.0
    quality_floor: float = 0.5  # share of the best model's MMLU
    where: str | None = None  # the grid (a scenario's location) owned hardware draws from
    own: str = "laptop"
    serving: str = "throughput"
    criterion: str = "energy"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rate(full: float | None, decode_only: float | None, prompt: int) -> tuple[float, float]:
    """(per prompt token, per response's decode) from one response's figure at the study's
    shape (``full``) and with a one-token prompt (``decode_only``): the prompt's extra tokens
    cost the difference, and the one-token run's own prompt token is taken out of its decode,
    so that prompt x prefill + decode is ``full`` exactly."""
    if full is None:
        return (None, None)  # type: ignore[return-value]
    alone = min(decode_only if decode_only is not None else full, full)
    prefill = (full - alone) / max(prompt - 1, 1)
    return (prefill, alone - prefill)


def decision_options(
    estimates: pl.DataFrame,
    decode_only: pl.DataFrame,
    quality: pl.DataFrame,
    scenarios: pl.DataFrame,
    *,
    prompt_tokens: int,
    output_tokens: int,
) -> pl.DataFrame:
    """One row per (model, scenario, serving mode) of the inference estimates: prefill and
    decode J and USD per token (low/value/high), grid, quality share, fits, provenance."""
    comparable = comparable_scores(quality).filter(
        pl.col("model_id").is_in(estimates["model_id"].unique().implode())
    )  # one footing (base 5-shot, the training row's release); the study's best model is 100%
    best = comparable["mmlu"].max() if comparable.height else None
    q = {r["model_id"]: r for r in comparable.iter_rows(named=True)}
    scen = {r["scenario"]: r for r in scenarios.iter_rows(named=True)}
    key = ("model_id", "scenario", "serving")
    alone = {tuple(r[k] for k in key): r for r in decode_only.iter_rows(named=True)}
    ratio = output_tokens  # per generated token -> per response
    rows: list[dict[str, Any]] = []
    for r in estimates.iter_rows(named=True):
        s = scen[r["scenario"]]
        d = alone.get(tuple(r[k] for k in key), {})
        fits = r["status"] == "estimated"
        row: dict[str, Any] = {
            "model_id": r["model_id"],
            "params_total": r["params_total"],
            "size_class": r["size_class"],
            "scenario": r["scenario"],
            "kind": r["kind"],
            "hardware_id": r["hardware_id"],
            "location": s["location"],
            "serving": r["serving"],
            "fits": fits,
            "note": r["note"],
            "precision": r["precision"],
            "devices": r["devices"],
            "tokens_per_s": r["tokens_per_s"],
            "intensity_g_per_kwh": s["intensity_g_per_kwh"],
            "intensity_source": s["intensity_source"],
            "mmlu": q[r["model_id"]]["mmlu"] if r["model_id"] in q else None,
            "quality_share": q[r["model_id"]]["mmlu"] / best if r["model_id"] in q else None,
            "quality_source": q[r["model_id"]]["source_url"] if r["model_id"] in q else None,
            "energy_provenance": r["provenance"],
            "energy_method": r["method"],
            "price_provenance": "published" if fits else None,
            "price_basis": (
                f"{s['price_type']} {s['price_region']} {s['price_date']}"
                if s["kind"] == "cloud"
                else f"tariff {s['tariff_period']} + purchase over {s['lifetime_years']:g} years"
            ),
        }
        for band, suffix in zip(BANDS, ("_low", "", "_high"), strict=True):
            # per response at the study's shape: J/token x output tokens; the decode-alone
            # run's per-response figure holds only the one-token prompt
            j_full = r[f"j_per_token{suffix}"]
            j_alone = d.get(f"j_per_token{suffix}")
            usd_full = r[f"usd_per_1k_tokens{suffix}"]
            usd_alone = d.get(f"usd_per_1k_tokens{suffix}")
            jp, jd = _rate(
                j_full * ratio if j_full is not None else None,
                j_alone * ratio if j_alone is not None else None,
                prompt_tokens,
            )
            up, ud = _rate(
                usd_full / 1000 * ratio if usd_full is not None else None,
                usd_alone / 1000 * ratio if usd_alone is not None else None,
                prompt_tokens,
            )
            name = "" if band == "value" else f"_{band}"
            row[f"j_prefill_per_token{name}"] = jp
            row[f"j_decode_per_token{name}"] = None if jd is None else jd / ratio
            row[f"usd_prefill_per_token{name}"] = up
            row[f"usd_decode_per_token{name}"] = None if ud is None else ud / ratio
        row["basis_prompt_tokens"] = prompt_tokens
        row["basis_output_tokens"] = output_tokens
        rows.append(row)
    df = frame_from_rows(DecisionOptionSchema, rows)
    return validate_frame(DecisionOptionSchema, df, "results/decision/options.parquet")


def released_only(options: pl.DataFrame, families: pl.DataFrame) -> pl.DataFrame:
    """Only models a reader can run: a model whose weights are not released (GPT-3) is no
    option on a laptop, a server or a rented GPU, whatever its estimate says."""
    closed = families.filter(~pl.col("weights_released"))["model_id"].implode()
    return options.filter(~pl.col("model_id").is_in(closed))


def owned_servers(options: pl.DataFrame, rent_vs_buy: pl.DataFrame) -> pl.DataFrame:
    """The cloud options again as a server the reader buys: the same GPUs, model and serving
    mode, so the same joules per token; money per token scaled from the rented GPU-hour to an
    owned one: the purchase spread over its busy hours (lifetime x utilisation) plus its
    electricity (results/rent_vs_buy.parquet, per model and cloud scenario)."""
    c = pl.col
    rates = rent_vs_buy.select(
        "model_id",
        "scenario",
        (
            (
                c("purchase_price_usd")
                / (c("lifetime_years") * HOURS_PER_YEAR)
                / c("owned_utilisation")
                + c("electricity_usd_per_gpu_hour")
            )
            / c("price_per_gpu_hour_usd")
        ).alias("_scale"),
        pl.format(
            "bought at {} USD per GPU over {} years, {}% busy, + electricity {} USD/GPU-hour",
            c("purchase_price_usd").round(0),
            c("lifetime_years"),
            (c("owned_utilisation") * 100).round(0),
            c("electricity_usd_per_gpu_hour").round(3),
        ).alias("_basis"),
    )
    cloud = options.filter(c("kind") == "cloud").join(
        rates, on=("model_id", "scenario"), how="inner"
    )
    usd = [col for col in options.columns if col.startswith("usd_")]
    owned = cloud.with_columns(
        *[(c(col) * c("_scale")).alias(col) for col in usd],
        kind=pl.lit("owned"),
        price_provenance=pl.when(c("fits")).then(pl.lit("estimated")),
        price_basis=c("_basis"),
    ).select(options.columns)
    return validate_frame(
        DecisionOptionSchema,
        pl.concat([options, owned], how="vertical"),
        "results/decision/options.parquet",
    )


def _total(
    options: pl.DataFrame, prefix: str, band: str, prompt: float, response: float
) -> pl.Expr:
    name = "" if band == "value" else f"_{band}"
    c = pl.col
    return (
        c(f"{prefix}_prefill_per_token{name}") * prompt
        + c(f"{prefix}_decode_per_token{name}") * response
    )


def rank_options(options: pl.DataFrame, settings: DecisionSettings | dict) -> pl.DataFrame:
    """The options a reader's settings allow, ranked by their criterion (1 = least).

    Kept: fits the hardware, has a comparable quality score at or above the floor (a model
    with no comparable score passes only a floor of 0, so that every model can be ranked), serves in
    the chosen mode (local hardware serves one request at a time, so its rows stay in either
    mode), and is local only when the reader owns a laptop. Owned hardware draws from the
    grid of ``where`` (a scenario's location); cloud options from their own region's."""
    s = settings if isinstance(settings, DecisionSettings) else DecisionSettings(**settings)
    c = pl.col
    year = s.requests_per_day * DAYS_PER_YEAR
    grid = options.filter(c("location") == (s.where or ""))["intensity_g_per_kwh"]
    where_g = grid[0] if grid.len() else None
    intensity = (
        pl.when(c("kind").is_in(OWN_GRID)).then(pl.lit(where_g)).otherwise(c("intensity_g_per_kwh"))
        if where_g is not None
        else c("intensity_g_per_kwh")
    )
    kept = options.filter(
        c("fits")
        & ((c("quality_share") >= s.quality_floor - 1e-9) if s.quality_floor > 0 else pl.lit(True))
        & ((c("serving") == s.serving) | (c("kind") == "local"))
        & ((c("kind") != "local") | pl.lit(s.own == "laptop"))
        & ((c("kind") != "owned") | pl.lit(s.own == "server"))
    ).with_columns(grid_g_per_kwh=intensity)
    totals = []
    for band in BANDS:
        name = "" if band == "value" else f"_{band}"
        kwh = _total(kept, "j", band, s.prompt_tokens, s.response_tokens) * year / J_PER_KWH
        usd = _total(kept, "usd", band, s.prompt_tokens, s.response_tokens) * year
        totals += [
            kwh.alias(f"kwh_per_year{name}"),
            (kwh * c("grid_g_per_kwh") / 1e6).alias(f"tco2e_per_year{name}"),
            usd.alias(f"usd_per_year{name}"),
        ]
    out = kept.with_columns(totals).sort(CRITERIA[s.criterion], "model_id", "scenario", "kind")
    return out.with_row_index("rank", offset=1).select(
        "rank",
        "model_id",
        "scenario",
        "kind",
        "serving",
        "size_class",
        "quality_share",
        "grid_g_per_kwh",
        *[f"{m}{n}" for m in CRITERIA.values() for n in ("", "_low", "_high")],
    )


def class_ratio_at(
    options: pl.DataFrame,
    settings: DecisionSettings | dict,
    scenario: str,
    models_slm: str,
    models_llm: str,
) -> float | None:
    """The answer's LLM median / SLM median energy, from the page's own yearly kWh in one
    cloud scenario: the groups as the answer lists them ('a = b' is one architecture, at the
    geometric mean of its models). At the estimate's request shape it is the headline."""
    s = settings if isinstance(settings, DecisionSettings) else DecisionSettings(**settings)
    s = DecisionSettings(**{**s.as_dict(), "quality_floor": 0.0, "own": "nothing"})
    rows = rank_options(options, s).filter(pl.col("scenario") == scenario)
    kwh = dict(zip(rows["model_id"], rows["kwh_per_year"], strict=True))

    def medians(listing: str) -> float | None:
        groups = [g.split(" = ") for g in listing.split(", ") if g]
        if not groups or any(m not in kwh for g in groups for m in g):
            return None
        values = [float(np.exp(np.mean([np.log(kwh[m]) for m in g]))) for g in groups]
        return float(np.median(values))

    small, large = medians(models_slm), medians(models_llm)
    return large / small if small and large else None


def reading(ranked: pl.DataFrame, criterion: str) -> dict[str, Any] | None:
    """The page's one line: the first option against the best-quality one (the least of the
    criterion among the best-quality options): its share of the criterion and of quality."""
    if ranked.height == 0:
        return None
    col = CRITERIA[criterion]
    first = ranked.row(0, named=True)
    scored = ranked.filter(pl.col("quality_share").is_not_null())
    if scored.height == 0:
        return None
    top_q = scored["quality_share"].max()
    ref = scored.filter(pl.col("quality_share") >= top_q - 1e-12).row(0, named=True)
    return {
        "first": first,
        "reference": ref,
        "criterion_share": first[col] / ref[col] if ref[col] else None,
        "quality_share": (first["quality_share"] or 0) / ref["quality_share"],
    }
