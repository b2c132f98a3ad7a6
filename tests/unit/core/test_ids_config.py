from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lmfootprint.core.config import apply_defaults, check_config, load_schema
from lmfootprint.core.errors import ConfigError
from lmfootprint.core.ids import (
    hub_id_of_slug,
    parse_model_entries,
    parse_model_entry,
    slug_of_hub_id,
)

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = load_schema(ROOT / "workflow" / "schemas" / "config.schema.yaml")


def test_slug_round_trip() -> None:
    assert slug_of_hub_id("HuggingFaceTB/SmolLM-135M") == "HuggingFaceTB--SmolLM-135M"
    assert hub_id_of_slug("HuggingFaceTB--SmolLM-135M") == "HuggingFaceTB/SmolLM-135M"


@pytest.mark.parametrize(
    "bad", ["../etc/passwd", "org/..", "org/a--b", "just-a-name", "org/na me", "org/", "/abs"]
)
def test_bad_hub_ids_are_rejected(bad: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        parse_model_entry(bad, tmp_path)


def test_local_directory_entry(tmp_path: Path) -> None:
    model = tmp_path / "my-models" / "tiny"
    model.mkdir(parents=True)
    (model / "config.json").write_text("{}")
    ref = parse_model_entry("my-models/tiny", tmp_path)
    assert ref.is_local and ref.slug == "local--tiny" and ref.model_id == "my-models/tiny"
    other = tmp_path / "b" / "tiny"
    other.mkdir(parents=True)
    (other / "config.json").write_text("{}")
    with pytest.raises(ConfigError, match="same name"):
        parse_model_entries(["my-models/tiny", "./b/tiny"], tmp_path)


def test_default_config_is_valid_and_defaults_fill_nested_keys() -> None:
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    check_config(cfg, SCHEMA)
    small = {"models": ["EleutherAI/pythia-14m"]}
    apply_defaults(small, SCHEMA)
    assert small["memory"] == {"context_tokens": 2048, "batch_size": 1, "kv_dtype": "bf16"}
    assert small["training"]["tolerance"] == 0.05
    assert small["slm_max_params"] == 9e9


def test_all_problems_in_one_message() -> None:
    cfg = {
        "models": "pythia",
        "colour": "red",
        "memory": {"batch_size": "four", "kv_dtype": "fp64"},
    }
    with pytest.raises(ConfigError) as err:
        check_config(cfg, SCHEMA)
    text = str(err.value)
    assert "4 problem(s)" in text
    allowed = "allowed keys: ['benchmark', 'comparison', 'footprint'"
    assert "<top level>: unknown key(s) ['colour']; " + allowed in text
    assert "'models'" in text.split("allowed keys:")[1]
    assert "models: expected array, got str 'pythia'" in text
    assert "memory.batch_size: expected integer, got str 'four'" in text
    assert "memory.kv_dtype: 'fp64' is not one of ['fp32', 'bf16', 'fp16', 'int8']" in text


def test_missing_models_key() -> None:
    with pytest.raises(ConfigError, match="'models' is a required property"):
        check_config({}, SCHEMA)


def test_a_long_local_folder_name_gives_a_slug_that_fits_a_file_name(tmp_path: Path) -> None:
    """A 250-character folder name made 'OSError: File name too long' from Snakemake."""
    import json

    from lmfootprint.core.io import write_parquet
    from lmfootprint.core.limits import MAX_NAME_BYTES
    from lmfootprint.models.model_metadata import model_record

    long_a = "my-finetuned-llama-" + "a" * 200 + "-run-" + "x" * 26  # 250 characters
    long_b = long_a[:-1] + "y"  # differs only in the last character
    config = {
        "model_type": "llama",
        "hidden_size": 64,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "vocab_size": 100,
    }
    for name in (long_a, long_b):
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text(json.dumps(config))
    a = parse_model_entry(long_a, tmp_path)
    b = parse_model_entry(long_b, tmp_path)
    assert len(long_a) == 250
    assert a.slug == "local--my-finetuned-llama-" + "a" * 66 + "-723ce9f186"  # stable across runs
    assert a.slug != b.slug and a.slug[:80] == b.slug[:80]
    assert parse_model_entry("./" + long_a, tmp_path).slug == a.slug
    assert set(parse_model_entries([long_a, long_b], tmp_path)) == {a.slug, b.slug}
    # the longest output name and the temporary name written beside it both fit
    temp_name = f".{a.slug}.raw.parquet.abcdefgh.tmp"
    assert len(temp_name.encode()) <= MAX_NAME_BYTES
    row = model_record(a, a.local_dir / "config.json")
    write_parquet(row, tmp_path / "results" / "models" / f"{a.slug}.parquet")
    assert (tmp_path / "results" / "models" / f"{a.slug}.parquet").is_file()
    # short names keep the slug they always had
    (tmp_path / "tiny").mkdir()
    (tmp_path / "tiny" / "config.json").write_text("{}")
    assert parse_model_entry("tiny", tmp_path).slug == "local--tiny"


def test_the_longest_hub_id_fits_a_file_name() -> None:
    from lmfootprint.core.limits import MAX_NAME_BYTES

    slug = slug_of_hub_id("o" * 96 + "/" + "n" * 96)
    assert len(f".{slug}.raw.parquet.abcdefgh.tmp".encode()) <= MAX_NAME_BYTES


def test_shard_of_is_stable_and_spreads_models_evenly() -> None:
    from lmfootprint.core.ids import shard_of

    # pinned values: a change of the digest would move every model of every sharded study
    assert [
        shard_of(s, 64)
        for s in ("EleutherAI--pythia-14m", "meta-llama--Llama-3.1-8B", "Qwen--Qwen2.5-7B")
    ] == [38, 53, 6]
    counts = [0] * 16
    for i in range(16_000):
        counts[shard_of(f"org--m{i}", 16)] += 1
    assert min(counts) > 900 and max(counts) < 1100  # about 1,000 each
