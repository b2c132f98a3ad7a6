"""A pinned sample of human-written prompts and their reference responses, in Llama 3 tokens.

resources/prompts/prompt_sample.csv (made by bench/make_prompt_sample.py; its README says
where the rows come from and how they were counted) gives the benchmark realistic request
shapes: each row is one (prompt length, response length) pair to replay. The file's row
order is a seeded random order, so its first n rows are a random sample of n.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandera.polars as pa
import polars as pl

from lmfootprint.core.errors import TableValidationError
from lmfootprint.core.schema import TableSchema
from lmfootprint.core.validation import read_csv_checked

# Llama 3 Instruct chat template, no system message: <|begin_of_text|>, the user header
# (<|start_header_id|> user <|end_header_id|> "\n\n"), <|eot_id|>, the assistant header
LLAMA3_CHAT_OVERHEAD_TOKENS = 10


class PromptSampleSchema(TableSchema):
    """resources/prompts/prompt_sample.csv: one replayable request per row."""

    prompt_id: str = pa.Field(unique=True, str_length={"min_value": 1})
    source_index: int = pa.Field(ge=0, unique=True)
    category: str = pa.Field(str_length={"min_value": 1})
    # the whole chat request (prompt in the Llama 3 chat template): what prefill sees
    prompt_tokens: int = pa.Field(gt=0)
    # the prompt text alone, no special tokens
    prompt_text_tokens: int = pa.Field(gt=0)
    # the reference response, no special tokens
    response_tokens: int = pa.Field(gt=0)
    # where the row came from: owner/repo@commit:path
    source: str = pa.Field(str_contains="@")
    tokenizer: str = pa.Field(str_length={"min_value": 1})

    @pa.dataframe_check
    def chat_request_holds_the_prompt(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """The templated request is the prompt text plus the template's tokens."""
        return data.lazyframe.select(
            pl.col("prompt_tokens") >= pl.col("prompt_text_tokens") + LLAMA3_CHAT_OVERHEAD_TOKENS
        )


def load_prompts(path: str | Path) -> pl.DataFrame:
    """The prompt sample, validated (TableValidationError names the file and the checks)."""
    return read_csv_checked(path, PromptSampleSchema)


@dataclass(frozen=True)
class ReplayPlan:
    """(prompt_tokens, response_tokens) pairs to replay, and the rows left out as too long."""

    pairs: list[tuple[int, int]]
    skipped_too_long: int


def plan_replay(prompts: pl.DataFrame, n: int, *, max_tokens: int | None = None) -> ReplayPlan:
    """The first ``n`` rows in file order (a seeded random order, so a random sample) as
    (prompt_tokens, response_tokens) pairs; a pair whose total exceeds ``max_tokens`` (a
    model's context) is left out and counted, not replaced by a later row, so that the plan
    for n rows is the same whatever the model."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if max_tokens is not None and max_tokens <= 0:
        raise ValueError(f"max_tokens must be > 0, got {max_tokens}")
    missing = [c for c in ("prompt_tokens", "response_tokens") if c not in prompts.columns]
    if missing:
        raise TableValidationError(f"prompt sample: missing column(s) {missing}")
    head = prompts.head(n).select("prompt_tokens", "response_tokens")
    pairs = [(int(p), int(r)) for p, r in head.iter_rows()]
    if max_tokens is None:
        return ReplayPlan(pairs, 0)
    kept = [(p, r) for p, r in pairs if p + r <= max_tokens]
    return ReplayPlan(kept, len(pairs) - len(kept))


def replay_plan(
    prompts: pl.DataFrame, n: int, *, max_tokens: int | None = None
) -> list[tuple[int, int]]:
    """The pairs of ``plan_replay`` (which also counts those left out)."""
    return plan_replay(prompts, n, max_tokens=max_tokens).pairs


def describe_lengths(
    prompts: pl.DataFrame, columns: tuple[str, ...] = ("prompt_tokens", "response_tokens")
) -> pl.DataFrame:
    """count, mean, p10, median, p90, min, max of each length column, one row per column
    (quantiles interpolated linearly, as numpy.percentile does by default)."""
    missing = [c for c in columns if c not in prompts.columns]
    if missing:
        raise TableValidationError(f"prompt sample: missing column(s) {missing}")
    rows = []
    for col in columns:
        s = prompts.get_column(col).cast(pl.Float64)
        rows.append(
            {
                "column": col,
                "count": s.len(),
                "mean": s.mean(),
                "p10": s.quantile(0.10, interpolation="linear"),
                "median": s.quantile(0.50, interpolation="linear"),
                "p90": s.quantile(0.90, interpolation="linear"),
                "min": s.min(),
                "max": s.max(),
            }
        )
    return pl.DataFrame(rows)


__all__ = [
    "LLAMA3_CHAT_OVERHEAD_TOKENS",
    "PromptSampleSchema",
    "ReplayPlan",
    "describe_lengths",
    "load_prompts",
    "plan_replay",
    "replay_plan",
]
