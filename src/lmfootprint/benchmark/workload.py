"""What a benchmark job runs, and the memory it will need: the floor every backend stands on.

Backend-neutral by construction (it imports no backend): the registry checks a workload
against its backend (benchmark/registry.py), the backends read it, and the harness times it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from lmfootprint.benchmark.prompts import replay_plan
from lmfootprint.core.errors import LmFootprintError
from lmfootprint.models.memory import GB, weight_bytes


class WorkloadError(LmFootprintError, ValueError):
    """A configured workload the harness or its backend cannot run as written."""


@dataclass(frozen=True)
class Workload:
    name: str
    input_tokens: int
    output_tokens: int
    batch_sizes: tuple[int, ...]
    warmup: int = 1
    repeats: int = 3
    backend: str = "transformers"
    quantization: str | None = None
    # repeats continue while the noise (MAD / median) is above target, up to max_repeats
    max_repeats: int | None = None
    target_noise: float = 0.1
    # real requests to replay at batch 1, as (prompt tokens, response tokens) pairs: each
    # response is forced to its reference length (benchmark/prompts.py); empty: fixed lengths
    replay: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if self.repeats < 3:
            raise WorkloadError(
                f"workload {self.name}: repeats must be >= 3 (median and spread are reported)"
            )
        if self.output_tokens < 2 or self.input_tokens < 1:
            raise WorkloadError(
                f"workload {self.name}: input_tokens >= 1 and output_tokens >= 2 are required"
            )
        if self.replay and self.batch_sizes != (1,):
            raise WorkloadError(
                f"workload {self.name}: a replay runs one request at a time (batch_sizes [1])"
            )
        if self.repeat_limit < self.repeats:
            raise WorkloadError(
                f"workload {self.name}: max_repeats ({self.max_repeats}) is below repeats "
                f"({self.repeats})"
            )

    @property
    def repeat_limit(self) -> int:
        """The most repeats one batch size gets while its noise stays above target."""
        return self.max_repeats if self.max_repeats is not None else 3 * self.repeats

    @classmethod
    def from_spec(
        cls, name: str, spec: dict[str, Any], prompts: pl.DataFrame | None = None
    ) -> Workload:
        """A workload as the config states it (benchmark.workloads.<name>). A replay
        (``replay: N``) takes the first N requests of ``prompts``; its input and output
        tokens are the longest prompt and response, what memory and context must hold."""
        replay: tuple[tuple[int, int], ...] = ()
        if spec.get("replay"):
            if prompts is None:
                raise WorkloadError(f"workload {name}: a replay needs the prompt sample")
            replay = tuple(replay_plan(prompts, spec["replay"]))
        return cls(
            name=name,
            input_tokens=max(p for p, _ in replay) if replay else spec["input_tokens"],
            output_tokens=max(2, *(r for _, r in replay)) if replay else spec["output_tokens"],
            batch_sizes=tuple(spec["batch_sizes"]),
            warmup=spec.get("warmup", 1),
            repeats=spec.get("repeats", 3),
            backend=spec.get("backend", "transformers"),
            quantization=spec.get("quantization"),
            max_repeats=spec.get("max_repeats"),
            target_noise=spec.get("target_noise", 0.1),
            replay=replay,
        )

    def cache_tokens(self, batch: int) -> int:
        """Tokens the KV cache holds at the end of a generation of ``batch`` sequences."""
        return batch * (self.input_tokens + self.output_tokens)


def kv_gb_per_token(model: dict[str, Any]) -> float:
    """KV cache per token from the model row (its kv_cache_gb is for a stated context x batch)."""
    return model["kv_cache_gb"] / (model["memory_context_tokens"] * model["memory_batch_size"])


def predicted_memory_gb(model: dict[str, Any], dtype: str, cache_tokens: int) -> float:
    """Weights in the dtype they run at plus the KV cache of ``cache_tokens`` tokens, no
    margin: the one predictor behind both the skip check and the predicted_memory_gb column."""
    return weight_bytes(model["params_total"], dtype) / GB + kv_gb_per_token(model) * cache_tokens


def context_reason(model: dict[str, Any], workload: Workload) -> str | None:
    """Why a workload is not run on this model: its sequences (input + output tokens) are longer
    than the model's context (max_position_embeddings or its aliases). Past it a measurement
    describes no use anyone makes of the model (and learned positions fail outright)."""
    context = model.get("context_length")
    tokens = workload.input_tokens + workload.output_tokens
    if not context or tokens <= context:
        return None
    return (
        f"workload {workload.name!r} needs {tokens:,} tokens per sequence "
        f"({workload.input_tokens:,} in + {workload.output_tokens:,} out), "
        f"{tokens / context:.3g}x the model's context of "
        f"{context:,} (config.json max_position_embeddings or its alias); shorten the workload "
        "or leave this model out of it"
    )
