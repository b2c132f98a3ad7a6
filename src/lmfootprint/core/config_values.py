"""Parse-time checks of the config values the schema can only type as strings or names.

The schema says "a string"; these say what the string must mean: a token count that parses,
a URL (the Hub's without credentials: its token is HF_TOKEN), a scenario name that stays
distinct where the tables key rows by it, a hardware id the hardware table holds. Each
failure names the field and the value, and every problem is reported at once, before any job
runs (they used to fail late, or be ignored).
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lmfootprint.core.ids import key_part
from lmfootprint.core.redact import redact
from lmfootprint.core.units import parse_tokens

# Environment variables that hold a URL the workflow reaches (besides the configured ones).
URL_VARIABLES = ("HF_ENDPOINT",)
# `min:100M,max:3B` (the Hub's num_parameters filter)
_BOUND = re.compile(r"^(min|max):(.+)$")
_COUNT = re.compile(r"^\d+(\.\d+)?[KMBT]?$")


def url_problem(url: str, credentials: bool) -> str | None:
    """Why a URL cannot be used, or None: it must be http(s) with a host; ``credentials``
    False also refuses a user:password@ in it."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises on a non-numeric port)
    except ValueError as exc:
        return f"is not a URL ({redact(exc)})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http:// or https:// URL with a host"
    if not credentials and "@" in parts.netloc:
        return (
            "holds credentials (user:password@): the Hub's URL is recorded in rule params "
            "(.snakemake/metadata) and logs; remove them and give the token as HF_TOKEN"
        )
    return None


def _urls(config: Mapping[str, Any], env: Mapping[str, str]) -> Iterator[tuple[str, str, bool]]:
    """(field, URL, whether credentials may be in it): reference sources take them (sent,
    and masked wherever written: core.redact); the Hub takes its token from HF_TOKEN."""
    endpoint = (config.get("hub") or {}).get("endpoint")
    if endpoint:
        yield "hub.endpoint", endpoint, False
    for variable in URL_VARIABLES:
        if env.get(variable):
            yield f"environment variable {variable}", env[variable], False
    for name, url in ((config.get("reference") or {}).get("endpoints") or {}).items():
        yield f"reference.endpoints.{name}", url, True


def url_problems(config: Mapping[str, Any], env: Mapping[str, str]) -> list[str]:
    return [
        f"{field}: {redact(url)!r} {problem}"
        for field, url, credentials in _urls(config, env)
        if (problem := url_problem(str(url), credentials))
    ]


HEADLINE_KEYS = "both would be keyed as {key!r} in results/headlines.parquet"
FILE_NAMES = (
    "both would name results/benchmarks/<model>/<device>/{key}.parquet on a file system that "
    "ignores case"
)


def _collisions(
    names: list[str], field: str, why: str, key: Callable[[str], str] = key_part
) -> Iterator[str]:
    """Names that share a key (by default core.ids.key_part, the headlines' one), or have none."""
    by_key: dict[str, list[str]] = {}
    for name in names:
        by_key.setdefault(key(str(name)), []).append(str(name))
    for shared, group in by_key.items():
        if len(group) > 1:
            yield (
                f"{field}: {', '.join(repr(n) for n in group)} differ only in case or "
                f"punctuation ({why.format(key=shared)}); rename all but one"
            )
        elif not shared:
            yield f"{field}: {group[0]!r} needs at least one letter or digit"


def name_problems(config: Mapping[str, Any]) -> list[str]:
    """Scenario, serving-mode and workload names that would share a key or a file name."""
    footprint = config.get("footprint") or {}
    benchmark = config.get("benchmark") or {}
    serving = (footprint.get("inference") or {}).get("serving") or {}
    return [
        *_collisions(list(config.get("scenarios") or {}), "scenarios", HEADLINE_KEYS),
        *_collisions(list(serving), "footprint.inference.serving", HEADLINE_KEYS),
        *_collisions(
            list(benchmark.get("workloads") or {}), "benchmark.workloads", FILE_NAMES, str.lower
        ),
    ]


def count_problems(config: Mapping[str, Any]) -> list[str]:
    """Token and parameter counts written as text ('2T', 'min:100M,max:3B')."""
    problems = []
    overrides = (config.get("footprint") or {}).get("training_tokens") or {}
    for model, label in overrides.items():
        value = parse_tokens(str(label))
        if not value:
            problems.append(
                f"footprint.training_tokens.{model}: {label!r} is not a token count; write it "
                "as a number with B or T, e.g. '600B', '2T', '15T+' or 'up to 9T'"
            )
    num = (config.get("hub_query") or {}).get("num_parameters")
    if num:
        for bound in str(num).split(","):
            match = _BOUND.match(bound)
            if not match or not _COUNT.match(match.group(2)):
                problems.append(
                    f"hub_query.num_parameters: {num!r}: {bound!r} is not min:<count> or "
                    "max:<count> with a count such as 100M, 1.5B or 3000000"
                )
    return problems


def reference_problems(config: Mapping[str, Any], hardware_ids: set[str] | None) -> list[str]:
    """Names that must refer to something: a configured scenario, a known hardware id, a
    PUE inside its range."""
    problems = []
    scenarios = config.get("scenarios") or {}
    grid = (config.get("benchmark") or {}).get("grid_scenario")
    if grid is not None and grid not in scenarios:
        problems.append(
            f"benchmark.grid_scenario: {grid!r} is not a configured scenario; known: "
            f"{sorted(scenarios)}"
        )
    if hardware_ids is not None:
        for name, scenario in scenarios.items():
            hw = (scenario or {}).get("hardware")
            if hw is not None and hw not in hardware_ids:
                problems.append(
                    f"scenarios.{name}.hardware: {hw!r} is not a hardware_id of "
                    f"resources/hardware.csv; known: {sorted(hardware_ids)}"
                )
        hw = (config.get("footprint") or {}).get("training_hardware")
        if hw is not None and hw not in hardware_ids:
            problems.append(
                f"footprint.training_hardware: {hw!r} is not a hardware_id of "
                f"resources/hardware.csv; known: {sorted(hardware_ids)}"
            )
    footprint = config.get("footprint") or {}
    pue, pue_range = footprint.get("pue"), footprint.get("pue_range")
    if pue is not None and pue_range and not pue_range[0] <= pue <= pue_range[1]:
        problems.append(
            f"footprint.pue {pue:g} must lie within footprint.pue_range "
            f"[{pue_range[0]:g}, {pue_range[1]:g}]"
        )
    return problems


def hardware_ids(path: str | Path) -> set[str] | None:
    """The hardware_id column of resources/hardware.csv (None where the file is absent)."""
    path = Path(path)
    if not path.is_file():
        return None
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {row["hardware_id"].strip() for row in csv.DictReader(f) if row.get("hardware_id")}


def selection_problems(config: Mapping[str, Any]) -> list[str]:
    """benchmark.only_models / only_workloads must name configured models and workloads, and
    comparison.cloud_vs_local's scenarios configured scenarios of their kind."""
    bench = config.get("benchmark") or {}
    problems = []
    models = {str(m).strip() for m in config.get("models") or []}
    unknown = sorted(set(bench.get("only_models") or []) - models)
    if unknown:
        problems.append(
            f"benchmark.only_models: {unknown} are not in models (write them as in models)"
        )
    scenarios = config.get("scenarios") or {}
    pair = (config.get("comparison") or {}).get("cloud_vs_local") or {}
    for key, kind in (("local_scenario", "local"), ("cloud_scenario", "cloud")):
        name = pair.get(key)
        if name and (scenarios.get(name) or {}).get("kind") != kind:
            problems.append(
                f"comparison.cloud_vs_local.{key}: {name!r} is not a configured {kind} scenario "
                f"({sorted(n for n, s in scenarios.items() if (s or {}).get('kind') == kind)})"
            )
    workloads = set(bench.get("workloads") or {})
    unknown = sorted(set(bench.get("only_workloads") or []) - workloads)
    if unknown:
        problems.append(
            f"benchmark.only_workloads: {unknown} are not in benchmark.workloads "
            f"({sorted(workloads)})"
        )
    return problems


def value_problems(
    config: Mapping[str, Any],
    *,
    hardware_csv: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> list[str]:
    """Every value that is well-typed but cannot be used, one line each."""
    known = hardware_ids(hardware_csv) if hardware_csv else None
    return [
        *name_problems(config),
        *count_problems(config),
        *selection_problems(config),
        *reference_problems(config, known),
        *url_problems(config, os.environ if env is None else env),
    ]
