"""Fixtures shared by the unit tests: the serving model fitted once on the shipped rows."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from builders import HARDWARE, RES

from lmfootprint.estimates.inference_fit import fit_serving, load_shapes, peer_rows, v2_rows


@pytest.fixture(scope="session")
def serving() -> SimpleNamespace:
    """ML.ENERGY v3 rows, v2 rows, and the fit and cv table on them (a few seconds, once)."""
    shapes = load_shapes(str(RES / "inference" / "peer_model_shapes.csv"))
    rows = peer_rows(str(RES / "inference" / "mlenergy_v3.csv"), shapes, HARDWARE)
    v2 = v2_rows(str(RES / "inference" / "mlenergy_v2_sweeps.csv"), shapes, HARDWARE)
    fit, cv = fit_serving(rows, v2)
    return SimpleNamespace(rows=rows, v2=v2, fit=fit, cv=cv)
