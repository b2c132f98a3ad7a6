"""The answer: how many times an LLM's footprint is an SLM's, per 10x parameters, and what
quality each joule buys."""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from lmfootprint.answer.headlines import Headlines
from lmfootprint.present.charts.shapes import log_range, log_x
from lmfootprint.present.figure import MODEL, PARAMS, PROVENANCE, title_from, titled, tooltips
from lmfootprint.present.text import ratio


def _interval(row: dict[str, Any]) -> str:
    """'(9.3-224)': a headline's interval, as ratios."""
    return f"({ratio(row['low'], '')}-{ratio(row['high'], '')})"


def answer_chart(answer: pl.DataFrame, headlines: Headlines) -> alt.LayerChart:
    data = answer.with_columns(
        label=pl.format("{} · {}", pl.col("metric"), pl.col("setting")),
        value_text=pl.col("llm_over_slm").map_elements(ratio, return_dtype=pl.String),
    )
    title = title_from(
        [headlines.get("answer.training_energy"), headlines.get("answer.inference_energy_loaded")],
        lambda t, s: (
            f"Training an LLM takes {ratio(t['value'])} {_interval(t)} the energy of an SLM; "
            f"serving a token on a loaded server, {ratio(s['value'])} {_interval(s)}"
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
            *log_range(base, "llm_over_slm", "LLM / SLM (median ratio, log scale)", size=90),
            base.mark_text(align="left", dx=8, dy=-8).encode(
                x=log_x("llm_over_slm:Q"), text="value_text:N"
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
        provenance=pl.when((pl.col("scope") == "matched steps") & (pl.col("phase") == "training"))
        .then(pl.lit("published: pooled over matched steps whose both ends are published runs"))
        .otherwise(pl.lit("estimated: fitted on the per-model values (published + estimated)")),
    )
    title = title_from(
        [headlines.get("matched.training_energy_per_10x")],
        lambda w: (
            f"Within a family, same data and GPUs, 10x the parameters takes {ratio(w['value'])} "
            f"{_interval(w)} the training energy"
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
        alt.layer(*log_range(base, "per_10x_params", "Factor per 10x parameters", size=70)),
        title,
        subtitle="metric ~ params^b: pooled over matched steps (same family, data, tokens and "
        "GPUs), within families (fixed effects; again without estimator-only steps) and across "
        "all models; 80% interval from Monte Carlo + family bootstrap",
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
            x=log_x("j_per_token:Q", title=f"J/token ({setting}, log scale)"),
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
