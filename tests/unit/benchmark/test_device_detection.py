"""Detection where the work runs: the benchmark job checks the device it holds, an absent
configured device is an error naming it (or a skip row when asked), and CUDA's numbering under
CUDA_VISIBLE_DEVICES (what Slurm sets) is mapped to NVML's."""

from __future__ import annotations

from pathlib import Path

import pytest

from lmfootprint.benchmark.benchmark_inference import benchmark_job
from lmfootprint.benchmark.detect_hardware import DeviceMissingError, detect, nvml_index
from lmfootprint.benchmark.job_settings import JobSettings
from lmfootprint.benchmark.workload import Workload
from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.ids import ModelRef
from lmfootprint.models.model_metadata import model_record

PYTHIA = Path(__file__).resolve().parents[3] / "resources/hub/EleutherAI--pythia-14m/config.json"
TINY = Workload("tiny", 4, 2, (1,), warmup=0, repeats=3, max_repeats=3)


def run(device: str, **kw):
    model = model_record(ModelRef("EleutherAI/pythia-14m", "EleutherAI--pythia-14m"), PYTHIA)
    return benchmark_job(
        model=model.row(0, named=True),
        machine=detect(device),
        config_path=PYTHIA,
        weights_dir=None,
        workload=TINY,
        settings=JobSettings(
            dtype="bf16",
            threads=1,
            max_params=1e12,
            cpu_tdp_w=None,
            ram_w_per_gb=0.375,
            idle_seconds_max=0.1,
            **kw,
        ),
    )


def test_cuda_index_maps_through_cuda_visible_devices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert nvml_index(2) == 2
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,5")  # Slurm granted GPUs 3 and 5
    assert (nvml_index(0), nvml_index(1)) == (3, 5)
    assert nvml_index(2) >= 2  # not visible: not an index of a granted GPU
    assert nvml_index(2) not in (3, 5)
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert nvml_index(1) == 1


def test_absent_device_is_an_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # a GPU index this machine (any machine) does not have
    with pytest.raises(DeviceMissingError) as err:
        run("cuda:97")
    message = str(err.value)
    assert isinstance(err.value, LmFootprintError)
    assert "configured benchmark device cuda:97 is absent" in message
    assert "no GPU cuda:97" in message and "skip_missing_devices: true" in message


def test_absent_device_is_a_skip_row_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")  # the node granted no GPU
    summary, raw = run("cuda:0", skip_missing_devices=True)
    row = summary.row(0, named=True)
    assert summary.height == 1 and raw.is_empty()
    assert row["status"] == "skipped" and row["device"] == "cuda:0"
    assert row["skip_reason"].startswith("no GPU cuda:0 on ")
    assert (row["num_gpus"], row["gpu_model"]) == (0, None)


def test_the_job_detects_the_cpu_it_runs_on() -> None:
    summary, raw = run("cpu")
    assert summary["status"].to_list() == ["ok"] and raw.height == 6
    row = summary.row(0, named=True)
    assert row["hardware"] == detect("cpu").hardware
    assert row["energy_domains"] in ("cpu", "cpu+dram")
    assert row["weight_precision"] == "bfloat16" and row["avg_batch_size"] == 1.0
    assert row["max_num_seqs"] is None  # static batching: not a scheduler cap


def test_an_apple_silicon_gpu_is_found_on_macos_arm64_only() -> None:
    from lmfootprint.benchmark.detect_hardware import apple_gpu_reason

    assert apple_gpu_reason("Darwin", "arm64") is None
    for system, machine in (("Linux", "x86_64"), ("Darwin", "x86_64"), ("Linux", "aarch64")):
        reason = apple_gpu_reason(system, machine)
        assert reason is not None and "mps needs macOS on Apple silicon" in reason
    here = detect("mps")
    if here.available:  # this suite ran on a Mac
        assert here.hardware.endswith("GPU (Metal)")
    else:
        assert "no Apple silicon GPU (mps)" in (here.unavailable_reason or "")
        summary, raw = run("mps", skip_missing_devices=True)
        row = summary.row(0, named=True)
        assert (row["status"], row["device"]) == ("skipped", "mps") and raw.is_empty()
        assert row["skip_reason"].startswith("no Apple silicon GPU (mps)")
