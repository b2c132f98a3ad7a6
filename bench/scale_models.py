"""Many models through the whole workflow (benchmark stage off): time and memory per stage.

Generates N valid config.json files of several decoder architectures (Llama, Qwen2, GPT-NeoX,
Gemma 2, Phi-3; sizes drawn from a seeded ladder), lists them as local models with
`benchmark.devices: []`, runs the workflow from a cold start to the report, then times the
dry run, a no-op re-run against `snakemake --version`, and the re-run after adding one model.
Per-rule time and peak memory come from Snakemake's own `benchmarks/*.tsv` records.

Usage: .venv/bin/python bench/scale_models.py 100:0 100:16 1000:16   (N:metadata_shards)
Goals (issue: scale to the Hub's catalogue): 1,000 models in < 5 min on 2 cores, 10,000 in
< 30 min, memory < 4 GB, no-op re-run <= 1.5x `snakemake --version` (<= 3 s at 1,000).
"""

from __future__ import annotations

import csv
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
# GNU time gives Snakemake's own peak memory (the jobs' is in their benchmark records)
GNU_TIME = (
    ["/usr/bin/time", "-f", "snakemake_max_rss_kb=%M"] if Path("/usr/bin/time").exists() else []
)
TEMPLATES = {
    "llama": "meta-llama--Llama-3.2-1B",
    "qwen2": "Qwen--Qwen2.5-0.5B",
    "gpt_neox": "EleutherAI--pythia-160m",
    "gemma2": "google--gemma-2-2b",
    "phi3": "microsoft--Phi-3-mini-4k-instruct",
}
WIDTHS = [256, 512, 768, 1024, 2048]
DEPTHS = [2, 4, 8, 12, 16]


def synthetic_configs(n: int, folder: Path, seed: int = 0, start: int = 0) -> list[str]:
    """N local model folders, each a shipped config.json with its width and depth redrawn."""
    rng = random.Random(seed)
    names = list(TEMPLATES)
    paths = []
    for i in range(start, start + n):
        kind = names[i % len(names)]
        cfg = json.loads((ROOT / "resources/hub" / TEMPLATES[kind] / "config.json").read_text())
        width = rng.choice(WIDTHS)
        cfg["hidden_size"] = width
        cfg["num_hidden_layers"] = rng.choice(DEPTHS)
        cfg["num_attention_heads"] = width // 64
        if "num_key_value_heads" in cfg:
            cfg["num_key_value_heads"] = max(1, width // 256)
        if "head_dim" in cfg:
            cfg["head_dim"] = 64
        cfg["intermediate_size"] = width * 4
        d = folder / f"{kind}-{i:05d}"
        d.mkdir(parents=True)
        (d / "config.json").write_text(json.dumps(cfg))
        paths.append(str(d))
    return paths


def workdir(tmp: Path, models: list[str], shards: int) -> Path:
    tmp.mkdir(parents=True)
    for name in ("Snakefile", "workflow", "resources", "config", "profiles"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp / name)
    cfg = yaml.safe_load((tmp / "config/config.yaml").read_text())
    cfg["models"] = models
    cfg["benchmark"]["devices"] = []
    cfg["metadata_shards"] = shards
    (tmp / "config/config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    return tmp


def timed(cmd: list[str], cwd: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{(out.stdout + out.stderr)[-3000:]}")
    return time.perf_counter() - t0, out.stdout + out.stderr


def per_rule(bench_dir: Path) -> dict[str, tuple[int, float, float]]:
    """rule -> (jobs, summed seconds, max peak RSS MB) from Snakemake's benchmark records."""
    acc: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for tsv in bench_dir.rglob("*.tsv"):
        rel = tsv.relative_to(bench_dir).parts
        rule = rel[0].removesuffix(".tsv")
        with tsv.open() as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        a = acc[rule]
        a[0] += 1
        a[1] += float(row["s"])
        rss = row.get("max_rss", "NA")
        a[2] = max(a[2], float(rss) if rss not in ("NA", "-") else 0.0)
    return {k: (int(v[0]), v[1], v[2]) for k, v in acc.items()}


NOOP_TRIES = 5


def _spread(values: list[float], unit: str = " s") -> str:
    """min-max, median: what a reader needs to judge a goal against noise."""
    return f"{min(values):.2f}-{max(values):.2f}{unit} (median {statistics.median(values):.2f})"


def run(n: int, shards: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        models = synthetic_configs(n, tmp / "models")
        wd = workdir(tmp / "wd", models, shards)
        t_dry, out = timed([*SNAKEMAKE, "-n", "--cores", "2"], wd)
        jobs = re.search(r"^total\s+(\d+)", out, flags=re.M)
        t_run, out = timed([*GNU_TIME, *SNAKEMAKE, "--cores", "2"], wd)
        rss = re.search(r"snakemake_max_rss_kb=(\d+)", out)
        # alternated, several times: a single pair moves by +-0.5 s on a shared VM
        t_version, t_noop = [], []
        for _ in range(NOOP_TRIES):
            t_version.append(timed([*SNAKEMAKE, "--version"], wd)[0])
            t, out = timed([*SNAKEMAKE, "--cores", "2"], wd)
            assert "Nothing to be done" in out, out[-2000:]
            t_noop.append(t)
        extra = synthetic_configs(1, tmp / "extra", seed=n + 1, start=n)[0]
        cfg = yaml.safe_load((wd / "config/config.yaml").read_text())
        cfg["models"].append(extra)
        (wd / "config/config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
        t_add, out = timed([*SNAKEMAKE, "--cores", "2", "--quiet", "rules"], wd)
        counts = re.findall(r"^(\w+)\s+(\d+)$", out, flags=re.M)
        print(f"\n== {n} models, metadata_shards: {shards} ({jobs.group(1) if jobs else '?'} jobs)")
        print(
            f"dry run {t_dry:.1f} s; cold run to the report {t_run:.1f} s "
            f"(Snakemake's peak RSS {int(rss.group(1)) / 1024 if rss else float('nan'):.0f} MB)"
        )
        ratios = [a / b for a, b in zip(t_noop, t_version, strict=True)]
        print(
            f"no-op re-run {_spread(t_noop)} vs snakemake --version {_spread(t_version)} "
            f"(ratio {_spread(ratios, unit='')}; {NOOP_TRIES} tries)"
        )
        print(f"adding one model: {t_add:.1f} s, jobs {dict(counts)}")
        print(f"{'rule':24} {'jobs':>6} {'sum s':>9} {'max RSS MB':>11}")
        for rule, (k, s, rss) in sorted(
            per_rule(wd / "benchmarks").items(), key=lambda x: -x[1][1]
        ):
            print(f"{rule:24} {k:6d} {s:9.1f} {rss:11.0f}")


if __name__ == "__main__":
    # N[:SHARDS] ... e.g. 100:0 (one metadata job per model) 1000:16
    for arg in sys.argv[1:] or ["100:16"]:
        n, _, shards = arg.partition(":")
        run(int(n), int(shards or 16))
