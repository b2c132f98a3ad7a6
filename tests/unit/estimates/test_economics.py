"""Break-even tokens, rent vs buy, and monotonicity in parameters (property tests)."""

from __future__ import annotations

import polars as pl
import pytest
from builders import FIT, HARDWARE, NO_PUBLISHED, SCENARIOS, models, training_estimates
from hypothesis import given, settings
from hypothesis import strategies as st

from lmfootprint.core.errors import TableValidationError
from lmfootprint.core.validation import validate_frame
from lmfootprint.estimates.break_even import break_even
from lmfootprint.estimates.inference_estimates import estimate_inference
from lmfootprint.estimates.rent_vs_buy import (
    UTILISATIONS,
    break_even_utilisation,
    gpu_year_costs,
    gpu_year_curves,
    rent_vs_buy,
)
from lmfootprint.estimates.schemas import RentVsBuyCurveSchema

H100 = SCENARIOS.filter(pl.col("scenario") == "cloud-h100")
PLACEMENT = ["scenario", "serving", "precision", "devices", "batch_size"]


def test_break_even_is_training_joules_over_joules_per_token() -> None:
    sizes = [1e9, 70e9]
    est = training_estimates(models(sizes))
    inf = estimate_inference(models(sizes), SCENARIOS, FIT)
    be = break_even(NO_PUBLISHED, est, inf)
    # one row per (model, scenario), at the scenario's reference serving mode
    assert be.height == inf.filter(pl.col("reference") & (pl.col("status") == "estimated")).height
    ref = inf.filter(pl.col("reference")).select("model_id", "scenario", "j_per_token")
    for r in be.join(ref, on=["model_id", "scenario"], suffix="_ref").iter_rows(named=True):
        assert r["j_per_token"] == r["j_per_token_ref"]
        assert r["break_even_tokens"] == pytest.approx(
            r["training_energy_mwh"] * 3.6e9 / r["j_per_token"]
        )
        assert r["break_even_tokens_low"] < r["break_even_tokens"] < r["break_even_tokens_high"]
        assert r["break_even_tokens_low"] == pytest.approx(
            r["training_energy_mwh_low"] * 3.6e9 / r["j_per_token_high"]
        )
        assert r["training_provenance"] == "estimated"


def test_published_training_energy_wins_over_the_estimate() -> None:
    est = training_estimates(models([7e9]))
    published = pl.concat(
        [
            NO_PUBLISHED,
            pl.DataFrame(
                {
                    "model_id": ["acme/m7000000000"],
                    "in_config": [True],
                    "energy_mwh": [100.0],
                    "co2e_t": [40.0],
                    "co2e_basis": ["location"],
                    "gpu_hours_status": ["published"],
                    "boundary": [est["boundary"][0]],
                }
            ),
        ],
        how="diagonal_relaxed",
    )
    inf = estimate_inference(models([7e9]), H100, FIT)
    r = break_even(published, est, inf).row(0, named=True)
    assert r["training_energy_mwh"] == 100.0 and r["training_provenance"] == "published"
    assert r["break_even_tokens"] == pytest.approx(100.0 * 3.6e9 / r["j_per_token"])


def test_break_even_utilisation_formula_and_never() -> None:
    # 30,000 USD over 4 years; rent 4 USD/h; electricity 0.1 USD/h -> 30000/(4 x 8760 x 3.9)
    assert break_even_utilisation(4.0, 30_000, 4, 0.1) == pytest.approx(30_000 / (4 * 8760 * 3.9))
    assert break_even_utilisation(0.05, 30_000, 4, 0.1) is None  # renting is always cheaper
    u = break_even_utilisation(4.0, 30_000, 4, 0.1)
    rent, buy = gpu_year_costs(4.0, 30_000, 4, 0.1, u)
    assert rent == pytest.approx(buy)  # the two costs cross exactly at the break-even


def rvb(utilisation: float, sizes: list[float] = [1e9, 13e9, 70e9]) -> pl.DataFrame:  # noqa: B006
    inf = estimate_inference(models(sizes), SCENARIOS, FIT)
    return rent_vs_buy(
        inf,
        training_estimates(models(sizes)),
        SCENARIOS,
        HARDWARE,
        utilisation=utilisation,
        pue=1.2,
        lifetime_years=4,
        tariff_usd_per_kwh=0.1,
        tariff_label="test",
        mfu=(0.3, 0.5),
    )


def test_rent_vs_buy_costs_and_which_is_cheaper_flips_at_break_even() -> None:
    t = rvb(0.5)
    # only cloud scenarios have a rental price; both cloud GPUs have a purchase price
    assert set(t["scenario"]) == {"cloud-h100", "cloud-a100"}
    r = t.filter(pl.col("scenario") == "cloud-h100").row(0, named=True)
    electricity = 700 * 1.2 / 1000 * 0.1
    owned_hour = 32_500 / (4 * 8760 * 0.5)
    assert r["training_rent_usd"] == pytest.approx(r["training_gpu_hours"] * 4.0)
    assert r["training_buy_usd"] == pytest.approx(
        r["training_gpu_hours"] * (owned_hour + electricity)
    )
    assert r["serving_year_rent_usd"] == pytest.approx(r["devices"] * 8760 * 0.5 * 4.0)
    u = r["break_even_utilisation"]
    assert u == pytest.approx(32_500 / (4 * 8760 * (4.0 - electricity)))
    h100 = pl.col("scenario") == "cloud-h100"
    assert rvb(min(1.0, u * 1.05)).filter(h100)["cheaper_for_serving"][0] == "buy"
    assert rvb(u * 0.95).filter(h100)["cheaper_for_serving"][0] == "rent"


# distinct whole parameter counts, 50M to 1T: each names its model (acme/m<count>), so two
# floats that round to one count would be one model twice, not two sizes
sizes = st.lists(
    st.integers(min_value=50_000_000, max_value=10**12), min_size=2, max_size=6, unique=True
)


@settings(max_examples=25)
@given(sizes=sizes)
def test_inference_energy_co2_cost_grow_with_params_at_one_placement(sizes: list[int]) -> None:
    """On one GPU group, precision and batch, a bigger model never costs less per token.
    (Across placements it may: FP8 on 8 GPUs can beat BF16 on 4; that is a deployment
    choice, not a size effect.)"""
    est = estimate_inference(models(sorted(sizes)), SCENARIOS, FIT)
    ok = est.filter(pl.col("status") == "estimated")
    for _, group in ok.group_by(PLACEMENT):
        group = group.sort("params_total")
        for col in ("j_per_token", "gco2e_per_1k_tokens", "usd_per_1k_tokens"):
            for suffix in ("", "_low", "_high"):
                assert group[col + suffix].is_sorted(), (col + suffix, group["model_id"])
        assert group["tokens_per_s"].is_sorted(descending=True)


@settings(max_examples=25)
@given(sizes=sizes)
def test_training_energy_co2_cost_grow_with_params(sizes: list[int]) -> None:
    t = training_estimates(models(sorted(sizes))).sort("params_total")
    for col in (
        "gpu_hours",
        "energy_mwh",
        "energy_mwh_low",
        "energy_mwh_high",
        "co2e_t",
        "co2e_t_with_embodied",
    ):
        assert t[col].is_sorted(), col
    costs = rvb(0.5, sorted(sizes))
    for _, group in costs.group_by("scenario"):
        group = group.sort("params_total")
        for col in ("training_rent_usd", "training_buy_usd"):
            assert group[col].is_sorted(), col


def test_gpu_year_curves_are_the_costs_of_each_utilisation_and_cross_at_break_even() -> None:
    t = rvb(0.5)
    curves = gpu_year_curves(t)
    # one rent and one buy point per scenario and utilisation, 2% to 100%
    assert curves.height == 2 * len(UTILISATIONS) * t["scenario"].n_unique()
    assert curves.columns == list(RentVsBuyCurveSchema.to_schema().columns)
    h100 = curves.filter(pl.col("scenario") == "cloud-h100")
    r = t.filter(pl.col("scenario") == "cloud-h100").row(0, named=True)
    electricity = 700 * 1.2 / 1000 * 0.1
    at = {(c["option"], c["utilisation"]): c["usd_per_gpu_year"] for c in h100.to_dicts()}
    assert at["rent", 0.5] == pytest.approx(8760 * 0.5 * 4.0)
    assert at["buy", 0.5] == pytest.approx(32_500 / 4 + 8760 * 0.5 * electricity)
    # renting is cheaper below the break-even utilisation, buying above it
    u = r["break_even_utilisation"]
    below = max(x for x in UTILISATIONS if x < u)
    above = min(x for x in UTILISATIONS if x > u)
    assert at["rent", below] < at["buy", below]
    assert at["rent", above] > at["buy", above]
    assert set(h100["method"]) == {r["method"]}


def test_curve_schema_rejects_a_cost_that_falls_with_utilisation_or_a_point_twice() -> None:
    curves = gpu_year_curves(rvb(0.5))
    falling = curves.with_columns(
        usd_per_gpu_year=pl.when((pl.col("option") == "rent") & (pl.col("utilisation") == 1.0))
        .then(1.0)
        .otherwise(pl.col("usd_per_gpu_year"))
    )
    with pytest.raises(TableValidationError, match="cost_grows_with_utilisation"):
        validate_frame(RentVsBuyCurveSchema, falling, "curves")
    with pytest.raises(TableValidationError, match="one_point_per_option_and_utilisation"):
        validate_frame(RentVsBuyCurveSchema, pl.concat([curves, curves.head(1)]), "curves")
