"""Altair figures. Each states its finding in the title and carries provenance in tooltips."""

from __future__ import annotations

import json
from pathlib import Path

import altair as alt
import polars as pl

from lmfootprint import theme  # noqa: F401  (registers and enables the theme)
from lmfootprint.architecture import human_params
from lmfootprint.io import _atomic, write_json
from lmfootprint.theme import PROVENANCE_COLOURS


def training_long(training: pl.DataFrame) -> pl.DataFrame:
    """One row per plotted value: energy and CO2e, published and recomputed."""
    base = training.filter(pl.col("params_total").is_not_null()).with_columns(
        params_label=pl.col("params_total").map_elements(human_params, return_dtype=pl.String),
        flagged=pl.col("flags") != "",
    )
    common = [
        "model_id",
        "params_total",
        "params_label",
        "params_source",
        "flags",
        "flagged",
        "source_url",
        "source_date",
        "gpu_type",
        "gpu_hours",
    ]
    parts = [
        base.select(
            *common,
            metric=pl.lit("Energy (MWh)"),
            value=pl.col("energy_mwh"),
            kind=pl.lit("recomputed"),
            method=pl.col("energy_method"),
        ),
        base.select(
            *common,
            metric=pl.lit("CO2e (t)"),
            value=pl.col("co2e_t"),
            kind=pl.lit("recomputed"),
            method=pl.format(
                "energy x {} g/kWh ({})",
                pl.col("intensity_g_per_kwh").round(1),
                pl.col("intensity_basis"),
            ),
        ),
        base.select(
            *common,
            metric=pl.lit("CO2e (t)"),
            value=pl.col("co2e_t_published"),
            kind=pl.lit("published"),
            method=pl.lit("as published by the source"),
        ),
    ]
    return (
        pl.concat(parts)
        .filter(pl.col("value").is_not_null() & (pl.col("value") > 0))
        .with_columns(
            provenance=pl.when(pl.col("kind") == "published")
            .then(pl.lit("published"))
            .otherwise(pl.lit("estimated (recomputed from published inputs)"))
        )
        .sort("metric", "params_total", "kind")
    )


def training_title(training: pl.DataFrame) -> str:
    rows = training.filter(pl.col("params_total").is_not_null() & (pl.col("energy_mwh") > 0))
    if rows.height < 2:
        return "Training energy and CO2e against model size"
    lo = rows.sort("energy_mwh").row(0, named=True)
    hi = rows.sort("energy_mwh").row(-1, named=True)
    ratio = hi["energy_mwh"] / lo["energy_mwh"]
    small, large = human_params(lo["params_total"]), human_params(hi["params_total"])
    return (
        f"Training energy spans {ratio:,.0f}x, from {lo['model_id']} ({small}) "
        f"to {hi['model_id']} ({large})"
    )


def training_chart(training: pl.DataFrame) -> alt.HConcatChart:
    data = training_long(training)
    tooltip = [
        alt.Tooltip("model_id:N", title="model"),
        alt.Tooltip("params_total:Q", title="parameters", format=",.0f"),
        alt.Tooltip("params_source:N", title="parameter count from"),
        alt.Tooltip("metric:N", title="quantity (unit)"),
        alt.Tooltip("value:Q", title="value", format=",.4~g"),
        alt.Tooltip("provenance:N", title="provenance"),
        alt.Tooltip("method:N", title="method"),
        alt.Tooltip("source_url:N", title="source"),
        alt.Tooltip("source_date:N", title="source date"),
        alt.Tooltip("flags:N", title="flags"),
    ]
    kinds = ["published", "recomputed"]
    colour = alt.Color(
        "kind:N",
        title="value",
        scale=alt.Scale(domain=kinds, range=[PROVENANCE_COLOURS[k] for k in kinds]),
    )
    shape = alt.Shape(
        "flagged:N",
        title="flagged by checks",
        scale=alt.Scale(domain=[False, True], range=["circle", "cross"]),
    )
    x = alt.X(
        "params_total:Q",
        title="Parameters (log scale)",
        scale=alt.Scale(type="log"),
        axis=alt.Axis(labelExpr="replace(format(datum.value, '~s'), 'G', 'B')"),
    )

    def panel(metric: str) -> alt.LayerChart:
        subset = data.filter(pl.col("metric") == metric)
        base = alt.Chart(subset, title=metric).encode(
            x=x,
            y=alt.Y("value:Q", title=f"{metric}, log scale", scale=alt.Scale(type="log")),
            color=colour,
            shape=shape,
            tooltip=tooltip,
        )
        # published as rings behind, recomputed as dots inside: agreement reads as a bullseye
        published = base.transform_filter(alt.datum.kind == "published").mark_point(
            filled=False, size=220, strokeWidth=2
        )
        recomputed = base.transform_filter(alt.datum.kind == "recomputed").mark_point(
            filled=True, size=60, opacity=0.9
        )
        return alt.layer(published, recomputed)

    return alt.hconcat(panel("Energy (MWh)"), panel("CO2e (t)")).properties(
        title=alt.Title(
            training_title(training),
            subtitle="Recomputed = published GPU-hours x power x PUE (x grid intensity for CO2e);"
            " rings are the published CO2e; crosses mark figures that fail a consistency check",
        ),
        description="Training energy (MWh) and CO2e (t) against parameter count, log-log, "
        "published and recomputed values, flagged rows marked with a cross",
    )


def save_figure(
    chart: alt.TopLevelMixin, *, html: str | Path, png: str | Path, spec: str | Path
) -> None:
    """Standalone HTML with the JavaScript inlined, a PNG, and the Vega-Lite spec."""
    _atomic(html, lambda p: chart.save(str(p), format="html", inline=True))
    _atomic(png, lambda p: chart.save(str(p), format="png", scale_factor=2))
    write_json(json.loads(chart.to_json()), spec)
