"""Record this machine's GGUF ladder for runs that do not measure one.

After `make run-local` (config/local.yaml), this writes the run's llama.cpp rows, with the
bandwidth this machine was measured at, to resources/local/measured_here_ladder.csv: the
recorded ladder the local-device model calibrates on (and the report shows) in a default run.

    .venv/bin/python bench/record_local_ladder.py [results/inference.parquet]
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import polars as pl

from lmfootprint.benchmark.benchmark_inference import load_inference
from lmfootprint.estimates.local_measurements import ladder_rows

ROOT = Path(__file__).resolve().parents[1]


def jobs_table() -> pl.DataFrame:
    """Every benchmark job's summary so far (a study still running has no inference table)."""
    parts = sorted(ROOT.glob("results/benchmarks/*/*/*.parquet"))
    parts = [p for p in parts if not p.name.endswith((".raw.parquet", "model.parquet"))]
    return pl.concat([load_inference(p) for p in parts], how="diagonal_relaxed")


def main(argv: list[str]) -> int:
    inference = Path(argv[0]) if argv else ROOT / "results/inference.parquet"
    table = load_inference(inference) if inference.is_file() else jobs_table()
    probe = json.loads((ROOT / "results/hardware/cpu_bandwidth.json").read_text())
    rows = ladder_rows(
        table,
        bandwidth_gbps=probe["gbps"],
        source=f"recorded with config/local.yaml on {platform.node() or 'this machine'} "
        f"(bench/record_local_ladder.py)",
    )
    if rows.is_empty():
        print("no GGUF rows in", inference, "- run `make run-local` first", file=sys.stderr)
        return 1
    out = ROOT / "resources/local/measured_here_ladder.csv"
    rows.write_csv(out)
    print(f"{rows.height} rows -> {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
