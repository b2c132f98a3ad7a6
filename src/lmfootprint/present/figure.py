"""Altair figures. Each states its finding in the title and carries provenance in tooltips."""

from __future__ import annotations

import json
from pathlib import Path

import altair as alt
import polars as pl

from lmfootprint.core.io import atomic_write, write_json
from lmfootprint.models.architecture import human_params
from lmfootprint.present import theme  # noqa: F401  (registers and enables the theme)
from lmfootprint.present.theme import PROVENANCE_COLOURS


def params_axis() -> alt.X:
    """Parameters on a log axis, labelled 135M, 7B, 405B (d3's SI 'G' read as billions)."""
    return alt.X(
        "params_total:Q",
        title="Parameters (log scale)",
        scale=alt.Scale(type="log"),
        axis=alt.Axis(labelExpr="replace(format(datum.value, '~s'), 'G', 'B')"),
    )


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
    x = params_axis()

    def panel(metric: str) -> alt.LayerChart:
        subset = data.filter(pl.col("metric") == metric)
        base = alt.Chart(subset, title=metric).encode(
            x=x,
            y=alt.Y("value:Q", title=f"{metric}, log scale", scale=alt.Scale(type="log")),
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
    atomic_write(html, lambda p: chart.save(str(p), format="html", inline=True))
    atomic_write(png, lambda p: chart.save(str(p), format="png", scale_factor=2))
    write_json(json.loads(chart.to_json()), spec)


def inference_long(inference: pl.DataFrame) -> pl.DataFrame:
    ok = inference.filter(pl.col("status") == "ok")
    common = [
        "model_id",
        "params_total",
        "hardware",
        "backend",
        "batch_size",
        "weights",
        "dtype",
        "energy_method",
        "provenance",
        "spread",
        "threads",
        "input_tokens",
        "output_tokens",
    ]
    parts = [
        ok.select(
            *common,
            metric=pl.lit("Throughput (tokens/s)"),
            value=pl.col("tokens_per_s"),
            basis=pl.lit("wall time"),
        ),
        ok.select(
            *common,
            metric=pl.lit("Energy (J/token)"),
            value=pl.col("j_per_token"),
            basis=pl.lit("gross"),
        ),
        ok.select(
            *common,
            metric=pl.lit("Energy (J/token)"),
            value=pl.col("j_per_token_net"),
            basis=pl.lit("net of idle"),
        ),
    ]
    return (
        pl.concat(parts)
        .filter(pl.col("value") > 0)
        .with_columns(batch=pl.format("{} {} · batch {}", "backend", "dtype", "batch_size"))
        .sort("metric", "params_total", "batch_size", "basis")
    )


def inference_title(inference: pl.DataFrame) -> str:
    ok = inference.filter((pl.col("status") == "ok") & (pl.col("batch_size") == 1))
    if ok.select(pl.col("model_id").n_unique()).item() < 2:
        return "Inference throughput and energy per token on the hardware present"
    lo = ok.sort("params_total").row(0, named=True)
    hi = ok.sort("params_total").row(-1, named=True)
    return (
        f"At batch 1 on {lo['hardware']}: {lo['j_per_token']:.2g} J/token for {lo['model_id']}, "
        f"{hi['j_per_token']:.2g} J/token for {hi['model_id']}"
    )


def inference_chart(inference: pl.DataFrame) -> alt.HConcatChart:
    data = inference_long(inference)
    tooltip = [
        alt.Tooltip("model_id:N", title="model"),
        alt.Tooltip("params_total:Q", title="parameters", format=",.0f"),
        alt.Tooltip("hardware:N", title="hardware"),
        alt.Tooltip("batch_size:Q", title="batch size"),
        alt.Tooltip("backend:N", title="backend"),
        alt.Tooltip("metric:N", title="quantity (unit)"),
        alt.Tooltip("value:Q", title="value", format=",.4~g"),
        alt.Tooltip("basis:N", title="basis"),
        alt.Tooltip("spread:Q", title="spread (max-min)/median", format=".1%"),
        alt.Tooltip("provenance:N", title="provenance"),
        alt.Tooltip("energy_method:N", title="method"),
        alt.Tooltip("weights:N", title="weights"),
        alt.Tooltip("dtype:N", title="dtype"),
        alt.Tooltip("threads:Q", title="threads"),
    ]
    x = params_axis()
    colour = alt.Color("batch:N", title="backend, weights, batch size")

    def panel(metric: str) -> alt.Chart:
        subset = data.filter(pl.col("metric") == metric)
        encoding = {
            "x": x,
            "y": alt.Y("value:Q", title=f"{metric}, log scale", scale=alt.Scale(type="log")),
            "color": colour,
            "detail": "basis:N",
            "tooltip": tooltip,
        }
        if metric.startswith("Energy"):
            encoding["strokeDash"] = alt.StrokeDash("basis:N", title="energy basis")
        return alt.Chart(subset, title=metric).mark_line(point=True).encode(**encoding)

    provenance = ", ".join(sorted(set(data.get_column("provenance").to_list()))) or "none"
    return alt.hconcat(panel("Throughput (tokens/s)"), panel("Energy (J/token)")).properties(
        title=alt.Title(
            inference_title(inference),
            subtitle=f"Forced output length, median of repeats; energy is {provenance} "
            "(see method in tooltips); dashed = net of the idle baseline",
        ),
        description="Tokens per second and joules per token against parameter count, by batch "
        "size, on the benchmarked hardware",
    )
