"""The backend interface: one registry, the typed machine record, one memory predictor, skips
for what a backend cannot run, and a progress line per repeat."""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from lmfootprint.benchmark.backend import Backend, BackendJob, Generator
from lmfootprint.benchmark.benchmark_inference import benchmark_job, why_not_run
from lmfootprint.benchmark.detect_hardware import Gpu, Machine, MachineRecordError, detect
from lmfootprint.benchmark.gguf_writer import write_random_gguf
from lmfootprint.benchmark.harness import MEMORY_MARGIN, human_seconds, time_left_s
from lmfootprint.benchmark.job_settings import JobSettings
from lmfootprint.benchmark.llama_cpp import LlamaCppBackend
from lmfootprint.benchmark.registry import ENTRIES, backend_class, checked_workload
from lmfootprint.benchmark.schemas import InferenceSchema
from lmfootprint.benchmark.transformers_backend import TransformersBackend, causal_lm_problem
from lmfootprint.benchmark.vllm_backend import VllmBackend
from lmfootprint.benchmark.workload import Workload, WorkloadError, kv_gb_per_token
from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.ids import ModelRef
from lmfootprint.models.memory import bytes_per_param
from lmfootprint.models.model_metadata import model_record

HUB = Path(__file__).resolve().parents[3] / "resources/hub"
PYTHIA = HUB / "EleutherAI--pythia-14m/config.json"
SMOL = HUB / "HuggingFaceTB--SmolLM-135M/config.json"


def model_row(config: Path, model_id: str = "EleutherAI/pythia-14m") -> dict[str, Any]:
    """The row the metadata stage writes for ``config`` (the benchmark job's input)."""
    return dict(_model_row(config, model_id))


@functools.cache
def _model_row(config: Path, model_id: str) -> dict[str, Any]:
    ref = ModelRef(model_id, model_id.replace("/", "--"))
    return model_record(ref, config).row(0, named=True)


def cpu_machine() -> Machine:
    return detect("cpu")


def gpu_machine(memory_gb: float) -> Machine:
    """This host's record with a GPU of ``memory_gb`` in it, as NVML would describe one."""
    gpu = Gpu(0, "NVIDIA H100 80GB HBM3", memory_gb, power_limit_w=700.0, driver="550.54")
    return replace(detect("cpu"), device="cuda:0", gpu=gpu, hardware="NVIDIA H100 (GPU 0)")


def job(config: Path, workload: Workload, model: dict[str, Any] | None = None) -> BackendJob:
    return BackendJob(
        model=model or model_row(config),
        config_path=config,
        weights_dir=None,
        workload=workload,
        dtype="fp32",
        device="cpu",
        threads=1,
    )


TINY = Workload("tiny", 4, 2, (1, 2), warmup=0, repeats=3, max_repeats=3)
Q4 = Workload("q4", 8, 4, (1,), backend="llama_cpp", quantization="q4_k_m")
VLLM = Workload("sweep", 4, 2, (1, 8), backend="vllm")


# -- registry and interface ----------------------------------------------------------------


def test_registry_names_each_backend_once() -> None:
    assert {name: entry.backend for name, entry in ENTRIES.items()} == {
        "transformers": TransformersBackend,
        "llama_cpp": LlamaCppBackend,
        "vllm": VllmBackend,
    }
    assert backend_class("llama_cpp") is LlamaCppBackend
    with pytest.raises(LmFootprintError, match=r"unknown backend 'tgi'; known: \['llama_cpp'"):
        backend_class("tgi")
    with pytest.raises(WorkloadError, match="workload w: unknown backend 'tgi'"):
        checked_workload(Workload("w", 8, 4, (1,), backend="tgi"))


def test_every_backend_has_every_member_of_the_interface() -> None:
    members = {n for n in (*vars(Backend), *Backend.__annotations__) if not n.startswith("_")}
    members |= {"name", "generate", "__init__", "batching"}
    assert {"prepare", "generate", "predicted_memory_gb", "describe", "skip_reason"} <= members
    for name, cls in ((name, entry.backend) for name, entry in ENTRIES.items()):
        assert cls.name == name
        missing = sorted(m for m in members - {"job"} if not hasattr(cls, m))
        assert not missing, f"{cls.__name__} lacks {missing}"
        workload = {"llama_cpp": Q4, "vllm": VLLM}.get(name, TINY)
        backend = cls(job(SMOL, workload, model_row(SMOL)))
        assert backend.job.workload.backend == name  # constructing loads nothing
    assert set(Generator.__annotations__) == {"name"}


def test_llama_cpp_workload_rules_live_in_its_backend() -> None:
    assert LlamaCppBackend.workload_problem(Q4) is None
    assert TransformersBackend.workload_problem(TINY) is None
    with pytest.raises(WorkloadError, match="needs a quantization and batch_sizes"):
        checked_workload(Workload("w", 8, 4, (1, 4), backend="llama_cpp", quantization="q8_0"))


# -- the machine record --------------------------------------------------------------------


def test_machine_record_round_trips_with_the_same_keys(tmp_path: Path) -> None:
    path = tmp_path / "results/hardware/cpu.json"
    machine = detect("cpu")
    machine.to_json(path)
    written = json.loads(path.read_text())
    assert set(written) == {
        "device",
        "cpu_model",
        "cpu_logical_cores",
        "cpu_physical_cores",
        "ram_gb",
        "os",
        "rapl_readable",
        "gpu",
        "available",
        "hardware",
    }  # unavailable_reason only for a device that is absent
    assert Machine.from_json(path) == machine
    gpu = gpu_machine(80.0)
    gpu.to_json(path)
    assert json.loads(path.read_text())["gpu"]["power_limit_w"] == 700.0
    assert Machine.from_json(path) == gpu
    absent = detect("cuda:7")
    assert not absent.available and "no GPU cuda:7" in absent.unavailable_reason
    absent.to_json(path)
    assert Machine.from_json(path) == absent


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r.pop("ram_gb"), "missing field 'ram_gb'"),
        (lambda r: r.update(cpu_logical_cores="2"), "'cpu_logical_cores' must be an integer"),
        (lambda r: r.update(cpu_logical_cores=True), "'cpu_logical_cores' must be an integer"),
        (lambda r: r.update(ram_gb=None), "'ram_gb' must be a number, got None"),
        (lambda r: r.update(gpu=[1]), "field 'gpu' must be an object or null"),
        (lambda r: r.update(gpus=None), r"unknown field\(s\) \['gpus'\]"),
        (lambda r: r.update(available=False), "'unavailable_reason' is required"),
        (lambda r: r.update(gpu={"index": 0, "name": "x"}), "gpu: missing field 'memory_gb'"),
    ],
)
def test_bad_machine_record_names_file_and_field(tmp_path: Path, edit, message: str) -> None:
    path = tmp_path / "cpu.json"
    record = detect("cpu").to_dict()
    edit(record)
    path.write_text(json.dumps(record))
    with pytest.raises(MachineRecordError, match=f"{re.escape(str(path))}: .*{message}"):
        Machine.from_json(path)


def test_unreadable_machine_record_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MachineRecordError, match="missing.json: file not found"):
        Machine.from_json(tmp_path / "missing.json")
    (tmp_path / "cut.json").write_text('{"device": "cpu",')
    with pytest.raises(MachineRecordError, match="cut.json: not valid JSON"):
        Machine.from_json(tmp_path / "cut.json")


# -- one memory predictor ------------------------------------------------------------------


def test_the_skip_check_adds_the_margin_to_the_same_prediction() -> None:
    backend = TransformersBackend(job(SMOL, TINY, model_row(SMOL)))
    need = backend.predicted_memory_gb(max(TINY.batch_sizes))
    model = backend.job.model
    tokens = 2 * (4 + 2)
    assert need == pytest.approx(model["params_total"] * 4 / 1e9 + kv_gb_per_token(model) * tokens)
    assert why_not_run(backend, gpu_machine(need * MEMORY_MARGIN * 1.01), max_params=1e12) is None
    reason = why_not_run(backend, gpu_machine(need * MEMORY_MARGIN * 0.99), max_params=1e12)
    assert f"predicted memory {need * MEMORY_MARGIN:.1f} GB (+20% margin) exceeds" in reason


def test_llama_cpp_predicts_memory_at_its_quantisation() -> None:
    backend = LlamaCppBackend(job(SMOL, Q4, model_row(SMOL)))
    model = backend.job.model
    assert backend.dtype == "q4_k_m"
    assert backend.predicted_memory_gb(1) == pytest.approx(
        model["params_total"] * 4.89 / 8 / 1e9 + kv_gb_per_token(model) * 12
    )
    assert bytes_per_param("q4_k_m") == 4.89 / 8 and bytes_per_param("bfloat16") == 2.0


def test_llama_cpp_skips_what_it_cannot_run(tmp_path: Path) -> None:
    pythia = LlamaCppBackend(job(PYTHIA, Q4))
    assert "only (got 'gpt_neox')" in pythia.skip_reason(cpu_machine())
    assert "runs on the CPU here" in pythia.skip_reason(gpu_machine(80.0))
    # a real GGUF of the workload's quantisation needs no writer: the architecture is moot
    tiny_llama = {
        "model_type": "llama",
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "vocab_size": 300,
    }
    write_random_gguf(tiny_llama, tmp_path / "pythia-Q4_K_M.gguf")
    local = LlamaCppBackend(replace(job(PYTHIA, Q4), weights_dir=tmp_path))
    assert local.skip_reason(cpu_machine()) is None
    other_quant = replace(Q4, quantization="q8_0")
    assert LlamaCppBackend(replace(job(PYTHIA, other_quant), weights_dir=tmp_path)).skip_reason(
        cpu_machine()
    )


# -- a config.json transformers cannot build is a skip row, not a crash --------------------


@pytest.mark.parametrize("auto_map", [False, True])
def test_unknown_model_type_is_a_skip_row(tmp_path: Path, auto_map: bool) -> None:
    raw = json.loads(SMOL.read_text())
    raw["model_type"] = "mystery_lm"
    raw["architectures"] = ["MysteryForCausalLM"]
    if auto_map:
        raw["auto_map"] = {"AutoModelForCausalLM": "modeling_mystery.MysteryForCausalLM"}
    config = tmp_path / "config.json"
    config.write_text(json.dumps(raw))
    model = model_row(config, "my_models/mystery")
    assert model["params_method"] == "closed-form"  # the metadata stage passed it
    summary, raw_rows = benchmark_job(
        model=model,
        machine=cpu_machine(),
        config_path=config,
        weights_dir=None,
        workload=TINY,
        settings=JobSettings(
            dtype="fp32",
            threads=1,
            max_params=1e12,
            cpu_tdp_w=None,
            ram_w_per_gb=0.375,
            idle_seconds_max=1.0,
        ),
    )
    row = summary.row(0, named=True)
    assert summary.height == 1 and raw_rows.is_empty()
    assert row["status"] == "skipped" and row["backend"] == "transformers"
    assert "does not know model_type 'mystery_lm'" in row["skip_reason"]
    assert ("custom code, which is never run" in row["skip_reason"]) == auto_map
    assert len(row["skip_reason"]) < 200  # one reason, not transformers' list of ~400 names


def test_a_model_type_without_a_causal_lm_class_is_named() -> None:
    assert "no causal-LM class for model_type 'vit'" in causal_lm_problem({"model_type": "vit"})
    assert causal_lm_problem({"model_type": "llama"}) is None


# -- progress ------------------------------------------------------------------------------


def test_time_left_counts_this_batch_and_scales_later_ones() -> None:
    w = Workload("w", 8, 4, (1, 4), repeats=3)
    assert time_left_s(w, 0, 1, 2.0) == pytest.approx(2 * 2.0 + 3 * 2.0 * 4)
    assert time_left_s(w, 1, 3, 5.0) == 0.0
    assert [human_seconds(s) for s in (3.2, 600, 9000)] == ["3 s", "10 min", "2.5 h"]


class Captured(logging.Handler):
    """The records the package logs, as caplog would hold them (pyproject.toml turns pytest's
    logging plugin, and with it caplog, off: addopts has -p no:logging)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logged() -> Iterator[Captured]:
    logger = logging.getLogger("lmfootprint")
    handler, level = Captured(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_tiny_run_logs_each_repeat_with_time_left(logged: Captured) -> None:
    model = model_row(PYTHIA)
    summary, raw = benchmark_job(
        model=model,
        machine=cpu_machine(),
        config_path=PYTHIA,
        weights_dir=None,
        workload=TINY,
        settings=JobSettings(
            dtype="fp32",
            threads=1,
            max_params=1e12,
            cpu_tdp_w=None,
            ram_w_per_gb=0.375,
            idle_seconds_max=0.2,
        ),
    )
    pattern = re.compile(r"transformers batch (\d): repeat (\d)/3 took [\d.]+ s; about (.+) left")
    progress = [pattern.fullmatch(r.getMessage()) for r in logged.records]
    steps = [(int(m[1]), int(m[2])) for m in progress if m]
    assert steps == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)]
    assert [m[3] for m in progress if m][-1] == "0 s"
    import transformers

    described = f"transformers {transformers.__version__} backend, random-init weights, fp32"
    assert any(described in r.getMessage() for r in logged.records)
    # the table keeps its columns, and its predicted memory is the backend's own prediction
    assert summary.columns == list(InferenceSchema.to_schema().columns)
    assert summary["status"].to_list() == ["ok", "ok"]
    backend = TransformersBackend(job(PYTHIA, TINY, model))
    assert summary["predicted_memory_gb"].to_list() == [
        backend.predicted_memory_gb(1),
        backend.predicted_memory_gb(2),
    ]
    assert summary["weights_gb"][0] == pytest.approx(model["weights_gb_fp32"])
    assert raw.filter(pl.col("phase") == "full").height == 6
