#!/usr/bin/env bash
# Measure on a real accelerator: from a clean clone on a fresh one-GPU machine, in under
# 8 minutes. Installs the GPU set (make install-gpu) and the vllm extra, then benchmarks three
# small random-init configs (pythia-14m, SmolLM-135M, Qwen2.5-0.5B from resources/hub) at
# batch 1 and a throughput batch with transformers and vLLM, through benchmark_job (the
# workflow's own code path, Zeus meter), and prints per row: J/token, decode tokens/s against
# the bandwidth roofline, idle power, and the average power checked within idle..idle+TDP.
# Bandwidth and TDP come from resources/hardware.csv by the detected GPU's name (TDP: NVML's
# enforced power limit when the table has no row).
#
#   bash bench/gpu_check.sh             # install, measure, check (exit 1 when a check fails)
#   bash bench/gpu_check.sh --dry-run   # print the plan only (runs anywhere, no GPU needed)
#   SKIP_INSTALL=1 bash bench/gpu_check.sh   # reuse an installed .venv
#
# Pass criteria: every ok row's power lies within idle..idle+TDP (5% slack), and decode at
# batch 1 of the largest model (Qwen2.5-0.5B) reaches >= 70% of the roofline on at least one
# backend. Results: results/gpu_check/{rows.parquet,rows.csv}.
set -euo pipefail

cd "$(dirname "$0")/.."
DRY_RUN=0
for arg in "$@"; do
    case "$arg" in
    --dry-run | -n) DRY_RUN=1 ;;
    -h | --help)
        sed -n '2,19p' "$0"
        exit 0
        ;;
    *)
        echo "unknown argument: $arg (try --dry-run)" >&2
        exit 2
        ;;
    esac
done

MODELS="EleutherAI/pythia-14m HuggingFaceTB/SmolLM-135M Qwen/Qwen2.5-0.5B"
BACKENDS="transformers vllm"
INPUT_TOKENS=128
OUTPUT_TOKENS=128
BATCHES="1 64" # batch 1 (latency, the roofline check) and a throughput batch
ROOFLINE_MIN=0.70
# the vllm extra of pyproject.toml, installed alone (the base set keeps its lock pins)
VLLM_REQ="$(grep -o 'vllm>=[^"]*' pyproject.toml)"
OUT=results/gpu_check
PY=.venv/bin/python

plan() {
    echo "gpu_check plan"
    echo "  1. nvidia-smi must list a GPU (else stop)"
    if [ "${SKIP_INSTALL:-0}" = 1 ]; then
        echo "  2. install: skipped (SKIP_INSTALL=1), using $PY"
    else
        echo "  2. make install-gpu (requirements/gpu.lock: CUDA torch, zeus, nvidia-ml-py)"
        echo "     then $PY -m pip install '$VLLM_REQ' (pyproject.toml's vllm extra)"
    fi
    echo "  3. detect cuda:0 in this process (NVML / ROCm), look up bandwidth and TDP in"
    echo "     resources/hardware.csv by its name"
    for model in $MODELS; do
        for backend in $BACKENDS; do
            echo "  4. $model, $backend, bf16 random-init, ${INPUT_TOKENS} in / ${OUTPUT_TOKENS} out, batch sizes: $BATCHES (3 repeats, 1 warm-up)"
        done
    done
    echo "  5. print per row: J/token, decode tokens/s, roofline tokens/s and share, idle W,"
    echo "     average W, TDP W, power within idle..idle+TDP"
    echo "  6. check: Qwen/Qwen2.5-0.5B decode at batch 1 >= ${ROOFLINE_MIN} x roofline; power in range"
    echo "  outputs: $OUT/rows.parquet, $OUT/rows.csv"
}

if [ "$DRY_RUN" = 1 ]; then
    plan
    exit 0
fi

START=$(date +%s)
if ! nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
    echo "gpu_check: nvidia-smi lists no GPU; nothing to measure here (try --dry-run)" >&2
    exit 1
fi
plan
if [ "${SKIP_INSTALL:-0}" != 1 ]; then
    make install-gpu
    $PY -m pip install --quiet --disable-pip-version-check "$VLLM_REQ"
fi
echo "gpu_check: installed in $(($(date +%s) - START)) s"
mkdir -p "$OUT"

MODELS="$MODELS" BACKENDS="$BACKENDS" BATCHES="$BATCHES" INPUT_TOKENS="$INPUT_TOKENS" \
    OUTPUT_TOKENS="$OUTPUT_TOKENS" ROOFLINE_MIN="$ROOFLINE_MIN" OUT="$OUT" \
    $PY - <<'PYEOF'
import os
import sys
import time
from pathlib import Path

import polars as pl

from lmfootprint.benchmark.benchmark_inference import benchmark_job
from lmfootprint.benchmark.detect_hardware import detect
from lmfootprint.benchmark.job_settings import JobSettings
from lmfootprint.benchmark.registry import checked_workload
from lmfootprint.benchmark.workload import Workload
from lmfootprint.core.ids import ModelRef
from lmfootprint.models.model_metadata import model_record
from lmfootprint.reference.hardware_table import gpu_memory_bandwidth, load_hardware

env = os.environ
models = env["MODELS"].split()
backends = env["BACKENDS"].split()
batches = tuple(int(b) for b in env["BATCHES"].split())
roofline_min = float(env["ROOFLINE_MIN"])
out = Path(env["OUT"])

machine = detect("cuda:0")
if not machine.available:
    sys.exit(f"gpu_check: {machine.unavailable_reason}")
gpu = machine.gpu
specs = load_hardware("resources/hardware.csv")
bandwidth = gpu_memory_bandwidth(gpu.name, gpu.memory_gb, specs)
print(f"GPU: {gpu.name}, {gpu.memory_gb:.0f} GB, power limit {gpu.power_limit_w} W, "
      f"bandwidth {bandwidth} GB/s (resources/hardware.csv)")
if bandwidth is None:
    print("gpu_check: this GPU is not in resources/hardware.csv: roofline unchecked")

frames = []
for model_id in models:
    slug = model_id.replace("/", "--")
    config = Path("resources/hub") / slug / "config.json"
    model = model_record(ModelRef(model_id, slug), config).row(0, named=True)
    for backend in backends:
        workload = Workload(
            f"{backend}-check", int(env["INPUT_TOKENS"]), int(env["OUTPUT_TOKENS"]), batches,
            warmup=1, repeats=3, backend=backend,
        )
        t0 = time.perf_counter()
        summary, _ = benchmark_job(
            model=model, machine=machine, config_path=config, weights_dir=None,
            workload=checked_workload(workload),
            settings=JobSettings(
                dtype="bf16", threads=os.cpu_count() or 1, max_params=1e12,
                ram_w_per_gb=0.375, idle_seconds_max=5.0, memory_bandwidth_gbps=bandwidth,
            ),
        )
        print(f"{model_id} {backend}: {time.perf_counter() - t0:.0f} s")
        frames.append(summary)

rows = pl.concat(frames, how="vertical_relaxed")
rows.write_parquet(out / "rows.parquet")
rows.write_csv(out / "rows.csv")
ok = rows.filter(pl.col("status") == "ok").with_columns(
    roofline_share=pl.col("decode_tokens_per_s") / pl.col("roofline_tokens_per_s"),
    power_in_range=(pl.col("avg_power_w") >= 0.95 * pl.col("idle_power_w"))
    & (pl.col("avg_power_w") <= 1.05 * (pl.col("device_tdp_w") + pl.col("idle_power_w"))),
)
with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200, float_precision=3):
    print(ok.select(
        "model_id", "backend", "batch_size", "j_per_token", "decode_tokens_per_s",
        "roofline_tokens_per_s", "roofline_share", "idle_power_w", "avg_power_w",
        "device_tdp_w", "power_in_range", "energy_method",
    ))
for row in rows.filter(pl.col("status") == "skipped").iter_rows(named=True):
    print(f"SKIPPED {row['model_id']} {row['backend']}: {row['skip_reason']}")

failures = []
bad_power = ok.filter(~pl.col("power_in_range"))
if bad_power.height:
    failures.append(f"{bad_power.height} row(s) with power outside idle..idle+TDP")
largest = ok.filter((pl.col("model_id") == models[-1]) & (pl.col("batch_size") == 1))
best = largest["roofline_share"].max() if largest.height else None
if bandwidth is not None:
    if best is None:
        failures.append(f"no ok batch-1 row for {models[-1]}")
    elif best < roofline_min:
        failures.append(f"{models[-1]} decode at batch 1 reaches {best:.0%} of roofline "
                        f"(< {roofline_min:.0%})")
    else:
        print(f"{models[-1]} decode at batch 1: {best:.0%} of roofline (>= {roofline_min:.0%})")
if failures:
    print("FAIL: " + "; ".join(failures))
    sys.exit(1)
print("PASS")
PYEOF
echo "gpu_check: done in $(($(date +%s) - START)) s"
