"""The headlines table: every number a title or the report states, validated, by stable key;
titles and the report format its rows and compute nothing of their own."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from lmfootprint.answer.headlines import HeadlineMissingError, Headlines, headlines_table, slug
from lmfootprint.answer.schemas import HeadlineSchema
from lmfootprint.core.errors import TableValidationError
from lmfootprint.core.validation import frame_from_rows, validate_frame
from lmfootprint.present.charts import FIGURES
from lmfootprint.present.charts.answer import answer_chart
from lmfootprint.present.charts.scenarios import carbon_chart, cost_chart
from lmfootprint.present.figure import tooltips
from lmfootprint.present.text import ratio

ROOT = Path(__file__).resolve().parents[3]
SETTING = "cloud-h100 · throughput"


def answer_row(metric: str, setting: str, value: float, low: float, high: float) -> dict:
    phase = "training" if metric.startswith("training") else "inference"
    return {
        "phase": phase,
        "setting": setting,
        "metric": metric,
        "unit": "MWh" if phase == "training" else "J/token",
        "slm_median": 1.0,
        "llm_median": value,
        "llm_over_slm": value,
        "llm_over_slm_low": low,
        "llm_over_slm_high": high,
        "n_slm": 16,
        "n_llm": 8,
        "provenance_mix": "estimated+published",
        "models_slm": "a",
        "models_llm": "b",
        "n_identical_merged": 0,
        "kept_out": None,
    }


ANSWER = pl.DataFrame(
    [
        answer_row("training energy", "training run", 24.3, 9.3, 224.0),
        answer_row("inference energy", "cloud-h100 · interactive", 0.42, 0.31, 0.61),
        answer_row("inference energy", SETTING, 13.2, 5.5, 26.0),
    ]
)


def estimates(scenario_values: dict[str, tuple[float, float, float]]) -> pl.DataFrame:
    """Reference-mode inference rows: per scenario (SLM usd, LLM usd, gCO2e of both); a
    scenario named local-* is a laptop serving one request at a time."""
    rows = []
    for scenario, (slm, llm, grams) in scenario_values.items():
        local = scenario.startswith("local")
        for size_class, usd in (("SLM", slm), ("LLM", llm)):
            rows.append(
                {
                    "scenario": scenario,
                    "kind": "local" if local else "cloud",
                    "hardware_id": "M1-Pro-16c" if local else "H100-SXM5",
                    "model_id": f"acme/{size_class}",
                    "serving": "interactive" if local else "throughput",
                    "status": "estimated",
                    "reference": True,
                    "size_class": size_class,
                    "usd_per_1k_tokens": usd,
                    "gco2e_per_1k_tokens": grams,
                    "intensity_g_per_kwh": grams * 1000,
                    "intensity_basis": "lifecycle",
                }
            )
    return pl.DataFrame(rows)


def table(**tables) -> pl.DataFrame:
    return headlines_table(tables, {k: f"results/{k}.parquet" for k in tables}, 8e9)


def test_answer_headlines_carry_value_interval_source_and_provenance() -> None:
    h = Headlines(table(answer=ANSWER))
    t = h["answer.training_energy"]
    assert (t["value"], t["low"], t["high"]) == (24.3, 9.3, 224.0)
    assert t["source"] == "results/answer.parquet" and t["provenance"] == "estimated+published"
    assert h.value("answer.training_energy.n_slm") == 16
    loaded = h["answer.inference_energy_loaded"]
    assert loaded["setting"] == SETTING and loaded["value"] == 13.2
    # one per inference setting, in the answer table's order, keyed by the setting
    assert [r["key"] for r in h.group("answer.inference_energy")] == [
        "answer.inference_energy.cloud_h100_interactive",
        "answer.inference_energy.cloud_h100_throughput",
    ]


def test_the_loaded_servers_scenario_gives_the_one_request_ratio_and_both_medians() -> None:
    h = Headlines(table(answer=ANSWER))
    one = h["answer.inference_energy_one_request"]
    assert one["setting"] == "cloud-h100 · interactive" and one["value"] == 0.42
    assert (one["low"], one["high"]) == (0.31, 0.61)
    assert h.value("answer.inference_energy_loaded.llm_median") == 13.2
    assert h.value("answer.inference_energy_loaded.slm_median") == 1.0
    assert h["answer.inference_energy_one_request.llm_median"]["unit"] == "J/token"
    # another scenario's interactive row is not the loaded server's
    other = ANSWER.with_columns(
        setting=pl.col("setting").str.replace("h100 · interactive", "a100 · interactive")
    )
    assert Headlines(table(answer=other)).get("answer.inference_energy_one_request") is None


def home_table() -> pl.DataFrame:
    """The cloud-vs-local rows of a 1B and an 8B model, and a 70B in the cloud."""
    from builders import FIT, SCENARIOS, SHAPES, local_fit, models

    from lmfootprint.answer.cloud_vs_local import cloud_vs_local
    from lmfootprint.estimates.inference_estimates import estimate_inference

    estimates = estimate_inference(
        models(SHAPES), SCENARIOS, FIT, local_fit=local_fit(), prompt_tokens=60, output_tokens=70
    )
    return cloud_vs_local(
        estimates,
        ladder=("meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.2-1B"),
        cloud_scenario="cloud-h100",
    )


def test_home_headlines_set_the_smallest_model_at_home_against_the_cloud() -> None:
    rows = home_table()
    h = Headlines(table(cloud_vs_local=rows))
    home = h["home.j_per_token"]
    assert home["subject"] == "meta-llama/Llama-3.2-1B"
    assert home["setting"] == "laptop · interactive"
    at_home = rows.filter(
        (pl.col("model_id") == home["subject"]) & (pl.col("kind") == "local")
    ).row(0, named=True)
    assert home["value"] == at_home["j_per_token"]
    for key, model, setting in (
        ("cloud_loaded", "meta-llama/Llama-3.2-1B", "cloud-h100 · throughput"),
        ("cloud_one_request", "meta-llama/Llama-3.2-1B", "cloud-h100 · interactive"),
        ("large_cloud_loaded", "meta-llama/Llama-3.1-70B", "cloud-h100 · throughput"),
    ):
        r = h[f"home.{key}_over_home"]
        assert (r["subject"], r["versus"], r["setting"]) == (model, home["subject"], setting)
        cloud = (
            rows.filter((pl.col("model_id") == model) & (pl.col("scenario") == "cloud-h100"))
            .filter(pl.col("serving") == setting.split(" · ")[1])
            .row(0, named=True)
        )
        assert r["value"] == pytest.approx(cloud["j_per_token"] / at_home["j_per_token"])
        # both rows' intervals in quadrature: wider than either alone, narrower than their
        # crossed ends (the ratio of the extremes)
        own = cloud["j_per_token_high"] / cloud["j_per_token_low"]
        assert own < r["high"] / r["low"]
        crossed = (cloud["j_per_token_high"] / at_home["j_per_token_low"]) / (
            cloud["j_per_token_low"] / at_home["j_per_token_high"]
        )
        assert r["high"] / r["low"] < crossed
    assert Headlines(table(cloud_vs_local=rows.clear())).get("home.j_per_token") is None


def test_threshold_headline_is_the_configured_one() -> None:
    h = Headlines(headlines_table({}, {}, 3e9))
    assert h.value("slm_max_params") == 3e9
    assert h["slm_max_params"]["provenance"] == "configured"


def test_cost_and_grid_headlines_follow_the_estimates() -> None:
    est = estimates(
        {"cloud": (0.01, 0.05, 2.0), "cloud-se": (0.01, 0.05, 0.25), "local-fr": (0.02, 0.04, 0.1)}
    )
    h = Headlines(table(inference_estimates=est))
    assert h.value("cost.llm_over_slm.cloud") == pytest.approx(5.0)
    assert h.value("cost.llm_over_slm.local_fr") == pytest.approx(2.0)
    # the grid ratio sets like against like: two cloud scenarios, both loaded, the same
    # models; never the laptop at batch 1 (which would give 20x here)
    grid = h["carbon.grid_ratio"]
    assert grid["value"] == pytest.approx(8.0)
    assert grid["subject"] == "cloud"
    assert grid["versus"] == (
        "cloud-se (the same 2 models, both throughput; grids 2000 vs 250 gCO2e/kWh, "
        "H100-SXM5 vs H100-SXM5)"
    )
    only_one_cloud = estimates({"cloud": (0.01, 0.05, 2.0), "local-fr": (0.02, 0.04, 0.1)})
    assert "carbon.grid_ratio" not in table(inference_estimates=only_one_cloud)["key"].to_list()


def test_a_missing_headline_is_an_error_by_key() -> None:
    with pytest.raises(HeadlineMissingError, match="answer.training_energy"):
        Headlines(table())["answer.training_energy"]


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"low": 30.0}, "bounds_bracket_value"),  # low above the value
        ({"high": None}, "bounds_bracket_value"),  # a bound without the other
        ({"value": float("inf"), "low": None, "high": None}, "bounds_bracket_value"),
        ({"provenance": "guessed"}, "provenance"),
        ({"key": "Answer Training"}, "key"),
    ],
)
def test_schema_rejects_bad_rows(change: dict, column: str) -> None:
    rows = table(answer=ANSWER).to_dicts()
    rows[1].update(change)
    with pytest.raises(TableValidationError, match=column):
        validate_frame(HeadlineSchema, frame_from_rows(HeadlineSchema, rows), "t")


def test_schema_rejects_a_key_twice() -> None:
    rows = table(answer=ANSWER).to_dicts()
    rows.append(dict(rows[1]))
    with pytest.raises(TableValidationError, match="key"):
        validate_frame(HeadlineSchema, frame_from_rows(HeadlineSchema, rows), "t")


def test_slug_makes_stable_key_parts() -> None:
    assert slug("cloud-H100 · throughput") == "cloud_h100_throughput"
    assert slug("<3B") == "under_3b" and slug(">100B") == "over_100b"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.042, "0.042x"),
        (0.42, "0.42x"),
        (0.5, "0.5x"),
        (3.14, "3.1x"),
        (9.96, "10x"),
        (24.3, "24x"),
        (1489.2, "1,489x"),
        (None, "–"),
    ],
)
def test_ratio_keeps_significant_digits(value: float | None, text: str) -> None:
    assert ratio(value) == text


def test_titles_print_small_ratios_with_their_digits() -> None:
    """A ratio under 0.5 once read '0x' in the answer figure's title and labels."""
    small = ANSWER.with_columns(
        llm_over_slm=pl.lit(0.42), llm_over_slm_low=pl.lit(0.3), llm_over_slm_high=pl.lit(0.6)
    )
    spec = answer_chart(small, Headlines(table(answer=small))).to_dict()
    title = spec["title"]["text"]
    assert "takes 0.42x (0.3-0.6) the energy" in title
    assert "serving a token on a loaded server, 0.42x" in title
    assert not re.search(r"\b0x", title)
    labels = {r["value_text"] for r in spec["datasets"][next(iter(spec["datasets"]))]}
    assert labels == {"0.42x"}


def test_titles_read_their_numbers_from_the_headlines_table() -> None:
    """The title states the table's number, not one computed from the chart's own rows."""
    est = estimates(
        {"cloud": (0.01, 0.05, 2.0), "cloud-se": (0.01, 0.05, 0.5), "local-fr": (0.02, 0.04, 0.5)}
    )
    rows = table(inference_estimates=est).with_columns(
        value=pl.when(pl.col("key") == "carbon.grid_ratio")
        .then(pl.lit(7.0))
        .otherwise(pl.col("value"))
    )
    h = Headlines(rows)
    carbon = carbon_chart(est, h).to_dict()["title"]["text"]
    assert "cloud emits 7.0x cloud-se (the same 2 models, both throughput" in carbon
    cost = cost_chart(est, h).to_dict()["title"]["text"]
    assert cost == (
        "Per 1k tokens, an LLM costs 5.0x on cloud and 5.0x on cloud-se and 2.0x on local-fr an "
        "SLM (medians)"
    )
    # without the headlines the titles state no number
    bare = carbon_chart(est, Headlines()).to_dict()["title"]["text"]
    assert bare == "CO2e per 1k tokens against model size, per scenario's grid"


def test_every_tooltip_must_name_a_provenance() -> None:
    with pytest.raises(ValueError, match="provenance"):
        tooltips(("model_id:N", "model"), ("value:Q", "value"))
    assert [t.to_dict()["title"] for t in tooltips(("provenance:N", "provenance"))] == [
        "provenance"
    ]


def test_every_builder_has_a_caption_file() -> None:
    captions = {p.stem for p in (ROOT / "workflow/report/figures").glob("*.rst")}
    assert captions == set(FIGURES)


def test_matched_exponent_and_threshold_rows_become_headlines() -> None:
    exponent = pl.DataFrame(
        [
            {
                "phase": "training",
                "setting": "training run",
                "metric": "training energy",
                "unit": "MWh",
                "scope": scope,
                "exponent": b,
                "exponent_low": b - 0.1,
                "exponent_high": b + 0.1,
                "per_10x_params": 10**b,
                "per_10x_params_low": 10 ** (b - 0.1),
                "per_10x_params_high": 10 ** (b + 0.1),
                "n_models": 9,
                "n_families": 3,
                "n_steps": 6 if scope == "matched steps" else None,
            }
            for scope, b in (("matched steps", 0.82), ("within families", 0.87))
        ]
    )
    thresholds = pl.DataFrame(
        [
            {
                "phase": "training",
                "setting": "training run",
                "metric": "training energy",
                "unit": "MWh",
                "threshold_params": t,
                "llm_over_slm": v,
                "llm_over_slm_low": v / 2,
                "llm_over_slm_high": v * 2,
                "n_slm": 16,
                "n_llm": 8,
                "provenance_mix": "estimated+published",
                "headline_threshold": t == 9e9,
            }
            for t, v in ((8e9, 24.2), (9e9, 13.6))
        ]
    )
    h = Headlines(table(exponent=exponent, thresholds=thresholds))
    m = h["matched.training_energy_per_10x"]
    assert m["value"] == pytest.approx(10**0.82) and m["provenance"] == "published"
    assert h.value("matched.training_energy_per_10x.n_steps") == 6
    assert h.value("exponent.training_energy_within") == pytest.approx(10**0.87)
    assert h.value("thresholds.training_energy.slm_le_9b") == 13.6
    assert "headline threshold" in h["thresholds.training_energy.slm_le_9b"]["label"]
    assert "headline" not in h["thresholds.training_energy.slm_le_8b"]["label"]
