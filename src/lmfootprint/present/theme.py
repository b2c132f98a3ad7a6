"""One Altair theme for every figure: colour-blind-safe (Okabe-Ito), readable, quiet."""

from __future__ import annotations

import altair as alt

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
PROVENANCE_COLOURS = {
    "published": "#0072B2",
    "recomputed": "#E69F00",
    "estimated": "#CC79A7",
    "measured": "#009E73",
}


@alt.theme.register("lmfootprint", enable=True)
def lmfootprint_theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": "DejaVu Sans, Helvetica, Arial, sans-serif",
            "view": {"stroke": "transparent", "continuousWidth": 360, "continuousHeight": 280},
            "range": {"category": OKABE_ITO},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "grid": True, "gridOpacity": 0.4},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "orient": "bottom"},
            "title": {"fontSize": 14, "anchor": "start", "subtitleFontSize": 11},
            "point": {"size": 70, "filled": True},
        }
    }
