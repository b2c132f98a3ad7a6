"""How numbers read in titles and the report: one formatter per kind, shared by both."""

from __future__ import annotations

import math
from typing import Any


def ratio(value: float | None, suffix: str = "x") -> str:
    """Two significant digits below 10, whole numbers above: 0.042x, 0.42x, 3.1x, 24x, 1,489x.

    A ratio never rounds to a bare 0x, however small."""
    if value is None or not math.isfinite(value):
        return "–"
    if value < 1:
        return f"{value:.2g}{suffix}"
    if value < 9.95:
        return f"{value:.1f}{suffix}"
    return f"{value:,.0f}{suffix}"


def pct(value: float | None, digits: int = 0, sign: bool = False) -> str:
    """A share as a percentage: 0.171 -> '17%' (``sign``: '+17%')."""
    if value is None:
        return "–"
    return f"{value * 100:{'+' if sign else ''}.{digits}f}%"


def fmt(value: Any, digits: int = 3) -> str:
    """A table cell: three significant digits, thousands separated, '–' for missing."""
    if value is None:
        return "–"
    if isinstance(value, float):
        if value == 0:
            return "0"
        return f"{value:,.{digits}g}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def human_params(n: float) -> str:
    """135M, 1.7B, 405B: the labels people use."""
    if n <= 0 or math.isnan(n):
        return "?"
    for unit, div in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= div:
            v = n / div
            return f"{v:.4g}{unit}"
    return str(int(n))
