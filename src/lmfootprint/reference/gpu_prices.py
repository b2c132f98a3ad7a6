"""GPU prices: Azure Retail Prices API, AWS offer files, shipped dated snapshot -> per GPU-hour.

Retrieval (``fetch_*``) writes the answers as served; parsing (``parse_*``) reads only those
files, so the two run in separate jobs.

Neither API names the GPU: a reviewed SKU -> (GPU model, count) table does, and a GPU SKU
missing from it is an error naming the SKU. A price quoted in another currency than USD is
converted at the dated rate of the FX table the tariffs use (``fx_period`` says which), or
refused when the table has no rate for it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from pathlib import Path
from typing import Any

import polars as pl

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.io import write_json
from lmfootprint.core.units import fx_rate
from lmfootprint.core.validation import read_csv_checked, read_csv_columns, validate_frame
from lmfootprint.reference.http import fetch, get, now, redact, response_entry, session
from lmfootprint.reference.schemas import GpuPriceSchema, GpuSkuSchema
from lmfootprint.reference.tariffs import join_rates

log = logging.getLogger(__name__)

AZURE_URL = "https://prices.azure.com/api/retail/prices"
AWS_URL = (
    "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/{region}/index.csv"
)
MARKETPLACE = "marketplace"
FX_TABLE = "resources/tariffs/fx_rates.csv"
# (provider, price type) pairs a live source prices; the refresh carries the others over
LIVE_PRICED = {
    ("azure", "on_demand"),
    ("azure", "spot"),
    ("azure", "low_priority"),
    ("aws", "on_demand"),
}
PRICE_COLUMNS = [
    "provider",
    "region",
    "sku",
    "price_type",
    "instance_price_per_hour",
    "currency",
    "effective_date",
    "source",
    "source_version",
]


class UnmappedSkuError(LmFootprintError):
    """A GPU instance type is priced but not in resources/gpu_skus.csv."""


def load_skus(path: str | Path) -> pl.DataFrame:
    return read_csv_checked(path, GpuSkuSchema)


# ---------------------------------------------------------------- Azure
def azure_filter(sku: str, region: str | None) -> str:
    parts = [
        "serviceName eq 'Virtual Machines'",
        "priceType eq 'Consumption'",
        f"armSkuName eq '{sku}'",
    ]
    if region:
        parts.append(f"armRegionName eq '{region}'")
    return " and ".join(parts)


def fetch_azure(
    skus: list[str],
    regions: list[str],
    out: str | Path,
    *,
    base_url: str = AZURE_URL,
    timeout_s: float = 30.0,
    timeout_name: str | None = None,
    max_pages: int = 100,
    sess=None,
) -> dict[str, Any]:
    """One query per (SKU, region), following the absolute ``NextPageLink`` until empty.

    ``out`` gets every page as served, in order, each with its URL and version stamp; the
    returned manifest entry lists each page's sha256 and size. URLs are kept redacted (the
    next link is followed as served, and stored redacted)."""
    sess = sess or session()
    pages, entries = [], []
    for sku in skus:
        for region in regions or [None]:
            url, params, page = base_url, {"$filter": azure_filter(sku, region)}, 0
            while url and page < max_pages:
                response = get(
                    url, params=params, timeout_s=timeout_s, timeout_name=timeout_name, sess=sess
                )
                try:
                    body = response.json()
                except ValueError:
                    body = None
                if not isinstance(body, dict):
                    what = "not an Azure Retail Prices page (not a JSON object)"
                    raise LmFootprintError(redact(f"{response.url}: {what}"))
                entry = response_entry(response)
                entries.append({k: v for k, v in entry.items() if k != "retrieved_at"})
                link = body.get("NextPageLink") or None
                stored = {**body, "NextPageLink": redact(link)} if link else body
                pages.append(
                    {"url": entry["url"], "source_version": entry["source_version"], "body": stored}
                )
                url, params, page = link, None, page + 1
    write_json({"pages": pages}, out)
    digest = hashlib.sha256(Path(out).read_bytes())
    return {
        "path": Path(out).name,
        "url": redact(base_url),
        "retrieved_at": now(),
        "sha256": digest.hexdigest(),
        "bytes": Path(out).stat().st_size,
        "source_version": None,
        "pages": entries,
    }


def parse_azure(path: str | Path) -> pl.DataFrame:
    """Linux pay-as-you-go hourly rows of every retrieved page: on-demand, spot and
    low-priority kept apart."""
    try:
        pages = json.loads(Path(path).read_text(encoding="utf-8"))["pages"]
        bodies = [(p["body"]["Items"], p.get("source_version")) for p in pages]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise LmFootprintError(f"{path}: not retrieved Azure Retail Prices pages ({exc})") from None
    rows = []
    for items, version in bodies:
        rows.extend(_azure_rows(items, version))
    return pl.DataFrame(rows, schema=_schema())


def _azure_rows(items: list[dict], version: str | None) -> list[dict[str, Any]]:
    rows = []
    for it in items:
        product = it.get("productName", "")
        if (
            " Windows" in product
            or " Win" in product
            or "Cloud Services" in product
            or it.get("type") != "Consumption"
            or it.get("unitOfMeasure") != "1 Hour"
            or not it.get("unitPrice")
            or it["unitPrice"] <= 0
        ):
            continue
        sku_name = it.get("skuName", "")
        price_type = (
            "spot"
            if sku_name.endswith(" Spot")
            else "low_priority"
            if sku_name.endswith(" Low Priority")
            else "on_demand"
        )
        rows.append(
            {
                "provider": "azure",
                "region": it["armRegionName"],
                "sku": it["armSkuName"],
                "price_type": price_type,
                "instance_price_per_hour": float(it["retailPrice"]),
                "currency": it["currencyCode"],
                "effective_date": it["effectiveStartDate"][:10],
                "source": AZURE_URL,
                "source_version": version or it["effectiveStartDate"][:10],
            }
        )
    return rows


# ---------------------------------------------------------------- AWS
def fetch_aws(
    region: str,
    out: str | Path,
    *,
    url_template: str = AWS_URL,
    timeout_s: float = 600.0,
    timeout_name: str | None = None,
    sess=None,
) -> dict[str, Any]:
    """One region's EC2 offer CSV, as served, into ``out``; its manifest entry."""
    return fetch(
        url_template.format(region=region),
        out,
        timeout_s=timeout_s,
        timeout_name=timeout_name,
        sess=sess,
    )


def _aws_preamble(path: Path) -> dict[str, str]:
    meta = {}
    with path.open(encoding="utf-8-sig") as f:
        for _ in range(5):
            row = next(csv.reader(io.StringIO(f.readline())), [])
            if len(row) >= 2:
                meta[row[0]] = row[1]
    return meta


AWS_REQUIRED = [
    "TermType",
    "PricePerUnit",
    "Currency",
    "Unit",
    "Instance Type",
    "Operating System",
    "Tenancy",
    "Product Family",
    "GPU",
    "Region Code",
    "EffectiveDate",
]


def parse_aws_csv(path: str | Path) -> pl.DataFrame:
    """The per-region offer CSV: 5 preamble lines (publication date, version), then the header."""
    path = Path(path)
    meta = _aws_preamble(path)
    if "Publication Date" not in meta:
        raise LmFootprintError(f"{path}: no AWS offer-file preamble ('Publication Date' missing)")
    lf = pl.scan_csv(path, skip_rows=5, infer_schema=False, encoding="utf8-lossy")
    missing = [c for c in AWS_REQUIRED if c not in lf.collect_schema().names()]
    if missing:
        raise LmFootprintError(f"{path}: missing column(s) {missing}")
    optional = {
        c: pl.lit("")
        for c in ("Pre Installed S/W", "CapacityStatus")
        if c not in lf.collect_schema().names()
    }
    df = (
        lf.with_columns(**optional)
        .filter(
            (pl.col("TermType") == "OnDemand")
            & (pl.col("Operating System") == "Linux")
            & pl.col("Pre Installed S/W").fill_null("").is_in(["", "NA"])
            & pl.col("CapacityStatus").fill_null("Used").is_in(["Used", ""])
            & pl.col("Tenancy").is_in(["Shared", "Host"])
            & (pl.col("Unit") == "Hrs")
            & (pl.col("Product Family") == "Compute Instance")
            & (pl.col("PricePerUnit").cast(pl.Float64, strict=False) > 0)
            & (pl.col("GPU").cast(pl.Float64, strict=False).fill_null(0) > 0)
        )
        .collect()
    )
    return df.select(
        provider=pl.lit("aws"),
        region=pl.col("Region Code"),
        sku=pl.col("Instance Type"),
        price_type=pl.lit("on_demand"),
        instance_price_per_hour=pl.col("PricePerUnit").cast(pl.Float64),
        currency=pl.col("Currency"),
        effective_date=pl.col("EffectiveDate").str.slice(0, 10),
        source=pl.lit("https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2"),
        source_version=pl.lit(f"{meta.get('Version')} ({meta.get('Publication Date')})"),
    ).unique(maintain_order=True)


# ---------------------------------------------------------------- snapshot and join
def load_snapshot(path: str | Path) -> pl.DataFrame:
    return read_csv_columns(path, PRICE_COLUMNS).with_columns(
        pl.col("instance_price_per_hour").cast(pl.Float64)
    )


def per_gpu_hour(
    prices: pl.DataFrame,
    skus: pl.DataFrame,
    *,
    provenance: str,
    retrieved_at: str,
    known_gpus: set[str] | None = None,
    fx: pl.DataFrame | None = None,
    fx_source: str = FX_TABLE,
) -> pl.DataFrame:
    """Divide instance prices by GPU count, in USD; marketplace rows are already per GPU.

    A price in another currency is converted at the ``fx`` rate dated to its effective date
    (``fx_period`` records the rate's period; "identity" for USD): without a rate it is an error
    naming the rows, never a euro figure taken as dollars. With ``known_gpus`` (the hardware
    table's ids), a GPU the specs do not know is an error.
    """
    market = prices.filter(pl.col("price_type") == MARKETPLACE).with_columns(
        gpu_model=pl.col("sku"), gpu_count=pl.lit(1.0)
    )
    instances = prices.filter(pl.col("price_type") != MARKETPLACE).join(
        skus.select("provider", "sku", "gpu_model", "gpu_count"), on=["provider", "sku"], how="left"
    )
    unmapped = instances.filter(pl.col("gpu_model").is_null())
    if unmapped.height:
        names = sorted(set(zip(unmapped["provider"], unmapped["sku"], strict=True)))
        raise UnmappedSkuError(
            f"GPU SKU(s) not in resources/gpu_skus.csv: {names}; add each with its GPU model and "
            "count (from the provider's size page)"
        )
    out = pl.concat([instances, market], how="diagonal_relaxed")
    if known_gpus is not None:
        unknown = sorted(set(out["gpu_model"].to_list()) - known_gpus)
        if unknown:
            raise UnmappedSkuError(f"GPU model(s) {unknown} not in resources/hardware.csv")
    out = _to_usd(out, fx, fx_source).with_columns(
        price_per_gpu_hour=pl.col("instance_price_per_hour")
        * pl.col("usd_per_unit")
        / pl.col("gpu_count"),
        provenance=pl.lit(provenance),
        retrieved_at=pl.lit(retrieved_at),
    )
    cols = list(GpuPriceSchema.to_schema().columns)
    return validate_frame(
        GpuPriceSchema, out.select(cols).sort("gpu_model", "provider", "sku"), "gpu_prices"
    )


def _to_usd(prices: pl.DataFrame, fx: pl.DataFrame | None, fx_source: str) -> pl.DataFrame:
    """``usd_per_unit`` and ``fx_period`` of each row, from its currency and effective date."""
    fx_rows = fx.to_dicts() if fx is not None else []
    rates, refused = {}, []
    for currency, date in prices.select("currency", "effective_date").unique().iter_rows():
        try:
            rates[(currency, date)] = fx_rate(currency, date, fx_rows)
        except ValueError as err:
            refused.append((currency, date, str(err)))
    if refused:
        currency, date, why = refused[0]
        rows = prices.filter((pl.col("currency") == currency) & (pl.col("effective_date") == date))
        named = [
            f"{r['provider']}:{r['region']}:{r['sku']} {r['instance_price_per_hour']} {currency}"
            f" (source {redact(r['source'])})"
            for r in rows.head(5).iter_rows(named=True)
        ]
        raise LmFootprintError(
            f"GPU price(s) in currency {currency!r} dated {date}: {'; '.join(named)}"
            + (f" and {rows.height - 5} more" if rows.height > 5 else "")
            + f": {why} ({fx_source}); add the dated rate there rather than read it as USD"
        )
    return join_rates(prices, rates, "effective_date")


def _schema() -> dict[str, Any]:
    return {c: (pl.Float64 if c == "instance_price_per_hour" else pl.String) for c in PRICE_COLUMNS}
