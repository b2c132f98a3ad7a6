"""The report is one offline page and untrusted strings cannot break out of it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from lmfootprint.answer.headlines import Headlines, headlines_table
from lmfootprint.benchmark.benchmark_inference import inference_table
from lmfootprint.core.ids import parse_model_entry
from lmfootprint.estimates.training_footprint import load_published, recompute_training
from lmfootprint.models.model_metadata import model_record
from lmfootprint.present.charts.training import training_chart
from lmfootprint.present.figure import save_figure
from lmfootprint.present.report import _figures, render_report

ROOT = Path(__file__).resolve().parents[3]
HUB = ROOT / "resources" / "hub"
TEMPLATE = ROOT / "src" / "lmfootprint" / "present" / "templates" / "report.html.j2"
EVIL = "</script><script>alert(1)</script>"


def headlines(tables: dict, slm_max_params: float = 8e9) -> pl.DataFrame:
    return headlines_table(tables, {k: f"results/{k}.parquet" for k in tables}, slm_max_params)


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> str:
    tmp = tmp_path_factory.mktemp("report")
    ref = parse_model_entry("EleutherAI/pythia-14m", ROOT)
    models = model_record(ref, HUB / ref.slug / "config.json").with_columns(
        model_id=pl.lit(EVIL), source_url=pl.lit("javascript:alert(2)")
    )
    published = load_published(ROOT / "resources" / "published_training.csv").with_columns(
        model_id=pl.when(pl.col("model_id") == "bigscience/bloom")
        .then(pl.lit(EVIL))
        .otherwise(pl.col("model_id"))
    )
    training = recompute_training(published, models)
    paths = {k: tmp / f"training_footprint.{k}" for k in ("html", "png")}
    spec = tmp / "training_footprint.vl.json"
    save_figure(
        training_chart(training, Headlines(headlines({"training": training}))), spec=spec, **paths
    )
    assert EVIL in spec.read_text()  # the spec carries the raw name
    return render_report(
        tables={"models": models, "training": training, "inference": inference_table([])},
        figures=_figures([spec]),
        template_path=TEMPLATE,
        title="t <b>x</b>",
    )


def test_untrusted_text_is_escaped(report_html: str) -> None:
    assert EVIL not in report_html
    assert "<script>alert(1)" not in report_html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in report_html  # in table cells
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in report_html  # in the spec
    assert 'href="javascript:' not in report_html
    assert "<title>t &lt;b&gt;x&lt;/b&gt;</title>" in report_html


def test_report_is_offline_and_embeds_each_figure_once(report_html: str) -> None:
    assert not re.search(r"<script[^>]*\bsrc=", report_html)
    assert not re.search(r"<link[^>]*\bhref=\"https?://", report_html)
    assert "cdn.jsdelivr" not in report_html
    assert report_html.count('vegaEmbed("#') == 1
    # script blocks: the bundle once plus one per figure
    assert len(re.findall(r"<script>", report_html)) == 2


def test_spec_tooltips_carry_value_unit_provenance(tmp_path: Path) -> None:
    training = recompute_training(load_published(ROOT / "resources" / "published_training.csv"))
    spec = training_chart(training, Headlines(headlines({"training": training}))).to_dict()
    layers = [layer for panel in spec["hconcat"] for layer in panel["layer"]]
    for layer in layers:
        fields = {t["field"] for t in layer["encoding"]["tooltip"]}
        assert {"value", "metric", "provenance", "method", "source_url", "source_date"} <= fields
    assert json.dumps(spec).count('"type": "log"') >= 4


def answer_table(ratio: float) -> pl.DataFrame:
    row = {
        "phase": "training",
        "setting": "training run",
        "metric": "training energy",
        "unit": "MWh",
        "slm_median": 1.0,
        "llm_median": ratio,
        "llm_over_slm": ratio,
        "llm_over_slm_low": ratio * 0.5,
        "llm_over_slm_high": ratio * 2,
        "n_slm": 3,
        "n_llm": 2,
        "provenance_mix": "estimated",
        "models_slm": "a",
        "models_llm": "b",
        "n_identical_merged": 0,
        "kept_out": None,
    }
    return pl.DataFrame([row])


def small_report(slm_max_params: float, ratio: float) -> str:
    ref = parse_model_entry("EleutherAI/pythia-14m", ROOT)
    models = model_record(ref, HUB / ref.slug / "config.json")
    training = recompute_training(load_published(ROOT / "resources" / "published_training.csv"))
    answer = answer_table(ratio)
    tables = {"models": models, "training": training, "inference": inference_table([])}
    return render_report(
        tables={**tables, "answer": answer},
        figures={},
        template_path=TEMPLATE,
        title="t",
        headlines=headlines({"models": models, "answer": answer}, slm_max_params),
    )


def test_report_states_the_configured_threshold() -> None:
    """The report once said 'SLM, up to about 8B parameters' whatever slm_max_params was."""
    html = small_report(3e9, 24.0)
    assert "(SLM, up to 3B parameters in this run)" in html
    assert "2 LLM architectures, SLM up to 3B parameters" in html
    assert "8B parameters" not in html
    assert "(SLM, up to 13B parameters in this run)" in small_report(13e9, 24.0)


def test_report_prints_small_ratios_with_their_digits() -> None:
    html = small_report(8e9, 0.42)
    headline = html.split('id="headline"', 1)[1].split("</p>", 1)[0]
    assert "<strong>0.42x</strong> (80% interval 0.21x to 0.84x)" in headline
    assert not re.search(r"\b0x", headline)


def test_report_without_headlines_states_no_threshold() -> None:
    ref = parse_model_entry("EleutherAI/pythia-14m", ROOT)
    html = render_report(
        tables={
            "models": model_record(ref, HUB / ref.slug / "config.json"),
            "training": recompute_training(
                load_published(ROOT / "resources/published_training.csv")
            ),
            "inference": inference_table([]),
        },
        figures={},
        template_path=TEMPLATE,
        title="t",
    )
    assert "(SLM) than large ones" in html and "parameters in this run" not in html


def test_parsing_the_workflow_imports_no_plotting_code() -> None:
    """The figure registry's inputs live in the rules: parsing imports neither altair nor
    lmfootprint.present (a figure job does)."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "snakemake", "--list-rules"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "figure" in out.stdout.split() and "headlines" in out.stdout.split()
    imported = {line.split("|")[-1].strip() for line in out.stderr.splitlines() if "|" in line}
    assert "lmfootprint.core.config" in imported  # the import log is read right
    assert not {m for m in imported if m.startswith(("altair", "lmfootprint.present"))}


def test_a_figure_of_more_than_five_thousand_points_is_written() -> None:
    """A study of 1,001 models draws 5,005 points in the carbon figure; Altair's notebook
    guard (5,000 rows) failed the job in bench/scale_models.py."""
    import altair as alt

    import lmfootprint.present.figure  # noqa: F401  (what every figure job imports)

    rows = pl.DataFrame({"x": range(6000), "provenance": ["estimated"] * 6000})
    spec = json.loads(alt.Chart(rows).mark_point().encode(x="x:Q").to_json())
    assert len(spec["datasets"][next(iter(spec["datasets"]))]) == 6000
