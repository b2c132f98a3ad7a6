"""Live model metadata from the Hugging Face Hub, pinned to a commit, with honest failures.

Only JSON and markdown are read (model info, config.json, README.md); nothing is executed.
The endpoint is passed explicitly to every call (huggingface_hub reads HF_ENDPOINT once, at
import). The token comes from huggingface_hub's standard locations and is never logged.
Each request (model info, config.json, README.md) is one GET under one stated wall-clock
deadline with its answer's size capped (lmfootprint.models.hub_request); its retries (429 with
Retry-After, 5xx, timeouts, a body cut short) follow the workflow's one HTTP retry policy
(lmfootprint.core.http.RetryPolicy, also behind the reference-data client) and are the only
ones. What the Hub serves must be the pinned commit: a model info or a file of another commit
is refused, and nothing is written unless every part arrived whole.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from huggingface_hub import ModelCard, get_token, hf_hub_url
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.hf_api import ModelInfo

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.http import RetryPolicy
from lmfootprint.core.limits import MAX_CONFIG_BYTES
from lmfootprint.models.hub_request import HubRequestError, HubTooLargeError, hub_get
from lmfootprint.models.pins import DEFAULT_ENDPOINT, pinned_revision

log = logging.getLogger(__name__)

EXPAND = [
    "sha",
    "lastModified",
    "gated",
    "downloads",
    "likes",
    "library_name",
    "pipeline_tag",
    "safetensors",
    "cardData",
    "tags",
]
CO2_KEYS = ["emissions", "source", "training_type", "geographical_location", "hardware_used"]


class HubFetchError(LmFootprintError):
    """The Hub did not give us this model's metadata; the message names model and reason."""


# a model's info with the expanded fields is a few kB; a card is markdown of some kB
MAX_INFO_BYTES = 16 * 1024 * 1024
MAX_CARD_BYTES = MAX_CONFIG_BYTES
SHA_RE = re.compile(r"[0-9a-f]{40}")


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def _token_hint() -> str:
    """What to do about a refused request: set a token, or check the one that was sent."""
    if get_token():
        return (
            "the token sent (HF_TOKEN or the stored `hf auth login`) was refused or lacks "
            "access to this model"
        )
    return "no token was sent: set HF_TOKEN (or run `hf auth login`) for a private model"


def _reason(exc: BaseException | None) -> str:
    """A short reason without URLs' query strings or any header (tokens never appear)."""
    if exc is None:
        return "unknown error"
    if isinstance(exc, HubRequestError):
        return str(exc)
    if isinstance(exc, GatedRepoError):
        return "gated repository: accept its licence on the Hub and log in (HF_TOKEN)"
    status = _status(exc)
    if isinstance(exc, RepositoryNotFoundError):
        if status == 401:
            return f"repository not found, or private (HTTP 401): {_token_hint()}"
        return "repository not found (or private without access)"
    if isinstance(exc, RevisionNotFoundError):
        return "revision not found"
    if isinstance(exc, EntryNotFoundError):
        return "file not found in the repository"
    if status == 429:
        return "rate limited (HTTP 429) after retries"
    if status in (401, 403):
        return f"HTTP {status} (not authorised): {_token_hint()}"
    if status is not None:
        return f"HTTP {status}"
    if isinstance(exc, json.JSONDecodeError) or "JSONDecodeError" in type(exc).__name__:
        return "the Hub answered with invalid JSON"
    return f"{type(exc).__name__}"


def model_info(
    model_id: str,
    *,
    revision: str | None,
    endpoint: str,
    expand: list[str],
    policy: RetryPolicy,
    timeout_s: float,
) -> ModelInfo:
    """``GET /api/models/<id>[/revision/<rev>]`` as huggingface_hub's HfApi.model_info sends
    it, under one deadline; the answer is parsed into its ModelInfo."""
    url = f"{endpoint}/api/models/{model_id}"
    if revision is not None:
        url += f"/revision/{quote(revision, safe='')}"
    answer = hub_get(
        url,
        what="model info",
        policy=policy,
        timeout_s=timeout_s,
        max_bytes=MAX_INFO_BYTES,
        params={"expand": expand},
    )
    data = json.loads(answer.body)
    if not isinstance(data, dict):
        raise HubRequestError(f"model info is not a JSON object (got {type(data).__name__})")
    return ModelInfo(**data)


def _file_at(
    model_id: str,
    filename: str,
    sha: str,
    endpoint: str,
    policy: RetryPolicy,
    timeout_s: float,
    max_bytes: int,
) -> bytes:
    """One file at the pinned commit; a file of another commit (X-Repo-Commit) is refused."""
    answer = hub_get(
        hf_hub_url(model_id, filename, revision=sha, endpoint=endpoint),
        what=filename,
        policy=policy,
        timeout_s=timeout_s,
        max_bytes=max_bytes,
    )
    other = [c for c in answer.commits if c != sha]
    if other:
        raise HubRequestError(
            f"{filename}: the Hub served commit {other[0]} (X-Repo-Commit), not the pinned "
            f"{sha}; refused, nothing written"
        )
    return answer.body


def _co2(card_data: dict[str, Any] | None) -> dict[str, Any]:
    """The standard co2_eq_emissions block (grams), from a dict or a bare number."""
    raw = (card_data or {}).get("co2_eq_emissions")
    out: dict[str, Any] = {f"co2_{k}": None for k in CO2_KEYS}
    if isinstance(raw, dict):
        out.update({f"co2_{k}": raw.get(k) for k in CO2_KEYS})
    elif raw is not None:
        out["co2_emissions"] = raw
    if out["co2_emissions"] is not None:
        match = re.search(r"\d+(?:\.\d+)?", str(out["co2_emissions"]).replace("_", ""))
        out["co2_emissions"] = float(match.group(0)) if match else None
    return out


def _license(card_data: dict[str, Any], tags: list[str] | None) -> str | None:
    if card_data.get("license"):
        return str(card_data["license"])
    for tag in tags or []:
        if tag.startswith("license:"):
            return tag.split(":", 1)[1]
    return None


def _card(
    model_id: str, sha: str, endpoint: str, policy: RetryPolicy, timeout_s: float
) -> str | None:
    """The README's text, or None where the repository has none or it is too large to be
    a card (the model info's cardData, when present, is what is read anyway)."""
    try:
        raw = _file_at(model_id, "README.md", sha, endpoint, policy, timeout_s, MAX_CARD_BYTES)
    except EntryNotFoundError:
        return None
    except HubTooLargeError as exc:
        log.warning("%s: %s; going on without the card", model_id, exc)
        return None
    return raw.decode("utf-8", errors="replace")


def fetch_model(
    model_id: str,
    *,
    revision: str | None,
    endpoint: str,
    out_dir: str | Path,
    timeout_s: float = 10.0,
    attempts: int = 4,
    backoff_s: float = 1.0,
    backoff_cap_s: float = 30.0,
) -> dict[str, Any]:
    """Fetch model info, config.json and the card at a pinned revision into ``out_dir``.

    Writes ``config.json`` (the file as served) and ``info.json`` (facts, sha, retrieved_at);
    returns the info. Raises HubFetchError naming the model, the reason and, for a timeout,
    the deadline kept. Each of the three requests has its own deadline (hub_request).
    """
    policy = RetryPolicy(attempts=attempts, backoff_s=backoff_s, backoff_cap_s=backoff_cap_s)
    out_dir = Path(out_dir)
    try:
        info = model_info(
            model_id,
            revision=revision,
            endpoint=endpoint,
            expand=EXPAND,
            policy=policy,
            timeout_s=timeout_s,
        )
        sha = info.sha
        if not sha or not SHA_RE.fullmatch(sha):
            raise HubFetchError(f"{model_id}: the Hub gave no commit sha for revision {revision!r}")
        if revision is not None and SHA_RE.fullmatch(revision) and sha != revision:
            raise HubFetchError(
                f"{model_id}: the Hub answered with commit {sha} for the pinned commit "
                f"{revision}; refused, nothing written"
            )
        config = _file_at(
            model_id, "config.json", sha, endpoint, policy, timeout_s, MAX_CONFIG_BYTES
        )
        config_json = json.loads(config.decode("utf-8-sig"))
        if not isinstance(config_json, dict):
            raise HubFetchError(f"{model_id}: config.json is not a JSON object")
        card_text = _card(model_id, sha, endpoint, policy, timeout_s)
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "config.json.tmp").write_bytes(config)
    except HubFetchError:
        raise
    except json.JSONDecodeError as exc:
        raise HubFetchError(f"{model_id}: the Hub answered with invalid JSON ({exc.msg})") from None
    except UnicodeDecodeError:
        raise HubFetchError(f"{model_id}: config.json is not UTF-8 text") from None
    except Exception as exc:  # HTTP errors, our deadlines and caps, transport errors
        raise HubFetchError(f"{model_id}: {_reason(exc)}") from None
    card_data: dict[str, Any] = {}
    if info.card_data is not None:
        card_data = info.card_data.to_dict()
    elif card_text:
        card_data = ModelCard(card_text, ignore_metadata_errors=True).data.to_dict()
    safetensors = info.safetensors
    facts = {
        "model_id": model_id,
        "sha": sha,
        "requested_revision": revision,
        "endpoint": endpoint,
        "retrieved_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "last_modified": info.last_modified.isoformat() if info.last_modified else None,
        "gated": info.gated if info.gated is not None else None,
        "downloads": info.downloads,
        "likes": info.likes,
        "library_name": info.library_name,
        "pipeline_tag": info.pipeline_tag,
        "license": _license(card_data, info.tags),
        "safetensors_total": safetensors.total if safetensors else None,
        "safetensors_by_dtype": dict(safetensors.parameters) if safetensors else None,
        **_co2(card_data),
    }
    (out_dir / "info.json.tmp").write_text(json.dumps(facts, indent=2, sort_keys=True) + "\n")
    os.replace(out_dir / "config.json.tmp", out_dir / "config.json")
    os.replace(out_dir / "info.json.tmp", out_dir / "info.json")
    log.info("%s: fetched at %s (safetensors total %s)", model_id, sha, facts["safetensors_total"])
    return facts


def fetch_or_fallback(
    model_id: str,
    *,
    revision: str | None,
    endpoint: str,
    out_dir: str | Path,
    snapshot_dir: str | Path,
    fallback: bool,
    **kwargs: Any,
) -> dict[str, Any]:
    """Fetch; when that fails and the config allows it, use the shipped snapshot, labelled.

    Never silent: the fallback is logged as a warning and recorded in info.json, and the
    models table shows ``snapshot <date> (Hub failed: <reason>)``.
    """
    try:
        return fetch_model(
            model_id, revision=revision, endpoint=endpoint, out_dir=out_dir, **kwargs
        )
    except HubFetchError as exc:
        snapshot_config = Path(snapshot_dir) / "config.json"
        if not fallback or not snapshot_config.is_file():
            hint = "" if fallback else " (set hub.fallback_to_snapshot: true to use the snapshot)"
            raise HubFetchError(f"{exc}{hint}" if snapshot_config.is_file() else str(exc)) from None
        log.warning("%s; using the shipped snapshot instead", exc)
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(snapshot_config, out_dir / "config.json")
        facts = {
            "model_id": model_id,
            "fallback_reason": str(exc).split(": ", 1)[-1],
            "endpoint": endpoint,
        }
        (out_dir / "info.json").write_text(json.dumps(facts, indent=2, sort_keys=True) + "\n")
        return facts


def refresh_pins(
    models: list[tuple[str, str]],
    *,
    resources_hub: str | Path,
    endpoint: str,
    write_snapshot: bool,
    timeout_s: float = 10.0,
    attempts: int = 4,
) -> dict[str, Any]:
    """Re-resolve each model's current commit; optionally write the new snapshot and pins.

    ``models`` is [(model_id, slug)]. Returns {model_id: {"pinned", "current", "changed"}}.
    Writing the snapshot updates resources/hub/<slug>/{config.json,source.json,card.json}, so
    the next normal run re-runs exactly the models whose sha changed.
    """
    policy = RetryPolicy(attempts=attempts)
    report: dict[str, Any] = {}
    for model_id, slug in models:
        snap = Path(resources_hub) / slug
        pinned = pinned_revision(snap)
        try:
            current = model_info(
                model_id,
                revision=None,
                endpoint=endpoint,
                expand=["sha"],
                policy=policy,
                timeout_s=timeout_s,
            ).sha
        except Exception as exc:  # reported per model; other models go on
            report[model_id] = {"pinned": pinned, "error": _reason(exc)}
            log.error("%s: cannot resolve the current commit: %s", model_id, _reason(exc))
            continue
        changed = current != pinned
        report[model_id] = {"pinned": pinned, "current": current, "changed": changed}
        if changed and write_snapshot:
            with tempfile.TemporaryDirectory() as tmp:
                facts = fetch_model(
                    model_id,
                    revision=current,
                    endpoint=endpoint,
                    out_dir=tmp,
                    timeout_s=timeout_s,
                    attempts=attempts,
                )
                snap.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(tmp) / "config.json", snap / "config.json")
            source = {
                "repo_id": model_id,
                "kind": "hub-config",
                "url": f"{DEFAULT_ENDPOINT}/{model_id}/blob/{current}/config.json",
                "revision": current,
                "date": facts["retrieved_at"][:10],
                "retrieved_at": facts["retrieved_at"],
                "notes": "written by `snakemake refresh_hub` with hub.write_snapshot: true",
            }
            (snap / "source.json").write_text(json.dumps(source, indent=2) + "\n")
            card = {k: v for k, v in facts.items() if k not in ("endpoint", "requested_revision")}
            (snap / "card.json").write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
            log.info("%s: snapshot updated %s -> %s", model_id, pinned, current)
    return report
