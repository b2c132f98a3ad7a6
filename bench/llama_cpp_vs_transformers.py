"""transformers fp32 vs llama.cpp f16 / q8_0 / q4_k_m: tokens/s and J/token, batch 1, one run.

The same model architecture (random weights), the same forced output length, the same meter
and measurement loop (run_benchmark) for every backend, on every CPU thread.
Usage: .venv/bin/python bench/llama_cpp_vs_transformers.py [slug] [output_tokens]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from _setup import ROOT, cpu_setup

from lmfootprint.benchmark.harness import run_benchmark
from lmfootprint.benchmark.llama_cpp import LlamaCppGenerator, prepare_gguf
from lmfootprint.benchmark.transformers_backend import TransformersGenerator
from lmfootprint.benchmark.workload import Workload
from lmfootprint.models.config_json import read_config_json


def measure(runner, out_tokens: int, meter) -> tuple[float, float]:
    w = Workload("bench", 32, out_tokens, (1,), warmup=1, repeats=5)
    rows = [r for r in run_benchmark(runner, workload=w, meter=meter) if r["phase"] == "full"]
    seconds = statistics.median(r["seconds"] for r in rows)
    joules = statistics.median(r["energy_j"] for r in rows)
    return out_tokens / seconds, joules / out_tokens


def main() -> None:
    slug = sys.argv[1] if len(sys.argv) > 1 else "HuggingFaceTB--SmolLM-135M"
    out_tokens = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    model, weights, _, _, meter, threads = cpu_setup(slug)
    results = {}
    runner = TransformersGenerator(
        model, vocab_size=model.config.vocab_size, device="cpu", input_tokens=32
    )
    results["transformers fp32"] = measure(runner, out_tokens, meter)
    del model, runner
    raw = read_config_json(ROOT / "resources/hub" / slug / "config.json")
    with tempfile.TemporaryDirectory() as scratch:
        for quant in ("f16", "q8_0", "q4_k_m"):
            t0 = time.perf_counter()
            path, _ = prepare_gguf(raw, None, quant, Path(scratch), threads=threads)
            prep = time.perf_counter() - t0
            runner = LlamaCppGenerator(
                path, threads=threads, input_tokens=32, output_tokens=out_tokens
            )
            results[f"llama.cpp {quant}"] = measure(runner, out_tokens, meter)
            print(f"  {quant}: GGUF {path.stat().st_size / 1e6:.0f} MB, written in {prep:.1f} s")
            del runner
    base_tps, base_j = results["transformers fp32"]
    print(f"model {slug} ({weights}), batch 1, 32 in / {out_tokens} out, {threads} threads")
    print(f"meter: {meter.method}")
    for name, (tps, j) in results.items():
        print(
            f"{name:20s} {tps:7.2f} tok/s  {j:.3f} J/token  "
            f"speed x{tps / base_tps:.2f}  energy x{j / base_j:.2f} vs transformers fp32"
        )


if __name__ == "__main__":
    main()
