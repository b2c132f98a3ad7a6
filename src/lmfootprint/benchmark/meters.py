"""Energy meters. Each window returns joules and says how they were obtained.

- Zeus (``zeus.monitor.ZeusMonitor``), preferred wherever it is importable: NVIDIA and AMD
  GPUs, CPU package and DRAM through RAPL, Apple silicon's SoC. On a GPU it approximates a
  window shorter than the energy counter's update period (a 1-token prefill) as instant
  power x time, where a bare counter would read zero.
- NVML: the GPU's total energy counter (Volta and newer), in mJ, read before and after.
- RAPL: Linux powercap package domains only (core/uncore/dram sub-domains would double
  count), with the counter's wrap-around at ``max_energy_range_uj`` handled.
- Estimate: CPU TDP x measured machine utilisation + RAM power per GB x size. Used only
  where no counter can be read, and always labelled ``estimated``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import psutil

from lmfootprint.benchmark.device import Device

POWERCAP = Path("/sys/class/powercap")


# the energy domains a reading may split into (CodeCarbon's cpu / gpu / ram columns)
DOMAINS = ("gpu", "cpu", "dram")


@dataclass(frozen=True)
class Reading:
    """One window: ``joules`` of the meter's headline domains (``Meter.domains``), and every
    domain it read, headline or not, in ``by_domain`` (joules per domain of DOMAINS)."""

    joules: float
    seconds: float
    utilisation: float | None = None
    by_domain: Mapping[str, float] = field(default_factory=dict)


class Meter(Protocol):
    kind: str  # "measured" or "estimated"
    method: str
    domains: str  # what ``joules`` covers, e.g. "gpu" or "cpu+dram"

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
    domains = "cpu"

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
        return Reading(uj / 1e6, t1 - self._t0, by_domain={"cpu": uj / 1e6})


class NvmlMeter:
    """The GPU's cumulative energy counter (mJ since driver load), read around each window."""

    kind = "measured"
    domains = "gpu"

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
        joules = (e1 - self._e0) / 1e3
        return Reading(joules, t1 - self._t0, by_domain={"gpu": joules})


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
    domains = "cpu+dram"

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
        cpu, dram = self.cpu_tdp_w * u * seconds, self.ram_w * seconds
        return Reading(cpu + dram, seconds, u, by_domain={"cpu": cpu, "dram": dram})


def _sum(values: Mapping[int, float] | None) -> float | None:
    return None if not values else float(sum(values.values()))


def reading_from_measurement(measurement: Any, headline: tuple[str, ...]) -> Reading:
    """A Reading from a ``zeus.monitor.Measurement`` (joules per GPU, CPU package and DRAM;
    Apple silicon's SoC fields are in mJ). ``joules`` sums the ``headline`` domains."""
    by_domain = {
        "gpu": _sum(measurement.gpu_energy),
        "cpu": _sum(measurement.cpu_energy),
        "dram": _sum(measurement.dram_energy),
    }
    soc = measurement.soc_energy
    if soc is not None:  # Apple silicon: CPU, DRAM and on-chip GPU, in mJ
        for domain, attr in (("cpu", "cpu_total_mj"), ("dram", "dram_mj"), ("gpu", "gpu_mj")):
            value = getattr(soc, attr, None)
            if value is not None:
                by_domain[domain] = (by_domain[domain] or 0.0) + value / 1e3
    present = {k: v for k, v in by_domain.items() if v is not None}
    missing = [d for d in headline if d not in present]
    if missing:
        raise RuntimeError(f"Zeus measured no {'/'.join(missing)} energy in this window")
    return Reading(sum(present[d] for d in headline), float(measurement.time), by_domain=present)


class ZeusMeter:
    """Windows of a ``zeus.monitor.ZeusMonitor`` (or anything with its begin_window and
    end_window, e.g. zeus.utils.testing.ReplayZeusMonitor)."""

    kind = "measured"

    def __init__(self, monitor: Any, headline: tuple[str, ...], method: str):
        self.monitor, self.headline, self.method = monitor, headline, method
        self.domains = "+".join(headline)
        self._windows = 0

    def start(self) -> None:
        self._windows += 1
        self.monitor.begin_window(self._key(), sync_execution=True)

    def stop(self) -> Reading:
        measurement = self.monitor.end_window(self._key(), sync_execution=True)
        return reading_from_measurement(measurement, self.headline)

    def _key(self) -> str:
        return f"lmfootprint-{self._windows}"


def zeus_meter(device: Device) -> ZeusMeter | None:
    """A Zeus meter of ``device`` ('cuda:N', 'mps' or 'cpu'), or None when Zeus is not
    installed or sees nothing to meter there (then the caller falls back)."""
    try:
        import zeus
        from zeus.monitor import ZeusMonitor
    except ImportError:
        return None
    version = f"Zeus {zeus.__version__} ZeusMonitor"
    if device.is_gpu:
        from zeus.device import get_gpus
        from zeus.device.gpu.common import ZeusGPUInitError

        index = device.index
        try:
            if index >= len(get_gpus()):  # NVIDIA through NVML, else AMD through amdsmi
                return None
        except ZeusGPUInitError:
            return None
        # every CPU package Zeus can read rides along (CodeCarbon's cpu/ram columns)
        monitor = ZeusMonitor(gpu_indices=[index], approx_instant_energy=True)
        name = monitor.gpus.get_name(index)
        rapl = f", host CPU/DRAM through RAPL ({len(monitor.cpu_indices)} packages)"
        return ZeusMeter(
            monitor,
            ("gpu",),
            f"{version}: {name} energy counter (GPU board only; windows shorter than the"
            f" counter's update period approximated as power x time)"
            + (rapl if monitor.cpu_indices else ""),
        )
    monitor = ZeusMonitor(gpu_indices=[])
    if monitor.soc_is_present:
        headline = ("gpu",) if device.kind == "mps" else ("cpu", "dram")
        return ZeusMeter(monitor, headline, f"{version}: Apple silicon SoC {'+'.join(headline)}")
    if device.kind == "cpu" and monitor.cpu_indices:
        try:
            dram = monitor.cpus.supports_get_dram_energy_consumption(0)
        except Exception:  # noqa: BLE001 - any failure: meter the package alone
            dram = False
        headline = ("cpu", "dram") if dram else ("cpu",)
        return ZeusMeter(
            monitor,
            headline,
            f"{version}: RAPL, {len(monitor.cpu_indices)} package(s)" + (" + DRAM" if dram else ""),
        )
    return None


def meter_for(
    device: Device,
    *,
    cpu_tdp_w: float,
    tdp_source: str,
    ram_gb: float,
    ram_w_per_gb: float,
    use_zeus: bool = True,
) -> Meter:
    """The best meter this machine offers for ``device``: Zeus, else our own counter (NVML,
    RAPL package domains), else a labelled estimate."""
    if use_zeus:
        found = zeus_meter(device)
        if found is not None:
            return found
    if device.is_gpu:
        from lmfootprint.benchmark.detect_hardware import nvml_index

        return NvmlMeter(nvml_index(device.index))
    domains = rapl_package_domains()
    if domains:
        try:
            return RaplMeter(domains)
        except (OSError, ValueError):
            pass
    return EstimateMeter(cpu_tdp_w, tdp_source, ram_gb, ram_w_per_gb)
