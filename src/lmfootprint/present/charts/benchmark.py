"""This machine's benchmark: throughput, energy per token, and prefill against decode."""

from __future__ import annotations

import altair as alt
import polars as pl

from lmfootprint.answer.headlines import Headlines
from lmfootprint.present.charts.shapes import per_metric, stack
from lmfootprint.present.figure import (
    MODEL,
    PARAMS,
    PROVENANCE,
    log_y,
    params_axis,
    title_from,
    titled,
    tooltips,
)


def inference_long(inference: pl.DataFrame) -> pl.DataFrame:
    """One row per plotted value: throughput, and energy per token gross and net of idle."""
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
    return (
        stack(
            inference.filter(pl.col("status") == "ok"),
            common,
            {
                "metric": pl.lit("Throughput (tokens/s)"),
                "value": pl.col("tokens_per_s"),
                "basis": pl.lit("wall time"),
            },
            {
                "metric": pl.lit("Energy (J/token)"),
                "value": pl.col("j_per_token"),
                "basis": pl.lit("gross"),
            },
            {
                "metric": pl.lit("Energy (J/token)"),
                "value": pl.col("j_per_token_net"),
                "basis": pl.lit("net of idle"),
            },
        )
        .filter(pl.col("value") > 0)
        .with_columns(batch=pl.format("{} {} · batch {}", "backend", "dtype", "batch_size"))
        .sort("metric", "params_total", "batch_size", "basis")
    )


def inference_chart(inference: pl.DataFrame, headlines: Headlines) -> alt.HConcatChart:
    data = inference_long(inference)
    tooltip = tooltips(
        MODEL,
        PARAMS,
        ("hardware:N", "hardware"),
        ("batch_size:Q", "batch size"),
        ("backend:N", "backend"),
        ("metric:N", "quantity (unit)"),
        ("value:Q", "value", ",.4~g"),
        ("basis:N", "basis"),
        ("spread:Q", "spread (max-min)/median", ".1%"),
        PROVENANCE,
        ("energy_method:N", "method"),
        ("weights:N", "weights"),
        ("dtype:N", "dtype"),
        ("threads:Q", "threads"),
    )
    x = params_axis()
    colour = alt.Color("batch:N", title="backend, weights, batch size")

    def panel(subset: pl.DataFrame, metric: str) -> alt.Chart:
        encoding = {
            "x": x,
            "y": log_y("value:Q", f"{metric}, log scale"),
            "color": colour,
            "detail": "basis:N",
            "tooltip": tooltip,
        }
        if metric.startswith("Energy"):
            encoding["strokeDash"] = alt.StrokeDash("basis:N", title="energy basis")
        return alt.Chart(subset, title=metric).mark_line(point=True).encode(**encoding)

    provenance = ", ".join(sorted(set(data.get_column("provenance").to_list()))) or "none"
    title = title_from(
        [
            headlines.get("benchmark.j_per_token_smallest"),
            headlines.get("benchmark.j_per_token_largest"),
        ],
        lambda lo, hi: (
            f"At batch 1 on {lo['setting']}: {lo['value']:.2g} J/token for {lo['subject']}, "
            f"{hi['value']:.2g} J/token for {hi['subject']}"
        ),
        "Inference throughput and energy per token on the hardware present",
    )
    return titled(
        per_metric(data, ("Throughput (tokens/s)", "Energy (J/token)"), panel),
        title,
        subtitle=f"Forced output length, median of repeats; energy is {provenance} "
        "(see method in tooltips); dashed = net of the idle baseline",
        description="Tokens per second and joules per token against parameter count, by batch "
        "size, on the benchmarked hardware",
    )


def prefill_decode_chart(inference: pl.DataFrame, headlines: Headlines) -> alt.Chart:
    long = stack(
        inference.filter(pl.col("status") == "ok"),
        [
            "model_id",
            "params_total",
            "hardware",
            "batch_size",
            "input_tokens",
            "output_tokens",
            "energy_method",
            "provenance",
        ],
        *(
            {
                "phase": pl.lit(phase),
                "share": share,
                "label": pl.format("{} · batch {}", pl.col("model_id"), pl.col("batch_size")),
            }
            for phase, share in (
                ("prefill", pl.col("prefill_share")),
                ("decode", 1 - pl.col("prefill_share")),
            )
        ),
    ).sort("params_total", "batch_size")
    title = title_from(
        [
            headlines.get("benchmark.prefill_share"),
            headlines.get("benchmark.input_tokens"),
            headlines.get("benchmark.output_tokens"),
        ],
        lambda share, tokens_in, tokens_out: (
            f"Prefill is {share['low']:.0%}-{share['high']:.0%} of a response's time at "
            f"{tokens_in['value']:.0f} tokens in, {tokens_out['value']:.0f} out: decoding "
            "dominates"
        ),
        "Prefill vs decode: no model was benchmarked in this run",
    )
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y(
                "label:N", title=None, sort=long["label"].unique(maintain_order=True).to_list()
            ),
            x=alt.X(
                "share:Q",
                title="Share of the response's wall time",
                axis=alt.Axis(format="%"),
                stack="normalize",
            ),
            color=alt.Color("phase:N", title="phase", sort=["prefill", "decode"]),
            tooltip=tooltips(
                MODEL,
                ("hardware:N", "hardware"),
                ("batch_size:Q", "batch size"),
                ("phase:N", "phase"),
                ("share:Q", "share of time", ".1%"),
                PROVENANCE,
                ("energy_method:N", "method"),
            ),
        )
    )
    return titled(
        chart,
        title,
        subtitle="Measured on this machine: time to first token vs the "
        "rest of the forced-length generation (median of repeats)",
        description="Share of each benchmarked response's time spent in prefill and in "
        "decode, by model and batch size",
    )
