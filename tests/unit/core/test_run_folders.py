"""A file where the run writes a folder is named before any job runs (not a traceback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lmfootprint.core.workdir import WorkdirError, check_run_folders

ROOT = Path(__file__).resolve().parents[3]


def test_results_as_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "results").write_text("not a folder")
    with pytest.raises(WorkdirError, match=r"^results/ is a file, not a directory"):
        check_run_folders(tmp_path)


def test_absent_or_real_folders_pass(tmp_path: Path) -> None:
    check_run_folders(tmp_path)
    (tmp_path / "results").mkdir()
    (tmp_path / "logs").symlink_to(tmp_path / "results")
    check_run_folders(tmp_path)


def test_a_dangling_link_is_named(tmp_path: Path) -> None:
    (tmp_path / "logs").symlink_to(tmp_path / "gone")
    with pytest.raises(WorkdirError, match=r"logs/ is a link to .*gone, which does not exist"):
        check_run_folders(tmp_path)


def test_snakemake_stops_before_any_job_with_one_line(tmp_path: Path) -> None:
    """The preflight runs before the config is read: the workflow run from another folder."""
    (tmp_path / "results").write_text("")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-n",
            "--cores",
            "1",
            "--snakefile",
            str(ROOT / "Snakefile"),
            "--directory",
            str(tmp_path),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "lmfootprint: results/ is a file, not a directory" in out, out[-2000:]
    assert "NotADirectoryError" not in out
