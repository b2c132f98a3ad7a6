"""Unit conversions, named so that a formula reads in its units."""

from __future__ import annotations

import re

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


def parse_tokens(label: str | None) -> float | None:
    """'600B' -> 6e11, '15T+' -> 1.5e13, 'up to 9T' -> 9e12, '1,500B' -> 1.5e12; None when no
    count with B or T is in it."""
    if not label:
        return None
    match = re.search(r"(\d+(?:\.\d+)?)\s*([BT])", label.replace(",", ""))
    if not match:
        return None
    return float(match.group(1)) * (1e9 if match.group(2) == "B" else 1e12)


ENERGY_IN_J = {"J": 1.0, "Wh": J_PER_WH, "kWh": J_PER_WH * 1e3, "MWh": J_PER_WH * 1e6}
MASS_IN_G = {"g": 1.0, "kg": G_PER_KG, "t": G_PER_KG * KG_PER_T}


def convert(value: float, unit: str, to: str) -> float:
    """Energy (J, Wh, kWh, MWh) or mass (g, kg, t) between units of the same kind."""
    for table in (ENERGY_IN_J, MASS_IN_G):
        if unit in table and to in table:
            return value * table[unit] / table[to]
    raise ValueError(f"cannot convert {unit!r} to {to!r}: units are {ENERGY_IN_J} / {MASS_IN_G}")


def fx_rate(currency: str, period: str, fx: list[dict]) -> tuple[float, str]:
    """USD per unit of ``currency`` for a dated ``period`` ('2025', '2025-S2', '2025-06-01').

    The newest rate whose period starts no later than ``period`` is used, so a 2023 price is
    converted at the 2023 rate; the rate's own period is returned for provenance.
    """
    if currency == "USD":
        return 1.0, "identity"
    dated = sorted(
        (str(r["period"]), float(r["usd_per_unit"])) for r in fx if r["currency"] == currency
    )
    if not dated:
        raise ValueError(f"no exchange rate for currency {currency!r} in the FX table")
    usable = [d for d in dated if d[0][:4] <= str(period)[:4]]
    if not usable:
        raise ValueError(
            f"no {currency} exchange rate dated {period} or earlier (earliest: {dated[0][0]})"
        )
    return usable[-1][1], usable[-1][0]
