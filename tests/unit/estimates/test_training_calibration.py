"""The MFU model calibrated on published runs, held out one family at a time: error, nested
interval coverage, the V100 run kept apart and the MFU ceiling."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from builders import HARDWARE, RES

from lmfootprint.core.errors import LmFootprintError, TableValidationError
from lmfootprint.core.validation import validate_frame
from lmfootprint.estimates.schemas import MFU_CEILING, CalibrationSchema
from lmfootprint.estimates.training_calibration import (
    GENERATIONS,
    MfuFit,
    MfuModel,
    calibrate,
    calibration_family,
    calibration_runs,
    calibration_table,
    family_interval,
    fit_mfu,
    generation,
    size_class_of,
)
from lmfootprint.estimates.training_footprint import load_published, recompute_training
from lmfootprint.estimates.training_tokens import load_derived_hours, load_tokens

DERIVED = load_derived_hours(RES / "training" / "derived_gpu_hours.csv")
TRAINING = recompute_training(load_published(RES / "published_training.csv"), derived_hours=DERIVED)
TOKENS = load_tokens(RES / "training" / "training_tokens.csv")
RUNS = calibration_runs(TRAINING, TOKENS, HARDWARE, DERIVED)
MODEL, HELD = calibrate(RUNS)
USED = RUNS.filter(pl.col("used"))


def run(model_id: str, frame: pl.DataFrame = RUNS) -> dict:
    return frame.filter(pl.col("model_id") == model_id).row(0, named=True)


def test_runs_imply_mfu_from_their_own_gpu_tokens_and_hours() -> None:
    r = run("meta-llama/Llama-2-7b-hf")
    assert r["hardware_id"] == "A100-80-SXM4" and r["generation"] == "ampere"
    assert r["implied_mfu"] == pytest.approx(6 * 7e9 * 2e12 / (312e12 * 184_320 * 3600))
    phi = run("microsoft/Phi-3-mini-4k-instruct")
    assert phi["hours_status"] == "derived" and "512 x 7 x 24" in phi["hours_note"]


def test_a_run_restated_under_another_name_counts_once() -> None:
    r = run("meta-llama/Llama-3.3-70B-Instruct")
    assert not r["used"] and r["excluded_because"].startswith("same run as")
    assert RUNS.filter(pl.col("used"))["model_id"].n_unique() == RUNS["used"].sum()


def test_a_runs_family_is_its_lineage() -> None:
    family = dict(zip(RUNS["model_id"], RUNS["family"], strict=True))
    llama3 = [m for m in family if m.startswith(("meta-llama/Meta-Llama-3", "meta-llama/Llama-3"))]
    assert len(llama3) == 8  # 3, 3.1, 3.2 (pruned and distilled from 3.1), 3.3: one lineage
    assert {family[m] for m in llama3} == {"llama3"}
    assert family["meta-llama/Llama-2-7b-hf"] == family["meta-llama/Llama-2-70b-hf"] == "llama2"
    assert family["microsoft/Phi-3-mini-4k-instruct"] == "phi3"
    assert len({family["openai/gpt-3"], family["bigscience/bloom"], "llama2", "llama3"}) == 4
    # a run no rule names is a family of the source it was published in
    assert calibration_family("acme/new-7b", "acme-card") == "source:acme-card"


class SpyFit:
    """fit_mfu, recording what each fit saw and checking every prediction made from it."""

    def __init__(self) -> None:
        self.calls: list[frozenset[str]] = []
        self.predictions = 0

    def __call__(self, runs: pl.DataFrame) -> MfuFit:
        fit = fit_mfu(runs)
        self.calls.append(fit.families)
        spy = self

        class Checked(MfuFit):
            def log_mfu(self, run: dict) -> float:
                assert run["family"] not in self.families, (run["model_id"], self.families)
                assert run["model_id"] not in self.model_ids
                spy.predictions += 1
                return super().log_mfu(run)

        return Checked(**{k: getattr(fit, k) for k in MfuFit.__dataclass_fields__})


def test_a_family_held_out_is_never_in_its_fit() -> None:
    spy = SpyFit()
    model, held = calibrate(RUNS, fit=spy)
    n, families = USED.height, USED["family"].n_unique()
    # every run predicted once at the top level and once in each other family's nested check,
    # and the run outside calibration once, from the full fit
    assert spy.predictions == n + (families - 1) * n + len(model.outside_calibration)
    assert len(spy.calls) == families + families * (families - 1) + 1
    assert model == MODEL and held.equals(HELD)


def test_each_familys_interval_comes_from_fits_that_never_saw_it() -> None:
    for family in USED["family"].unique():
        spy = SpyFit()
        lo, hi = family_interval(USED, family, spy)
        assert spy.calls and all(family not in seen for seen in spy.calls)
        for r in HELD.filter(pl.col("family") == family).iter_rows(named=True):
            mid = r["implied_mfu"] * math.exp(-r["heldout_log_residual"])
            assert r["heldout_interval_low"] == pytest.approx(min(mid * math.exp(lo), mid))
            assert r["heldout_interval_high"] == pytest.approx(
                min(max(mid * math.exp(hi), mid), MFU_CEILING)
            )
    inside = (HELD["heldout_interval_low"] <= HELD["implied_mfu"]) & (
        HELD["implied_mfu"] <= HELD["heldout_interval_high"]
    )
    fitted = HELD["used"]
    assert (inside.filter(fitted) == HELD["covered"].filter(fitted)).all()


def test_shipped_runs_report_error_and_coverage_on_every_fitted_run() -> None:
    assert MODEL.holdout == "family" and MODEL.n_families == USED["family"].n_unique() >= 4
    assert MODEL.n_runs == MODEL.coverage_n == USED.height == HELD["used"].sum() >= 10
    assert MODEL.coverage == pytest.approx(HELD.filter(pl.col("used"))["covered"].mean())
    assert 0.4 <= MODEL.coverage <= 1
    assert MODEL.nominal_coverage == pytest.approx(0.8)
    assert 0 < MODEL.slope < 1  # MFU rises with size, slower than size
    assert MODEL.intercepts["hopper+"] < MODEL.intercepts["ampere"]
    assert MODEL.log_q_low < 0 < MODEL.log_q_high
    errors = HELD.filter(pl.col("used"))["heldout_hours_error"].abs()
    assert MODEL.heldout_median_abs_error == pytest.approx(errors.median())
    assert set(MODEL.heldout_by_size_class) <= {"<3B", "3-10B", "10-100B", ">100B"}
    # no run predicts itself: each residual is what its family's absence costs
    assert (HELD["heldout_log_residual"].abs() > 1e-6).all()
    err = HELD["implied_mfu"] / HELD["heldout_mfu"] - 1
    assert np.allclose(err.to_numpy(), HELD["heldout_hours_error"].to_numpy())


def test_the_v100_run_is_not_pooled_with_a100() -> None:
    gpt3 = run("openai/gpt-3")
    assert gpt3["generation"] == "volta" and gpt3["outside_calibration"] and not gpt3["used"]
    assert "only family on volta" in gpt3["excluded_because"]
    assert "volta" not in MODEL.intercepts and MODEL.outside_calibration == ["openai/gpt-3"]
    assert "openai/gpt-3" not in fit_mfu(USED).model_ids
    # the ampere intercept does not move whatever GPT-3's GPU-hours say
    moved = RUNS.with_columns(
        implied_mfu=pl.when(pl.col("model_id") == "openai/gpt-3")
        .then(pl.col("implied_mfu") * 2)
        .otherwise(pl.col("implied_mfu"))
    )
    assert calibrate(moved)[0].intercepts == MODEL.intercepts
    # it is estimated outside calibration: from ampere, its interval widened, not counted
    h = run("openai/gpt-3", HELD)
    assert h["heldout_basis"].startswith("outside calibration: no volta intercept, ampere's")
    assert h["covered"] is None
    mid, low, high = MODEL.mfu(gpt3["params"], "volta")
    assert (h["heldout_mfu"], h["heldout_interval_low"], h["heldout_interval_high"]) == (
        pytest.approx((mid, low, high))
    )
    assert MODEL.mfu(gpt3["params"], "ampere")[0] == pytest.approx(mid)
    assert low < MODEL.mfu(gpt3["params"], "ampere")[1]


def test_no_mfu_point_or_bound_above_the_ceiling() -> None:
    assert MFU_CEILING == 0.6
    for col in ("heldout_mfu", "heldout_interval_low", "heldout_interval_high"):
        assert HELD[col].max() <= MFU_CEILING and HELD[col].min() > 0
    assert run("bigscience/bloom", HELD)["heldout_mfu"] == MFU_CEILING  # ampere at 176B: capped
    for params in np.geomspace(1e7, 1e13, 25):
        for gen in (*GENERATIONS, "tpu"):
            mid, low, high = MODEL.mfu(float(params), gen)
            assert 0 < low <= mid <= high <= MFU_CEILING
    table = calibration_table(RUNS, HELD)
    assert table.height == RUNS.height and set(table.columns) >= set(RUNS.columns)
    over = table.with_columns(heldout_interval_high=pl.lit(0.7))
    with pytest.raises(TableValidationError):
        validate_frame(CalibrationSchema, over, "test")


def frame(families: list[str], mfu: list[float], params: list[float] | None = None):
    n = len(mfu)
    params = params or [1e9] * n
    return pl.DataFrame(
        {
            "model_id": [f"acme/m{i}" for i in range(n)],
            "family": families,
            "params": params,
            "generation": ["hopper+"] * n,
            "implied_mfu": mfu,
            "used": [True] * n,
            "outside_calibration": [False] * n,
            "size_class": [size_class_of(p) for p in params],
        }
    )


def constant_fit(runs: pl.DataFrame) -> MfuFit:
    """Predicts 0.2 whatever it is fitted on."""
    return MfuFit(0.0, dict.fromkeys(GENERATIONS, math.log(0.2)), frozenset(), frozenset())


def mean_fit(runs: pl.DataFrame) -> MfuFit:
    """Predicts the geometric mean MFU of the runs it is fitted on."""
    a = float(np.log(runs["implied_mfu"].to_numpy()).mean())
    return MfuFit(
        0.0, dict.fromkeys(GENERATIONS, a), frozenset(runs["model_id"]), frozenset(runs["family"])
    )


def test_error_and_coverage_are_those_of_the_held_out_residuals() -> None:
    """Residuals -0.4..0.4 against a fit that always says 0.2: numbers known by hand."""
    r = [-0.4, -0.2, 0.0, 0.2, 0.4]
    model, held = calibrate(frame(list("abcde"), [0.2 * math.exp(x) for x in r]), constant_fit)
    assert held["heldout_log_residual"].to_list() == pytest.approx(r)
    # |exp(r) - 1| sorted: 0, 0.181, 0.221, 0.330, 0.492
    assert model.heldout_median_abs_error == pytest.approx(math.exp(0.2) - 1)
    # global 10-90%: -0.4 + 0.4 x 0.2 = -0.32 and 0.32
    assert (model.log_q_low, model.log_q_high) == pytest.approx((-0.32, 0.32))
    # each run's interval from the other four: the extremes fall outside, the rest inside
    assert held["covered"].to_list() == [False, True, True, True, False]
    assert model.coverage == pytest.approx(0.6) and model.coverage_n == 5
    # -0.2's interval is the 10-90% of (-0.4, 0, 0.2, 0.4): -0.28 to 0.34
    lo = held.row(1, named=True)["heldout_interval_low"]
    assert lo == pytest.approx(0.2 * math.exp(-0.28))


def test_a_sibling_cannot_vouch_for_its_twin() -> None:
    """Two runs of one family at 0.4 and three others at 0.1: held out as a family, each twin
    is predicted from the others only (0.1, error +300%); leave-one-out would have kept its
    twin in the fit."""
    model, held = calibrate(frame(list("aabcd"), [0.4, 0.4, 0.1, 0.1, 0.1]), mean_fit)
    assert held["heldout_mfu"].to_list()[:2] == pytest.approx([0.1, 0.1])
    assert held["heldout_hours_error"].to_list()[:2] == pytest.approx([3.0, 3.0])
    # a run of b is predicted from a's twins and c, d: geometric mean 0.2
    assert held["heldout_mfu"][2] == pytest.approx(0.2)


def synthetic(
    n_families: int, per_family: int, seed: int, family_sigma: float, run_sigma: float
) -> pl.DataFrame:
    """log MFU = a[generation] + 0.2 log(params / 1e9) + family effect + run noise."""
    rng = np.random.default_rng(seed)
    n = n_families * per_family
    params = np.exp(rng.uniform(math.log(1e8), math.log(5e11), n))
    gens = np.where(np.arange(n) // per_family % 2 == 0, "hopper+", "ampere")
    a = {"hopper+": -2.2, "ampere": -1.7}
    effect = np.repeat(rng.normal(0.0, family_sigma, n_families), per_family)
    log_mfu = np.array([a[g] for g in gens]) + 0.2 * np.log(params / 1e9) + effect
    return pl.DataFrame(
        {
            "model_id": [f"acme/m{i}" for i in range(n)],
            "family": [f"f{i // per_family}" for i in range(n)],
            "params": params,
            "generation": gens,
            "implied_mfu": np.exp(log_mfu + rng.normal(0.0, run_sigma, n)),
            "used": [True] * n,
            "outside_calibration": [False] * n,
            "size_class": [size_class_of(p) for p in params],
        }
    )


def test_noise_free_runs_are_recovered_exactly() -> None:
    model, _ = calibrate(synthetic(6, 2, 0, family_sigma=0.0, run_sigma=0.0))
    assert model.slope == pytest.approx(0.2)
    assert model.intercepts == pytest.approx({"hopper+": -2.2, "ampere": -1.7})
    assert model.heldout_median_abs_error == pytest.approx(0.0, abs=1e-9)
    mid, low, high = model.mfu(1e9, "hopper+")
    assert mid == pytest.approx(math.exp(-2.2)) and low == pytest.approx(mid)


def test_family_held_out_coverage_is_near_nominal_when_families_share_an_offset() -> None:
    """20 families of 2 runs sharing a family offset (sigma 0.3) over small run noise (0.05),
    ten draws: the slope is unbiased and the nested family-held-out interval covers about 80%."""
    slopes, coverages = [], []
    for seed in range(10):
        model, _ = calibrate(synthetic(20, 2, seed, family_sigma=0.3, run_sigma=0.05))
        slopes.append(model.slope)
        coverages.append(model.coverage)
        assert model.coverage_n == 40 and model.n_families == 20
        assert abs(model.slope - 0.2) < 0.1
    assert np.mean(slopes) == pytest.approx(0.2, abs=0.03)
    assert np.mean(coverages) == pytest.approx(0.8, abs=0.08)


def test_an_unfitted_generation_borrows_the_nearest_and_widens() -> None:
    model = MfuModel(
        slope=0.5,
        intercepts={"ampere": math.log(0.2), "hopper+": math.log(0.1)},
        log_q_low=-0.3,
        log_q_high=0.3,
        prior_widening=0.5,
    )
    assert model.mfu(1e15, "ampere")[0] == MFU_CEILING
    widened, own = (-0.8, 0.8), (-0.3, 0.3)
    assert model.mfu(1e9, "volta") == pytest.approx((0.2, *(0.2 * math.exp(x) for x in widened)))
    assert model.mfu(1e9, "ampere") == pytest.approx((0.2, *(0.2 * math.exp(x) for x in own)))
    assert model.basis("ampere") == "calibrated fit"
    assert model.basis("volta").startswith("outside calibration: no volta intercept, ampere's")
    assert model.mfu(1e9, "tpu")[0] == pytest.approx(math.sqrt(0.2 * 0.1))  # unknown: the mean
    assert MfuModel.from_dict(model.to_dict()) == model


def test_too_few_runs_or_families_is_an_error() -> None:
    with pytest.raises(LmFootprintError, match="at least 4 published runs"):
        calibrate(synthetic(3, 1, 0, family_sigma=0.1, run_sigma=0.1))
    with pytest.raises(LmFootprintError, match="of 2 families"):
        calibrate(synthetic(2, 3, 0, family_sigma=0.1, run_sigma=0.1))


@pytest.mark.parametrize(
    "hw,gen",
    [
        ("H100-SXM5", "hopper+"),
        ("B200", "hopper+"),
        ("MI300X", "hopper+"),
        ("A100-80-SXM4", "ampere"),
        ("L40S", "ampere"),
        ("V100-32-SXM2", "volta"),
        ("T4", "volta"),
    ],
)
def test_generation(hw: str, gen: str) -> None:
    assert generation(hw) == gen
