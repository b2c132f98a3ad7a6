"""online: true against a local Hub: a new model gets its row, and the pins hold."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from fakehub import FakeHub
from workflow_runner import ROOT, make_workdir, run_snakemake, write_config

pytestmark = pytest.mark.e2e

NEW = "acme/tiny-neox"  # not in the shipped snapshot
SLUG = "acme--tiny-neox"


def test_online_fetch_pin_and_refresh(tmp_path: Path) -> None:
    workdir = make_workdir(tmp_path)
    config = (ROOT / "resources/hub/EleutherAI--pythia-14m/config.json").read_bytes()
    with FakeHub() as hub:
        hub.add(
            NEW,
            {"config.json": config, "README.md": b"---\nlicense: mit\n---\n# tiny\n"},
            info={"safetensors": {"parameters": {"F32": 14_067_712}, "total": 14_067_712}},
        )
        pythia = hub.add("EleutherAI/pythia-14m", {"config.json": config})
        # pin pythia to its current commit, as a refreshed snapshot would be
        source = workdir / "resources/hub/EleutherAI--pythia-14m/source.json"
        source.write_text(json.dumps({**json.loads(source.read_text()), "revision": pythia.sha}))
        cfg = {
            "models": ["EleutherAI/pythia-14m", NEW],
            "online": True,
            "hub": {"endpoint": hub.url, "attempts": 2, "backoff_s": 0, "write_snapshot": True},
            "benchmark": {"max_params": 1.0},  # metadata only: every model skips the benchmark
            # the Hub is live here; prices, grid and tariffs stay on the shipped snapshot
            "reference": {"online": {"prices": False, "carbon": False, "tariffs": False}},
        }
        write_config(workdir, cfg)
        first = run_snakemake(workdir)
        assert f"results/hub/{SLUG}/info.json" in first
        models = pl.read_parquet(workdir / "results/models.parquet")
        row = models.filter(pl.col("model_id") == NEW).row(0, named=True)
        assert row["params_total"] == 14_067_712 and row["params_safetensors"] == 14_067_712
        assert row["config_source"] == "hub" and row["revision"] == hub.repos[NEW].sha
        assert row["params_flag"] is None

        # the Hub moves: a normal run does not notice (it is pinned to what it fetched)
        hub.move(
            NEW,
            {"config.json": config.replace(b'"num_hidden_layers": 6', b'"num_hidden_layers": 7')},
        )
        assert run_snakemake(workdir) == []

        # refresh_hub re-resolves, writes the snapshot back, and only that model re-runs
        run_snakemake(workdir, targets={"refresh_hub"})
        report = json.loads((workdir / "results/hub/refresh.json").read_text())
        assert report[NEW]["changed"] is True
        assert report["EleutherAI/pythia-14m"]["changed"] is False
        pin = json.loads((workdir / f"resources/hub/{SLUG}/source.json").read_text())
        assert pin["revision"] == hub.repos[NEW].sha
        rerun = run_snakemake(workdir)
        assert f"results/hub/{SLUG}/config.json" in rerun
        assert not any("EleutherAI--pythia-14m" in f for f in rerun)
        models = pl.read_parquet(workdir / "results/models.parquet")
        assert models.filter(pl.col("model_id") == NEW)["n_layers"].item() == 7


def test_hf_token_appears_nowhere_after_a_run_with_a_failure(tmp_path: Path) -> None:
    """With HF_TOKEN set, a run that fetches one model and fails on a gated one: the token was
    sent, and it is in no log, result, report, Snakemake log or error message."""
    import os
    import subprocess
    import sys

    secret = "hf_e2eSECRETnever0logged9876543210"
    workdir = make_workdir(tmp_path)
    config = (ROOT / "resources/hub/EleutherAI--pythia-14m/config.json").read_bytes()
    with FakeHub() as hub:
        hub.add(NEW, {"config.json": config, "README.md": b"---\nlicense: mit\n---\n"})
        hub.add("acme/gated-model", {"config.json": config}, behaviour="gated")
        write_config(
            workdir,
            {
                "models": [NEW, "acme/gated-model"],
                "online": True,
                "hub": {"endpoint": hub.url, "attempts": 1, "backoff_s": 0},
                "benchmark": {"max_params": 1.0},
                "reference": {"online": {"prices": False, "carbon": False, "tariffs": False}},
            },
        )
        proc = subprocess.run(
            [sys.executable, "-m", "snakemake", "--cores", "2", "--keep-going"],
            cwd=workdir,
            env={**os.environ, "HF_TOKEN": secret},
            capture_output=True,
            text=True,
        )
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "acme/gated-model" in out  # the failure is reported
    assert (workdir / f"results/hub/{SLUG}/config.json").is_file(), out[-3000:]
    assert f"Bearer {secret}" in hub.auth_headers  # the token was used
    assert secret not in out
    leaks = [
        str(p.relative_to(workdir))
        for p in workdir.rglob("*")
        if p.is_file() and secret.encode() in p.read_bytes()
    ]
    assert leaks == []
