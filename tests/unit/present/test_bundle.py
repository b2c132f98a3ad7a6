"""The figure pages read the bundle one job built, as Altair's inline=True pages do."""

from __future__ import annotations

import json
import re
from pathlib import Path

import altair as alt

from lmfootprint.present.bundle import vega_bundle, write_bundle
from lmfootprint.present.figure import save_figure


def _chart() -> alt.Chart:
    data = alt.Data(values=[{"a": 1, "b": 2}, {"a": 2, "b": 3}])
    return alt.Chart(data).mark_point().encode(x="a:Q", y="b:Q")


def test_page_from_a_written_bundle_holds_the_bundle_and_the_spec(tmp_path: Path) -> None:
    """Altair's inline page, with the bundle one job wrote, the spec written html-safe and
    the pages' CSP (tests/unit/present/test_page_escaping.py)."""
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
    assert (tmp_path / "vega-embed.js").read_text(encoding="utf-8") in ours
    spec = re.search(r"const spec = (.*);\n", ours).group(1)
    assert json.loads(spec) == chart.to_dict()
    assert "vegaEmbed('#vis', spec, embedOpt)" in ours
    assert "https://" not in ours.split("<script", 1)[0]  # nothing fetched before the bundle


def test_bundle_is_the_page_javascript_not_a_reference() -> None:
    js = vega_bundle()
    assert len(js) > 500_000 and "vegaEmbed" in js
