"""HTTP fetches of reference data: raw bytes plus a manifest, before any parsing.

Retries come from urllib3's Retry (backoff, 429/5xx, honours Retry-After), not a loop here.
The manifest records what was fetched and the source's own version stamp.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.io import atomic_write, write_json

USER_AGENT = "lmfootprint (https://github.com/lmfootprint; reference-data fetch)"


class FetchError(LmFootprintError):
    """A reference-data source could not be fetched; the message names the URL and reason."""


def session(attempts: int = 4, backoff_s: float = 1.0) -> requests.Session:
    retry = Retry(
        total=attempts - 1,
        backoff_factor=backoff_s,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=("GET", "HEAD"),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
    s.mount("http://", HTTPAdapter(max_retries=retry))
    s.mount("https://", HTTPAdapter(max_retries=retry))
    return s


def get(
    url: str,
    *,
    params: dict | None = None,
    timeout_s: float = 30.0,
    sess: requests.Session | None = None,
) -> requests.Response:
    sess = sess or session()
    try:
        response = sess.get(url, params=params, timeout=timeout_s)
    except requests.RequestException as exc:
        raise FetchError(f"{url}: {type(exc).__name__}") from None
    if response.status_code >= 400:
        raise FetchError(f"{response.url}: HTTP {response.status_code}: {response.text[:300]}")
    return response


def manifest(response: requests.Response, *, version: str | None = None) -> dict[str, Any]:
    body = response.content
    return {
        "url": response.url,
        "retrieved_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sha256": hashlib.sha256(body).hexdigest(),
        "bytes": len(body),
        "etag": response.headers.get("ETag"),
        "last_modified": response.headers.get("Last-Modified"),
        "source_version": version
        or response.headers.get("ETag")
        or response.headers.get("Last-Modified"),
    }


def save_raw(
    response: requests.Response, raw_path: str | Path, version: str | None = None
) -> dict[str, Any]:
    """Write the body and ``<raw_path>.manifest.json``; return the manifest."""
    raw_path = Path(raw_path)
    atomic_write(raw_path, lambda p: p.write_bytes(response.content))
    info = manifest(response, version=version)
    write_json(info, raw_path.with_name(raw_path.name + ".manifest.json"))
    return info
