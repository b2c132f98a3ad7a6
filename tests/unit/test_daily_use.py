"""Everyday use: readable outputs, the boolean spellings users type, a duplicate model named."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from lmfootprint.core.config import apply_defaults, check_config, coerce_booleans, load_schema
from lmfootprint.core.errors import ConfigError
from lmfootprint.core.io import write_text

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = load_schema(ROOT / "workflow/schemas/config.schema.yaml")


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_outputs_follow_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        write_text("x", tmp_path / "out.txt")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == mode


@pytest.mark.parametrize(
    "typed,expected",
    [("true", True), ("True", True), ("yes", True), ("1", True), ("on", True)]
    + [("false", False), ("NO", False), ("0", False), ("off", False)],
)
def test_boolean_spellings_people_type(typed: str, expected: bool) -> None:
    cfg = {
        "models": ["EleutherAI/pythia-14m"],
        "online": typed,
        "reference": {"online": {"prices": typed}},
    }
    coerce_booleans(cfg, SCHEMA)
    check_config(cfg, SCHEMA)
    assert cfg["online"] is expected
    assert cfg["reference"]["online"]["prices"] is expected
    assert cfg["models"] == ["EleutherAI/pythia-14m"]  # strings elsewhere are left alone


def test_a_word_that_is_not_a_boolean_is_still_an_error() -> None:
    cfg = {"models": ["EleutherAI/pythia-14m"], "online": "maybe"}
    coerce_booleans(cfg, SCHEMA)
    with pytest.raises(ConfigError, match="online: expected boolean, got str 'maybe'"):
        check_config(cfg, SCHEMA)


def test_a_model_listed_twice_is_named() -> None:
    models = [f"acme/m{i}" for i in range(30)] + ["acme/m7"]
    cfg = apply_defaults({"models": models}, SCHEMA)
    with pytest.raises(ConfigError) as err:
        check_config(cfg, SCHEMA)
    text = str(err.value)
    assert "models: listed more than once: 'acme/m7'" in text
    assert "acme/m29" not in text  # not the whole list


def test_benchmark_threads_do_not_depend_on_the_launcher(monkeypatch) -> None:
    import psutil

    from lmfootprint.core.config import benchmark_threads

    assert benchmark_threads({"benchmark": {"threads": 3}}) == 3
    monkeypatch.setattr(psutil, "cpu_count", lambda logical=True: 16 if logical else 8)
    assert benchmark_threads({"benchmark": {"threads": None}}) == 8  # physical, not logical
