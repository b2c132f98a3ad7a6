"""The benchmark budget decided while the workflow is read: the same count and reason the
benchmark job would reach, and the skip rows the inference table writes in its place."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from lmfootprint.benchmark.benchmark_inference import (
    SkipWithoutJob,
    inference_table,
    rows_without_job,
)
from lmfootprint.benchmark.budget import budget_reason, closed_form_total, over_budget
from lmfootprint.benchmark.detect_hardware import detect
from lmfootprint.benchmark.harness import skip_reason
from lmfootprint.benchmark.schemas import InferenceSchema
from lmfootprint.benchmark.workload import Workload
from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.ids import ModelRef
from lmfootprint.models.model_metadata import model_record

ROOT = Path(__file__).resolve().parents[3]
HUB = ROOT / "resources" / "hub"
SHIPPED = sorted(p for p in HUB.iterdir() if (p / "config.json").is_file())
WORKLOAD = Workload("short", 32, 32, (1, 4))


def _record(slug: str) -> dict:
    ref = ModelRef(slug.replace("--", "/", 1), slug)
    return model_record(ref, HUB / slug / "config.json").row(0, named=True)


@pytest.mark.parametrize("folder", SHIPPED, ids=[p.name for p in SHIPPED])
def test_parse_time_count_is_the_metadata_count(folder: Path) -> None:
    total = closed_form_total(folder / "config.json")
    row = _record(folder.name)
    if row["params_method"] == "closed-form":
        assert total == row["params_total"]
    else:  # a family only transformers counts: its job decides for itself
        assert total is None


def test_reason_is_the_jobs_reason() -> None:
    row = _record("meta-llama--Llama-2-7b-hf")
    job = skip_reason(
        row,
        max_params=3.7e8,
        available_gb=1e9,
        predicted_gb=1.0,
        device_available=True,
        device_reason=None,
    )
    assert job == budget_reason(row["params_total"], 3.7e8)
    assert "6,738,415,616 parameters is above benchmark.max_params (370,000,000)" in job
    assert budget_reason(row["params_total"], 1e10) is None


def test_unknown_now_is_never_over_budget(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.json").write_text(json.dumps({"model_type": "llama", "hidden_size": -1}))
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "config.json").write_text(json.dumps({"model_type": "no-such", "hidden_size": 8}))
    found = over_budget(
        {
            "missing": tmp_path / "missing" / "config.json",  # fetched during the run
            "none": None,
            "bad": bad / "config.json",  # the metadata job says what is wrong
            "odd": odd / "config.json",
            "big": HUB / "meta-llama--Llama-2-7b-hf" / "config.json",
            "small": HUB / "EleutherAI--pythia-160m" / "config.json",
        },
        3.7e8,
    )
    assert found == {"big": 6_738_415_616}


def test_skip_rows_are_the_rows_a_job_writes() -> None:
    models = pl.DataFrame([_record("meta-llama--Llama-2-7b-hf")])
    machine = detect("cpu")
    rows = rows_without_job(
        [SkipWithoutJob("meta-llama--Llama-2-7b-hf", "cpu", "short", "fp32")],
        models=models,
        machines={"cpu": machine},
        workloads={"short": WORKLOAD},
        threads=64,
        max_params=3.7e8,
    )
    InferenceSchema.validate(rows)
    row = rows.row(0, named=True)
    assert row["status"] == "skipped" and "above benchmark.max_params" in row["skip_reason"]
    assert row["threads"] == machine.cpu_logical_cores  # capped as the job caps it
    assert (row["hardware"], row["workload"], row["dtype"]) == (machine.hardware, "short", "fp32")
    assert inference_table([], rows).height == 1


def test_a_disagreeing_count_is_an_error_not_a_silent_row() -> None:
    models = pl.DataFrame([_record("EleutherAI--pythia-160m")])
    with pytest.raises(LmFootprintError, match="models table says 162,322,944"):
        rows_without_job(
            [SkipWithoutJob("EleutherAI--pythia-160m", "cpu", "short", "fp32")],
            models=models,
            machines={"cpu": detect("cpu")},
            workloads={"short": WORKLOAD},
            threads=2,
            max_params=3.7e8,
        )
