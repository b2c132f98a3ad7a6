"""Controlled inference benchmark: fixed prompt and output lengths, phases timed apart.

Backend-neutral: the workload, the memory check, the metered loop and the summary are the
same for every backend (benchmark/backend.py), so their rows compare. Output length is
forced (min = max new tokens, no early stop on EOS) and prompts are token ids of the
configured length. Each repeat is metered; an idle window of the same length gives the
baseline for net energy.
"""

from __future__ import annotations

import logging
import resource
import statistics
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from lmfootprint.benchmark.budget import budget_reason
from lmfootprint.benchmark.meters import DOMAINS, Meter, Reading
from lmfootprint.core.errors import LmFootprintError
from lmfootprint.models.memory import GB, weight_bytes

if TYPE_CHECKING:
    from lmfootprint.benchmark.backend import Generator

log = logging.getLogger(__name__)

# headroom over weights + KV cache (activations, allocator, runtime) before a job is run
MEMORY_MARGIN = 1.2


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

    def __post_init__(self) -> None:
        if self.repeats < 3:
            raise WorkloadError(
                f"workload {self.name}: repeats must be >= 3 (median and spread are reported)"
            )
        if self.output_tokens < 2 or self.input_tokens < 1:
            raise WorkloadError(
                f"workload {self.name}: input_tokens >= 1 and output_tokens >= 2 are required"
            )
        from lmfootprint.benchmark.backend import backend_class

        try:
            backend = backend_class(self.backend)
        except WorkloadError as exc:
            raise WorkloadError(f"workload {self.name}: {exc}") from None
        problem = backend.workload_problem(self)
        if problem:
            raise WorkloadError(f"workload {self.name}: {problem}")

    @classmethod
    def from_spec(cls, name: str, spec: dict[str, Any]) -> Workload:
        """A workload as the config states it (benchmark.workloads.<name>)."""
        return cls(
            name=name,
            input_tokens=spec["input_tokens"],
            output_tokens=spec["output_tokens"],
            batch_sizes=tuple(spec["batch_sizes"]),
            warmup=spec.get("warmup", 1),
            repeats=spec.get("repeats", 3),
            backend=spec.get("backend", "transformers"),
            quantization=spec.get("quantization"),
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


def skip_reason(
    model: dict[str, Any],
    *,
    max_params: float,
    available_gb: float,
    predicted_gb: float,
    device_available: bool,
    device_reason: str | None,
) -> str | None:
    """Why a (model, device, workload) is not run here, or None when the backend may try.
    ``predicted_gb`` is the largest batch's prediction; MEMORY_MARGIN is added here."""
    if not device_available:
        return device_reason or "device not available"
    if model["is_encoder_decoder"]:
        return "encoder-decoder models are not benchmarked by the causal-LM harness"
    over = budget_reason(model["params_total"], max_params)
    if over:
        return over
    need = predicted_gb * MEMORY_MARGIN
    if need > available_gb:
        return (
            f"predicted memory {need:.1f} GB (+{MEMORY_MARGIN - 1:.0%} margin) exceeds the "
            f"{available_gb:.1f} GB available"
        )
    return None


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


def _metered(meter: Meter, backend: Generator, batch: int, new_tokens: int) -> tuple[Reading, int]:
    meter.start()
    produced = backend.generate(batch, new_tokens)
    return meter.stop(), produced


def time_left_s(
    workload: Workload, batch_index: int, repeats_done: int, mean_repeat_s: float
) -> float:
    """Seconds still to run: the repeats left at this batch size at their mean so far, and
    every later batch size's repeats scaled by batch size (an upper estimate on a GPU, where
    a larger batch costs less than in proportion)."""
    batch = workload.batch_sizes[batch_index]
    left = (workload.repeats - repeats_done) * mean_repeat_s
    for later in workload.batch_sizes[batch_index + 1 :]:
        left += workload.repeats * mean_repeat_s * later / batch
    return left


def human_seconds(seconds: float) -> str:
    """'40 s', '12 min', '2.5 h': precise enough for a progress line."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def run_benchmark(backend: Generator, *, workload: Workload, meter: Meter) -> list[dict[str, Any]]:
    """Per-repeat rows: prefill (1 token) and full generation, each metered. The same loop
    serves every backend, so their rows compare. One INFO line per repeat says how long it
    took and about how long the job has left, so a long job shows it is moving."""
    rows: list[dict[str, Any]] = []
    for index, batch in enumerate(workload.batch_sizes):
        for _ in range(workload.warmup):
            backend.generate(batch, 2)
        took: list[float] = []
        for rep in range(workload.repeats):
            t0 = time.perf_counter()
            pre, n1 = _metered(meter, backend, batch, 1)
            full, n = _metered(meter, backend, batch, workload.output_tokens)
            if n != workload.output_tokens or n1 != 1:
                raise RuntimeError(f"generated {n} tokens, expected {workload.output_tokens}")
            took.append(time.perf_counter() - t0)
            log.info(
                "%s batch %d: repeat %d/%d took %.1f s; about %s left",
                backend.name,
                batch,
                rep + 1,
                workload.repeats,
                took[-1],
                human_seconds(time_left_s(workload, index, rep + 1, statistics.fmean(took))),
            )
            for phase, r in (("prefill", pre), ("full", full)):
                rows.append(
                    {
                        "batch_size": batch,
                        "repeat": rep,
                        "phase": phase,
                        "seconds": r.seconds,
                        "energy_j": r.joules,
                        "utilisation": r.utilisation,
                        # every domain the meter read (emissions.csv splits by domain)
                        **{f"{d}_j": r.by_domain.get(d) for d in DOMAINS},
                    }
                )
        log.info(
            "%s batch %d: median full generation %.3f s",
            backend.name,
            batch,
            statistics.median(
                r["seconds"] for r in rows if r["batch_size"] == batch and r["phase"] == "full"
            ),
        )
    return rows


def idle_baseline(meter: Meter, seconds: float) -> Reading:
    """The same meter over an idle window, to subtract what the machine draws anyway."""
    meter.start()
    time.sleep(seconds)
    return meter.stop()


def peak_memory_gb(device: str) -> float:
    if device.startswith("cuda"):
        import torch

        return torch.cuda.max_memory_allocated() / 1e9
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9  # kB on Linux


def summarise(raw: pl.DataFrame, *, output_tokens: int, idle_power_w: float) -> pl.DataFrame:
    """One row per batch size: medians, spread, gross and net-of-idle energy per token."""
    full = raw.filter(pl.col("phase") == "full")
    pre = raw.filter(pl.col("phase") == "prefill")
    joined = full.join(pre, on=["batch_size", "repeat"], suffix="_prefill")
    per = joined.with_columns(
        decode_s=(pl.col("seconds") - pl.col("seconds_prefill")).clip(lower_bound=1e-9),
        decode_j=(pl.col("energy_j") - pl.col("energy_j_prefill")).clip(lower_bound=0.0),
        tokens=pl.col("batch_size") * output_tokens,
        # prefill and full generation are separate runs: on a busy machine a short model's
        # prefill can take longer than its full run; the share is paired per repeat and at
        # most 1 (decode then below the noise), never a ratio of two unrelated medians
        prefill_share=(pl.col("seconds_prefill") / pl.col("seconds")).clip(upper_bound=1.0),
    )
    return (
        per.group_by("batch_size", maintain_order=True)
        .agg(
            repeats=pl.len(),
            seconds_median=pl.col("seconds").median(),
            seconds_min=pl.col("seconds").min(),
            seconds_max=pl.col("seconds").max(),
            ttft_s=pl.col("seconds_prefill").median(),
            decode_s=pl.col("decode_s").median(),
            energy_j=pl.col("energy_j").median(),
            prefill_energy_j=pl.col("energy_j_prefill").median(),
            decode_energy_j=pl.col("decode_j").median(),
            prefill_share=pl.col("prefill_share").median(),
            tokens=pl.col("tokens").first(),
        )
        .with_columns(
            tokens_per_s=pl.col("tokens") / pl.col("seconds_median"),
            decode_tokens_per_s=pl.col("batch_size") * (output_tokens - 1) / pl.col("decode_s"),
            latency_ms_per_token=pl.col("decode_s") * 1000 / (output_tokens - 1),
            spread=(pl.col("seconds_max") - pl.col("seconds_min")) / pl.col("seconds_median"),
            j_per_token=pl.col("energy_j") / pl.col("tokens"),
            j_per_token_net=(pl.col("energy_j") - idle_power_w * pl.col("seconds_median")).clip(
                lower_bound=0.0
            )
            / pl.col("tokens"),
            j_per_response=pl.col("energy_j") / pl.col("batch_size"),
            avg_power_w=pl.col("energy_j") / pl.col("seconds_median"),
            idle_power_w=pl.lit(idle_power_w),
        )
    )
