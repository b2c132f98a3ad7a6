"""Energy meters. Each window returns joules and says how they were obtained.

- NVML: the GPU's total energy counter (Volta and newer), in mJ, read before and after.
- RAPL: Linux powercap package domains only (core/uncore/dram sub-domains would double
  count), with the counter's wrap-around at ``max_energy_range_uj`` handled.
- Estimate: CPU TDP x measured machine utilisation + RAM power per GB x size. Used only
  where no counter can be read, and always labelled ``estimated``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import psutil

POWERCAP = Path("/sys/class/powercap")


@dataclass(frozen=True)
class Reading:
    joules: float
    seconds: float
    utilisation: float | None = None


class Meter(Protocol):
    kind: str  # "measured" or "estimated"
    method: str

    def start(self) -> None: ...
    def stop(self) -> Reading: ...


def counter_delta(before: int, after: int, max_range: int) -> int:
    """Difference of a monotonically increasing counter that wraps at ``max_range``."""
    if after >= before:
        return after - before
    return after + (max_range - before)


def rapl_package_domains(root: Path = POWERCAP) -> list[Path]:
    """Top-level package domains (intel-rapl:N with name package-N), readable ones only."""
    domains = []
    for d in sorted(root.glob("intel-rapl:*")):
        if d.name.count(":") != 1:
            continue  # sub-domains (core, uncore, dram) live at intel-rapl:N:M
        name_file, energy = d / "name", d / "energy_uj"
        try:
            if name_file.read_text().strip().startswith("package") and energy.read_text():
                domains.append(d)
        except OSError:
            continue
    return domains


class RaplMeter:
    kind = "measured"

    def __init__(self, domains: list[Path]):
        if not domains:
            raise ValueError("no readable RAPL package domain")
        self.domains = domains
        self.ranges = [int((d / "max_energy_range_uj").read_text()) for d in domains]
        self.method = f"RAPL powercap, {len(domains)} package domain(s)"

    def _read(self) -> list[int]:
        return [int((d / "energy_uj").read_text()) for d in self.domains]

    def start(self) -> None:
        self._t0, self._e0 = time.perf_counter(), self._read()

    def stop(self) -> Reading:
        e1, t1 = self._read(), time.perf_counter()
        uj = sum(counter_delta(a, b, r) for a, b, r in zip(self._e0, e1, self.ranges, strict=True))
        return Reading(uj / 1e6, t1 - self._t0)


class NvmlMeter:
    """The GPU's cumulative energy counter (mJ since driver load), read around each window."""

    kind = "measured"

    def __init__(self, index: int, nvml=None):
        if nvml is None:
            import pynvml as nvml
        self._nvml = nvml
        nvml.nvmlInit()
        self.handle = nvml.nvmlDeviceGetHandleByIndex(index)
        self.method = "NVML total energy counter (GPU board only)"

    def _read_mj(self) -> int:
        return int(self._nvml.nvmlDeviceGetTotalEnergyConsumption(self.handle))

    @staticmethod
    def _sync() -> None:
        """Queued GPU work must finish inside the window it belongs to."""
        import torch

        if torch.cuda.is_available():
            torch.cuda.synchronize()

    def start(self) -> None:
        self._sync()
        self._t0, self._e0 = time.perf_counter(), self._read_mj()

    def stop(self) -> Reading:
        self._sync()
        e1, t1 = self._read_mj(), time.perf_counter()
        if e1 < self._e0:
            raise RuntimeError("NVML energy counter went backwards (driver reloaded?)")
        return Reading((e1 - self._e0) / 1e3, t1 - self._t0)


def busy_fraction(before, after) -> float:
    """Share of non-idle CPU time across all logical CPUs between two psutil.cpu_times()."""
    idle_fields = ("idle", "iowait")
    total = sum(getattr(after, f) - getattr(before, f) for f in after._fields)
    idle = sum(getattr(after, f, 0) - getattr(before, f, 0) for f in idle_fields)
    if total <= 0:
        return 0.0
    return min(1.0, max(0.0, (total - idle) / total))


class EstimateMeter:
    kind = "estimated"

    def __init__(self, cpu_tdp_w: float, tdp_source: str, ram_gb: float, ram_w_per_gb: float):
        if cpu_tdp_w <= 0 or ram_w_per_gb < 0:
            raise ValueError("TDP must be positive and RAM power non-negative")
        self.cpu_tdp_w, self.ram_w = cpu_tdp_w, ram_gb * ram_w_per_gb
        self.method = (
            f"estimate: CPU TDP {cpu_tdp_w:.1f} W ({tdp_source}) x measured utilisation"
            f" + RAM {ram_w_per_gb} W/GB x {ram_gb:.1f} GB"
        )

    def start(self) -> None:
        self._t0, self._c0 = time.perf_counter(), psutil.cpu_times()

    def stop(self) -> Reading:
        c1, t1 = psutil.cpu_times(), time.perf_counter()
        seconds = t1 - self._t0
        u = busy_fraction(self._c0, c1)
        return Reading((self.cpu_tdp_w * u + self.ram_w) * seconds, seconds, u)


def meter_for(
    device: str, *, cpu_tdp_w: float, tdp_source: str, ram_gb: float, ram_w_per_gb: float
) -> Meter:
    """The best meter this machine offers for ``device``: a counter, else a labelled estimate."""
    if device.startswith("cuda"):
        return NvmlMeter(int(device.split(":", 1)[1]) if ":" in device else 0)
    domains = rapl_package_domains()
    if domains:
        try:
            return RaplMeter(domains)
        except (OSError, ValueError):
            pass
    return EstimateMeter(cpu_tdp_w, tdp_source, ram_gb, ram_w_per_gb)
