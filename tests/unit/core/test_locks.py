"""The locks install from public indexes alone: no pin only a local wheel folder satisfies,
and the resolve check (.ci/check_locks) flags what a user's machine would fail on."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from lmfootprint.core.locks import read_pins, resolve_problems

ROOT = Path(__file__).resolve().parents[3]
LOCKS = sorted((ROOT / "requirements").glob("*.lock"))


def test_no_pin_carries_a_local_version_label() -> None:
    # torch==2.13.0+cpu exists on PyTorch's CPU index and this machine's wheel folder, never on
    # the package index: `make run` stopped with "Cannot install torch==2.13.0+cpu" elsewhere
    for lock in LOCKS:
        for name, version in read_pins(lock).items():
            assert Version(version).local is None, f"{lock.name}: {name}=={version}"


def test_supported_pythons_are_stated_alike() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    supported = SpecifierSet(project["requires-python"])
    for minor in (11, 12, 13):
        assert f"3.{minor}" in supported
        assert f"Programming Language :: Python :: 3.{minor}" in project["classifiers"]
    assert "3.10" not in supported
    makefile = (ROOT / "Makefile").read_text()
    assert "(3, 11) <= sys.version_info[:2] <= (3, 13)" in makefile
    assert '"${@:-3.11 3.12 3.13}"' in (ROOT / ".ci/check_locks").read_text()


def test_dev_lock_includes_base_pins(tmp_path: Path) -> None:
    (tmp_path / "base.lock").write_text("# comment\nPyYAML==6.0.3\n")
    (tmp_path / "dev.lock").write_text("-r base.lock\npytest==9.2.0 ; python_version >= '3'\n")
    assert read_pins(tmp_path / "dev.lock") == {"pyyaml": "6.0.3", "pytest": "9.2.0"}


def item(name: str, version: str, url: str | None = None) -> dict:
    url = url or f"https://files.pythonhosted.org/packages/xx/{name}-{version}-py3-none-any.whl"
    return {"metadata": {"name": name, "version": version}, "download_info": {"url": url}}


def test_a_resolve_that_is_the_locks_passes() -> None:
    report = {"install": [item("torch", "2.13.0"), item("Jinja2", "3.1.6")]}
    locks = {"base.lock": {"torch": "2.13.0", "jinja2": "3.1.6"}}
    assert resolve_problems(report, locks) == []


def test_unpinned_other_version_and_local_files_are_named() -> None:
    report = {
        "install": [
            item("triton", "3.7.1"),
            item("jinja2", "3.1.5"),
            item("torch", "2.13.0+cpu", "file:///opt/wheels/torch-2.13.0+cpu-cp311.whl"),
        ]
    }
    locks = {"base.lock": {"torch": "2.13.0", "jinja2": "3.1.6"}}
    problems = resolve_problems(report, locks)
    assert problems == [
        "triton 3.7.1: needed here, pinned in none of ['base.lock']",
        "jinja2: base.lock pins 3.1.6, resolved 3.1.5",
        "torch 2.13.0+cpu: taken from file:///opt/wheels/torch-2.13.0+cpu-cp311.whl, "
        "not the public index",
    ]
