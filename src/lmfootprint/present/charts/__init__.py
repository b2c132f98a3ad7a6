"""The figures that answer the study's questions, one builder per figure, grouped by theme.

Each builder takes the tables the ``figure`` rule gives it by name (inputs listed per figure
in workflow/rules/figures.smk) and returns an Altair chart. Titles state the finding with the
numbers of the headlines table; tooltips carry value, unit and provenance (present.figure).
The builders only render: every number they draw is a column of an upstream table. The
shapes they share are charts.shapes. ``FIGURES`` maps a figure's name to its builder;
``draw`` reads the inputs and builds it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import altair as alt
import polars as pl

from lmfootprint.answer.headlines import Headlines, load_headlines
from lmfootprint.present.charts.answer import answer_chart, capability_chart, ladder_chart
from lmfootprint.present.charts.benchmark import inference_chart, prefill_decode_chart
from lmfootprint.present.charts.first_screen import (
    cloud_first_chart,
    home_first_chart,
    training_first_chart,
)
from lmfootprint.present.charts.market import cost_vs_market_chart
from lmfootprint.present.charts.scenarios import (
    break_even_chart,
    carbon_chart,
    cost_chart,
    memory_chart,
    rent_vs_buy_chart,
)
from lmfootprint.present.charts.training import training_chart
from lmfootprint.present.charts.validation import fit_chart, peers_chart

# Each figure's builder by name; its inputs (the builder's arguments) and its caption live in
# workflow/rules/figures.smk and workflow/report/figures/<name>.rst.
FIGURES: dict[str, Callable[..., alt.TopLevelMixin]] = {
    "answer": answer_chart,
    "answer_training": training_first_chart,
    "answer_cloud": cloud_first_chart,
    "answer_home": home_first_chart,
    "training_footprint": training_chart,
    "inference": inference_chart,
    "prefill_decode": prefill_decode_chart,
    "energy_fit": fit_chart,
    "size_exponent": ladder_chart,
    "capability": capability_chart,
    "peers": peers_chart,
    "break_even": break_even_chart,
    "memory": memory_chart,
    "cost": cost_chart,
    "cost_vs_market": cost_vs_market_chart,
    "carbon": carbon_chart,
    "rent_vs_buy": rent_vs_buy_chart,
}


def _read(name: str, path: str | Path) -> Any:
    path = Path(path)
    if name == "headlines":
        return Headlines(load_headlines(path))
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    if path.suffix == ".csv":
        return pl.read_csv(path)
    return pl.read_parquet(path)


def draw(figure: str, paths: dict[str, str | Path]) -> alt.TopLevelMixin:
    """Figure ``figure`` from its inputs by name (as the builder's arguments)."""
    return FIGURES[figure](**{name: _read(name, path) for name, path in paths.items()})
