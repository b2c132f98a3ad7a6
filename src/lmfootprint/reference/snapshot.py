"""A refreshed snapshot: the built reference tables written back in the shipped files' formats.

The files are written where the caller says (the refresh rule's declared outputs), never into
resources/ directly: copying them over the shipped snapshot is a separate, visible step
(``make refresh-reference``). A snapshot that covers less than the shipped one is refused
(lmfootprint.reference.coverage) unless the config accepts the loss.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from lmfootprint.core.io import write_json, write_text
from lmfootprint.reference import coverage, tariffs
from lmfootprint.reference import gpu_prices as prices


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
    current: SnapshotFiles,
    out: SnapshotFiles,
    date: str,
    allow_loss: Iterable[str] = (),
) -> list[Path]:
    """Write the tables in the files and formats the offline retrieval reads, so that once
    copied into resources/ the next offline run uses them.

    Prices no live source gives (marketplace, GCP, AWS spot and capacity blocks) are carried
    over from ``current``, the shipped snapshot, with their notes; so is Google's region file
    when the table has no Google rows. Every file is built first and compared with the shipped
    one it replaces (lmfootprint.reference.coverage): a loss of coverage by a source not in
    ``allow_loss`` fails before anything is written. Returns the files written."""
    new_prices = _prices(prices_table, current.prices)
    old_countries = pl.read_csv(current.countries, infer_schema=False)
    countries = _countries(carbon_table)
    google = _google(carbon_table)
    old_google = pl.read_csv(current.google, infer_schema=False)
    tariff_rows = tariffs_table.select(tariffs.TARIFF_COLUMNS)
    coverage.check(
        [
            coverage.lost_keys(
                "prices",
                str(current.prices),
                pl.read_csv(current.prices, infer_schema=False),
                new_prices,
                ["provider", "region", "sku", "price_type"],
            ),
            coverage.lost_keys(
                "carbon", str(current.countries), old_countries, countries, ["Code"]
            ),
            None
            if google is None
            else coverage.lost_keys(
                "carbon", str(current.google), old_google, google, ["Google Cloud Region"]
            ),
            coverage.lost_keys(
                "tariffs",
                str(current.tariffs),
                pl.read_csv(current.tariffs, infer_schema=False),
                tariff_rows,
                ["geo", "consumer", "band", "tax_level"],
            ),
        ],
        allow_loss,
    )
    _csv(new_prices, out.prices)
    _csv(countries, out.countries)
    if google is None:
        write_text(Path(current.google).read_text(encoding="utf-8"), out.google)
    else:
        _csv(google, out.google)
    _csv(tariff_rows, out.tariffs)
    write_json(
        {
            "date": date,
            "note": "written by `snakemake refresh_reference` from live sources;"
            " each row keeps its own source version",
        },
        out.stamp,
    )
    return out.paths()


def _csv(df: pl.DataFrame, path: str | Path) -> None:
    write_text(df.write_csv(), path)


def _prices(table: pl.DataFrame, current: str | Path) -> pl.DataFrame:
    """The table's rows, then the shipped rows no live source prices and the table lacks."""
    keys = ["provider", "region", "sku", "price_type"]
    old = pl.read_csv(current, infer_schema=False)
    live = pl.DataFrame(sorted(prices.LIVE_PRICED), schema=["provider", "price_type"], orient="row")
    carried = old.join(live, on=["provider", "price_type"], how="anti").join(
        table.select(keys), on=keys, how="anti"
    )
    new = table.select(prices.PRICE_COLUMNS)
    if "notes" in old.columns:
        new = new.with_columns(notes=pl.lit(None, dtype=pl.String))
    return pl.concat([new, carried.select(new.columns)], how="vertical_relaxed").with_columns(
        pl.col("instance_price_per_hour").cast(pl.Float64).round(6)
    )


def _countries(carbon_table: pl.DataFrame) -> pl.DataFrame:
    countries = carbon_table.filter(
        (pl.col("geo_type") == "country") & (pl.col("provenance") == "published")
    )
    latest = countries.sort("year").group_by("country_iso3").last().sort("country_iso3")
    return latest.select(
        Entity=pl.col("geo_id"),
        Code=pl.col("country_iso3"),
        Year=pl.col("year"),
        **{"Carbon intensity of electricity per kWh": pl.col("gco2e_per_kwh")},
    )


def _google(carbon_table: pl.DataFrame) -> pl.DataFrame | None:
    """Google's direct region rows in the shipped file's layout; None when there are none."""
    google = carbon_table.filter((pl.col("provider") == "gcp") & (pl.col("basis") == "direct"))
    if google.height == 0:
        return None
    return google.select(
        **{
            "Google Cloud Region": pl.col("geo_id"),
            "Location": pl.col("geo_id"),
            "Google CFE": pl.lit(None, dtype=pl.String),
            "Grid carbon intensity (gCO2eq / kWh)": pl.col("gco2e_per_kwh"),
        }
    )
