"""What check-config and the workflow's parse refuse beyond the schema's types: a missing
engine, a key written twice, names that collide, text that must parse, ids that must exist.
Each is one message naming the file or field and the value."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from lmfootprint.__main__ import main
from lmfootprint.core.config import check_yaml_file
from lmfootprint.core.config_values import value_problems
from lmfootprint.core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]
BASE = str(ROOT / "config/config.yaml")


def check(tmp_path: Path, text: str, capsys) -> tuple[int, str]:
    overlay = tmp_path / "other.yaml"
    overlay.write_text(text)
    code = main(["check-config", str(overlay), "--base", BASE])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize(
    "backend,module,install",
    [("llama_cpp", "llama_cpp", "make install-llama"), ("vllm", "vllm", "'.[vllm]'")],
)
def test_a_workload_whose_engine_is_missing_is_named_with_the_install(
    tmp_path: Path, capsys, backend: str, module: str, install: str
) -> None:
    if importlib.util.find_spec(module) is not None:
        pytest.skip(f"{module} is installed here")
    quant = ", quantization: q8_0" if backend == "llama_cpp" else ""
    code, out = check(
        tmp_path,
        "benchmark:\n  workloads:\n"
        f"    gguf: {{input_tokens: 8, output_tokens: 4, batch_sizes: [1], backend: {backend}"
        f"{quant}}}\n",
        capsys,
    )
    assert code == 1 and "config ok" not in out
    assert f"benchmark.workloads ['gguf'] use backend {backend}" in out
    assert f"'{module}'" in out and install in out


def test_a_key_written_twice_names_the_file_line_and_key(tmp_path: Path, capsys) -> None:
    code, out = check(
        tmp_path, "online: false\nbenchmark:\n  seed: 1\n  seed: 2\nonline: true\n", capsys
    )
    path = tmp_path / "other.yaml"
    assert code == 1
    assert f"{path}:4: key 'benchmark.seed' is written twice (first on line 3)" in out
    assert f"{path}:5: key 'online' is written twice (first on line 1)" in out


def test_the_same_key_in_two_mappings_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("a: {seed: 1}\nb: {seed: 1}\nlist: [{seed: 1}, {seed: 2}]\n")
    check_yaml_file(path)


def test_a_snakemake_run_refuses_a_configfile_with_a_key_twice(tmp_path: Path) -> None:
    """Snakemake reads --configfile itself and keeps the last value; the preflight names it."""
    overlay = tmp_path / "other.yaml"
    overlay.write_text("online: false\nonline: true\n")
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", str(overlay)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert f"{overlay}:2: key 'online' is written twice (first on line 1)" in out


def test_scenario_names_differing_only_in_case_fail_at_parse_time(tmp_path: Path, capsys) -> None:
    """Today they pass and the run fails at the headlines job ('field_uniqueness')."""
    scenario = (
        "{kind: local, hardware: M1-Pro-16c, country: FRA, tariff: {geo: FR, consumer: household}}"
    )
    code, out = check(
        tmp_path, f"scenarios:\n  Lab: {scenario}\n  lab: {scenario}\n  LAB: {scenario}\n", capsys
    )
    assert code == 1
    assert "scenarios: 'Lab', 'lab', 'LAB' differ only in case or punctuation" in out


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "footprint: {training_tokens: {acme/a: two trillion}}",
            "footprint.training_tokens.acme/a: 'two trillion' is not a token count",
        ),
        (
            "hub_query: {name: q, num_parameters: 'min:1.2.3B'}",
            "hub_query.num_parameters: 'min:1.2.3B': 'min:1.2.3B' is not min:<count>",
        ),
        (
            "benchmark: {grid_scenario: nowhere}",
            "benchmark.grid_scenario: 'nowhere' is not a configured scenario",
        ),
        (
            "footprint: {training_hardware: H999}",
            "footprint.training_hardware: 'H999' is not a hardware_id of resources/hardware.csv",
        ),
        (
            "reference: {endpoints: {azure: 'ftp://mirror/prices'}}",
            "reference.endpoints.azure: 'ftp://mirror/prices' must be an http:// or https:// URL",
        ),
        (
            "footprint: {inference: {serving: {Batch: {concurrency: 2}, batch: {concurrency: 4}}}}",
            "footprint.inference.serving: 'Batch', 'batch' differ only in case",
        ),
    ],
)
def test_text_values_are_checked_where_defined(
    tmp_path: Path, capsys, text: str, expected: str
) -> None:
    code, out = check(tmp_path, text + "\n", capsys)
    assert code == 1 and expected in out, out


def test_the_shipped_configs_pass(capsys) -> None:
    assert main(["check-config", str(ROOT / "config/gpu.yaml"), "--base", BASE]) == 0
    assert value_problems({}, env={}) == []


def test_model_entries_are_parsed_by_check_config(tmp_path: Path, capsys) -> None:
    code, out = check(tmp_path, "models: ['acme/a--b']\n", capsys)
    assert code == 1 and "'acme/a--b' is not a Hub id" in out


def test_problems_are_listed_together() -> None:
    problems = value_problems(
        {"benchmark": {"grid_scenario": "x"}, "footprint": {"training_tokens": {"a/b": "?"}}},
        env={},
    )
    assert len(problems) == 2
    with pytest.raises(ConfigError):
        from lmfootprint.core.config import check_parsed

        check_parsed({"benchmark": {"grid_scenario": "x"}}, env={})


def test_a_benchmark_selection_names_configured_models_and_workloads() -> None:
    from lmfootprint.core.config_values import selection_problems

    config = {
        "models": ["acme/a", "acme/b"],
        "benchmark": {"workloads": {"short": {}}, "only_models": ["acme/a", "acme/c"]},
    }
    assert selection_problems(config) == [
        "benchmark.only_models: ['acme/c'] are not in models (write them as in models)"
    ]
    config["benchmark"] |= {"only_models": None, "only_workloads": ["short", "long"]}
    assert selection_problems(config) == [
        "benchmark.only_workloads: ['long'] are not in benchmark.workloads (['short'])"
    ]


def test_the_cloud_vs_local_scenarios_must_be_configured_and_of_their_kind() -> None:
    from lmfootprint.core.config_values import selection_problems

    config = {
        "scenarios": {"home": {"kind": "local"}, "dc": {"kind": "cloud"}},
        "comparison": {"cloud_vs_local": {"local_scenario": "dc", "cloud_scenario": "dc"}},
    }
    assert selection_problems(config) == [
        "comparison.cloud_vs_local.local_scenario: 'dc' is not a configured local scenario "
        "(['home'])"
    ]
