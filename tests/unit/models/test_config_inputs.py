"""Faults and bad inputs around the model list: a config.json that is no file, a path Snakemake
cannot take, and a workload longer than the model's context. Each is one clear line."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from builders import TINY_LLAMA

from lmfootprint.benchmark.benchmark_inference import benchmark_job
from lmfootprint.benchmark.detect_hardware import detect
from lmfootprint.benchmark.job_settings import JobSettings
from lmfootprint.benchmark.workload import Workload
from lmfootprint.core.errors import ConfigError
from lmfootprint.core.ids import ModelRef, parse_model_entry
from lmfootprint.models.config_json import ConfigJsonError, read_config_json
from lmfootprint.models.model_metadata import model_record

TINY = {**TINY_LLAMA, "max_position_embeddings": 16}


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_a_config_json_that_is_no_file_is_named_for_what_it_is(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    if kind == "directory":
        (folder / "config.json").mkdir()
        said = "is a directory, not a file"
    else:
        os.mkfifo(folder / "config.json")
        said = "is a named pipe (FIFO), not a file"
    with pytest.raises(ConfigError) as err:
        parse_model_entry(str(folder), tmp_path)
    assert f"{folder}/config.json {said}" in str(err.value)
    assert "does not exist" not in str(err.value)
    # the stage that reads it says the same, and never blocks on the pipe
    with pytest.raises(ConfigJsonError, match=re.escape(f"config.json: {said}")):
        read_config_json(folder / "config.json")


def test_a_missing_config_json_and_a_dangling_link_are_told_apart(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="config.json does not exist"):
        parse_model_entry(str(tmp_path / "empty"), tmp_path)
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "config.json").symlink_to(tmp_path / "gone.json")
    with pytest.raises(ConfigError, match="is a symbolic link to .*gone.json.*does not exist"):
        parse_model_entry(str(tmp_path / "linked"), tmp_path)


@pytest.mark.parametrize("word", ["model", "results"])
def test_a_path_holding_a_pathvar_is_refused_at_config_time(tmp_path: Path, word: str) -> None:
    """Snakemake rewrites <word> in every input path: <model> failed the whole run with
    UndefinedPathvarException, <results> silently named another folder."""
    from snakemake.exceptions import UndefinedPathvarException
    from snakemake.pathvars import Pathvars

    folder = tmp_path / "data" / f"<{word}>"
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps(TINY))
    if word == "model":
        with pytest.raises(UndefinedPathvarException):
            Pathvars.with_defaults().apply(str(folder / "config.json"))
    else:
        assert Pathvars.with_defaults().apply(str(folder)) != str(folder)
    with pytest.raises(ConfigError) as err:
        parse_model_entry(str(folder), tmp_path)
    message = str(err.value)
    assert f"holds '<{word}>'" in message and "pathvars" in message and str(folder) in message


def test_a_workload_longer_than_the_context_is_a_skip_row(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps(TINY))
    ref = ModelRef(str(tmp_path), "local--tiny", tmp_path)
    model = model_record(ref, tmp_path / "config.json").row(0, named=True)
    assert model["context_length"] == 16
    summary, raw = benchmark_job(
        model=model,
        machine=detect("cpu"),
        config_path=tmp_path / "config.json",
        weights_dir=None,
        workload=Workload("long", 768, 256, (1,), warmup=0, repeats=3),
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
    assert row["status"] == "skipped" and raw.is_empty()
    assert row["skip_reason"].startswith(
        "workload 'long' needs 1,024 tokens per sequence (768 in + 256 out), 64x the model's "
        "context of 16 (config.json max_position_embeddings"
    )
