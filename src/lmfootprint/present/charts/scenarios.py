"""Per deployment scenario: what fits in a device's memory, cost and CO2e per token,
inference against training energy, and renting against buying the GPUs."""

from __future__ import annotations

import altair as alt
import polars as pl

from lmfootprint.answer.headlines import Headlines
from lmfootprint.present.charts.shapes import params_interval, stack
from lmfootprint.present.figure import (
    METHOD,
    MODEL,
    PARAMS,
    PROVENANCE,
    Tip,
    log_y,
    params_axis,
    title_from,
    titled,
    tooltips,
)
from lmfootprint.present.text import human_params, ratio
from lmfootprint.reference.scenarios import devices_by_memory

DTYPES = {
    "fp32": "weights_gb_fp32",
    "bf16": "weights_gb_bf16",
    "int8": "weights_gb_int8",
    "int4": "weights_gb_int4",
}


def memory_chart(
    models: pl.DataFrame, scenarios: pl.DataFrame, headlines: Headlines
) -> alt.LayerChart:
    long = stack(
        models,
        ["model_id", "params_total", "params_method"],
        *(
            {
                "dtype": pl.lit(dtype),
                "weights_gb": pl.col(col),
                "provenance": pl.lit("computed from config.json"),
            }
            for dtype, col in DTYPES.items()
        ),
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


def _per_scenario(
    est: pl.DataFrame, col: str, unit: str, title: str, subtitle: str, extra: list[Tip]
) -> alt.LayerChart:
    """One per-1k-tokens quantity of the inference estimates, per scenario and serving mode."""
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
    return titled(
        params_interval(ok, "scenario_label:N", tooltip, col, f"{unit} (log scale)"),
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
            f"Same models, same serving, another grid: {r['subject']} emits {ratio(r['value'])} "
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
    return titled(
        params_interval(
            break_even,
            "scenario:N",
            tooltip,
            "break_even_tokens",
            "Tokens (log scale)",
            shape=alt.Shape("training_provenance:N", title="training energy"),
        ),
        title,
        subtitle="Training energy (published, else 6ND estimate) / "
        "inference J/token of the scenario; intervals pair opposite bounds",
        description="Break-even tokens (inference energy = training energy) against parameter "
        "count per scenario",
    )


def rent_vs_buy_chart(
    rvb: pl.DataFrame, curves: pl.DataFrame, headlines: Headlines
) -> alt.LayerChart:
    """The cost curves (results/rent_vs_buy_curves.parquet) and each scenario's break-even
    utilisation (results/rent_vs_buy.parquet)."""
    marks = rvb.unique("scenario", maintain_order=True).filter(
        pl.col("break_even_utilisation").is_not_null()
    )
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
        alt.Chart(curves)
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
