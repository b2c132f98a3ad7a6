"""The install as a user meets it: the interpreter is checked before anything is installed,
and a .venv made by another Python is replaced, not reused (a 3.12 `.venv` left by a failed
`make run PYTHON=python3.12` used to be reused by the next plain `make run`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
FILES = ["Makefile", "pyproject.toml", "README.md", "LICENSE", "requirements", "src"]


def python(version: str) -> str | None:
    """An interpreter of that version: on the PATH, or under pyenv."""
    for name in (f"python{version}",):
        found = shutil.which(name)
        if found and _is(found, version):
            return found
    for path in sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python")):
        if _is(str(path), version):
            return str(path)
    return None


def _is(exe: str, version: str) -> bool:
    code = f"import sys; sys.exit(sys.version_info[:2] != {tuple(map(int, version.split('.')))})"
    return subprocess.run([exe, "-c", code], capture_output=True).returncode == 0


def checkout(tmp_path: Path) -> Path:
    for name in FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, tmp_path / name)
    return tmp_path


def make(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", *args], cwd=cwd, capture_output=True, text=True, timeout=900)


def test_an_interpreter_out_of_range_installs_nothing(tmp_path: Path) -> None:
    old = python("3.10")
    if old is None:
        pytest.skip("no Python 3.10 here to try")
    repo = checkout(tmp_path)
    done = make(repo, "install", f"PYTHON={old}")
    assert done.returncode != 0
    assert f"lmfootprint needs Python 3.11-3.13; '{old}' is 3.10" in done.stdout + done.stderr
    assert not (repo / ".venv").exists()
    missing = make(repo, "install", "PYTHON=/nowhere/python3.12")
    assert "'/nowhere/python3.12' is not found" in missing.stdout + missing.stderr
    assert not (repo / ".venv").exists()


def test_a_venv_of_another_python_is_replaced(tmp_path: Path) -> None:
    other = python("3.12") if sys.version_info[:2] != (3, 12) else python("3.11")
    if other is None:
        pytest.skip("no second Python here to make the stale .venv with")
    repo = checkout(tmp_path)
    subprocess.run([other, "-m", "venv", str(repo / ".venv")], check=True)
    done = make(repo, "install", f"PYTHON={sys.executable}")
    said = done.stdout + done.stderr
    assert done.returncode == 0, said[-3000:]
    ours = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert f"creating .venv with {sys.executable} ({ours})" in said
    venv_python = repo / ".venv/bin/python"
    assert _is(str(venv_python), ours)
    assert (repo / f".venv/.installed-base-py{ours}-cpu").is_file()
    # a second run installs nothing
    again = make(repo, "install", f"PYTHON={sys.executable}")
    assert "pip" not in again.stdout, again.stdout
