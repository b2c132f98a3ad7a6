"""The shapes the figures are drawn in, each written once.

A long table stacked from a wide one (one row per plotted value); panels side by side, one
per quantity; a per-model value with its interval against the parameter count; a ratio with
its interval, one row per quantity; points against the dashed y = x line. The builders
(charts.answer, .training, .benchmark, .validation, .scenarios) pick a shape and fill in
their columns, titles and tooltips.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import altair as alt
import polars as pl

from lmfootprint.present.figure import log_y, params_axis

LOG = alt.Scale(type="log")


def log_x(field: str, **kw: Any) -> alt.X:
    """``field`` on a log x axis (``kw``: title, axis...)."""
    return alt.X(field, **kw, scale=LOG)


def stack(frame: pl.DataFrame, keep: Iterable[str], *parts: Mapping[str, Any]) -> pl.DataFrame:
    """A long table: for each part, ``keep`` and the part's columns (name -> expression),
    the parts one under the other."""
    keep = list(keep)
    return pl.concat(frame.select(*keep, **part) for part in parts)


def per_metric(
    data: pl.DataFrame, metrics: Iterable[str], panel: Callable[[pl.DataFrame, str], Any]
) -> alt.HConcatChart:
    """One panel per quantity of a long table (column ``metric``), side by side."""
    return alt.hconcat(*(panel(data.filter(pl.col("metric") == m), m) for m in metrics))


def params_interval(
    frame: pl.DataFrame,
    colour: str,
    tooltip: list[alt.Tooltip],
    col: str,
    axis_title: str,
    **point: Any,
) -> alt.LayerChart:
    """A per-model value (``col``) with its interval (``col``_low to ``col``_high) against
    the parameter count, one colour per scenario: error bars under a point on one log y
    axis (``point``: more encodings of the point, e.g. its shape)."""
    base = alt.Chart(frame).encode(
        x=params_axis(), color=alt.Color(colour, title="scenario"), tooltip=tooltip
    )
    return alt.layer(
        base.mark_errorbar(opacity=0.6).encode(
            y=log_y(f"{col}_low:Q", axis_title), y2=f"{col}_high:Q"
        ),
        base.mark_point(filled=True).encode(y=log_y(f"{col}:Q", axis_title), **point),
    )


def log_range(base: alt.Chart, col: str, title: str, *, size: int) -> tuple[alt.Chart, alt.Chart]:
    """A ratio (``col``) with its interval (``col``_low to ``col``_high): a bar and a point
    on one log x axis, one row per quantity."""
    return (
        base.mark_rule(strokeWidth=3, opacity=0.6).encode(
            x=log_x(f"{col}_low:Q", title=title), x2=f"{col}_high:Q"
        ),
        base.mark_point(filled=True, size=size).encode(x=log_x(f"{col}:Q")),
    )


def extent(frame: pl.DataFrame, *cols: str) -> tuple[float, float]:
    """The smallest and largest value over ``cols``: one range for both axes of a scatter
    against the diagonal."""
    return min(frame[c].min() for c in cols), max(frame[c].max() for c in cols)


def diagonal(line: pl.DataFrame) -> alt.Chart:
    """The dashed y = x line (columns ``a``, ``b``) that ours-against-theirs scatters read
    against, on log axes."""
    return (
        alt.Chart(line)
        .mark_line(color="#888", strokeDash=[3, 3])
        .encode(x=alt.X("a:Q", scale=LOG), y=alt.Y("b:Q", scale=LOG))
    )
