"""This machine's memory read bandwidth, measured: what a decode step on the CPU streams at.

Batch-1 decoding reads every weight once per token, so its speed is the read bandwidth over the
model's bytes (times an efficiency the local-device model fits). Summing an array far larger
than the caches, in one chunk per thread on every core, reads each byte once; the best of a
few passes is the figure (STREAM-like; numpy releases the GIL while it sums). A one-thread copy
understates it: on this project's 2-core VM it gave 27 GB/s against 37 GB/s read on both
cores, and llama.cpp's 8B decode streamed 30 GB/s, above the copy's figure.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

PROBE_MB = 512
PROBES = 5


def measure_bandwidth_gbps(
    size_mb: int = PROBE_MB, probes: int = PROBES, threads: int | None = None
) -> dict[str, Any]:
    """{gbps, method, measured_at}: bytes read per pass over its best time."""
    workers = threads or os.cpu_count() or 1
    data = np.ones(size_mb * 2**20 // 8, dtype=np.float64)
    chunks = np.array_split(data, workers * 4)
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(np.add.reduce, chunks))  # touch every page once, untimed
        best = float("inf")
        for _ in range(probes):
            t0 = time.perf_counter()
            list(pool.map(np.add.reduce, chunks))
            best = min(best, time.perf_counter() - t0)
    return {
        "gbps": data.nbytes / best / 1e9,
        "method": f"read of {size_mb} MB in {workers} threads (numpy sum), best of {probes}",
        "measured_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
