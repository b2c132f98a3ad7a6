"""The figure pages read the bundle one job built, and are the pages Altair's inline=True writes."""

from __future__ import annotations

from pathlib import Path

import altair as alt

from lmfootprint.present.bundle import vega_bundle, write_bundle
from lmfootprint.present.figure import save_figure


def _chart() -> alt.Chart:
    data = alt.Data(values=[{"a": 1, "b": 2}, {"a": 2, "b": 3}])
    return alt.Chart(data).mark_point().encode(x="a:Q", y="b:Q")


def test_page_from_a_written_bundle_is_altairs_inline_page(tmp_path: Path) -> None:
    chart = _chart()
    chart.save(str(tmp_path / "altair.html"), format="html", inline=True)
    write_bundle(tmp_path / "vega-embed.js")
    save_figure(
        chart,
        html=tmp_path / "ours.html",
        png=tmp_path / "ours.png",
        spec=tmp_path / "ours.vl.json",
        bundle=tmp_path / "vega-embed.js",
    )
    ours = (tmp_path / "ours.html").read_text(encoding="utf-8")
    assert ours == (tmp_path / "altair.html").read_text(encoding="utf-8")
    assert "https://" not in ours.split("<script", 1)[0]  # nothing fetched before the bundle


def test_bundle_is_the_page_javascript_not_a_reference() -> None:
    js = vega_bundle()
    assert len(js) > 500_000 and "vegaEmbed" in js
