"""How the cost answer moves with the price type: on-demand, spot, reserved, capacity blocks.

Within one scenario the price per GPU-hour multiplies every model's cost alike, so the
LLM/SLM cost ratio does not move; what moves is the cost itself, which is what a buyer
pays. Each cloud scenario's reference-mode cost per 1k tokens is re-priced at every price
type the snapshot holds for its SKU and region.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lmfootprint.answer.schemas import PriceSensitivitySchema
from lmfootprint.core.validation import frame_from_rows, validate_frame


def price_sensitivity(
    inference: pl.DataFrame, prices: pl.DataFrame, scenarios: dict[str, dict[str, Any]]
) -> pl.DataFrame:
    rows = []
    ref = inference.filter(
        (pl.col("status") == "estimated") & pl.col("reference") & (pl.col("kind") == "cloud")
    )
    for name, sc in scenarios.items():
        sub = ref.filter(pl.col("scenario") == name)
        if sc.get("kind") != "cloud" or sub.height == 0:
            continue
        region = sc.get("price_region", sc["region"])
        options = prices.filter(
            (pl.col("provider") == sc["provider"])
            & (pl.col("region") == region)
            & (pl.col("sku") == sc["sku"])
        )
        base = options.filter(pl.col("price_type") == sc.get("price_type", "on_demand"))
        if base.height == 0:
            continue
        base_price = base["price_per_gpu_hour"][0]
        for p in options.sort("price_per_gpu_hour").iter_rows(named=True):
            k = p["price_per_gpu_hour"] / base_price
            slm = sub.filter(pl.col("size_class") == "SLM")["usd_per_1k_tokens"]
            llm = sub.filter(pl.col("size_class") == "LLM")["usd_per_1k_tokens"]
            rows.append(
                {
                    "scenario": name,
                    "serving": sub["serving"][0],
                    "price_type": p["price_type"],
                    "price_per_gpu_hour_usd": p["price_per_gpu_hour"],
                    "relative_to_scenario_price": k,
                    "effective_date": p["effective_date"],
                    "source": p["source"],
                    "slm_median_usd_per_1k_tokens": float(slm.median()) * k if slm.len() else None,
                    "llm_median_usd_per_1k_tokens": float(llm.median()) * k if llm.len() else None,
                }
            )
    df = frame_from_rows(PriceSensitivitySchema, rows)
    return validate_frame(
        PriceSensitivitySchema, df, "results/comparison/price_sensitivity.parquet"
    )
