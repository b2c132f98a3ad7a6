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
from typing import TYPE_CHECKING, Any

import polars as pl

from lmfootprint.benchmark.budget import budget_reason
from lmfootprint.benchmark.device import Device
from lmfootprint.benchmark.meters import DOMAINS, Meter, Reading
from lmfootprint.benchmark.workload import Workload

if TYPE_CHECKING:
    from lmfootprint.benchmark.backend import Generator

log = logging.getLogger(__name__)

# headroom over weights + KV cache (activations, allocator, runtime) before a job is run
MEMORY_MARGIN = 1.2


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
    left = max(0, workload.repeats - repeats_done) * mean_repeat_s
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


def noise(seconds: list[float]) -> float:
    """Median absolute deviation over the median: one slow outlier moves it little, so more
    repeats bring it down on a machine that is only sometimes busy (a range never shrinks)."""
    middle = statistics.median(seconds)
    return statistics.median(abs(s - middle) for s in seconds) / middle


def run_benchmark(backend: Generator, *, workload: Workload, meter: Meter) -> list[dict[str, Any]]:
    """Per-repeat rows: prefill (1 token) and full generation, each metered. The same loop
    serves every backend, so their rows compare. Past ``repeats``, more run while the full
    generations' noise is above ``target_noise`` (up to ``repeat_limit``). One INFO line per
    repeat says how long it took and about how long the job has left."""
    rows: list[dict[str, Any]] = []
    for index, batch in enumerate(workload.batch_sizes):
        for _ in range(workload.warmup):
            backend.generate(batch, 2)
        took: list[float] = []
        full_s: list[float] = []
        rep = 0
        while rep < workload.repeats or (
            rep < workload.repeat_limit and noise(full_s) > workload.target_noise
        ):
            t0 = time.perf_counter()
            pre, n1 = _metered(meter, backend, batch, 1)
            full, n = _metered(meter, backend, batch, workload.output_tokens)
            if n != workload.output_tokens or n1 != 1:
                raise RuntimeError(f"generated {n} tokens, expected {workload.output_tokens}")
            took.append(time.perf_counter() - t0)
            full_s.append(full.seconds)
            log.info(
                "%s batch %d: repeat %d/%d took %.1f s; about %s left",
                backend.name,
                batch,
                rep + 1,
                max(workload.repeats, rep + 1),
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
            rep += 1
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


def peak_memory_gb(device: Device) -> float:
    """The job's peak: torch's allocator on a GPU, the process's resident set elsewhere."""
    if device.is_gpu:
        import torch

        return torch.cuda.max_memory_allocated() / 1e9
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9  # kB on Linux


def _repeat_times() -> dict[str, pl.Expr]:
    """The repeats' time: median, range and noise (the same measure run_benchmark stops on)."""
    seconds = pl.col("seconds")
    return {
        "seconds_median": seconds.median(),
        "seconds_min": seconds.min(),
        "seconds_max": seconds.max(),
        "noise": (seconds - seconds.median()).abs().median() / seconds.median(),
    }


def _rates(idle_power_w: float) -> dict[str, pl.Expr]:
    """Per-token and per-second figures of a summary row, gross and net of the idle draw."""
    seconds, energy, tokens = pl.col("seconds_median"), pl.col("energy_j"), pl.col("tokens")
    return {
        "tokens_per_s": tokens / seconds,
        "spread": (pl.col("seconds_max") - pl.col("seconds_min")) / seconds,
        "j_per_token": energy / tokens,
        "j_per_token_net": (energy - idle_power_w * seconds).clip(lower_bound=0.0) / tokens,
        "avg_power_w": energy / seconds,
        "idle_power_w": pl.lit(idle_power_w),
    }


def summarise(
    raw: pl.DataFrame, *, output_tokens: int, idle_power_w: float, target_noise: float = 0.1
) -> pl.DataFrame:
    """One row per batch size: medians, spread, gross and net-of-idle energy per token, and
    ``flags`` saying what a reader should not trust (noise above target, a batch slower than
    batch 1)."""
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
    summary = (
        per.group_by("batch_size", maintain_order=True)
        .agg(
            repeats=pl.len(),
            **_repeat_times(),
            ttft_s=pl.col("seconds_prefill").median(),
            decode_s=pl.col("decode_s").median(),
            energy_j=pl.col("energy_j").median(),
            prefill_energy_j=pl.col("energy_j_prefill").median(),
            decode_energy_j=pl.col("decode_j").median(),
            prefill_share=pl.col("prefill_share").median(),
            tokens=pl.col("tokens").first(),
        )
        .with_columns(
            **_rates(idle_power_w),
            decode_tokens_per_s=pl.col("batch_size") * (output_tokens - 1) / pl.col("decode_s"),
            latency_ms_per_token=pl.col("decode_s") * 1000 / (output_tokens - 1),
            j_per_response=pl.col("energy_j") / pl.col("batch_size"),
        )
    )
    return summary.with_columns(flags=flags(summary, target_noise))


def flags(summary: pl.DataFrame, target_noise: float) -> pl.Series:
    """Per row, what makes it doubtful, joined by '; ' (null when nothing): noise above the
    target after every repeat allowed; a batch whose throughput is below batch 1's (more
    sequences per step can only help unless the machine was busy)."""
    single = summary.filter(pl.col("batch_size") == 1)["tokens_per_s"]
    base = single[0] if single.len() else None
    out = []
    for row in summary.iter_rows(named=True):
        found = []
        if row["noise"] > target_noise:
            found.append(
                f"noisy: {row['noise']:.0%} median deviation after {row['repeats']} repeats "
                f"(target {target_noise:.0%}); the machine was likely busy"
            )
        if base is not None and row["batch_size"] > 1 and row["tokens_per_s"] < base:
            found.append(
                f"batch {row['batch_size']} ran {row['tokens_per_s']:.3g} tokens/s, below batch "
                f"1's {base:.3g}: measured under contention"
            )
        out.append("; ".join(found) or None)
    return pl.Series("flags", out, dtype=pl.String)


def run_replay(backend: Generator, *, workload: Workload, meter: Meter) -> list[dict[str, Any]]:
    """Per-response rows of a replay: each request's prompt at its own length, its response
    forced to the reference length, one at a time (batch 1), each metered. A repeat replays
    every request; repeats go on while the repeats' total times disagree, as in
    ``run_benchmark``."""
    rows: list[dict[str, Any]] = []
    for _ in range(workload.warmup):
        backend.generate(1, 2, workload.replay[0][0])
    totals: list[float] = []
    rep = 0
    while rep < workload.repeats or (
        rep < workload.repeat_limit and noise(totals) > workload.target_noise
    ):
        total = 0.0
        for index, (prompt, response) in enumerate(workload.replay):
            meter.start()
            produced = backend.generate(1, response, prompt)
            r = meter.stop()
            if produced != response:
                raise RuntimeError(f"generated {produced} tokens, expected {response}")
            total += r.seconds
            rows.append(
                {
                    "batch_size": 1,
                    "repeat": rep,
                    "phase": "response",
                    "request": index,
                    "prompt_tokens": prompt,
                    "response_tokens": response,
                    "seconds": r.seconds,
                    "energy_j": r.joules,
                    "utilisation": r.utilisation,
                    **{f"{d}_j": r.by_domain.get(d) for d in DOMAINS},
                }
            )
        totals.append(total)
        rep += 1
        log.info(
            "%s replay of %d requests: repeat %d took %.1f s (noise %.0f%%)",
            backend.name,
            len(workload.replay),
            rep,
            total,
            100 * noise(totals),
        )
    return rows


def summarise_replay(
    raw: pl.DataFrame, *, idle_power_w: float, target_noise: float = 0.1
) -> pl.DataFrame:
    """One row for a replay: per response, its median time and energy (what a person waiting
    for an answer feels), and tokens/s and J/token over every response token (prompt
    processing included, as a chat user experiences it)."""
    per_repeat = raw.group_by("repeat", maintain_order=True).agg(
        seconds=pl.col("seconds").sum(),
        energy_j=pl.col("energy_j").sum(),
        tokens=pl.col("response_tokens").sum(),
        responses=pl.len(),
        prompt_tokens_mean=pl.col("prompt_tokens").mean(),
        response_tokens_mean=pl.col("response_tokens").mean(),
    )
    summary = per_repeat.select(
        batch_size=pl.lit(1),
        repeats=pl.len(),
        **_repeat_times(),
        energy_j=pl.col("energy_j").median(),
        tokens=pl.col("tokens").first(),
        responses=pl.col("responses").first(),
        prompt_tokens_mean=pl.col("prompt_tokens_mean").first(),
        response_tokens_mean=pl.col("response_tokens_mean").first(),
    ).with_columns(
        **_rates(idle_power_w),
        seconds_per_response=pl.col("seconds_median") / pl.col("responses"),
        # a replay times whole responses: no per-token decode latency of its own
        latency_ms_per_token=pl.lit(None, dtype=pl.Float64),
        j_per_response=pl.col("energy_j") / pl.col("responses"),
    )
    return summary.with_columns(flags=flags(summary, target_noise))
