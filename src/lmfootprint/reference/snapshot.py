"""A refreshed snapshot: the built reference tables written back in the shipped files' formats.

The files are written where the caller says (the refresh rule's declared outputs), never into
resources/ directly: copying them over the shipped snapshot is a separate, visible step
(``make refresh-reference``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lmfootprint.core.io import write_json, write_text
from lmfootprint.reference import gpu_prices as prices
from lmfootprint.reference import tariffs


@dataclass(frozen=True)
class SnapshotFiles:
    """Where each file of the snapshot goes (mirroring resources/)."""

    prices: str | Path  # gpu_prices.csv
    countries: str | Path  # carbon/owid_grapher_2024.csv
    google: str | Path  # carbon/google_region_2024.csv
    tariffs: str | Path  # tariffs/tariffs.csv
    stamp: str | Path  # reference_snapshot.json

    def paths(self) -> list[Path]:
        return [
            Path(p) for p in (self.prices, self.countries, self.google, self.tariffs, self.stamp)
        ]


def write_snapshot(
    *,
    prices_table: pl.DataFrame,
    carbon_table: pl.DataFrame,
    tariffs_table: pl.DataFrame,
    current_prices: str | Path,
    current_google: str | Path,
    out: SnapshotFiles,
    date: str,
) -> list[Path]:
    """Write the tables in the files and formats the offline retrieval reads, so that once
    copied into resources/ the next offline run uses them. Marketplace prices (no live
    source) and Google's region file (when the table has no Google rows) are carried over from
    the current snapshot. Returns the files written."""

    def csv(df: pl.DataFrame, path: str | Path) -> None:
        write_text(df.write_csv(), path)

    instance = prices_table.filter(pl.col("price_type") != prices.MARKETPLACE)
    market = prices_table.filter(pl.col("price_type") == prices.MARKETPLACE)
    old_market = prices.load_snapshot(current_prices).filter(
        pl.col("price_type") == prices.MARKETPLACE
    )
    keep_market = market.select(prices.PRICE_COLUMNS) if market.height else old_market
    csv(
        pl.concat(
            [instance.select(prices.PRICE_COLUMNS), keep_market], how="vertical_relaxed"
        ).with_columns(pl.col("instance_price_per_hour").round(6)),
        out.prices,
    )
    countries = carbon_table.filter(
        (pl.col("geo_type") == "country") & (pl.col("provenance") == "published")
    )
    latest = countries.sort("year").group_by("country_iso3").last().sort("country_iso3")
    csv(
        latest.select(
            Entity=pl.col("geo_id"),
            Code=pl.col("country_iso3"),
            Year=pl.col("year"),
            **{"Carbon intensity of electricity per kWh": pl.col("gco2e_per_kwh")},
        ),
        out.countries,
    )
    google = carbon_table.filter((pl.col("provider") == "gcp") & (pl.col("basis") == "direct"))
    if google.height:
        csv(
            google.select(
                **{
                    "Google Cloud Region": pl.col("geo_id"),
                    "Location": pl.col("geo_id"),
                    "Google CFE": pl.lit(None, dtype=pl.String),
                    "Grid carbon intensity (gCO2eq / kWh)": pl.col("gco2e_per_kwh"),
                }
            ),
            out.google,
        )
    else:
        write_text(Path(current_google).read_text(encoding="utf-8"), out.google)
    csv(tariffs_table.select(tariffs.TARIFF_COLUMNS), out.tariffs)
    write_json(
        {
            "date": date,
            "note": "written by `snakemake refresh_reference` from live sources;"
            " each row keeps its own source version",
        },
        out.stamp,
    )
    return out.paths()
