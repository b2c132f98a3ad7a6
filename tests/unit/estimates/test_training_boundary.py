"""One system boundary for every training energy (GPU-hours x TDP x one PUE), the teacher
compute a distilled model leaves out, and a quote behind every token count."""

from __future__ import annotations

import polars as pl
import pytest
from builders import HARDWARE, RES

from lmfootprint.core.errors import LmFootprintError, TableValidationError
from lmfootprint.estimates.training_calibration import GPU_ALIASES, calibrate, calibration_runs
from lmfootprint.estimates.training_distillation import load_distillation
from lmfootprint.estimates.training_estimates import estimate_training, training_energy
from lmfootprint.estimates.training_footprint import (
    boundary_label,
    load_published,
    recompute_training,
)
from lmfootprint.estimates.training_tokens import load_derived_hours, load_tokens

PUBLISHED = RES / "published_training.csv"
TOKENS_CSV = RES / "training" / "training_tokens.csv"
DISTILLED = {"meta-llama/Llama-3.2-1B", "meta-llama/Llama-3.2-3B", "google/gemma-2-2b"}
MODELS = pl.DataFrame(
    {
        "model_id": [
            "HuggingFaceTB/SmolLM-1.7B",
            "Qwen/Qwen2.5-0.5B",
            "meta-llama/Llama-3.2-1B",
            "google/gemma-2-2b",
            "meta-llama/Llama-3.2-3B",
            "microsoft/Phi-3-mini-4k-instruct",
            "meta-llama/Llama-3.1-8B",
            "meta-llama/Llama-2-70b-hf",
            "bigscience/bloom",
        ],
        "params_total": [
            1_711_376_384,
            494_032_768,
            1_235_814_400,
            2_614_341_888,
            3_212_749_824,
            3_821_079_552,
            8_030_261_248,
            68_976_648_192,
            176_247_271_424,
        ],
    }
).with_columns(
    size_class=pl.when(pl.col("params_total") <= 8e9).then(pl.lit("SLM")).otherwise(pl.lit("LLM"))
)
DERIVED = load_derived_hours(RES / "training" / "derived_gpu_hours.csv")
TOKENS = load_tokens(TOKENS_CSV)
TDP = {r["hardware_id"]: r["tdp_w"] for r in HARDWARE.iter_rows(named=True)}


def published(pue: float = 1.1) -> pl.DataFrame:
    return recompute_training(load_published(PUBLISHED), MODELS, derived_hours=DERIVED, pue=pue)


def estimates(pue: float = 1.1) -> pl.DataFrame:
    runs = calibration_runs(published(), TOKENS, HARDWARE, DERIVED)
    mfu_model, held = calibrate(runs)
    return estimate_training(
        MODELS,
        runs,
        held,
        mfu_model,
        TOKENS,
        HARDWARE,
        400.0,
        "test grid",
        default_hardware="H100-SXM5",
        pue=pue,
        pue_range=(1.0, 1.5),
        lifetime_years=5.0,
        distillation=load_distillation(RES / "training" / "distillation.csv"),
    )


@pytest.fixture(scope="module")
def energy() -> pl.DataFrame:
    return training_energy(published(), estimates())


def one(frame: pl.DataFrame, model_id: str) -> dict:
    return frame.filter(pl.col("model_id") == model_id).row(0, named=True)


def test_no_training_row_mixes_boundaries(energy) -> None:
    """Published and estimated rows alike: one boundary, and energy = GPU-hours x TDP x 1.1."""
    assert set(energy["provenance"]) == {"published", "estimated"}
    assert set(energy["boundary"]) == {boundary_label(1.1)}
    pub, est = published(), estimates()
    for r in energy.iter_rows(named=True):
        if r["provenance"] == "published":
            p = one(pub, r["model_id"])
            expected = p["gpu_hours"] * p["gpu_tdp_w"] * 1.1 / 1e6
        else:
            e = one(est, r["model_id"])
            expected = e["gpu_hours"] * TDP[e["hardware_id"]] * 1.1 / 1e6
        assert r["energy_mwh"] == pytest.approx(expected), r["model_id"]
        # the training CO2e on one grid counts that same energy
        assert r["co2e_common"] == pytest.approx(r["energy_mwh"] * 400 / 1000)


def test_the_boundary_follows_the_configured_pue() -> None:
    at_13 = training_energy(published(1.3), estimates(1.3))
    assert set(at_13["boundary"]) == {boundary_label(1.3)}
    at_11 = training_energy(published(), estimates())
    ratio = at_13["energy_mwh"] / at_11["energy_mwh"]
    assert ratio.to_list() == pytest.approx([1.3 / 1.1] * at_13.height)


def test_published_and_estimated_rows_on_different_pues_are_refused() -> None:
    with pytest.raises(LmFootprintError, match="one footprint.pue"):
        training_energy(published(1.0), estimates(1.1))


def test_a_power_adjusted_for_pue_is_converted_to_the_boundary() -> None:
    """Llama 3.1 8B: the card's 700 W 'adjusted for PUE' is the H100's TDP; the boundary puts
    PUE 1.1 on it, and the card's own figure stays beside it."""
    r = one(published(), "meta-llama/Llama-3.1-8B")
    assert r["source_energy_mwh"] == pytest.approx(1_460_000 * 700 / 1e6)
    assert r["energy_mwh"] == pytest.approx(1_460_000 * 700 * 1.1 / 1e6)
    assert "adjusted for PUE" in r["conversion"] and "1.100" in r["conversion"]
    assert r["energy_arithmetic"] == (
        "1,460,000 GPU-h x 700 W (H100-80GB TDP) x PUE 1.1 = 1,124.2 MWh"
    )
    assert r["co2e_t"] == pytest.approx(r["source_co2e_t"] * 1.1)
    assert r["co2e_t_published"] == 420


def test_a_source_with_its_own_power_and_pue_is_put_on_the_tdp() -> None:
    """GPT-3: 330 W average system power x PUE 1.1 (1,287 MWh) becomes the V100's 300 W TDP
    x the configured PUE; BLOOM's 433 MWh (GPU-hours x 400 W, no PUE) gets PUE 1.1."""
    t = published()
    gpt3 = one(t, "openai/gpt-3")
    assert gpt3["energy_mwh"] == pytest.approx(3_552_000 * 300 * 1.1 / 1e6)
    assert gpt3["energy_mwh_published"] == 1287
    assert "330 W replaced by the TDP 300 W" in gpt3["conversion"]
    bloom = one(t, "bigscience/bloom")
    assert bloom["energy_mwh"] == pytest.approx(433.196 * 1.1, rel=1e-4)
    assert "no facility overhead" in bloom["conversion"]


def test_a_published_energy_without_hours_is_rescaled_by_pue() -> None:
    source = load_published(PUBLISHED).with_columns(
        gpu_hours=pl.when(pl.col("model_id") == "openai/gpt-3").then(None).otherwise("gpu_hours")
    )
    r = one(recompute_training(source, pue=1.2), "openai/gpt-3")
    assert r["energy_mwh"] == pytest.approx(1287 / 1.1 * 1.2)
    assert r["energy_arithmetic"].startswith("1,287.0 MWh published / source PUE 1.1")


def test_every_published_tdp_is_the_hardware_table_s() -> None:
    for r in load_published(PUBLISHED).iter_rows(named=True):
        assert r["gpu_tdp_w"] == TDP[GPU_ALIASES[r["gpu_type"]]], r["model_id"]


def test_excluded_teacher_compute_is_named_for_distilled_models_only(energy) -> None:
    for r in energy.iter_rows(named=True):
        if r["model_id"] in DISTILLED:
            assert "not counted" in r["excluded_compute"], r["model_id"]
            assert "distillation" in r["excluded_compute_source"], r["model_id"]
            assert "http" in r["excluded_compute_source"]
        else:
            assert r["excluded_compute"] is None and r["excluded_compute_source"] is None


def test_the_shipped_distillation_table_names_each_distilled_model() -> None:
    table = load_distillation(RES / "training" / "distillation.csv")
    assert set(table["model_id"]) == DISTILLED
    assert "Llama 3.1 8B and 70B" in one(table, "meta-llama/Llama-3.2-1B")["quote"]


def test_a_distillation_row_without_a_quote_is_refused(tmp_path) -> None:
    bad = tmp_path / "distillation.csv"
    pl.read_csv(RES / "training" / "distillation.csv").with_columns(quote=pl.lit("")).write_csv(bad)
    with pytest.raises(TableValidationError, match="quote"):
        load_distillation(bad)


def test_every_token_count_is_quoted() -> None:
    """Every row with a count carries the verbatim text it rests on and where it is."""
    table = pl.read_csv(TOKENS_CSV, infer_schema=False)
    counted = table.filter(pl.col("pretraining_tokens").is_not_null())
    unquoted = counted.filter(
        pl.col("quote").is_null()
        | (pl.col("quote").str.strip_chars() == "")
        | pl.col("quote_location").is_null()
    )
    assert unquoted.height == 0, unquoted["model_id"].to_list()
    # a row without a count says why in its notes
    for r in table.filter(pl.col("pretraining_tokens").is_null()).iter_rows(named=True):
        assert r["notes"], r["model_id"]


def test_a_token_row_without_a_quote_is_refused(tmp_path) -> None:
    bad = tmp_path / "training_tokens.csv"
    pl.read_csv(TOKENS_CSV, infer_schema=False).with_columns(
        quote=pl.when(pl.col("model_id") == "bigscience/bloom").then(None).otherwise("quote")
    ).write_csv(bad)
    with pytest.raises(TableValidationError, match="counts_are_quoted"):
        load_tokens(bad)
