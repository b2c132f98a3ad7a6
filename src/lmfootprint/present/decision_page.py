"""The report's decision page: inputs bound to Vega-Lite parameters, ranking done in the browser.

The spec repeats ``lmfootprint.answer.decision.rank_options`` as Vega-Lite transforms over the
decision table inlined in the page (no server, no network): filter on the reader's quality floor,
hardware and serving mode; yearly kWh, tCO2e and USD with their intervals; a rank on the chosen
criterion; the best-quality option as the reading's reference; the Pareto front of energy and of
cost against quality. tests/e2e/test_decision_browser.py holds the page's ranking equal to
rank_options for several settings.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import altair as alt
import polars as pl

from lmfootprint.answer.decision import (
    BANDS,
    CRITERIA,
    DAYS_PER_YEAR,
    J_PER_KWH,
    OWN,
    DecisionSettings,
    class_ratio_at,
)
from lmfootprint.present.scenario_names import article, device_name, serving_name

# The columns the page needs, each option's figures at full precision (the test compares them)
PAGE_COLUMNS = (
    "model_id",
    "params_total",
    "size_class",
    "scenario",
    "deployment",
    "kind",
    "location",
    "serving",
    "fits",
    "quality_share",
    "intensity_g_per_kwh",
    "energy_provenance",
    "price_provenance",
    *[
        f"{m}_{p}_per_token{b}"
        for m in ("j", "usd")
        for p in ("prefill", "decode")
        for b in ("_low", "", "_high")
    ],
)
CRITERION_LABELS = {"energy": "energy", "co2e": "CO2e", "cost": "cost"}
SHORT = {"measured": "meas.", "estimated": "est.", "published": "pub."}


def default_settings(options: pl.DataFrame, prompts: pl.DataFrame | None) -> DecisionSettings:
    """Tokens per request from the study's replayed prompts (their mean); the grid of the
    first local scenario (owned hardware's), else of the first scenario."""
    local = options.filter(pl.col("kind") == "local")
    where = (local if local.height else options)["location"][0]
    base = DecisionSettings(where=where)
    if prompts is None or prompts.height == 0:
        return base
    return DecisionSettings(
        prompt_tokens=round(float(prompts["prompt_tokens"].mean())),
        response_tokens=round(float(prompts["response_tokens"].mean())),
        where=where,
    )


def _name(band: str) -> str:
    return "" if band == "value" else f"_{band}"


def _short_model(model_id: str) -> str:
    return model_id.split("/")[-1]


def decision_spec(options: pl.DataFrame, defaults: DecisionSettings) -> dict[str, Any]:
    """The Vega-Lite spec of the page: inputs, the ranked list, the reading, two Pareto charts."""
    if "deployment" not in options.columns:
        options = options.with_columns(deployment_names(options, None))
    # an option that does not fit is never shown: the page carries only those that fit
    data = (
        options.filter(pl.col("fits"))
        .select(PAGE_COLUMNS)
        .with_columns(short=pl.col("model_id").map_elements(_short_model, return_dtype=pl.String))
    )
    grids = (
        options.unique("location", keep="first", maintain_order=True)
        .select("location", "intensity_g_per_kwh", "kind")
        .to_dicts()
    )
    locations = [g["location"] for g in grids]
    servings = sorted(options["serving"].unique().to_list())

    requests = alt.param(
        name="requests_per_day",
        value=defaults.requests_per_day,
        bind=alt.binding(input="number", name="Requests per day "),
    )
    prompt = alt.param(
        name="prompt_tokens",
        value=defaults.prompt_tokens,
        bind=alt.binding(input="number", name="Prompt tokens per request "),
    )
    response = alt.param(
        name="response_tokens",
        value=defaults.response_tokens,
        bind=alt.binding(input="number", name="Response tokens per request "),
    )
    floor = alt.param(
        name="quality_floor",
        value=defaults.quality_floor,
        bind=alt.binding_range(
            min=0, max=1, step=0.05, name="Quality floor (share of the best model's MMLU) "
        ),
    )
    where = alt.param(
        name="where",
        value=defaults.where,
        bind=alt.binding_select(
            options=locations,
            labels=[f"{g['location']} ({g['intensity_g_per_kwh']:.0f} gCO2e/kWh)" for g in grids],
            name="Grid of the hardware you own ",
        ),
    )
    own = alt.param(
        name="own",
        value=defaults.own,
        bind=alt.binding_select(options=list(OWN), labels=list(OWN.values()), name="What you own "),
    )
    serving = alt.param(
        name="serving",
        value=defaults.serving,
        bind=alt.binding_radio(
            options=servings,
            labels=[
                {"interactive": "one request at a time", "throughput": "loaded server"}.get(s, s)
                for s in servings
            ],
            name="Serving mode (cloud) ",
        ),
    )
    criterion = alt.param(
        name="criterion",
        value=defaults.criterion,
        bind=alt.binding_radio(
            options=list(CRITERIA), labels=list(CRITERION_LABELS.values()), name="Rank by "
        ),
    )
    params = [requests, prompt, response, floor, where, own, serving, criterion]

    where_g = "".join(
        f"where === {json.dumps(g['location'])} ? {g['intensity_g_per_kwh']!r} : " for g in grids
    )
    year = f"toNumber(requests_per_day) * {DAYS_PER_YEAR}"
    calcs: list[dict[str, str]] = [
        {
            "calculate": "datum.kind === 'local' || datum.kind === 'owned' ? "
            f"({where_g}datum.intensity_g_per_kwh) "
            ": datum.intensity_g_per_kwh",
            "as": "grid",
        },
    ]
    for band in BANDS:
        n = _name(band)
        calcs += [
            {
                "calculate": f"(toNumber(prompt_tokens) * datum.j_prefill_per_token{n} + "
                f"toNumber(response_tokens)"
                f" * datum.j_decode_per_token{n}) * {year} / {J_PER_KWH!r}",
                "as": f"kwh_per_year{n}",
            },
            {
                "calculate": f"datum.kwh_per_year{n} * datum.grid / 1000000",
                "as": f"tco2e_per_year{n}",
            },
            {
                "calculate": f"(toNumber(prompt_tokens) * datum.usd_prefill_per_token{n} + "
                f"toNumber(response_tokens)"
                f" * datum.usd_decode_per_token{n}) * {year}",
                "as": f"usd_per_year{n}",
            },
        ]
    crit = (
        "criterion === 'energy' ? datum.kwh_per_year : criterion === 'co2e' ? "
        "datum.tco2e_per_year : datum.usd_per_year"
    )
    keep = (
        "datum.fits && (toNumber(quality_floor) <= 0 || (isValid(datum.quality_share)"
        " && datum.quality_share >= toNumber(quality_floor) - 1e-9))"
        " && (datum.serving === serving || datum.kind === 'local')"
        " && (datum.kind !== 'local' || own === 'laptop')"
        " && (datum.kind !== 'owned' || own === 'server')"
    )
    label = "datum.short + ' on ' + datum.deployment"
    ranked: list[dict[str, Any]] = [
        {"filter": keep},
        *calcs,
        {"calculate": crit, "as": "crit"},
        {"calculate": label, "as": "option"},
        {"calculate": "isValid(datum.quality_share) ? datum.quality_share : -1", "as": "q_sort"},
        {
            "window": [{"op": "row_number", "as": "rank"}],
            "sort": [
                {"field": "crit", "order": "ascending"},
                {"field": "model_id", "order": "ascending"},
                {"field": "scenario", "order": "ascending"},
                {"field": "kind", "order": "ascending"},
            ],
        },
    ]
    fmt3 = "format({0}, '.3~g')"

    def band_text(col: str) -> str:
        return (
            f"{fmt3.format('datum.' + col)} + ' (' + {fmt3.format('datum.' + col + '_low')}"
            f" + '–' + {fmt3.format('datum.' + col + '_high')} + ')'"
        )

    row_text = (
        "datum.rank + '. ' + datum.option + ' · Q ' + (isValid(datum.quality_share) ? "
        "format(datum.quality_share, '.0%') : 'n/a')"
        f" + ' · ' + {band_text('kwh_per_year')} + ' kWh'"
        f" + ' · ' + {band_text('tco2e_per_year')} + ' t'"
        f" + ' · ' + {band_text('usd_per_year')} + ' USD'"
        " + ' · ' + datum.energy_provenance"
    )
    table = (
        alt.Chart(name="decision_rows")
        .mark_text(align="left", baseline="middle", font="DejaVu Sans Mono, monospace", fontSize=10)
        .transform_calculate(row=row_text)
        .encode(
            y=alt.Y("rank:O", axis=None),
            x=alt.value(0),
            text="row:N",
            color=alt.condition("datum.rank === 1", alt.value("#D55E00"), alt.value("#222")),
        )
        .properties(
            width=900,
            height=alt.Step(15),
            title=alt.Title(
                "Options that meet the floor and fit, ranked",
                subtitle="per year: kWh, tCO2e, USD (80% interval); Q: quality (MMLU, "
                "published); energy: the row's provenance; prices and grid: published",
            ),
        )
    )
    table.transform = ranked + list(table.transform or [])  # type: ignore[operator]

    reference = [
        {
            "window": [
                {"op": "first_value", "field": "option", "as": "ref_option"},
                {"op": "first_value", "field": "crit", "as": "ref_crit"},
                {"op": "first_value", "field": "quality_share", "as": "ref_quality"},
            ],
            "sort": [
                {"field": "q_sort", "order": "descending"},
                {"field": "crit", "order": "ascending"},
                {"field": "model_id", "order": "ascending"},
                {"field": "scenario", "order": "ascending"},
            ],
            "frame": [None, None],
        },
        {"filter": "datum.rank === 1"},
    ]
    share = "datum.crit / datum.ref_crit"
    what = "(criterion === 'co2e' ? 'CO2e' : criterion)"
    # the reading in two lines (the option; how it compares), then where its figures come from
    reading_tail = (
        f"datum.option === datum.ref_option ? 'the least ' + {what} + "
        "' and the best quality of the options kept' : "
        f"({share} < 1 ? '1/' + format(1 / ({share}), '.2~r') : format({share}, '.2~r') + 'x')"
        f" + ' of the ' + {what} + ' of ' + datum.ref_option + ', ' + "
        "(isValid(datum.quality_share) ? format(datum.quality_share / datum.ref_quality, '.0%')"
        " : 'unknown share') + ' of its quality'"
    )
    reading = (
        alt.Chart(name="decision_reading")
        .mark_text(align="left", baseline="top", fontSize=13, fontWeight="bold", lineHeight=18)
        .encode(x=alt.value(0), y=alt.value(0), text="reading_lines:N")
        .properties(width=900, height=58)
    )
    reading.transform = [
        *ranked,
        *reference,
        {"calculate": reading_tail, "as": "reading_tail"},
        {"calculate": "datum.option + ': ' + datum.reading_tail", "as": "reading"},
        {
            "calculate": "[datum.option + ':', datum.reading_tail, 'energy: ' + "
            "datum.energy_provenance + ' (inference estimate); quality: published (MMLU); "
            "price: ' + datum.price_provenance + '; grid: published']",
            "as": "reading_lines",
        },
    ]

    def pareto(col: str, title: str, name: str) -> alt.LayerChart:
        order = [
            {"field": col, "order": "ascending"},
            {"field": "quality_share", "order": "descending"},
        ]
        front = [  # on the front: better quality than every option that costs less
            {
                "window": [{"op": "max", "field": "quality_share", "as": "best_so_far"}],
                "sort": order,
                "frame": [None, 0],
            },
            {"window": [{"op": "lag", "field": "best_so_far", "as": "best_before"}], "sort": order},
            {
                "calculate": "!isValid(datum.best_before) "
                "|| datum.quality_share > datum.best_before",
                "as": "pareto",
            },
        ]
        base = alt.Chart().properties(width=420, height=260, title=title)
        x = alt.X(f"{col}:Q", scale=alt.Scale(type="log"), title=title)
        y = alt.Y(
            "quality_share:Q", title="quality (share of the best MMLU)", axis=alt.Axis(format="%")
        )
        points = base.mark_point().encode(
            x=x,
            y=y,
            color=alt.Color("kind:N", title="deployment"),
            shape=alt.Shape("size_class:N", title="size"),
            tooltip=["option:N", f"{col}:Q", "quality_share:Q", "rank:Q"],
        )
        line = base.mark_line(color="#888", strokeDash=[4, 3]).encode(x=x, y=y, order=f"{col}:Q")
        line.transform = [{"filter": "datum.pareto"}]
        chosen = base.mark_point(
            size=300, shape="circle", filled=False, color="#D55E00", strokeWidth=2.5
        ).encode(x=x, y=y)
        chosen.transform = [{"filter": "datum.rank === 1"}]
        layer = alt.layer(line, points, chosen)
        layer.transform = [*ranked, {"filter": "isValid(datum.quality_share)"}, *front]
        return layer

    spec = alt.vconcat(
        reading,
        alt.hconcat(
            pareto("kwh_per_year", "energy (kWh per year)", "decision_pareto_energy"),
            pareto("usd_per_year", "cost (USD per year)", "decision_pareto_cost"),
        ),
        table,
        data=alt.Data(values=data.to_dicts()),
    ).add_params(*params)
    out = spec.to_dict()
    out["description"] = (
        "What should we run? Options ranked by the chosen criterion, computed in the page "
        "from the decision table"
    )
    return out


def deployment_names(options: pl.DataFrame, names: Mapping[str, str] | None) -> pl.Series:
    """Each option's deployment as a reader says it ('an H100 in AWS us-east-1, loaded server
    (64 requests)'); a local option is the device and place alone, since it always serves one
    request at a time; the scenario id where no name is known."""
    names = names or {}
    said = []
    rows = options.select("scenario", "serving", "kind", "hardware_id").iter_rows()
    for scenario, serving, kind, hardware in rows:
        if kind == "owned":  # the cloud scenario's GPUs, bought: named by device and mode
            device = device_name(hardware)
            said.append(f"{article(device)} {device} server you own, {serving_name(serving)}")
            continue
        key = scenario if kind == "local" else f"{scenario} · {serving}"
        said.append(names.get(key) or (scenario if kind == "local" else f"{scenario} ({serving})"))
    return pl.Series("deployment", said, dtype=pl.String)


def headline_check(
    options: pl.DataFrame, defaults: DecisionSettings, loaded: Mapping[str, Any] | None
) -> dict[str, Any] | None:
    """The answer's loaded-server comparison recomputed from the page's table: at the
    estimate's request shape it is the headline; at the page's default shape, what it becomes."""
    if not loaded or " · " not in loaded["setting"]:
        return None
    scenario, serving = loaded["setting"].split(" · ", 1)
    at = {**defaults.as_dict(), "serving": serving, "criterion": "energy"}
    shape = {
        "prompt_tokens": int(options["basis_prompt_tokens"][0]),
        "response_tokens": int(options["basis_output_tokens"][0]),
    }
    groups = (scenario, loaded["models_slm"], loaded["models_llm"])
    return {
        "setting": loaded["setting"],
        "headline": loaded["llm_over_slm"],
        "at_basis": class_ratio_at(options, {**at, **shape}, *groups),
        "at_defaults": class_ratio_at(options, at, *groups),
    }


def decision_context(
    options: pl.DataFrame | None,
    prompts: pl.DataFrame | None,
    names: Mapping[str, str] | None = None,
    loaded: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """What decision.html.j2 needs, under one name: the spec, the defaults and counts, and the
    headline comparison recomputed from the page's table (``loaded``: the answer's row)."""
    if options is None or options.height == 0:
        return None
    options = options.with_columns(deployment_names(options, names))
    defaults = default_settings(options, prompts)
    kept = options.filter(pl.col("fits"))
    return {
        "spec": decision_spec(options, defaults),
        "headline": headline_check(options, defaults, loaded),
        "defaults": defaults.as_dict(),
        "n_options": kept.height,
        "n_unscored": kept.filter(pl.col("quality_share").is_null())["model_id"].n_unique(),
        "n_not_fit": options.height - kept.height,
        "basis_prompt_tokens": int(options["basis_prompt_tokens"][0]),
        "basis_output_tokens": int(options["basis_output_tokens"][0]),
    }
