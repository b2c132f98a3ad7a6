"""Models whose benchmark would run the same computation, measured once.

A Hub model is benchmarked with random-init weights at a forced output length, so two models
with the same architecture and shapes (a base model and its instruct or second release, e.g.
SmolLM-360M and SmolLM2-360M) would give the same measurement twice: the same tensors in the
same order, only the weight values differ. The first one in the config is measured; the
others get no job, and the inference table writes their rows as skipped with the reason
naming the measured one. Models from a local folder keep their own job (their own weights,
which the user asked to measure). Standard library only: this runs while Snakemake parses
the workflow.
"""

from __future__ import annotations

import json
from pathlib import Path

from lmfootprint.benchmark.budget import readable_count

# Options that change what a forward pass computes, read as the file states them (an absent
# key and an explicit default count as different: at worst a model is measured twice).
COMPUTE_OPTIONS = (
    "hidden_act",
    "hidden_activation",
    "activation_function",
    "sliding_window",
    "use_sliding_window",
    "rope_scaling",
    "rotary_pct",
    "partial_rotary_factor",
    "attn_logit_softcapping",
    "final_logit_softcapping",
    "layer_types",
)


def compute_signature(config_json: Path | None) -> str | None:
    """The architecture, every shape the closed form resolves and the options above, as one
    string; None when the closed form cannot resolve the config (then no model is merged)."""
    counted = readable_count(config_json)
    if counted is None:
        return None
    raw, count = counted
    options = {k: raw[k] for k in COMPUTE_OPTIONS if k in raw}
    return json.dumps(
        [count.architecture, count.total, count.fields, options], sort_keys=True, default=str
    )


def same_compute(config_jsons: dict[str, Path | None]) -> dict[str, str]:
    """{slug: slug of the model measured for it}, for every model after the first of a group
    with one signature (``config_jsons`` in config order)."""
    first: dict[str, str] = {}
    out: dict[str, str] = {}
    for slug, path in config_jsons.items():
        signature = compute_signature(path)
        if signature is None:
            continue
        if signature in first:
            out[slug] = first[signature]
        else:
            first[signature] = slug
    return out


def same_compute_reason(measured_model_id: str, params_total: int) -> str:
    return (
        f"the same architecture and shapes as {measured_model_id} ({params_total:,} "
        "parameters), measured once: its rows are this model's (random-init weights, forced "
        "output length)"
    )
