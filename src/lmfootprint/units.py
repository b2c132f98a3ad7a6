"""Unit conversions, named so that a formula reads in its units."""

from __future__ import annotations

J_PER_WH = 3600.0
WH_PER_KWH = 1000.0
KWH_PER_MWH = 1000.0
G_PER_KG = 1000.0
KG_PER_T = 1000.0


def gpu_hours_to_mwh(gpu_hours: float, power_w: float, pue: float = 1.0) -> float:
    """GPU-hours x watts x PUE -> MWh."""
    return gpu_hours * power_w * pue / 1e6


def co2e_tonnes(energy_mwh: float, intensity_g_per_kwh: float) -> float:
    """MWh x gCO2e/kWh -> tCO2e (1 MWh x 1 g/kWh = 1 kg)."""
    return energy_mwh * KWH_PER_MWH * intensity_g_per_kwh / G_PER_KG / KG_PER_T


def implied_intensity_g_per_kwh(co2e_t: float, energy_mwh: float) -> float:
    return co2e_t * KG_PER_T * G_PER_KG / (energy_mwh * KWH_PER_MWH)


def parse_param_label(label: str | None) -> int | None:
    """'7B' -> 7e9, '135M' -> 1.35e8, '1.7B' -> 1.7e9; None when it is not such a label."""
    if not label:
        return None
    text = label.strip().upper().replace(",", "")
    scale = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
    try:
        if text[-1] in scale:
            return int(round(float(text[:-1]) * scale[text[-1]]))
        return int(float(text))
    except (ValueError, IndexError):
        return None
