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


FRONT = "base 5-shot: on the front"
DOMINATED = "base 5-shot: dominated"
# Okabe-Ito: the front in blue, dominated base models lighter, other footings in warm colours
STATUS_COLOURS = [
    "#0072B2",
    "#56B4E9",
    "#E69F00",
    "#D55E00",
    "#CC79A7",
    "#999999",
    "#009E73",
    "#F0E442",
]


def capability_status(capability: pl.DataFrame) -> pl.Series:
    """The legend entry of each point: on the front, dominated, or off the front and why (its
    footing, and 'other release' when its score is not from its training row's release)."""
    other_release = pl.col("release") != pl.col("training_release")
    off = pl.format(
        "{}{}: off the front",
        pl.col("footing"),
        pl.when(other_release).then(pl.lit(", other release")).otherwise(pl.lit("")),
    )
    return capability.select(
        pl.when(pl.col("comparable") & pl.col("pareto").fill_null(False))
        .then(pl.lit(FRONT))
        .when(pl.col("comparable"))
        .then(pl.lit(DOMINATED))
        .otherwise(off)
        .alias("status")
    ).to_series()


def capability_chart(capability: pl.DataFrame) -> alt.LayerChart:
    data = capability.filter(pl.col("j_per_token").is_not_null())
    data = data.with_columns(
        status=capability_status(data),
        provenance=pl.lit("MMLU published (source); J/token and cost estimated"),
        short_name=pl.col("model_id").str.split("/").list.last(),
    )
    statuses = [FRONT, DOMINATED] + sorted(set(data["status"].to_list()) - {FRONT, DOMINATED})
    setting = data["setting"][0] if data.height else ""
    x = log_x("j_per_token:Q", title=f"J/token ({setting}, log scale)")
    y = alt.Y("mmlu:Q", title="MMLU (%)", scale=alt.Scale(zero=False))
    points = (
        alt.Chart(data)
        .mark_point(filled=True, size=80)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "status:N",
                title="footing and front",
                scale=alt.Scale(domain=statuses, range=STATUS_COLOURS[: len(statuses)]),
                legend=alt.Legend(labelLimit=420),
            ),
            shape=alt.Shape("footing:N", title="MMLU footing"),
            tooltip=tooltips(
                MODEL,
                PARAMS,
                ("family:N", "family"),
                ("mmlu:Q", "MMLU", ".1f"),
                ("footing:N", "footing (checkpoint, protocol)"),
                ("release:N", "release scored"),
                ("training_release:N", "release of the training row"),
                ("j_per_token:Q", "J/token", ",.3~g"),
                ("usd_per_1k_tokens:Q", "USD/1k tokens", ",.3~g"),
                ("quality_share:Q", "MMLU vs family top (raw)", ".0%"),
                ("quality_share_above_chance:Q", "MMLU vs family top (above 25% chance)", ".0%"),
                ("energy_share:Q", "energy vs family top", ".1%"),
                ("family_top:N", "family top (same footing)"),
                ("mmlu_source:N", "MMLU source"),
                PROVENANCE,
            ),
        )
    )
    front = data.filter(pl.col("status") == FRONT).sort("j_per_token")
    line = alt.Chart(front).mark_line(color=STATUS_COLOURS[0], strokeDash=[4, 3]).encode(x=x, y=y)
    labels = (
        alt.Chart(front)
        .mark_text(align="left", dx=7, dy=-7, fontSize=10)
        .encode(x=x, y=y, text="short_name:N")
    )
    return titled(
        alt.layer(line, points, labels),
        "Quality against energy per token: which small model is on the front",
        subtitle="Published MMLU against estimated J/token; dashed: the front, on base 5-shot "
        "scores only; other footings in their own colour",
        description="MMLU against J/token per model, with the Pareto front of base 5-shot scores",
    )
