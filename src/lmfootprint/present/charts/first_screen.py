"""The answer's first screen: one chart per sentence (training, serving in the cloud, running
at home), each a value with its 80% interval on a log axis, settings named as people say
them (present.scenario_names)."""

from __future__ import annotations

from typing import Any

import altair as alt
import polars as pl

from lmfootprint.answer.headlines import Headlines
from lmfootprint.present.charts.shapes import log_range, log_x
from lmfootprint.present.figure import PROVENANCE, title_from, titled, tooltips
from lmfootprint.present.scenario_names import names_from_tables
from lmfootprint.present.text import human_params, ratio


def _between(row: dict[str, Any]) -> str:
    """'(80% interval 9.3x to 224x)'."""
    return f"(80% interval {ratio(row['low'])} to {ratio(row['high'])})"


def _countries(countries: pl.DataFrame | None) -> dict[str, str]:
    if countries is None:
        return {}
    return dict(zip(countries["country_iso3"], countries["country_name"], strict=True))


def _ratio_rows(base: alt.Chart, title: str) -> alt.LayerChart:
    """A ratio with its interval per row, its value printed beside the point."""
    return alt.layer(
        *log_range(base, "value", title, size=90),
        base.mark_text(align="left", dx=8, dy=-8).encode(x=log_x("value:Q"), text="value_text:N"),
    )


def training_first_chart(headlines: Headlines) -> alt.LayerChart:
    """Per 10x parameters on matched published ladders, the within-family fit over every
    ladder, then the SLM/LLM class ratio."""
    matched = headlines.get("matched.training_energy_per_10x")
    within = headlines.get("exponent.training_energy_within")
    cls = headlines.get("answer.training_energy")
    threshold = headlines.get("slm_max_params")
    line = f"SLM up to {human_params(threshold['value'])}" if threshold else "SLM vs LLM"
    rows = [
        ("matched published ladders: each 10x in parameters", matched),
        ("within-family fit, every ladder: each 10x", within),
        (f"median LLM over median SLM ({line})", cls),
    ]
    data = pl.DataFrame(
        [
            {
                "label": label,
                "value": r["value"],
                "value_low": r["low"],
                "value_high": r["high"],
                "value_text": ratio(r["value"]),
                "provenance": r["provenance"],
                "source": r["source"],
            }
            for label, r in rows
            if r is not None and r["low"] is not None
        ],
        schema={
            "label": pl.String,
            "value": pl.Float64,
            "value_low": pl.Float64,
            "value_high": pl.Float64,
            "value_text": pl.String,
            "provenance": pl.String,
            "source": pl.String,
        },
    )
    title = title_from(
        [matched or within],
        lambda w: (
            f"Each 10x in parameters takes {ratio(w['value'])} the training energy {_between(w)}"
        ),
        "How much more energy a large model's training takes",
    )
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=420)),
        tooltip=tooltips(
            ("label:N", "quantity"),
            ("value:Q", "times the energy (MWh over MWh)", ",.2~f"),
            ("value_low:Q", "low (10%)", ",.2~f"),
            ("value_high:Q", "high (90%)", ",.2~f"),
            PROVENANCE,
            ("source:N", "table"),
        ),
    )
    return titled(
        _ratio_rows(base, "times the training energy (log scale)"),
        title,
        subtitle="Matched: same family, data and GPUs, both runs published; within-family fit: "
        "family fixed effects; class ratio: LLM median / SLM median on the headline models; "
        "bars: 80% interval",
        description="Training energy: the factor per 10x parameters on matched ladders and "
        "within families, and the LLM/SLM class ratio, with 80% intervals",
    )


def cloud_first_chart(
    answer: pl.DataFrame,
    scenarios: pl.DataFrame,
    estimates: pl.DataFrame,
    headlines: Headlines,
) -> alt.LayerChart:
    """The LLM/SLM energy-per-token ratio in every cloud scenario, loaded and one request
    at a time."""
    names = names_from_tables(scenarios, estimates)
    cloud = scenarios.filter(pl.col("kind") == "cloud")["scenario"].to_list()
    data = (
        answer.filter(pl.col("metric") == "inference energy")
        .with_columns(scenario=pl.col("setting").str.split(" · ").list.first())
        .filter(pl.col("scenario").is_in(cloud))
        .select(
            "setting",
            "unit",
            "slm_median",
            "llm_median",
            "n_slm",
            "n_llm",
            label=pl.col("setting").replace_strict(names, default=pl.col("setting")),
            value="llm_over_slm",
            value_low="llm_over_slm_low",
            value_high="llm_over_slm_high",
            value_text=pl.col("llm_over_slm").map_elements(ratio, return_dtype=pl.String),
            provenance="provenance_mix",
        )
    )
    loaded = headlines.get("answer.inference_energy_loaded")
    one = headlines.get("answer.inference_energy_one_request")
    title = title_from(
        [loaded, one],
        lambda s, o: (
            f"Per token, a large model spends {ratio(s['value'])} the energy of a "
            f"small one on a loaded server, {ratio(o['value'])} one request at a time"
        ),
        "How much more energy a large model spends per token in the cloud",
    )
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=420)),
        tooltip=tooltips(
            ("label:N", "setting"),
            ("setting:N", "scenario id"),
            ("value:Q", "LLM / SLM", ",.2~f"),
            ("value_low:Q", "low (10%)", ",.2~f"),
            ("value_high:Q", "high (90%)", ",.2~f"),
            ("slm_median:Q", "SLM median (J/token)", ",.3~g"),
            ("llm_median:Q", "LLM median (J/token)", ",.3~g"),
            ("n_slm:Q", "SLM architectures"),
            ("n_llm:Q", "LLM architectures"),
            PROVENANCE,
        ),
    )
    return titled(
        _ratio_rows(base, "LLM / SLM energy per token (median ratio, log scale)"),
        title,
        subtitle="Accelerator energy x PUE per generated token, LLM median / SLM median on "
        "the headline models; bars: 80% interval",
        description="Energy per token in the cloud, LLM over SLM, per scenario and serving "
        "mode, with 80% intervals",
    )


def home_first_chart(
    cloud_vs_local: pl.DataFrame,
    scenarios: pl.DataFrame,
    estimates: pl.DataFrame,
    countries: pl.DataFrame | None,
    headlines: Headlines,
) -> alt.LayerChart:
    """Energy per token of the small models at home, the same models in the cloud, and the
    large model in the cloud."""
    names = names_from_tables(scenarios, estimates, _countries(countries))
    data = cloud_vs_local.unique(["model_id", "scenario", "serving"], maintain_order=True).select(
        "model_id",
        "params_total",
        "j_per_token",
        "j_per_token_low",
        "j_per_token_high",
        "differs_from_home",
        setting=pl.format("{} · {}", "scenario", "serving").replace_strict(
            names, default=pl.format("{} · {}", "scenario", "serving")
        ),
        provenance=pl.lit("estimated"),
    )
    home = headlines.get("home.j_per_token")
    large = headlines.get("home.large_cloud_loaded_over_home")
    title = title_from(
        [home, large],
        lambda h, g: (
            f"{g['subject'].split('/')[-1]} on a loaded cloud server spends "
            f"{ratio(g['value'])} the energy per token of {h['subject'].split('/')[-1]} at home"
        ),
        "A small model at home against the cloud",
    )
    order = data.sort("params_total")["model_id"].unique(maintain_order=True).to_list()
    base = alt.Chart(data).encode(
        y=alt.Y("model_id:N", title=None, sort=order, axis=alt.Axis(labelLimit=300)),
        yOffset=alt.YOffset("setting:N"),
        color=alt.Color("setting:N", title="where and how", legend=alt.Legend(labelLimit=420)),
        tooltip=tooltips(
            ("model_id:N", "model"),
            ("setting:N", "where and how"),
            ("j_per_token:Q", "J/token", ",.3~g"),
            ("j_per_token_low:Q", "low (10%)", ",.3~g"),
            ("j_per_token_high:Q", "high (90%)", ",.3~g"),
            ("differs_from_home:N", "differs from home"),
            PROVENANCE,
        ),
    )
    return titled(
        alt.layer(*log_range(base, "j_per_token", "J per token (log scale)", size=70)),
        title,
        subtitle="Estimated energy per generated token (device energy x PUE), one response of "
        "the estimates' prompt and output lengths; bars: 80% interval",
        description="Energy per token of small models at home and in the cloud, and of the "
        "large model in the cloud, with 80% intervals",
    )
