"""models_on_error: one broken config.json among many fails the run by default; with `skip` it
is a skipped row naming why, and the models table goes on without it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import TINY_LLAMA

from lmfootprint.core.io import write_parquet
from lmfootprint.models.config_json import ConfigJsonError
from lmfootprint.models.model_metadata import (
    aggregate_models,
    load_skipped,
    metadata_tables,
    shard_rows,
)

TINY = dict(TINY_LLAMA)


def local_models(tmp_path: Path, n: int, broken: dict[int, str]) -> list[dict]:
    models = []
    for i in range(n):
        folder = tmp_path / f"m{i}"
        folder.mkdir()
        (folder / "config.json").write_text(broken.get(i, json.dumps(TINY)))
        models.append(
            {
                "slug": f"local--m{i}",
                "model_id": str(folder),
                "local_dir": str(folder),
                "config_json": str(folder / "config.json"),
                "source": None,
                "hub_info": None,
            }
        )
    return models


def test_one_broken_config_fails_by_default(tmp_path: Path) -> None:
    models = local_models(tmp_path, 5, {2: '{"model_type": "llama", "hidden_size": '})
    with pytest.raises(ConfigJsonError, match="m2/config.json: not valid JSON"):
        metadata_tables(models)


def test_with_skip_the_broken_ones_are_named_and_the_rest_go_on(tmp_path: Path) -> None:
    broken = {
        1: '{"model_type": "llama", "hidden_size": ',  # cut short
        3: json.dumps({**TINY, "torch_dtype": "bf16"}),  # a dtype transformers refuses
    }
    models = local_models(tmp_path, 5, broken)
    rows, skipped = metadata_tables(models, on_error="skip")
    assert rows.get_column("slug").to_list() == ["local--m0", "local--m2", "local--m4"]
    assert skipped.get_column("slug").to_list() == ["local--m1", "local--m3"]
    reasons = skipped.get_column("reason").to_list()
    assert "m1/config.json: not valid JSON" in reasons[0]
    assert "field 'torch_dtype' = \"bf16\"" in reasons[1]
    # the models table of the study: everything configured, less the skipped
    write_parquet(rows, tmp_path / "shard.parquet")
    write_parquet(skipped, tmp_path / "shard.skipped.parquet")
    order = [m["slug"] for m in models]
    table = aggregate_models(
        [tmp_path / "shard.parquet"], order=order, skipped=skipped["slug"].to_list()
    )
    assert table.height == 3
    assert load_skipped([tmp_path / "shard.skipped.parquet"]).height == 2
    # the shard's per-model rows: the skipped ones are empty
    parts = shard_rows(tmp_path / "shard.parquet", order, skipped["slug"].to_list())
    assert [p.height for p in parts] == [1, 0, 1, 0, 1]
    with pytest.raises(Exception, match="without a row"):
        aggregate_models([tmp_path / "shard.parquet"], order=order)  # skips must be declared


def test_an_unknown_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="models_on_error"):
        metadata_tables([], on_error="ignore")
