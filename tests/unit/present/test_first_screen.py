"""The answer's first screen: three sentences in plain words, each with its interval, the
scenarios named as people say them, and what was kept out said once."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from builders import FIT, SHAPES, local_fit, models
from test_scenario_names import COUNTRY_NAMES, default_scenarios

from lmfootprint.answer.cloud_vs_local import cloud_vs_local
from lmfootprint.answer.headlines import Headlines, headlines_table
from lmfootprint.benchmark.benchmark_inference import inference_table
from lmfootprint.core.ids import parse_model_entry
from lmfootprint.estimates.inference_estimates import estimate_inference
from lmfootprint.estimates.training_footprint import load_published, recompute_training
from lmfootprint.models.model_metadata import model_record
from lmfootprint.present.charts.first_screen import (
    cloud_first_chart,
    home_first_chart,
    training_first_chart,
)
from lmfootprint.present.report import kept_out_by_reason, render_report

ROOT = Path(__file__).resolve().parents[3]
TEMPLATE = ROOT / "src" / "lmfootprint" / "present" / "templates" / "report.html.j2"
# every row of the answer table carries these, as answer.answer_table writes them
KEPT_OUT = "acme/closed (weights not released); google/flan-t5-xxl (encoder-decoder)"
ASSUMED = "acme/untold (training tokens assumed)"


def scenarios() -> pl.DataFrame:
    """The default config's scenarios with the columns the report's scenario table shows."""
    return default_scenarios().with_columns(
        intensity_year=pl.lit(2024),
        intensity_provenance=pl.lit("published"),
        price_date=pl.when(pl.col("kind") == "cloud").then(pl.lit("2025-10-01")),
        price_note=pl.lit(None, pl.String),
        tariff_period=pl.when(pl.col("kind") == "local").then(pl.lit("2025-S1")),
    )


def answer_row(phase: str, setting: str, value: float, kept_out: str) -> dict:
    return {
        "phase": phase,
        "setting": setting,
        "metric": f"{phase} energy",
        "unit": "MWh" if phase == "training" else "J/token",
        "slm_median": 0.02,
        "llm_median": 0.02 * value,
        "llm_over_slm": value,
        "llm_over_slm_low": value / 2,
        "llm_over_slm_high": value * 3,
        "n_slm": 12,
        "n_llm": 6,
        "provenance_mix": "estimated",
        "models_slm": "a",
        "models_llm": "b",
        "n_identical_merged": 0,
        "kept_out": kept_out,
    }


@pytest.fixture(scope="module")
def inputs() -> dict:
    """A default-config run's tables, built small: the default scenarios, estimates of the
    shipped shapes, an answer table whose rows each repeat what was kept out."""
    sc = scenarios()
    estimates = estimate_inference(
        models(SHAPES), sc, FIT, local_fit=local_fit(), prompt_tokens=60, output_tokens=70
    )
    settings = estimates.select("scenario", "serving").unique(maintain_order=True).rows()
    answer = pl.DataFrame(
        [answer_row("training", "training run", 40.0, f"{KEPT_OUT}; {ASSUMED}")]
        + [answer_row("inference", f"{s} · {m}", 6.0, KEPT_OUT) for s, m in settings]
    )
    exponent = pl.DataFrame(
        {
            "scope": ["within families"],
            "metric": ["training energy"],
            "setting": ["training run"],
            "per_10x_params": [11.0],
            "per_10x_params_low": [8.0],
            "per_10x_params_high": [15.0],
            "n_families": [4],
        }
    )
    home = cloud_vs_local(estimates)
    tables = {"answer": answer, "exponent": exponent, "cloud_vs_local": home}
    headlines = headlines_table(tables, {k: f"results/{k}.parquet" for k in tables}, 8e9)
    return {**tables, "scenarios": sc, "estimates": estimates, "headlines": headlines}


@pytest.fixture(scope="module")
def page(inputs: dict) -> str:
    sc, estimates, answer, home = (
        inputs[k] for k in ("scenarios", "estimates", "answer", "cloud_vs_local")
    )
    ref = parse_model_entry("EleutherAI/pythia-14m", ROOT)
    return render_report(
        tables={
            "models": model_record(ref, ROOT / "resources/hub" / ref.slug / "config.json"),
            "training": recompute_training(
                load_published(ROOT / "resources/published_training.csv")
            ),
            "inference": inference_table([]),
            "scenarios": sc,
            "inference_estimates": estimates,
            "answer": answer,
            "cloud_vs_local": home,
        },
        figures={},
        template_path=TEMPLATE,
        title="t",
        headlines=inputs["headlines"],
        countries=COUNTRY_NAMES,
    )


def sentence(page: str, pid: str) -> str:
    return page.split(f'<p id="{pid}">', 1)[1].split("</p>", 1)[0]


def said_to_a_reader(html: str) -> str:
    """The text a reader reads: without title attributes and muted spans."""
    html = re.sub(r'\stitle="[^"]*"', "", html)
    return re.sub(r'<span class="muted">[^<]*</span>', "", html)


def test_three_sentences_each_with_its_interval(page: str) -> None:
    first = page.split('<div id="first-screen">', 1)[1].split("</div>", 1)[0]
    ids = re.findall(r'<p id="([^"]+)">', first)
    assert ids == ["headline", "headline-cloud", "headline-home"]
    for pid in ids:
        assert "80% interval" in sentence(page, pid), pid
    training = sentence(page, "headline")
    # the within-family figure leads; the class ratio follows
    assert training.index("<strong>11x</strong>") < training.index("<strong>40x</strong>")
    assert "80% interval 8.0x to 15x" in training and "80% interval 20x to 120x" in training
    cloud = sentence(page, "headline-cloud")
    assert "an H100 in AWS us-east-1, loaded server (64 requests)" in cloud
    assert "an H100 in AWS us-east-1, one request at a time" in cloud
    home = sentence(page, "headline-home")
    assert "an M1 Pro laptop in France, one request at a time" in home
    assert "Llama-3.1-70B" in home and "Llama-3.2-1B" in home


def test_no_scenario_id_is_said_to_the_reader(page: str) -> None:
    ids = scenarios()["scenario"].to_list()
    first = page.split('<div id="first-screen">', 1)[1].split("</div>", 1)[0]
    table = page.split('<table id="answer-table">', 1)[1].split("</table>", 1)[0]
    for html in (first, table):
        text = said_to_a_reader(html)
        assert not [s for s in ids if s in text]
    # kept for traceability
    assert 'title="cloud-h100-us-east-1 · throughput"' in first
    assert 'title="local-laptop-france · interactive"' in table


def test_what_was_kept_out_is_said_once(page: str) -> None:
    answer = page.split('<h2 id="answer">', 1)[1].split("<h3", 1)[0]
    for model in ("acme/closed", "google/flan-t5-xxl", "acme/untold"):
        assert answer.count(model) == 1, model
    kept = sentence(page, "kept-out")
    assert "<em>weights not released</em>: acme/closed" in kept
    assert "<em>training tokens assumed</em> (training rows only): acme/untold" in kept
    assert "kept out of the headline</th>" not in page


def test_kept_out_groups_by_reason_and_says_where_a_reason_holds() -> None:
    rows = [
        {"phase": "training", "kept_out": "a/x (weights not released; encoder-decoder); b/y (z)"},
        {"phase": "inference", "kept_out": "a/x (weights not released; encoder-decoder)"},
        {"phase": "inference", "kept_out": None},
    ]
    rows[0]["kept_out"] += "; c/w (training tokens assumed)"
    assert kept_out_by_reason(rows, {"c/w": "20 per parameter", "a/x": "1T"}) == [
        {"reason": "weights not released", "models": ["a/x"], "phases": None, "details": {}},
        {"reason": "encoder-decoder", "models": ["a/x"], "phases": None, "details": {}},
        {"reason": "z", "models": ["b/y"], "phases": ["training"], "details": {}},
        {
            "reason": "training tokens assumed",
            "models": ["c/w"],
            "phases": ["training"],
            "details": {"c/w": "20 per parameter"},
        },
    ]


def test_each_sentence_has_its_chart_named_in_plain_words(inputs: dict) -> None:
    h = Headlines(inputs["headlines"])
    countries = pl.DataFrame(
        {"country_iso3": list(COUNTRY_NAMES), "country_name": list(COUNTRY_NAMES.values())}
    )
    charts = {
        "training": training_first_chart(h),
        "cloud": cloud_first_chart(inputs["answer"], inputs["scenarios"], inputs["estimates"], h),
        "home": home_first_chart(
            inputs["cloud_vs_local"], inputs["scenarios"], inputs["estimates"], countries, h
        ),
    }
    specs = {k: c.to_dict() for k, c in charts.items()}
    titles = {k: s["title"]["text"] for k, s in specs.items()}
    assert (
        titles["training"]
        == "Each 10x in parameters takes 11x the training energy (80% interval 8.0x to 15x)"
    )
    assert titles["cloud"].startswith("Per token, a large model spends 6.0x")
    assert titles["home"].startswith("Llama-3.1-70B on a loaded cloud server spends")
    data = {k: s["datasets"][next(iter(s["datasets"]))] for k, s in specs.items()}
    assert len(data["training"]) == 2
    labels = {r["label"] for r in data["cloud"]}
    assert labels == {
        "an H100 in AWS us-east-1, loaded server (64 requests)",
        "an H100 in AWS us-east-1, one request at a time",
        "an A100 in Azure Sweden Central, loaded server (64 requests)",
        "an A100 in Azure Sweden Central, one request at a time",
    }
    assert "an M1 Pro laptop in France, one request at a time" in {
        r["setting"] for r in data["home"]
    }
    # without the tables' rows the charts draw nothing and state no number
    empty = Headlines()
    assert training_first_chart(empty).to_dict()["title"]["text"].startswith("How much")
    bare = home_first_chart(
        inputs["cloud_vs_local"].clear(), inputs["scenarios"], inputs["estimates"], None, empty
    )
    assert bare.to_dict()["title"]["text"] == "A small model at home against the cloud"


def test_matched_published_ladders_lead_the_training_sentence_when_there_are_any(
    inputs: dict,
) -> None:
    from lmfootprint.answer.headlines import _row
    from lmfootprint.answer.schemas import HeadlineSchema
    from lmfootprint.core.validation import frame_from_rows

    src = "results/comparison/ladders.parquet"
    matched = frame_from_rows(
        HeadlineSchema,
        [
            _row(
                "matched.training_energy_per_10x",
                6.6,
                "x",
                "m",
                src,
                "published",
                low=5.7,
                high=7.7,
            ),
            _row("matched.training_energy_per_10x.n_steps", 6, "steps", "n", src, "computed"),
            _row("matched.training_energy_per_10x.n_families", 3, "families", "n", src, "computed"),
        ],
    )
    headlines = pl.concat([inputs["headlines"], matched])
    sc, estimates, answer = (inputs[k] for k in ("scenarios", "estimates", "answer"))
    ref = parse_model_entry("EleutherAI/pythia-14m", ROOT)
    page = render_report(
        tables={
            "models": model_record(ref, ROOT / "resources/hub" / ref.slug / "config.json"),
            "training": recompute_training(
                load_published(ROOT / "resources/published_training.csv")
            ),
            "inference": inference_table([]),
            "scenarios": sc,
            "inference_estimates": estimates,
            "answer": answer,
        },
        figures={},
        template_path=TEMPLATE,
        title="t",
        headlines=headlines,
        countries=COUNTRY_NAMES,
    )
    training = sentence(page, "headline")
    assert training.index("<strong>6.6x</strong>") < training.index("<strong>40x</strong>")
    assert "80% interval 5.7x to 7.7x; 6 steps in 3 families" in training
    assert "<strong>11x</strong>" not in training  # the fit over every ladder stays below
    chart = training_first_chart(Headlines(headlines)).to_dict()
    labels = [v["label"] for v in chart["datasets"][next(iter(chart["datasets"]))]]
    assert labels[0].startswith("matched published ladders")
