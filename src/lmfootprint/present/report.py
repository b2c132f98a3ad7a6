"""The HTML report: one standalone file, Vega bundle inlined once, every string escaped.

Specs are embedded with jinja2's ``tojson`` filter, which escapes ``<``, ``>``, ``&`` and
``'``, so a model name holding ``</script>`` cannot close the script element; the page
carries the Content-Security-Policy of every written page (present.page_policy). The Vega
bundle comes from the installed vl-convert wheel, never from the network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
import polars as pl

import lmfootprint
from lmfootprint.answer.answer import ASSUMED_TOKENS
from lmfootprint.answer.headlines import Headlines, load_headlines
from lmfootprint.benchmark.benchmark_inference import load_inference
from lmfootprint.core.io import write_text
from lmfootprint.estimates.training_footprint import load_training
from lmfootprint.models.model_metadata import load_models
from lmfootprint.present.bundle import read_bundle
from lmfootprint.present.decision_page import decision_context
from lmfootprint.present.page_policy import CSP_META
from lmfootprint.present.scenario_names import load_country_names, names_from_tables
from lmfootprint.present.text import fmt, human_params, pct, ratio


def _safe_url(url: str | None) -> str | None:
    """Only http(s) links become anchors; anything else is shown as text."""
    if url and url.startswith(("https://", "http://")):
        return url
    return None


def _count(value: float) -> str:
    """A headline count (stored as a float) as a whole number: 30."""
    return f"{round(value):,}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _threshold_grid(df: pl.DataFrame | None) -> tuple[list[float], list[tuple]]:
    if df is None or df.height == 0:
        return [], []
    values = sorted(df["threshold_params"].unique().to_list())
    grid: dict[tuple, dict[float, dict]] = {}
    for r in df.iter_rows(named=True):
        grid.setdefault((r["setting"], r["metric"]), {})[r["threshold_params"]] = r
    return values, list(grid.items())


def _machine_energy(inference: pl.DataFrame) -> str:
    """What the section title may claim about this machine's energy rows."""
    ok = inference.filter(pl.col("status") == "ok")
    kinds = sorted(set(ok["provenance"].drop_nulls().to_list())) if ok.height else []
    if kinds == ["measured"]:
        return "measured"
    if kinds == ["estimated"]:
        return "estimated (no hardware counter readable here)"
    return " and ".join(kinds) or "not benchmarked"


# one entry of the answer table's kept_out: "<model> (<reason>; <reason>)"
_KEPT_OUT = re.compile(r"(?:^|; )([^()]+?) \(([^()]+)\)")


def kept_out_by_reason(
    answer: list[dict[str, Any]], assumed: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The models kept out of the answer, said once: per reason, its models and whether it
    holds for every row or for one phase only (``phases``), in the order first met.
    ``assumed`` (model -> where its assumed token count comes from) details the models kept
    out for that reason (``details``)."""
    phases_of_all = {a["phase"] for a in answer}
    seen: dict[str, dict[str, set[str]]] = {}
    for a in answer:
        for model, reasons in _KEPT_OUT.findall(a["kept_out"] or ""):
            for reason in reasons.split("; "):
                seen.setdefault(reason, {}).setdefault(model, set()).add(a["phase"])
    groups = []
    for reason, models in seen.items():
        phases = set().union(*models.values())
        groups.append(
            {
                "reason": reason,
                "models": list(models),
                "phases": None if phases == phases_of_all else sorted(phases),
                "details": {m: (assumed or {}).get(m) for m in models}
                if reason == ASSUMED_TOKENS
                else {},
            }
        )
    # the reasons that hold for every row first
    return sorted(groups, key=lambda g: g["phases"] is not None)


def _figures(spec_paths: list[str | Path]) -> dict[str, dict[str, Any]]:
    figures = {}
    for i, path in enumerate(spec_paths):
        spec = json.loads(Path(path).read_text(encoding="utf-8"))
        title = spec.get("title", {})
        text = title.get("text") if isinstance(title, dict) else title
        name = Path(path).name.removesuffix(".vl.json")
        figures[name] = {
            "id": f"fig{i + 1}",
            "spec": spec,
            "title": text or name,
            "description": spec.get("description", ""),
        }
    return figures


def _groups(
    tables: dict[str, pl.DataFrame], name: str, key: str
) -> Iterator[tuple[Any, pl.DataFrame]]:
    """The groups of an optional input by ``key``, in table order; none where the table is
    absent or empty (a run that skipped that retrieval)."""
    table = tables.get(name)
    if table is None or not table.height:
        return
    for (value,), group in table.group_by(key, maintain_order=True):
        yield value, group


def _dataset(dataset: str, version: str, source: str, rows: int) -> dict[str, Any]:
    """One line of the data-versions table."""
    return {"dataset": dataset, "version": version, "source": source, "rows": rows}


def data_versions(tables: dict[str, pl.DataFrame], fit: dict[str, Any] | None) -> list[dict]:
    """What each input was, and when: snapshot dates, sources and Hub commits."""
    rows = []
    models = tables["models"]
    for source, group in models.group_by("metadata_source", maintain_order=True):
        shas = group.filter(pl.col("revision").is_not_null())
        rows.append(
            {
                "dataset": f"model metadata ({source[0]})",
                "version": f"{shas.height} pinned Hub commits"
                if shas.height
                else "architecture records",
                "source": "resources/hub/<org>--<name>/source.json (per-model sha in the Models "
                "table)",
                "rows": group.height,
            }
        )
    for provider, g in _groups(tables, "prices", "provider"):
        rows.append(
            _dataset(
                f"GPU prices ({provider})",
                f"{g['effective_date'].min()} to {g['effective_date'].max()}",
                ", ".join(sorted(set(g["source"].to_list())))[:300],
                g.height,
            )
        )
    for source, g in _groups(tables, "carbon", "source"):
        rows.append(
            _dataset(
                f"grid intensity ({', '.join(sorted(set(g['basis'].to_list())))})",
                f"{g['year'].min()}-{g['year'].max()}",
                source,
                g.height,
            )
        )
    for version, g in _groups(tables, "tariffs", "source_version"):
        rows.append(
            _dataset(
                "electricity tariffs",
                f"{version}; FX {', '.join(sorted(set(g['fx_period'].to_list())))}",
                g["source"][0],
                g.height,
            )
        )
    training = tables["training"]
    rows.append(
        {
            "dataset": "published training footprints",
            "version": f"{training['source_date'].min()} to {training['source_date'].max()}",
            "source": "resources/published_training.csv (a source URL per row)",
            "rows": training.height,
        }
    )
    if fit:
        rows.append(
            {
                "dataset": "serving-model calibration and validation rows",
                "version": ", ".join(f"{k}: {v}" for k, v in sorted(fit["n_rows"].items())),
                "source": "ML.ENERGY leaderboard @0cd52da (v3, data 2026-02-16) and "
                "leaderboard-v2 @c3af7f3 (resources/inference/MLENERGY.md)",
                "rows": sum(fit["n_rows"].values()),
            }
        )
    return rows


def render_report(
    *,
    tables: dict[str, pl.DataFrame],
    figures: dict[str, dict[str, Any]],
    template_path: str | Path,
    title: str,
    fit: dict[str, Any] | None = None,
    calibration_model: dict[str, Any] | None = None,
    headlines: pl.DataFrame | None = None,
    bundle: str | Path | None = None,
    countries: dict[str, str] | None = None,
) -> str:
    """The page. Every number its prose states comes from ``headlines`` (the headlines
    table); a statement whose headline is absent is left out, never filled with a default.
    Scenarios are named as people say them (present.scenario_names; ``countries``: ISO3
    code -> name)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(template_path).parent)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["fmt"] = fmt
    env.filters["params"] = human_params
    env.filters["safe_url"] = _safe_url
    env.filters["ratio"] = ratio
    env.filters["pct"] = pct
    env.filters["count"] = _count
    env.filters["ms"] = _ms
    template = env.get_template(Path(template_path).name)
    models = tables["models"]
    training = tables["training"]
    inference = tables["inference"]

    threshold_values, threshold_rows = _threshold_grid(tables.get("thresholds"))
    estimates = tables.get("estimates")
    assumed = (
        estimates.filter(pl.col("tokens_status") == "assumed").to_dicts()
        if estimates is not None
        else []
    )

    names = names_from_tables(tables.get("scenarios"), tables.get("inference_estimates"), countries)

    def rows(name: str, *sort: str) -> list[dict[str, Any]]:
        df = tables.get(name)
        if df is None:
            return []
        return (df.sort(*sort) if sort else df).to_dicts()

    return template.render(
        title=title,
        csp_meta=CSP_META,
        version=lmfootprint.__version__,
        vega_bundle=read_bundle(bundle),
        models=models.sort("params_total").to_dicts(),
        models_skipped=rows("models_skipped"),
        training=training.to_dicts(),
        flagged=training.filter(pl.col("flags") != "").to_dicts(),
        inference=inference.filter(pl.col("status") == "ok")
        .sort("params_total", "batch_size")
        .to_dicts(),
        skipped=inference.filter(pl.col("status") == "skipped").to_dicts(),
        scenarios=rows("scenarios"),
        estimates=rows("estimates", "params_total"),
        inference_estimates=rows("inference_estimates", "scenario", "params_total"),
        break_even=rows("break_even", "scenario", "params_total"),
        rent_vs_buy=rows("rent_vs_buy", "scenario", "params_total"),
        answer=rows("answer"),
        kept_out=kept_out_by_reason(
            rows("answer"), {e["model_id"]: e["tokens_source"] for e in assumed}
        ),
        names=names,
        exponent=rows("exponent"),
        ladders=rows("ladders"),
        matched_pairs=rows("matched_pairs", "family", "params_ratio"),
        thresholds=rows("thresholds"),
        threshold_values=threshold_values,
        threshold_rows=threshold_rows,
        capability=rows("capability", "params_total"),
        peers=rows("peers"),
        cloud_vs_local=rows("cloud_vs_local"),
        local_ladder=rows("local_ladder", "workload", "params_total"),
        local_errors=rows("local_errors"),
        local_efficiencies=rows("local_efficiencies"),
        serving_errors=rows("serving_errors")
        if tables.get("serving_errors") is None
        else tables["serving_errors"].filter(pl.col("family") == "all").to_dicts(),
        price_sensitivity=rows("price_sensitivity"),
        cost_vs_market=rows("cost_vs_market", "scenario", "params_total"),
        calibration=rows("calibration", "params"),
        calibration_model=calibration_model,
        assumed=assumed,
        machine_energy=_machine_energy(inference),
        h=Headlines(headlines),
        fit=fit,
        versions=data_versions(tables, fit),
        provenance=rows("provenance"),
        figures=figures,
        decision=decision_context(
            tables.get("decision_options"), tables.get("prompts"), names, _loaded(tables, headlines)
        ),
    )


def _loaded(tables: dict[str, pl.DataFrame], headlines: pl.DataFrame) -> dict[str, Any] | None:
    """The answer's row the headline's loaded-server figure comes from."""
    row = Headlines(headlines).get("answer.inference_energy_loaded")
    answer = tables.get("answer")
    if row is None or answer is None:
        return None
    match = answer.filter(
        (pl.col("setting") == row["setting"]) & (pl.col("metric") == "inference energy")
    )
    return match.row(0, named=True) if match.height else None


OPTIONAL_TABLES = (
    "exponent",
    "ladders",
    "matched_pairs",
    "thresholds",
    "capability",
    "peers",
    "price_sensitivity",
    "cost_vs_market",
    "calibration",
    "scenarios",
    "estimates",
    "inference_estimates",
    "break_even",
    "rent_vs_buy",
    "answer",
    "prices",
    "carbon",
    "tariffs",
    # models_on_error: skip (results/models_skipped.parquet): the models left out, and why
    "models_skipped",
    "cloud_vs_local",
    "local_ladder",
    "local_errors",
    "local_efficiencies",
    "serving_errors",
    # answer.provenance (headlines rule): rows of each output measured, estimated or published
    "provenance",
    # the decision page (answer.decision): every (model, deployment) option
    "decision_options",
)


def write_report(
    *,
    out: str | Path,
    paths: dict[str, str | Path],
    figure_specs: list[str | Path],
    template_path: str | Path,
    title: str,
    bundle: str | Path | None = None,
) -> None:
    """``paths`` names the input tables: models, training, inference and headlines are
    required; OPTIONAL_TABLES, ``fit`` (the J/token fit's JSON) and ``countries`` (the CSV
    naming each ISO3 country code) are optional."""
    tables = {
        "models": load_models(paths["models"]),
        "training": load_training(paths["training"]),
        "inference": load_inference(paths["inference"]),
    }
    for key in OPTIONAL_TABLES:
        if paths.get(key):
            tables[key] = pl.read_parquet(paths[key])
    if paths.get("prompts"):  # the study's replayed prompts: the decision page's defaults
        tables["prompts"] = pl.read_csv(paths["prompts"])
    fit = json.loads(Path(paths["fit"]).read_text(encoding="utf-8")) if paths.get("fit") else None
    calibration_model = (
        json.loads(Path(paths["calibration_model"]).read_text(encoding="utf-8"))
        if paths.get("calibration_model")
        else None
    )
    html = render_report(
        tables=tables,
        figures=_figures(figure_specs),
        template_path=template_path,
        title=title,
        fit=fit,
        calibration_model=calibration_model,
        headlines=load_headlines(paths["headlines"]),
        bundle=bundle,
        countries=load_country_names(paths["countries"]) if paths.get("countries") else None,
    )
    write_text(html, out)
