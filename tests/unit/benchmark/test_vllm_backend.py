"""The vllm backend on a machine without a supported GPU or without vllm: a skip row with the
reason, its workload rules, its prompts, and rows that share ML.ENERGY v3's columns."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import polars as pl
import pytest

from lmfootprint.benchmark.backend import BackendJob
from lmfootprint.benchmark.benchmark_inference import benchmark_job
from lmfootprint.benchmark.detect_hardware import Gpu, detect
from lmfootprint.benchmark.job_settings import JobSettings
from lmfootprint.benchmark.registry import backend_class, checked_workload
from lmfootprint.benchmark.schemas import InferenceSchema
from lmfootprint.benchmark.vllm_backend import VllmBackend, prompt_ids
from lmfootprint.benchmark.workload import Workload, WorkloadError
from lmfootprint.core.ids import ModelRef
from lmfootprint.models.model_metadata import model_record

ROOT = Path(__file__).resolve().parents[3]
QWEN = ROOT / "resources/hub/Qwen--Qwen2.5-0.5B/config.json"
SWEEP = Workload("sweep", 16, 8, (1, 64), warmup=1, repeats=3, backend="vllm")
HAS_VLLM = importlib.util.find_spec("vllm") is not None


def job_on(machine, workload: Workload = SWEEP):
    model = model_record(ModelRef("Qwen/Qwen2.5-0.5B", "Qwen--Qwen2.5-0.5B"), QWEN)
    return benchmark_job(
        model=model.row(0, named=True),
        machine=machine,
        config_path=QWEN,
        weights_dir=None,
        workload=workload,
        settings=JobSettings(
            dtype="bf16",
            threads=1,
            max_params=1e12,
            cpu_tdp_w=None,
            ram_w_per_gb=0.375,
            idle_seconds_max=0.1,
        ),
    )


def test_registered_and_its_workload_rules() -> None:
    assert backend_class("vllm") is VllmBackend and VllmBackend.batching == "continuous"
    with pytest.raises(WorkloadError, match="vllm backend runs unquantised"):
        checked_workload(Workload("q", 8, 4, (1,), backend="vllm", quantization="q4_k_m"))


def test_on_a_cpu_it_is_a_skip_row_with_the_reason() -> None:
    summary, raw = job_on(detect("cpu"))
    row = summary.row(0, named=True)
    assert raw.is_empty() and summary.height == 1
    assert (row["status"], row["backend"]) == ("skipped", "vllm")
    assert row["skip_reason"] == "the vllm backend needs a GPU; device cpu is not one"


def test_on_a_gpu_without_vllm_it_is_a_skip_row_naming_the_extra() -> None:
    if HAS_VLLM:
        pytest.skip("vllm is installed here: the reason below is for machines without it")
    gpu = Gpu(0, "NVIDIA H100 80GB HBM3", 85.0, 700.0, "550.54")
    machine = dataclasses.replace(detect("cpu"), device="cuda:0", gpu=gpu, hardware="H100")
    row = job_on(machine)[0].row(0, named=True)
    assert row["status"] == "skipped"
    assert row["skip_reason"] == "vllm is not installed: pip install -e '.[vllm]' (the vllm extra)"
    other = dataclasses.replace(machine, device="cuda:1")
    assert "first visible GPU (cuda:0)" in job_on(other)[0].row(0, named=True)["skip_reason"]


def test_prompts_are_distinct_token_ids_of_the_input_length() -> None:
    prompts = prompt_ids(151_936, 4, 16, seed=0)
    assert [len(p["prompt_token_ids"]) for p in prompts] == [16] * 4
    assert len({tuple(p["prompt_token_ids"]) for p in prompts}) == 4  # no shared prefix to cache
    assert prompts == prompt_ids(151_936, 4, 16, seed=0)
    assert all(10 <= t < 151_935 for p in prompts for t in p["prompt_token_ids"])


def test_random_init_model_dir_has_the_config_without_remote_code(tmp_path: Path) -> None:
    model = model_record(ModelRef("Qwen/Qwen2.5-0.5B", "Qwen--Qwen2.5-0.5B"), QWEN)
    job = BackendJob(model.row(0, named=True), QWEN, None, SWEEP, "bf16", "cuda:0", 1)
    model_dir, load_format, weights = VllmBackend(job)._model_dir(tmp_path)
    assert (load_format, weights) == ("dummy", "random-init")
    assert (model_dir / "config.json").is_file() and "auto_map" not in (
        model_dir / "config.json"
    ).read_text()


def test_rows_share_mlenergy_v3_measurement_columns() -> None:
    theirs = pl.read_csv(ROOT / "resources/inference/mlenergy_v3.csv", n_rows=1).columns
    # their provenance columns (task, source repo and commit, release) describe their run
    provenance = {"task", "activated_params_b", "architecture", "release", "source_repo"}
    provenance |= {"source_commit", "data_path", "source_date"}
    ours = set(InferenceSchema.to_schema().columns)
    assert set(theirs) - provenance <= ours, sorted(set(theirs) - provenance - ours)


@pytest.mark.skipif(not HAS_VLLM, reason="vllm is not installed (the vllm extra)")
def test_forced_sampling_forces_the_length() -> None:
    from lmfootprint.benchmark.vllm_backend import forced_sampling

    params = forced_sampling(7, seed=0)
    assert (params.min_tokens, params.max_tokens, params.ignore_eos) == (7, 7, True)
