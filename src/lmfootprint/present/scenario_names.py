"""Scenarios as people say them: "an H100 in AWS us-east-1, one request at a time".

A scenario id (``cloud-h100-us-east-1``) and a serving mode (``interactive``) are the
workflow's keys; a reader needs the device, where it runs and how it is loaded. Everything is
read from the scenario's row of results/scenarios.parquet (hardware and ``location``, which
is ``provider:region`` for a cloud scenario and an ISO3 country code for a local one).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

# how the providers name themselves; an unknown provider is shown as configured
PROVIDERS = {"aws": "AWS", "azure": "Azure", "gcp": "Google Cloud"}
# parts of a hardware id that say the form factor or a core count, not the chip people name
_FORM = re.compile(r"^(SXM\d*|PCIe|\d+c)$", re.IGNORECASE)
# letters whose name starts with a vowel sound: "an H100", "an M1 Pro", "a T4"
_VOWEL_LETTERS = set("AEFHILMNORSX")
_REGION_WORDS = re.compile(r"(north|south|east|west|central|\d+)")
_ACRONYMS = {"us", "uk", "uae"}


def device_name(hardware_id: str) -> str:
    """The chip as people name it: H100-SXM5 -> H100, A100-80-SXM4 -> A100, M1-Pro-16c ->
    M1 Pro, RTX-4090 -> RTX 4090 (a memory size after a model number is dropped)."""
    parts = [p for p in hardware_id.split("-") if not _FORM.match(p)]
    kept = parts[:1]
    for part in parts[1:]:
        memory_size = part.isdigit() and any(c.isdigit() for c in kept[-1])
        if not memory_size:
            kept.append(part)
    return " ".join(kept)


def article(word: str) -> str:
    """'a' or 'an' as the word is said: letter names for model codes (an H100, a B200)."""
    first = word[:1]
    code = len(word) > 1 and (word[1].isdigit() or word[:2].isupper())
    if code:
        return "an" if first.upper() in _VOWEL_LETTERS else "a"
    return "an" if first.lower() in "aeiou" else "a"


def region_name(provider: str, region: str) -> str:
    """Azure's display name from its id (swedencentral -> Sweden Central, eastus2 -> East US
    2); AWS and Google Cloud regions are said by their ids (us-east-1, europe-west9)."""
    if provider != "azure":
        return region
    words = [w for w in _REGION_WORDS.split(region) if w]
    return " ".join(w.upper() if w in _ACRONYMS else w.capitalize() for w in words)


# the shipped table that names each country by its ISO3 code (country_iso3, country_name)
COUNTRIES = "resources/carbon/countries_owid_via_codecarbon.csv"


def load_country_names(path: str | Path) -> dict[str, str]:
    """ISO3 code -> country name, from a CSV with country_iso3 and country_name columns
    (``COUNTRIES``)."""
    with open(path, encoding="utf-8", newline="") as f:
        return {r["country_iso3"]: r["country_name"] for r in csv.DictReader(f)}


def place(location: str, countries: Mapping[str, str] | None = None) -> str:
    """'AWS us-east-1', 'Azure Sweden Central', or the country's name ('France'); a code
    without a known name is shown as the code."""
    if ":" in location:
        provider, region = location.split(":", 1)
        return f"{PROVIDERS.get(provider, provider)} {region_name(provider, region)}"
    return (countries or {}).get(location, location)


def serving_name(serving: str, batch: int | None = None) -> str:
    """'one request at a time', 'loaded server (64 requests)'."""
    if serving == "interactive":
        return "one request at a time"
    if serving == "throughput":
        return f"loaded server ({batch} requests)" if batch else "loaded server"
    return serving


def scenario_name(
    scenario: Mapping[str, Any],
    serving: str | None = None,
    batch: int | None = None,
    countries: Mapping[str, str] | None = None,
) -> str:
    """A scenario row (kind, hardware_id, hardware_name, location) and serving mode as a
    reader says them: 'an H100 in AWS us-east-1, one request at a time', 'an M1 Pro laptop
    in France, one request at a time'."""
    device = device_name(scenario["hardware_id"])
    if scenario["kind"] == "local":
        name = scenario.get("hardware_name") or ""
        laptop = any(w in name.lower() for w in ("laptop", "macbook"))
        device = f"{device} {'laptop' if laptop else 'computer'}"
    said = f"{article(device)} {device} in {place(scenario['location'], countries)}"
    return f"{said}, {serving_name(serving, batch)}" if serving else said


def setting_names(
    scenarios: list[Mapping[str, Any]],
    batches: Mapping[tuple[str, str], int] | None = None,
    countries: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Plain names for the answer table's settings ('<scenario> · <serving>') and for each
    scenario alone, keyed by those ids; ``batches`` gives a loaded server's requests by
    (scenario, serving), and any serving mode it names besides the two defaults."""
    names: dict[str, str] = {}
    modes = {"interactive", "throughput"} | {mode for _, mode in batches or {}}
    for s in scenarios:
        sid = s["scenario"]
        names[sid] = scenario_name(s, countries=countries)
        for serving in sorted(modes):
            batch = (batches or {}).get((sid, serving))
            names[f"{sid} · {serving}"] = scenario_name(s, serving, batch, countries)
    return names


def names_from_tables(
    scenarios: pl.DataFrame | None,
    estimates: pl.DataFrame | None = None,
    countries: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """``setting_names`` of the scenarios table; a loaded server's requests are the largest
    batch the inference estimates served in that scenario and mode (the configured
    concurrency, unless memory held fewer for every model)."""
    if scenarios is None or not scenarios.height:
        return {}
    batches: dict[tuple[str, str], int] = {}
    if estimates is not None and estimates.height:
        served = estimates.filter(pl.col("status") == "estimated")
        for (sid, serving), g in served.group_by("scenario", "serving"):
            batches[(sid, serving)] = int(g["batch_size"].max())
    return setting_names(scenarios.to_dicts(), batches, countries)
