"""Shared fixtures. Tests may read ../shared as fixtures; the project itself never does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
HUB_RESOURCES = ROOT / "resources" / "hub"

# tests reach only servers they start on 127.0.0.1; HF_HUB_OFFLINE would block those too,
# and huggingface_hub reads it once at import, so it is cleared before any test imports it
os.environ.pop("HF_HUB_OFFLINE", None)
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

# property tests: no example database written into the checkout, a fixed budget per test
settings.register_profile("lmfootprint", database=None, max_examples=60, deadline=None)
settings.load_profile("lmfootprint")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_snapshot() -> Path:
    path = SHARED / "hub-snapshot"
    if not path.is_dir():
        pytest.skip("../shared/hub-snapshot is not beside this checkout")
    return path
