"""Our cost per million tokens beside what API providers charge for the same open model.

Our figure is a rented server's hourly price over the tokens it serves, at a utilisation band
(estimates.token_prices); the market's is the band (min, median, max across providers) of the
published per-token prices in resources/prices/api_prices.csv. The two need not agree: a
provider buys GPU-hours far below the on-demand list price (reserved, owned), batches hundreds
of requests where the reference mode holds 64, often serves FP8 or INT4 weights, and sets its
price to win customers, not to cover an on-demand bill. The table says how far apart they are;
the report says why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from lmfootprint.answer.schemas import ApiPriceSchema, CostVsMarketSchema
from lmfootprint.core.validation import frame_from_rows, read_csv_checked, validate_frame
from lmfootprint.estimates.token_prices import UtilisationBand


def load_api_prices(path: str | Path) -> pl.DataFrame:
    """The shipped API prices, validated: every row with its source, date and quote."""
    return read_csv_checked(path, ApiPriceSchema)


def market_band(prices: pl.DataFrame) -> pl.DataFrame:
    """Per model: how many providers, and the min / median / max input and output price."""
    return prices.group_by("model_id", maintain_order=True).agg(
        market_providers=pl.col("provider").n_unique(),
        market_input_usd_per_m_min=pl.col("input_usd_per_m_tokens").min(),
        market_input_usd_per_m=pl.col("input_usd_per_m_tokens").median(),
        market_input_usd_per_m_max=pl.col("input_usd_per_m_tokens").max(),
        market_output_usd_per_m_min=pl.col("output_usd_per_m_tokens").min(),
        market_output_usd_per_m=pl.col("output_usd_per_m_tokens").median(),
        market_output_usd_per_m_max=pl.col("output_usd_per_m_tokens").max(),
        market_source_dates=pl.col("source_date").unique().sort().str.join(", "),
    )


def cost_vs_market(
    estimates: pl.DataFrame,
    prices: pl.DataFrame,
    scenarios: pl.DataFrame,
    band: UtilisationBand,
) -> pl.DataFrame:
    """One row per (cloud scenario, model with a published API price), reference mode."""
    ours = estimates.filter(
        (pl.col("status") == "estimated")
        & pl.col("reference")
        & (pl.col("kind") == "cloud")
        & pl.col("usd_per_m_output_tokens").is_not_null()
    )
    priced = scenarios.select("scenario", "price_per_gpu_hour_usd", "price_type")
    joined = ours.join(market_band(prices), on="model_id", how="inner").join(
        priced, on="scenario", how="left"
    )
    rows: list[dict[str, Any]] = []
    for r in joined.sort("scenario", "params_total").iter_rows(named=True):
        rows.append(
            {
                **{k: r[k] for k in ("scenario", "hardware_id", "serving", "model_id")},
                **{k: r[k] for k in ("params_total", "size_class", "devices", "precision")},
                "batch_size": r["batch_size"],
                "price_per_gpu_hour_usd": r["price_per_gpu_hour_usd"],
                "price_type": r["price_type"],
                "utilisation_low": band.low,
                "utilisation_mid": band.mid,
                "utilisation_high": band.high,
                **{
                    f"ours_{side}_usd_per_m{end}": r[f"usd_per_m_{side}_tokens{end}"]
                    for side in ("input", "output")
                    for end in ("_low", "", "_high")
                },
                # the table's 100% column, per million: input folded into the output tokens
                "ours_output_usd_per_m_at_100pct": r["usd_per_1k_tokens"] * 1000,
                **{k: r[k] for k in r if k.startswith("market_")},
                "output_ours_over_market_median": r["usd_per_m_output_tokens"]
                / r["market_output_usd_per_m"],
                "input_ours_over_market_median": r["usd_per_m_input_tokens"]
                / r["market_input_usd_per_m"],
                "provenance": "estimated",
                "method": f"ours: {r['devices']} x {r['hardware_id']} at "
                f"{r['price_per_gpu_hour_usd']:g} USD/GPU-hour ({r['price_type']}), "
                f"{r['precision']}, batch {r['batch_size']}, busy {band.low:.0%}-{band.high:.0%} "
                f"(central {band.mid:.0%}); market: published prices of "
                f"{r['market_providers']} providers (resources/prices/api_prices.csv)",
            }
        )
    df = frame_from_rows(CostVsMarketSchema, rows)
    return validate_frame(CostVsMarketSchema, df, "results/comparison/cost_vs_market.parquet")
