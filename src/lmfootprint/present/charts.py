"""The figures that answer the study's questions from the footprint tables.

Each builder takes the tables it names and returns an Altair chart whose title states the
finding and whose tooltips carry value, unit and provenance (method, source). ``FIGURES`` is
the registry the workflow's single ``figure`` rule and the report read: name -> inputs,
builder, caption.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import polars as pl

from lmfootprint.estimates.rent_vs_buy import gpu_year_costs
from lmfootprint.models.architecture import human_params
from lmfootprint.present.figure import inference_chart, params_axis, training_chart

DTYPES = {
    "fp32": "weights_gb_fp32",
    "bf16": "weights_gb_bf16",
    "int8": "weights_gb_int8",
    "int4": "weights_gb_int4",
}


def _log_y(field: str, title: str) -> alt.Y:
    return alt.Y(field, title=title, scale=alt.Scale(type="log"))


def _ratio_text(df: pl.DataFrame, col: str) -> str | None:
    slm = df.filter(pl.col("size_class") == "SLM")[col].median()
    llm = df.filter(pl.col("size_class") == "LLM")[col].median()
    if slm is None or llm is None or slm <= 0:
        return None
    return f"{llm / slm:,.0f}x"


def memory_chart(models: pl.DataFrame, scenarios: pl.DataFrame) -> alt.LayerChart:
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
    devices = (
        scenarios.unique("hardware_name", maintain_order=True)
        .group_by("memory_gb", maintain_order=True)
        .agg(
            hardware_name=pl.col("hardware_name").str.join(" / "),
            scenario=pl.col("scenario").str.join(", "),
        )
        .with_columns(source=pl.lit("resources/hardware.csv"), provenance=pl.lit("published"))
    )
    title = "Weights alone need 8x more memory in fp32 than in int4"
    if devices.height:
        smallest = devices.sort("memory_gb").row(0, named=True)
        fits = {
            d: models.filter(pl.col(c) <= smallest["memory_gb"])["params_total"].max()
            for d, c in (("bf16", "weights_gb_bf16"), ("int4", "weights_gb_int4"))
        }
        if fits["bf16"] and fits["int4"]:
            title = (
                f"{smallest['hardware_name']} ({smallest['memory_gb']:g} GB) holds models up to "
                f"{human_params(fits['bf16'])} in bf16 and {human_params(fits['int4'])} in int4"
            )
    points = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=params_axis(),
            y=_log_y("weights_gb:Q", "Weights (GB, log scale)"),
            color=alt.Color("dtype:N", title="dtype", sort=list(DTYPES)),
            tooltip=[
                alt.Tooltip("model_id:N", title="model"),
                alt.Tooltip("params_total:Q", title="parameters", format=",.0f"),
                alt.Tooltip("dtype:N", title="dtype"),
                alt.Tooltip("weights_gb:Q", title="weights (GB)", format=",.3~g"),
                alt.Tooltip("provenance:N", title="provenance"),
                alt.Tooltip("params_method:N", title="method"),
            ],
        )
    )
    rules = (
        alt.Chart(devices)
        .mark_rule(strokeDash=[4, 3], color="#555")
        .encode(
            y="memory_gb:Q",
            tooltip=[
                alt.Tooltip("hardware_name:N", title="hardware"),
                alt.Tooltip("memory_gb:Q", title="memory (GB)"),
                alt.Tooltip("scenario:N", title="scenario"),
                alt.Tooltip("provenance:N", title="provenance"),
                alt.Tooltip("source:N", title="source"),
            ],
        )
    )
    labels = rules.mark_text(align="left", dx=4, dy=-6, color="#333").encode(
        x=alt.value(0), text="hardware_name:N"
    )
    return alt.layer(points, rules, labels).properties(
        title=alt.Title(
            title,
            subtitle="Parameters x bytes per parameter; dashed lines: memory "
            "of one device of each scenario (KV cache and activations come on top)",
        ),
        description="Memory of the weights against parameter count for fp32, bf16, int8 and "
        "int4, with the memory of the scenarios' hardware",
    )


def prefill_decode_chart(inference: pl.DataFrame) -> alt.Chart:
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
    if ok.height:
        lo, hi = ok["prefill_share"].min(), ok["prefill_share"].max()
        w = ok.row(0, named=True)
        title = (
            f"Prefill is {lo:.0%}-{hi:.0%} of a response's time at {w['input_tokens']} tokens "
            f"in, {w['output_tokens']} out: decoding dominates"
        )
    else:
        title = "Prefill vs decode: no model was benchmarked in this run"
    return (
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
            tooltip=[
                alt.Tooltip("model_id:N", title="model"),
                alt.Tooltip("hardware:N", title="hardware"),
                alt.Tooltip("batch_size:Q", title="batch size"),
                alt.Tooltip("phase:N", title="phase"),
                alt.Tooltip("share:Q", title="share of time", format=".1%"),
                alt.Tooltip("provenance:N", title="provenance"),
                alt.Tooltip("energy_method:N", title="method"),
            ],
        )
        .properties(
            title=alt.Title(
                title,
                subtitle="Measured on this machine: time to first token vs the "
                "rest of the forced-length generation (median of repeats)",
            ),
            description="Share of each benchmarked response's time spent in prefill and in "
            "decode, by model and batch size",
        )
    )


def _per_scenario(
    est: pl.DataFrame, col: str, unit: str, title: str, subtitle: str, extra: list[alt.Tooltip]
) -> alt.LayerChart:
    ok = est.filter(pl.col("status") == "estimated").with_columns(
        scenario_label=pl.format("{} · {}", pl.col("scenario"), pl.col("serving"))
    )
    tooltip = [
        alt.Tooltip("model_id:N", title="model"),
        alt.Tooltip("params_total:Q", title="parameters", format=",.0f"),
        alt.Tooltip("scenario:N", title="scenario"),
        alt.Tooltip("hardware_id:N", title="hardware"),
        alt.Tooltip("devices:Q", title="devices"),
        alt.Tooltip("serving:N", title="serving mode"),
        alt.Tooltip("batch_size:Q", title="batch"),
        alt.Tooltip("precision:N", title="weights"),
        alt.Tooltip(f"{col}:Q", title=f"value ({unit})", format=",.3~g"),
        alt.Tooltip(f"{col}_low:Q", title="low", format=",.3~g"),
        alt.Tooltip(f"{col}_high:Q", title="high", format=",.3~g"),
        *extra,
        alt.Tooltip("provenance:N", title="provenance"),
        alt.Tooltip("method:N", title="method"),
    ]
    base = alt.Chart(ok).encode(
        x=params_axis(), color=alt.Color("scenario_label:N", title="scenario"), tooltip=tooltip
    )
    bars = base.mark_errorbar(opacity=0.6).encode(
        y=_log_y(f"{col}_low:Q", f"{unit} (log scale)"), y2=f"{col}_high:Q"
    )
    points = base.mark_point(filled=True).encode(y=_log_y(f"{col}:Q", f"{unit} (log scale)"))
    return alt.layer(bars, points).properties(
        title=alt.Title(title, subtitle=subtitle),
        description=f"{unit} against parameter count per deployment scenario, with intervals",
    )


def cost_chart(estimates: pl.DataFrame) -> alt.LayerChart:
    ok = estimates.filter((pl.col("status") == "estimated") & pl.col("reference"))
    parts = []
    for scenario in ok["scenario"].unique(maintain_order=True).to_list():
        r = _ratio_text(ok.filter(pl.col("scenario") == scenario), "usd_per_1k_tokens")
        if r:
            parts.append(f"{r} on {scenario}")
    title = (
        "Per 1k tokens, an LLM costs " + " and ".join(parts) + " an SLM (medians)"
        if parts
        else "Cost per 1k tokens against model size"
    )
    return _per_scenario(
        estimates,
        "usd_per_1k_tokens",
        "USD per 1k tokens",
        title,
        "Cloud: GPU-hour price / tokens per hour from the calibrated serving model; local: "
        "electricity + purchase amortised over its lifetime. Title: reference mode (cloud "
        "throughput, local interactive); all estimated",
        [alt.Tooltip("kind:N", title="cloud or local")],
    )


def carbon_chart(estimates: pl.DataFrame) -> alt.LayerChart:
    ok = estimates.filter((pl.col("status") == "estimated") & pl.col("reference"))
    by = (
        ok.group_by("scenario", "intensity_g_per_kwh", "intensity_basis")
        .agg(pl.col("gco2e_per_1k_tokens").median())
        .sort("gco2e_per_1k_tokens")
    )
    title = "CO2e per 1k tokens against model size, per scenario's grid"
    if by.height >= 2:
        lo, hi = by.row(0, named=True), by.row(-1, named=True)
        title = (
            f"The grid matters as much as size: {hi['scenario']} emits "
            f"{hi['gco2e_per_1k_tokens'] / lo['gco2e_per_1k_tokens']:,.0f}x {lo['scenario']} "
            "per token (median model)"
        )
    return _per_scenario(
        estimates,
        "gco2e_per_1k_tokens",
        "gCO2e per 1k tokens",
        title,
        "J/token (serving model calibrated on ML.ENERGY v3) x PUE x the scenario's grid; the "
        "tooltip gives the intensity and its basis (lifecycle or direct, never mixed)",
        [
            alt.Tooltip("intensity_g_per_kwh:Q", title="grid (gCO2e/kWh)", format=",.0f"),
            alt.Tooltip("intensity_basis:N", title="intensity basis"),
        ],
    )


def break_even_chart(break_even: pl.DataFrame) -> alt.LayerChart:
    first = break_even["scenario"].unique(maintain_order=True).to_list()
    title = "Tokens served before inference uses as much energy as training"
    if first:
        sub = break_even.filter(pl.col("scenario") == first[0])
        title = (
            f"On {first[0]}, a model's inference matches its training energy after "
            f"{sub['break_even_tokens'].min():.1e}-{sub['break_even_tokens'].max():.1e} tokens"
        )
    tooltip = [
        alt.Tooltip("model_id:N", title="model"),
        alt.Tooltip("params_total:Q", title="parameters", format=",.0f"),
        alt.Tooltip("scenario:N", title="scenario"),
        alt.Tooltip("break_even_tokens:Q", title="tokens", format=".3~s"),
        alt.Tooltip("break_even_tokens_low:Q", title="low", format=".3~s"),
        alt.Tooltip("break_even_tokens_high:Q", title="high", format=".3~s"),
        alt.Tooltip("training_energy_mwh:Q", title="training (MWh)", format=",.4~g"),
        alt.Tooltip("training_provenance:N", title="training provenance"),
        alt.Tooltip("j_per_token:Q", title="inference (J/token)", format=",.3~g"),
        alt.Tooltip("provenance:N", title="provenance"),
    ]
    base = alt.Chart(break_even).encode(
        x=params_axis(), color=alt.Color("scenario:N", title="scenario"), tooltip=tooltip
    )
    return alt.layer(
        base.mark_errorbar(opacity=0.6).encode(
            y=_log_y("break_even_tokens_low:Q", "Tokens (log scale)"), y2="break_even_tokens_high:Q"
        ),
        base.mark_point(filled=True).encode(
            y=_log_y("break_even_tokens:Q", "Tokens (log scale)"),
            shape=alt.Shape("training_provenance:N", title="training energy"),
        ),
    ).properties(
        title=alt.Title(
            title,
            subtitle="Training energy (published, else 6ND estimate) / "
            "inference J/token of the scenario; intervals pair opposite bounds",
        ),
        description="Break-even tokens (inference energy = training energy) against parameter "
        "count per scenario",
    )


def rent_vs_buy_chart(rvb: pl.DataFrame) -> alt.LayerChart:
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
    title = "Owning beats renting above a utilisation threshold"
    if marks.height:
        title = (
            "Buying the GPU pays off above "
            + ", ".join(
                f"{u:.0%} busy ({h})"
                for h, u in marks.select("hardware_id", "break_even_utilisation").iter_rows()
            )
            + ", counting the GPU alone"
        )
    tooltip = [
        alt.Tooltip("scenario:N", title="scenario"),
        alt.Tooltip("hardware_id:N", title="hardware"),
        alt.Tooltip("option:N", title="rent or buy"),
        alt.Tooltip("utilisation:Q", title="utilisation", format=".0%"),
        alt.Tooltip("usd_per_gpu_year:Q", title="USD per GPU-year", format=",.0f"),
        alt.Tooltip("provenance:N", title="provenance"),
        alt.Tooltip("method:N", title="method"),
    ]
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
            tooltip=tooltip,
        )
    )
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[2, 2])
        .encode(
            x="break_even_utilisation:Q",
            color=alt.Color("scenario:N"),
            tooltip=[
                alt.Tooltip("hardware_id:N", title="hardware"),
                alt.Tooltip(
                    "break_even_utilisation:Q", title="break-even utilisation", format=".1%"
                ),
                alt.Tooltip("provenance:N", title="provenance"),
                alt.Tooltip("method:N", title="method"),
            ],
        )
    )
    return alt.layer(lines, rules).properties(
        title=alt.Title(
            title,
            subtitle="Rent: on-demand price x busy hours. Buy: purchase / "
            "lifetime + electricity of busy hours; server, network and staff not "
            "counted, so buying looks cheaper than it is",
        ),
        description="Cost per GPU-year of renting vs owning against utilisation, per cloud "
        "scenario, with the break-even utilisation",
    )


def _ratio_label(v: float) -> str:
    return f"{v:,.1f}x" if v < 100 else f"{v:,.0f}x"


def answer_chart(answer: pl.DataFrame) -> alt.LayerChart:
    data = answer.with_columns(
        label=pl.format("{} · {}", pl.col("metric"), pl.col("setting")),
        value_text=pl.col("llm_over_slm").map_elements(_ratio_label, return_dtype=pl.String),
    )
    train = answer.filter(pl.col("metric") == "training energy")
    serve = answer.filter(
        (pl.col("metric") == "inference energy") & pl.col("setting").str.ends_with("throughput")
    )
    title = "How many times an LLM's footprint is an SLM's"
    if train.height and serve.height:
        t, s_ = train.row(0, named=True), serve.row(0, named=True)
        title = (
            f"Training an LLM takes {_ratio_label(t['llm_over_slm'])} "
            f"({t['llm_over_slm_low']:,.0f}-{t['llm_over_slm_high']:,.0f}) the energy of an SLM; "
            f"serving a token, {_ratio_label(s_['llm_over_slm'])} "
            f"({s_['llm_over_slm_low']:,.1f}-{s_['llm_over_slm_high']:,.1f}) on {s_['setting']}"
        )
    tooltip = [
        alt.Tooltip("phase:N", title="phase"),
        alt.Tooltip("setting:N", title="setting"),
        alt.Tooltip("metric:N", title="quantity"),
        alt.Tooltip("unit:N", title="unit of the medians"),
        alt.Tooltip("slm_median:Q", title="SLM median", format=",.3~g"),
        alt.Tooltip("llm_median:Q", title="LLM median", format=",.3~g"),
        alt.Tooltip("llm_over_slm:Q", title="LLM / SLM", format=",.2~f"),
        alt.Tooltip("llm_over_slm_low:Q", title="low (10%)", format=",.2~f"),
        alt.Tooltip("llm_over_slm_high:Q", title="high (90%)", format=",.2~f"),
        alt.Tooltip("n_slm:Q", title="SLM architectures"),
        alt.Tooltip("n_llm:Q", title="LLM architectures"),
        alt.Tooltip("provenance_mix:N", title="provenance"),
    ]
    order = data["label"].to_list()
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=420)),
        color=alt.Color("phase:N", title="phase"),
        tooltip=tooltip,
    )
    x = alt.X(
        "llm_over_slm_low:Q",
        title="LLM / SLM (median ratio, log scale)",
        scale=alt.Scale(type="log"),
    )
    return alt.layer(
        base.mark_rule(strokeWidth=3, opacity=0.6).encode(x=x, x2="llm_over_slm_high:Q"),
        base.mark_point(filled=True, size=90).encode(
            x=alt.X("llm_over_slm:Q", scale=alt.Scale(type="log"))
        ),
        base.mark_text(align="left", dx=8, dy=-8).encode(
            x=alt.X("llm_over_slm:Q", scale=alt.Scale(type="log")), text="value_text:N"
        ),
    ).properties(
        title=alt.Title(
            title,
            subtitle="LLM median / SLM median on the headline models (disclosed tokens, "
            "released weights, decoder-only; identical architectures once); bars: 80% "
            "Monte Carlo + bootstrap interval",
        ),
        description="The SLM vs LLM ratio for energy, CO2e and cost, training and inference, "
        "with intervals",
    )


def ladder_chart(exponent: pl.DataFrame) -> alt.LayerChart:
    data = exponent.with_columns(
        label=pl.format("{} · {}", pl.col("metric"), pl.col("setting")),
        provenance=pl.lit("estimated: fitted on the per-model values (published + estimated)"),
    )
    within = exponent.filter(
        (pl.col("scope") == "within families") & (pl.col("metric") == "training energy")
    )
    title = "How much more each 10x in parameters costs"
    if within.height:
        w = within.row(0, named=True)
        title = (
            f"Within a family, 10x the parameters takes {w['per_10x_params']:.1f}x "
            f"({w['per_10x_params_low']:.1f}-{w['per_10x_params_high']:.1f}) the training energy"
        )
    tooltip = [
        alt.Tooltip("label:N", title="quantity"),
        alt.Tooltip("unit:N", title="unit of the quantity"),
        alt.Tooltip("scope:N", title="fitted"),
        alt.Tooltip("exponent:Q", title="exponent b", format=".2f"),
        alt.Tooltip("exponent_low:Q", title="b low (10%)", format=".2f"),
        alt.Tooltip("exponent_high:Q", title="b high (90%)", format=".2f"),
        alt.Tooltip("per_10x_params:Q", title="x per 10x params", format=".2f"),
        alt.Tooltip("n_models:Q", title="architectures"),
        alt.Tooltip("n_families:Q", title="families"),
        alt.Tooltip("provenance:N", title="provenance"),
    ]
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", title=None, axis=alt.Axis(labelLimit=420)),
        yOffset=alt.YOffset("scope:N"),
        color=alt.Color("scope:N", title="fitted"),
        tooltip=tooltip,
    )
    return alt.layer(
        base.mark_rule(strokeWidth=3, opacity=0.6).encode(
            x=alt.X(
                "per_10x_params_low:Q",
                title="Factor per 10x parameters",
                scale=alt.Scale(type="log"),
            ),
            x2="per_10x_params_high:Q",
        ),
        base.mark_point(filled=True, size=70).encode(
            x=alt.X("per_10x_params:Q", scale=alt.Scale(type="log"))
        ),
    ).properties(
        title=alt.Title(
            title,
            subtitle="metric ~ params^b: within families (family fixed effects, same data and "
            "lab) and across all models; 80% interval from Monte Carlo + family bootstrap",
        ),
        description="Size exponent of energy, CO2e and cost per phase and setting",
    )


def capability_chart(capability: pl.DataFrame) -> alt.LayerChart:
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
    tooltip = [
        alt.Tooltip("model_id:N", title="model"),
        alt.Tooltip("params_total:Q", title="parameters", format=",.0f"),
        alt.Tooltip("mmlu_5shot:Q", title="MMLU", format=".1f"),
        alt.Tooltip("variant:N", title="checkpoint scored"),
        alt.Tooltip("j_per_token:Q", title="J/token", format=",.3~g"),
        alt.Tooltip("usd_per_1k_tokens:Q", title="USD/1k tokens", format=",.3~g"),
        alt.Tooltip("quality_share:Q", title="quality vs family top", format=".0%"),
        alt.Tooltip("energy_share:Q", title="energy vs family top", format=".1%"),
        alt.Tooltip("family_top:N", title="family top"),
        alt.Tooltip("mmlu_source:N", title="MMLU source"),
        alt.Tooltip("provenance:N", title="provenance"),
    ]
    return (
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
            tooltip=tooltip,
        )
        .properties(
            title=alt.Title(
                "Quality against energy per token: which small model is on the front",
                subtitle="Published MMLU (source per point) against the estimated J/token; "
                "faded points are scored in another format",
            ),
            description="MMLU against J/token per model, with the Pareto front",
        )
    )


def peers_chart(peers: pl.DataFrame) -> alt.LayerChart:
    lo = min(peers["ours_j_per_token"].min(), peers["peer_j_per_token"].min())
    hi = max(peers["ours_j_per_token"].max(), peers["peer_j_per_token"].max())
    scale = alt.Scale(type="log")
    band = pl.DataFrame(
        {"a": [lo, hi], "b": [lo, hi], "lo": [lo / 2, hi / 2], "hi": [lo * 2, hi * 2]}
    )
    far = peers.filter((pl.col("ours_over_peer") > 2) | (pl.col("ours_over_peer") < 0.5)).height
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
            tooltip=[
                alt.Tooltip("model_id:N", title="model"),
                alt.Tooltip("peer:N", title="peer"),
                alt.Tooltip("setting:N", title="setting"),
                alt.Tooltip("ours_j_per_token:Q", title="ours (J/token)", format=",.3~g"),
                alt.Tooltip("peer_j_per_token:Q", title="peer (J/token)", format=",.3~g"),
                alt.Tooltip("ours_over_peer:Q", title="ours / peer", format=".2f"),
                alt.Tooltip("boundary:N", title="boundary"),
                alt.Tooltip("explanation:N", title="why (gap over 2x)"),
                alt.Tooltip("provenance:N", title="provenance"),
            ],
        )
    )
    area = (
        alt.Chart(band)
        .mark_area(opacity=0.12, color="#888")
        .encode(x=alt.X("a:Q", scale=scale), y=alt.Y("lo:Q", scale=scale), y2="hi:Q")
    )
    line = (
        alt.Chart(band)
        .mark_line(color="#888", strokeDash=[3, 3])
        .encode(x=alt.X("a:Q", scale=scale), y=alt.Y("b:Q", scale=scale))
    )
    return alt.layer(area, line, points).properties(
        title=alt.Title(
            f"Our estimates against ML.ENERGY's measurements and EcoLogits: {far} of "
            f"{peers.height} rows differ by more than 2x (each explained in the report)",
            subtitle="Shaded: within 2x. ML.ENERGY rows predicted by fits that never saw the "
            "model's family (v3) or the release (v2); EcoLogits on its own boundary",
        ),
        description="Our J/token against the peers' for the same model and setting",
    )


def fit_chart(cv: pl.DataFrame, fit: dict) -> alt.LayerChart:
    held = cv.filter(~pl.col("held_out").str.starts_with("none")).with_columns(
        provenance=pl.lit("measured by ML.ENERGY (Zeus, GPU); predicted: estimated, held out")
    )
    title = (
        f"The serving model predicts a family it never saw within a median "
        f"{fit['family_holdout_median_abs_error']:.0%} of ML.ENERGY's J/token "
        f"({fit['n_models']} models, {fit['n_rows'].get('ML.ENERGY v3', 0)} rows)"
    )
    lo = min(held["j_per_token"].min(), held["predicted_j_per_token"].min())
    hi = max(held["j_per_token"].max(), held["predicted_j_per_token"].max())
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
            tooltip=[
                alt.Tooltip("model:N", title="model"),
                alt.Tooltip("hardware_id:N", title="GPU"),
                alt.Tooltip("devices:Q", title="GPUs"),
                alt.Tooltip("batch:Q", title="average batch", format=",.0f"),
                alt.Tooltip("j_per_token:Q", title="measured J/token", format=",.3~g"),
                alt.Tooltip("predicted_j_per_token:Q", title="predicted J/token", format=",.3~g"),
                alt.Tooltip("power_w:Q", title="measured W", format=",.0f"),
                alt.Tooltip("predicted_power_w:Q", title="predicted W", format=",.0f"),
                alt.Tooltip("abs_error:Q", title="error", format=".0%"),
                alt.Tooltip("source:N", title="source"),
                alt.Tooltip("provenance:N", title="provenance"),
            ],
        )
    )
    line = (
        alt.Chart(diagonal)
        .mark_line(color="#888", strokeDash=[3, 3])
        .encode(x=alt.X("a:Q", scale=scale), y=alt.Y("b:Q", scale=scale))
    )
    return alt.layer(line, points).properties(
        title=alt.Title(title, subtitle=fit["formula"]),
        description="Measured J/token of each ML.ENERGY row against the serving model's "
        "prediction from a fit that held out its family, its GPU, or (v2) the whole release",
    )


def _read(path: str | Path):
    path = Path(path)
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    return pl.read_parquet(path)


@dataclass(frozen=True)
class Figure:
    inputs: dict[str, str]
    build: Callable[..., alt.TopLevelMixin]
    caption: str

    def chart(self, paths: dict[str, str | Path]) -> alt.TopLevelMixin:
        return self.build(**{k: _read(v) for k, v in paths.items()})


FIGURES: dict[str, Figure] = {
    "answer": Figure(
        {"answer": "results/answer.parquet"},
        answer_chart,
        "The answer: LLM median over SLM median for energy, CO2e and cost, training and "
        "inference, per setting and serving mode, with 80% intervals and the provenance behind "
        "each.",
    ),
    "training_footprint": Figure(
        {"training": "results/training.parquet"},
        training_chart,
        "Training energy and CO2e against parameters (log-log): published figures, recomputed "
        "from their own inputs; flagged rows marked.",
    ),
    "inference": Figure(
        {"inference": "results/inference.parquet"},
        inference_chart,
        "Tokens per second and joules per token measured on this machine, by batch size, gross "
        "and net of the idle baseline.",
    ),
    "prefill_decode": Figure(
        {"inference": "results/inference.parquet"},
        prefill_decode_chart,
        "Share of each benchmarked response's time spent in prefill and in decode.",
    ),
    "energy_fit": Figure(
        {"cv": "results/inference_fit_cv.parquet", "fit": "results/inference_fit.json"},
        fit_chart,
        "The serving model against ML.ENERGY's measured rows, each predicted by a fit that "
        "never saw its family, its GPU, or (v2) its release.",
    ),
    "size_exponent": Figure(
        {"exponent": "results/comparison/size_exponent.parquet"},
        ladder_chart,
        "How much more each 10x in parameters costs, within families and across all models, "
        "per phase and setting, with 80% intervals.",
    ),
    "capability": Figure(
        {"capability": "results/comparison/capability.parquet"},
        capability_chart,
        "Published MMLU against estimated J/token per model, with the Pareto front.",
    ),
    "peers": Figure(
        {"peers": "results/peer_validation.parquet"},
        peers_chart,
        "Our J/token beside ML.ENERGY's measurements and EcoLogits' figures for the same "
        "models, with the 2x band.",
    ),
    "break_even": Figure(
        {"break_even": "results/break_even.parquet"},
        break_even_chart,
        "Tokens a model serves before its inference energy equals its training energy.",
    ),
    "memory": Figure(
        {"models": "results/models.parquet", "scenarios": "results/scenarios.parquet"},
        memory_chart,
        "Memory of the weights by dtype against parameters, with the memory of the scenarios' "
        "hardware.",
    ),
    "cost": Figure(
        {"estimates": "results/inference_estimates.parquet"},
        cost_chart,
        "Cost per 1k tokens against parameters, cloud and local scenarios, with intervals.",
    ),
    "carbon": Figure(
        {"estimates": "results/inference_estimates.parquet"},
        carbon_chart,
        "CO2e per 1k tokens against parameters in each scenario's grid, basis labelled.",
    ),
    "rent_vs_buy": Figure(
        {"rvb": "results/rent_vs_buy.parquet"},
        rent_vs_buy_chart,
        "Renting vs owning the cloud scenarios' GPUs: cost per GPU-year against utilisation.",
    ),
}
