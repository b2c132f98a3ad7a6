"""The HTML report: one standalone file, Vega bundle inlined once, every string escaped.

Specs are embedded with jinja2's ``tojson`` filter, which escapes ``<``, ``>``, ``&`` and
``'``, so a model name holding ``</script>`` cannot close the script element. The Vega
bundle comes from the installed vl-convert wheel, never from the network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2
import polars as pl
import vl_convert

import lmfootprint
from lmfootprint.architecture import human_params
from lmfootprint.inference import load_inference
from lmfootprint.io import write_text
from lmfootprint.models import load_models
from lmfootprint.training import load_training


def _safe_url(url: str | None) -> str | None:
    """Only http(s) links become anchors; anything else is shown as text."""
    if url and url.startswith(("https://", "http://")):
        return url
    return None


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if value == 0:
            return "0"
        return f"{value:,.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _estimate_errors(estimates: pl.DataFrame | None) -> dict[str, Any] | None:
    """How the 6ND estimate compares with published GPU-hours, for the report's caveat."""
    if estimates is None:
        return None
    checked = estimates.filter(pl.col("gpu_hours_error").is_not_null())
    if checked.height == 0:
        return None
    return {
        "n": checked.height,
        "median_error": checked["gpu_hours_error"].median(),
        "in_range": int(checked["published_in_range"].sum()),
        "mfu_low": checked["implied_mfu"].min(),
        "mfu_median": checked["implied_mfu"].median(),
        "mfu_high": checked["implied_mfu"].max(),
    }


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


def render_report(
    *,
    models: pl.DataFrame,
    training: pl.DataFrame,
    inference: pl.DataFrame,
    figures: dict[str, dict[str, Any]],
    template_path: str | Path,
    title: str,
    scenarios: pl.DataFrame | None = None,
    estimates: pl.DataFrame | None = None,
    answer: pl.DataFrame | None = None,
) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(template_path).parent)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["fmt"] = _fmt
    env.filters["params"] = human_params
    env.filters["safe_url"] = _safe_url
    template = env.get_template(Path(template_path).name)
    return template.render(
        title=title,
        version=lmfootprint.__version__,
        vega_bundle=vl_convert.javascript_bundle(),
        models=models.sort("params_total").to_dicts(),
        training=training.to_dicts(),
        flagged=training.filter(pl.col("flags") != "").to_dicts(),
        inference=inference.filter(pl.col("status") == "ok")
        .sort("params_total", "batch_size")
        .to_dicts(),
        skipped=inference.filter(pl.col("status") == "skipped").to_dicts(),
        scenarios=scenarios.to_dicts() if scenarios is not None else [],
        estimates=estimates.sort("params_total").to_dicts() if estimates is not None else [],
        estimate_errors=_estimate_errors(estimates),
        answer=answer.to_dicts() if answer is not None else [],
        figures=figures,
        n_slm=models.filter(pl.col("size_class") == "SLM").height,
        n_llm=models.filter(pl.col("size_class") == "LLM").height,
    )


def write_report(
    *,
    out: str | Path,
    models_path: str | Path,
    training_path: str | Path,
    inference_path: str | Path,
    figure_specs: list[str | Path],
    template_path: str | Path,
    title: str,
    scenarios_path: str | Path | None = None,
    estimates_path: str | Path | None = None,
    answer_path: str | Path | None = None,
) -> None:
    html = render_report(
        models=load_models(models_path),
        training=load_training(training_path),
        inference=load_inference(inference_path),
        scenarios=pl.read_parquet(scenarios_path) if scenarios_path else None,
        estimates=pl.read_parquet(estimates_path) if estimates_path else None,
        answer=pl.read_parquet(answer_path) if answer_path else None,
        figures=_figures(figure_specs),
        template_path=template_path,
        title=title,
    )
    write_text(html, out)
