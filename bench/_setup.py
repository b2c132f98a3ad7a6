"""Shared set-up of the CPU benchmark scripts: a random-init model, its prompt, the meter."""

from __future__ import annotations

from pathlib import Path

import psutil
import torch

from lmfootprint.benchmark.device import Device
from lmfootprint.benchmark.meters import Meter, meter_for
from lmfootprint.benchmark.transformers_backend import load_model, make_prompt

ROOT = Path(__file__).resolve().parents[1]


def cpu_setup(slug: str, batch: int = 1, prompt_tokens: int = 32):
    """(model, weights label, input ids, attention mask, meter, threads) on every CPU thread."""
    threads = psutil.cpu_count() or 1
    torch.set_num_threads(threads)
    model, weights = load_model(
        ROOT / "resources/hub" / slug / "config.json", None, "fp32", "cpu", 0
    )
    meter: Meter = meter_for(
        Device.parse("cpu"),
        cpu_tdp_w=4.0 * threads,
        tdp_source="bench",
        ram_gb=psutil.virtual_memory().total / 1e9,
        ram_w_per_gb=0.375,
    )
    ids, mask = make_prompt(model.config.vocab_size, batch, prompt_tokens, 0, "cpu")
    return model, weights, ids, mask, meter, threads
