"""What every figure shares: the axes, the one title helper, the one tooltip helper, saving.

A title states the figure's finding with numbers read from the headlines table
(``lmfootprint.answer.headlines``), never computed here; every tooltip carries a value, its
unit and its provenance.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import altair as alt

from lmfootprint.core.io import atomic_write, write_json
from lmfootprint.present import theme  # noqa: F401  (registers and enables the theme)
from lmfootprint.present.bundle import read_bundle
from lmfootprint.present.figure_page import InlineTemplate

Tip = tuple[str, str] | tuple[str, str, str]

# Altair refuses to embed more than 5,000 rows (a guard for notebooks); a study of 1,001
# models draws 5,005 points in the carbon figure, and the page must still be written.
alt.data_transformers.disable_max_rows()

MODEL: Tip = ("model_id:N", "model")
PARAMS: Tip = ("params_total:Q", "parameters", ",.0f")
PROVENANCE: Tip = ("provenance:N", "provenance")
METHOD: Tip = ("method:N", "method")


def params_axis() -> alt.X:
    """Parameters on a log axis, labelled 135M, 7B, 405B (d3's SI 'G' read as billions)."""
    return alt.X(
        "params_total:Q",
        title="Parameters (log scale)",
        scale=alt.Scale(type="log"),
        axis=alt.Axis(labelExpr="replace(format(datum.value, '~s'), 'G', 'B')"),
    )


def log_y(field: str, title: str) -> alt.Y:
    return alt.Y(field, title=title, scale=alt.Scale(type="log"))


def tooltips(*tips: Tip) -> list[alt.Tooltip]:
    """Tooltip entries from (field:type, title[, format]); one of them must say the
    provenance, so that no mark shows a value without where it came from."""
    if not any("provenance" in t[0] for t in tips):
        raise ValueError(f"a tooltip without provenance: {[t[0] for t in tips]}")
    return [
        alt.Tooltip(t[0], title=t[1], format=t[2]) if len(t) == 3 else alt.Tooltip(t[0], title=t[1])
        for t in tips
    ]


def title_from(
    rows: Sequence[dict[str, Any] | None], compose: Callable[..., str], fallback: str
) -> str:
    """The title text from headline rows, or ``fallback`` when the run has none of them
    (e.g. no LLM configured): ``compose`` only formats the rows it is given."""
    if not rows or any(r is None for r in rows):
        return fallback
    return compose(*rows)


def titled(chart: alt.TopLevelMixin, title: str, *, subtitle: str, description: str):
    """The chart with its finding as the title, how it was made as the subtitle, and a
    description for screen readers."""
    return chart.properties(title=alt.Title(title, subtitle=subtitle), description=description)


def save_figure(
    chart: alt.TopLevelMixin,
    *,
    html: str | Path,
    png: str | Path,
    spec: str | Path,
    bundle: str | Path | None = None,
) -> None:
    """Standalone HTML with the JavaScript inlined (read from ``bundle``, the file the
    vega_bundle job wrote, when given), every string escaped and the pages' CSP
    (present.figure_page), a PNG, and the Vega-Lite spec."""
    page = InlineTemplate(read_bundle(bundle))
    atomic_write(html, lambda p: chart.save(str(p), format="html", template=page))
    atomic_write(png, lambda p: chart.save(str(p), format="png", scale_factor=2))
    write_json(json.loads(chart.to_json()), spec)
