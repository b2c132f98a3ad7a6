from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lmfootprint.core.errors import TableValidationError
from lmfootprint.core.ids import parse_model_entry
from lmfootprint.core.validation import read_parquet_checked, validate_frame
from lmfootprint.models.model_metadata import aggregate_models, model_record
from lmfootprint.models.schemas import ModelsSchema

ROOT = Path(__file__).resolve().parents[2]
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
