"""The settings of one benchmark job that are not the model, the machine or the workload:
threads, the size budget, how energy is estimated where no meter reads it, and the idle window.

One value, built from the config in one place (``from_params``), so a new setting is one field
here and one line in the rule's params, not a keyword threaded through every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class JobSettings:
    dtype: str  # the device's configured dtype (a backend may run at another, e.g. a GGUF)
    threads: int
    max_params: float
    ram_w_per_gb: float
    idle_seconds_max: float
    cpu_tdp_w: float | None = None
    cpu_tdp_table: str | Path | None = None
    memory_bandwidth_gbps: float | None = None
    skip_missing_devices: bool = False
    use_zeus: bool = True
    seed: int = 0
    gguf_cache: str | Path | None = None  # benchmark.gguf_cache

    @classmethod
    def from_params(cls, params: dict[str, Any], **overrides: Any) -> JobSettings:
        """From the benchmark rule's params (a mapping of the same names); ``overrides`` are
        what the job decides where it runs (threads granted, bandwidth detected)."""
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in {**params, **overrides}.items() if k in names})
