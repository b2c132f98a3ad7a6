"""A token or a credential in a URL is sent, never written: not in results/, logs/,
.snakemake/ (where Snakemake records every rule's params) nor on the terminal."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from refservers import RefServer, serve_sources
from workflow_runner import make_workdir, write_config

from lmfootprint.core.config_values import value_problems
from lmfootprint.core.logs import log_to
from lmfootprint.core.secrets import mask_secrets

TOKEN = "hf_FAKEtokenNEVERwritten0123456789"
PASSWORD = "hunter2pass"
QUERY_SECRET = "s3cr3tKEY99"


def leaks(text: str) -> list[str]:
    return [s for s in (TOKEN, PASSWORD, QUERY_SECRET) if s in text]


def test_a_job_log_and_its_terminal_output_mask_secrets(tmp_path: Path, monkeypatch, capfd) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    url = f"https://user:{PASSWORD}@mirror.example/prices?api_key={QUERY_SECRET}"
    log = tmp_path / "logs/job.log"
    with pytest.raises(SystemExit) as exit_, log_to(log):
        logging.getLogger("lmfootprint.reference").warning("fetching %s with %s", url, TOKEN)
        logging.getLogger("urllib3").error("retry %s", url)
        raise RuntimeError(f"request to {url} failed, Authorization: Bearer {TOKEN}")
    out, err = capfd.readouterr()
    written = log.read_text()
    assert "https://***@mirror.example/prices?api_key=***" in written
    assert "Bearer ***" in written and "RuntimeError" in written  # the traceback, masked
    for text in (written, out, err, str(exit_.value)):
        assert leaks(text) == [], text


def test_mask_secrets_leaves_short_and_ordinary_values() -> None:
    env = {"HF_TOKEN": TOKEN, "DEBUG_TOKEN": "1", "PATH": "/usr/bin:/bin"}
    assert mask_secrets(f"a {TOKEN} b /usr/bin 1", env) == "a *** b /usr/bin 1"


def test_credentials_in_the_hub_url_are_refused_without_being_shown() -> None:
    problems = value_problems(
        {"hub": {"endpoint": f"https://me:{PASSWORD}@hub.example"}},
        env={"HF_ENDPOINT": f"http://me:{PASSWORD}@hub.example"},
    )
    assert len(problems) == 2 and all("HF_TOKEN" in p for p in problems)
    assert leaks("\n".join(problems)) == []
    # a reference source takes them (sent, and masked where written)
    url = f"https://me:{PASSWORD}@mirror.example/owid.csv"
    assert value_problems({"reference": {"endpoints": {"owid": url}}}, env={}) == []


def test_a_live_retrieval_run_writes_no_secret_anywhere(tmp_path: Path) -> None:
    """The carbon sources with credentials in their URLs and HF_TOKEN set, through Snakemake:
    its metadata records each job's params, which hold the source URLs."""
    workdir = make_workdir(tmp_path / "wd")
    with RefServer() as srv:
        endpoints = serve_sources(srv)
        for name in ("owid", "google"):
            scheme, rest = endpoints[name].split("://", 1)
            endpoints[name] = f"{scheme}://user:{PASSWORD}@{rest}?api_key={QUERY_SECRET}"
        write_config(
            workdir,
            {
                "models": ["EleutherAI/pythia-14m"],
                "reference": {"online": {"carbon": True}, "endpoints": endpoints},
            },
        )
        proc = subprocess.run(
            [sys.executable, "-m", "snakemake", "--cores", "1", "retrieve_carbon_live"],
            cwd=workdir,
            env={**os.environ, "HF_TOKEN": TOKEN},
            capture_output=True,
            text=True,
            timeout=300,
        )
        sent = list(srv.requests)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert any(QUERY_SECRET in r for r in sent)  # the credential was used
    assert leaks(out) == []
    found = [
        str(p.relative_to(workdir))
        for folder in ("results", "logs", ".snakemake", "benchmarks")
        for p in (workdir / folder).rglob("*")
        if p.is_file() and leaks(p.read_bytes().decode("utf-8", "replace"))
    ]
    assert found == []
    assert (workdir / "results/raw/carbon/live/manifest.json").is_file()
