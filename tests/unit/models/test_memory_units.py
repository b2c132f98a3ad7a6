import math

import pytest

from lmfootprint.core.units import (
    co2e_tonnes,
    convert,
    fx_rate,
    gpu_hours_to_mwh,
    implied_intensity_g_per_kwh,
    parse_param_label,
)
from lmfootprint.models.memory import kv_cache_bytes, serving_bytes, weight_bytes


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


@pytest.mark.parametrize(
    "value,unit,to,expected",
    [
        (3600.0, "J", "Wh", 1.0),
        (1.0, "kWh", "J", 3.6e6),
        (1.0, "MWh", "kWh", 1000.0),
        (2.5, "MWh", "J", 9.0e9),
        (1500.0, "Wh", "kWh", 1.5),
        (1.0, "t", "kg", 1000.0),
        (1.0, "t", "g", 1e6),
        (250.0, "g", "kg", 0.25),
    ],
)
def test_unit_conversions(value: float, unit: str, to: str, expected: float) -> None:
    assert convert(value, unit, to) == pytest.approx(expected)
    assert convert(convert(value, unit, to), to, unit) == pytest.approx(value)


def test_conversion_between_kinds_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot convert 'kWh' to 'kg'"):
        convert(1.0, "kWh", "kg")


FX = [
    {"period": 2023, "currency": "EUR", "usd_per_unit": 1.0813},
    {"period": 2024, "currency": "EUR", "usd_per_unit": 1.0824},
]


@pytest.mark.parametrize(
    "period,rate,rate_period",
    [("2023-S1", 1.0813, "2023"), ("2024", 1.0824, "2024"), ("2025-S2", 1.0824, "2024")],
)
def test_eur_to_usd_uses_the_rate_dated_to_the_price(
    period: str, rate: float, rate_period: str
) -> None:
    assert fx_rate("EUR", period, FX) == (rate, rate_period)
    assert fx_rate("USD", period, FX) == (1.0, "identity")


def test_fx_errors_name_the_currency_and_the_date() -> None:
    with pytest.raises(ValueError, match="no exchange rate for currency 'GBP'"):
        fx_rate("GBP", "2024", FX)
    with pytest.raises(ValueError, match="no EUR exchange rate dated 2019-S1 or earlier"):
        fx_rate("EUR", "2019-S1", FX)
