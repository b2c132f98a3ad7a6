"""Harness overhead: tokens/s through run_benchmark vs a bare model.generate loop.

Same model, same prompt, same run, alternating so drift hits both. Goal: ratio >= 0.95.
Usage: .venv/bin/python bench/harness_overhead.py [slug] [output_tokens] [batch]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import psutil
import torch

from lmfootprint.benchmark import Workload, generate, load_model, make_prompt, run_benchmark
from lmfootprint.meters import meter_for

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    slug = sys.argv[1] if len(sys.argv) > 1 else "HuggingFaceTB--SmolLM-135M"
    out_tokens = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    threads = psutil.cpu_count() or 1
    torch.set_num_threads(threads)
    model, weights = load_model(
        ROOT / "resources/hub" / slug / "config.json", None, "fp32", "cpu", 0
    )
    vocab = model.config.vocab_size
    meter = meter_for(
        "cpu",
        cpu_tdp_w=4.0 * threads,
        tdp_source="bench",
        ram_gb=psutil.virtual_memory().total / 1e9,
        ram_w_per_gb=0.375,
    )
    ids, mask = make_prompt(vocab, batch, 32, 0, "cpu")
    generate(model, ids, mask, 2)  # warm-up
    harness, bare = [], []
    for _ in range(5):
        w = Workload("bench", 32, out_tokens, (batch,), warmup=0, repeats=3)
        rows = run_benchmark(model, vocab_size=vocab, device="cpu", workload=w, meter=meter)
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
