"""Electricity tariffs: Eurostat nrg_pc_204/205 (JSON-stat 2.0), a dated US table, FX by date."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.units import fx_rate
from lmfootprint.core.validation import read_csv_columns, validate_frame
from lmfootprint.reference.http import fetch
from lmfootprint.reference.schemas import TariffSchema

EUROSTAT = "https://ec.europa.eu/eurostat/api/dissemination/statistics/1.0/data/{dataset}"
DATASETS = {
    "household": ("nrg_pc_204", "KWH2500-4999"),
    "non_household": ("nrg_pc_205", "MWH2000-19999"),
}
TARIFF_COLUMNS = [
    "geo",
    "consumer",
    "band",
    "tax_level",
    "period",
    "currency",
    "price_per_kwh",
    "source",
    "source_version",
]


def decode_jsonstat(doc: dict[str, Any]) -> pl.DataFrame:
    """A JSON-stat 2.0 dataset -> one row per observation present (values are sparse).

    ``value`` is keyed by the row-major flat index over ``id``/``size`` (last dimension fastest);
    each dimension's ``category.index`` maps codes to positions and need not be in order.
    """
    if doc.get("class") != "dataset" or "id" not in doc or "size" not in doc:
        raise LmFootprintError("not a JSON-stat 2.0 dataset (class/id/size missing)")
    ids, sizes = doc["id"], doc["size"]
    codes = []
    for dim, size in zip(ids, sizes, strict=True):
        index = doc["dimension"][dim]["category"]["index"]
        if isinstance(index, list):
            index = {code: i for i, code in enumerate(index)}
        by_pos = [None] * size
        for code, pos in index.items():
            by_pos[pos] = code
        codes.append(by_pos)
    values = doc.get("value", {})
    if isinstance(values, list):
        values = {str(i): v for i, v in enumerate(values) if v is not None}
    rows = []
    strides = [1] * len(sizes)
    for i in range(len(sizes) - 2, -1, -1):
        strides[i] = strides[i + 1] * sizes[i + 1]
    for key, value in values.items():
        flat, row = int(key), {}
        for dim, stride, dim_codes in zip(ids, strides, codes, strict=True):
            row[dim] = dim_codes[(flat // stride) % len(dim_codes)]
        row["value"] = _number(value, key, row)
        rows.append(row)
    return pl.DataFrame(rows, schema={**{d: pl.String for d in ids}, "value": pl.Float64})


def _number(value: Any, key: str, where: dict[str, str]) -> float:
    """An observation's value; anything but a number is an error naming the observation."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    at = ", ".join(f"{d}={c}" for d, c in where.items())
    raise LmFootprintError(f"value[{key}] ({at}) is {value!r}, not a number")


def fetch_eurostat(
    consumer: str,
    geos: list[str],
    since: str,
    out: str | Path,
    *,
    base: str = EUROSTAT,
    timeout_s: float = 60.0,
    timeout_name: str | None = None,
    sess=None,
) -> dict[str, Any]:
    """One dataset (household or non-household) as served, into ``out``; its manifest entry,
    versioned by the dataset's own ``updated`` stamp."""
    dataset, band = DATASETS[consumer]
    params = [
        ("format", "JSON"),
        ("currency", "EUR"),
        ("nrg_cons", band),
        ("sinceTimePeriod", since),
    ] + [("geo", g) for g in geos]
    return fetch(
        base.format(dataset=dataset),
        out,
        params=params,
        timeout_s=timeout_s,
        timeout_name=timeout_name,
        sess=sess,
        version=_updated,
    )


def _updated(response) -> str | None:
    try:
        doc = response.json()
    except ValueError:
        return None  # the parser names the file
    return doc.get("updated") if isinstance(doc, dict) else None


def parse_eurostat(path: str | Path, consumer: str) -> pl.DataFrame:
    """One retrieved Eurostat answer -> tariff rows; every malformed answer (not an object, an
    error body, a missing dimension, a value that is not a number) is an error naming the
    file, the dataset and what is wrong."""
    dataset = DATASETS[consumer][0]
    where = f"{path} (Eurostat {dataset})"
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LmFootprintError(f"{where}: not JSON-stat ({exc})") from None
    if not isinstance(doc, dict):
        raise LmFootprintError(
            f"{where}: not a JSON-stat dataset: the answer is a JSON {type(doc).__name__} "
            f"({json.dumps(doc)[:80]}), not an object"
        )
    if "error" in doc:
        raise LmFootprintError(f"{where}: Eurostat error {doc['error']}")
    try:
        df = decode_jsonstat(doc)
    except (KeyError, TypeError, ValueError, IndexError, LmFootprintError) as exc:
        what = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise LmFootprintError(f"{where}: {what}") from None
    missing = [d for d in ("geo", "nrg_cons", "tax", "time", "currency") if d not in df.columns]
    if missing:
        raise LmFootprintError(f"{where}: dimension(s) {missing} missing; found {df.columns}")
    if df.height == 0:
        raise LmFootprintError(f"{where}: no observations (empty 'value')")
    return df.select(
        geo=pl.col("geo"),
        consumer=pl.lit(consumer),
        band=pl.col("nrg_cons"),
        tax_level=pl.col("tax"),
        period=pl.col("time"),
        currency=pl.col("currency"),
        price_per_kwh=pl.col("value"),
        source=pl.lit(EUROSTAT.format(dataset=dataset)),
        source_version=pl.lit(f"{dataset} updated {doc.get('updated')}"),
    )


def load_table(path: str | Path) -> pl.DataFrame:
    return read_csv_columns(path, TARIFF_COLUMNS).with_columns(
        pl.col("price_per_kwh").cast(pl.Float64)
    )


def to_usd(
    tariffs: pl.DataFrame, fx: pl.DataFrame, *, provenance: str, retrieved_at: str
) -> pl.DataFrame:
    """Convert each tariff at the rate dated to its period (units.fx_rate); the rate's period
    is kept in ``fx_period``."""
    fx_rows = fx.to_dicts()
    rates = {}
    for currency, period in tariffs.select("currency", "period").unique().iter_rows():
        try:
            rates[(currency, period)] = fx_rate(currency, period, fx_rows)
        except ValueError as err:
            raise LmFootprintError(str(err)) from None
    out = join_rates(tariffs, rates, "period")
    out = out.with_columns(
        usd_per_kwh=pl.col("price_per_kwh") * pl.col("usd_per_unit"),
        provenance=pl.lit(provenance),
        retrieved_at=pl.lit(retrieved_at),
    )
    cols = list(TariffSchema.to_schema().columns)
    return validate_frame(
        TariffSchema, out.select(cols).sort("geo", "consumer", "period"), "tariffs"
    )


def lookup(
    tariffs: pl.DataFrame,
    *,
    geo: str,
    consumer: str,
    tax_level: str = "I_TAX",
    band: str | None = None,
) -> dict[str, Any]:
    """The newest tariff row for these keys; an error names the keys when there is none."""
    match = tariffs.filter(
        (pl.col("geo") == geo)
        & (pl.col("consumer") == consumer)
        & (pl.col("tax_level") == tax_level)
    )
    if band:
        match = match.filter(pl.col("band") == band)
    if match.height == 0:
        raise LmFootprintError(
            f"no tariff for geo={geo!r} consumer={consumer!r} tax_level={tax_level!r}"
            + (f" band={band!r}" if band else "")
            + " in results/tariffs.parquet"
        )
    return match.sort("period", "band", descending=[True, False]).row(0, named=True)


def join_rates(
    frame: pl.DataFrame, rates: dict[tuple[str, str], tuple[float, str]], date_column: str
) -> pl.DataFrame:
    """``usd_per_unit`` and ``fx_period`` on each row, from ``rates`` keyed by (currency, the
    row's ``date_column``) as units.fx_rate gives them (tariffs and GPU prices alike)."""
    table = pl.DataFrame(
        [
            {"currency": c, date_column: d, "usd_per_unit": rate, "fx_period": period}
            for (c, d), (rate, period) in rates.items()
        ],
        schema={
            "currency": pl.String,
            date_column: pl.String,
            "usd_per_unit": pl.Float64,
            "fx_period": pl.String,
        },
    )
    return frame.join(table, on=["currency", date_column], how="left")
