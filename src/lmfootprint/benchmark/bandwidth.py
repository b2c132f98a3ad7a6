"""This machine's memory bandwidth, measured: what a decode step on the CPU streams against.

Batch-1 decoding reads every weight once per token, so its speed is the bandwidth over the
model's bytes (times an efficiency the local-device model fits). Copying an array far larger
than the caches reads and writes every byte once; the best of a few copies is the figure
(a STREAM-copy style probe, one thread: numpy's copy does not spread over cores, so on a
machine with many memory channels it is a lower bound, and the record says so).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import numpy as np

PROBE_MB = 512
PROBES = 5


def measure_bandwidth_gbps(size_mb: int = PROBE_MB, probes: int = PROBES) -> dict[str, Any]:
    """{gbps, method, measured_at}: bytes read + written per copy over its best time."""
    src = np.ones(size_mb * 2**20 // 8, dtype=np.float64)
    dst = np.empty_like(src)
    np.copyto(dst, src)  # touch both arrays once, so page faults are not timed
    best = float("inf")
    for _ in range(probes):
        t0 = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - t0)
    moved = 2 * src.nbytes
    return {
        "gbps": moved / best / 1e9,
        "method": f"numpy copy of {size_mb} MB, best of {probes}, one thread (read + write "
        "counted): a lower bound where more channels or threads would add bandwidth",
        "measured_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
