"""The shipped prompt sample: it validates, and replay plans are deterministic and bounded."""

from __future__ import annotations

import polars as pl
import pytest
from builders import RES

from lmfootprint.benchmark.prompts import (
    LLAMA3_CHAT_OVERHEAD_TOKENS,
    describe_lengths,
    load_prompts,
    plan_replay,
    replay_plan,
)
from lmfootprint.core.errors import TableValidationError

SAMPLE = RES / "prompts" / "prompt_sample.csv"


@pytest.fixture(scope="module")
def prompts() -> pl.DataFrame:
    return load_prompts(SAMPLE)


def test_shipped_sample_validates_with_positive_int_lengths(prompts):
    assert prompts.height == 252  # every user-oriented task of self-instruct
    for col in ("prompt_tokens", "prompt_text_tokens", "response_tokens"):
        assert prompts.schema[col] == pl.Int64
        assert prompts.get_column(col).min() > 0
    assert "prompt" not in prompts.columns  # lengths only: the texts are not shipped
    # the chat template adds the same 10 tokens to every prompt
    overhead = prompts["prompt_tokens"] - prompts["prompt_text_tokens"]
    assert overhead.unique().to_list() == [LLAMA3_CHAT_OVERHEAD_TOKENS]
    assert prompts.get_column("source").str.starts_with("yizhongw/self-instruct@").all()


def test_shipped_sample_has_known_first_row(prompts):
    """Pins the seeded order and the tokenizer's counts: a re-made file must match."""
    first = prompts.row(0, named=True)
    assert (first["prompt_id"], first["source_index"]) == ("user_oriented_task_127", 127)
    assert (first["prompt_tokens"], first["response_tokens"]) == (105, 6)


def test_replay_plan_is_the_first_n_rows_in_order(prompts):
    plan = replay_plan(prompts, 20)
    assert plan == replay_plan(prompts, 20)
    assert len(plan) == 20
    expected = list(prompts.head(20).select("prompt_tokens", "response_tokens").iter_rows())
    assert plan == expected
    assert replay_plan(prompts, 5) == plan[:5]
    assert all(isinstance(p, int) and isinstance(r, int) for p, r in plan)
    assert len(replay_plan(prompts, 10_000)) == prompts.height
    assert replay_plan(prompts, 0) == []


def test_replay_plan_leaves_out_and_counts_pairs_over_the_context(prompts):
    full = plan_replay(prompts, 256)
    assert full.skipped_too_long == 0
    limit = 300
    bounded = plan_replay(prompts, 256, max_tokens=limit)
    assert all(p + r <= limit for p, r in bounded.pairs)
    too_long = sum(1 for p, r in full.pairs if p + r > limit)
    assert too_long > 0  # the limit bites on the shipped rows, so the count is exercised
    assert bounded.skipped_too_long == too_long
    assert len(bounded.pairs) + too_long == len(full.pairs)
    # kept pairs keep their order
    assert bounded.pairs == [pair for pair in full.pairs if sum(pair) <= limit]
    assert replay_plan(prompts, 256, max_tokens=limit) == bounded.pairs


def test_replay_plan_rejects_bad_arguments(prompts):
    with pytest.raises(ValueError, match="n must be"):
        replay_plan(prompts, -1)
    with pytest.raises(ValueError, match="max_tokens"):
        replay_plan(prompts, 3, max_tokens=0)


def test_describe_lengths_matches_numpy_percentiles(prompts):
    import numpy as np

    stats = describe_lengths(prompts)
    assert stats.get_column("column").to_list() == ["prompt_tokens", "response_tokens"]
    for row in stats.iter_rows(named=True):
        values = prompts.get_column(row["column"]).to_numpy()
        p10, med, p90 = np.percentile(values, [10, 50, 90])
        assert row["count"] == len(values)
        assert row["median"] == pytest.approx(med)
        assert row["p10"] == pytest.approx(p10)
        assert row["p90"] == pytest.approx(p90)
        assert row["mean"] == pytest.approx(values.mean())
        assert row["p10"] <= row["median"] <= row["p90"]


def _corrupt(tmp_path, change) -> str:
    df = pl.read_csv(SAMPLE)
    path = tmp_path / "prompt_sample.csv"
    change(df).write_csv(path)
    return str(path)


def test_negative_length_fails_with_named_column(tmp_path):
    path = _corrupt(
        tmp_path,
        lambda df: df.with_columns(
            pl.when(pl.int_range(pl.len()) == 3)
            .then(-7)
            .otherwise(pl.col("response_tokens"))
            .alias("response_tokens")
        ),
    )
    with pytest.raises(TableValidationError) as err:
        load_prompts(path)
    message = str(err.value)
    assert "prompt_sample.csv" in message
    assert "response_tokens" in message
    assert "-7" in message


def test_missing_column_fails_with_its_name(tmp_path):
    path = _corrupt(tmp_path, lambda df: df.drop("prompt_tokens"))
    with pytest.raises(
        TableValidationError, match=r"missing required column\(s\) \['prompt_tokens'\]"
    ):
        load_prompts(path)


def test_prompt_shorter_than_its_template_fails(tmp_path):
    path = _corrupt(
        tmp_path, lambda df: df.with_columns(pl.col("prompt_text_tokens").alias("prompt_tokens"))
    )
    with pytest.raises(TableValidationError, match="chat_request_holds_the_prompt"):
        load_prompts(path)
