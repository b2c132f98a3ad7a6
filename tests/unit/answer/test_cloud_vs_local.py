"""The cloud-vs-local table: same models at home and in the cloud, and the pairing; every row
names what differs from its home row."""

from __future__ import annotations

import polars as pl
from builders import FIT, LOCAL_PUBLISHED, SCENARIOS, SHAPES, local_fit, models

from lmfootprint.answer.cloud_vs_local import cloud_vs_local
from lmfootprint.estimates.inference_estimates import estimate_inference
from lmfootprint.estimates.local_device import load_published_local

LADDER = ("meta-llama/Llama-3.2-1B", "meta-llama/Llama-3.1-8B")


def table() -> pl.DataFrame:
    estimates = estimate_inference(
        models(SHAPES), SCENARIOS, FIT, local_fit=local_fit(), prompt_tokens=60, output_tokens=70
    )
    return cloud_vs_local(
        estimates,
        ladder=LADDER,
        cloud_scenario="cloud-h100",
        published=load_published_local(LOCAL_PUBLISHED),
    )


def test_each_ladder_model_at_home_and_in_the_cloud_both_ways() -> None:
    same = table().filter(pl.col("question") == "same model, home vs cloud")
    assert same.height == 2 * 3
    one = same.filter(pl.col("model_id") == LADDER[0])
    assert one["setting"].str.slice(0, 12).to_list() == [
        "at home, one",
        "in the cloud",
        "in the cloud",
    ]
    assert one["batch_size"].to_list()[:2] == [1, 1] and one["batch_size"][2] == 64
    home = one.row(0, named=True)
    assert home["j_per_token_vs_home"] == 1.0 and home["differs_from_home"].startswith("nothing")
    loaded = one.row(2, named=True)
    for said in ("device H100-SXM5 vs M1-Pro-16c", "batch 64 vs 1", "precision bf16 vs q4_k_m"):
        assert said in loaded["differs_from_home"]
    # a loaded H100 serves a token for less energy than a laptop answering one person
    assert loaded["j_per_token_vs_home"] < 1


def test_the_pairing_sets_the_large_model_in_the_cloud_against_each_small_one_at_home() -> None:
    pair = table().filter(pl.col("question").str.starts_with("small at home vs"))
    assert pair.height == 2 * len(LADDER)
    big = pair.filter(pl.col("model_id") == "meta-llama/Llama-3.1-70B")
    assert big.height == len(LADDER) and (big["kind"] == "cloud").all()
    assert big["differs_from_home"].str.contains("model meta-llama/Llama-3.1-70B vs").all()
    assert (pair["seconds_per_response"] > 0).all() and (pair["j_per_response"] > 0).all()


def test_no_local_scenario_gives_an_empty_table() -> None:
    estimates = estimate_inference(models(SHAPES), SCENARIOS.filter(pl.col("kind") == "cloud"), FIT)
    assert cloud_vs_local(estimates).is_empty()


def test_home_rows_carry_the_004_measurement_of_the_same_laptop_and_size() -> None:
    home = table().filter(
        (pl.col("kind") == "local") & (pl.col("question") == "same model, home vs cloud")
    )
    got = dict(zip(home["model_id"], home["published_tokens_per_s"], strict=True))
    assert got == {"meta-llama/Llama-3.2-1B": 100.0, "meta-llama/Llama-3.1-8B": 30.0}
    j8 = home.filter(pl.col("model_id") == "meta-llama/Llama-3.1-8B")["published_j_per_token"]
    assert j8.to_list() == [0.6]  # 18 W / 30 tokens/s
    assert home["published_source"].str.contains("004").all()
    cloud = table().filter(pl.col("kind") == "cloud")
    assert cloud["published_tokens_per_s"].is_null().all()
