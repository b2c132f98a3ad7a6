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
from lmfootprint.present.text import ratio

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


# The decision page: Playwright drives Debian's chromium (never `playwright install`), every
# request that is not the file itself is blocked, inputs are set with the keyboard, fill,
# select_option and check, and the rows the page displays are held equal to rank_options.
H100 = "cloud-h100-us-east-1"


def _set_decision_inputs(page, settings: dict) -> None:
    for name in ("requests_per_day", "prompt_tokens", "response_tokens"):
        field = page.locator(f"#decision-inputs input[name={name}]")
        field.fill(str(settings[name]))
        field.press("Tab")
    floor = page.locator("#decision-inputs input[name=quality_floor]")
    floor.focus()
    page.keyboard.press("Home")  # 0, then one step (0.05) per arrow
    for _ in range(round(settings["quality_floor"] / 0.05)):
        page.keyboard.press("ArrowRight")
    page.select_option("#decision-inputs select[name=where]", settings["where"])
    page.select_option("#decision-inputs select[name=own]", settings["own"])
    page.check(f"#decision-inputs input[name=serving][value={settings['serving']}]")
    page.check(f"#decision-inputs input[name=criterion][value={settings['criterion']}]")
    page.wait_for_timeout(300)


def _page_rows(page) -> list[dict]:
    return page.evaluate("window.lmDecision.rows()")


def _assert_rows_match(shown: list[dict], expected: pl.DataFrame, settings: dict) -> None:
    from lmfootprint.answer.decision import CRITERIA

    assert len(shown) == expected.height, settings
    for got, want in zip(shown, expected.iter_rows(named=True), strict=True):
        key = ("rank", "model_id", "scenario", "serving")
        assert tuple(got[k] for k in key) == tuple(want[k] for k in key), settings
        for col in CRITERIA.values():
            for band in ("", "_low", "_high"):
                assert got[f"{col}{band}"] == pytest.approx(want[f"{col}{band}"], rel=1e-9)


def _class_ratio(per_model: dict[str, float], slm: str, llm: str) -> float:
    """LLM median / SLM median as the answer takes it: identical architectures ('a = b') once,
    at their geometric mean."""
    import math
    import statistics

    def values(listing: str) -> list[float]:
        out = []
        for group in listing.split(", "):
            ids = group.split(" = ")
            out.append(math.exp(statistics.fmean(math.log(per_model[m]) for m in ids)))
        return out

    return statistics.median(values(llm)) / statistics.median(values(slm))


def test_decision_page_ranks_as_the_package_does(
    chromium: str, workdir: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    from lmfootprint.answer.decision import DecisionSettings, rank_options, reading
    from lmfootprint.present.decision_page import default_settings

    options = pl.read_parquet(workdir / "results/decision/options.parquet")
    prompts = pl.read_csv(ROOT / "resources/prompts/prompt_sample.csv")
    defaults = default_settings(options, prompts).as_dict()
    cloud = options.filter(pl.col("kind") == "cloud")["location"][0]
    basis = {
        "prompt_tokens": options["basis_prompt_tokens"][0],
        "response_tokens": options["basis_output_tokens"][0],
    }
    cases = [
        defaults,
        {**defaults, "own": "nothing", "criterion": "cost", "serving": "interactive"},
        {**defaults, "own": "server", "criterion": "cost", "quality_floor": 0.0},
        {**defaults, "requests_per_day": 25000, "quality_floor": 0.8, "criterion": "co2e"},
        {**defaults, **basis, "where": cloud, "quality_floor": 0.0, "criterion": "co2e"},
    ]
    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1600})

        def only_the_file(route) -> None:
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        page.route("**/*", only_the_file)
        page.on("pageerror", lambda e: errors.append(str(e)))
        # errors only: while a number is typed the set can be empty for a moment, and Vega
        # then warns of an empty scale extent (the page load itself is checked for warnings
        # by test_report_renders_offline_without_errors)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto((workdir / "results/report.html").as_uri())
        page.wait_for_function("window.lmDecision && window.lmDecision.rows().length > 0")
        # the defaults as the page opens: the package's defaults for this table
        _assert_rows_match(_page_rows(page), rank_options(options, defaults), defaults)
        labels = page.locator("#decision-inputs label").all_inner_texts()
        assert any("Requests per day" in t for t in labels)
        for settings in cases:
            _set_decision_inputs(page, settings)
            expected = rank_options(options, settings)
            _assert_rows_match(_page_rows(page), expected, settings)
            line = reading(expected, settings["criterion"])
            if line is not None:
                shown = page.evaluate("window.lmDecision.reading()")
                assert line["first"]["model_id"].split("/")[-1] in shown
                assert line["reference"]["model_id"].split("/")[-1] in shown
        # the headline: at the estimate's request shape, the page's H100 (loaded) rows give the
        # answer's LLM/SLM energy ratio
        study = {**defaults, **basis, "quality_floor": 0.0, "own": "nothing"}
        study |= {"serving": "throughput", "criterion": "energy"}
        _set_decision_inputs(page, study)
        rows = [r for r in _page_rows(page) if r["scenario"] == H100]
        answer = pl.read_parquet(workdir / "results/answer.parquet").filter(
            (pl.col("setting") == f"{H100} · throughput") & (pl.col("metric") == "inference energy")
        )
        per_model = {r["model_id"]: r["kwh_per_year"] for r in rows}
        a = answer.row(0, named=True)
        assert _class_ratio(per_model, a["models_slm"], a["models_llm"]) == pytest.approx(
            a["llm_over_slm"], rel=1e-6
        )
        # and the page says so in words: its own class ratio at the estimate's shape
        report = (workdir / "results/report.html").read_text(encoding="utf-8")
        said = report.split('id="decision-headline">', 1)[1].split("</p>", 1)[0]
        assert f"<strong>{ratio(a['llm_over_slm'])}</strong>" in said
        _set_decision_inputs(page, defaults)
        shot = tmp_path / "decision_page.png"
        page.locator("section#decision").screenshot(path=str(shot))
        print(f"decision page screenshot: {shot}")
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(shot, ARTIFACTS / shot.name)
        browser.close()
    assert blocked == [], "the decision page tried to reach the network"
    assert errors == [], errors
    assert DecisionSettings(**defaults).prompt_tokens == round(prompts["prompt_tokens"].mean())
