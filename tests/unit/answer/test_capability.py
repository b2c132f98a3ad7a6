"""Quality on one footing: the front compares base 5-shot MMLU from the training row's release
only, shares are given raw and above the 25% chance floor, every value has its source."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lmfootprint.answer.capability import (
    FRONT_FOOTING,
    MMLU_CHANCE,
    capability_table,
    load_quality,
    share_above_chance,
)
from lmfootprint.answer.headlines import Headlines, headlines_table
from lmfootprint.answer.schemas import ModelMetricSchema, QualitySchema
from lmfootprint.core.errors import TableValidationError
from lmfootprint.core.validation import validate_frame
from lmfootprint.present.charts.answer import FRONT, capability_chart, capability_status

ROOT = Path(__file__).resolve().parents[3]
SETTING = "cloud-h100 · throughput"


def metrics(models: list[dict]) -> pl.DataFrame:
    """model_metrics rows: inference energy (J/token) and cost at SETTING per model."""
    rows = []
    for m in models:
        for metric, unit, value in (
            ("inference energy", "J/token", m["j"]),
            ("inference cost", "USD/1k tokens", m["j"] / 100),
        ):
            rows.append(
                {
                    "model_id": m["model"],
                    "params_total": int(m["params"]),
                    "size_class": "SLM" if m["params"] <= 8e9 else "LLM",
                    "family": m["family"],
                    "ladder": True,
                    "arch_group": m["model"],
                    "phase": "inference",
                    "setting": SETTING,
                    "metric": metric,
                    "unit": unit,
                    "value": value,
                    "low": value / 2,
                    "high": value * 2,
                    "provenance": "estimated",
                    "headline": True,
                    "excluded_because": None,
                }
            )
    return validate_frame(ModelMetricSchema, pl.DataFrame(rows), "test metrics")


def quality(rows: list[dict]) -> pl.DataFrame:
    """mmlu.csv rows: base 5-shot from the training row's release unless a row says otherwise."""
    full = [
        {
            "model_id": r["model"],
            "mmlu": r["mmlu"],
            "footing": r.get("footing", FRONT_FOOTING),
            "variant": "base",
            "release": r.get("release", "2024-07"),
            "training_release": "2024-07",
            "source_url": "https://example.org/card",
            "source_title": "card",
            "source_date": "2024-07-23",
            "quote_location": "table",
            "notes": None,
        }
        for r in rows
    ]
    return validate_frame(QualitySchema, pl.DataFrame(full), "test quality")


LLAMA = [
    {"model": "meta/8b", "params": 8e9, "family": "Llama", "j": 0.16, "mmlu": 66.7},
    {"model": "meta/405b", "params": 405e9, "family": "Llama", "j": 2.9, "mmlu": 85.2},
]
# an instruct-only model that would dominate both base models if it were compared with them
INSTRUCT = {"model": "ms/mini-instruct", "params": 3.8e9, "family": "Phi", "j": 0.1, "mmlu": 90.0}


def table(models: list[dict], overrides: dict[str, dict] | None = None) -> pl.DataFrame:
    overrides = overrides or {}
    q = quality([{**m, **overrides.get(m["model"], {})} for m in models])
    return capability_table(metrics(models), q, SETTING)


def by_model(df: pl.DataFrame) -> dict[str, dict]:
    return {r["model_id"]: r for r in df.iter_rows(named=True)}


def test_the_front_holds_no_other_footing_model_beside_base_models():
    rows = by_model(table([*LLAMA, INSTRUCT], {INSTRUCT["model"]: {"footing": "instruct 5-shot"}}))
    instruct = rows[INSTRUCT["model"]]
    assert not instruct["comparable"] and instruct["pareto"] is None
    assert instruct["footing"] == "instruct 5-shot"
    assert rows["meta/8b"]["pareto"] is True and rows["meta/405b"]["pareto"] is True
    # compared as a base model, the same score would have pushed meta/8b off the front
    assert by_model(table([*LLAMA, INSTRUCT]))["meta/8b"]["pareto"] is False


def test_a_cloze_score_stays_in_the_table_with_its_footing_and_no_front_verdict():
    rows = by_model(table([*LLAMA, INSTRUCT], {INSTRUCT["model"]: {"footing": "cloze 0-shot"}}))
    assert rows[INSTRUCT["model"]]["mmlu"] == 90.0
    assert rows[INSTRUCT["model"]]["footing"] == "cloze 0-shot"
    assert rows[INSTRUCT["model"]]["pareto"] is None


def test_a_score_from_another_release_than_the_training_row_is_labelled_and_off_the_front():
    other = {**INSTRUCT, "model": "ms/mini", "family": "Phi"}
    df = table([*LLAMA, other], {"ms/mini": {"release": "2024-06"}})
    row = by_model(df)["ms/mini"]
    assert row["footing"] == FRONT_FOOTING and row["release"] != row["training_release"]
    assert not row["comparable"] and row["pareto"] is None
    status = dict(zip(df["model_id"], capability_status(df), strict=True))
    assert "other release" in status["ms/mini"] and status["ms/mini"] != FRONT


def test_the_chart_marks_other_footings_in_their_own_legend_entry():
    df = table([*LLAMA, INSTRUCT], {INSTRUCT["model"]: {"footing": "instruct 5-shot"}})
    status = dict(zip(df["model_id"], capability_status(df), strict=True))
    assert status["meta/8b"] == FRONT
    assert (
        status[INSTRUCT["model"]].startswith("instruct 5-shot")
        and "off the front" in (status[INSTRUCT["model"]])
    )
    spec = capability_chart(df).to_dict()
    colour = next(lay["encoding"]["color"] for lay in spec["layer"] if "color" in lay["encoding"])
    assert status[INSTRUCT["model"]] in colour["scale"]["domain"]


def test_shares_above_chance_beside_raw_shares_on_a_known_case():
    row = by_model(table(LLAMA))["meta/8b"]
    assert row["family_top"] == "meta/405b"
    assert row["quality_share"] == pytest.approx(66.7 / 85.2)  # 78%
    assert row["quality_share_above_chance"] == pytest.approx((66.7 - 25) / (85.2 - 25))  # 69%
    assert round(row["quality_share_above_chance"], 2) == 0.69
    assert row["energy_share"] == pytest.approx(0.16 / 2.9)
    top = by_model(table(LLAMA))["meta/405b"]
    assert top["family_top"] is None and top["quality_share"] is None  # not its own reference


def test_share_above_chance_at_and_below_the_floor():
    assert MMLU_CHANCE == 25.0
    assert share_above_chance(25.0, 85.0) == 0.0
    assert share_above_chance(20.0, 45.0) == pytest.approx(-0.25)  # below guessing
    assert share_above_chance(30.0, 25.0) is None  # the reference has no margin to share


def test_shares_are_taken_within_one_footing_only():
    base_top = {"model": "ms/medium", "params": 14e9, "family": "Phi", "j": 0.3, "mmlu": 78.0}
    df = table([INSTRUCT, base_top], {INSTRUCT["model"]: {"footing": "instruct 5-shot"}})
    assert by_model(df)[INSTRUCT["model"]]["family_top"] is None


def test_capability_headlines_state_raw_and_above_chance_shares():
    cap = table([*LLAMA, INSTRUCT], {INSTRUCT["model"]: {"footing": "instruct 5-shot"}})
    h = Headlines(headlines_table({"capability": cap}, {"capability": "cap.parquet"}, 8e9))
    assert h.value("capability.quality_share.meta_8b") == pytest.approx(66.7 / 85.2)
    above = h["capability.quality_share_above_chance.meta_8b"]
    assert above["value"] == pytest.approx(41.7 / 60.2)
    assert above["subject"] == "meta/8b" and above["versus"] == "meta/405b"
    assert h.value("capability.energy_share.meta_8b") == pytest.approx(0.16 / 2.9)
    assert h.value("capability.off_footing.n") == 1
    assert h.value("capability.front.n") == 2  # 8b and 405b (the instruct model is not compared)


def test_a_value_without_its_source_or_footing_is_refused():
    good = quality([LLAMA[0]])
    for column in ("source_url", "footing", "release", "quote_location"):
        bad = good.with_columns(pl.lit(None, dtype=pl.String).alias(column))
        with pytest.raises(TableValidationError):
            validate_frame(QualitySchema, bad, "bad quality")


def test_every_shipped_value_has_a_source_footing_and_release():
    q = load_quality(str(ROOT / "resources/quality/mmlu.csv"))
    valued = q.filter(pl.col("mmlu").is_not_null())
    assert valued.height > 0
    for column in ("source_url", "source_title", "source_date", "quote_location", "footing"):
        assert valued[column].null_count() == 0, column
    # instruct-only releases and the cloze protocol are labelled as such
    footing = dict(zip(valued["model_id"], valued["footing"], strict=True))
    assert footing["microsoft/Phi-3-mini-4k-instruct"] == "instruct 5-shot"
    assert footing["google/flan-t5-xxl"] == "instruct 5-shot"
    assert footing["HuggingFaceTB/SmolLM-135M"] == "cloze 0-shot"


def test_phi3_mini_is_scored_on_the_release_its_training_row_describes():
    q = load_quality(str(ROOT / "resources/quality/mmlu.csv"))
    phi = q.filter(pl.col("model_id") == "microsoft/Phi-3-mini-4k-instruct").row(0, named=True)
    tokens = pl.read_csv(ROOT / "resources/training/training_tokens.csv")
    trained = tokens.filter(pl.col("model_id") == "microsoft/Phi-3-mini-4k-instruct")
    assert trained["pretraining_tokens"][0] == 3.3e12  # the April 2024 release (June: 4.9T)
    assert phi["release"] == phi["training_release"] == "2024-04"
    assert phi["mmlu"] == 68.8  # April release; the June update's 70.9 is not this training run
