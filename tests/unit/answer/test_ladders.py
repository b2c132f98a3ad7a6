"""Ladder steps: what besides size separates a step's ends, and the exponent from matched
steps only. Facts come from the shipped resources (family file, token table, published runs),
so the step kinds of the Meta, Pythia and SmolLM ladders are checked as shipped."""

from __future__ import annotations

import csv
import math

import numpy as np
import polars as pl
import pytest
from builders import RES, TOKENS

from lmfootprint.answer.answer import load_families
from lmfootprint.answer.ladders import (
    DATA_X_SIZE,
    ESTIMATOR_ONLY,
    ONE_END_ESTIMATED,
    PUBLISHED_MATCHED,
    ladder_table,
    matched_exponent_rows,
    matched_pairs_table,
)
from lmfootprint.answer.schemas import ModelMetricSchema
from lmfootprint.core.validation import validate_frame
from lmfootprint.estimates.training_calibration import GPU_ALIASES
from lmfootprint.estimates.training_tokens import resolve_tokens

FAMILIES = load_families(str(RES / "comparison" / "model_families.csv"))
FAMILY = {r["model_id"]: r for r in FAMILIES.iter_rows(named=True)}
with open(RES / "published_training.csv", encoding="utf-8") as fh:
    RUNS = {r["model_id"]: r for r in csv.DictReader(fh)}
DEFAULT_GPU = "H100-SXM5"  # the estimator's default, for models without a published run

# model -> (parameters, training energy in MWh); published where a run is shipped
MODELS = {
    "meta-llama/Llama-2-7b-hf": (6.74e9, 73.7),
    "meta-llama/Llama-2-13b-hf": (13.0e9, 147.5),
    "meta-llama/Llama-2-34b": (34e9, 363.4),
    "meta-llama/Llama-2-70b-hf": (69.0e9, 688.1),
    "meta-llama/Meta-Llama-3-8B": (8.03e9, 910.0),
    "meta-llama/Meta-Llama-3-70B": (70.6e9, 4480.0),
    "meta-llama/Llama-3.2-1B": (1.24e9, 259.0),
    "meta-llama/Llama-3.2-3B": (3.21e9, 322.0),
    "meta-llama/Llama-3.1-8B": (8.03e9, 1022.0),
    "meta-llama/Llama-3.1-70B": (70.6e9, 4900.0),
    "meta-llama/Llama-3.1-405B": (405.9e9, 21588.0),
    "EleutherAI/pythia-160m": (1.62e8, 0.5),
    "EleutherAI/pythia-410m": (4.05e8, 1.1),
    "EleutherAI/pythia-6.9b": (6.86e9, 14.0),
    "HuggingFaceTB/SmolLM-135M": (1.35e8, 1.08),
    "HuggingFaceTB/SmolLM-360M": (3.62e8, 2.4),
    "HuggingFaceTB/SmolLM-1.7B": (1.71e9, 17.7),
}


def facts(model_id: str) -> dict:
    """What the answer stage knows of one end: tokens from the shipped token table, GPUs from
    its published run (else the estimator's default), recipe from the family file."""
    params = MODELS[model_id][0]
    tok = resolve_tokens(model_id, params, TOKENS)
    run = RUNS.get(model_id)
    return {
        "tokens": tok.tokens,
        "tokens_low": tok.low,
        "tokens_high": tok.high,
        "tokens_label": tok.label,
        "tokens_disclosed": tok.disclosed,
        "hardware": GPU_ALIASES[run["gpu_type"]] if run else DEFAULT_GPU,
        "hardware_basis": "the run's" if run else "estimator's default",
        "recipe": FAMILY[model_id]["recipe"],
    }


def metrics(values: dict[str, float] | None = None) -> pl.DataFrame:
    """Training-energy rows of model_metrics, published where a run is shipped."""
    rows = []
    for model_id, (params, energy) in MODELS.items():
        energy = (values or {}).get(model_id, energy)
        published = model_id in RUNS
        spread = 1.0 if published else 1.3
        rows.append(
            {
                "model_id": model_id,
                "params_total": int(params),
                "size_class": "SLM" if params <= 9e9 else "LLM",
                "family": FAMILY[model_id]["family"],
                "ladder": True,
                "arch_group": model_id,
                "phase": "training",
                "setting": "training run",
                "metric": "training energy",
                "unit": "MWh",
                "value": energy,
                "low": energy / spread,
                "high": energy * spread,
                "provenance": "published" if published else "estimated",
                "headline": True,
                "excluded_because": None,
            }
        )
    return validate_frame(ModelMetricSchema, pl.DataFrame(rows), "test metrics")


FACTS = {m: facts(m) for m in MODELS}


def kinds(ladders: pl.DataFrame) -> dict[tuple[str, str], str]:
    return {(r["smaller"], r["larger"]): r["step_kind"] for r in ladders.iter_rows(named=True)}


def test_step_kinds_of_the_shipped_ladders() -> None:
    k = kinds(ladder_table(metrics(), FACTS))
    # Pythia: both ends 6ND estimates from the same 300B tokens and GPUs: the fit's own slope
    assert k[("EleutherAI/pythia-160m", "EleutherAI/pythia-410m")] == ESTIMATOR_ONLY
    assert k[("EleutherAI/pythia-410m", "EleutherAI/pythia-6.9b")] == ESTIMATOR_ONLY
    # SmolLM: 600B for 135M and 360M, 1T for 1.7B
    assert k[("HuggingFaceTB/SmolLM-135M", "HuggingFaceTB/SmolLM-360M")] == ONE_END_ESTIMATED
    assert k[("HuggingFaceTB/SmolLM-360M", "HuggingFaceTB/SmolLM-1.7B")] == DATA_X_SIZE
    # Meta's published ladders, Llama 2 34B (published, not configured) included
    for step in (
        ("meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-13b-hf"),
        ("meta-llama/Llama-2-13b-hf", "meta-llama/Llama-2-34b"),
        ("meta-llama/Llama-2-34b", "meta-llama/Llama-2-70b-hf"),
        ("meta-llama/Meta-Llama-3-8B", "meta-llama/Meta-Llama-3-70B"),
        ("meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-70B"),
        ("meta-llama/Llama-3.1-70B", "meta-llama/Llama-3.1-405B"),
    ):
        assert k[step] == PUBLISHED_MATCHED, step
    # pruned and distilled: not a size step, though both are published
    assert k[("meta-llama/Llama-3.2-1B", "meta-llama/Llama-3.2-3B")] == DATA_X_SIZE
    assert k[("meta-llama/Llama-3.2-3B", "meta-llama/Llama-3.1-8B")] == DATA_X_SIZE


def test_ladder_rows_carry_both_ends_tokens_and_gpus() -> None:
    lad = ladder_table(metrics(), FACTS)
    smol = lad.filter(pl.col("smaller") == "HuggingFaceTB/SmolLM-360M").row(0, named=True)
    assert (smol["tokens_smaller"], smol["tokens_larger"]) == (6e11, 1e12)
    assert "600B" in smol["step_note"] and "1T" in smol["step_note"]
    llama = lad.filter(pl.col("smaller") == "meta-llama/Llama-2-7b-hf").row(0, named=True)
    assert llama["hardware"] == "A100-80-SXM4 (the run's)"
    assert llama["in_matched_exponent"]


def test_matched_pairs_are_published_matched_and_span_the_family() -> None:
    pairs = matched_pairs_table(metrics(), FACTS)
    assert set(pairs["step_kind"]) == {PUBLISHED_MATCHED}
    llama2 = pairs.filter(
        (pl.col("smaller") == "meta-llama/Llama-2-7b-hf")
        & (pl.col("larger") == "meta-llama/Llama-2-70b-hf")
    ).row(0, named=True)
    assert llama2["metric_ratio"] == pytest.approx(688.1 / 73.7)
    assert llama2["per_10x_params"] == pytest.approx(
        (688.1 / 73.7) ** (1 / math.log10(69.0 / 6.74))
    )
    assert pairs.filter(pl.col("family") == "Llama 2").height == 6  # 4 sizes: 6 pairs
    assert not pairs.filter(pl.col("family").is_in(["Pythia", "SmolLM"])).height


def test_only_matched_steps_enter_the_matched_exponent() -> None:
    row = matched_exponent_rows(ladder_table(metrics(), FACTS), draws=200)[0]
    matched = ladder_table(metrics(), FACTS).filter(pl.col("step_kind") == PUBLISHED_MATCHED)
    x = np.log10(matched["params_ratio"].to_numpy())
    y = np.log10(matched["metric_ratio"].to_numpy())
    assert row["exponent"] == pytest.approx(y.sum() / x.sum())
    assert (row["n_steps"], row["n_families"]) == (6, 3)
    assert row["per_10x_params_low"] <= row["per_10x_params"] <= row["per_10x_params_high"]
    # the estimator-only, one-end-estimated and data x size steps do not move it
    moved = metrics(
        {
            "EleutherAI/pythia-6.9b": 1e4,
            "HuggingFaceTB/SmolLM-360M": 100.0,
            "HuggingFaceTB/SmolLM-1.7B": 1e5,
            "meta-llama/Llama-3.2-3B": 1e4,
        }
    )
    again = matched_exponent_rows(ladder_table(moved, FACTS), draws=200)[0]
    assert again["exponent"] == pytest.approx(row["exponent"])
    # a chain telescopes: Llama 2's three steps give its 7B -> 70B slope
    llama2 = matched.filter(pl.col("family") == "Llama 2")
    chain = (
        np.log10(llama2["metric_ratio"].to_numpy()).sum()
        / np.log10(llama2["params_ratio"].to_numpy()).sum()
    )
    assert chain == pytest.approx(math.log10(688.1 / 73.7) / math.log10(69.0 / 6.74))


def test_step_kinds_are_read_only_from_the_ends_facts() -> None:
    """The same two ends change kind with their facts: tokens apart -> data x size."""
    facts = dict(FACTS)
    facts["meta-llama/Llama-2-70b-hf"] = {**facts["meta-llama/Llama-2-70b-hf"], "tokens": 4e12}
    facts["meta-llama/Llama-2-70b-hf"].update(tokens_low=4e12, tokens_high=4e12)
    k = kinds(ladder_table(metrics(), facts))
    assert k[("meta-llama/Llama-2-34b", "meta-llama/Llama-2-70b-hf")] == DATA_X_SIZE


def test_a_published_run_not_configured_is_a_ladder_point_with_its_own_facts() -> None:
    from lmfootprint.answer.ladders import end_facts, published_points

    training = pl.DataFrame(
        {
            "model_id": ["meta-llama/Llama-2-34b", "meta-llama/Llama-3.3-70B-Instruct"],
            "in_config": [False, False],
            "params_total": [34_000_000_000, 70_000_000_000],
            "gpu_type": ["A100-80GB", "H100-80GB"],
            "energy_mwh": [363.4, 4900.0],
        }
    )
    estimates = pl.DataFrame({"intensity_g_per_kwh": [400.0]})
    points = published_points(training, FAMILIES, estimates)
    # Llama 3.3 70B is in no ladder of the family file: not a point
    assert set(points["model_id"]) == {"meta-llama/Llama-2-34b"}
    co2 = points.filter(pl.col("metric") == "training CO2e")["value"][0]
    assert co2 == pytest.approx(363.4 * 400 / 1000)
    assert set(points["provenance"]) == {"published"}
    f = end_facts(training, estimates.clear(), FAMILIES, TOKENS)["meta-llama/Llama-2-34b"]
    assert (f["tokens"], f["hardware"], f["recipe"]) == (
        2e12,
        "A100-80-SXM4",
        "Llama 2 pre-training mix",
    )
