"""The default run's answer, stated three times, says the same thing each time.

README.md's answer table, ``results/answer.parquet`` and ``results/report.html`` come from one
default run (config/config.yaml as shipped): the README block must equal what the run's
headlines render to, every number it states must be in the report, and the headline ratios
must be the answer table's rows. A change that moves the answer without rewriting the README
(``python -m lmfootprint readme-answer``) fails here.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import polars as pl
import pytest
from workflow_runner import ROOT, make_workdir, run_snakemake

from lmfootprint.answer.headlines import Headlines, load_headlines
from lmfootprint.present.readme_answer import block_of, render
from lmfootprint.present.text import ratio

pytestmark = pytest.mark.e2e


class Recording(Headlines):
    """Headlines that remember which keys were read."""

    def __init__(self, table: pl.DataFrame) -> None:
        super().__init__(table)
        self.read: list[str] = []

    def __getitem__(self, key: str):
        self.read.append(key)
        return super().__getitem__(key)

    def get(self, key: str):
        row = super().get(key)
        if row is not None:
            self.read.append(key)
        return row


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> Path:
    wd = make_workdir(tmp_path_factory.mktemp("default"))
    run_snakemake(wd)
    return wd


def test_readme_states_the_default_runs_answer(default_run: Path) -> None:
    h = Headlines(load_headlines(default_run / "results/headlines.parquet"))
    readme = block_of((ROOT / "README.md").read_text(encoding="utf-8"))
    assert readme == render(h), (
        "README.md's answer table differs from the default run's: run the default workflow, "
        "then `python -m lmfootprint readme-answer`"
    )


def test_the_report_states_every_number_the_readme_states(default_run: Path) -> None:
    h = Recording(load_headlines(default_run / "results/headlines.parquet"))
    render(h)
    page = (default_run / "results/report.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", " ", page.split("<body>", 1)[1]))
    missing = []
    for key in dict.fromkeys(h.read):
        row = h[key]
        if row["unit"] != "x":
            continue
        for part in ("value", "low", "high"):
            if row[part] is not None and ratio(row[part]) not in text:
                missing.append(f"{key}.{part} = {ratio(row[part])}")
    assert not missing, f"numbers in the README but not in the report: {missing}"


def test_the_headline_ratios_are_the_answer_tables_rows(default_run: Path) -> None:
    h = Headlines(load_headlines(default_run / "results/headlines.parquet"))
    answer = pl.read_parquet(default_run / "results/answer.parquet")
    row = answer.filter(pl.col("metric") == "training energy").row(0, named=True)
    head = h["answer.training_energy"]
    assert (head["value"], head["low"], head["high"]) == pytest.approx(
        (row["llm_over_slm"], row["llm_over_slm_low"], row["llm_over_slm_high"])
    )
    thresholds = pl.read_parquet(default_run / "results/comparison/threshold_sensitivity.parquet")
    at = thresholds.filter(
        (pl.col("metric") == "training energy")
        & (pl.col("threshold_params") == h.value("slm_max_params"))
    )
    if at.height:  # the threshold table's row at the headline threshold is the same computation
        t = at.row(0, named=True)
        assert (t["llm_over_slm"], t["llm_over_slm_low"], t["llm_over_slm_high"]) == (
            pytest.approx((row["llm_over_slm"], row["llm_over_slm_low"], row["llm_over_slm_high"]))
        )
