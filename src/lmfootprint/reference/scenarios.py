"""Deployment scenarios: each named in the config gets its hardware, intensity, tariff, price.

A missing join key is an error naming the scenario and the key, never a silent null; the
table is validated by ScenarioSchema.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.validation import frame_from_rows, validate_frame
from lmfootprint.reference.schemas import ScenarioSchema
from lmfootprint.reference.tariffs import lookup


class ScenarioJoinError(LmFootprintError):
    """A scenario refers to hardware, a region, a tariff or a price the tables do not have."""


def _one(df: pl.DataFrame, what: str, scenario: str) -> dict[str, Any]:
    if df.height == 0:
        raise ScenarioJoinError(f"scenario {scenario!r}: no {what}")
    return df.row(0, named=True)


def build_scenarios(
    scenarios: dict[str, dict[str, Any]],
    *,
    hardware: pl.DataFrame,
    carbon: pl.DataFrame,
    tariffs: pl.DataFrame,
    prices: pl.DataFrame,
    basis: str,
) -> pl.DataFrame:
    rows = []
    for name, sc in scenarios.items():
        hw = _one(
            hardware.filter(pl.col("hardware_id") == sc["hardware"]),
            f"hardware {sc['hardware']!r} in resources/hardware.csv",
            name,
        )
        if sc["kind"] == "cloud":
            geo = carbon.filter(
                (pl.col("geo_type") == "cloud_region")
                & (pl.col("provider") == sc["provider"])
                & (pl.col("geo_id") == sc["region"])
                & (pl.col("basis") == basis)
            )
            where = f"{sc['provider']}:{sc['region']}"
        else:
            geo = carbon.filter(
                (pl.col("geo_type") == "country")
                & (pl.col("geo_id") == sc["country"])
                & (pl.col("basis") == basis)
            )
            where = sc["country"]
        ci = _one(
            geo.sort("year", descending=True), f"{basis} carbon intensity for {where!r}", name
        )
        row: dict[str, Any] = {
            "scenario": name,
            "kind": sc["kind"],
            "hardware_id": hw["hardware_id"],
            "hardware_name": hw["name"],
            "tdp_w": hw["tdp_w"],
            "memory_gb": hw["memory_gb"],
            "memory_bandwidth_gbps": hw["memory_bandwidth_gbps"],
            "peak_tflops": hw["peak_bf16_tflops"] or hw["peak_fp16_tflops"],
            "peak_fp8_tflops": hw["peak_fp8_tflops"],
            "embodied_kgco2e": hw["embodied_kgco2e"],
            "location": where,
            "intensity_g_per_kwh": ci["gco2e_per_kwh"],
            "intensity_basis": ci["basis"],
            "intensity_year": ci["year"],
            "intensity_provenance": ci["provenance"],
            "intensity_method": ci["method"],
            "intensity_source": ci["source"],
            "pue": float(sc.get("pue", 1.0)),
        }
        if sc["kind"] == "cloud":
            price_region = sc.get("price_region", sc["region"])
            p = _one(
                prices.filter(
                    (pl.col("provider") == sc["provider"])
                    & (pl.col("sku") == sc["sku"])
                    & (pl.col("region") == price_region)
                    & (pl.col("price_type") == sc.get("price_type", "on_demand"))
                ),
                f"{sc.get('price_type', 'on_demand')} price for {sc['provider']}:"
                f"{price_region}:{sc['sku']}",
                name,
            )
            if p["gpu_model"] != hw["hardware_id"]:
                raise ScenarioJoinError(
                    f"scenario {name!r}: SKU {sc['sku']} has {p['gpu_model']}, "
                    f"not {hw['hardware_id']}"
                )
            note = None
            if price_region != sc["region"]:
                note = (
                    f"priced at {price_region}: the snapshot has no {sc['sku']} price for "
                    f"{sc['region']} (set by the scenario's price_region)"
                )
            row.update(
                price_note=note,
                price_per_gpu_hour_usd=p["price_per_gpu_hour"],
                price_region=price_region,
                price_type=p["price_type"],
                price_date=p["effective_date"],
                price_source=p["source"],
                tariff_usd_per_kwh=None,
                tariff_period=None,
                purchase_price_usd=None,
                lifetime_years=None,
            )
        else:
            t = sc["tariff"]
            try:
                tr = lookup(
                    tariffs,
                    geo=t["geo"],
                    consumer=t["consumer"],
                    tax_level=t.get("tax_level", "I_TAX"),
                    band=t.get("band"),
                )
            except LmFootprintError as err:
                raise ScenarioJoinError(f"scenario {name!r}: {err}") from None
            row.update(
                price_note=None,
                price_per_gpu_hour_usd=None,
                price_region=None,
                price_type=None,
                price_date=None,
                price_source=None,
                tariff_usd_per_kwh=tr["usd_per_kwh"],
                tariff_period=tr["period"],
                purchase_price_usd=hw["purchase_price_usd"],
                lifetime_years=float(sc.get("lifetime_years", 4)),
            )
        rows.append(row)
    return validate_frame(ScenarioSchema, frame_from_rows(ScenarioSchema, rows), "scenarios")


def devices_by_memory(scenarios: pl.DataFrame) -> pl.DataFrame:
    """One row per device memory size, naming its hardware and scenarios: the memory
    headlines and the memory figure draw the same devices."""
    return (
        scenarios.unique("hardware_name", maintain_order=True)
        .group_by("memory_gb", maintain_order=True)
        .agg(
            hardware_name=pl.col("hardware_name").str.join(" / "),
            scenario=pl.col("scenario").str.join(", "),
        )
    )
