"""The report is one offline page and untrusted strings cannot break out of it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from lmfootprint.benchmark.benchmark_inference import inference_table
from lmfootprint.core.ids import parse_model_entry
from lmfootprint.estimates.training_footprint import load_published, recompute_training
from lmfootprint.models.model_metadata import model_record
from lmfootprint.present.figure import save_figure, training_chart
from lmfootprint.present.report import _figures, render_report

ROOT = Path(__file__).resolve().parents[2]
HUB = ROOT / "resources" / "hub"
TEMPLATE = ROOT / "src" / "lmfootprint" / "present" / "templates" / "report.html.j2"
EVIL = "</script><script>alert(1)</script>"


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
    save_figure(training_chart(training), spec=spec, **paths)
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
    spec = training_chart(training).to_dict()
    layers = [layer for panel in spec["hconcat"] for layer in panel["layer"]]
    for layer in layers:
        fields = {t["field"] for t in layer["encoding"]["tooltip"]}
        assert {"value", "metric", "provenance", "method", "source_url", "source_date"} <= fields
    assert json.dumps(spec).count('"type": "log"') >= 4
