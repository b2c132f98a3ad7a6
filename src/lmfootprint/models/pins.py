"""What the workflow reads while Snakemake parses it: pinned commits, snapshot paths, the
models a pinned hub_query adds. Standard library only, so that parsing stays fast (the Hub
client, polars and pandera are imported by the jobs that use them, not by the DAG)."""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.ids import is_hub_id

SNAPSHOT_SUBDIR = "hub"
DEFAULT_ENDPOINT = "https://huggingface.co"

# the config keys that define a query: the snapshot records them, and a snapshot made for
# other values is stale
QUERY_KEYS = [
    "name",
    "pipeline_tag",
    "library",
    "authors",
    "search",
    "num_parameters",
    "min_downloads",
    "sort",
    "limit",
]
COLUMNS = [
    "rank",
    "repo_id",
    "sha",
    "gated",
    "library",
    "pipeline_tag",
    "downloads",
    "has_config_json",
    "excluded_because",
    "query_name",
    "query",
    "source",
    "retrieved_at",
]
DISCOVER_COMMAND = (
    "`make discover` (snakemake pin_hub_query --forcerun refresh_hub_query "
    "--config online=True; it needs the network)"
)
_SHA = re.compile(r"[0-9a-f]{40}")


class HubQueryError(LmFootprintError):
    """A hub_query could not be listed, or its pinned snapshot is missing, stale or broken."""


def query_key(query: dict[str, Any]) -> str:
    """The query as one canonical JSON string: what the snapshot records and is checked by."""
    return json.dumps({k: query.get(k) for k in QUERY_KEYS}, sort_keys=True, separators=(",", ":"))


def snapshot_path(resources: str | Path, name: str) -> Path:
    return Path(resources) / "hub_queries" / f"{name}.csv"


def resolve_endpoint(configured: str | None) -> str:
    return (configured or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def snapshot_config_path(resources_dir: str | Path, slug: str) -> Path:
    return Path(resources_dir) / SNAPSHOT_SUBDIR / slug / "config.json"


def pinned_revision(snapshot_dir: str | Path) -> str | None:
    """The commit a model is pinned to: the revision recorded in its snapshot source.json."""
    path = Path(snapshot_dir) / "source.json"
    if not path.is_file():
        return None
    revision = json.loads(path.read_text(encoding="utf-8")).get("revision")
    return revision if revision and re.fullmatch(r"[0-9a-f]{40}", revision) else None


def read_snapshot(path: str | Path) -> list[dict[str, str]]:
    """The rows of a snapshot, checked: the columns, a repo id and a 40-hex sha per row."""
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise HubQueryError(f"{path}: not a hub_query snapshot (missing columns {missing})")
        rows = list(reader)
    for line, row in enumerate(rows, start=2):
        usable = not row["excluded_because"]
        if usable and not (is_hub_id(row["repo_id"]) and _SHA.fullmatch(row["sha"])):
            raise HubQueryError(
                f"{path}:{line}: {row['repo_id']!r} has no valid repo id and commit sha "
                "but no excluded_because either"
            )
    return rows


def included(rows: Iterable[dict[str, str]]) -> list[tuple[str, str]]:
    """(repo_id, sha) of the rows that join the model list, in rank order."""
    return [(r["repo_id"], r["sha"]) for r in rows if not r["excluded_because"]]


def pinned_models(
    query: dict[str, Any], path: str | Path, *, online: bool
) -> tuple[list[tuple[str, str]], str | None]:
    """The models a configured query adds at parse time, from its pinned snapshot only.

    Returns ((repo_id, sha) in rank order, warning). A missing snapshot, or one made for
    another query, is an error offline; online it is a warning and adds nothing, so that
    the refresh that writes it can run.
    """
    path = Path(path)
    name = query.get("name")
    if not path.is_file():
        problem = f"hub_query {name!r}: its pinned snapshot {path} does not exist"
    else:
        rows = read_snapshot(path)
        made_for = rows[0]["query"] if rows else None
        if made_for == query_key(query):
            return included(rows), None
        problem = (
            f"hub_query {name!r}: {path} was made for another query ({made_for}); "
            f"the config asks for {query_key(query)}"
        )
    if online:
        return [], f"{problem}; no model added from it until {DISCOVER_COMMAND} writes it"
    raise HubQueryError(f"{problem}. Create it with {DISCOVER_COMMAND}.")
