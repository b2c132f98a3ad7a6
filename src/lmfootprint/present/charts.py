"""The figures that answer the study's questions, one builder per figure.

Each builder takes the tables the ``figure`` rule gives it by name (inputs listed per figure
in workflow/rules/figures.smk) and returns an Altair chart. Titles state the finding with the
numbers of the headlines table; tooltips carry value, unit and provenance (figure.py).
``FIGURES`` maps a figure's name to its builder; ``draw`` reads the inputs and builds it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl

from lmfootprint.answer.headlines import Headlines, load_headlines
from lmfootprint.estimates.rent_vs_buy import gpu_year_costs
from lmfootprint.models.architecture import human_params
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
from lmfootprint.present.theme import PROVENANCE_COLOURS
from lmfootprint.reference.scenarios import devices_by_memory

DTYPES = {
    "fp32": "weights_gb_fp32",
    "bf16": "weights_gb_bf16",
    "int8": "weights_gb_int8",
    "int4": "weights_gb_int4",
}


def _interval(row: dict[str, Any]) -> str:
    """'(9.3-224)': a headline's interval, as ratios."""
    return f"({ratio(row['low'], '')}-{ratio(row['high'], '')})"


def _log_interval(
    base: alt.Chart, value: str, low: str, high: str, title: str, **point: Any
) -> alt.LayerChart:
    """Error bars from ``low`` to ``high`` under a point at ``value``, on one log y axis: how
    every per-model estimate with an interval is drawn."""
    return alt.layer(
        base.mark_errorbar(opacity=0.6).encode(y=log_y(low, title), y2=high),
        base.mark_point(filled=True).encode(y=log_y(value, title), **point),
    )


def _log_range(
    base: alt.Chart, value: str, low: str, high: str, title: str, *, size: int
) -> tuple[alt.Chart, alt.Chart]:
    """A bar from ``low`` to ``high`` and a point at ``value`` on one log x axis: how every
    ratio with an interval is drawn, one row per quantity."""
    return (
        base.mark_rule(strokeWidth=3, opacity=0.6).encode(
            x=alt.X(low, title=title, scale=alt.Scale(type="log")), x2=high
        ),
        base.mark_point(filled=True, size=size).encode(x=alt.X(value, scale=alt.Scale(type="log"))),
    )


def _extent(frame: pl.DataFrame, *cols: str) -> tuple[float, float]:
    """The smallest and largest value over ``cols``: one range for both axes of a scatter
    against the diagonal."""
    return min(frame[c].min() for c in cols), max(frame[c].max() for c in cols)


def _diagonal(line: pl.DataFrame, scale: alt.Scale) -> alt.Chart:
    """The dashed y = x line (columns ``a``, ``b``) that ours-against-theirs scatters read
    against."""
    return (
        alt.Chart(line)
        .mark_line(color="#888", strokeDash=[3, 3])
        .encode(x=alt.X("a:Q", scale=scale), y=alt.Y("b:Q", scale=scale))
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
        alt.hconcat(panel("Energy (MWh)"), panel("CO2e (t)")),
        title,
        subtitle="Recomputed = published GPU-hours x power x PUE (x grid intensity for CO2e);"
        " rings are the published CO2e; crosses mark figures that fail a consistency check",
        description="Training energy (MWh) and CO2e (t) against parameter count, log-log, "
        "published and recomputed values, flagged rows marked with a cross",
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
        alt.hconcat(panel("Throughput (tokens/s)"), panel("Energy (J/token)")),
        title,
        subtitle=f"Forced output length, median of repeats; energy is {provenance} "
        "(see method in tooltips); dashed = net of the idle baseline",
        description="Tokens per second and joules per token against parameter count, by batch "
        "size, on the benchmarked hardware",
    )


def memory_chart(
    models: pl.DataFrame, scenarios: pl.DataFrame, headlines: Headlines
) -> alt.LayerChart:
    long = pl.concat(
        models.select(
            "model_id",
            "params_total",
            "params_method",
            dtype=pl.lit(dtype),
            weights_gb=pl.col(col),
            provenance=pl.lit("computed from config.json"),
        )
        for dtype, col in DTYPES.items()
    )
    devices = devices_by_memory(scenarios).with_columns(
        source=pl.lit("resources/hardware.csv"), provenance=pl.lit("published")
    )
    title = title_from(
        [
            headlines.get("memory.smallest_device"),
            headlines.get("memory.largest_fit_bf16"),
            headlines.get("memory.largest_fit_int4"),
        ],
        lambda device, bf16, int4: (
            f"{device['subject']} ({device['value']:g} GB) holds models up to "
            f"{human_params(bf16['value'])} in bf16 and {human_params(int4['value'])} in int4"
        ),
        title_from(
            [headlines.get("memory.fp32_over_int4")],
            lambda r: f"Weights alone need {ratio(r['value'])} more memory in fp32 than in int4",
            "Memory of the weights by dtype against model size",
        ),
    )
    points = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=params_axis(),
            y=log_y("weights_gb:Q", "Weights (GB, log scale)"),
            color=alt.Color("dtype:N", title="dtype", sort=list(DTYPES)),
            tooltip=tooltips(
                MODEL,
                PARAMS,
                ("dtype:N", "dtype"),
                ("weights_gb:Q", "weights (GB)", ",.3~g"),
                PROVENANCE,
                ("params_method:N", "method"),
            ),
        )
    )
    rules = (
        alt.Chart(devices)
        .mark_rule(strokeDash=[4, 3], color="#555")
        .encode(
            y="memory_gb:Q",
            tooltip=tooltips(
                ("hardware_name:N", "hardware"),
                ("memory_gb:Q", "memory (GB)"),
                ("scenario:N", "scenario"),
                PROVENANCE,
                ("source:N", "source"),
            ),
        )
    )
    labels = rules.mark_text(align="left", dx=4, dy=-6, color="#333").encode(
        x=alt.value(0), text="hardware_name:N"
    )
    return titled(
        alt.layer(points, rules, labels),
        title,
        subtitle="Parameters x bytes per parameter; dashed lines: memory "
        "of one device of each scenario (KV cache and activations come on top)",
        description="Memory of the weights against parameter count for fp32, bf16, int8 and "
        "int4, with the memory of the scenarios' hardware",
    )


def prefill_decode_chart(inference: pl.DataFrame, headlines: Headlines) -> alt.Chart:
    ok = inference.filter(pl.col("status") == "ok")
    long = pl.concat(
        ok.select(
            "model_id",
            "params_total",
            "hardware",
            "batch_size",
            "input_tokens",
            "output_tokens",
            "energy_method",
            "provenance",
            phase=pl.lit(phase),
            share=share,
            label=pl.format("{} · batch {}", pl.col("model_id"), pl.col("batch_size")),
        )
        for phase, share in (
            ("prefill", pl.col("prefill_share")),
            ("decode", 1 - pl.col("prefill_share")),
        )
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


def _per_scenario(
    est: pl.DataFrame, col: str, unit: str, title: str, subtitle: str, extra: list[tuple]
) -> alt.LayerChart:
    ok = est.filter(pl.col("status") == "estimated").with_columns(
        scenario_label=pl.format("{} · {}", pl.col("scenario"), pl.col("serving"))
    )
    tooltip = tooltips(
        MODEL,
        PARAMS,
        ("scenario:N", "scenario"),
        ("hardware_id:N", "hardware"),
        ("devices:Q", "devices"),
        ("serving:N", "serving mode"),
        ("batch_size:Q", "batch"),
        ("precision:N", "weights"),
        (f"{col}:Q", f"value ({unit})", ",.3~g"),
        (f"{col}_low:Q", "low", ",.3~g"),
        (f"{col}_high:Q", "high", ",.3~g"),
        *extra,
        PROVENANCE,
        METHOD,
    )
    base = alt.Chart(ok).encode(
        x=params_axis(), color=alt.Color("scenario_label:N", title="scenario"), tooltip=tooltip
    )
    return titled(
        _log_interval(base, f"{col}:Q", f"{col}_low:Q", f"{col}_high:Q", f"{unit} (log scale)"),
        title,
        subtitle=subtitle,
        description=f"{unit} against parameter count per deployment scenario, with intervals",
    )


def cost_chart(estimates: pl.DataFrame, headlines: Headlines) -> alt.LayerChart:
    title = title_from(
        headlines.group("cost.llm_over_slm"),
        lambda *rows: (
            "Per 1k tokens, an LLM costs "
            + " and ".join(f"{ratio(r['value'])} on {r['setting']}" for r in rows)
            + " an SLM (medians)"
        ),
        "Cost per 1k tokens against model size",
    )
    return _per_scenario(
        estimates,
        "usd_per_1k_tokens",
        "USD per 1k tokens",
        title,
        "Cloud: GPU-hour price / tokens per hour from the calibrated serving model; local: "
        "electricity + purchase amortised over its lifetime. Title: reference mode (cloud "
        "throughput, local interactive); all estimated",
        [("kind:N", "cloud or local")],
    )


def carbon_chart(estimates: pl.DataFrame, headlines: Headlines) -> alt.LayerChart:
    title = title_from(
        [headlines.get("carbon.grid_ratio")],
        lambda r: (
            f"The grid matters as much as size: {r['subject']} emits {ratio(r['value'])} "
            f"{r['versus']} per token (median model)"
        ),
        "CO2e per 1k tokens against model size, per scenario's grid",
    )
    return _per_scenario(
        estimates,
        "gco2e_per_1k_tokens",
        "gCO2e per 1k tokens",
        title,
        "J/token (serving model calibrated on ML.ENERGY v3) x PUE x the scenario's grid; the "
        "tooltip gives the intensity and its basis (lifecycle or direct, never mixed)",
        [
            ("intensity_g_per_kwh:Q", "grid (gCO2e/kWh)", ",.0f"),
            ("intensity_basis:N", "intensity basis"),
        ],
    )


def break_even_chart(break_even: pl.DataFrame, headlines: Headlines) -> alt.LayerChart:
    title = title_from(
        [headlines.get("break_even.tokens")],
        lambda r: (
            f"On {r['setting']}, a model's inference matches its training energy after "
            f"{r['low']:.1e}-{r['high']:.1e} tokens"
        ),
        "Tokens served before inference uses as much energy as training",
    )
    tooltip = tooltips(
        MODEL,
        PARAMS,
        ("scenario:N", "scenario"),
        ("break_even_tokens:Q", "tokens", ".3~s"),
        ("break_even_tokens_low:Q", "low", ".3~s"),
        ("break_even_tokens_high:Q", "high", ".3~s"),
        ("training_energy_mwh:Q", "training (MWh)", ",.4~g"),
        ("training_provenance:N", "training provenance"),
        ("j_per_token:Q", "inference (J/token)", ",.3~g"),
        PROVENANCE,
    )
    base = alt.Chart(break_even).encode(
        x=params_axis(), color=alt.Color("scenario:N", title="scenario"), tooltip=tooltip
    )
    return titled(
        _log_interval(
            base,
            "break_even_tokens:Q",
            "break_even_tokens_low:Q",
            "break_even_tokens_high:Q",
            "Tokens (log scale)",
            shape=alt.Shape("training_provenance:N", title="training energy"),
        ),
        title,
        subtitle="Training energy (published, else 6ND estimate) / "
        "inference J/token of the scenario; intervals pair opposite bounds",
        description="Break-even tokens (inference energy = training energy) against parameter "
        "count per scenario",
    )


def rent_vs_buy_chart(rvb: pl.DataFrame, headlines: Headlines) -> alt.LayerChart:
    per_hw = rvb.unique("scenario", maintain_order=True)
    curves = []
    for r in per_hw.iter_rows(named=True):
        for u in (i / 100 for i in range(2, 101, 2)):
            costs = gpu_year_costs(
                r["price_per_gpu_hour_usd"],
                r["purchase_price_usd"],
                r["lifetime_years"],
                r["electricity_usd_per_gpu_hour"],
                u,
            )
            for option, usd in zip(("rent", "buy"), costs, strict=True):
                curves.append(
                    {
                        "scenario": r["scenario"],
                        "hardware_id": r["hardware_id"],
                        "option": option,
                        "utilisation": u,
                        "usd_per_gpu_year": usd,
                        "provenance": "estimated",
                        "method": r["method"],
                    }
                )
    data = pl.DataFrame(curves)
    marks = per_hw.filter(pl.col("break_even_utilisation").is_not_null())
    title = title_from(
        headlines.group("rent_vs_buy.break_even_utilisation"),
        lambda *rows: (
            "Buying the GPU pays off above "
            + ", ".join(f"{r['value']:.0%} busy ({r['subject']})" for r in rows)
            + ", counting the GPU alone"
        ),
        "Owning beats renting above a utilisation threshold",
    )
    lines = (
        alt.Chart(data)
        .mark_line()
        .encode(
            x=alt.X(
                "utilisation:Q",
                title="Share of the year the GPU is busy",
                axis=alt.Axis(format="%"),
            ),
            y=alt.Y("usd_per_gpu_year:Q", title="USD per GPU per year"),
            color=alt.Color("scenario:N", title="scenario"),
            strokeDash=alt.StrokeDash("option:N", title="option", sort=["rent", "buy"]),
            tooltip=tooltips(
                ("scenario:N", "scenario"),
                ("hardware_id:N", "hardware"),
                ("option:N", "rent or buy"),
                ("utilisation:Q", "utilisation", ".0%"),
                ("usd_per_gpu_year:Q", "USD per GPU-year", ",.0f"),
                PROVENANCE,
                METHOD,
            ),
        )
    )
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[2, 2])
        .encode(
            x="break_even_utilisation:Q",
            color=alt.Color("scenario:N"),
            tooltip=tooltips(
                ("hardware_id:N", "hardware"),
                ("break_even_utilisation:Q", "break-even utilisation", ".1%"),
                PROVENANCE,
                METHOD,
            ),
        )
    )
    return titled(
        alt.layer(lines, rules),
        title,
        subtitle="Rent: on-demand price x busy hours. Buy: purchase / "
        "lifetime + electricity of busy hours; server, network and staff not "
        "counted, so buying looks cheaper than it is",
        description="Cost per GPU-year of renting vs owning against utilisation, per cloud "
        "scenario, with the break-even utilisation",
    )


def answer_chart(answer: pl.DataFrame, headlines: Headlines) -> alt.LayerChart:
    data = answer.with_columns(
        label=pl.format("{} · {}", pl.col("metric"), pl.col("setting")),
        value_text=pl.col("llm_over_slm").map_elements(ratio, return_dtype=pl.String),
    )
    title = title_from(
        [headlines.get("answer.training_energy"), headlines.get("answer.inference_energy_loaded")],
        lambda t, s: (
            f"Training an LLM takes {ratio(t['value'])} {_interval(t)} the energy of an SLM; "
            f"serving a token, {ratio(s['value'])} {_interval(s)} on {s['setting']}"
        ),
        "How many times an LLM's footprint is an SLM's",
    )
    tooltip = tooltips(
        ("phase:N", "phase"),
        ("setting:N", "setting"),
        ("metric:N", "quantity"),
        ("unit:N", "unit of the medians"),
        ("slm_median:Q", "SLM median", ",.3~g"),
        ("llm_median:Q", "LLM median", ",.3~g"),
        ("llm_over_slm:Q", "LLM / SLM", ",.2~f"),
        ("llm_over_slm_low:Q", "low (10%)", ",.2~f"),
        ("llm_over_slm_high:Q", "high (90%)", ",.2~f"),
        ("n_slm:Q", "SLM architectures"),
        ("n_llm:Q", "LLM architectures"),
        ("provenance_mix:N", "provenance"),
    )
    order = data["label"].to_list()
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=420)),
        color=alt.Color("phase:N", title="phase"),
        tooltip=tooltip,
    )
    return titled(
        alt.layer(
            *_log_range(
                base,
                "llm_over_slm:Q",
                "llm_over_slm_low:Q",
                "llm_over_slm_high:Q",
                "LLM / SLM (median ratio, log scale)",
                size=90,
            ),
            base.mark_text(align="left", dx=8, dy=-8).encode(
                x=alt.X("llm_over_slm:Q", scale=alt.Scale(type="log")), text="value_text:N"
            ),
        ),
        title,
        subtitle="LLM median / SLM median on the headline models (disclosed tokens, "
        "released weights, decoder-only; identical architectures once); bars: 80% "
        "Monte Carlo + bootstrap interval",
        description="The SLM vs LLM ratio for energy, CO2e and cost, training and inference, "
        "with intervals",
    )


def ladder_chart(exponent: pl.DataFrame, headlines: Headlines) -> alt.LayerChart:
    data = exponent.with_columns(
        label=pl.format("{} · {}", pl.col("metric"), pl.col("setting")),
        provenance=pl.lit("estimated: fitted on the per-model values (published + estimated)"),
    )
    title = title_from(
        [headlines.get("exponent.training_energy_within")],
        lambda w: (
            f"Within a family, 10x the parameters takes {ratio(w['value'])} {_interval(w)} "
            "the training energy"
        ),
        "How much more each 10x in parameters costs",
    )
    tooltip = tooltips(
        ("label:N", "quantity"),
        ("unit:N", "unit of the quantity"),
        ("scope:N", "fitted"),
        ("exponent:Q", "exponent b", ".2f"),
        ("exponent_low:Q", "b low (10%)", ".2f"),
        ("exponent_high:Q", "b high (90%)", ".2f"),
        ("per_10x_params:Q", "x per 10x params", ".2f"),
        ("n_models:Q", "architectures"),
        ("n_families:Q", "families"),
        PROVENANCE,
    )
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=420)),
        yOffset=alt.YOffset("scope:N"),
        color=alt.Color("scope:N", title="fitted"),
        tooltip=tooltip,
    )
    return titled(
        alt.layer(
            *_log_range(
                base,
                "per_10x_params:Q",
                "per_10x_params_low:Q",
                "per_10x_params_high:Q",
                "Factor per 10x parameters",
                size=70,
            )
        ),
        title,
        subtitle="metric ~ params^b: within families (family fixed effects, same data and "
        "lab) and across all models; 80% interval from Monte Carlo + family bootstrap",
        description="Size exponent of energy, CO2e and cost per phase and setting",
    )


def capability_chart(capability: pl.DataFrame) -> alt.Chart:
    data = capability.filter(pl.col("j_per_token").is_not_null()).with_columns(
        comparable_label=pl.when(pl.col("comparable"))
        .then(pl.lit("MMLU 5-shot"))
        .otherwise(pl.lit("other format (not comparable)")),
        provenance=pl.lit("MMLU published (source); J/token and cost estimated"),
        pareto_label=pl.when(pl.col("pareto"))
        .then(pl.lit("Pareto front"))
        .otherwise(pl.lit("dominated")),
    )
    setting = data["setting"][0] if data.height else ""
    chart = (
        alt.Chart(data)
        .mark_point(filled=True, size=80)
        .encode(
            x=alt.X(
                "j_per_token:Q",
                title=f"J/token ({setting}, log scale)",
                scale=alt.Scale(type="log"),
            ),
            y=alt.Y("mmlu_5shot:Q", title="MMLU (%)", scale=alt.Scale(zero=False)),
            color=alt.Color("family:N", title="family", scale=alt.Scale(scheme="tableau20")),
            shape=alt.Shape("pareto_label:N", title="front"),
            opacity=alt.condition("datum.comparable", alt.value(1.0), alt.value(0.35)),
            tooltip=tooltips(
                MODEL,
                PARAMS,
                ("mmlu_5shot:Q", "MMLU", ".1f"),
                ("variant:N", "checkpoint scored"),
                ("j_per_token:Q", "J/token", ",.3~g"),
                ("usd_per_1k_tokens:Q", "USD/1k tokens", ",.3~g"),
                ("quality_share:Q", "quality vs family top", ".0%"),
                ("energy_share:Q", "energy vs family top", ".1%"),
                ("family_top:N", "family top"),
                ("mmlu_source:N", "MMLU source"),
                PROVENANCE,
            ),
        )
    )
    return titled(
        chart,
        "Quality against energy per token: which small model is on the front",
        subtitle="Published MMLU (source per point) against the estimated J/token; "
        "faded points are scored in another format",
        description="MMLU against J/token per model, with the Pareto front",
    )


def peers_chart(peers: pl.DataFrame, headlines: Headlines) -> alt.LayerChart:
    lo, hi = _extent(peers, "ours_j_per_token", "peer_j_per_token")
    scale = alt.Scale(type="log")
    band = pl.DataFrame(
        {"a": [lo, hi], "b": [lo, hi], "lo": [lo / 2, hi / 2], "hi": [lo * 2, hi * 2]}
    )
    peers = peers.with_columns(
        provenance=pl.lit("ours estimated; ML.ENERGY measured; EcoLogits estimated (published)")
    )
    points = (
        alt.Chart(peers)
        .mark_point(filled=True)
        .encode(
            x=alt.X("peer_j_per_token:Q", title="Peer's figure (J/token)", scale=scale),
            y=alt.Y("ours_j_per_token:Q", title="Ours (J/token)", scale=scale),
            color=alt.Color("peer:N", title="peer"),
            tooltip=tooltips(
                MODEL,
                ("peer:N", "peer"),
                ("setting:N", "setting"),
                ("ours_j_per_token:Q", "ours (J/token)", ",.3~g"),
                ("peer_j_per_token:Q", "peer (J/token)", ",.3~g"),
                ("ours_over_peer:Q", "ours / peer", ".2f"),
                ("boundary:N", "boundary"),
                ("explanation:N", "why (gap over 2x)"),
                PROVENANCE,
            ),
        )
    )
    area = (
        alt.Chart(band)
        .mark_area(opacity=0.12, color="#888")
        .encode(x=alt.X("a:Q", scale=scale), y=alt.Y("lo:Q", scale=scale), y2="hi:Q")
    )
    line = _diagonal(band, scale)
    title = title_from(
        [headlines.get("peers.n_over_2x"), headlines.get("peers.n_rows")],
        lambda far, n: (
            f"Our estimates against ML.ENERGY's measurements and EcoLogits: {far['value']:.0f} "
            f"of {n['value']:.0f} rows differ by more than 2x (each explained in the report)"
        ),
        "Our estimates against ML.ENERGY's measurements and EcoLogits",
    )
    return titled(
        alt.layer(area, line, points),
        title,
        subtitle="Shaded: within 2x. ML.ENERGY rows predicted by fits that never saw the "
        "model's family (v3) or the release (v2); EcoLogits on its own boundary",
        description="Our J/token against the peers' for the same model and setting",
    )


def fit_chart(cv: pl.DataFrame, fit: dict, headlines: Headlines) -> alt.LayerChart:
    held = cv.filter(~pl.col("held_out").str.starts_with("none")).with_columns(
        provenance=pl.lit("measured by ML.ENERGY (Zeus, GPU); predicted: estimated, held out")
    )
    title = title_from(
        [
            headlines.get("fit.family_holdout_error"),
            headlines.get("fit.n_models"),
            headlines.get("fit.n_rows.ml_energy_v3"),
        ],
        lambda err, models, rows: (
            f"The serving model predicts a family it never saw within a median "
            f"{err['value']:.0%} of ML.ENERGY's J/token "
            f"({models['value']:.0f} models, {rows['value']:.0f} rows)"
        ),
        "The serving model against ML.ENERGY's measurements, held out",
    )
    lo, hi = _extent(held, "j_per_token", "predicted_j_per_token")
    diagonal = pl.DataFrame({"a": [lo, hi], "b": [lo, hi]})
    scale = alt.Scale(type="log")
    points = (
        alt.Chart(held)
        .mark_point(filled=True, opacity=0.7)
        .encode(
            x=alt.X("predicted_j_per_token:Q", title="Predicted, held out (J/token)", scale=scale),
            y=alt.Y("j_per_token:Q", title="Measured by ML.ENERGY (J/token)", scale=scale),
            color=alt.Color("held_out:N", title="held out"),
            shape=alt.Shape("hardware_id:N", title="GPU"),
            tooltip=tooltips(
                ("model:N", "model"),
                ("hardware_id:N", "GPU"),
                ("devices:Q", "GPUs"),
                ("batch:Q", "average batch", ",.0f"),
                ("j_per_token:Q", "measured J/token", ",.3~g"),
                ("predicted_j_per_token:Q", "predicted J/token", ",.3~g"),
                ("power_w:Q", "measured W", ",.0f"),
                ("predicted_power_w:Q", "predicted W", ",.0f"),
                ("abs_error:Q", "error", ".0%"),
                ("source:N", "source"),
                PROVENANCE,
            ),
        )
    )
    line = _diagonal(diagonal, scale)
    return titled(
        alt.layer(line, points),
        title,
        subtitle=fit["formula"],
        description="Measured J/token of each ML.ENERGY row against the serving model's "
        "prediction from a fit that held out its family, its GPU, or (v2) the whole release",
    )


# Each figure's builder by name; its inputs (the builder's arguments) and its caption live in
# workflow/rules/figures.smk and workflow/report/figures/<name>.rst.
FIGURES: dict[str, Callable[..., alt.TopLevelMixin]] = {
    "answer": answer_chart,
    "training_footprint": training_chart,
    "inference": inference_chart,
    "prefill_decode": prefill_decode_chart,
    "energy_fit": fit_chart,
    "size_exponent": ladder_chart,
    "capability": capability_chart,
    "peers": peers_chart,
    "break_even": break_even_chart,
    "memory": memory_chart,
    "cost": cost_chart,
    "carbon": carbon_chart,
    "rent_vs_buy": rent_vs_buy_chart,
}


def _read(name: str, path: str | Path) -> Any:
    path = Path(path)
    if name == "headlines":
        return Headlines(load_headlines(path))
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    return pl.read_parquet(path)


def draw(figure: str, paths: dict[str, str | Path]) -> alt.TopLevelMixin:
    """Figure ``figure`` from its inputs by name (as the builder's arguments)."""
    return FIGURES[figure](**{name: _read(name, path) for name, path in paths.items()})
