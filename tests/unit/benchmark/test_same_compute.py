"""Models measured once because their benchmark would run the same computation: the
signature merges only configs that transformers builds into the same tensors, and the skip
row names the model that was measured."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from lmfootprint.benchmark.benchmark_inference import SkipWithoutJob, rows_without_job
from lmfootprint.benchmark.detect_hardware import detect
from lmfootprint.benchmark.same_compute import compute_signature, same_compute
from lmfootprint.benchmark.schemas import InferenceSchema
from lmfootprint.benchmark.workload import Workload
from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.ids import ModelRef
from lmfootprint.models.config_json import read_config_json
from lmfootprint.models.model_metadata import model_record

ROOT = Path(__file__).resolve().parents[3]
HUB = ROOT / "resources" / "hub"
SHIPPED = {
    p.name: p / "config.json" for p in sorted(HUB.iterdir()) if (p / "config.json").is_file()
}


def _tensor_shapes(config_json: Path) -> dict[str, tuple[int, ...]]:
    """Every parameter's name and shape as transformers builds the model (on the meta
    device: no memory)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    raw = read_config_json(config_json)
    clean = {k: v for k, v in raw.items() if k not in ("auto_map", "_name_or_path")}
    cfg = AutoConfig.for_model(clean.pop("model_type"), **clean)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(cfg)
    return {name: tuple(p.shape) for name, p in model.named_parameters()}


def test_the_default_study_measures_the_two_smollm_360m_once() -> None:
    merged = same_compute(SHIPPED)
    assert merged["HuggingFaceTB--SmolLM2-360M"] == "HuggingFaceTB--SmolLM-360M"
    assert "EleutherAI--pythia-160m" not in merged and "HuggingFaceTB--SmolLM-135M" not in merged


@pytest.mark.parametrize(
    "merged,measured",
    [(a, b) for a, b in same_compute(SHIPPED).items()],
)
def test_merged_models_build_the_same_tensors(merged: str, measured: str) -> None:
    a, b = _tensor_shapes(SHIPPED[merged]), _tensor_shapes(SHIPPED[measured])
    assert a == b
    assert read_config_json(SHIPPED[merged]).get("hidden_act") == read_config_json(
        SHIPPED[measured]
    ).get("hidden_act")


def test_the_first_in_config_order_is_measured() -> None:
    order = ["HuggingFaceTB--SmolLM2-360M", "HuggingFaceTB--SmolLM-360M"]
    assert same_compute({slug: SHIPPED[slug] for slug in order}) == {
        "HuggingFaceTB--SmolLM-360M": "HuggingFaceTB--SmolLM2-360M"
    }


def _variant(tmp_path: Path, name: str, **change) -> Path:
    raw = json.loads(SHIPPED["HuggingFaceTB--SmolLM-360M"].read_text())
    raw.update(change)
    path = tmp_path / name / "config.json"
    path.parent.mkdir()
    path.write_text(json.dumps(raw))
    return path


def test_a_different_shape_or_activation_is_measured_on_its_own(tmp_path: Path) -> None:
    base = SHIPPED["HuggingFaceTB--SmolLM-360M"]
    configs = {
        "base": base,
        "deeper": _variant(tmp_path, "deeper", num_hidden_layers=33),
        "gelu": _variant(tmp_path, "gelu", hidden_act="gelu"),
        "window": _variant(tmp_path, "window", sliding_window=16),
        "bias": _variant(tmp_path, "bias", mlp_bias=True),
        "renamed": _variant(tmp_path, "renamed", _name_or_path="x", rope_theta=5e5),
    }
    assert same_compute(configs) == {"renamed": "base"}


def test_what_the_closed_form_cannot_read_is_never_merged(tmp_path: Path) -> None:
    odd = tmp_path / "odd" / "config.json"
    odd.parent.mkdir()
    odd.write_text(json.dumps({"model_type": "no-such", "hidden_size": 8}))
    assert compute_signature(None) is None and compute_signature(odd) is None
    assert same_compute({"a": odd, "b": odd, "c": None, "d": None}) == {}


def _record(slug: str) -> dict:
    return model_record(ModelRef(slug.replace("--", "/", 1), slug), SHIPPED[slug]).row(
        0, named=True
    )


def _skip_row_of_twin(measured: str) -> pl.DataFrame:
    """SmolLM2-360M's row when the workflow merged it with ``measured``."""
    models = pl.DataFrame([_record(s) for s in (measured, "HuggingFaceTB--SmolLM2-360M")])
    return rows_without_job(
        [SkipWithoutJob("HuggingFaceTB--SmolLM2-360M", "cpu", "short", "fp32", measured)],
        models=models,
        machines={"cpu": detect("cpu")},
        workloads={"short": Workload("short", 32, 32, (1, 4))},
        threads=2,
        max_params=3.7e8,
    )


def test_the_skip_row_names_the_measured_model() -> None:
    rows = _skip_row_of_twin("HuggingFaceTB--SmolLM-360M")
    InferenceSchema.validate(rows)
    row = rows.row(0, named=True)
    assert row["model_id"] == "HuggingFaceTB/SmolLM2-360M" and row["status"] == "skipped"
    assert row["skip_reason"].startswith(
        "the same architecture and shapes as HuggingFaceTB/SmolLM-360M (361,821,120 parameters)"
    )


def test_a_merge_the_models_table_contradicts_is_an_error() -> None:
    with pytest.raises(LmFootprintError, match="does not give them the same parameter count"):
        _skip_row_of_twin("HuggingFaceTB--SmolLM-135M")
