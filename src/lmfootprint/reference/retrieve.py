"""Retrieve each reference source's raw files, with a manifest, before anything is parsed.

Live retrievals fetch from the sources (one HTTP client, lmfootprint.core.http); the shipped
retrieval copies the dated snapshot from resources/ so that the build reads the same kind of
declared, manifested raw file either way. Every file written is one the caller names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.reference import gpu_prices as prices
from lmfootprint.reference import tariffs
from lmfootprint.reference.http import (
    LIVE,
    SHIPPED,
    copy_shipped,
    fetch,
    session,
    timeout_for,
    write_manifest,
)


def snapshot_date(stamp: str | Path) -> str:
    """The date of the shipped snapshot, from resources/reference_snapshot.json."""
    try:
        return json.loads(Path(stamp).read_text(encoding="utf-8"))["date"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LmFootprintError(f"{stamp}: no snapshot date ({exc})") from None


def retrieve_shipped(
    source: str,
    files: list[tuple[str | Path, str, str | Path]],
    *,
    stamp: str | Path,
    manifest: str | Path,
) -> dict[str, Any]:
    """Offline: copy each shipped file ``(src, shipped_as, dest)`` and write a manifest that
    says so (no URL; dated by the snapshot stamp)."""
    date = snapshot_date(stamp)
    entries = [copy_shipped(src, dest, shipped_as=name, date=date) for src, name, dest in files]
    return write_manifest(
        manifest,
        source=source,
        mode=SHIPPED,
        files=entries,
        snapshot_date=date,
        note="offline: copies of the shipped snapshot in resources/, nothing was fetched",
    )


def retrieve_prices(
    *,
    skus_path: str | Path,
    azure_regions: list[str],
    aws_regions: list[str],
    endpoints: dict[str, str],
    azure_out: str | Path,
    aws_out: list[str | Path],
    manifest: str | Path,
    timeouts: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Azure Retail Prices for every mapped Azure SKU, and each region's AWS offer CSV; each
    request within its source's deadline (``timeouts``, the config's reference.timeout_s)."""
    if len(aws_out) != len(aws_regions):
        raise LmFootprintError(f"{len(aws_regions)} AWS regions but {len(aws_out)} output files")
    skus = prices.load_skus(skus_path)
    azure_skus = skus.filter(pl.col("provider") == "azure")["sku"].to_list()
    sess = session()
    entries = [
        prices.fetch_azure(
            azure_skus,
            azure_regions,
            azure_out,
            base_url=endpoints["azure"],
            sess=sess,
            **timeout_for("azure", timeouts),
        )
    ]
    for region, out in zip(aws_regions, aws_out, strict=True):
        entries.append(
            prices.fetch_aws(
                region,
                out,
                url_template=endpoints["aws"],
                sess=sess,
                **timeout_for("aws", timeouts),
            )
        )
    return write_manifest(manifest, source="prices", mode=LIVE, files=entries)


def retrieve_carbon(
    *,
    endpoints: dict[str, str],
    google_year: int,
    owid_out: str | Path,
    google_out: str | Path,
    manifest: str | Path,
    timeouts: dict[str, float] | None = None,
) -> dict[str, Any]:
    """OWID's grid-intensity CSV and Google's region file of ``google_year``."""
    sess = session()
    entries = [
        fetch(endpoints["owid"], owid_out, sess=sess, **timeout_for("owid", timeouts)),
        fetch(
            endpoints["google"].format(year=google_year),
            google_out,
            sess=sess,
            **timeout_for("google", timeouts),
        ),
    ]
    return write_manifest(manifest, source="carbon", mode=LIVE, files=entries)


def retrieve_tariffs(
    *,
    endpoints: dict[str, str],
    geos: list[str],
    since: str,
    outs: dict[str, str | Path],
    manifest: str | Path,
    timeouts: dict[str, float] | None = None,
) -> dict[str, Any]:
    """Eurostat nrg_pc_204 (household) and nrg_pc_205 (non-household); ``outs`` maps each
    consumer to its file."""
    sess = session()
    entries = [
        tariffs.fetch_eurostat(
            consumer,
            geos,
            since,
            out,
            base=endpoints["eurostat"],
            sess=sess,
            **timeout_for("eurostat", timeouts),
        )
        for consumer, out in outs.items()
    ]
    return write_manifest(manifest, source="tariffs", mode=LIVE, files=entries)
