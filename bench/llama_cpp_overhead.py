"""llama.cpp harness overhead: tokens/s through the benchmark harness (LlamaCppGenerator under
run_benchmark and its meter) vs a bare decode loop on llama.cpp's C API (llama_decode on a
one-token batch, argmax of llama_get_logits_ith), same GGUF file, same context, same threads.

Alternating so drift hits both. Goal: ratio >= 0.95.
Usage: .venv/bin/python bench/llama_cpp_overhead.py [slug] [quantization] [new_tokens]
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
import psutil

from lmfootprint.benchmark.device import Device
from lmfootprint.benchmark.harness import run_benchmark, summarise
from lmfootprint.benchmark.llama_cpp import LlamaCppGenerator, prepare_gguf
from lmfootprint.benchmark.meters import meter_for
from lmfootprint.benchmark.workload import Workload

ROOT = Path(__file__).resolve().parents[1]
PROMPT = 32


def bare_decode_s(gen: LlamaCppGenerator, new_tokens: int) -> float:
    """Seconds for new_tokens greedy tokens after the prompt, straight on the C API."""
    import llama_cpp

    ctx, vocab = gen.llm.ctx, gen.vocab
    llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(ctx), True)
    prompt = (llama_cpp.llama_token * PROMPT)(*gen.prompt[:PROMPT])
    if llama_cpp.llama_decode(ctx, llama_cpp.llama_batch_get_one(prompt, PROMPT)) != 0:
        raise RuntimeError("llama_decode failed on the prompt")
    token = (llama_cpp.llama_token * 1)()
    t0 = time.perf_counter()
    for _ in range(new_tokens - 1):
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx, -1), shape=(vocab,))
        token[0] = int(logits.argmax())
        if llama_cpp.llama_decode(ctx, llama_cpp.llama_batch_get_one(token, 1)) != 0:
            raise RuntimeError("llama_decode failed")
    return time.perf_counter() - t0


def main() -> None:
    slug = sys.argv[1] if len(sys.argv) > 1 else "meta-llama--Llama-3.2-1B"
    quant = sys.argv[2] if len(sys.argv) > 2 else "q4_k_m"
    new = int(sys.argv[3]) if len(sys.argv) > 3 else 64
    threads = psutil.cpu_count(logical=False) or 1
    raw = json.loads((ROOT / "resources/hub" / slug / "config.json").read_text())
    meter = meter_for(
        Device.parse("cpu"),
        cpu_tdp_w=4.0 * threads,
        tdp_source="bench",
        ram_gb=psutil.virtual_memory().total / 1e9,
        ram_w_per_gb=0.375,
    )
    with tempfile.TemporaryDirectory() as scratch:
        path, weights = prepare_gguf(raw, None, quant, Path(scratch), threads=threads)
        gen = LlamaCppGenerator(path, threads=threads, input_tokens=PROMPT, output_tokens=new)
        gen.generate(1, 4)  # warm-up
        harness, bare = [], []
        for _ in range(3):
            w = Workload("bench", PROMPT, new, (1,), warmup=0, repeats=3, max_repeats=3)
            summary = summarise(
                pl.DataFrame(run_benchmark(gen, workload=w, meter=meter)),
                output_tokens=new,
                idle_power_w=0.0,
            )
            harness.append(summary["decode_tokens_per_s"][0])
            bare += [(new - 1) / bare_decode_s(gen, new) for _ in range(3)]
        import llama_cpp

        print(f"{slug} {quant} ({weights}), {threads} threads, {new} new tokens, {PROMPT} prompt")
        print(f"llama-cpp-python {llama_cpp.__version__}; meter: {meter.method}")
        tps_h, tps_b = statistics.median(harness), statistics.median(bare)
        print(f"harness decode: {tps_h:.2f} tokens/s (median of {len(harness)} summaries)")
        print(f"bare C-API loop: {tps_b:.2f} tokens/s (median of {len(bare)})")
        print(f"ratio harness/bare = {tps_h / tps_b:.3f} (goal >= 0.95)")


if __name__ == "__main__":
    main()
