"""Rent or buy: a training run and a year of serving on cloud GPUs vs the same GPUs owned.

Owned cost per GPU-hour used = purchase / (lifetime x 8760 x utilisation) + TDP x PUE x
tariff; rented = the scenario's price per GPU-hour. Buying pays off above the utilisation
where the two are equal: purchase / (lifetime x 8760 x (price - TDP x PUE x tariff)). Only
the GPU's price is counted (no server, network, staff or financing), so the owned side is a
lower bound and the break-even utilisation an optimistic one; the method says so.
:func:`gpu_year_curves` gives the cost of a GPU-year of both options along the utilisation,
what the rent_vs_buy figure draws.
"""

from __future__ import annotations

import logging
from typing import Any

import polars as pl

from lmfootprint.core.validation import frame_from_rows, validate_frame
from lmfootprint.estimates.schemas import RentVsBuyCurveSchema, RentVsBuySchema
from lmfootprint.estimates.training_calibration import MfuModel, generation
from lmfootprint.estimates.training_estimates import HOURS_PER_YEAR, estimate_gpu_hours

log = logging.getLogger(__name__)


def break_even_utilisation(
    price_per_hour: float, purchase: float, lifetime_years: float, electricity_per_hour: float
) -> float | None:
    """Share of the year a bought GPU must be busy to cost less than renting; None: never."""
    margin = price_per_hour - electricity_per_hour
    if margin <= 0:
        return None
    return purchase / (lifetime_years * HOURS_PER_YEAR * margin)


def gpu_year_costs(
    price_per_hour: float,
    purchase: float,
    lifetime_years: float,
    electricity_per_hour: float,
    utilisation: float,
) -> tuple[float, float]:
    """(rented, owned) cost of one GPU for a year in which it is busy ``utilisation`` of the
    time: rent pays the busy hours; owning pays the purchase's yearly share and the
    electricity of the busy hours."""
    busy_hours = HOURS_PER_YEAR * utilisation
    return (
        busy_hours * price_per_hour,
        purchase / lifetime_years + busy_hours * electricity_per_hour,
    )


def rent_vs_buy(
    inference: pl.DataFrame,
    estimates: pl.DataFrame,
    scenarios: pl.DataFrame,
    hardware: pl.DataFrame,
    *,
    utilisation: float,
    pue: float,
    lifetime_years: float,
    tariff_usd_per_kwh: float,
    tariff_label: str,
    mfu: tuple[float, float],
    mfu_model: MfuModel | None = None,
) -> pl.DataFrame:
    """``mfu_model`` (the calibrated one) gives each model's effective MFU on the scenario's
    GPU; without it the configured range's geometric mean stands for every size."""
    specs = {r["hardware_id"]: r for r in hardware.iter_rows(named=True)}
    tokens = dict(estimates.select("model_id", "training_tokens").iter_rows())
    mfu_mid = (mfu[0] * mfu[1]) ** 0.5
    rows: list[dict[str, Any]] = []
    cloud = scenarios.filter(pl.col("kind") == "cloud")
    for s in cloud.iter_rows(named=True):
        hw = specs[s["hardware_id"]]
        if not hw["purchase_price_usd"]:
            log.warning(
                "scenario %s: no purchase price for %s in resources/hardware.csv; "
                "rent vs buy left out",
                s["scenario"],
                hw["hardware_id"],
            )
            continue
        peak = hw["peak_bf16_tflops"] or hw["peak_fp16_tflops"]
        power_kw = hw["tdp_w"] * pue / 1000
        electricity = power_kw * tariff_usd_per_kwh
        owned_hour = hw["purchase_price_usd"] / (lifetime_years * HOURS_PER_YEAR * utilisation)
        price = s["price_per_gpu_hour_usd"]
        u_star = break_even_utilisation(
            price, hw["purchase_price_usd"], lifetime_years, electricity
        )
        fits = inference.filter(
            (pl.col("scenario") == s["scenario"])
            & (pl.col("status") == "estimated")
            & pl.col("reference")
        )
        for m in fits.iter_rows(named=True):
            model_mfu = (
                mfu_model.mfu(m["params_total"], generation(hw["hardware_id"]))[0]
                if mfu_model
                else mfu_mid
            )
            hours = estimate_gpu_hours(m["params_total"], tokens[m["model_id"]], peak, model_mfu)
            used = m["devices"] * HOURS_PER_YEAR * utilisation
            rent_year, buy_year = (
                m["devices"] * cost
                for cost in gpu_year_costs(
                    price, hw["purchase_price_usd"], lifetime_years, electricity, utilisation
                )
            )
            rows.append(
                {
                    "model_id": m["model_id"],
                    "size_class": m["size_class"],
                    "params_total": m["params_total"],
                    "scenario": s["scenario"],
                    "hardware_id": hw["hardware_id"],
                    "devices": m["devices"],
                    "price_per_gpu_hour_usd": price,
                    "purchase_price_usd": hw["purchase_price_usd"],
                    "lifetime_years": lifetime_years,
                    "owned_utilisation": utilisation,
                    "electricity_usd_per_kwh": tariff_usd_per_kwh,
                    "electricity_usd_per_gpu_hour": electricity,
                    "break_even_utilisation": u_star,
                    "training_gpu_hours": hours,
                    "training_rent_usd": hours * price,
                    "training_buy_usd": hours * (owned_hour + electricity),
                    "serving_year_tokens": m["tokens_per_s"] * 3600 * used / m["devices"],
                    "serving_year_rent_usd": rent_year,
                    "serving_year_buy_usd": buy_year,
                    "cheaper_for_serving": "rent" if rent_year < buy_year else "buy",
                    "provenance": "estimated",
                    "method": f"GPU only ({hw['price_basis'] or 'purchase price'}, "
                    f"{hw['price_date']}); {lifetime_years:g}-year life; busy "
                    f"{utilisation:.0%} of the year; {hw['tdp_w']:g} W x PUE {pue:g} at "
                    f"{tariff_usd_per_kwh:.3f} USD/kWh ({tariff_label}); training hours = "
                    f"6ND / ({peak:g} TFLOP/s x MFU {model_mfu:.2f}"
                    f"{', calibrated' if mfu_model else ''}); serving tokens at the serving "
                    "model's throughput (reference mode)",
                }
            )
    df = frame_from_rows(RentVsBuySchema, rows)
    return validate_frame(RentVsBuySchema, df, "results/rent_vs_buy.parquet")


# the figure's utilisation axis: 2% to 100% busy, in steps of 2%
UTILISATIONS = tuple(i / 100 for i in range(2, 101, 2))


def gpu_year_curves(table: pl.DataFrame) -> pl.DataFrame:
    """Rented and owned cost of one GPU-year of each scenario of ``table`` (the rent vs buy
    table) at each utilisation of UTILISATIONS: one row per (scenario, utilisation, option)."""
    rows = [
        {
            "scenario": r["scenario"],
            "hardware_id": r["hardware_id"],
            "option": option,
            "utilisation": u,
            "usd_per_gpu_year": usd,
            "provenance": "estimated",
            "method": r["method"],
        }
        for r in table.unique("scenario", maintain_order=True).iter_rows(named=True)
        for u in UTILISATIONS
        for option, usd in zip(
            ("rent", "buy"),
            gpu_year_costs(
                r["price_per_gpu_hour_usd"],
                r["purchase_price_usd"],
                r["lifetime_years"],
                r["electricity_usd_per_gpu_hour"],
                u,
            ),
            strict=True,
        )
    ]
    df = frame_from_rows(RentVsBuyCurveSchema, rows)
    return validate_frame(RentVsBuyCurveSchema, df, "results/rent_vs_buy_curves.parquet")
