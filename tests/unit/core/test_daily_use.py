"""Everyday use: readable outputs, the boolean spellings users type, a duplicate model named."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from lmfootprint.core.config import apply_defaults, check_config, coerce_booleans, load_schema
from lmfootprint.core.errors import ConfigError
from lmfootprint.core.io import write_text

ROOT = Path(__file__).resolve().parents[3]
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


# -- a full disk ------------------------------------------------------------------------------


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_full_disk_is_one_clear_message_and_nothing_half_written(tmp_path: Path) -> None:
    import errno

    from lmfootprint.core.io import OutputWriteError, atomic_write

    target = tmp_path / "results" / "models.parquet"
    write_text("previous", target)

    def fill_the_disk(tmp: Path) -> None:
        tmp.write_text("half of it")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))

    with pytest.raises(OutputWriteError) as err:
        atomic_write(target, fill_the_disk)
    text = str(err.value)
    assert text.startswith(f"{target}: could not be written (No space left on device)")
    assert "nothing was half-written" in text and "free space" in text
    assert target.read_text() == "previous"
    assert _leftovers(target.parent) == []


def test_polars_reports_a_full_disk_in_its_own_exception(tmp_path: Path, monkeypatch) -> None:
    import polars as pl

    from lmfootprint.core.io import OutputWriteError, write_parquet

    def full(self, path, **kwargs) -> None:  # the message polars gives when writing /dev/full
        Path(path).write_bytes(b"PAR1")
        raise pl.exceptions.ComputeError(
            "parquet: File out of specification: underlying IO error: "
            "No space left on device (os error 28)"
        )

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    target = tmp_path / "t.parquet"
    with pytest.raises(OutputWriteError, match=r"t\.parquet: could not be written \(No space"):
        write_parquet(pl.DataFrame({"a": [1]}), target)
    assert not target.exists() and _leftovers(tmp_path) == []


def test_other_failures_of_the_write_pass_through(tmp_path: Path) -> None:
    """Not a write problem (a missing source to copy, a bug): raised as it is, temp removed."""
    import shutil

    from lmfootprint.core.io import atomic_write

    with pytest.raises(FileNotFoundError):
        atomic_write(tmp_path / "copy.csv", lambda p: shutil.copyfile(tmp_path / "nope.csv", p))
    with pytest.raises(ZeroDivisionError):
        atomic_write(tmp_path / "x.txt", lambda p: 1 / 0)
    assert _leftovers(tmp_path) == []


def test_a_name_that_fills_255_bytes_is_written_and_a_longer_one_named(tmp_path: Path) -> None:
    from lmfootprint.core.io import OutputWriteError

    longest = tmp_path / ("n" * 251 + ".txt")  # 255 bytes: its temporary name must be shorter
    write_text("x", longest)
    assert longest.read_text() == "x" and _leftovers(tmp_path) == []
    too_long = tmp_path / ("n" * 252 + ".txt")
    with pytest.raises(OutputWriteError, match=r"\(File name too long\).*the name has 256 bytes"):
        write_text("x", too_long)
