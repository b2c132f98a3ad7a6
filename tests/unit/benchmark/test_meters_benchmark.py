"""Meter arithmetic and benchmark bookkeeping (the measurement itself runs in the e2e test)."""

from __future__ import annotations

from collections import namedtuple
from pathlib import Path

import polars as pl
import pytest

from lmfootprint.benchmark.benchmark_inference import cpu_tdp
from lmfootprint.benchmark.device import Device
from lmfootprint.benchmark.harness import skip_reason, summarise
from lmfootprint.benchmark.meters import (
    EstimateMeter,
    RaplMeter,
    busy_fraction,
    counter_delta,
    meter_for,
    rapl_package_domains,
)
from lmfootprint.benchmark.workload import Workload, predicted_memory_gb
from lmfootprint.models.config_json import read_config_json


def test_counter_wrap() -> None:
    assert counter_delta(100, 250, 1000) == 150
    assert counter_delta(900, 50, 1000) == 150  # wrapped once
    assert counter_delta(0, 0, 1000) == 0


def write_domain(root: Path, name: str, label: str, energy: int, max_range: int = 2**32) -> Path:
    d = root / name
    d.mkdir(parents=True)
    (d / "name").write_text(label + "\n")
    (d / "energy_uj").write_text(f"{energy}\n")
    (d / "max_energy_range_uj").write_text(f"{max_range}\n")
    return d


def test_rapl_reads_package_domains_only_and_handles_wrap(tmp_path: Path) -> None:
    pkg0 = write_domain(tmp_path, "intel-rapl:0", "package-0", 1_000, max_range=10_000_000)
    write_domain(tmp_path, "intel-rapl:0:0", "core", 500)  # sub-domain: would double count
    write_domain(tmp_path, "intel-rapl:1", "psys", 7)  # platform domain: not a package
    domains = rapl_package_domains(tmp_path)
    assert domains == [pkg0]
    meter = RaplMeter(domains)
    meter.start()
    (pkg0 / "energy_uj").write_text("500\n")  # wrapped: 10,000,000 - 1,000 + 500 uJ
    reading = meter.stop()
    assert reading.joules == pytest.approx((10_000_000 - 1_000 + 500) / 1e6)
    assert meter.kind == "measured"


def test_busy_fraction() -> None:
    T = namedtuple("T", "user system idle iowait")
    assert busy_fraction(T(0, 0, 0, 0), T(3, 1, 4, 0)) == pytest.approx(0.5)
    assert busy_fraction(T(0, 0, 0, 0), T(0, 0, 0, 0)) == 0.0


def test_estimate_meter_is_labelled_estimated() -> None:
    meter = EstimateMeter(8.0, "fallback 4 W per thread x 2", ram_gb=16, ram_w_per_gb=0.5)
    assert meter.kind == "estimated"
    assert "estimate" in meter.method and "8.0 W" in meter.method and "0.5 W/GB" in meter.method
    meter.start()
    reading = meter.stop()
    # at least the RAM term, at most RAM + full TDP
    assert 8.0 * reading.seconds <= reading.joules + 1e-9 <= 16.0 * reading.seconds + 1e-6
    with pytest.raises(ValueError):
        EstimateMeter(0, "x", 1, 1)


def test_meter_for_cpu_without_rapl_is_an_estimate() -> None:
    meter = meter_for(Device.parse("cpu"), cpu_tdp_w=10, tdp_source="t", ram_gb=1, ram_w_per_gb=0.1)
    if not rapl_package_domains():
        assert isinstance(meter, EstimateMeter)


def test_cpu_tdp_source_is_named() -> None:
    assert cpu_tdp(None, 2) == (8.0, "fallback 4 W per thread x 2")
    assert cpu_tdp(65, 16) == (65.0, "benchmark.cpu_tdp_w in the config")


def test_workload_contract() -> None:
    with pytest.raises(ValueError, match="repeats"):
        Workload("w", 8, 8, (1,), repeats=2)
    with pytest.raises(ValueError, match="output_tokens"):
        Workload("w", 8, 1, (1,))


MODEL = {
    "params_total": 134_515_008,
    "is_encoder_decoder": False,
    "kv_cache_gb": 0.0472,
    "memory_context_tokens": 2048,
    "memory_batch_size": 1,
}
W = Workload("w", 32, 32, (1, 4))


def test_skip_reasons() -> None:
    kw = {
        "max_params": 2e8,
        "predicted_gb": predicted_memory_gb(MODEL, "fp32", W.cache_tokens(max(W.batch_sizes))),
        "device_available": True,
        "device_reason": None,
    }
    assert skip_reason(MODEL, available_gb=20, **kw) is None
    assert "above benchmark.max_params" in skip_reason(
        {**MODEL, "params_total": 7e9}, available_gb=20, **kw
    )
    assert "exceeds the 0.3 GB available" in skip_reason(MODEL, available_gb=0.3, **kw)
    assert "encoder-decoder" in skip_reason(
        {**MODEL, "is_encoder_decoder": True}, available_gb=20, **kw
    )
    kw["device_available"], kw["device_reason"] = False, "no NVIDIA GPU 0 (NVML sees 0)"
    assert skip_reason(MODEL, available_gb=20, **kw) == "no NVIDIA GPU 0 (NVML sees 0)"


def _raw(pairs: list[tuple[float, float]]) -> pl.DataFrame:
    rows = []
    for rep, (full_s, pre_s) in enumerate(pairs):
        rows.append(
            {
                "batch_size": 2,
                "repeat": rep,
                "phase": "prefill",
                "seconds": pre_s,
                "energy_j": pre_s * 20,
                "utilisation": 1.0,
            }
        )
        rows.append(
            {
                "batch_size": 2,
                "repeat": rep,
                "phase": "full",
                "seconds": full_s,
                "energy_j": full_s * 20,
                "utilisation": 1.0,
            }
        )
    return pl.DataFrame(rows)


def test_summarise_medians_phases_and_idle_subtraction() -> None:
    s = summarise(
        _raw([(2.0, 0.2), (2.2, 0.2), (1.8, 0.3)]), output_tokens=10, idle_power_w=5.0
    ).row(0, named=True)
    assert s["seconds_median"] == 2.0 and s["tokens"] == 20
    assert s["tokens_per_s"] == pytest.approx(10.0)
    assert s["ttft_s"] == pytest.approx(0.2)
    assert s["j_per_token"] == pytest.approx(40 / 20)
    assert s["j_per_token_net"] == pytest.approx((40 - 5.0 * 2.0) / 20)
    assert s["avg_power_w"] == pytest.approx(20.0)
    assert s["spread"] == pytest.approx(0.4 / 2.0)
    assert s["decode_tokens_per_s"] == pytest.approx(2 * 9 / 1.8)
    assert s["prefill_share"] == pytest.approx(0.2 / 2.0)  # paired per repeat, then median


def test_a_prefill_slower_than_the_full_run_gives_a_share_of_at_most_one() -> None:
    """A 14M model on a busy machine: the 1-token runs took longer than the 4-token runs
    (seen in CI: a share of 1.30 failed the schema and the job)."""
    s = summarise(
        _raw([(0.126, 0.16), (0.12, 0.05), (0.13, 0.2)]), output_tokens=4, idle_power_w=1.0
    )
    assert s["prefill_share"].item() == 1.0  # median of 1.0 (clipped), 0.42, 1.0 (clipped)
    assert s["ttft_s"].item() == pytest.approx(0.16)


def test_local_safetensors_weights_are_loaded_not_reinitialised(tmp_path: Path) -> None:
    import torch

    from lmfootprint.benchmark.transformers_backend import generate, load_model, make_prompt

    config = (
        Path(__file__).resolve().parents[3] / "resources/hub/EleutherAI--pythia-14m/config.json"
    )
    first, weights = load_model(config, None, "fp32", "cpu", seed=1)
    assert weights == "random-init"
    first.save_pretrained(tmp_path, safe_serialization=True)
    assert list(tmp_path.glob("*.safetensors"))
    again, weights = load_model(tmp_path / "config.json", tmp_path, "fp32", "cpu", seed=2)
    assert weights == "real"
    for a, b in zip(first.parameters(), again.parameters(), strict=True):
        assert torch.equal(a, b)
    ids, mask = make_prompt(first.config.vocab_size, 2, 5, 0, "cpu")
    assert generate(again, ids, mask, 3) == 3  # forced length, EOS ignored


def _ok_row(**over):
    from lmfootprint.benchmark.benchmark_inference import _frame

    row = {
        "model_id": "m",
        "slug": "a--m",
        "params_total": 14_067_712,
        "size_class": "SLM",
        "device": "cpu",
        "hardware": "cpu",
        "workload": "w",
        "status": "ok",
        "input_tokens": 8,
        "output_tokens": 4,
        "dtype": "fp32",
        "backend": "transformers",
        "threads": 2,
        "batch_size": 1,
        "weights": "random-init",
        "repeats": 3,
        "tokens": 4,
        "seconds_median": 0.1,
        "spread": 0.01,
        "ttft_s": 0.02,
        "decode_s": 0.08,
        "tokens_per_s": 40.0,
        "decode_tokens_per_s": 37.5,
        "latency_ms_per_token": 26.7,
        "prefill_share": 0.2,
        "energy_j": 2.0,
        "prefill_energy_j": 0.4,
        "decode_energy_j": 1.6,
        "j_per_token": 0.5,
        "j_per_token_net": 0.2,
        "j_per_response": 2.0,
        "avg_power_w": 16.0,
        "idle_power_w": 10.0,
        "peak_memory_gb": 1.0,
        "predicted_memory_gb": 0.1,
        "weights_gb": 0.056,
        "energy_method": "estimate",
        "provenance": "estimated",
        "device_tdp_w": 8.0,
        "roofline_tokens_per_s": 100.0,
        "plausibility": "x",
        "measured_at": "2026-11-23T00:00:00Z",
        "energy_domains": "cpu+dram",
        "total_params_b": 0.014,
        "weight_precision": "float32",
        "num_gpus": 0,
    }
    row.update(over)
    return _frame([row])


def test_plausibility_checks_reject_impossible_rows() -> None:
    from lmfootprint.benchmark.schemas import InferenceSchema
    from lmfootprint.core.errors import TableValidationError
    from lmfootprint.core.validation import validate_frame

    validate_frame(InferenceSchema, _ok_row(), "inference")  # a sane row passes
    with pytest.raises(TableValidationError, match="decode_within_bandwidth_roofline"):
        validate_frame(InferenceSchema, _ok_row(roofline_tokens_per_s=10.0), "inference")
    with pytest.raises(TableValidationError, match="power_not_above_tdp_plus_idle"):
        validate_frame(InferenceSchema, _ok_row(avg_power_w=40.0), "inference")
    with pytest.raises(TableValidationError, match="power_not_below_idle"):
        validate_frame(InferenceSchema, _ok_row(avg_power_w=5.0, idle_power_w=10.0), "inference")
    with pytest.raises(TableValidationError, match="j_per_token"):
        validate_frame(InferenceSchema, _ok_row(j_per_token=0.0), "inference")


def test_gpu_bandwidth_lookup_by_nvml_name() -> None:
    from lmfootprint.reference.hardware_table import gpu_memory_bandwidth, load_hardware

    specs = load_hardware(Path(__file__).resolve().parents[3] / "resources/hardware.csv")
    assert gpu_memory_bandwidth("NVIDIA H100 80GB HBM3", 85.0, specs) == 3350
    assert gpu_memory_bandwidth("NVIDIA A100-SXM4-40GB", 42.5, specs) == 1555
    assert gpu_memory_bandwidth("Some Future GPU", 100.0, specs) is None


class CounterReadings:
    """NVML's module interface replaying a sequence of energy-counter readings (mJ)."""

    def __init__(self, readings: list[int]):
        self.readings = iter(readings)

    def nvmlInit(self) -> None:
        pass

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:
        return index

    def nvmlDeviceGetTotalEnergyConsumption(self, handle: int) -> int:
        return next(self.readings)


def test_nvml_counter_difference_in_joules() -> None:
    from lmfootprint.benchmark.meters import NvmlMeter

    meter = NvmlMeter(0, nvml=CounterReadings([5_000_000, 5_350_250]))
    assert meter.kind == "measured" and "NVML" in meter.method
    meter.start()
    assert meter.stop().joules == pytest.approx(350.25)
    backwards = NvmlMeter(0, nvml=CounterReadings([9_000, 100]))
    backwards.start()
    with pytest.raises(RuntimeError, match="backwards"):
        backwards.stop()


@pytest.mark.parametrize("slug", ["EleutherAI--pythia-14m", "HuggingFaceTB--SmolLM-135M"])
def test_random_init_builds_what_transformers_builds_once_initialised(slug: str) -> None:
    """Built without transformers' two init passes, then initialised once: the same tensors
    (tied embeddings still shared), seeded, norm scales 1 and biases 0."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    from lmfootprint.benchmark.transformers_backend import load_model

    config = Path(__file__).resolve().parents[3] / f"resources/hub/{slug}/config.json"
    model, _ = load_model(config, None, "fp32", "cpu", seed=3)
    raw = read_config_json(config)
    cfg = AutoConfig.for_model(raw.pop("model_type"), **raw)
    with torch.device("meta"):
        reference = AutoModelForCausalLM.from_config(cfg)
    shapes = {n: tuple(p.shape) for n, p in model.named_parameters()}
    assert shapes == {n: tuple(p.shape) for n, p in reference.named_parameters()}
    assert model.get_output_embeddings().weight is model.get_input_embeddings().weight or (
        not cfg.tie_word_embeddings
    )
    again, _ = load_model(config, None, "fp32", "cpu", seed=3)
    assert all(
        torch.equal(a, b) for a, b in zip(model.parameters(), again.parameters(), strict=True)
    )
    for name, param in model.named_parameters():
        if param.dim() == 1:
            assert torch.all(param == (0.0 if name.endswith("bias") else 1.0)), name
        else:
            assert 0.015 < float(param.std()) < 0.025, name
