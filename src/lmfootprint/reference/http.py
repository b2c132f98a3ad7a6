"""Retrieval of reference data: raw files as served (or as shipped) plus one manifest per job.

Fetching goes through the workflow's one HTTP client (lmfootprint.core.http: urllib3 Retry,
backoff, 429/5xx, Retry-After), each request within one wall-clock deadline per source
(``reference.timeout_s.<source>``, defaults in :data:`TIMEOUTS_S`). Each retrieve job writes
its raw files and a manifest naming, for every file, where it came from (URL, or the shipped
snapshot file), when, its sha256 and size, and the source's own version stamp. The build rules
parse only what a manifest lists. URLs are recorded redacted (lmfootprint.core.redact): a
credential in a configured URL is used for the request and written nowhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import requests

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.http import FetchError, get, session
from lmfootprint.core.io import atomic_write, write_json
from lmfootprint.core.redact import redact

__all__ = [
    "FetchError",
    "Manifest",
    "ManifestError",
    "copy_shipped",
    "fetch",
    "get",
    "redact",
    "response_entry",
    "session",
    "timeout_for",
    "write_manifest",
]

LIVE = "live"
SHIPPED = "shipped"
# seconds each request to a source may take in all (attempts, waits, body); the config's
# reference.timeout_s overrides them (same defaults in workflow/schemas/config.schema.yaml)
TIMEOUTS_S = {"azure": 30.0, "aws": 600.0, "eurostat": 60.0, "owid": 60.0, "google": 30.0}


def timeout_for(source: str, timeouts: dict[str, float] | None = None) -> dict[str, Any]:
    """The deadline of ``source``'s requests and the setting it comes from (for messages)."""
    return {
        "timeout_s": float((timeouts or {}).get(source, TIMEOUTS_S[source])),
        "timeout_name": f"reference.timeout_s.{source}",
    }


class ManifestError(LmFootprintError):
    """A retrieval manifest is missing, unreadable, or does not list a file a build reads."""


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _digest(body: bytes) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(body).hexdigest(), "bytes": len(body)}


def response_entry(response: requests.Response, *, version: str | None = None) -> dict[str, Any]:
    """What the manifest records of one HTTP answer."""
    return {
        "url": redact(response.url),
        "retrieved_at": now(),
        **_digest(response.content),
        "etag": response.headers.get("ETag"),
        "last_modified": response.headers.get("Last-Modified"),
        "source_version": version
        or response.headers.get("ETag")
        or response.headers.get("Last-Modified"),
    }


def fetch(
    url: str,
    path: str | Path,
    *,
    params: dict | list | None = None,
    timeout_s: float = 30.0,
    timeout_name: str | None = None,
    sess: requests.Session | None = None,
    version=None,
) -> dict[str, Any]:
    """GET ``url`` into ``path`` (the body as served, written atomically); return its manifest
    entry. ``version`` may be a function of the response giving the source's own version."""
    response = get(url, params=params, timeout_s=timeout_s, timeout_name=timeout_name, sess=sess)
    atomic_write(path, lambda p: p.write_bytes(response.content))
    stamp = version(response) if callable(version) else version
    return {"path": Path(path).name, **response_entry(response, version=stamp)}


def copy_shipped(src: str | Path, dest: str | Path, *, shipped_as: str, date: str) -> dict:
    """Copy a shipped snapshot file to ``dest``; return its manifest entry (no URL: the file
    is the dated snapshot named ``shipped_as``, e.g. ``resources/gpu_prices.csv``)."""
    atomic_write(dest, lambda p: shutil.copyfile(src, p))
    return {
        "path": Path(dest).name,
        "shipped_as": shipped_as,
        "url": None,
        "retrieved_at": date,
        **_digest(Path(dest).read_bytes()),
        "source_version": f"snapshot {date}",
    }


def write_manifest(
    path: str | Path, *, source: str, mode: str, files: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    """The job's manifest: every raw file it wrote, and the newest retrieval time."""
    doc = {
        "source": source,
        "mode": mode,
        "retrieved_at": max((f["retrieved_at"] for f in files), default=None),
        **extra,
        "files": files,
    }
    write_json(doc, path)
    return doc


class Manifest:
    """A retrieval manifest, read back by a build job."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.doc = json.loads(self.path.read_text(encoding="utf-8"))
            self.files = {f["path"]: f for f in self.doc["files"]}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ManifestError(f"{self.path}: not a retrieval manifest ({exc})") from None

    @property
    def mode(self) -> str:
        return self.doc.get("mode", "")

    @property
    def retrieved_at(self) -> str:
        return self.doc["retrieved_at"]

    def expect(self, mode: str) -> Manifest:
        if self.mode != mode:
            raise ManifestError(f"{self.path}: a {self.mode!r} retrieval, expected {mode!r}")
        return self

    def entry(self, raw: str | Path) -> dict[str, Any]:
        """The manifest's record of a raw file, which must be the bytes it retrieved."""
        raw = Path(raw)
        entry = self.files.get(raw.name)
        if entry is None:
            raise ManifestError(f"{self.path}: does not list {raw.name}")
        if hashlib.sha256(raw.read_bytes()).hexdigest() != entry["sha256"]:
            raise ManifestError(f"{raw}: changed since it was retrieved (sha256 differs)")
        return entry
