"""The decision table and rank_options: a request of the study's shape costs the estimate's
figure; filters, grid and criterion do what the page says."""

from __future__ import annotations

import polars as pl
import pytest

from lmfootprint.answer.decision import (
    DAYS_PER_YEAR,
    J_PER_KWH,
    DecisionSettings,
    decision_options,
    rank_options,
    reading,
)
from lmfootprint.estimates.inference_estimates import estimate_inference
from tests.unit.builders import FIT, SCENARIOS, SHAPES, local_fit, models

PROMPT, OUTPUT = 1000, 500
SCEN = SCENARIOS.with_columns(
    location=pl.Series(["us-east-1", "swedencentral", "FRA"]),
    intensity_g_per_kwh=pl.Series([380.0, 40.0, 30.0]),
    intensity_source=pl.lit("test source"),
    price_date=pl.lit("2026-01-01"),
    tariff_period=pl.lit("2025-S2"),
)
QUALITY = pl.DataFrame(
    {
        "model_id": list(SHAPES),
        "mmlu": [None, 32.0, 66.0, 79.0, 85.0],
        "footing": ["base 5-shot"] * 5,
        "variant": ["base"] * 5,
        "release": ["2024-01"] * 5,
        "training_release": ["2024-01"] * 5,
        "source_url": ["https://example.org/card"] * 5,
        "source_title": ["card"] * 5,
        "source_date": ["2024-01-01"] * 5,
        "quote_location": ["table"] * 5,
        "notes": [None] * 5,
    }
)


def _estimate(prompt: int) -> pl.DataFrame:
    return estimate_inference(
        models(SHAPES),
        SCEN,
        FIT,
        prompt_tokens=prompt,
        output_tokens=OUTPUT,
        local_fit=local_fit(),
    )


@pytest.fixture(scope="module")
def full() -> pl.DataFrame:
    return _estimate(PROMPT)


@pytest.fixture(scope="module")
def options(full: pl.DataFrame) -> pl.DataFrame:
    return decision_options(
        full, _estimate(1), QUALITY, SCEN, prompt_tokens=PROMPT, output_tokens=OUTPUT
    )


def test_a_request_of_the_study_shape_costs_the_estimate(options, full) -> None:
    """prompt x prefill + response x decode at the study's shape = J/token x output tokens."""
    settings = DecisionSettings(
        requests_per_day=1 / DAYS_PER_YEAR,
        prompt_tokens=PROMPT,
        response_tokens=OUTPUT,
        quality_floor=0.0,
        own="laptop",
        serving="throughput",
    )
    ranked = rank_options(options, settings)
    assert ranked.height > 0
    joined = ranked.join(full, on=("model_id", "scenario", "serving"))
    for band in ("_low", "", "_high"):
        expected = joined[f"j_per_token{band}"] * OUTPUT / J_PER_KWH
        assert joined[f"kwh_per_year{band}"].to_list() == pytest.approx(expected.to_list())
        usd = joined[f"usd_per_1k_tokens{band}"] / 1000 * OUTPUT
        assert joined[f"usd_per_year{band}"].to_list() == pytest.approx(usd.to_list())


def test_prefill_costs_something_in_the_cloud_and_decode_dominates_short_prompts(options):
    cloud = options.filter((pl.col("kind") == "cloud") & pl.col("fits"))
    assert (cloud["j_prefill_per_token"] > 0).all()
    assert (cloud["j_prefill_per_token"] < cloud["j_decode_per_token"]).all()


def test_filters_floor_hardware_serving(options) -> None:
    base = DecisionSettings(quality_floor=0.0, where="FRA", own="laptop", serving="throughput")
    ranked = rank_options(options, base)
    assert set(ranked["serving"].unique()) == {"throughput", "interactive"}  # local: one at a time
    assert set(ranked.filter(pl.col("kind") == "local")["serving"]) == {"interactive"}
    # a model with no comparable score passes a floor of 0 only
    assert "HuggingFaceTB/SmolLM-135M" in ranked["model_id"].to_list()
    scored = rank_options(options, DecisionSettings(**{**base.as_dict(), "quality_floor": 0.05}))
    assert "HuggingFaceTB/SmolLM-135M" not in scored["model_id"].to_list()
    cloud_only = rank_options(options, DecisionSettings(**{**base.as_dict(), "own": "nothing"}))
    assert set(cloud_only["kind"]) == {"cloud"}
    high = rank_options(options, DecisionSettings(**{**base.as_dict(), "quality_floor": 0.9}))
    assert (high["quality_share"] >= 0.9).all() and high.height < ranked.height
    assert ranked["rank"].to_list() == list(range(1, ranked.height + 1))
    assert ranked["kwh_per_year"].is_sorted()


def test_where_moves_only_owned_hardware_carbon(options) -> None:
    s = DecisionSettings(quality_floor=0.0, own="laptop", criterion="co2e")
    fra = rank_options(options, DecisionSettings(**{**s.as_dict(), "where": "FRA"}))
    us = rank_options(options, DecisionSettings(**{**s.as_dict(), "where": "us-east-1"}))
    key = ("model_id", "scenario")
    both = fra.join(us, on=key, suffix="_us")
    local = both.filter(pl.col("kind") == "local")
    cloud = both.filter(pl.col("kind") == "cloud")
    assert local.height and cloud.height
    assert local["tco2e_per_year_us"].to_list() == pytest.approx(
        (local["tco2e_per_year"] * 380.0 / 30.0).to_list()
    )
    assert cloud["tco2e_per_year_us"].to_list() == pytest.approx(cloud["tco2e_per_year"].to_list())
    assert fra["tco2e_per_year"].is_sorted()


def test_intervals_bracket_and_cost_ranks_by_cost(options) -> None:
    ranked = rank_options(options, DecisionSettings(quality_floor=0.0, criterion="cost"))
    for col in ("kwh_per_year", "tco2e_per_year", "usd_per_year"):
        assert (ranked[f"{col}_low"] <= ranked[col] * (1 + 1e-9)).all()
        assert (ranked[col] <= ranked[f"{col}_high"] * (1 + 1e-9)).all()
    assert ranked["usd_per_year"].is_sorted()


def test_reading_compares_the_first_to_the_best_quality_option(options) -> None:
    ranked = rank_options(options, DecisionSettings(quality_floor=0.3, where="FRA"))
    line = reading(ranked, "energy")
    assert line is not None
    assert line["reference"]["quality_share"] == ranked["quality_share"].max()
    assert line["criterion_share"] == pytest.approx(
        ranked["kwh_per_year"][0] / line["reference"]["kwh_per_year"]
    )
    assert line["criterion_share"] <= 1


def test_the_page_gives_the_answers_class_ratio_at_the_estimates_request_shape(
    options, full
) -> None:
    """class_ratio_at on the decision table = LLM median / SLM median of the estimates' J/token
    (identical architectures at their geometric mean), whatever the requests per day."""
    import math
    import statistics

    from lmfootprint.answer.decision import class_ratio_at

    scenario = "cloud-h100"
    rows = full.filter(
        (pl.col("scenario") == scenario)
        & (pl.col("serving") == "throughput")
        & (pl.col("status") == "estimated")
    ).sort("params_total")
    ids = rows["model_id"].to_list()
    slm, llm = ids[: len(ids) // 2], ids[len(ids) // 2 :]
    slm_listing = f"{slm[0]} = {slm[1]}, " + ", ".join(slm[2:]) if len(slm) > 1 else slm[0]
    j = dict(zip(rows["model_id"], rows["j_per_token"], strict=True))
    groups = [[slm[0], slm[1]], *[[m] for m in slm[2:]]] if len(slm) > 1 else [[slm[0]]]
    small = statistics.median(math.exp(statistics.fmean(math.log(j[m]) for m in g)) for g in groups)
    expected = statistics.median(j[m] for m in llm) / small
    settings = {"prompt_tokens": PROMPT, "response_tokens": OUTPUT, "requests_per_day": 7}
    got = class_ratio_at(options, settings, scenario, slm_listing, ", ".join(llm))
    assert got == pytest.approx(expected, rel=1e-9)
    shorter = class_ratio_at(
        options, {**settings, "prompt_tokens": 10}, scenario, slm_listing, ", ".join(llm)
    )
    assert shorter is not None and shorter != pytest.approx(expected, rel=1e-6)
    assert class_ratio_at(options, settings, scenario, "acme/unknown", ", ".join(llm)) is None


def test_a_server_you_own_is_the_cloud_option_bought(options) -> None:
    """Same joules per token as the rented GPUs; money scaled from the rented GPU-hour to an
    owned one (purchase over its busy hours + electricity); on the reader's grid; shown only
    to a reader who owns one."""
    from lmfootprint.answer.decision import owned_servers

    cloud = options.filter(pl.col("kind") == "cloud")
    rvb = (
        cloud.select("model_id", "scenario")
        .unique()
        .with_columns(
            price_per_gpu_hour_usd=pl.lit(4.0),
            purchase_price_usd=pl.lit(35040.0),
            lifetime_years=pl.lit(4.0),
            owned_utilisation=pl.lit(0.5),
            electricity_usd_per_gpu_hour=pl.lit(0.2),
        )
    )
    both = owned_servers(options, rvb)
    owned = both.filter(pl.col("kind") == "owned")
    assert owned.height == cloud.height
    pair = owned.join(cloud, on=("model_id", "scenario", "serving"), suffix="_cloud")
    # 35040 / (4 x 8760 x 0.5) + 0.2 = 2.2 USD per busy GPU-hour, against 4.0 rented
    for col in ("usd_decode_per_token", "usd_prefill_per_token_high"):
        ok = pair.filter(pl.col(col).is_not_null())
        assert ok[col].to_list() == pytest.approx((ok[f"{col}_cloud"] * 2.2 / 4.0).to_list())
    assert pair["j_decode_per_token"].to_list() == pair["j_decode_per_token_cloud"].to_list()
    base = {"quality_floor": 0.0, "where": "FRA", "serving": "throughput"}
    assert "owned" not in rank_options(both, {**base, "own": "laptop"})["kind"].to_list()
    mine = rank_options(both, {**base, "own": "server"})
    assert set(mine["kind"]) == {"cloud", "owned"}
    assert set(mine.filter(pl.col("kind") == "owned")["grid_g_per_kwh"]) == {30.0}


def test_a_model_without_released_weights_is_no_option(options) -> None:
    from lmfootprint.answer.decision import released_only

    closed = options["model_id"][0]
    families = pl.DataFrame({"model_id": [closed, "acme/open"], "weights_released": [False, True]})
    kept = released_only(options, families)
    assert closed not in kept["model_id"].to_list()
    assert kept.height == options.filter(pl.col("model_id") != closed).height
