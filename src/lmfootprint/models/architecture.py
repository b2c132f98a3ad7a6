"""Architecture facts of a model from its config.json: exact parameter counts and shapes.

Three steps, each its own module: the file is read and its shapes bounded
(models.config_json); the count is a closed form for the decoder families the shipped configs
use (models.closed_form), checked to the parameter against transformers in the tests; other
model types are built by transformers on the ``meta`` device (models.meta_device, labelled
``transformers-meta``); a model type transformers does not know gets the generic decoder
closed form, an assumption, and a warning in the log. This module puts them together into one
:class:`Architecture` per config.json.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from types import SimpleNamespace
from typing import Any

from lmfootprint.models.closed_form import (
    METHOD_CLOSED_FORM,
    Count,
    family_count,
    generic_count,
)
from lmfootprint.models.config_json import (
    ConfigJsonError,
    check_shapes,
    check_total,
    read_config_json,
    require_stated,
    shape_facts,
)
from lmfootprint.models.meta_device import (
    METHOD_TRANSFORMERS,
    count_with_transformers,
    transformers_config,
)

# the benchmark stage reads a config.json and its closed-form count through this module
__all__ = [
    "METHOD_CLOSED_FORM",
    "METHOD_TRANSFORMERS",
    "Architecture",
    "ConfigJsonError",
    "Count",
    "architecture_from_config",
    "check_shapes",
    "family_count",
    "read_config_json",
]


@dataclass(frozen=True)
class Architecture:
    model_type: str
    architecture: str
    params_total: int
    params_embedding: int
    params_non_embedding: int
    params_method: str
    n_layers: int
    hidden_size: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    vocab_size: int
    context_length: int | None
    tie_word_embeddings: bool
    is_encoder_decoder: bool
    n_decoder_layers: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def architecture_from_config(raw: Mapping[str, Any], source: str = "config.json") -> Architecture:
    """All architecture facts of one config.json; see the module docstring for the method."""
    check_shapes(raw, source)
    try:
        require_stated(raw)
    except ConfigJsonError as exc:
        raise ConfigJsonError(f"{source}: {exc}") from None
    exact = family_count(raw)
    if exact is not None:
        check_total(exact.total, raw, source)
        cfg: Any = SimpleNamespace(**{**raw, **exact.fields})
        total, embedding, arch_name = exact.total, exact.embedding, exact.architecture
        method = METHOD_CLOSED_FORM
        tie = bool(exact.fields["tie_word_embeddings"])
    else:
        check_total(_guarded(generic_count, raw, source)[0], raw, source)
        cfg = transformers_config(raw, source)
        if cfg is not None:
            total, embedding, arch_name = _guarded(count_with_transformers, raw, source, cfg)
            method = METHOD_TRANSFORMERS
            tie = bool(raw.get("tie_word_embeddings", getattr(cfg, "tie_word_embeddings", False)))
        else:
            total, embedding = generic_count(raw)
            arch_name = (raw.get("architectures") or [raw["model_type"]])[0]
            method = METHOD_CLOSED_FORM
            tie = bool(raw.get("tie_word_embeddings", True))
    shapes = _guarded(shape_facts, raw, source, cfg)
    return Architecture(
        model_type=str(raw["model_type"]),
        architecture=str(arch_name),
        params_total=total,
        params_embedding=embedding,
        params_non_embedding=total - embedding,
        params_method=method,
        tie_word_embeddings=tie,
        **shapes,
    )


def _guarded(fn: Any, raw: Mapping[str, Any], source: str, *args: Any) -> Any:
    """Run one step; a problem with the config becomes one ConfigJsonError naming the file."""
    try:
        return fn(raw, *args)
    except ConfigJsonError as exc:
        raise ConfigJsonError(f"{source}: {exc}") from None
    except MemoryError:
        raise  # the job's memory limit reports it
    except Exception as exc:  # transformers/torch rejecting the shapes: say so, no traceback
        raise ConfigJsonError(
            f"{source}: transformers cannot build model_type {raw.get('model_type')!r} from "
            f"this config: {type(exc).__name__}: {exc}"
        ) from None
