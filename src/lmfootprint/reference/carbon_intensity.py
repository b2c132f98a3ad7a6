"""Grid carbon intensity by country (OWID/Ember, lifecycle) and cloud region (Google, direct).

Header spellings the sources have used are accepted; anything else fails with the file name
and the missing column. AWS/Azure regions get their country's value through a shipped
region -> country table, labelled ``estimated``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.redact import redact
from lmfootprint.core.validation import validate_frame
from lmfootprint.reference.schemas import CarbonIntensitySchema

# accepted header spellings -> our name
OWID_HEADERS = {
    "country_iso3": ["Code", "code", "iso_code", "country_iso3"],
    "year": ["Year", "year"],
    "gco2e_per_kwh": [
        "Carbon intensity of electricity per kWh",
        "co2_intensity__gco2_kwh",
        "carbon_intensity_elec",
        "carbon_intensity_gco2e_per_kwh",
        "Carbon intensity of electricity - gCO2/kWh",
    ],
}
GOOGLE_HEADERS = {
    "region": ["Google Cloud Region"],
    "direct": ["Grid carbon intensity (gCO2eq / kWh)"],
    "lifecycle": ["Lifecycle grid carbon intensity (gCO2eq / kWh)"],
}


def _read(path: str | Path, source: str) -> pl.DataFrame:
    """The CSV as text columns; an empty or unreadable body names the file and its source."""
    try:
        df = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except pl.exceptions.NoDataError:
        raise LmFootprintError(
            f"{path} (from {redact(source)}): empty file, no header and no rows"
        ) from None
    except pl.exceptions.ComputeError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LmFootprintError(f"{path} (from {redact(source)}): not a CSV ({first})") from None
    return df.rename({c: c.lstrip("\ufeff").strip() for c in df.columns})


def _pick(df: pl.DataFrame, path, wanted: dict[str, list[str]], optional=()) -> dict[str, str]:
    found, missing = {}, []
    for name, spellings in wanted.items():
        hit = next((s for s in spellings if s in df.columns), None)
        if hit:
            found[name] = hit
        elif name not in optional:
            missing.append(f"{name} (one of {spellings})")
    if missing:
        raise LmFootprintError(
            f"{path}: missing column(s): {'; '.join(missing)}; found {df.columns}"
        )
    return found


def parse_countries(
    path: str | Path, *, source: str, source_version: str, retrieved_at: str
) -> pl.DataFrame:
    """OWID energy / grapher CSVs (or CodeCarbon's copy): aggregates without ISO3 dropped; a
    file with no country value left is an error (a refresh must not lose the countries)."""
    df = _read(path, source)
    cols = _pick(df, path, OWID_HEADERS)
    out = df.select(
        geo_type=pl.lit("country"),
        geo_id=pl.col(cols["country_iso3"]),
        provider=pl.lit(None, dtype=pl.String),
        country_iso3=pl.col(cols["country_iso3"]),
        year=pl.col(cols["year"]).cast(pl.Int64, strict=False),
        gco2e_per_kwh=pl.col(cols["gco2e_per_kwh"]).cast(pl.Float64, strict=False),
        basis=pl.lit("lifecycle"),
        provenance=pl.lit("published"),
        method=pl.lit("generation-based lifecycle intensity (Ember/OWID)"),
        source=pl.lit(source),
        source_version=pl.lit(source_version),
        retrieved_at=pl.lit(retrieved_at),
    ).filter(
        pl.col("country_iso3").str.contains(r"^[A-Z]{3}$") & pl.col("gco2e_per_kwh").is_not_null()
    )
    if out.height == 0:
        raise LmFootprintError(
            f"{path} (from {redact(source)}): no country row with an ISO3 code and a numeric "
            f"'{cols['gco2e_per_kwh']}' ({df.height} row(s) read)"
        )
    return out


def parse_google_regions(
    path: str | Path,
    year: int,
    regions: pl.DataFrame,
    *,
    source: str,
    source_version: str,
    retrieved_at: str,
) -> pl.DataFrame:
    """Google's region-carbon-info CSV; its header says the basis (direct from 2021 on)."""
    df = _read(path, source)
    cols = _pick(df, path, GOOGLE_HEADERS, optional=("direct", "lifecycle"))
    if "direct" in cols:
        basis, value = "direct", cols["direct"]
    elif "lifecycle" in cols:
        basis, value = "lifecycle", cols["lifecycle"]
    else:
        raise LmFootprintError(f"{path}: no grid carbon intensity column; found {df.columns}")
    out = df.select(
        region=pl.col(cols["region"]), gco2e_per_kwh=pl.col(value).cast(pl.Float64, strict=False)
    )
    out = out.join(
        regions.filter(pl.col("provider") == "gcp").select("region", "country_iso3"),
        on="region",
        how="left",
    )
    unknown = out.filter(pl.col("country_iso3").is_null())["region"].to_list()
    if unknown:
        raise LmFootprintError(
            f"{path}: region(s) {unknown} not in resources/carbon/cloud_regions.csv"
        )
    return out.select(
        geo_type=pl.lit("cloud_region"),
        geo_id=pl.col("region"),
        provider=pl.lit("gcp"),
        country_iso3=pl.col("country_iso3"),
        year=pl.lit(year),
        gco2e_per_kwh=pl.col("gco2e_per_kwh"),
        basis=pl.lit(basis),
        provenance=pl.lit("published"),
        method=pl.lit("Google: average operational gross emissions of the grid"),
        source=pl.lit(source),
        source_version=pl.lit(source_version),
        retrieved_at=pl.lit(retrieved_at),
    )


def regions_from_countries(regions: pl.DataFrame, countries: pl.DataFrame) -> pl.DataFrame:
    """Every cloud region gets its country's latest lifecycle value, labelled estimated."""
    latest = countries.sort("year").group_by("country_iso3").last()
    out = regions.join(latest, on="country_iso3", how="left", suffix="_c")
    missing = out.filter(pl.col("gco2e_per_kwh").is_null())
    if missing.height:
        raise LmFootprintError(
            "no country intensity for cloud region(s) "
            f"{list(zip(missing['provider'], missing['region'], strict=True))}"
        )
    return out.select(
        geo_type=pl.lit("cloud_region"),
        geo_id=pl.col("region"),
        provider=pl.col("provider"),
        country_iso3=pl.col("country_iso3"),
        year=pl.col("year"),
        gco2e_per_kwh=pl.col("gco2e_per_kwh"),
        basis=pl.lit("lifecycle"),
        provenance=pl.lit("estimated"),
        method=pl.format("region -> country mapping ({}) x country average", pl.col("location")),
        source=pl.col("source_c"),
        source_version=pl.col("source_version"),
        retrieved_at=pl.col("retrieved_at"),
    )


def combine(parts: list[pl.DataFrame]) -> pl.DataFrame:
    df = pl.concat(parts, how="vertical_relaxed").unique(
        subset=["geo_type", "geo_id", "provider", "year", "basis"],
        keep="first",
        maintain_order=True,
    )
    return validate_frame(
        CarbonIntensitySchema, df.sort("geo_type", "geo_id", "year"), "carbon_intensity"
    )
