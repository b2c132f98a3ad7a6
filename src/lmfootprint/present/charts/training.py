"""Training: the published footprints, recomputed from their inputs."""

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
from lmfootprint.present.text import human_params, ratio
from lmfootprint.present.theme import PROVENANCE_COLOURS


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
    return (
        stack(
            base,
            common,
            {
                "metric": pl.lit("Energy (MWh)"),
                "value": pl.col("energy_mwh"),
                "kind": pl.lit("recomputed"),
                "method": pl.col("energy_arithmetic"),
            },
            {
                "metric": pl.lit("CO2e (t)"),
                "value": pl.col("co2e_t"),
                "kind": pl.lit("recomputed"),
                "method": pl.format(
                    "energy x {} g/kWh ({})",
                    pl.col("intensity_g_per_kwh").round(1),
                    pl.col("intensity_basis"),
                ),
            },
            {
                "metric": pl.lit("CO2e (t)"),
                "value": pl.col("co2e_t_published"),
                "kind": pl.lit("published"),
                "method": pl.lit("as published by the source"),
            },
        )
        .filter(pl.col("value").is_not_null() & (pl.col("value") > 0))
        .with_columns(
            provenance=pl.when(pl.col("kind") == "published")
            .then(pl.lit("published"))
            .otherwise(pl.lit("estimated (recomputed from published inputs)"))
        )
        .sort("metric", "params_total", "kind")
    )


def training_chart(training: pl.DataFrame, headlines: Headlines) -> alt.HConcatChart:
    data = training_long(training)
    tooltip = tooltips(
        MODEL,
        PARAMS,
        ("params_source:N", "parameter count from"),
        ("metric:N", "quantity (unit)"),
        ("value:Q", "value", ",.4~g"),
        PROVENANCE,
        METHOD,
        ("source_url:N", "source"),
        ("source_date:N", "source date"),
        ("flags:N", "flags"),
    )
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
    x = params_axis()

    def panel(subset: pl.DataFrame, metric: str) -> alt.LayerChart:
        base = alt.Chart(subset, title=metric).encode(
            x=x,
            y=log_y("value:Q", f"{metric}, log scale"),
            color=colour,
            shape=shape,
            tooltip=tooltip,
        )
        layers = []
        if subset.filter(pl.col("kind") == "published").height:
            # published as rings behind, recomputed as dots inside: agreement reads as a bullseye
            layers.append(
                base.transform_filter(alt.datum.kind == "published").mark_point(
                    filled=False, size=220, strokeWidth=2
                )
            )
        layers.append(
            base.transform_filter(alt.datum.kind == "recomputed").mark_point(
                filled=True, size=60, opacity=0.9
            )
        )
        return alt.layer(*layers)

    title = title_from(
        [
            headlines.get("training.energy_span"),
            headlines.get("training.lowest_energy_params"),
            headlines.get("training.highest_energy_params"),
        ],
        lambda span, lo, hi: (
            f"Training energy spans {ratio(span['value'])}, from {lo['subject']} "
            f"({human_params(lo['value'])}) to {hi['subject']} ({human_params(hi['value'])})"
        ),
        "Training energy and CO2e against model size",
    )
    return titled(
        per_metric(data, ("Energy (MWh)", "CO2e (t)"), panel),
        title,
        subtitle="Recomputed = published GPU-hours x power x PUE (x grid intensity for CO2e);"
        " rings are the published CO2e; crosses mark figures that fail a consistency check",
        description="Training energy (MWh) and CO2e (t) against parameter count, log-log, "
        "published and recomputed values, flagged rows marked with a cross",
    )
