"""Harness overhead: tokens/s through run_benchmark vs a bare model.generate loop.

Same model, same prompt, same run, alternating so drift hits both. Goal: ratio >= 0.95.
Usage: .venv/bin/python bench/harness_overhead.py [slug] [output_tokens] [batch]
"""

from __future__ import annotations

import statistics
import sys
import time

from _setup import cpu_setup

from lmfootprint.benchmark.harness import run_benchmark
from lmfootprint.benchmark.transformers_backend import TransformersGenerator, generate
from lmfootprint.benchmark.workload import Workload


def main() -> None:
    slug = sys.argv[1] if len(sys.argv) > 1 else "HuggingFaceTB--SmolLM-135M"
    out_tokens = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    model, weights, ids, mask, meter, threads = cpu_setup(slug, batch)
    vocab = model.config.vocab_size
    generate(model, ids, mask, 2)  # warm-up
    harness, bare = [], []
    for _ in range(5):
        w = Workload("bench", 32, out_tokens, (batch,), warmup=0, repeats=3)
        runner = TransformersGenerator(model, vocab_size=vocab, device="cpu", input_tokens=32)
        rows = run_benchmark(runner, workload=w, meter=meter)
        harness += [r["seconds"] for r in rows if r["phase"] == "full"]
        for _ in range(3):
            t0 = time.perf_counter()
            generate(model, ids, mask, out_tokens)
            bare.append(time.perf_counter() - t0)
    tps_h = batch * out_tokens / statistics.median(harness)
    tps_b = batch * out_tokens / statistics.median(bare)
    print(
        f"model {slug} ({weights}), fp32, {threads} threads, batch {batch}, {out_tokens} new tokens"
    )
    print(f"harness: {tps_h:.2f} tok/s (median of {len(harness)}), meter: {meter.method}")
    print(f"bare generate loop: {tps_b:.2f} tok/s (median of {len(bare)})")
    print(f"ratio harness/bare = {tps_h / tps_b:.3f} (goal >= 0.95)")


if __name__ == "__main__":
    main()
