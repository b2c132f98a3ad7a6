"""Each benchmark job's energy and emissions in CodeCarbon's emissions.csv columns.

Other tools (CodeCarbon's dashboard, papers' scripts, ML.ENERGY comparisons) read that file, so
the columns, their order and their units are CodeCarbon's own (``EmissionsData`` of
codecarbon 3.3.2): duration in s, energies in kWh by domain (cpu, gpu, ram) and in total,
power in W, emissions in kg CO2e, emissions_rate in kg/s, RAM in GB. As in CodeCarbon,
energies and powers include the PUE. One row per batch size: the job's metered full
generations at that size, summed over repeats. A domain the meter did not read is left empty,
never written as zero.

The grid intensity is the one of the scenario whose grid the benchmark machine draws from:
``benchmark.grid_scenario``, else the first ``kind: local`` scenario, looked up in
results/carbon_intensity.parquet at the configured basis, newest year; the summary rows name
it (grid_label).
"""

from __future__ import annotations

import csv
import io
import platform
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.io import write_text

CODECARBON_VERSION = "3.3.2"  # the EmissionsData these columns follow
# codecarbon/output_methods/emissions_data.py, EmissionsData's fields in order
CODECARBON_COLUMNS = (
    "timestamp",
    "project_name",
    "run_id",
    "experiment_id",
    "duration",
    "emissions",
    "emissions_rate",
    "cpu_power",
    "gpu_power",
    "ram_power",
    "cpu_energy",
    "gpu_energy",
    "ram_energy",
    "energy_consumed",
    "water_consumed",
    "country_name",
    "country_iso_code",
    "region",
    "cloud_provider",
    "cloud_region",
    "os",
    "python_version",
    "codecarbon_version",
    "cpu_count",
    "cpu_model",
    "gpu_count",
    "gpu_model",
    "longitude",
    "latitude",
    "ram_total_size",
    "tracking_mode",
    "cpu_utilization_percent",
    "gpu_utilization_percent",
    "ram_utilization_percent",
    "ram_used_gb",
    "on_cloud",
    "pue",
    "wue",
)
# what the codecarbon_version cell says: CodeCarbon did not write the file, its columns are
WRITER = f"none (lmfootprint; codecarbon {CODECARBON_VERSION} columns)"
J_PER_KWH = 3.6e6
# our meters' domains -> CodeCarbon's
DOMAIN_COLUMNS = {"cpu": "cpu", "gpu": "gpu", "dram": "ram"}
RUN_NAMESPACE = uuid.UUID("6f1d7c1e-5b5a-4f0e-9a51-6c6d66f1a7e0")


class GridError(LmFootprintError):
    """The scenario that gives the benchmark machine's grid intensity is missing or unknown."""


@dataclass(frozen=True)
class Grid:
    """The grid a benchmark machine draws from, and where its intensity comes from."""

    scenario: str
    g_per_kwh: float
    basis: str
    year: int
    source: str
    country_iso3: str
    country_name: str
    cloud_provider: str
    cloud_region: str
    pue: float

    @property
    def label(self) -> str:
        where = (
            f"{self.cloud_provider}:{self.cloud_region}"
            if self.cloud_provider
            else self.country_iso3
        )
        return (
            f"scenario {self.scenario}: {where}, {self.g_per_kwh:.0f} gCO2e/kWh "
            f"({self.basis}, {self.year}, {self.source}), PUE {self.pue:g}"
        )


def grid_for(
    scenarios: dict[str, dict[str, Any]],
    name: str | None,
    carbon: pl.DataFrame,
    *,
    basis: str,
    country_names: dict[str, str] | None = None,
) -> Grid:
    """The grid of scenario ``name``, or of the first local scenario when ``name`` is None."""
    if name is None:
        local = [n for n, sc in scenarios.items() if sc.get("kind") == "local"]
        if not local:
            raise GridError(
                "benchmark.grid_scenario is null and no scenario has kind: local; name the "
                "scenario whose grid the benchmark machine draws from"
            )
        name = local[0]
    if name not in scenarios:
        raise GridError(
            f"benchmark.grid_scenario {name!r} is not a configured scenario; known: "
            f"{sorted(scenarios)}"
        )
    sc = scenarios[name]
    if sc["kind"] == "cloud":
        rows = carbon.filter(
            (pl.col("geo_type") == "cloud_region")
            & (pl.col("provider") == sc["provider"])
            & (pl.col("geo_id") == sc["region"])
        )
        where = f"{sc['provider']}:{sc['region']}"
    else:
        rows = carbon.filter(
            (pl.col("geo_type") == "country") & (pl.col("geo_id") == sc["country"])
        )
        where = sc["country"]
    rows = rows.filter(pl.col("basis") == basis).sort("year", descending=True)
    if rows.height == 0:
        raise GridError(
            f"benchmark grid (scenario {name!r}): results/carbon_intensity.parquet has no "
            f"{basis} intensity for {where!r}"
        )
    ci = rows.row(0, named=True)
    iso3 = ci["country_iso3"]
    cloud = sc["kind"] == "cloud"
    return Grid(
        scenario=name,
        g_per_kwh=float(ci["gco2e_per_kwh"]),
        basis=ci["basis"],
        year=int(ci["year"]),
        source=ci["source"],
        country_iso3=iso3,
        country_name=(country_names or {}).get(iso3, iso3),
        cloud_provider=sc["provider"] if cloud else "",
        cloud_region=sc["region"] if cloud else "",
        pue=float(sc.get("pue", 1.0)),
    )


def country_names(path: str | Path) -> dict[str, str]:
    """ISO3 -> English name, from resources/carbon/countries_owid_via_codecarbon.csv."""
    df = pl.read_csv(path, columns=["country_iso3", "country_name"])
    return dict(zip(df["country_iso3"], df["country_name"], strict=True))


def emissions_rows(
    raw: pl.DataFrame,
    *,
    grid: Grid,
    machine: Any,
    experiment: str,
    timestamp: str,
    peak_memory_gb: float | None = None,
) -> list[dict[str, Any]]:
    """One CodeCarbon row per batch size of ``raw`` (the job's per-repeat rows: phase,
    batch_size, seconds and the energy of each domain read, ``<domain>_j``)."""
    full = raw.filter(pl.col("phase") == "full")
    out = []
    for batch in full["batch_size"].unique(maintain_order=True).to_list():
        part = full.filter(pl.col("batch_size") == batch)
        seconds = float(part["seconds"].sum())
        kwh: dict[str, float | None] = {}
        for domain, column in DOMAIN_COLUMNS.items():
            col = f"{domain}_j"
            read = col in part.columns and part[col].null_count() < part.height
            kwh[column] = float(part[col].sum()) * grid.pue / J_PER_KWH if read else None
        total = sum(v for v in kwh.values() if v is not None)
        emissions_kg = total * grid.g_per_kwh / 1000
        util = part["utilisation"] if "utilisation" in part.columns else None
        gpu = machine.gpu
        run = f"{experiment}/batch-{batch}"
        out.append(
            {
                "timestamp": timestamp,
                "project_name": "lmfootprint",
                "run_id": str(uuid.uuid5(RUN_NAMESPACE, f"{run}@{timestamp}")),
                "experiment_id": run,
                "duration": seconds,
                "emissions": emissions_kg,
                "emissions_rate": emissions_kg / seconds,
                **{
                    f"{c}_power": None if v is None else v * J_PER_KWH / seconds
                    for c, v in kwh.items()
                },
                **{f"{c}_energy": v for c, v in kwh.items()},
                "energy_consumed": total,
                "water_consumed": 0.0,
                "country_name": grid.country_name,
                "country_iso_code": grid.country_iso3,
                "region": "",
                "cloud_provider": grid.cloud_provider,
                "cloud_region": grid.cloud_region,
                "os": machine.os,
                "python_version": platform.python_version(),
                "codecarbon_version": WRITER,
                "cpu_count": machine.cpu_logical_cores,
                "cpu_model": machine.cpu_model,
                "gpu_count": 1 if gpu else 0,
                "gpu_model": gpu.name if gpu else "",
                "longitude": None,
                "latitude": None,
                "ram_total_size": machine.ram_gb,
                "tracking_mode": "machine",
                "cpu_utilization_percent": (
                    None if util is None or util.null_count() == util.len() else util.mean() * 100
                ),
                "gpu_utilization_percent": None,
                "ram_utilization_percent": None,
                "ram_used_gb": peak_memory_gb,
                "on_cloud": "Y" if grid.cloud_provider else "N",
                "pue": grid.pue,
                "wue": 0.0,
            }
        )
    return out


def write_emissions_csv(rows: list[dict[str, Any]], path: str | Path) -> None:
    """CodeCarbon's header and column order; None is an empty cell. A skipped job writes the
    header alone."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CODECARBON_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in CODECARBON_COLUMNS})
    write_text(buffer.getvalue(), path)
