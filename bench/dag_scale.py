"""DAG build time with many models, no-op re-run cost, and the add-one-model job list.

Builds a throwaway workdir with N local model directories (copies of a shipped config.json),
times `snakemake -n` (goal: under 10 s for 500 models), then, after a real run of a small
config, times a no-op re-run against `snakemake --version` (goal: <= 2x) and prints the jobs
that adding one model re-runs.  Usage: .venv/bin/python bench/dag_scale.py [N]
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def workdir(tmp: Path, models: list[str], extra: dict | None = None) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    for name in ("Snakefile", "workflow", "resources", "config"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp / name)
    cfg = {"models": models, "benchmark": {"max_params": 1.0}, **(extra or {})}
    (tmp / "config" / "config.yaml").write_text(yaml.safe_dump(cfg))
    return tmp


def timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, out.stdout + out.stderr


def main(n: int) -> None:
    config = (ROOT / "resources/hub/EleutherAI--pythia-14m/config.json").read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for i in range(n):
            d = tmp / "models" / f"m{i:04d}"
            d.mkdir(parents=True)
            (d / "config.json").write_bytes(config)
        wd = workdir(tmp / "wd", [str(tmp / "models" / f"m{i:04d}") for i in range(n)])
        t, out = timed([*SNAKEMAKE, "-n", "--cores", "2"], wd)
        jobs = re.search(r"^total\s+(\d+)", out, flags=re.M)
        print(
            f"dry run, {n} models: {t:.2f} s, {jobs.group(1) if jobs else '?'} jobs (goal < 10 s)"
        )

    with tempfile.TemporaryDirectory() as tmp:
        wd = workdir(Path(tmp), ["EleutherAI/pythia-14m", "meta-llama/Llama-2-7b-hf"])
        subprocess.run([*SNAKEMAKE, "--cores", "2"], cwd=wd, capture_output=True, check=True)
        t_version, _ = timed([*SNAKEMAKE, "--version"], wd)
        t_noop, out = timed([*SNAKEMAKE, "--cores", "2"], wd)
        assert "Nothing to be done" in out
        print(
            f"no-op re-run: {t_noop:.2f} s vs `snakemake --version` {t_version:.2f} s: "
            f"ratio {t_noop / t_version:.2f} (goal <= 2), 0 jobs"
        )
        cfg = yaml.safe_load((wd / "config/config.yaml").read_text())
        cfg["models"].append("HuggingFaceTB/SmolLM-135M")
        (wd / "config/config.yaml").write_text(yaml.safe_dump(cfg))
        _, out = timed([*SNAKEMAKE, "-n", "--cores", "2", "--quiet", "rules"], wd)
        print("adding HuggingFaceTB/SmolLM-135M re-runs:")
        table = out[: out.index("total")] + out[out.index("total") :].splitlines()[0]
        print("\n".join("  " + line for line in table.strip().splitlines() if line.strip()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
