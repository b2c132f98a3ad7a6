"""Discovering models on the Hub: a query resolved into a pinned, dated list of repos.

A ``hub_query`` config block (task, library, authors, minimum downloads, sort, limit) is
listed through huggingface_hub's ``HfApi.list_models``, which follows the Hub's paged
``Link`` headers, and pinned: each listed repo with its commit sha, gated flag, library,
pipeline tag and downloads, plus the query and the date, in a CSV snapshot
(``resources/hub_queries/<name>.csv``). Runs read only that file, so a re-run sees the same
models until someone refreshes it. Repos the workflow cannot study (gated, not transformers,
no config.json) stay in the snapshot with the reason in ``excluded_because`` and are kept out
of the model list. The endpoint is passed explicitly; the token comes from huggingface_hub's
standard locations and is never logged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from lmfootprint.core.ids import is_hub_id
from lmfootprint.core.io import write_json, write_text
from lmfootprint.models.hub import _reason
from lmfootprint.models.pins import (
    _SHA,
    COLUMNS,
    HubQueryError,
    included,
    query_key,
    read_snapshot,
)

log = logging.getLogger(__name__)

# config sort -> ModelInfo attribute (huggingface_hub maps the names to the Hub's own)
SORT_ATTRIBUTES = {
    "downloads": "downloads",
    "likes": "likes",
    "last_modified": "last_modified",
    "created_at": "created_at",
    "trending_score": "trending_score",
}
SORT_EXPAND = {
    "last_modified": "lastModified",
    "created_at": "createdAt",
    "trending_score": "trendingScore",
}
EXPAND = ["sha", "gated", "downloads", "likes", "library_name", "pipeline_tag", "siblings"]


# --------------------------------------------------------------------------------- listing
def _list_kwargs(query: dict[str, Any], author: str | None) -> dict[str, Any]:
    sort = query.get("sort")
    expand = EXPAND + ([SORT_EXPAND[sort]] if sort in SORT_EXPAND else [])
    kwargs: dict[str, Any] = {
        "filter": [query["library"]] if query.get("library") else None,
        "author": author,
        "pipeline_tag": query.get("pipeline_tag"),
        "search": query.get("search"),
        "num_parameters": query.get("num_parameters"),
        "sort": sort,
        "expand": expand,
    }
    if not query.get("min_downloads"):
        # nothing is dropped here, so the Hub's limit is exactly ours (and sets its page size)
        kwargs["limit"] = query.get("limit")
    return kwargs


def _list_author(api: HfApi, query: dict[str, Any], author: str | None) -> list[Any]:
    """One listing, read lazily: pages after the last one needed are never requested."""
    min_downloads = query.get("min_downloads") or 0
    limit = query.get("limit")
    out = []
    for info in api.list_models(**_list_kwargs(query, author)):
        if (info.downloads or 0) < min_downloads:
            if query.get("sort") == "downloads":
                break  # sorted by downloads, descending: every later one is below too
            continue  # the Hub has no downloads filter: dropped here
        out.append(info)
        if limit and len(out) >= limit:
            break
    return out


def _sort_value(info: Any, sort: str | None) -> Any:
    value = getattr(info, SORT_ATTRIBUTES[sort], None) if sort else None
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return value if value is not None else float("-inf")


def list_query(query: dict[str, Any], *, endpoint: str) -> list[Any]:
    """The models the query lists, best first (huggingface_hub ModelInfo objects).

    The Hub takes one author per listing: with several authors there is one listing each,
    merged by the sort key, and the first ``limit`` kept.
    """
    api = HfApi(endpoint=endpoint)  # token: huggingface_hub's standard locations
    authors = query.get("authors") or [None]
    name = query.get("name")
    try:
        listed = [info for author in authors for info in _list_author(api, query, author)]
    except HfHubHTTPError as exc:
        detail = getattr(exc, "server_message", None) if _status_of(exc) == 400 else None
        reason = _reason(exc) + (f": {detail.strip()}" if detail else "")
        raise HubQueryError(
            f"hub_query {name!r}: listing {endpoint}/api/models failed: {reason}"
        ) from None
    except Exception as exc:  # httpx timeouts and transport errors, after huggingface_hub's retries
        raise HubQueryError(
            f"hub_query {name!r}: listing {endpoint}/api/models failed: {_reason(exc)}"
        ) from None
    if len(authors) > 1:
        sort = query.get("sort")
        if sort:
            listed.sort(key=lambda info: _sort_value(info, sort), reverse=True)
        listed = listed[: query["limit"]] if query.get("limit") else listed
    if not listed:
        raise HubQueryError(
            f"hub_query {name!r}: the Hub at {endpoint} lists no model for {query_key(query)}; "
            "nothing was pinned (check pipeline_tag, library and authors)"
        )
    return listed


def _status_of(exc: BaseException) -> int | None:
    return getattr(getattr(exc, "response", None), "status_code", None)


def excluded_because(info: Any) -> str:
    """Why a listed repo cannot join the model list ('' when it can)."""
    reasons = []
    if not is_hub_id(info.id):
        reasons.append("id not usable as a model name ('--' or '..' in it)")
    if not info.sha or not _SHA.fullmatch(info.sha):
        reasons.append("the Hub gave no commit sha")
    if info.gated:
        reasons.append(f"gated ({info.gated} approval): its licence must be accepted on the Hub")
    if info.library_name != "transformers":
        reasons.append(f"library {info.library_name or 'not set'}, not transformers")
    if info.siblings is None:
        reasons.append("the Hub gave no file list, so config.json is not confirmed")
    elif "config.json" not in {s.rfilename for s in info.siblings}:
        reasons.append("no config.json")
    return "; ".join(reasons)


def snapshot_rows(
    listed: Iterable[Any], query: dict[str, Any], *, endpoint: str, retrieved_at: str
) -> list[dict[str, str]]:
    """The snapshot: one row per listed repo, excluded ones with their reason."""
    rows = []
    key = query_key(query)
    for rank, info in enumerate(listed, start=1):
        files = None if info.siblings is None else {s.rfilename for s in info.siblings}
        rows.append(
            {
                "rank": str(rank),
                "repo_id": info.id,
                "sha": info.sha or "",
                "gated": str(info.gated).lower() if info.gated is not None else "",
                "library": info.library_name or "",
                "pipeline_tag": info.pipeline_tag or "",
                "downloads": "" if info.downloads is None else str(info.downloads),
                "has_config_json": "" if files is None else str("config.json" in files).lower(),
                "excluded_because": excluded_because(info),
                "query_name": str(query.get("name")),
                "query": key,
                "source": f"{endpoint}/api/models",
                "retrieved_at": retrieved_at,
            }
        )
    return rows


# -------------------------------------------------------------------------------- the file
def write_snapshot(rows: list[dict[str, str]], path: str | Path) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text(buffer.getvalue(), path)


# ------------------------------------------------------------------------------ refreshing
def changes(previous: list[dict[str, str]] | None, rows: list[dict[str, str]]) -> dict[str, Any]:
    """What joined the model list, what left it (and why), and which pins moved."""
    before = {r["repo_id"]: r for r in previous or []}
    after = {r["repo_id"]: r for r in rows}
    in_before = {r for r, row in before.items() if not row["excluded_because"]}
    in_after = {r for r, row in after.items() if not row["excluded_because"]}
    joined = [r for r in after if r in in_after and r not in in_before]
    left = [
        {"repo_id": r, "why": after[r]["excluded_because"] if r in after else "no longer listed"}
        for r in before
        if r in in_before and r not in in_after
    ]
    moved = [
        {"repo_id": r, "from": before[r]["sha"], "to": after[r]["sha"]}
        for r in after
        if r in in_before and r in in_after and before[r]["sha"] != after[r]["sha"]
    ]
    return {
        "joined": joined,
        "left": left,
        "moved": moved,
        "included": len(in_after),
        "excluded": {r: row["excluded_because"] for r, row in after.items() if r not in in_after},
    }


def refresh(
    query: dict[str, Any] | None,
    *,
    endpoint: str,
    previous_path: str | Path,
    out_csv: str | Path,
    out_changes: str | Path,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """List the query now, write the new snapshot and what changed against the pinned one."""
    if not query or not query.get("name"):
        raise HubQueryError(
            "no hub_query in the config: give hub_query a name (and pipeline_tag, library, "
            "authors, min_downloads, sort, limit; see docs/reference-data.md, 'Discovering "
            "models on the Hub')"
        )
    when = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    listed = list_query(query, endpoint=endpoint)
    rows = snapshot_rows(listed, query, endpoint=endpoint, retrieved_at=when)
    previous_path = Path(previous_path)
    previous = read_snapshot(previous_path) if previous_path.is_file() else None
    report = {
        "query_name": query["name"],
        "query": json.loads(query_key(query)),
        "retrieved_at": when,
        "source": f"{endpoint}/api/models",
        "previous": str(previous_path) if previous is not None else None,
        "previous_retrieved_at": previous[0]["retrieved_at"] if previous else None,
        "previous_query": json.loads(previous[0]["query"]) if previous else None,
        **changes(previous, rows),
    }
    write_snapshot(rows, out_csv)
    write_json(report, out_changes)
    log.info(
        "hub_query %r: %d listed, %d join the model list, %d excluded",
        query["name"],
        len(rows),
        report["included"],
        len(report["excluded"]),
    )
    for repo_id, why in report["excluded"].items():
        log.info("excluded %s: %s", repo_id, why)
    since = f" since {report['previous_retrieved_at']}" if previous else " (no previous snapshot)"
    log.info(
        "joined%s (%d): %s", since, len(report["joined"]), ", ".join(report["joined"]) or "none"
    )
    left = [f"{x['repo_id']} ({x['why']})" for x in report["left"]]
    log.info("left%s (%d): %s", since, len(left), ", ".join(left) or "none")
    moved = [f"{x['repo_id']} {x['from'][:8]} -> {x['to'][:8]}" for x in report["moved"]]
    log.info("new commit%s (%d): %s", since, len(moved), ", ".join(moved) or "none")
    return report


def pin(snapshot: str | Path, destination: str | Path) -> int:
    """Copy a refreshed snapshot into place (checked first); returns the models it adds."""
    rows = read_snapshot(snapshot)
    write_text(Path(snapshot).read_text(encoding="utf-8"), destination)
    return len(included(rows))
