from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lmfootprint.core.errors import TableValidationError
from lmfootprint.core.ids import parse_model_entry
from lmfootprint.core.validation import read_parquet_checked, validate_frame
from lmfootprint.models.model_metadata import (
    aggregate_models,
    model_record,
    model_records,
    model_row,
    shard_rows,
)
from lmfootprint.models.schemas import ModelsSchema

ROOT = Path(__file__).resolve().parents[3]
HUB = ROOT / "resources" / "hub"


@pytest.fixture(scope="module")
def smollm() -> pl.DataFrame:
    ref = parse_model_entry("HuggingFaceTB/SmolLM-135M", ROOT)
    return model_record(
        ref,
        HUB / ref.slug / "config.json",
        source_path=HUB / ref.slug / "source.json",
        cards_csv=HUB / "model_cards.csv",
        context_tokens=2048,
        batch_size=1,
    )


def test_model_record(smollm: pl.DataFrame) -> None:
    r = smollm.row(0, named=True)
    assert r["params_total"] == 134_515_008
    assert r["size_class"] == "SLM"
    assert r["revision"] == "08113aee5325d8b522b49ed5fbad3f24cc27eeb2"
    assert r["license"] == "apache-2.0" and r["training_tokens"] == "600B"
    assert r["weights_gb_bf16"] == pytest.approx(0.269, rel=1e-2)
    # 30 layers x 3 KV heads x 64 dims x 2048 tokens x 2 (K,V) x 2 bytes
    assert r["kv_cache_gb"] == pytest.approx(2 * 30 * 3 * 64 * 2048 * 2 / 1e9)


def test_schema_rejections_name_column_and_value(smollm: pl.DataFrame) -> None:
    bad = smollm.with_columns(params_total=pl.lit(0), size_class=pl.lit("medium"))
    with pytest.raises(TableValidationError) as err:
        validate_frame(ModelsSchema, bad, "results/models/x.parquet")
    text = str(err.value)
    assert "results/models/x.parquet" in text
    assert "'params_total'" in text and "greater_than(0)" in text
    assert "'size_class'" in text and "medium" in text


def test_duplicate_models_rejected(smollm: pl.DataFrame, tmp_path: Path) -> None:
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    smollm.write_parquet(a)
    smollm.write_parquet(b)
    with pytest.raises(TableValidationError, match="field_uniqueness|unique"):
        aggregate_models([a, b])


def test_truncated_parquet(smollm: pl.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "m.parquet"
    smollm.write_parquet(path)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(TableValidationError, match="cannot read parquet"):
        read_parquet_checked(path, ModelsSchema)


def test_aggregate_names_the_file_with_a_bad_value_or_columns(
    smollm: pl.DataFrame, tmp_path: Path
) -> None:
    good, bad, odd = (tmp_path / f"{n}.parquet" for n in ("good", "bad", "odd"))
    smollm.write_parquet(good)
    smollm.with_columns(slug=pl.lit("x"), params_total=pl.lit(-5)).write_parquet(bad)
    smollm.drop("license").write_parquet(odd)
    with pytest.raises(TableValidationError, match=r"(?s)bad\.parquet.*params_total.*-5"):
        aggregate_models([good, bad])
    with pytest.raises(TableValidationError, match=r"odd\.parquet: columns do not match.*license"):
        aggregate_models([good, odd])
    assert aggregate_models([good]).equals(smollm)


def test_a_shard_is_validated_at_once_and_a_bad_row_names_its_config() -> None:
    refs = [
        parse_model_entry(m, ROOT) for m in ("HuggingFaceTB/SmolLM-135M", "EleutherAI/pythia-160m")
    ]
    paths = [HUB / ref.slug / "config.json" for ref in refs]
    rows = [model_row(ref, path) for ref, path in zip(refs, paths, strict=True)]
    table = model_records(rows, paths)
    assert table["slug"].to_list() == [ref.slug for ref in refs]
    assert table.slice(0, 1).equals(model_record(refs[0], paths[0]))
    rows[1]["size_class"] = "medium"
    with pytest.raises(TableValidationError, match=r"(?s)pythia-160m/config\.json.*size_class"):
        model_records(rows, paths)


def renamed_copies(row: pl.DataFrame, n: int) -> pl.DataFrame:
    """n copies of a model's row as models org/m0, org/m1...: tables of several models."""
    return pl.concat(
        [
            row.with_columns(slug=pl.lit(f"org--m{i}"), model_id=pl.lit(f"org/m{i}"))
            for i in range(n)
        ]
    )


def test_shard_tables_come_back_in_config_order_and_must_match_it(
    smollm: pl.DataFrame, tmp_path: Path
) -> None:
    rows = renamed_copies(smollm, 4)
    shard_a, shard_b = tmp_path / "0000.parquet", tmp_path / "0001.parquet"
    rows[[3, 0]].write_parquet(shard_a)  # digest order, not config order
    rows[[2, 1]].write_parquet(shard_b)
    order = ["org--m0", "org--m1", "org--m2", "org--m3"]
    table = aggregate_models([shard_a, shard_b], order=order)
    assert table.get_column("slug").to_list() == order
    assert table.columns == smollm.columns
    with pytest.raises(TableValidationError, match=r"without a row: \['org--m4'\]"):
        aggregate_models([shard_a, shard_b], order=[*order, "org--m4"])
    with pytest.raises(TableValidationError, match=r"not configured: \['org--m3'\]"):
        aggregate_models([shard_a, shard_b], order=order[:3])


def test_a_shard_table_splits_into_its_models_rows_and_must_hold_exactly_them(
    smollm: pl.DataFrame, tmp_path: Path
) -> None:
    rows = renamed_copies(smollm, 3)
    shard = tmp_path / "0000.parquet"
    rows.write_parquet(shard)
    split = shard_rows(shard, ["org--m2", "org--m0", "org--m1"])
    assert [r.get_column("slug").to_list() for r in split] == [
        ["org--m2"],
        ["org--m0"],
        ["org--m1"],
    ]
    assert split[0].equals(rows[[2]])
    with pytest.raises(TableValidationError, match=r"without a row: \['org--m3'\]"):
        shard_rows(shard, ["org--m0", "org--m1", "org--m2", "org--m3"])
    with pytest.raises(TableValidationError, match=r"not in the shard: \['org--m2'\]"):
        shard_rows(shard, ["org--m0", "org--m1"])
    rows.with_columns(params_total=pl.lit(-1, dtype=rows.schema["params_total"])).write_parquet(
        shard
    )
    with pytest.raises(TableValidationError, match="params_total"):
        shard_rows(shard, ["org--m0", "org--m1", "org--m2"])
