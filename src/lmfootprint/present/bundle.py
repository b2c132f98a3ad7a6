"""The Vega/Vega-Lite/vega-embed JavaScript that every page inlines, made once per run.

vl-convert builds the bundle on each call (about 3 s on 2 cores): made by one job and read by
the figures and the report, it is built once instead of once per page. It comes from the
installed vl-convert wheel, never from the network, at the Vega-Lite version Altair writes.
"""

from __future__ import annotations

from pathlib import Path

from lmfootprint.core.io import write_text
from lmfootprint.present.engine import run_engine


def vega_bundle() -> str:
    """vega-embed with Vega and Vega-Lite, at the Vega-Lite version of Altair's specs."""
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_convert.javascript_bundle(vl_version=vl_version_for_vl_convert())


def write_bundle(out: str | Path) -> None:
    """The bundle built in a child process (present.engine): under a low address-space
    limit V8 dies with SIGTRAP, and the job's log then names the signal and the limit."""
    js = run_engine(
        "import sys; from lmfootprint.present.bundle import vega_bundle; "
        "sys.stdout.write(vega_bundle())",
        f"building the Vega bundle {out}",
    )
    write_text(js, out)


def read_bundle(path: str | Path | None) -> str:
    """The bundle a job wrote, or a fresh one when no file is given (tests, notebooks)."""
    if path is None:
        return vega_bundle()
    return Path(path).read_text(encoding="utf-8")
