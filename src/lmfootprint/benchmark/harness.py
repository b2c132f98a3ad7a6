"""Controlled inference benchmark: fixed prompt and output lengths, phases timed apart.

Output length is forced (min = max new tokens, no early stop on EOS), prompts are token ids
of the configured length, and the dtype is chosen, never inherited from config.json. Each
repeat is metered; an idle window of the same length gives the baseline for net energy.
"""

from __future__ import annotations

import logging
import resource
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from lmfootprint.benchmark.meters import Meter, Reading
from lmfootprint.models.architecture import read_config_json

log = logging.getLogger(__name__)

TORCH_DTYPES = {"fp32": "float32", "bf16": "bfloat16", "fp16": "float16"}
# bytes per parameter: torch dtypes, and llama.cpp quantisations at their bits per weight
BYTES = {
    "fp32": 4,
    "bf16": 2,
    "fp16": 2,
    "f16": 2,
    "q8_0": 8.5 / 8,
    "q4_0": 4.5 / 8,
    "q4_k_m": 4.89 / 8,
    "q5_k_m": 5.69 / 8,
    "q6_k": 6.56 / 8,
}


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
            raise ValueError("repeats must be >= 3 (median and spread are reported)")
        if self.output_tokens < 2 or self.input_tokens < 1:
            raise ValueError("input_tokens >= 1 and output_tokens >= 2 are required")
        if self.backend == "llama_cpp" and (
            self.quantization is None or set(self.batch_sizes) != {1}
        ):
            raise ValueError(
                f"workload {self.name}: backend llama_cpp needs a quantization and batch_sizes [1] "
                f"(got {self.quantization!r}, {list(self.batch_sizes)})"
            )


def has_local_weights(model_dir: Path | None) -> bool:
    return bool(model_dir) and any(Path(model_dir).glob("*.safetensors"))


def predicted_memory_gb(
    params_total: int, dtype: str, kv_gb_per_token: float, tokens: int
) -> float:
    """Weights in the benchmark dtype plus the KV cache of the largest batch, +20% margin."""
    return (params_total * BYTES[dtype] / 1e9 + kv_gb_per_token * tokens) * 1.2


def skip_reason(
    model: dict[str, Any],
    *,
    max_params: float,
    available_gb: float,
    dtype: str,
    workload: Workload,
    device_available: bool,
    device_reason: str | None,
) -> str | None:
    """Why a (model, device, workload) is not run here, or None when it is."""
    if not device_available:
        return device_reason or "device not available"
    if model["is_encoder_decoder"]:
        return "encoder-decoder models are not benchmarked by the causal-LM harness"
    if model["params_total"] > max_params:
        return (
            f"{model['params_total']:,} parameters is above benchmark.max_params "
            f"({max_params:,.0f}), the time budget of this run"
        )
    kv_per_token = model["kv_cache_gb"] / (
        model["memory_context_tokens"] * model["memory_batch_size"]
    )
    tokens = max(workload.batch_sizes) * (workload.input_tokens + workload.output_tokens)
    need = predicted_memory_gb(model["params_total"], dtype, kv_per_token, tokens)
    if need > available_gb:
        return f"predicted memory {need:.1f} GB exceeds the {available_gb:.1f} GB available"
    return None


def load_model(config_path: Path, weights_dir: Path | None, dtype: str, device: str, seed: int):
    """Real safetensors weights when present, else the architecture with random weights."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    torch_dtype = getattr(torch, TORCH_DTYPES[dtype])
    if has_local_weights(weights_dir):
        model = AutoModelForCausalLM.from_pretrained(
            weights_dir,
            dtype=torch_dtype,
            use_safetensors=True,
            trust_remote_code=False,
            local_files_only=True,
        )
        weights = "real"
    else:
        raw = read_config_json(config_path)
        clean = {k: v for k, v in raw.items() if k not in ("auto_map", "_name_or_path")}
        cfg = AutoConfig.for_model(clean.pop("model_type"), **clean)
        torch.manual_seed(seed)
        model = AutoModelForCausalLM.from_config(cfg, dtype=torch_dtype, trust_remote_code=False)
        weights = "random-init"
    return model.to(device).eval(), weights


def make_prompt(vocab_size: int, batch: int, tokens: int, seed: int, device: str):
    import torch

    gen = torch.Generator().manual_seed(seed)
    ids = torch.randint(10, max(11, vocab_size - 1), (batch, tokens), generator=gen)
    return ids.to(device), torch.ones_like(ids).to(device)


def generate(model, ids, mask, new_tokens: int) -> int:
    """Exactly ``new_tokens`` greedy tokens per sequence; returns how many were produced."""
    import torch

    with torch.inference_mode():
        out = model.generate(
            input_ids=ids,
            attention_mask=mask,
            do_sample=False,
            min_new_tokens=new_tokens,
            max_new_tokens=new_tokens,
            eos_token_id=None,
            pad_token_id=0,
        )
    return int(out.shape[1] - ids.shape[1])


class TransformersRunner:
    """Greedy forced-length generation with transformers; prompts cached per batch size."""

    backend = "transformers"

    def __init__(self, model, *, vocab_size: int, device: str, input_tokens: int, seed: int = 0):
        self.model, self.vocab_size, self.device = model, vocab_size, device
        self.input_tokens, self.seed = input_tokens, seed
        self._prompts: dict[int, tuple] = {}

    def generate(self, batch: int, new_tokens: int) -> int:
        if batch not in self._prompts:
            self._prompts[batch] = make_prompt(
                self.vocab_size, batch, self.input_tokens, self.seed, self.device
            )
        ids, mask = self._prompts[batch]
        return generate(self.model, ids, mask, new_tokens)


class Runner(Protocol):
    """A backend: generate exactly ``new_tokens`` tokens for ``batch`` sequences."""

    backend: str

    def generate(self, batch: int, new_tokens: int) -> int: ...


def _metered(meter: Meter, runner: Runner, batch: int, new_tokens: int) -> tuple[Reading, int]:
    meter.start()
    produced = runner.generate(batch, new_tokens)
    return meter.stop(), produced


def run_benchmark(runner: Runner, *, workload: Workload, meter: Meter) -> list[dict[str, Any]]:
    """Per-repeat rows: prefill (1 token) and full generation, each metered. The same loop
    serves every backend, so their rows compare."""
    rows: list[dict[str, Any]] = []
    for batch in workload.batch_sizes:
        for _ in range(workload.warmup):
            runner.generate(batch, 2)
        for rep in range(workload.repeats):
            pre, n1 = _metered(meter, runner, batch, 1)
            full, n = _metered(meter, runner, batch, workload.output_tokens)
            if n != workload.output_tokens or n1 != 1:
                raise RuntimeError(f"generated {n} tokens, expected {workload.output_tokens}")
            for phase, r in (("prefill", pre), ("full", full)):
                rows.append(
                    {
                        "batch_size": batch,
                        "repeat": rep,
                        "phase": phase,
                        "seconds": r.seconds,
                        "energy_j": r.joules,
                        "utilisation": r.utilisation,
                    }
                )
        log.info(
            "%s batch %d: median full generation %.3f s",
            runner.backend,
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
            prefill_share=pl.col("ttft_s") / pl.col("seconds_median"),
        )
    )
