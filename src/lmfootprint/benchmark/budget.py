"""The benchmark's time budget (benchmark.max_params), known before any job runs.

A model above the budget is never measured. When its size can be read while the workflow is
parsed (a shipped or local config.json of a family with a closed-form count) it gets no
benchmark job at all, and the inference table writes its skip row (with the models that
lmfootprint.benchmark.same_compute measures once, the default study runs 3 benchmark jobs,
not 30). Otherwise (a config fetched during the run, a family only transformers can count)
its job decides and skips itself, with the same reason.
Standard library only: this runs while Snakemake parses the workflow.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.models.architecture import Count, check_shapes, family_count, read_config_json


def budget_reason(params_total: int, max_params: float) -> str | None:
    """The skip reason of a model above the budget, else None."""
    if params_total > max_params:
        return (
            f"{params_total:,} parameters is above benchmark.max_params "
            f"({max_params:,.0f}), the time budget of this run"
        )
    return None


def readable_count(config_json: Path | None) -> tuple[dict[str, Any], Count] | None:
    """The config and its closed-form count, or None where it cannot be known now (no file
    yet, a family the closed form does not cover, a config the metadata job will reject with
    its own message)."""
    if config_json is None or not config_json.is_file():
        return None
    stat = config_json.stat()
    return _count_file(config_json, stat.st_mtime_ns, stat.st_size)


@cache
def _count_file(path: Path, mtime_ns: int, size: int) -> tuple[dict[str, Any], Count] | None:
    """Read once per file version: the budget and same_compute both need every model's
    count while the workflow is parsed (keyed by mtime and size, so an edit is re-read)."""
    try:
        raw = read_config_json(path)
        check_shapes(raw, str(path))
        count = family_count(raw)
    except (LmFootprintError, ValueError, TypeError, KeyError, OverflowError):
        return None
    return (raw, count) if count is not None else None


def closed_form_total(config_json: Path | None) -> int | None:
    """The exact parameter count from the closed form, or None (see readable_count)."""
    counted = readable_count(config_json)
    return counted[1].total if counted is not None else None


def over_budget(config_jsons: dict[str, Path | None], max_params: float) -> dict[str, int]:
    """{slug: exact count} of the models known now to be above the budget."""
    out = {}
    for slug, path in config_jsons.items():
        total = closed_form_total(path)
        if total is not None and budget_reason(total, max_params):
            out[slug] = total
    return out
