"""Small input frames built from the shipped resources/ (never from results/)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from lmfootprint.estimates.inference_fit import ServingFit
from lmfootprint.estimates.local_device import LocalFit, fit_local, load_published_local
from lmfootprint.estimates.training_calibration import MfuModel
from lmfootprint.estimates.training_estimates import estimate_training
from lmfootprint.estimates.training_tokens import load_tokens
from lmfootprint.reference.hardware_table import load_hardware

ROOT = Path(__file__).resolve().parents[2]
RES = ROOT / "resources"
HARDWARE = load_hardware(RES / "hardware.csv")
SPECS = {r["hardware_id"]: r for r in HARDWARE.iter_rows(named=True)}

# the smallest Llama config.json the closed form and transformers both count (tests copy it)
TINY_LLAMA = {
    "model_type": "llama",
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 100,
}


def scenario(name: str, kind: str, hardware_id: str, **over: Any) -> dict[str, Any]:
    """One row of results/scenarios.parquet, with the specs of resources/hardware.csv."""
    hw = SPECS[hardware_id]
    row = {
        "scenario": name,
        "kind": kind,
        "hardware_id": hardware_id,
        "hardware_name": hw["name"],
        "tdp_w": float(hw["tdp_w"]),
        "memory_gb": float(hw["memory_gb"]),
        "memory_bandwidth_gbps": float(hw["memory_bandwidth_gbps"]),
        "peak_tflops": float(hw["peak_bf16_tflops"] or hw["peak_fp16_tflops"]),
        "peak_fp8_tflops": hw["peak_fp8_tflops"],
        "embodied_kgco2e": hw["embodied_kgco2e"],
        "intensity_g_per_kwh": 400.0,
        "intensity_basis": "lifecycle",
        "pue": 1.0,
        "price_per_gpu_hour_usd": 4.0 if kind == "cloud" else None,
        "price_region": "test-region" if kind == "cloud" else None,
        "price_type": "on_demand" if kind == "cloud" else None,
        "tariff_usd_per_kwh": None if kind == "cloud" else 0.3,
        "purchase_price_usd": None if kind == "cloud" else 2000.0,
        "lifetime_years": None if kind == "cloud" else 4.0,
    }
    return {**row, **over}


SCENARIOS = pl.DataFrame(
    [
        scenario("cloud-h100", "cloud", "H100-SXM5", pue=1.2),
        scenario("cloud-a100", "cloud", "A100-80-SXM4"),
        scenario("laptop", "local", "M1-Pro-16c"),
    ],
    infer_schema_length=None,
)

# (params, KV cache GB at 2048 tokens and batch 1) of configured models, as models.py gives them
SHAPES = {
    "HuggingFaceTB/SmolLM-135M": (134515008, 0.047186),
    "meta-llama/Llama-3.2-1B": (1235814400, 0.067109),
    "meta-llama/Llama-3.1-8B": (8030261248, 0.268435),
    "meta-llama/Llama-3.1-70B": (70553706496, 0.671089),
    "meta-llama/Llama-3.1-405B": (405853388800, 1.056965),
}


def models(rows: dict[str, tuple[int, float]] | list[float]) -> pl.DataFrame:
    """A models table with what estimate_inference reads; a list of sizes gives acme/m<N>
    models with a KV cache that grows with size like a GQA decoder's."""
    if isinstance(rows, list):
        rows = {f"acme/m{int(n)}": (int(n), 0.05 + 1e-11 * n) for n in rows}
    return pl.DataFrame(
        [
            {
                "model_id": m,
                "params_total": int(n),
                "size_class": "SLM" if n <= 8e9 else "LLM",
                "kv_cache_gb": kv,
                "memory_context_tokens": 2048,
                "memory_batch_size": 1,
            }
            for m, (n, kv) in rows.items()
        ],
        schema={
            "model_id": pl.String,
            "params_total": pl.Int64,
            "size_class": pl.String,
            "kv_cache_gb": pl.Float64,
            "memory_context_tokens": pl.Int64,
            "memory_batch_size": pl.Int64,
        },
    )


# The serving model as the shipped ML.ENERGY v3 rows calibrate it (rounded); hand-built so
# that tests of the estimates do not depend on a fit.
FIT = ServingFit(
    params={
        "eta_bw": 1.0,
        "eta_flop": 1.0,
        "overhead_s": 0.008,
        "comm": 0.0,
        "floor": 1.06,
        "slope": 0.85,
        "idle": 0.1,
    },
    log_q_low=-0.27,
    log_q_high=0.32,
    tps_log_q_low=-0.43,
    tps_log_q_high=0.24,
    in_sample_median_abs_error=0.17,
    family_holdout_median_abs_error=0.17,
    gpu_holdout_median_abs_error={"hardware_id=H100-SXM5": 0.3, "hardware_id=B200": 0.36},
    coverage=0.77,
    coverage_n=203,
)


TOKENS = load_tokens(RES / "training" / "training_tokens.csv")
NO_RUNS = pl.DataFrame(schema={"model_id": pl.String})
# the MFU model as the shipped runs calibrate it (rounded)
MFU_MODEL = MfuModel(
    slope=0.19,
    intercepts={"hopper+": -2.26, "ampere": -1.66},
    log_q_low=-0.63,
    log_q_high=0.74,
    prior_widening=0.60,
)


def training_estimates(
    frame: pl.DataFrame, tokens: str | None = "1T", hardware: str = "H100-SXM5"
) -> pl.DataFrame:
    """Calibrated 6ND estimates with no published run; every model trained on ``tokens``
    (a config override) or, with None, on what the shipped token table says."""
    override = None if tokens is None else dict.fromkeys(frame["model_id"], tokens)
    return estimate_training(
        frame,
        NO_RUNS,
        NO_RUNS,
        MFU_MODEL,
        TOKENS,
        HARDWARE,
        400.0,
        "test grid",
        default_hardware=hardware,
        pue=1.1,
        lifetime_years=5.0,
        tokens_override=override,
    )


NO_PUBLISHED = pl.DataFrame(
    schema={
        "model_id": pl.String,
        "in_config": pl.Boolean,
        "energy_mwh": pl.Float64,
        "co2e_t": pl.Float64,
        "co2e_basis": pl.String,
        "gpu_hours_status": pl.String,
        "boundary": pl.String,
        "energy_arithmetic": pl.String,
        "conversion": pl.String,
        "energy_mwh_published": pl.Float64,
        "source_energy_mwh": pl.Float64,
        "co2e_t_published": pl.Float64,
    }
)


LOCAL_PUBLISHED = RES / "local" / "published_local.csv"


@cache
def local_fit() -> LocalFit:
    """The local-device model fitted on the published local measurements (a few seconds)."""
    return fit_local(load_published_local(LOCAL_PUBLISHED))
