"""The decision page's spec: every input labelled and bound, only options that fit inlined,
defaults from the study's replayed prompts, the template included in the report."""

from __future__ import annotations

from pathlib import Path

import jinja2
import polars as pl

from lmfootprint.answer.decision import DecisionSettings
from lmfootprint.present.decision_page import decision_context, default_settings

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "src/lmfootprint/present/templates"


def _options() -> pl.DataFrame:
    from lmfootprint.answer.decision import decision_options
    from tests.unit.answer.test_decision import OUTPUT, PROMPT, QUALITY, SCEN, _estimate

    return decision_options(
        _estimate(PROMPT), _estimate(1), QUALITY, SCEN, prompt_tokens=PROMPT, output_tokens=OUTPUT
    )


def test_inputs_are_bound_and_labelled_and_defaults_come_from_the_prompts() -> None:
    options = _options()
    prompts = pl.read_csv(ROOT / "resources/prompts/prompt_sample.csv")
    ctx = decision_context(options, prompts)
    assert ctx is not None
    params = {p["name"]: p for p in ctx["spec"]["params"]}
    assert set(params) == set(DecisionSettings().as_dict())
    for p in params.values():
        assert p["bind"]["name"].strip(), p["name"]  # the visible label
    assert params["prompt_tokens"]["value"] == round(prompts["prompt_tokens"].mean())
    assert params["response_tokens"]["value"] == round(prompts["response_tokens"].mean())
    assert params["where"]["value"] == options.filter(pl.col("kind") == "local")["location"][0]
    values = ctx["spec"]["data"]["values"]
    assert len(values) == options.filter(pl.col("fits")).height < options.height
    assert default_settings(options, None).prompt_tokens == DecisionSettings().prompt_tokens


def test_no_table_no_page() -> None:
    assert decision_context(None, None) is None
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    assert env.get_template("decision.html.j2").render(decision=None).strip() == ""
    report = (TEMPLATES / "report.html.j2").read_text()
    assert '{% include "decision.html.j2" ignore missing %}' in report
