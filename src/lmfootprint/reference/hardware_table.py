"""Hardware specs (resources/hardware.csv) and the CPU TDP lookup in CodeCarbon's table."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from lmfootprint.core.validation import read_csv_checked
from lmfootprint.reference.schemas import HardwareSchema


def load_hardware(path: str | Path) -> pl.DataFrame:
    return read_csv_checked(path, HardwareSchema)


def _tokens(text: str) -> list[str]:
    cleaned = re.sub(r"\((R|TM)\)|CPU|Processor|@.*$|\d+-Core", " ", text, flags=re.I)
    return [t for t in re.split(r"[\s,]+", cleaned.lower()) if t]


def lookup_cpu_tdp(cpu_model: str, table: str | Path) -> tuple[float, str] | None:
    """TDP of the running CPU from CodeCarbon's table: the longest table name whose tokens
    all appear in the model string and that includes its model number. None if no match."""
    model_tokens = set(_tokens(cpu_model))
    if not model_tokens:
        return None
    df = pl.read_csv(table, infer_schema=False)
    best = None
    for name, tdp in df.select("Name", "TDP").iter_rows():
        tokens = _tokens(name)
        if not tokens or not any(re.search(r"\d", t) for t in tokens):
            continue  # a bare family name ("EPYC") says nothing about power
        if set(tokens) <= model_tokens and (best is None or len(tokens) > len(best[0])):
            best = (tokens, float(tdp), name)
    if best is None:
        return None
    return best[1], f"CodeCarbon cpu_power.csv match '{best[2]}'"


def gpu_memory_bandwidth(gpu_name: str, memory_gb: float, hardware: pl.DataFrame) -> float | None:
    """Bandwidth (GB/s) of a GPU named by NVML ("NVIDIA H100 80GB HBM3"), from the validated
    hardware table: the family token must appear in the name and the memory must agree
    within 15%."""
    name_tokens = {t.upper() for t in re.split(r"[\s_-]+", gpu_name)}
    best = None
    for row in hardware.filter(pl.col("kind") == "gpu").iter_rows(named=True):
        family = row["hardware_id"].split("-")[0].upper()
        family = "4090" if family == "RTX" else family
        if family in name_tokens and abs(row["memory_gb"] - memory_gb) <= 0.15 * row["memory_gb"]:
            gap = abs(row["memory_gb"] - memory_gb)
            if best is None or gap < best[0]:
                best = (gap, row["memory_bandwidth_gbps"])
    return best[1] if best else None
