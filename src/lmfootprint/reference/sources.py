"""The four reference-data stages: live fetch (raw + manifest, then parse) or shipped snapshot.

Each returns a validated table with provenance columns on every row.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import polars as pl

from lmfootprint.reference import carbon_intensity as carbon
from lmfootprint.reference import gpu_prices as prices
from lmfootprint.reference import tariffs
from lmfootprint.reference.hardware_table import load_hardware
from lmfootprint.reference.http import get, save_raw

log = logging.getLogger(__name__)

GOOGLE_URL = (
    "https://raw.githubusercontent.com/GoogleCloudPlatform/region-carbon-info/main/"
    "data/yearly/{year}.csv"
)
OWID_URL = (
    "https://ourworldindata.org/grapher/carbon-intensity-electricity.csv"
    "?v=1&csvType=full&useColumnShortNames=false"
)


def snapshot_date(resources: str | Path = "resources") -> str:
    return json.loads((Path(resources) / "reference_snapshot.json").read_text())["date"]


def gpu_prices(
    *,
    online: bool,
    skus_path: str,
    snapshot_path: str,
    raw_dir: str,
    settings: dict[str, Any],
    hardware_path: str,
    resources: str = "resources",
) -> pl.DataFrame:
    skus = prices.load_skus(skus_path)
    known = set(load_hardware(hardware_path)["hardware_id"].to_list())
    if not online:
        table = prices.load_snapshot(snapshot_path)
        return prices.per_gpu_hour(
            table,
            skus,
            provenance="published",
            retrieved_at=snapshot_date(resources),
            known_gpus=known,
        )
    azure_skus = skus.filter(pl.col("provider") == "azure")["sku"].to_list()
    pages = prices.fetch_azure(
        azure_skus, settings["azure_regions"], raw_dir, base_url=settings["endpoints"]["azure"]
    )
    aws = prices.fetch_aws(
        settings["aws_regions"], raw_dir, url_template=settings["endpoints"]["aws"]
    )
    table = pl.concat(
        [prices.parse_azure_pages(pages)] + [prices.parse_aws_csv(p) for p in aws],
        how="vertical_relaxed",
    )
    stamp = _stamp(pages + aws)
    return prices.per_gpu_hour(
        table, skus, provenance="published", retrieved_at=stamp, known_gpus=known
    )


def carbon_intensity(
    *,
    online: bool,
    regions_path: str,
    countries_paths: list[str],
    google_path: str,
    google_year: int,
    raw_dir: str,
    settings: dict[str, Any],
    resources: str = "resources",
) -> pl.DataFrame:
    regions = pl.read_csv(regions_path, infer_schema=False)
    if online:
        owid = get(settings["endpoints"]["owid"])
        owid_path = Path(raw_dir) / "owid_carbon_intensity.csv"
        m_owid = save_raw(owid, owid_path)
        google = get(settings["endpoints"]["google"].format(year=google_year))
        google_raw = Path(raw_dir) / f"google_{google_year}.csv"
        m_google = save_raw(google, google_raw)
        parts = [
            carbon.parse_countries(
                owid_path,
                source=m_owid["url"],
                source_version=str(m_owid["source_version"]),
                retrieved_at=m_owid["retrieved_at"],
            )
        ]
        google_rows = carbon.parse_google_regions(
            google_raw,
            google_year,
            regions,
            source=m_google["url"],
            source_version=str(m_google["source_version"]),
            retrieved_at=m_google["retrieved_at"],
        )
    else:
        date = snapshot_date(resources)
        parts = [
            carbon.parse_countries(
                p, source=p, source_version=f"snapshot {date}", retrieved_at=date
            )
            for p in countries_paths
        ]
        google_rows = carbon.parse_google_regions(
            google_path,
            google_year,
            regions,
            source=GOOGLE_URL.format(year=google_year),
            source_version=f"snapshot {date}",
            retrieved_at=date,
        )
    countries = pl.concat(parts, how="vertical_relaxed").sort("year")
    estimated = carbon.regions_from_countries(regions, countries)
    return carbon.combine([google_rows, *parts, estimated])


def electricity_tariffs(
    *,
    online: bool,
    table_path: str,
    fx_path: str,
    raw_dir: str,
    settings: dict[str, Any],
    resources: str = "resources",
) -> pl.DataFrame:
    table = tariffs.load_table(table_path)
    fx = pl.read_csv(fx_path, infer_schema=False)
    if not online:
        return tariffs.to_usd(
            table, fx, provenance="published", retrieved_at=snapshot_date(resources)
        )
    fetched, stamps = [], []
    for consumer in ("household", "non_household"):
        raw = Path(raw_dir) / f"eurostat_{consumer}.json"
        m = tariffs.fetch_eurostat(
            consumer,
            settings["tariff_geos"],
            settings["tariff_since"],
            raw,
            base=settings["endpoints"]["eurostat"],
        )
        stamps.append(m["retrieved_at"])
        fetched.append(tariffs.parse_eurostat(raw, consumer))
    us = table.filter(pl.col("geo") == "US")  # the US table stays the shipped dated one
    live = pl.concat([*fetched, us], how="vertical_relaxed")
    return tariffs.to_usd(live, fx, provenance="published", retrieved_at=max(stamps))


def _stamp(paths: list[Path]) -> str:
    stamps = []
    for p in paths:
        m = Path(str(p) + ".manifest.json")
        if m.is_file():
            stamps.append(json.loads(m.read_text())["retrieved_at"])
    return max(stamps) if stamps else "unknown"


def write_snapshot(
    *,
    prices_table: pl.DataFrame,
    carbon_table: pl.DataFrame,
    tariffs_table: pl.DataFrame,
    resources: str | Path,
    date: str,
) -> list[Path]:
    """Write refreshed tables back as the shipped snapshot, in the files and formats the
    offline path reads, so that the next offline run uses them. Returns the files written."""
    from lmfootprint.core.io import write_json, write_text

    res = Path(resources)
    written = []

    def csv(df: pl.DataFrame, path: Path) -> None:
        write_text(df.write_csv(), path)
        written.append(path)

    instance = prices_table.filter(pl.col("price_type") != prices.MARKETPLACE)
    market = prices_table.filter(pl.col("price_type") == prices.MARKETPLACE)
    old_market = prices.load_snapshot(res / "gpu_prices.csv").filter(
        pl.col("price_type") == prices.MARKETPLACE
    )
    keep_market = market.select(prices.PRICE_COLUMNS) if market.height else old_market
    csv(
        pl.concat(
            [instance.select(prices.PRICE_COLUMNS), keep_market], how="vertical_relaxed"
        ).with_columns(pl.col("instance_price_per_hour").round(6)),
        res / "gpu_prices.csv",
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
        res / "carbon" / "owid_grapher_2024.csv",
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
            res / "carbon" / "google_region_2024.csv",
        )
    csv(tariffs_table.select(tariffs.TARIFF_COLUMNS), res / "tariffs" / "tariffs.csv")
    stamp = res / "reference_snapshot.json"
    write_json(
        {
            "date": date,
            "note": "written by `snakemake refresh_reference` from live sources;"
            " each row keeps its own source version",
        },
        stamp,
    )
    written.append(stamp)
    return written
