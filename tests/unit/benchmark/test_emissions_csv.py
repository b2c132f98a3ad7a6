"""Each job's emissions.csv: CodeCarbon's columns in CodeCarbon's order and units, at the grid
intensity of the configured scenario, which the summary rows name."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import polars as pl
import pytest

from lmfootprint.benchmark.detect_hardware import Gpu, detect
from lmfootprint.benchmark.emissions import (
    CODECARBON_COLUMNS,
    GridError,
    country_names,
    emissions_rows,
    grid_for,
    write_emissions_csv,
)

ROOT = Path(__file__).resolve().parents[3]
# codecarbon 3.3.2, codecarbon/output_methods/emissions_data.py: EmissionsData's fields
EMISSIONS_DATA_3_3_2 = [
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
]

SCENARIOS = {
    "cloud-h100-us-east-1": {
        "kind": "cloud",
        "hardware": "H100-SXM5",
        "provider": "aws",
        "region": "us-east-1",
        "sku": "p5.48xlarge",
        "pue": 1.14,
    },
    "local-laptop-france": {"kind": "local", "hardware": "M1-Pro-16c", "country": "FRA"},
}


def carbon() -> pl.DataFrame:
    """results/carbon_intensity.parquet's columns, a few rows of it."""
    base = {
        "provenance": "snapshot",
        "method": "m",
        "source_version": "v",
        "retrieved_at": "2026-01-01",
    }
    rows = [
        ("country", "FRA", None, "FRA", 2023, 56.0, "lifecycle", "OWID"),
        ("country", "FRA", None, "FRA", 2024, 40.5, "lifecycle", "OWID"),
        ("cloud_region", "us-east-1", "aws", "USA", 2024, 384.0, "lifecycle", "OWID via region"),
        ("cloud_region", "us-east-1", "aws", "USA", 2024, 300.0, "direct", "Google"),
    ]
    names = [
        "geo_type",
        "geo_id",
        "provider",
        "country_iso3",
        "year",
        "gco2e_per_kwh",
        "basis",
        "source",
    ]
    return pl.DataFrame([{**dict(zip(names, r, strict=True)), **base} for r in rows])


def test_columns_are_codecarbons_in_order() -> None:
    assert list(CODECARBON_COLUMNS) == EMISSIONS_DATA_3_3_2
    try:
        from codecarbon.output_methods.emissions_data import EmissionsData
    except ImportError:
        return  # the pinned copy above is the check
    assert [f.name for f in dataclasses.fields(EmissionsData)] == list(CODECARBON_COLUMNS)


def test_grid_is_the_first_local_scenario_newest_year_at_the_basis() -> None:
    names = country_names(ROOT / "resources/carbon/countries_owid_via_codecarbon.csv")
    grid = grid_for(SCENARIOS, None, carbon(), basis="lifecycle", country_names=names)
    assert (grid.scenario, grid.g_per_kwh, grid.year, grid.pue) == (
        "local-laptop-france",
        40.5,
        2024,
        1.0,
    )
    assert grid.country_name == "France" and grid.cloud_provider == ""
    assert grid.label.startswith("scenario local-laptop-france: FRA, 40 gCO2e/kWh (lifecycle, 2024")
    cloud = grid_for(SCENARIOS, "cloud-h100-us-east-1", carbon(), basis="direct")
    assert (cloud.g_per_kwh, cloud.cloud_region, cloud.pue) == (300.0, "us-east-1", 1.14)


def test_grid_errors_name_the_key() -> None:
    with pytest.raises(GridError, match="'nowhere' is not a configured scenario"):
        grid_for(SCENARIOS, "nowhere", carbon(), basis="lifecycle")
    with pytest.raises(GridError, match="no scenario has kind: local"):
        grid_for({"c": SCENARIOS["cloud-h100-us-east-1"]}, None, carbon(), basis="lifecycle")
    with pytest.raises(GridError, match="no direct intensity for 'FRA'"):
        grid_for(SCENARIOS, None, carbon(), basis="direct")


def raw_rows(gpu: bool) -> pl.DataFrame:
    """Per-repeat rows as the harness writes them: 3 repeats at batch 1 and at batch 8."""
    rows = []
    for batch, seconds, watts in ((1, 2.0, 300.0), (8, 4.0, 500.0)):
        for rep in range(3):
            for phase, s in (("prefill", 0.1), ("full", seconds)):
                rows.append(
                    {
                        "batch_size": batch,
                        "repeat": rep,
                        "phase": phase,
                        "seconds": s,
                        "energy_j": watts * s,
                        "utilisation": None if gpu else 0.5,
                        "gpu_j": watts * s if gpu else None,
                        "cpu_j": 40.0 * s,
                        "dram_j": None,  # DRAM not readable on this machine
                    }
                )
    return pl.DataFrame(rows).cast({"gpu_j": pl.Float64, "dram_j": pl.Float64})


def test_units_are_codecarbons(tmp_path: Path) -> None:
    grid = grid_for(SCENARIOS, "cloud-h100-us-east-1", carbon(), basis="lifecycle")
    gpu = Gpu(0, "NVIDIA H200", 143.8, 700.0, "570.1")
    machine = dataclasses.replace(detect("cpu"), device="cuda:0", gpu=gpu)
    rows = emissions_rows(
        raw_rows(gpu=True),
        grid=grid,
        machine=machine,
        experiment="m/cuda0/w",
        timestamp="2026-01-01T00:00:00",
    )
    assert [r["experiment_id"] for r in rows] == ["m/cuda0/w/batch-1", "m/cuda0/w/batch-8"]
    r = rows[0]
    assert r["duration"] == pytest.approx(6.0)  # three 2 s full generations, seconds
    gpu_kwh = 3 * 600.0 * 1.14 / 3.6e6  # joules x PUE, in kWh
    cpu_kwh = 3 * 80.0 * 1.14 / 3.6e6
    assert r["gpu_energy"] == pytest.approx(gpu_kwh) and r["cpu_energy"] == pytest.approx(cpu_kwh)
    assert r["ram_energy"] is None and r["ram_power"] is None  # not read: empty, not zero
    assert r["energy_consumed"] == pytest.approx(gpu_kwh + cpu_kwh)
    assert r["gpu_power"] == pytest.approx(300.0 * 1.14)  # W
    assert r["emissions"] == pytest.approx((gpu_kwh + cpu_kwh) * 384.0 / 1000)  # kg
    assert r["emissions_rate"] == pytest.approx(r["emissions"] / 6.0)  # kg/s
    assert (r["gpu_count"], r["gpu_model"]) == (1, "NVIDIA H200")
    assert (r["on_cloud"], r["pue"]) == ("Y", 1.14)
    assert (r["country_iso_code"], r["cloud_provider"], r["tracking_mode"]) == (
        "USA",
        "aws",
        "machine",
    )
    path = tmp_path / "w.emissions.csv"
    write_emissions_csv(rows, path)
    with path.open() as f:
        read = list(csv.DictReader(f))
    assert list(read[0]) == list(CODECARBON_COLUMNS) and len(read) == 2
    assert read[0]["ram_energy"] == "" and float(read[1]["gpu_energy"]) == pytest.approx(
        3 * 2000.0 * 1.14 / 3.6e6
    )
    write_emissions_csv([], path)  # a skipped job: the header alone
    assert path.read_text().strip().split(",") == list(CODECARBON_COLUMNS)


def test_cpu_job_reports_utilisation_and_no_gpu() -> None:
    grid = grid_for(SCENARIOS, None, carbon(), basis="lifecycle")
    rows = emissions_rows(
        raw_rows(gpu=False),
        grid=grid,
        machine=detect("cpu"),
        experiment="m/cpu/w",
        timestamp="2026-01-01T00:00:00",
    )
    r = rows[0]
    assert r["gpu_energy"] is None and r["gpu_count"] == 0 and r["gpu_model"] == ""
    assert r["cpu_utilization_percent"] == pytest.approx(50.0)
    assert r["emissions"] == pytest.approx(3 * 80.0 / 3.6e6 * 40.5 / 1000)
    assert r["on_cloud"] == "N" and r["pue"] == 1.0
