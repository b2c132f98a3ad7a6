"""Build the reference tables from retrieved raw files: parse, join, validate.

Each source has two builds, one per kind of retrieval (lmfootprint.reference.retrieve): from
the files fetched live, or from the copy of the shipped snapshot. The rule picks one by the
source's online switch; nothing here touches the network or decides online/offline. Every
row carries its provenance (``provenance``, ``source``, ``source_version``, ``retrieved_at``),
read from the retrieval manifest.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.reference import carbon_intensity as carbon
from lmfootprint.reference import gpu_prices as prices
from lmfootprint.reference import tariffs
from lmfootprint.reference.hardware_table import load_hardware
from lmfootprint.reference.http import LIVE, SHIPPED, Manifest

GOOGLE_URL = (
    "https://raw.githubusercontent.com/GoogleCloudPlatform/region-carbon-info/main/"
    "data/yearly/{year}.csv"
)


@contextlib.contextmanager
def _shipped_names(m: Manifest) -> Iterator[None]:
    """An error in a copied snapshot file also names the shipped file to fix."""
    try:
        yield
    except LmFootprintError as exc:
        names = ", ".join(f"{f['path']} is {f['shipped_as']}" for f in m.files.values())
        raise type(exc)(f"{exc}\n(the retrieved copy of the shipped snapshot: {names})") from None


def _known_gpus(hardware_path: str | Path) -> set[str]:
    return set(load_hardware(hardware_path)["hardware_id"].to_list())


# ---------------------------------------------------------------- GPU prices
def _fx(fx_path: str | Path | None) -> dict:
    """The FX table for per_gpu_hour (prices not in USD are converted at its dated rates)."""
    if fx_path is None:
        return {}
    return {"fx": pl.read_csv(fx_path, infer_schema=False), "fx_source": str(fx_path)}


def gpu_prices_from_snapshot(
    snapshot: str | Path,
    manifest: str | Path,
    *,
    skus_path: str | Path,
    hardware_path,
    fx_path: str | Path | None = None,
) -> pl.DataFrame:
    """The shipped price snapshot (a copy of resources/gpu_prices.csv), per GPU-hour in USD."""
    m = Manifest(manifest).expect(SHIPPED)
    m.entry(snapshot)
    skus, known = prices.load_skus(skus_path), _known_gpus(hardware_path)
    with _shipped_names(m):
        return prices.per_gpu_hour(
            prices.load_snapshot(snapshot),
            skus,
            provenance="published",
            retrieved_at=m.retrieved_at,
            known_gpus=known,
            **_fx(fx_path),
        )


def gpu_prices_from_live(
    azure: str | Path,
    aws: list[str | Path],
    manifest: str | Path,
    *,
    skus_path: str | Path,
    hardware_path: str | Path,
    fx_path: str | Path | None = None,
) -> pl.DataFrame:
    """Azure Retail Prices pages and AWS offer files as fetched, per GPU-hour in USD."""
    m = Manifest(manifest).expect(LIVE)
    for path in [azure, *aws]:
        m.entry(path)
    table = pl.concat(
        [prices.parse_azure(azure)] + [prices.parse_aws_csv(p) for p in aws],
        how="vertical_relaxed",
    )
    return prices.per_gpu_hour(
        table,
        prices.load_skus(skus_path),
        provenance="published",
        retrieved_at=m.retrieved_at,
        known_gpus=_known_gpus(hardware_path),
        **_fx(fx_path),
    )


# ---------------------------------------------------------------- carbon intensity
def carbon_from_snapshot(
    countries: list[str | Path],
    google: str | Path,
    manifest: str | Path,
    *,
    regions_path: str | Path,
    google_year: int,
) -> pl.DataFrame:
    """The shipped country CSVs and Google region file; each row is sourced to the shipped
    file it came from (``resources/...``), versioned by the snapshot date."""
    m = Manifest(manifest).expect(SHIPPED)
    regions = pl.read_csv(regions_path, infer_schema=False)
    with _shipped_names(m):
        return _carbon_from_snapshot(countries, google, m, regions, google_year)


def _carbon_from_snapshot(countries, google, m: Manifest, regions, google_year) -> pl.DataFrame:
    parts = []
    for path in countries:
        entry = m.entry(path)
        parts.append(
            carbon.parse_countries(
                path,
                source=entry["shipped_as"],
                source_version=entry["source_version"],
                retrieved_at=entry["retrieved_at"],
            )
        )
    entry = m.entry(google)
    google_rows = carbon.parse_google_regions(
        google,
        google_year,
        regions,
        source=GOOGLE_URL.format(year=google_year),
        source_version=entry["source_version"],
        retrieved_at=entry["retrieved_at"],
    )
    return _carbon_table(regions, parts, google_rows)


def carbon_from_live(
    owid: str | Path,
    google: str | Path,
    manifest: str | Path,
    *,
    regions_path: str | Path,
    google_year: int,
) -> pl.DataFrame:
    """OWID's intensity CSV and Google's region file as fetched."""
    m = Manifest(manifest).expect(LIVE)
    regions = pl.read_csv(regions_path, infer_schema=False)
    o, g = m.entry(owid), m.entry(google)
    parts = [
        carbon.parse_countries(
            owid,
            source=o["url"],
            source_version=str(o["source_version"]),
            retrieved_at=o["retrieved_at"],
        )
    ]
    google_rows = carbon.parse_google_regions(
        google,
        google_year,
        regions,
        source=g["url"],
        source_version=str(g["source_version"]),
        retrieved_at=g["retrieved_at"],
    )
    return _carbon_table(regions, parts, google_rows)


def _carbon_table(
    regions: pl.DataFrame, parts: list[pl.DataFrame], google_rows: pl.DataFrame
) -> pl.DataFrame:
    countries = pl.concat(parts, how="vertical_relaxed").sort("year")
    estimated = carbon.regions_from_countries(regions, countries)
    return carbon.combine([google_rows, *parts, estimated])


# ---------------------------------------------------------------- tariffs
def tariffs_from_snapshot(
    table: str | Path, manifest: str | Path, *, fx_path: str | Path
) -> pl.DataFrame:
    """The shipped tariff table, converted to USD at the rate dated to each period."""
    m = Manifest(manifest).expect(SHIPPED)
    m.entry(table)
    fx = pl.read_csv(fx_path, infer_schema=False)
    with _shipped_names(m):
        return tariffs.to_usd(
            tariffs.load_table(table), fx, provenance="published", retrieved_at=m.retrieved_at
        )


def tariffs_from_live(
    eurostat: dict[str, str | Path],
    manifest: str | Path,
    *,
    us_table: str | Path,
    us_manifest: str | Path,
    fx_path: str | Path,
) -> pl.DataFrame:
    """Eurostat's household and non-household datasets as fetched (``eurostat`` maps the
    consumer to its file), with the US rows of the shipped table (no live US source)."""
    m = Manifest(manifest).expect(LIVE)
    Manifest(us_manifest).expect(SHIPPED).entry(us_table)
    fetched = []
    for consumer, path in eurostat.items():
        m.entry(path)
        fetched.append(tariffs.parse_eurostat(path, consumer))
    us = tariffs.load_table(us_table).filter(pl.col("geo") == "US")
    live = pl.concat([*fetched, us], how="vertical_relaxed")
    fx = pl.read_csv(fx_path, infer_schema=False)
    return tariffs.to_usd(live, fx, provenance="published", retrieved_at=m.retrieved_at)
