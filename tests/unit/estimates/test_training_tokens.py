"""Training tokens per model: the sourced table, its ranges, assumptions and overrides."""

from __future__ import annotations

import polars as pl
import pytest
import yaml
from builders import RES, ROOT

from lmfootprint.core.errors import TableValidationError
from lmfootprint.core.validation import validate_frame
from lmfootprint.estimates.schemas import TrainingTokensSchema
from lmfootprint.estimates.training_tokens import (
    CHINCHILLA_TOKENS_PER_PARAM,
    load_tokens,
    parse_tokens,
    resolve_tokens,
    token_range,
)

TOKENS_CSV = RES / "training" / "training_tokens.csv"
TOKENS = load_tokens(TOKENS_CSV)
CONFIGURED = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))["models"]
# the two configured models whose authors state no token count
UNDISCLOSED = {"mistralai/Mistral-7B-v0.1", "google/flan-t5-xxl"}


def test_every_configured_model_has_a_token_row() -> None:
    missing = set(CONFIGURED) - set(TOKENS["model_id"])
    assert not missing


def test_published_rows_name_their_source_date_and_where_the_quote_is() -> None:
    published = TOKENS.filter(pl.col("status") == "published")
    assert published.height >= len(CONFIGURED) - len(UNDISCLOSED)
    for col in ("pretraining_tokens", "tokens_label", "source_url", "source_date"):
        assert published[col].null_count() == 0, col
    blank = published.filter(pl.col("quote_location").fill_null("").str.strip_chars() == "")
    assert blank.is_empty(), blank["model_id"].to_list()
    assert published["source_url"].str.starts_with("http").all()


def test_assumed_rows_are_only_the_undisclosed_ones() -> None:
    assumed = TOKENS.filter(pl.col("status") == "assumed")
    assert set(assumed["model_id"]) == UNDISCLOSED
    for r in assumed.iter_rows(named=True):
        assert r["notes"], r["model_id"]  # an assumption says why


def test_a_published_row_without_a_source_is_rejected() -> None:
    bad = TOKENS.with_columns(
        source_url=pl.when(pl.col("model_id") == "meta-llama/Llama-2-7b-hf")
        .then(None)
        .otherwise(pl.col("source_url"))
    )
    with pytest.raises(TableValidationError, match="published_rows_have_count_and_source"):
        validate_frame(TrainingTokensSchema, bad, TOKENS_CSV)


@pytest.mark.parametrize(
    "label,tokens",
    [
        ("600B", 6e11),
        ("15T+", 1.5e13),
        ("up to 9T", 9e12),
        ("1,500B", 1.5e12),
        ("3T (2.99T at step)", 3e12),
        ("", None),
        (None, None),
        ("lots", None),
    ],
)
def test_parse_tokens(label, tokens) -> None:
    assert parse_tokens(label) == tokens


@pytest.mark.parametrize(
    "label,value,expected",
    [
        ("up to 9T", 9e12, (4.5e12, 9e12)),
        ("15T+", 1.5e13, (1.5e13, 1.65e13)),
        ("about 2T", 2e12, (1.8e12, 2.2e12)),
        ("~1T", 1e12, (0.9e12, 1.1e12)),
        ("2.0T", 2e12, (2e12, 2e12)),
        (None, 1e12, (1e12, 1e12)),
    ],
)
def test_token_range_follows_the_wording(label, value, expected) -> None:
    assert token_range(label, value) == pytest.approx(expected)


def test_published_tokens_with_the_range_their_wording_allows() -> None:
    t = resolve_tokens("meta-llama/Llama-3.2-1B", 1_235_814_400, TOKENS)
    assert (t.status, t.tokens, t.low, t.high) == ("published", 9e12, 4.5e12, 9e12)
    assert t.disclosed and t.label == "up to 9T"
    assert "llama-models" in t.source and "2024-09-25" in t.source
    assert "card: model table" in t.source  # the quote's location travels with the count
    llama3 = resolve_tokens("meta-llama/Meta-Llama-3-8B", 8_030_261_248, TOKENS)
    assert (llama3.low, llama3.high) == pytest.approx((1.5e13, 1.65e13))


def test_fine_tuning_tokens_are_added_to_the_base_models() -> None:
    t = resolve_tokens("bigscience/bloomz-560m", 559_214_592, TOKENS)
    assert t.tokens == pytest.approx(3.41e11 + 3.67e9)
    assert t.low == t.high == pytest.approx(t.tokens)
    assert "base model bigscience/bloom-560m" in t.source


def test_a_model_absent_from_the_table_gets_a_documented_assumption() -> None:
    n = 1_000_000_000
    t = resolve_tokens("acme/unknown-1b", n, TOKENS)
    assert t.status == "assumed" and not t.disclosed
    assert t.tokens == CHINCHILLA_TOKENS_PER_PARAM * n
    assert t.low < t.tokens < t.high
    assert t.source.startswith("assumed:") and "Chinchilla" in t.source


def test_undisclosed_rows_stay_assumptions() -> None:
    mistral = resolve_tokens("mistralai/Mistral-7B-v0.1", 7_241_732_096, TOKENS)
    assert mistral.status == "assumed" and mistral.tokens == 20 * 7_241_732_096
    flan = resolve_tokens("google/flan-t5-xxl", 11_135_332_352, TOKENS)
    assert flan.status == "assumed" and flan.tokens == 1.1e12  # the table's own assumption
    assert flan.source.startswith("assumed: ASSUMPTION")


def test_config_override_wins_over_the_table() -> None:
    over = {"meta-llama/Llama-3.2-1B": "up to 4T", "acme/x": "2T"}
    t = resolve_tokens("meta-llama/Llama-3.2-1B", 1_235_814_400, TOKENS, over)
    assert (t.status, t.tokens, t.low, t.high) == ("override", 4e12, 2e12, 4e12)
    assert t.disclosed and t.source == "config footprint.training_tokens"
    assert resolve_tokens("acme/x", 10**9, TOKENS, over).tokens == 2e12
    # an override that says no number is ignored, not read as zero
    bad = resolve_tokens(
        "meta-llama/Llama-3.2-1B", 1_235_814_400, TOKENS, {"meta-llama/Llama-3.2-1B": "?"}
    )
    assert bad.status == "published"
