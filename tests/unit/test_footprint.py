"""Training estimates: the 6ND model, its bounds, and its check against published rows."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from lmfootprint.errors import LmFootprintError
from lmfootprint.footprint import estimate_gpu_hours, estimate_training, parse_tokens
from lmfootprint.hardware_specs import load_hardware
from lmfootprint.training import load_published

ROOT = Path(__file__).resolve().parents[2]
HARDWARE = load_hardware(ROOT / "resources/hardware.csv")
PUBLISHED = load_published(ROOT / "resources/published_training.csv")


def models(*rows: tuple[str, int, str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "model_id": m,
                "params_total": n,
                "size_class": "SLM" if n <= 8e9 else "LLM",
                "training_tokens": t,
            }
            for m, n, t in rows
        ],
        schema={
            "model_id": pl.String,
            "params_total": pl.Int64,
            "size_class": pl.String,
            "training_tokens": pl.String,
        },
    )


@pytest.mark.parametrize(
    "label,tokens",
    [
        ("600B", 6e11),
        ("15T+", 1.5e13),
        ("up to 9T", 9e12),
        ("1,500B", 1.5e12),
        ("3T (2.99T at step)", 3e12),
        ("", None),
        (None, None),
        ("lots", None),
    ],
)
def test_parse_tokens(label, tokens) -> None:
    assert parse_tokens(label) == tokens


def test_six_n_d() -> None:
    # Llama 2 7B: 6 x 6.738e9 x 2e12 = 8.09e22 FLOPs on A100 (312 TFLOP/s) at MFU 0.5 -> 144k h
    assert estimate_gpu_hours(6.738e9, 2e12, 312, 0.5) == pytest.approx(143_974, rel=1e-4)


def run(m: pl.DataFrame, **kw) -> pl.DataFrame:
    args = {"default_hardware": "H100-SXM5", "mfu": (0.3, 0.5), "pue": 1.1, "lifetime_years": 5}
    return estimate_training(m, PUBLISHED, HARDWARE, 400.0, "test grid", **{**args, **kw})


def test_published_rows_are_checked_with_their_own_gpu() -> None:
    t = run(models(("meta-llama/Llama-2-7b-hf", 6_738_415_616, None)))
    r = t.row(0, named=True)
    assert r["hardware_id"] == "A100-80-SXM4" and r["tokens_source"] == "published"
    assert r["gpu_hours_low"] < r["gpu_hours"] < r["gpu_hours_high"]
    assert r["published_gpu_hours"] == 184_320
    assert r["gpu_hours_error"] == pytest.approx(r["gpu_hours"] / 184_320 - 1)
    # the MFU Meta's figure implies: 6ND / (peak x hours)
    assert r["implied_mfu"] == pytest.approx(6 * 6_738_415_616 * 2e12 / (312e12 * 184_320 * 3600))
    assert r["provenance"] == "estimated"


def test_unpublished_model_uses_card_tokens_or_labelled_assumption() -> None:
    t = run(
        models(("HuggingFaceTB/SmolLM-360M", 361_821_120, None), ("acme/x", 1_000_000_000, "2T"))
    )
    smol = t.filter(pl.col("model_id") == "HuggingFaceTB/SmolLM-360M").row(0, named=True)
    assert smol["tokens_source"].startswith("assumed: 20 tokens per parameter")
    assert smol["training_tokens"] == 20 * 361_821_120
    assert smol["published_gpu_hours"] is None and smol["hardware_id"] == "H100-SXM5"
    x = t.filter(pl.col("model_id") == "acme/x").row(0, named=True)
    assert x["tokens_source"] == "model card" and x["training_tokens"] == 2e12
    # embodied: H100 164 kg over 5 years of 8760 h, by GPU-hours used
    assert x["embodied_co2e_t"] == pytest.approx(x["gpu_hours"] * 164 / (5 * 8760) / 1000)
    assert x["co2e_t"] == pytest.approx(x["energy_mwh"] * 400 / 1000)


def test_estimates_grow_with_params_at_fixed_hardware_and_tokens() -> None:
    sizes = [1e8, 1e9, 7e9, 70e9]
    t = run(models(*[(f"acme/m{i}", int(n), "1T") for i, n in enumerate(sizes)]))
    for col in ("gpu_hours", "energy_mwh", "co2e_t", "co2e_t_with_embodied"):
        assert t[col].is_sorted(), col


def test_bad_assumptions_are_named() -> None:
    with pytest.raises(LmFootprintError, match="mfu"):
        run(models(("acme/x", 10**9, "1T")), mfu=(0.6, 0.2))
    with pytest.raises(LmFootprintError, match="'TPU-v9' is not in resources/hardware.csv"):
        run(models(("acme/x", 10**9, "1T")), default_hardware="TPU-v9")
