"""Live model metadata from the Hugging Face Hub, pinned to a commit, with honest failures.

Only JSON and markdown are read (model info, config.json, README.md); nothing is executed.
The endpoint is passed explicitly to every call (huggingface_hub reads HF_ENDPOINT once, at
import). The token comes from huggingface_hub's standard locations and is never logged.
Retries (429 with Retry-After, 5xx, timeouts) follow the workflow's one HTTP retry policy
(lmfootprint.core.http.RetryPolicy, also behind the reference-data client), applied to
huggingface_hub's calls by tenacity, not a hand-written loop.
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

from huggingface_hub import HfApi, ModelCard, hf_hub_download
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from tenacity import RetryCallState, retry, retry_if_exception, stop_after_attempt

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.http import RetryPolicy, retry_after_seconds
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


def _status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def _is_transient(exc: BaseException) -> bool:
    if isinstance(
        exc, (GatedRepoError, RepositoryNotFoundError, RevisionNotFoundError, EntryNotFoundError)
    ):
        return False
    status = _status(exc)
    if status is not None:
        return RetryPolicy().retries_status(status)
    name = type(exc).__name__
    return "Timeout" in name or "ConnectError" in name or isinstance(exc, TimeoutError)


def _retry_after_seconds(exc: BaseException | None) -> float | None:
    response = getattr(exc, "response", None)
    return None if response is None else retry_after_seconds(response.headers)


class _WaitRetryAfter:
    """The policy's wait: exponential backoff, never shorter than the server's Retry-After."""

    def __init__(self, policy: RetryPolicy):
        self.policy = policy

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        return self.policy.wait_s(state.attempt_number, _retry_after_seconds(exc))


def _retrying(attempts: int, base: float, cap: float):
    policy = RetryPolicy(attempts=attempts, backoff_s=base, backoff_cap_s=cap)
    return retry(
        retry=retry_if_exception(_is_transient),
        stop=stop_after_attempt(policy.attempts),
        wait=_WaitRetryAfter(policy),
        reraise=True,
        before_sleep=lambda s: log.warning(
            "attempt %d failed (%s); retrying", s.attempt_number, _reason(s.outcome.exception())
        ),
    )


def _reason(exc: BaseException | None) -> str:
    """A short reason without URLs' query strings or any header (tokens never appear)."""
    if exc is None:
        return "unknown error"
    if isinstance(exc, GatedRepoError):
        return "gated repository: accept its licence on the Hub and log in (HF_TOKEN)"
    if isinstance(exc, RepositoryNotFoundError):
        return "repository not found (or private without access)"
    if isinstance(exc, RevisionNotFoundError):
        return "revision not found"
    if isinstance(exc, EntryNotFoundError):
        return "file not found in the repository"
    status = _status(exc)
    if status == 429:
        return "rate limited (HTTP 429) after retries"
    if status is not None:
        return f"HTTP {status}"
    if isinstance(exc, json.JSONDecodeError) or "JSONDecodeError" in type(exc).__name__:
        return "the Hub answered with invalid JSON"
    return f"{type(exc).__name__}"


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
    returns the info. Raises HubFetchError naming the model and the reason.
    """
    api = HfApi(endpoint=endpoint)  # token: huggingface_hub's standard locations
    call = _retrying(attempts, backoff_s, backoff_cap_s)
    out_dir = Path(out_dir)
    try:
        info = call(api.model_info)(model_id, revision=revision, expand=EXPAND, timeout=timeout_s)
        sha = info.sha
        if not sha or not re.fullmatch(r"[0-9a-f]{40}", sha):
            raise HubFetchError(f"{model_id}: the Hub gave no commit sha for revision {revision!r}")
        with tempfile.TemporaryDirectory(prefix="lmfootprint-hub-") as cache:
            download = call(hf_hub_download)
            config = download(
                model_id,
                "config.json",
                revision=sha,
                endpoint=endpoint,
                cache_dir=cache,
                etag_timeout=timeout_s,
            )
            config_json = json.loads(Path(config).read_text(encoding="utf-8"))
            if not isinstance(config_json, dict):
                raise HubFetchError(f"{model_id}: config.json is not a JSON object")
            try:
                readme = download(
                    model_id,
                    "README.md",
                    revision=sha,
                    endpoint=endpoint,
                    cache_dir=cache,
                    etag_timeout=timeout_s,
                )
                card_text = Path(readme).read_text(encoding="utf-8")
            except EntryNotFoundError:
                card_text = None
            out_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(config, out_dir / "config.json.tmp")
    except HubFetchError:
        raise
    except json.JSONDecodeError as exc:
        raise HubFetchError(f"{model_id}: the Hub answered with invalid JSON ({exc.msg})") from None
    except (HfHubHTTPError, OSError, ValueError) as exc:
        raise HubFetchError(f"{model_id}: {_reason(exc)}") from None
    except Exception as exc:  # httpx timeouts and transport errors
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
    os.replace(out_dir / "config.json.tmp", out_dir / "config.json")
    (out_dir / "info.json").write_text(json.dumps(facts, indent=2, sort_keys=True) + "\n")
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
    api = HfApi(endpoint=endpoint)
    call = _retrying(attempts, 1.0, 30.0)
    report: dict[str, Any] = {}
    for model_id, slug in models:
        snap = Path(resources_hub) / slug
        pinned = pinned_revision(snap)
        try:
            current = call(api.model_info)(model_id, expand=["sha"], timeout=timeout_s).sha
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
