"""Every page the workflow writes (each figure page, the report) escapes what a user controls
and carries the same Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import polars as pl
import pytest

from lmfootprint.answer.headlines import Headlines, headlines_table
from lmfootprint.benchmark.benchmark_inference import inference_table
from lmfootprint.core.ids import parse_model_entry
from lmfootprint.estimates.training_footprint import load_published, recompute_training
from lmfootprint.models.model_metadata import model_record
from lmfootprint.present.charts.training import training_chart
from lmfootprint.present.figure import save_figure
from lmfootprint.present.page_policy import CONTENT_SECURITY_POLICY, CSP_META
from lmfootprint.present.report import _figures, render_report

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "src/lmfootprint/present/templates/report.html.j2"
EVIL = "</script><img src=x onerror=alert(1)>"
# how jinja2's tojson (the report) and the figure pages write it inside a script element
EVIL_JSON = "\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e"


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    """A figure from a models table whose model is named EVIL, a figure whose scenario,
    title and description are EVIL, and the report showing both."""
    tmp = tmp_path_factory.mktemp("pages")
    ref = parse_model_entry("EleutherAI/pythia-14m", ROOT)
    models = model_record(ref, ROOT / "resources/hub" / ref.slug / "config.json").with_columns(
        model_id=pl.lit(EVIL)
    )
    published = load_published(ROOT / "resources/published_training.csv").with_columns(
        model_id=pl.when(pl.col("model_id") == "bigscience/bloom")
        .then(pl.lit(EVIL))
        .otherwise(pl.col("model_id"))
    )
    training = recompute_training(published, models)
    heads = headlines_table({"training": training}, {"training": "t.parquet"}, 8e9)
    scenario = (
        alt.Chart(alt.Data(values=[{"scenario": EVIL, "usd": 1.0, "provenance": EVIL}]))
        .mark_bar()
        .encode(x="scenario:N", y="usd:Q", tooltip=["scenario:N", "provenance:N"])
    )
    charts = {
        "training_footprint": training_chart(training, Headlines(heads)),
        "scenario": scenario.properties(title=EVIL, description=EVIL),
    }
    specs = []
    written = {}
    for name, chart in charts.items():
        html, spec = tmp / f"{name}.html", tmp / f"{name}.vl.json"
        save_figure(chart, html=html, png=tmp / f"{name}.png", spec=spec)
        assert EVIL in spec.read_text()  # the spec itself carries the raw name
        specs.append(spec)
        written[name] = html.read_text(encoding="utf-8")
    written["report"] = render_report(
        tables={"models": models, "training": training, "inference": inference_table([])},
        figures=_figures(specs),
        template_path=TEMPLATE,
        title=EVIL,
    )
    return written


@pytest.mark.parametrize("page", ["training_footprint", "scenario", "report"])
def test_a_name_holding_script_is_escaped_in_every_page(pages: dict[str, str], page: str) -> None:
    html = pages[page]
    assert EVIL not in html
    assert "<img src=x onerror" not in html
    assert EVIL_JSON in html  # inside the spec: cannot close the script element


@pytest.mark.parametrize("page", ["training_footprint", "scenario", "report"])
def test_every_page_carries_the_same_csp(pages: dict[str, str], page: str) -> None:
    head = pages[page].split("</head>", 1)[0]
    assert head.count(CSP_META) == 1
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert "connect-src" not in CONTENT_SECURITY_POLICY  # nothing may be sent anywhere


def test_a_figure_page_is_titled_by_its_figure(pages: dict[str, str]) -> None:
    assert "<title>&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</title>" in pages["scenario"]
