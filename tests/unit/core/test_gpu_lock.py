"""requirements/gpu.lock agrees with pyproject.toml's `gpu` extra and with base.lock,
checked from the files alone (no CUDA wheel is downloaded)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from lmfootprint.core.locks import gpu_lock, read_pins

ROOT = Path(__file__).resolve().parents[3]
GPU_LOCK = ROOT / "requirements/gpu.lock"
BASE_LOCK = ROOT / "requirements/base.lock"


def gpu_extra() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in project["optional-dependencies"]["gpu"]]


def test_every_gpu_requirement_is_pinned_within_its_range() -> None:
    pins = read_pins(GPU_LOCK)
    for req in gpu_extra():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} of the gpu extra is not in gpu.lock"
        assert req.specifier.contains(pins[name], prereleases=True), (req, pins[name])


def test_gpu_lock_is_the_cuda_build_and_agrees_with_base() -> None:
    gpu, base = read_pins(GPU_LOCK), read_pins(BASE_LOCK)
    # the CUDA build of torch brings the CUDA runtime wheels; the CPU build brings none
    assert any(name.startswith("nvidia-") for name in gpu)
    assert "triton" in gpu
    # torch: the same release as the base install (2.13.0 vs 2.13.0+cpu)
    assert Version(gpu["torch"]).public == Version(base["torch"]).public
    for name in set(gpu) & set(base) - {"torch"}:
        assert gpu[name] == base[name], f"{name}: gpu.lock {gpu[name]} != base.lock {base[name]}"


def test_gpu_lock_lists_only_what_base_does_not_pin() -> None:
    report = {
        "install": [
            {"metadata": {"name": "torch", "version": "2.13.0"}},
            {"metadata": {"name": "Jinja2", "version": "3.1.6"}},
            {"metadata": {"name": "nvidia_cublas", "version": "13.1.1.3"}},
        ]
    }
    text = gpu_lock(report, {"torch": "2.13.0+cpu", "jinja2": "3.1.6"})
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines == ["nvidia-cublas==13.1.1.3", "torch==2.13.0"]


def test_dev_lock_tests_zeus_at_the_gpu_versions() -> None:
    """CI installs zeus (dev.lock) to test the Zeus meter: the same pins as the GPU set."""
    gpu, dev = read_pins(GPU_LOCK), read_pins(ROOT / "requirements/dev.lock")
    assert "zeus" in dev
    for name in set(gpu) & set(dev):
        assert gpu[name] == dev[name], f"{name}: gpu.lock {gpu[name]} != dev.lock {dev[name]}"
