"""The report in a real browser (Debian's Chromium, headless) with the network blocked.

The test setup installs the `chromium` package when it is absent and the tests run as root
(CI); otherwise they fail loudly. LMFOOTPRINT_SKIP_BROWSER=1 skips them on purpose.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import polars as pl
import pytest
from workflow_runner import ROOT, TINY_BENCH, make_workdir, run_snakemake, write_config

from lmfootprint.benchmark.benchmark_inference import load_inference
from lmfootprint.estimates.training_footprint import load_training
from lmfootprint.models.model_metadata import load_models
from lmfootprint.present.charts import FIGURES
from lmfootprint.present.report import _figures, render_report

pytestmark = pytest.mark.e2e
EVIL = "</script><script>document.title='pwned';alert(1)</script>"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def chromium() -> str:
    if os.environ.get("LMFOOTPRINT_SKIP_BROWSER") == "1":
        pytest.skip("LMFOOTPRINT_SKIP_BROWSER=1")
    path = shutil.which("chromium")
    if path is None and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
            env=env,
            check=True,
            capture_output=True,
        )
        path = shutil.which("chromium")
    if path is None:
        pytest.fail("Debian's chromium is not installed and cannot be installed (not root)")
    return path


class ConnectionRecorder:
    """A proxy that answers nothing and records the host of every request the browser sends.

    Chromium itself calls home (time, update and account services) even for a blank page, so
    a page's own requests are what it asks for beyond what a blank page does.
    """

    def __enter__(self) -> ConnectionRecorder:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.hosts: set[str] = set()
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(1)
            try:
                line = conn.recv(500).split(b"\r\n", 1)[0].decode(errors="replace")
                target = line.split(" ")[1] if " " in line else line
                self.hosts.add(re.sub(r"^[a-z]+://", "", target).split("/")[0].split(":")[0])
            except OSError:
                self.hosts.add("<unreadable>")
            conn.close()

    def __exit__(self, *exc) -> None:
        self.stop = True
        self.sock.close()


def open_in_browser(chromium: str, page: Path, tmp: Path, proxy_port: int) -> tuple[str, str]:
    """(DOM after scripts ran, browser log with console messages); also a screenshot."""
    args = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp / 'profile'}",
        f"--proxy-server=http://127.0.0.1:{proxy_port}",
        "--proxy-bypass-list=<-loopback>",
        "--virtual-time-budget=15000",
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1400,4000",
    ]
    dom = subprocess.run(
        [*args, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    )
    shot = tmp / f"{page.stem}.png"
    subprocess.run([*args, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120)
    assert shot.is_file() and shot.stat().st_size > 1_000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(shot, ARTIFACTS / shot.name)
    return dom.stdout, dom.stderr


@pytest.fixture(scope="module")
def browser_own_hosts(chromium: str, tmp_path_factory) -> set[str]:
    tmp = tmp_path_factory.mktemp("blank")
    blank = tmp / "blank.html"
    blank.write_text("<!DOCTYPE html><title>blank</title><p>blank</p>")
    with ConnectionRecorder() as proxy:
        open_in_browser(chromium, blank, tmp, proxy.port)
    return proxy.hosts


def console_messages(log: str) -> list[str]:
    return [line for line in log.splitlines() if ":CONSOLE" in line]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    wd = make_workdir(tmp_path_factory.mktemp("browser"))
    write_config(
        wd,
        {
            # an SLM benchmarked here, an SLM and an LLM too big for it: every chart has data
            "models": [
                "EleutherAI/pythia-14m",
                "meta-llama/Llama-2-7b-hf",
                "meta-llama/Llama-2-70b-hf",
            ],
            "benchmark": TINY_BENCH,
        },
    )
    run_snakemake(wd)
    return wd


def test_report_renders_offline_without_errors(
    chromium: str, workdir: Path, tmp_path: Path, browser_own_hosts: set[str]
) -> None:
    with ConnectionRecorder() as proxy:
        dom, log = open_in_browser(chromium, workdir / "results/report.html", tmp_path, proxy.port)
    assert proxy.hosts - browser_own_hosts == set(), "the report tried to reach the network"
    problems = [
        m
        for m in console_messages(log)
        if re.search(r"Uncaught|ERROR|Error|WARN|Infinite extent", m)
    ]
    assert problems == [], problems
    charts = re.findall(r'id="(fig\d+)-vis"', dom)
    # every figure of the registry is in the page; the first screen's home chart only where a
    # ladder model of comparison.cloud_vs_local is configured (none here)
    home = pl.read_parquet(workdir / "results/cloud_vs_local.parquet").height
    assert len(charts) == len(FIGURES) - (0 if home else 1)
    for fig in charts:
        block = dom.split(f'id="{fig}-vis"', 1)[1].split("</figure>", 1)[0]
        assert "<svg" in block and re.search(r'class="mark-(symbol|line|rule|rect)', block), fig
    assert ">Figure failed to render" not in dom  # the catch handler writes it as text


def test_script_in_model_name_executes_nothing(
    chromium: str, workdir: Path, tmp_path: Path
) -> None:
    models = load_models(workdir / "results/models.parquet").with_columns(
        model_id=pl.when(pl.col("model_id") == "EleutherAI/pythia-14m")
        .then(pl.lit(EVIL))
        .otherwise(pl.col("model_id"))
    )
    training = load_training(workdir / "results/training.parquet").with_columns(
        model_id=pl.when(pl.col("model_id") == "bigscience/bloom")
        .then(pl.lit(EVIL))
        .otherwise(pl.col("model_id"))
    )
    inference = load_inference(workdir / "results/inference.parquet").with_columns(
        model_id=pl.when(pl.col("model_id") == "EleutherAI/pythia-14m")
        .then(pl.lit(EVIL))
        .otherwise(pl.col("model_id"))
    )
    from lmfootprint.answer.headlines import Headlines, load_headlines
    from lmfootprint.present.charts.benchmark import inference_chart
    from lmfootprint.present.charts.training import training_chart
    from lmfootprint.present.figure import save_figure

    headlines = Headlines(load_headlines(workdir / "results/headlines.parquet"))
    specs = []
    for name, chart in (
        ("training_footprint", training_chart(training, headlines)),
        ("inference", inference_chart(inference, headlines)),
    ):
        spec = tmp_path / f"{name}.vl.json"
        save_figure(chart, html=tmp_path / f"{name}.html", png=tmp_path / f"{name}.png", spec=spec)
        specs.append(spec)
    page = tmp_path / "evil_report.html"
    page.write_text(
        render_report(
            tables={"models": models, "training": training, "inference": inference},
            figures=_figures(specs),
            template_path=ROOT / "src/lmfootprint/present/templates/report.html.j2",
            title="evil test",
        )
    )
    with ConnectionRecorder() as proxy:
        dom, log = open_in_browser(chromium, page, tmp_path, proxy.port)
    assert "<title>evil test</title>" in dom  # document.title was not changed by the payload
    assert "<script>document.title='pwned'" not in dom  # no injected script element
    assert not [m for m in console_messages(log) if "Uncaught" in m]
    # the name is shown as text in the tables and the charts still render
    assert "&lt;/script&gt;&lt;script&gt;document.title" in dom
    assert dom.count("<svg") >= 2


def _encodings(spec: dict) -> list[dict]:
    """Every mark-bearing view of a spec with its (inherited) encoding."""
    found = []

    def walk(node: dict, inherited: dict) -> None:
        enc = {**inherited, **node.get("encoding", {})}
        children = [
            c for key in ("layer", "hconcat", "vconcat", "concat") for c in node.get(key, [])
        ]
        if "mark" in node:
            found.append(enc)
        for child in children:
            walk(child, enc)

    walk(spec, {})
    return found


UNIT = re.compile(r"J/token|MWh|\(t\)|GB|USD|gCO2e|tokens|unit|share|utilisation")


def test_every_figure_spec_encodes_value_unit_and_provenance(workdir: Path) -> None:
    for name in FIGURES:
        spec = json.loads((workdir / f"results/figures/{name}.vl.json").read_text())
        views = _encodings(spec)
        assert views, name
        for enc in views:
            tips = enc.get("tooltip")
            if tips is None:  # decorations (diagonal, labels) carry no data of their own
                continue
            titles = [t.get("title", t.get("field")) for t in tips]
            assert "provenance" in titles, (name, titles)
            assert any(t in titles for t in ("method", "source", "provenance")), (name, titles)
            assert any(UNIT.search(t) for t in titles), (name, titles)  # a unit is named
