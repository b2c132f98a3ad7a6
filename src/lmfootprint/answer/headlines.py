"""The numbers the figure titles and the report state, computed once from the tables they
summarise (``results/headlines.parquet``, one validated row per stable key).

Titles and the report only format these rows: a number they state can be traced to its key,
its source table and its provenance, and is the same wherever it appears.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl

from lmfootprint.answer.schemas import HeadlineSchema
from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.ids import key_part
from lmfootprint.core.validation import frame_from_rows, read_parquet_checked, validate_frame
from lmfootprint.reference.scenarios import devices_by_memory

Row = dict[str, Any]

# the builder that reads each input table, by the name the headlines rule gives it
SOURCES = (
    "models",
    "scenarios",
    "training",
    "inference",
    "answer",
    "exponent",
    "ladders",
    "matched_pairs",
    "thresholds",
    "inference_estimates",
    "break_even",
    "rent_vs_buy",
    "peers",
    "cloud_vs_local",
    "fit",
    "calibration_model",
    "cost_vs_market",
    "capability",
)


class HeadlineMissingError(LmFootprintError):
    """A title or the report asked for a headline the table does not hold."""


def slug(text: str) -> str:
    """A key part from free text (lmfootprint.core.ids.key_part, which the config check uses
    to refuse scenario names that would share a key)."""
    return key_part(text)


def _row(
    key: str,
    value: float,
    unit: str,
    label: str,
    source: str,
    provenance: str,
    *,
    low: float | None = None,
    high: float | None = None,
    subject: str | None = None,
    versus: str | None = None,
    setting: str | None = None,
) -> Row:
    return {
        "key": key,
        "value": float(value),
        "low": None if low is None else float(low),
        "high": None if high is None else float(high),
        "unit": unit,
        "label": label,
        "subject": subject,
        "versus": versus,
        "setting": setting,
        "source": source,
        "provenance": provenance,
    }


def _mix(values: list[str | None]) -> str:
    """'measured', or 'estimated+measured' for a number drawn from rows of both kinds."""
    return "+".join(sorted({p for v in values if v for p in v.split("+")})) or "computed"


def threshold_headlines(slm_max_params: float) -> Iterator[Row]:
    yield _row(
        "slm_max_params",
        slm_max_params,
        "parameters",
        "SLM: up to this many parameters (the config's slm_max_params)",
        "config: slm_max_params",
        "configured",
    )


def model_headlines(models: pl.DataFrame, source: str) -> Iterator[Row]:
    yield _row("models.n", models.height, "models", "Models configured", source, "computed")
    for size_class in ("SLM", "LLM"):
        n = models.filter(pl.col("size_class") == size_class).height
        label = f"Models in the {size_class} class"
        yield _row(f"models.n_{size_class.lower()}", n, "models", label, source, "computed")
    if models.height:
        ratio = (models["weights_gb_fp32"] / models["weights_gb_int4"]).median()
        yield _row(
            "memory.fp32_over_int4",
            ratio,
            "x",
            "Weights in fp32 over weights in int4 (median model)",
            source,
            "computed",
        )


def memory_headlines(
    models: pl.DataFrame, scenarios: pl.DataFrame, models_source: str, source: str
) -> Iterator[Row]:
    """The smallest scenario device and the largest model whose weights fit on it."""
    devices = devices_by_memory(scenarios).sort("memory_gb")
    if not devices.height:
        return
    smallest = devices.row(0, named=True)
    yield _row(
        "memory.smallest_device",
        smallest["memory_gb"],
        "GB",
        "Memory of the smallest device among the scenarios",
        source,
        "published",
        subject=smallest["hardware_name"],
        setting=smallest["scenario"],
    )
    for dtype in ("bf16", "int4"):
        fits = models.filter(pl.col(f"weights_gb_{dtype}") <= smallest["memory_gb"])
        if fits.height:
            largest = fits.sort("params_total").row(-1, named=True)
            yield _row(
                f"memory.largest_fit_{dtype}",
                largest["params_total"],
                "parameters",
                f"Largest model whose {dtype} weights fit on the smallest device",
                models_source,
                "computed",
                subject=largest["model_id"],
                setting=smallest["hardware_name"],
            )


def training_headlines(training: pl.DataFrame, source: str) -> Iterator[Row]:
    """How far published training energy spans, from the smallest to the largest."""
    rows = training.filter(pl.col("params_total").is_not_null() & (pl.col("energy_mwh") > 0)).sort(
        "energy_mwh"
    )
    if rows.height < 2:
        return
    lo, hi = rows.row(0, named=True), rows.row(-1, named=True)
    kind = "estimated"  # recomputed from the published inputs
    yield _row(
        "training.energy_span",
        hi["energy_mwh"] / lo["energy_mwh"],
        "x",
        "Largest over smallest recomputed training energy",
        source,
        kind,
        subject=hi["model_id"],
        versus=lo["model_id"],
    )
    for end, r in (("lowest", lo), ("highest", hi)):
        yield _row(
            f"training.{end}_energy_params",
            r["params_total"],
            "parameters",
            f"Parameters of the model with the {end} recomputed training energy",
            source,
            "computed",
            subject=r["model_id"],
        )


def benchmark_headlines(inference: pl.DataFrame, source: str) -> Iterator[Row]:
    """What this machine's benchmark shows: prefill share, J/token at batch 1."""
    ok = inference.filter(pl.col("status") == "ok")
    if ok.height:
        first = ok.row(0, named=True)
        share = ok["prefill_share"]
        yield _row(
            "benchmark.prefill_share",
            share.median(),
            "share of time",
            "Prefill's share of a response's wall time (median, range over rows)",
            source,
            "measured",
            low=share.min(),
            high=share.max(),
            setting=first["hardware"],
        )
        for end in ("input", "output"):
            yield _row(
                f"benchmark.{end}_tokens",
                first[f"{end}_tokens"],
                "tokens",
                f"{end.capitalize()} tokens per request of the benchmark workload",
                source,
                "configured",
            )
    batch1 = ok.filter(pl.col("batch_size") == 1).sort("params_total")
    if batch1.select(pl.col("model_id").n_unique()).item() < 2:
        return
    for end, r in (
        ("smallest", batch1.row(0, named=True)),
        ("largest", batch1.row(-1, named=True)),
    ):
        yield _row(
            f"benchmark.j_per_token_{end}",
            r["j_per_token"],
            "J/token",
            f"J/token at batch 1 of the {end} benchmarked model",
            source,
            r["provenance"],
            subject=r["model_id"],
            setting=r["hardware"],
        )


def _class_ratio_row(key: str, ratio: Row, label: str, source: str) -> Row:
    """A row of the answer table as a headline: every class ratio is stated the same way,
    LLM median over SLM median with its interval."""
    return _row(
        key,
        ratio["llm_over_slm"],
        "x",
        label,
        source,
        ratio["provenance_mix"],
        low=ratio["llm_over_slm_low"],
        high=ratio["llm_over_slm_high"],
        subject="LLM median",
        versus="SLM median",
        setting=ratio["setting"],
    )


def answer_headlines(answer: pl.DataFrame, source: str) -> Iterator[Row]:
    """The class ratios the report and the answer figure state."""
    training = answer.filter(pl.col("metric") == "training energy")
    if training.height:
        t = training.row(0, named=True)
        yield _class_ratio_row(
            "answer.training_energy",
            t,
            "Training energy, LLM median over SLM median (80% interval)",
            source,
        )
        for cls in ("slm", "llm"):
            yield _row(
                f"answer.training_energy.n_{cls}",
                t[f"n_{cls}"],
                "architectures",
                f"{cls.upper()} architectures behind the training ratio",
                source,
                "computed",
            )
            if t.get(f"{cls}_spread") is not None:
                yield _row(
                    f"answer.training_energy.{cls}_spread",
                    t[f"{cls}_spread"],
                    "x",
                    f"Largest over smallest training energy among the {cls.upper()} "
                    "architectures (what the bootstrap resamples)",
                    source,
                    t["provenance_mix"],
                )
        if t.get("threshold_params") is not None:
            yield _row(
                "answer.training_energy.threshold",
                t["threshold_params"],
                "parameters",
                "SLM/LLM threshold of the training ratio",
                source,
                "configured",
            )
    inference = answer.filter(pl.col("metric") == "inference energy")
    for r in inference.iter_rows(named=True):
        yield _class_ratio_row(
            f"answer.inference_energy.{slug(r['setting'])}",
            r,
            "Inference energy per token, LLM median over SLM median (80% interval)",
            source,
        )
    loaded = inference.filter(pl.col("setting").str.ends_with(" · throughput"))
    if loaded.height:
        first = loaded.row(0, named=True)
        yield from _serving_rows(
            "answer.inference_energy_loaded", first, "on a loaded server", source
        )
        # the same cloud scenario answering one request at a time: the other way people serve
        scenario = first["setting"].removesuffix(" · throughput")
        one = inference.filter(pl.col("setting") == f"{scenario} · interactive")
        if one.height:
            yield from _serving_rows(
                "answer.inference_energy_one_request",
                one.row(0, named=True),
                "one request at a time, in the loaded server's cloud scenario",
                source,
            )


def _serving_rows(key: str, r: Row, how: str, source: str) -> Iterator[Row]:
    """A serving mode's class ratio and the two class medians it divides (J/token)."""
    label = f"Inference energy per token {how}, LLM median over SLM median (80% interval)"
    yield _class_ratio_row(key, r, label, source)
    for cls in ("slm", "llm"):
        yield _row(
            f"{key}.{cls}_median",
            r[f"{cls}_median"],
            r["unit"],
            f"{cls.upper()} median energy per token {how} (headline models)",
            source,
            r["provenance_mix"],
            subject=f"{cls.upper()} median",
            setting=r["setting"],
        )


def exponent_headlines(exponent: pl.DataFrame, source: str) -> Iterator[Row]:
    """The training exponent: from matched steps first, then the within-family fits."""
    energy = exponent.filter(pl.col("metric") == "training energy")
    matched = energy.filter(pl.col("scope") == "matched steps")
    if matched.height:
        m = matched.row(0, named=True)
        yield _row(
            "matched.training_energy_per_10x",
            m["per_10x_params"],
            "x",
            "Training energy per 10x parameters from matched steps (same family, data, token "
            "count and GPUs, both ends published), pooled, 80% interval",
            source,
            "published",
            low=m["per_10x_params_low"],
            high=m["per_10x_params_high"],
            setting=m["setting"],
        )
        for count, unit in (
            ("n_steps", "steps"),
            ("n_families", "families"),
            ("n_models", "models"),
        ):
            yield _row(
                f"matched.training_energy_per_10x.{count}",
                m[count],
                unit,
                f"{unit.capitalize()} behind the matched training exponent",
                source,
                "computed",
            )
    cut = energy.filter(pl.col("scope") == "within families, estimator-only steps removed")
    if cut.height:
        c = cut.row(0, named=True)
        yield _row(
            "exponent.training_energy_within_no_estimator_only",
            c["per_10x_params"],
            "x",
            "Training energy per 10x parameters within a family, estimator-only steps removed "
            "(80% interval)",
            source,
            "estimated+published",
            low=c["per_10x_params_low"],
            high=c["per_10x_params_high"],
            setting=c["setting"],
        )
    within = exponent.filter(
        (pl.col("scope") == "within families") & (pl.col("metric") == "training energy")
    )
    if not within.height:
        return
    w = within.row(0, named=True)
    yield _row(
        "exponent.training_energy_within",
        w["per_10x_params"],
        "x",
        "Training energy per 10x parameters within a family (80% interval)",
        source,
        "estimated",
        low=w["per_10x_params_low"],
        high=w["per_10x_params_high"],
        setting=w["setting"],
    )
    if w["n_families"] is not None:
        yield _row(
            "exponent.training_energy_within.n_families",
            w["n_families"],
            "families",
            "Families behind the within-family training exponent",
            source,
            "computed",
        )


def ladder_headlines(ladders: pl.DataFrame, source: str) -> Iterator[Row]:
    """How many training-energy steps are of each kind (what besides size separates them)."""
    steps = ladders.filter(pl.col("metric") == "training energy")
    for kind, n in steps.group_by("step_kind", maintain_order=True).len().iter_rows():
        yield _row(
            f"ladders.training_energy.n_steps.{slug(kind)}",
            n,
            "steps",
            f"Within-family training-energy steps of the kind '{kind}'",
            source,
            "computed",
            subject=kind,
        )


def matched_pair_headlines(pairs: pl.DataFrame, source: str) -> Iterator[Row]:
    """Per family, its widest matched pair (smallest to largest published run)."""
    energy = pairs.filter(pl.col("metric") == "training energy")
    for (family,), f in energy.group_by("family", maintain_order=True):
        r = f.sort("params_ratio").row(-1, named=True)
        yield _row(
            f"matched.family.{slug(family)}.per_10x",
            r["per_10x_params"],
            "x",
            "Training energy per 10x parameters, the family's widest matched pair (same data, "
            "tokens and GPUs, both published)",
            source,
            "published",
            subject=r["larger"],
            versus=r["smaller"],
            setting=family,
        )


def threshold_table_headlines(thresholds: pl.DataFrame, source: str) -> Iterator[Row]:
    """The training ratio at each SLM/LLM threshold (the headline's among them, same draws)."""
    energy = thresholds.filter(pl.col("metric") == "training energy")
    for r in energy.iter_rows(named=True):
        t = r["threshold_params"]
        yield _row(
            f"thresholds.training_energy.slm_le_{slug(f'{t / 1e9:g}b')}",
            r["llm_over_slm"],
            "x",
            f"Training energy, LLM median over SLM median with SLM up to {t / 1e9:g}B "
            f"parameters ({r['n_slm']} SLM / {r['n_llm']} LLM architectures"
            + ("; the headline threshold)" if r.get("headline_threshold") else ")"),
            source,
            r["provenance_mix"],
            low=r["llm_over_slm_low"],
            high=r["llm_over_slm_high"],
            subject="LLM median",
            versus="SLM median",
            setting=r["setting"],
        )


def serving_headlines(estimates: pl.DataFrame, source: str) -> Iterator[Row]:
    """Cost ratio per scenario and how far the grids apart the scenarios are (reference mode)."""
    ok = estimates.filter((pl.col("status") == "estimated") & pl.col("reference"))
    for scenario in ok["scenario"].unique(maintain_order=True).to_list():
        sub = ok.filter(pl.col("scenario") == scenario)
        slm = sub.filter(pl.col("size_class") == "SLM")["usd_per_1k_tokens"].median()
        llm = sub.filter(pl.col("size_class") == "LLM")["usd_per_1k_tokens"].median()
        if slm is None or llm is None or slm <= 0:
            continue
        yield _row(
            f"cost.llm_over_slm.{slug(scenario)}",
            llm / slm,
            "x",
            "Cost per 1k tokens, LLM median over SLM median (reference serving mode)",
            source,
            "estimated",
            subject="LLM median",
            versus="SLM median",
            setting=scenario,
        )
    # like with like: cloud scenarios in the same serving mode, over the models both serve, so
    # the ratio is the grid's (and the device's), never a laptop at batch 1 against a loaded
    # server or two different model sets
    cloud = ok.filter(pl.col("kind") == "cloud")
    shared = None
    for scenario in cloud["scenario"].unique(maintain_order=True).to_list():
        served = set(cloud.filter(pl.col("scenario") == scenario)["model_id"].to_list())
        shared = served if shared is None else shared & served
    by = (
        cloud.filter(pl.col("model_id").is_in(sorted(shared or ())))
        .group_by(
            "scenario",
            "hardware_id",
            "serving",
            "intensity_g_per_kwh",
            "intensity_basis",
            maintain_order=True,
        )
        .agg(pl.col("gco2e_per_1k_tokens").median(), n=pl.len())
        .sort("gco2e_per_1k_tokens", maintain_order=True)
    )
    if by.height >= 2 and by["serving"].n_unique() == 1:
        lo, hi = by.row(0, named=True), by.row(-1, named=True)
        yield _row(
            "carbon.grid_ratio",
            hi["gco2e_per_1k_tokens"] / lo["gco2e_per_1k_tokens"],
            "x",
            "gCO2e per 1k tokens of the dirtiest cloud scenario over the cleanest, the same "
            "models in the same serving mode (median model)",
            source,
            "estimated",
            subject=hi["scenario"],
            versus=f"{lo['scenario']} (the same {hi['n']} models, both {hi['serving']}; grids "
            f"{hi['intensity_g_per_kwh']:.0f} vs {lo['intensity_g_per_kwh']:.0f} gCO2e/kWh, "
            f"{hi['hardware_id']} vs {lo['hardware_id']})",
        )


def market_headlines(table: pl.DataFrame, source: str) -> Iterator[Row]:
    """Per (cloud scenario, model with published API prices): our USD per million input and
    output tokens at the utilisation band beside the providers' band; and per scenario, how
    many times the market median our central output price is (median over the models)."""
    for r in table.iter_rows(named=True):
        key = f"cost_vs_market.{slug(r['scenario'])}.{slug(r['model_id'])}"
        band = f"{r['utilisation_low']:.0%}-{r['utilisation_high']:.0%} busy"
        for side in ("input", "output"):
            yield _row(
                f"{key}.ours_{side}",
                r[f"ours_{side}_usd_per_m"],
                "USD per million tokens",
                f"Our cost per million {side} tokens at {band} "
                f"(central {r['utilisation_mid']:.0%})",
                source,
                "estimated",
                low=r[f"ours_{side}_usd_per_m_low"],
                high=r[f"ours_{side}_usd_per_m_high"],
                subject=r["model_id"],
                setting=r["scenario"],
            )
            yield _row(
                f"{key}.market_{side}",
                r[f"market_{side}_usd_per_m"],
                "USD per million tokens",
                f"Published API price per million {side} tokens, median (range: min-max) of "
                f"{r['market_providers']} providers",
                source,
                "published",
                low=r[f"market_{side}_usd_per_m_min"],
                high=r[f"market_{side}_usd_per_m_max"],
                subject=r["model_id"],
                versus=r["market_source_dates"],
            )
    for scenario in table["scenario"].unique(maintain_order=True).to_list():
        sub = table.filter(pl.col("scenario") == scenario)
        for side in ("output", "input"):
            gap = sub[f"{side}_ours_over_market_median"]
            yield _row(
                f"cost_vs_market.{side}_gap.{slug(scenario)}",
                gap.median(),
                "x",
                f"Our central cost per million {side} tokens over the market median (median "
                "over the models both price; range over them)",
                source,
                "estimated",
                low=gap.min(),
                high=gap.max(),
                subject=f"{sub.height} models",
                setting=scenario,
            )


def break_even_headlines(break_even: pl.DataFrame, source: str) -> Iterator[Row]:
    scenarios = break_even["scenario"].unique(maintain_order=True).to_list()
    if not scenarios:
        return
    tokens = break_even.filter(pl.col("scenario") == scenarios[0])["break_even_tokens"]
    yield _row(
        "break_even.tokens",
        tokens.median(),
        "tokens",
        "Tokens served before inference energy equals training energy (median, range over "
        "models) in the first scenario",
        source,
        _mix(break_even.filter(pl.col("scenario") == scenarios[0])["provenance"].to_list()),
        low=tokens.min(),
        high=tokens.max(),
        setting=scenarios[0],
    )


def rent_vs_buy_headlines(rvb: pl.DataFrame, source: str) -> Iterator[Row]:
    per_hw = rvb.unique("scenario", maintain_order=True).filter(
        pl.col("break_even_utilisation").is_not_null()
    )
    for r in per_hw.iter_rows(named=True):
        yield _row(
            f"rent_vs_buy.break_even_utilisation.{slug(r['scenario'])}",
            r["break_even_utilisation"],
            "share of the year",
            "Utilisation above which buying the GPU costs less than renting it (GPU alone)",
            source,
            "estimated",
            subject=r["hardware_id"],
            setting=r["scenario"],
        )


def _ratio_band(row: Row, home: Row) -> tuple[float, float, float]:
    """``row``'s J/token over ``home``'s with an 80% interval: the two rows come from
    independent models (the local-device model and the serving model), so their log
    half-widths add in quadrature on each side."""
    value = row["j_per_token"] / home["j_per_token"]

    def half(r: Row, bound: str) -> float:
        b = r[f"j_per_token_{bound}"]
        return abs(math.log(b / r["j_per_token"])) if b else 0.0

    down = math.hypot(half(row, "low"), half(home, "high"))
    up = math.hypot(half(row, "high"), half(home, "low"))
    return value, value * math.exp(-down), value * math.exp(up)


def _band(r: Row) -> dict[str, float | None]:
    """A row's J/token interval where it has both ends, else none (the schema wants both)."""
    both = r["j_per_token_low"] is not None and r["j_per_token_high"] is not None
    return {
        "low": r["j_per_token_low"] if both else None,
        "high": r["j_per_token_high"] if both else None,
    }


def home_headlines(table: pl.DataFrame, source: str) -> Iterator[Row]:
    """A small model at home (the smallest of the ladder, one request at a time) against the
    same model in the cloud, and against the large model in the cloud on a loaded server."""
    same = table.filter(pl.col("question") == "same model, home vs cloud")
    homes = same.filter(pl.col("kind") == "local").sort("params_total")
    if not homes.height:
        return
    home = homes.row(0, named=True)
    yield _row(
        "home.j_per_token",
        home["j_per_token"],
        "J/token",
        "Energy per token of the smallest ladder model at home, one request at a time",
        source,
        "estimated",
        **_band(home),
        subject=home["model_id"],
        setting=f"{home['scenario']} · {home['serving']}",
    )
    model = same.filter(pl.col("model_id") == home["model_id"])
    large = table.filter(pl.col("question").str.starts_with("small at home vs "))
    large = large.filter(pl.col("kind") == "cloud")
    for key, rows, what in (
        ("cloud_loaded", model.filter(pl.col("serving") == "throughput"), "same model"),
        (
            "cloud_one_request",
            model.filter(pl.col("kind") == "cloud").filter(pl.col("serving") == "interactive"),
            "same model",
        ),
        ("large_cloud_loaded", large, "the large model"),
    ):
        if not rows.height:
            continue
        r = rows.row(0, named=True)
        value, low, high = _ratio_band(r, home)
        yield _row(
            f"home.{key}_over_home",
            value,
            "x",
            f"J/token in the cloud ({what}, {r['serving']}) over the small model's at home "
            "(80% interval: both rows' intervals in quadrature)",
            source,
            "estimated",
            low=low,
            high=high,
            subject=r["model_id"],
            versus=home["model_id"],
            setting=f"{r['scenario']} · {r['serving']}",
        )


def peer_headlines(peers: pl.DataFrame, source: str) -> Iterator[Row]:
    far = peers.filter((pl.col("ours_over_peer") > 2) | (pl.col("ours_over_peer") < 0.5))
    yield _row(
        "peers.n_rows", peers.height, "rows", "Rows compared with a peer", source, "computed"
    )
    yield _row(
        "peers.n_over_2x",
        far.height,
        "rows",
        "Rows where ours and the peer's differ by more than 2x",
        source,
        "computed",
    )


def capability_headlines(capability: pl.DataFrame, source: str) -> Iterator[Row]:
    """Per model on the front's footing (base 5-shot, same release as its training row): its
    share of the family top's MMLU, raw and above the 25% chance floor, and of its J/token;
    and how many models make the front and how many are kept off it (another footing)."""
    comparable = capability.filter(pl.col("comparable"))
    yield _row(
        "capability.front.n",
        comparable.filter(pl.col("pareto").fill_null(False)).height,
        "models",
        "Models on the quality-energy Pareto front (base 5-shot MMLU)",
        source,
        "computed",
    )
    yield _row(
        "capability.off_footing.n",
        capability.filter(~pl.col("comparable")).height,
        "models",
        "Models with an MMLU on another footing (instruct, cloze 0-shot or another release), "
        "kept off the front",
        source,
        "computed",
    )
    shares = (
        ("quality_share", "Share of the family top's MMLU (raw accuracy)", "published"),
        (
            "quality_share_above_chance",
            "Share of the family top's MMLU above the 25% chance floor",
            "published",
        ),
        ("energy_share", "Share of the family top's energy per token", "estimated"),
    )
    paired = comparable.filter(
        pl.col("family_top").is_not_null() & pl.col("quality_share_above_chance").is_not_null()
    )
    for r in paired.sort("family", "params_total").iter_rows(named=True):
        for column, label, provenance in shares:
            if r[column] is None:
                continue
            yield _row(
                f"capability.{column}.{slug(r['model_id'])}",
                r[column],
                "fraction",
                label,
                source,
                provenance,
                subject=r["model_id"],
                versus=r["family_top"],
                setting=r["setting"],
            )


def _keyed_rows(prefix: str, source: str) -> Callable[..., Row]:
    """A row builder for the checks of one JSON input: keys under ``prefix.``, one source,
    estimated unless the row says otherwise (counts are ``computed``)."""

    def row(key: str, value: float, unit: str, label: str, **kw: Any) -> Row:
        kw.setdefault("provenance", "estimated")
        return _row(f"{prefix}.{key}", value, unit, label, source, **kw)

    return row


def fit_headlines(fit: dict[str, Any], source: str) -> Iterator[Row]:
    """The serving model's held-out checks."""

    row = _keyed_rows("fit", source)
    counted = {"provenance": "computed"}
    yield row("n_models", fit["n_models"], "models", "Dense models in the calibration", **counted)
    for name, n in sorted(fit["n_rows"].items()):
        yield row(f"n_rows.{slug(name)}", n, "rows", f"{name} rows", subject=name, **counted)
    yield row(
        "in_sample_error", fit["in_sample_median_abs_error"], "share", "Median |error| in sample"
    )
    yield row(
        "family_holdout_error",
        fit["family_holdout_median_abs_error"],
        "share",
        "Median |error| of J/token on a family the fit never saw",
    )
    for name, err in sorted(fit["gpu_holdout_median_abs_error"].items()):
        hw = name.replace("hardware_id=", "")
        yield row(
            f"gpu_holdout_error.{slug(hw)}",
            err,
            "share",
            "Median |error| with the GPU held out",
            subject=hw,
        )
    if fit.get("v2_median_abs_error") is not None:
        yield row(
            "v2_error",
            fit["v2_median_abs_error"],
            "share",
            "Median |error| on ML.ENERGY v2 (never fitted)",
        )
    yield row("coverage", fit["coverage"], "share", "Held-out rows inside the 80% interval")
    yield row(
        "coverage_n", fit["coverage_n"], "rows", "Held-out rows checked for coverage", **counted
    )
    yield row(
        "max_power_share_of_tdp",
        fit["max_power_share_of_tdp"],
        "share of TDP",
        "Highest predicted power draw as a share of the devices' TDP",
    )


def calibration_headlines(model: dict[str, Any], source: str) -> Iterator[Row]:
    """The training estimator's calibration on published runs, each family held out."""

    row = _keyed_rows("calibration", source)
    counted = {"provenance": "computed"}
    yield row(
        "n_runs", model["n_runs"], "runs", "Published runs the MFU model is fitted on", **counted
    )
    yield row(
        "n_families",
        model["n_families"],
        "families",
        "Families (lineages) the runs come from, each held out whole",
        **counted,
    )
    yield row("slope", model["slope"], "exponent", "Slope b of log(MFU) on log(params)")
    yield row(
        "heldout_error",
        model["heldout_median_abs_error"],
        "share",
        "Family-held-out median |error| in GPU-hours",
    )
    for size_class, err in sorted(model["heldout_by_size_class"].items()):
        yield row(
            f"heldout_error.{slug(size_class)}",
            err,
            "share",
            "Family-held-out median |error| in GPU-hours by size class",
            subject=size_class,
        )
    yield row(
        "coverage", model["coverage"], "share", "Family-held-out runs inside the 80% interval"
    )
    yield row(
        "coverage_n", model["coverage_n"], "runs", "Held-out runs checked for coverage", **counted
    )


def headlines_table(
    tables: dict[str, Any], sources: dict[str, str], slm_max_params: float
) -> pl.DataFrame:
    """Every headline from the tables present (``tables`` keyed as ``SOURCES``; JSON inputs
    as dicts), validated. A table absent from ``tables`` contributes no headline."""
    unknown = set(tables) - set(SOURCES)
    if unknown:
        raise LmFootprintError(f"headlines: unknown input table(s) {sorted(unknown)}")
    t, s = tables, sources
    rows: list[Row] = list(threshold_headlines(slm_max_params))
    if "models" in t:
        rows += model_headlines(t["models"], s["models"])
        if "scenarios" in t:
            rows += memory_headlines(t["models"], t["scenarios"], s["models"], s["scenarios"])
    builders = {
        "training": training_headlines,
        "inference": benchmark_headlines,
        "answer": answer_headlines,
        "exponent": exponent_headlines,
        "ladders": ladder_headlines,
        "matched_pairs": matched_pair_headlines,
        "thresholds": threshold_table_headlines,
        "inference_estimates": serving_headlines,
        "break_even": break_even_headlines,
        "rent_vs_buy": rent_vs_buy_headlines,
        "peers": peer_headlines,
        "cloud_vs_local": home_headlines,
        "fit": fit_headlines,
        "calibration_model": calibration_headlines,
        "cost_vs_market": market_headlines,
        "capability": capability_headlines,
    }
    for name, build in builders.items():
        if name in t:
            rows += build(t[name], s[name])
    return validate_frame(HeadlineSchema, frame_from_rows(HeadlineSchema, rows), "headlines")


def read_inputs(paths: dict[str, str | Path]) -> dict[str, Any]:
    """The inputs by name: parquet tables as frames, JSON files as dicts."""
    out: dict[str, Any] = {}
    for name, path in paths.items():
        path = Path(path)
        if path.suffix == ".json":
            out[name] = json.loads(path.read_text(encoding="utf-8"))
        else:
            out[name] = pl.read_parquet(path)
    return out


def load_headlines(path: str | Path) -> pl.DataFrame:
    return read_parquet_checked(path, HeadlineSchema)


class Headlines:
    """Read access by key, for titles and the report: ``h.value("slm_max_params")``."""

    def __init__(self, table: pl.DataFrame | None = None) -> None:
        table = table if table is not None else frame_from_rows(HeadlineSchema, [])
        self._rows = {r["key"]: r for r in table.iter_rows(named=True)}

    def get(self, key: str) -> Row | None:
        return self._rows.get(key)

    def __getitem__(self, key: str) -> Row:
        if key not in self._rows:
            raise HeadlineMissingError(f"headline {key!r} is not in the headlines table")
        return self._rows[key]

    def value(self, key: str) -> float:
        return self[key]["value"]

    def group(self, prefix: str) -> list[Row]:
        """Rows whose key is ``prefix.<something>``, in table order."""
        return [r for k, r in self._rows.items() if k.startswith(prefix + ".")]
