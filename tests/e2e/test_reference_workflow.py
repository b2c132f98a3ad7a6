"""Reference data through the rules, with the workflow used as a Snakemake module from another
folder: offline (the shipped snapshot, retrieved as a manifested copy), then live against local
servers, then a refresh. The workflow's own folder is never written to."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import yaml
from refservers import RefServer, serve_sources
from workflow_runner import ROOT, make_workdir

pytestmark = pytest.mark.e2e

TABLES = ["tariffs", "gpu_prices", "carbon_intensity", "scenarios"]


def _files(folder: Path) -> dict[str, float]:
    return {
        str(p.relative_to(folder)): p.stat().st_mtime
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def _run(user: Path, *targets: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *targets],
        cwd=user,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_module_use_offline_then_live_then_refresh(tmp_path: Path) -> None:
    wf = make_workdir(tmp_path / "workflow")
    user = tmp_path / "user"
    (user / "config").mkdir(parents=True)
    cfg = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    (user / "config/config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    (user / "Snakefile").write_text(
        'configfile: "config/config.yaml"\n'
        "module lmfootprint:\n"
        f'    snakefile: "{wf / "workflow" / "Snakefile"}"\n'
        "    config: config\n"
        "use rule * from lmfootprint as lmfootprint_*\n"
    )
    before = _files(wf)

    offline = _run(user, *(f"results/{t}.parquet" for t in TABLES))
    assert offline.returncode == 0, (offline.stdout + offline.stderr)[-3000:]
    prices = pl.read_parquet(user / "results/gpu_prices.parquet")
    assert set(prices["retrieved_at"]) == {"2026-11-23"}
    manifest = json.loads((user / "results/raw/prices/shipped/manifest.json").read_text())
    assert manifest["mode"] == "shipped"
    assert manifest["files"][0]["shipped_as"] == "resources/gpu_prices.csv"
    carbon = pl.read_parquet(user / "results/carbon_intensity.parquet")
    assert not any(".." in s or str(wf) in s for s in carbon["source"])  # named as shipped

    with RefServer() as srv:
        cfg["reference"] = {
            **cfg["reference"],
            "online": {"prices": True, "carbon": True, "tariffs": True},
            "tariff_geos": ["DE", "FR"],
            "endpoints": serve_sources(srv),
            # the local servers serve fewer SKUs, countries and tariff geos than the snapshot
            "allow_coverage_loss": ["prices", "carbon", "tariffs"],
        }
        (user / "config/config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
        live = _run(user, "results/scenarios.parquet", "lmfootprint_refresh_reference")
    assert live.returncode == 0, (live.stdout + live.stderr)[-3000:]
    for source in ("prices", "carbon", "tariffs"):
        doc = json.loads((user / f"results/raw/{source}/live/manifest.json").read_text())
        assert doc["mode"] == "live" and all(f["url"].startswith(srv.url) for f in doc["files"])
        assert all(f["sha256"] and f["bytes"] > 0 for f in doc["files"])
    prices = pl.read_parquet(user / "results/gpu_prices.parquet")
    assert "2026-11-23" not in set(prices["retrieved_at"])
    scenarios = pl.read_parquet(user / "results/scenarios.parquet")
    sweden = scenarios.filter(pl.col("scenario") == "cloud-a100-sweden").row(0, named=True)
    assert sweden["price_per_gpu_hour_usd"] == pytest.approx(32.77 / 8)
    assert sweden["intensity_g_per_kwh"] == 36.0  # the live OWID value, not the snapshot's
    refreshed = user / "results/reference_refresh"
    assert sorted(str(p.relative_to(refreshed)) for p in refreshed.rglob("*") if p.is_file()) == [
        "carbon/google_region_2024.csv",
        "carbon/owid_grapher_2024.csv",
        "gpu_prices.csv",
        "reference_snapshot.json",
        "tariffs/tariffs.csv",
    ]
    refreshed_prices = (refreshed / "gpu_prices.csv").read_text()
    assert "Standard_ND96amsr_A100_v4" in refreshed_prices
    assert "gcp,us-central1,a2-highgpu-1g" in refreshed_prices  # no live source: carried over
    assert "allow_coverage_loss" in (user / "logs/refresh_reference.log").read_text()
    assert _files(wf) == before  # nothing written into the workflow's folder
