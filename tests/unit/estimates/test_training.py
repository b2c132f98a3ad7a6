"""The footprint model must reproduce the published training figures it is checked against."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lmfootprint.core.errors import TableValidationError
from lmfootprint.estimates.training_footprint import (
    FLAG_INTENSITY,
    FLAG_RECOMPUTE,
    load_published,
    recompute_training,
)

ROOT = Path(__file__).resolve().parents[3]
PUBLISHED = ROOT / "resources" / "published_training.csv"


@pytest.fixture(scope="module")
def training() -> pl.DataFrame:
    return recompute_training(load_published(PUBLISHED))


def row(df: pl.DataFrame, model_id: str) -> dict:
    return df.filter(pl.col("model_id") == model_id).row(0, named=True)


META = [
    "meta-llama/Llama-2-7b-hf",
    "meta-llama/Llama-2-13b-hf",
    "meta-llama/Llama-2-70b-hf",
    "meta-llama/Meta-Llama-3-8B",
    "meta-llama/Meta-Llama-3-70B",
    "meta-llama/Llama-3.1-8B",
    "meta-llama/Llama-3.1-70B",
    "meta-llama/Llama-3.1-405B",
    "meta-llama/Llama-3.2-1B",
    "meta-llama/Llama-3.2-3B",
]


@pytest.mark.parametrize("model_id", [*META, "bigscience/bloom", "openai/gpt-3"])
def test_published_rows_reproduce_within_one_percent(training, model_id) -> None:
    r = row(training, model_id)
    assert abs(r["co2e_rel_error"]) < 0.01, r
    assert r["flags"] == ""


def test_reference_numbers_from_design(training) -> None:
    """The source's own arithmetic reproduces its figure; the boundary adds PUE 1.1."""
    l7 = row(training, "meta-llama/Llama-2-7b-hf")
    assert l7["source_energy_mwh"] == pytest.approx(73.728)
    assert l7["source_co2e_t"] == pytest.approx(31.22, rel=0.01)
    assert l7["energy_mwh"] == pytest.approx(73.728 * 1.1)
    assert l7["co2e_t"] == pytest.approx(31.22 * 1.1, rel=0.01)
    l70 = row(training, "meta-llama/Llama-2-70b-hf")
    assert l70["gpu_hours"] == 1_720_320
    assert l70["source_co2e_t"] == pytest.approx(291.42, rel=0.01)
    bloom = row(training, "bigscience/bloom")
    assert bloom["source_energy_mwh"] == pytest.approx(433.196, rel=1e-4)
    assert bloom["energy_mwh"] == pytest.approx(433.196 * 1.1, rel=1e-4)
    assert bloom["intensity_basis"] == "stated"
    assert bloom["source_co2e_t"] == pytest.approx(24.7, rel=0.01)


def test_llama_3_3_card_is_flagged_not_dropped(training) -> None:
    r = row(training, "meta-llama/Llama-3.3-70B-Instruct")
    assert FLAG_INTENSITY in r["flags"]
    assert r["implied_intensity_g_per_kwh"] == pytest.approx(2.63, rel=0.01)


def test_recompute_off_flag(tmp_path: Path) -> None:
    published = load_published(PUBLISHED).with_columns(
        co2e_t_published=pl.when(pl.col("model_id") == "bigscience/bloom")
        .then(40.0)
        .otherwise(pl.col("co2e_t_published"))
    )
    r = row(recompute_training(published), "bigscience/bloom")
    assert r["flags"].startswith(FLAG_RECOMPUTE)
    assert r["co2e_rel_error"] == pytest.approx(24.692 / 40 - 1, rel=1e-3)


def test_params_come_from_models_table_when_configured() -> None:
    models = pl.DataFrame(
        {"model_id": ["meta-llama/Llama-2-7b-hf"], "params_total": [6_738_415_616]}
    )
    t = recompute_training(load_published(PUBLISHED), models)
    r = row(t, "meta-llama/Llama-2-7b-hf")
    assert (r["params_total"], r["params_source"], r["in_config"]) == (
        6_738_415_616,
        "models-table",
        True,
    )
    r = row(t, "meta-llama/Llama-2-13b-hf")
    assert (r["params_total"], r["params_source"], r["in_config"]) == (
        13_000_000_000,
        "reported",
        False,
    )


def test_energy_grows_with_gpu_hours_at_fixed_hardware(training) -> None:
    meta31 = training.filter(pl.col("model_id").str.starts_with("meta-llama/Llama-3.1")).sort(
        "gpu_hours"
    )
    assert meta31.get_column("energy_mwh").is_sorted()
    assert meta31.get_column("co2e_t").is_sorted()


@pytest.mark.parametrize(
    "column,value,message",
    [
        ("gpu_power_w", "-400", "gpu_power_w"),
        ("grid_intensity_g_per_kwh", "5000", "grid_intensity_g_per_kwh"),
        ("source_url", "ftp://x", "source_url"),
        ("co2e_basis", "vibes", "co2e_basis"),
    ],
)
def test_published_csv_rejections_name_file_column_value(tmp_path, column, value, message) -> None:
    df = pl.read_csv(PUBLISHED, infer_schema=False)
    df = df.with_columns(
        pl.when(pl.col("model_id") == "bigscience/bloom")
        .then(pl.lit(value))
        .otherwise(pl.col(column))
        .alias(column)
    )
    bad = tmp_path / "published_training.csv"
    df.write_csv(bad)
    with pytest.raises(TableValidationError) as err:
        load_published(bad)
    text = str(err.value)
    assert str(bad) in text and message in text and value.lstrip("-") in text


def test_published_csv_missing_column_and_bom(tmp_path) -> None:
    text = PUBLISHED.read_text(encoding="utf-8")
    bom = tmp_path / "bom.csv"
    bom.write_text("\ufeff" + text, encoding="utf-8")
    assert load_published(bom).height == load_published(PUBLISHED).height
    df = pl.read_csv(PUBLISHED, infer_schema=False).drop("gpu_hours")
    missing = tmp_path / "missing.csv"
    df.write_csv(missing)
    with pytest.raises(TableValidationError, match=r"missing required column\(s\) \['gpu_hours'\]"):
        load_published(missing)
