"""Scenarios as people say them, on the scenarios the default config ships."""

from __future__ import annotations

import polars as pl
import pytest
import yaml
from builders import ROOT, scenario

from lmfootprint.present.scenario_names import (
    COUNTRIES,
    article,
    device_name,
    load_country_names,
    names_from_tables,
    region_name,
    scenario_name,
)

COUNTRY_NAMES = load_country_names(ROOT / COUNTRIES)


def default_scenarios() -> pl.DataFrame:
    """The config's scenarios as rows of results/scenarios.parquet (location as the
    scenarios stage writes it: provider:region, or the country's ISO3 code)."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    rows = []
    for name, sc in config["scenarios"].items():
        where = f"{sc['provider']}:{sc['region']}" if sc["kind"] == "cloud" else sc["country"]
        rows.append(scenario(name, sc["kind"], sc["hardware"], location=where))
    return pl.DataFrame(rows, infer_schema_length=None)


def named(serving: str, batch: int | None = None) -> dict[str, str]:
    return {
        r["scenario"]: scenario_name(r, serving, batch, COUNTRY_NAMES)
        for r in default_scenarios().iter_rows(named=True)
    }


def test_default_scenarios_are_named_as_people_say_them() -> None:
    assert named("interactive") == {
        "local-laptop-france": "an M1 Pro laptop in France, one request at a time",
        "cloud-h100-us-east-1": "an H100 in AWS us-east-1, one request at a time",
        "cloud-a100-sweden": "an A100 in Azure Sweden Central, one request at a time",
    }
    loaded = named("throughput", 64)
    assert loaded["cloud-a100-sweden"] == (
        "an A100 in Azure Sweden Central, loaded server (64 requests)"
    )
    assert loaded["cloud-h100-us-east-1"] == "an H100 in AWS us-east-1, loaded server (64 requests)"


def test_answer_settings_take_the_loaded_batch_from_the_estimates() -> None:
    estimates = pl.DataFrame(
        {
            "scenario": ["cloud-h100-us-east-1"] * 3,
            "serving": ["throughput", "throughput", "interactive"],
            "batch_size": [64, 12, 1],
            "status": ["estimated"] * 3,
        }
    )
    names = names_from_tables(default_scenarios(), estimates, COUNTRY_NAMES)
    assert names["cloud-h100-us-east-1 · throughput"] == (
        "an H100 in AWS us-east-1, loaded server (64 requests)"
    )
    sweden = names["cloud-a100-sweden · throughput"]
    assert sweden == "an A100 in Azure Sweden Central, loaded server"
    assert names["local-laptop-france"] == "an M1 Pro laptop in France"
    assert names_from_tables(None) == {}


@pytest.mark.parametrize(
    ("hardware_id", "said"),
    [
        ("H100-SXM5", "an H100"),
        ("A100-80-SXM4", "an A100"),
        ("A100-80-PCIe", "an A100"),
        ("H100-NVL", "an H100 NVL"),
        ("RTX-4090", "an RTX 4090"),
        ("V100-16-SXM2", "a V100"),
        ("B200", "a B200"),
        ("T4", "a T4"),
        ("L40S", "an L40S"),
        ("MI300X", "an MI300X"),
        ("M1-Pro-16c", "an M1 Pro"),
    ],
)
def test_every_shipped_kind_of_chip_reads_with_its_article(hardware_id: str, said: str) -> None:
    name = device_name(hardware_id)
    assert f"{article(name)} {name}" == said


def test_azure_regions_read_as_the_portal_names_them() -> None:
    assert region_name("azure", "swedencentral") == "Sweden Central"
    assert region_name("azure", "germanywestcentral") == "Germany West Central"
    assert region_name("azure", "eastus2") == "East US 2"
    assert region_name("aws", "us-east-1") == "us-east-1"


def test_unknown_country_is_shown_as_its_code() -> None:
    row = scenario("x", "local", "M1-Pro-16c", location="XYZ")
    assert scenario_name(row, "interactive") == "an M1 Pro laptop in XYZ, one request at a time"
