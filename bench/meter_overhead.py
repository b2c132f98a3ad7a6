"""Meter overhead: wall time of the same generations with and without the energy meter.

Goal: metered / unmetered <= 1.02. Usage: .venv/bin/python bench/meter_overhead.py [slug]
"""

from __future__ import annotations

import statistics
import sys
import time

from _setup import cpu_setup

from lmfootprint.benchmark.transformers_backend import generate


def main() -> None:
    slug = sys.argv[1] if len(sys.argv) > 1 else "HuggingFaceTB--SmolLM-135M"
    model, _, ids, mask, meter, _ = cpu_setup(slug)
    generate(model, ids, mask, 2)
    plain, metered = [], []
    for _ in range(10):  # alternate so that drift affects both
        t0 = time.perf_counter()
        generate(model, ids, mask, 16)
        plain.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        meter.start()
        generate(model, ids, mask, 16)
        meter.stop()
        metered.append(time.perf_counter() - t0)
    ratio = statistics.median(metered) / statistics.median(plain)
    print(f"meter: {meter.method}")
    print(
        f"unmetered median {statistics.median(plain):.4f} s, "
        f"metered median {statistics.median(metered):.4f} s"
    )
    print(f"ratio metered/unmetered = {ratio:.4f} (goal <= 1.02)")


if __name__ == "__main__":
    main()
