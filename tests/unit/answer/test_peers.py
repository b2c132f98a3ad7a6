"""Our estimates beside ML.ENERGY (v3 held out, v2 never fitted) and EcoLogits."""

from __future__ import annotations

import polars as pl
import pytest
from builders import RES, SCENARIOS, SHAPES, models

from lmfootprint.answer.peer_validation import load_ecologits, load_map, peer_table
from lmfootprint.answer.schemas import PeerValidationSchema
from lmfootprint.core.errors import TableValidationError
from lmfootprint.core.validation import validate_frame
from lmfootprint.estimates.inference_estimates import estimate_inference

PEER_MAP = load_map(RES / "peers" / "model_map.csv")
ECOLOGITS = load_ecologits(RES / "peers" / "ecologits.csv")


@pytest.fixture(scope="module")
def table(serving) -> pl.DataFrame:
    inference = estimate_inference(models(SHAPES), SCENARIOS, serving.fit)
    return peer_table(serving.cv, PEER_MAP, ECOLOGITS, inference)


def test_every_peer_is_in_the_table(table) -> None:
    peers = set(table["peer"])
    assert {"ML.ENERGY v3", "ML.ENERGY v2"} <= peers
    eco = {p for p in peers if p.startswith("EcoLogits ")}
    assert len(eco) == 1
    # EcoLogits: one row per modelled model, world mix, in the first cloud scenario
    eco_rows = table.filter(pl.col("peer").str.starts_with("EcoLogits"))
    assert set(eco_rows["model_id"]) == set(SHAPES)
    assert eco_rows["ours_method"].str.contains("cloud-h100 throughput").all()
    v3 = table.filter(pl.col("peer") == "ML.ENERGY v3")
    assert v3["ours_method"].str.contains("held-out family").all()
    assert set(v3["model_id"]) == set(PEER_MAP.filter(pl.col("peer") == "ML.ENERGY v3")["model_id"])
    v2 = table.filter(pl.col("peer") == "ML.ENERGY v2")
    assert v2["peer_source"].str.starts_with("ML.ENERGY v2").all()


def test_ratio_is_ours_over_the_peers(table) -> None:
    ratio = table["ours_j_per_token"] / table["peer_j_per_token"]
    assert (ratio / table["ours_over_peer"] - 1).abs().max() < 1e-9


def test_every_gap_over_2x_is_explained(table) -> None:
    far = table.filter((pl.col("ours_over_peer") > 2) | (pl.col("ours_over_peer") < 0.5))
    assert far.height > 0  # EcoLogits' per-token floor puts small models far from ours
    assert far["explanation"].null_count() == 0
    near = table.filter(pl.col("ours_over_peer").is_between(0.5, 2))
    assert near["explanation"].null_count() == near.height


def test_removing_an_explanation_fails_validation(table) -> None:
    far = (pl.col("ours_over_peer") > 2) | (pl.col("ours_over_peer") < 0.5)
    first_far = far & (far.cum_sum() == 1)
    bad = table.with_columns(
        explanation=pl.when(first_far).then(None).otherwise(pl.col("explanation"))
    )
    assert bad["explanation"].null_count() == table["explanation"].null_count() + 1
    with pytest.raises(TableValidationError, match="gaps_over_2x_are_explained"):
        validate_frame(PeerValidationSchema, bad, "peer_validation")
