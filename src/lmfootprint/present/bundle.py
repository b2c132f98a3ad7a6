"""The Vega/Vega-Lite/vega-embed JavaScript that every page inlines, made once per run.

vl-convert builds the bundle on each call (about 3 s on 2 cores): made by one job and read by
the figures and the report, it is built once instead of once per page. It comes from the
installed vl-convert wheel, never from the network, at the Vega-Lite version Altair writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lmfootprint.core.io import write_text


def vega_bundle() -> str:
    """vega-embed with Vega and Vega-Lite, at the Vega-Lite version of Altair's specs."""
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_convert.javascript_bundle(vl_version=vl_version_for_vl_convert())


def write_bundle(out: str | Path) -> None:
    write_text(vega_bundle(), out)


def read_bundle(path: str | Path | None) -> str:
    """The bundle a job wrote, or a fresh one when no file is given (tests, notebooks)."""
    if path is None:
        return vega_bundle()
    return Path(path).read_text(encoding="utf-8")


class InlineTemplate:
    """Altair's inline HTML template with the bundle already read: ``chart.save(...,
    template=InlineTemplate(js))`` writes the same standalone page as ``inline=True`` without
    building the bundle again."""

    def __init__(self, script: str) -> None:
        self.script = script

    def render(self, **fields: Any) -> str:
        from altair.utils.html import INLINE_HTML_TEMPLATE

        return INLINE_HTML_TEMPLATE.render(**fields, vegaembed_script=self.script)
