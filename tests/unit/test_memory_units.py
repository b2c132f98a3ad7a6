import math

import pytest

from lmfootprint.memory import kv_cache_bytes, serving_bytes, weight_bytes
from lmfootprint.units import (
    co2e_tonnes,
    gpu_hours_to_mwh,
    implied_intensity_g_per_kwh,
    parse_param_label,
)


def test_weight_bytes_per_dtype() -> None:
    assert weight_bytes(1_000, "fp32") == 4_000
    assert weight_bytes(1_000, "bf16") == 2_000
    assert weight_bytes(1_000, "int8") == 1_000
    assert weight_bytes(1_000, "int4") == 500
    with pytest.raises(ValueError, match="unknown dtype"):
        weight_bytes(1, "fp8x")


def test_kv_cache_llama2_7b() -> None:
    # 2 x 32 layers x 32 heads x 128 dims x 4096 tokens x 2 bytes = 2 GiB per sequence
    assert kv_cache_bytes(32, 32, 128, 4096, 1, "bf16") == 2 * 1024**3
    assert kv_cache_bytes(32, 32, 128, 4096, 4, "bf16") == 8 * 1024**3
    assert serving_bytes(10, 1, 1, 1, 1, 1, "fp32") == 40 + 4


def test_energy_and_carbon_units() -> None:
    # Llama 2 7B: 184,320 h x 400 W = 73.728 MWh; x 423.4 g/kWh = 31.22 t
    assert gpu_hours_to_mwh(184_320, 400) == pytest.approx(73.728)
    assert co2e_tonnes(73.728, 423.45) == pytest.approx(31.22, rel=1e-3)
    assert co2e_tonnes(1.0, 1.0) == pytest.approx(0.001)  # 1 MWh x 1 g/kWh = 1 kg
    assert implied_intensity_g_per_kwh(24.7, 433.196) == pytest.approx(57.0, rel=1e-3)
    assert gpu_hours_to_mwh(1, 1000, pue=1.5) == pytest.approx(0.0015)


@pytest.mark.parametrize(
    "label,n",
    [
        ("7B", 7_000_000_000),
        ("135M", 135_000_000),
        ("1.7B", 1_700_000_000),
        ("3.8B", 3_800_000_000),
        ("", None),
        (None, None),
        ("big", None),
    ],
)
def test_parse_param_label(label, n) -> None:
    got = parse_param_label(label)
    assert got == n or (n is not None and math.isclose(got, n))
