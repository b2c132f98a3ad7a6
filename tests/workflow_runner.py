"""Run the real workflow on a small config in a temporary directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW_FILES = ["Snakefile", "workflow", "resources", "config", "profiles"]

# a benchmark small enough for CI: 14M-parameter models, 4 output tokens
TINY_BENCH = {
    "max_params": 1.0e8,
    "idle_seconds_max": 1,
    "workloads": {
        "tiny": {
            "input_tokens": 8,
            "output_tokens": 4,
            "batch_sizes": [1, 2],
            "warmup": 1,
            "repeats": 3,
        }
    },
}


def make_workdir(tmp: Path) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    for name in WORKFLOW_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp / name)
        else:
            shutil.copy2(src, tmp / name)
    return tmp


def write_config(workdir: Path, config: dict) -> Path:
    path = workdir / "config" / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def run_snakemake(
    workdir: Path, *, cores: int = 2, dryrun: bool = False, targets: set[str] | None = None
) -> list[str]:
    """Run through Snakemake's Python API; return the files it (re)generated."""
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import (
        ConfigSettings,
        DAGSettings,
        ExecutionSettings,
        OutputSettings,
        ResourceSettings,
        StorageSettings,
    )

    updated: list[str] = []
    with SnakemakeApi(OutputSettings(show_failed_logs=True)) as api:
        wf = api.workflow(
            resource_settings=ResourceSettings(cores=cores),
            config_settings=ConfigSettings(configfiles=[workdir / "config" / "config.yaml"]),
            storage_settings=StorageSettings(),
            snakefile=workdir / "Snakefile",
            workdir=workdir,
        )
        dag = DAGSettings(targets=targets) if targets else DAGSettings()
        wf.dag(dag).execute_workflow(
            executor="dryrun" if dryrun else "local",
            execution_settings=ExecutionSettings(),
            updated_files=updated,
        )
    return sorted(updated)
