"""Our cost per million tokens beside the published API prices for the same open models."""

from __future__ import annotations

import altair as alt
import polars as pl

from lmfootprint.answer.headlines import Headlines
from lmfootprint.present.charts.shapes import per_metric, stack
from lmfootprint.present.figure import (
    METHOD,
    MODEL,
    PARAMS,
    PROVENANCE,
    log_y,
    params_axis,
    title_from,
    titled,
    tooltips,
)
from lmfootprint.present.text import ratio

SIDES = ("input", "output")
MARKET = "API providers (min-max, median)"


def _long(table: pl.DataFrame) -> pl.DataFrame:
    """One row per (model, input or output, ours per scenario or the market): value, low, high."""
    keep = ["model_id", "params_total", "method"]
    ours = stack(
        table,
        keep,
        *(
            {
                "metric": pl.lit(side),
                "series": pl.format("ours: {} ({})", pl.col("scenario"), pl.col("price_type")),
                "value": pl.col(f"ours_{side}_usd_per_m"),
                "low": pl.col(f"ours_{side}_usd_per_m_low"),
                "high": pl.col(f"ours_{side}_usd_per_m_high"),
                "providers": pl.lit(None, dtype=pl.UInt32),
                "provenance": pl.lit("estimated"),
            }
            for side in SIDES
        ),
    )
    market = stack(
        table.unique("model_id", keep="first", maintain_order=True),
        keep,
        *(
            {
                "metric": pl.lit(side),
                "series": pl.lit(MARKET),
                "value": pl.col(f"market_{side}_usd_per_m"),
                "low": pl.col(f"market_{side}_usd_per_m_min"),
                "high": pl.col(f"market_{side}_usd_per_m_max"),
                "providers": pl.col("market_providers").cast(pl.UInt32),
                "provenance": pl.lit("published"),
            }
            for side in SIDES
        ),
    ).with_columns(method=pl.lit("resources/prices/api_prices.csv"))
    return pl.concat([ours, market])


def cost_vs_market_chart(cost_vs_market: pl.DataFrame, headlines: Headlines) -> alt.HConcatChart:
    gaps = headlines.group("cost_vs_market.output_gap")
    title = title_from(
        gaps,
        lambda *rows: (
            "Per output token we cost "
            + " and ".join(f"{ratio(r['value'])} on {r['setting']}" for r in rows)
            + " the median API price for the same open model (median model)"
        ),
        "Our cost per million tokens beside published API prices",
    )
    data = _long(cost_vs_market)
    busy = (
        f"{cost_vs_market['utilisation_low'][0]:.0%}-{cost_vs_market['utilisation_high'][0]:.0%}"
        if cost_vs_market.height
        else "a band"
    )
    tooltip = tooltips(
        MODEL,
        PARAMS,
        ("series:N", "source"),
        ("value:Q", "USD per million tokens", ",.3~g"),
        ("low:Q", "low", ",.3~g"),
        ("high:Q", "high", ",.3~g"),
        ("providers:Q", "providers"),
        PROVENANCE,
        METHOD,
    )

    def panel(frame: pl.DataFrame, side: str) -> alt.LayerChart:
        base = alt.Chart(frame, title=f"{side} tokens").encode(
            x=params_axis(),
            color=alt.Color("series:N", title="cost", legend=alt.Legend(labelLimit=400)),
            tooltip=tooltip,
        )
        axis = f"USD per million {side} tokens (log scale)"
        return alt.layer(
            base.mark_errorbar(opacity=0.6).encode(y=log_y("low:Q", axis), y2="high:Q"),
            base.mark_point(filled=True).encode(y=log_y("value:Q", axis)),
        )

    return titled(
        per_metric(data, SIDES, panel),
        title,
        subtitle="Ours: the rented server's hourly price over the tokens the serving model "
        f"says it serves, busy {busy} of the hours (bars: that band and the model's interval); "
        "API: published prices for the same open model across providers (bars: min-max)",
        description="USD per million input and output tokens against parameter count: our "
        "estimate at a utilisation band beside published API prices",
    )
