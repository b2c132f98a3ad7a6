"""A replay of real requests: each prompt at its own length, each response forced to its
reference length, one request at a time; the row reports time and energy per response."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lmfootprint.benchmark.benchmark_inference import benchmark_job
from lmfootprint.benchmark.detect_hardware import detect
from lmfootprint.benchmark.harness import run_replay, summarise_replay
from lmfootprint.benchmark.job_settings import JobSettings
from lmfootprint.benchmark.meters import Reading
from lmfootprint.benchmark.prompts import load_prompts
from lmfootprint.benchmark.registry import workload_from_spec
from lmfootprint.benchmark.workload import Workload, WorkloadError
from lmfootprint.core.ids import ModelRef
from lmfootprint.models.model_metadata import model_record

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "resources/prompts/prompt_sample.csv"
PYTHIA = ROOT / "resources/hub/EleutherAI--pythia-14m/config.json"


class Recording:
    """Generates what it is asked and records each call's (prompt, new tokens)."""

    name = "recording"

    def __init__(self) -> None:
        self.calls: list[tuple[int | None, int]] = []

    def generate(self, batch: int, new_tokens: int, prompt_tokens: int | None = None) -> int:
        assert batch == 1
        self.calls.append((prompt_tokens, new_tokens))
        return new_tokens


class PerTokenMeter:
    """Each window lasts 0.01 s per generated token of the call just made, at 10 W."""

    kind, method, domains = "estimated", "per-token", "cpu"

    def __init__(self, generator: Recording) -> None:
        self.generator = generator

    def start(self) -> None:
        pass

    def stop(self) -> Reading:
        seconds = 0.01 * self.generator.calls[-1][1]
        return Reading(joules=10 * seconds, seconds=seconds)


def test_the_spec_takes_the_first_n_requests_of_the_sample() -> None:
    prompts = load_prompts(SAMPLE)
    workload = workload_from_spec("chat", {"replay": 5, "batch_sizes": [1]}, prompts)
    expected = list(prompts.head(5).select("prompt_tokens", "response_tokens").iter_rows())
    assert list(workload.replay) == expected
    # memory and context are checked for the longest prompt and the longest response
    assert workload.input_tokens == max(p for p, _ in expected)
    assert workload.output_tokens == max(2, *(r for _, r in expected))


def test_replay_forces_each_response_to_its_reference_length() -> None:
    pairs = ((40, 3), (12, 50), (7, 1))
    workload = Workload("chat", 40, 50, (1,), warmup=0, repeats=3, replay=pairs)
    generator = Recording()
    rows = run_replay(generator, workload=workload, meter=PerTokenMeter(generator))
    assert generator.calls == list(pairs) * 3
    raw = pl.DataFrame(rows)
    assert raw["response_tokens"].to_list() == [3, 50, 1] * 3
    (row,) = summarise_replay(raw, idle_power_w=0.0).to_dicts()
    assert row["responses"] == 3 and row["tokens"] == 54
    assert row["seconds_per_response"] == pytest.approx(0.54 / 3)
    assert row["j_per_response"] == pytest.approx(5.4 / 3)
    assert row["tokens_per_s"] == pytest.approx(100.0)
    assert row["j_per_token"] == pytest.approx(0.1)


def test_a_replay_runs_one_request_at_a_time() -> None:
    with pytest.raises(WorkloadError, match="one request at a time"):
        Workload("chat", 4, 4, (1, 4), replay=((4, 4),))
    with pytest.raises(WorkloadError, match="needs the prompt sample"):
        Workload.from_spec("chat", {"replay": 3, "batch_sizes": [1]})


def test_vllm_refuses_a_replay() -> None:
    with pytest.raises(WorkloadError, match="replay is for batch 1 backends"):
        workload_from_spec(
            "chat", {"replay": 2, "batch_sizes": [1], "backend": "vllm"}, load_prompts(SAMPLE)
        )


def test_a_real_replay_through_the_job_reports_per_response_time_and_energy() -> None:
    model = model_record(ModelRef("EleutherAI/pythia-14m", "EleutherAI--pythia-14m"), PYTHIA)
    workload = workload_from_spec(
        "chat", {"replay": 3, "batch_sizes": [1], "warmup": 0}, load_prompts(SAMPLE)
    )
    summary, raw = benchmark_job(
        model=model.row(0, named=True),
        machine=detect("cpu"),
        config_path=PYTHIA,
        weights_dir=None,
        workload=workload,
        settings=JobSettings(
            dtype="fp32", threads=1, max_params=1e12, ram_w_per_gb=0.375, idle_seconds_max=0.2
        ),
    )
    (row,) = summary.to_dicts()
    assert row["status"] == "ok" and row["responses"] == 3
    assert row["tokens"] == sum(r for _, r in workload.replay)
    assert row["seconds_per_response"] > 0 and row["j_per_response"] > 0
    assert row["avg_output_len"] == pytest.approx(row["response_tokens_mean"])
    assert row["roofline_tokens_per_s"] is None
    assert raw.filter(pl.col("phase") == "response").height == 3 * row["repeats"]
