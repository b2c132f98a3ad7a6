"""End-to-end: deployed with snakedeploy as the Snakemake workflow catalog deploys workflows,
the two-model study runs to its report.

snakedeploy itself (the package, its command line) deploys a local clone of this repository,
committed and tagged as a release is: it copies config/ and profiles/ and writes a Snakefile
declaring workflow/Snakefile as a module. For a local source snakedeploy writes that path
relative to the clone, which the deployed Snakefile cannot resolve; docs/running.md's
snakedeploy section has the user point it at the clone, as this test does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import polars as pl
import pytest
import yaml
from workflow_runner import TINY_BENCH, make_workdir

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
MODELS = ["EleutherAI/pythia-14m", "meta-llama/Llama-2-7b-hf"]


def git(cwd: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@localhost",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@localhost",
    }
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def snakedeploy() -> str:
    found = shutil.which("snakedeploy", path=str(Path(sys.executable).parent))
    if found is None and sys.version_info >= (3, 13):
        pytest.skip("snakedeploy 0.17.1 supports Python < 3.13 (requirements/dev.lock)")
    if found is None:
        pytest.fail("snakedeploy is not installed (requirements/dev.lock pins it)")
    return found


def test_snakedeploy_deploys_a_release_that_runs_to_its_report(tmp_path: Path) -> None:
    # the release: this tree, committed and tagged as a release of the repository is
    clone = make_workdir(tmp_path / "lmfootprint")
    git(clone, "init", "-q", "-b", "main")
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "-m", "release")
    git(clone, "tag", f"v{VERSION}")
    assert (clone / "workflow/Snakefile").is_file()

    study = tmp_path / "study"
    done = subprocess.run(
        [snakedeploy(), "deploy-workflow", str(clone), str(study), "--branch", "main"],
        capture_output=True,
        text=True,
        check=True,
    )
    said = done.stdout + done.stderr
    # the main Snakefile is where snakedeploy looks for it
    assert "Snakefile path not found" not in said, said
    deployed = (study / "workflow/Snakefile").read_text()
    assert re.search(r'snakefile:\s*"workflow/Snakefile"', deployed), deployed
    assert (study / "config/config.yaml").is_file()
    assert (study / "profiles/default/profile.yaml").is_file()

    # the one edit docs/running.md (snakedeploy) asks for a local source; then the user's config
    (study / "workflow/Snakefile").write_text(
        deployed.replace('"workflow/Snakefile"', f'"{clone}/workflow/Snakefile"')
    )
    config = yaml.safe_load((study / "config/config.yaml").read_text())
    config.update(models=MODELS, benchmark=TINY_BENCH)
    (study / "config/config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))

    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2"],
        cwd=study,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    report = (study / "results/report.html").read_text()
    assert "pythia-14m" in report and f"lmfootprint {VERSION}" in report
    models = pl.read_parquet(study / "results/models.parquet")
    assert models.get_column("model_id").to_list() == MODELS
    # outputs land in the study, none in the release
    assert not (clone / "results").exists()

    # a finished deployed run leaves nothing to redo
    again = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1"],
        cwd=study,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Nothing to be done" in again.stdout + again.stderr
