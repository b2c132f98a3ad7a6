"""Break-even tokens, rent vs buy, and monotonicity in parameters (property tests)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_answer import PHYSICS, SCENARIOS, models
from workflow_runner import ROOT

from lmfootprint.break_even import break_even
from lmfootprint.footprint import estimate_training
from lmfootprint.hardware_specs import load_hardware
from lmfootprint.inference_estimates import estimate_inference
from lmfootprint.inference_fit import EnergyFit
from lmfootprint.rent_vs_buy import break_even_utilisation, gpu_year_costs, rent_vs_buy
from lmfootprint.training import load_published

HARDWARE = load_hardware(ROOT / "resources/hardware.csv")
PUBLISHED = load_published(ROOT / "resources/published_training.csv")
# the fit as shipped data gives it (slopes ~0.73 and ~-0.54): sub-linear in parameters
SHIPPED_LIKE = EnergyFit(0.73, -0.54, -13.4, {}, -0.37, 0.30)


def training_estimates(sizes: list[float], tokens: str = "1T") -> pl.DataFrame:
    m = models(sizes).with_columns(training_tokens=pl.lit(tokens))
    return estimate_training(
        m,
        PUBLISHED,
        HARDWARE,
        400.0,
        "test grid",
        default_hardware="H100-SXM5",
        mfu=(0.3, 0.5),
        pue=1.1,
        lifetime_years=5,
    )


NO_PUBLISHED = pl.DataFrame(
    schema={
        "model_id": pl.String,
        "in_config": pl.Boolean,
        "energy_mwh": pl.Float64,
        "co2e_t": pl.Float64,
    }
)


def test_break_even_is_training_joules_over_joules_per_token() -> None:
    est = training_estimates([1e9, 70e9])
    inf = estimate_inference(models([1e9, 70e9]), SCENARIOS.head(1), PHYSICS)
    be = break_even(NO_PUBLISHED, est, inf)
    for r in be.iter_rows(named=True):
        assert r["break_even_tokens"] == pytest.approx(
            r["training_energy_mwh"] * 3.6e9 / r["j_per_token"]
        )
        assert r["break_even_tokens_low"] < r["break_even_tokens"] < r["break_even_tokens_high"]
        assert r["training_provenance"] == "estimated"


def test_published_training_energy_wins_over_the_estimate() -> None:
    est = training_estimates([7e9])
    published = pl.DataFrame(
        {
            "model_id": ["acme/m7000000000"],
            "in_config": [True],
            "energy_mwh": [100.0],
            "co2e_t": [40.0],
        }
    )
    inf = estimate_inference(models([7e9]), SCENARIOS.head(1), PHYSICS)
    r = break_even(published, est, inf).row(0, named=True)
    assert r["training_energy_mwh"] == 100.0 and r["training_provenance"] == "published"


def test_break_even_utilisation_formula_and_never() -> None:
    # 30,000 USD over 4 years; rent 4 USD/h; electricity 0.1 USD/h -> 30000/(4 x 8760 x 3.9)
    assert break_even_utilisation(4.0, 30_000, 4, 0.1) == pytest.approx(30_000 / (4 * 8760 * 3.9))
    assert break_even_utilisation(0.05, 30_000, 4, 0.1) is None  # renting is always cheaper
    u = break_even_utilisation(4.0, 30_000, 4, 0.1)
    rent, buy = gpu_year_costs(4.0, 30_000, 4, 0.1, u)
    assert rent == pytest.approx(buy)  # the two costs cross exactly at the break-even


def rvb(utilisation: float, sizes: list[float] = [1e9, 13e9, 70e9]) -> pl.DataFrame:  # noqa: B006
    inf = estimate_inference(models(sizes), SCENARIOS, PHYSICS)
    return rent_vs_buy(
        inf,
        training_estimates(sizes),
        SCENARIOS.with_columns(hardware_name=pl.col("hardware_id")),
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
    assert set(t["scenario"]) == {"cloud"}  # only cloud scenarios have a rental price
    r = t.row(0, named=True)
    electricity = 700 * 1.2 / 1000 * 0.1
    owned_hour = 32_500 / (4 * 8760 * 0.5)
    assert r["training_rent_usd"] == pytest.approx(r["training_gpu_hours"] * 4.0)
    assert r["training_buy_usd"] == pytest.approx(
        r["training_gpu_hours"] * (owned_hour + electricity)
    )
    assert r["serving_year_rent_usd"] == pytest.approx(8760 * 0.5 * 4.0)
    u = r["break_even_utilisation"]
    assert u == pytest.approx(32_500 / (4 * 8760 * (4.0 - electricity)))
    assert rvb(min(1.0, u * 1.05))["cheaper_for_serving"][0] == "buy"
    assert rvb(u * 0.95)["cheaper_for_serving"][0] == "rent"


# distinct whole parameter counts, 50M to 1T: each names its model (acme/m<count>), so two
# floats that round to one count would be one model twice, not two sizes
sizes = st.lists(
    st.integers(min_value=50_000_000, max_value=10**12), min_size=2, max_size=6, unique=True
)


@settings(max_examples=25)
@given(sizes=sizes, batch=st.sampled_from([1, 4, 32]))
def test_inference_energy_co2_cost_grow_with_params(sizes: list[float], batch: int) -> None:
    """At fixed hardware and workload, a bigger model never costs less per token."""
    est = estimate_inference(models(sorted(sizes)), SCENARIOS, SHIPPED_LIKE, batch_size=batch)
    for scenario in ("cloud", "laptop"):
        ok = est.filter((pl.col("scenario") == scenario) & (pl.col("status") == "estimated"))
        ok = ok.sort("params_total")
        for col in ("j_per_token", "gco2e_per_1k_tokens", "usd_per_1k_tokens"):
            for suffix in ("", "_low", "_high"):
                assert ok[col + suffix].is_sorted(), (scenario, col + suffix)


@settings(max_examples=25)
@given(sizes=sizes)
def test_training_energy_co2_cost_grow_with_params(sizes: list[float]) -> None:
    t = training_estimates(sorted(sizes)).sort("params_total")
    for col in (
        "energy_mwh",
        "energy_mwh_low",
        "energy_mwh_high",
        "co2e_t",
        "co2e_t_with_embodied",
    ):
        assert t[col].is_sorted(), col
    costs = rvb(0.5, sorted(sizes)).sort("params_total")
    for col in ("training_rent_usd", "training_buy_usd"):
        assert costs[col].is_sorted(), col
