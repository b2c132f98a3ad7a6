"""What hardware is present: CPU model and cores, RAM, NVIDIA GPUs through NVML."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path
from typing import Any

import psutil


def cpu_model() -> str:
    """The CPU's marketing name as the kernel reports it (no external tool needed)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        match = re.search(r"^model name\s*:\s*(.+)$", text, flags=re.M)
        if match:
            return match.group(1).strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def nvidia_gpus() -> list[dict[str, Any]]:
    """One record per NVIDIA GPU, or [] when NVML (nvidia-ml-py + driver) is absent."""
    try:
        import pynvml
    except ImportError:
        return []
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        return []
    try:
        driver = pynvml.nvmlSystemGetDriverVersion()
        gpus = []
        for i in range(pynvml.nvmlDeviceGetCount()):
            h = pynvml.nvmlDeviceGetHandleByIndex(i)
            name = pynvml.nvmlDeviceGetName(h)
            try:
                limit_w = pynvml.nvmlDeviceGetEnforcedPowerLimit(h) / 1000
            except pynvml.NVMLError:
                limit_w = None
            gpus.append(
                {
                    "index": i,
                    "name": name.decode() if isinstance(name, bytes) else name,
                    "memory_gb": pynvml.nvmlDeviceGetMemoryInfo(h).total / 1e9,
                    "power_limit_w": limit_w,
                    "driver": driver.decode() if isinstance(driver, bytes) else driver,
                }
            )
        return gpus
    finally:
        pynvml.nvmlShutdown()


def detect(device: str) -> dict[str, Any]:
    """The record of one benchmark device ('cpu' or 'cuda:N') and its host."""
    host = {
        "cpu_model": cpu_model(),
        "cpu_logical_cores": psutil.cpu_count(logical=True) or 1,
        "cpu_physical_cores": psutil.cpu_count(logical=False) or 1,
        "ram_gb": psutil.virtual_memory().total / 1e9,
        "os": f"{platform.system()} {platform.release()}",
        "rapl_readable": any(
            os.access(p, os.R_OK)
            for p in Path("/sys/class/powercap").glob("intel-rapl:*/energy_uj")
        )
        if Path("/sys/class/powercap").is_dir()
        else False,
    }
    record: dict[str, Any] = {"device": device, **host, "gpu": None}
    if device.startswith("cuda"):
        index = int(device.split(":", 1)[1]) if ":" in device else 0
        gpus = nvidia_gpus()
        if index >= len(gpus):
            record["available"] = False
            record["unavailable_reason"] = f"no NVIDIA GPU {index} (NVML sees {len(gpus)})"
        else:
            record["gpu"] = gpus[index]
            record["available"] = True
    else:
        record["available"] = True
    record["hardware"] = hardware_label(record)
    return record


def hardware_label(record: dict[str, Any]) -> str:
    if record.get("gpu"):
        return f"{record['gpu']['name']} (GPU {record['gpu']['index']})"
    return f"{record['cpu_model']} ({record['cpu_logical_cores']} threads)"
