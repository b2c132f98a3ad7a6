"""Parameter counts of the model transformers builds on the ``meta`` device (no weights).

For the model types the closed form (models.closed_form) does not cover (T5, Falcon, ...):
the config object is built by transformers (remote code never runs), the model instantiated
on the meta device and its parameters summed, tied embeddings once. torch and transformers
are imported only here, and only when such a config comes.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from typing import Any

from lmfootprint.models.config_json import ConfigJsonError

log = logging.getLogger(__name__)

METHOD_TRANSFORMERS = "transformers-meta"


def build_config(raw: Mapping[str, Any]) -> Any:
    from transformers import AutoConfig

    clean = {k: v for k, v in raw.items() if k not in ("auto_map", "_name_or_path")}
    model_type = clean.pop("model_type")
    return AutoConfig.for_model(model_type, **clean)


def _instantiate_on_meta(cfg: Any) -> Any:
    import torch
    from transformers import (
        AutoModel,
        AutoModelForCausalLM,
        AutoModelForSeq2SeqLM,
    )

    errors = []
    with torch.device("meta"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for auto in (AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoModel):
            try:
                return auto.from_config(cfg, trust_remote_code=False)
            except (ValueError, KeyError) as exc:
                errors.append(f"{auto.__name__}: {exc}")
    raise ConfigJsonError("transformers has no model class for this config: " + "; ".join(errors))


def _embedding_params(model: Any) -> int:
    inp = model.get_input_embeddings()
    out = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    n = inp.weight.numel() if inp is not None else 0
    if (
        out is not None
        and getattr(out, "weight", None) is not None
        and out.weight is not inp.weight
    ):
        n += out.weight.numel()
    return n


def _untied_head_params(raw: Mapping[str, Any], cfg: Any, model: Any) -> int:
    """Parameters of an output head that the file keeps separate but transformers tied.

    Some config classes override the file's ``tie_word_embeddings`` (T5 in transformers 5
    reports True where flan-t5-xxl's file says false), and setting it to False there also
    unties the encoder/decoder embeddings, which the checkpoint does share. So the model is
    built as transformers defines it and only the head is added back: the published
    checkpoint has exactly one extra matrix.
    """
    if raw.get("tie_word_embeddings", True) or not getattr(cfg, "tie_word_embeddings", False):
        return 0
    out = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    inp = model.get_input_embeddings()
    if out is None or inp is None or out.weight is not inp.weight:
        return 0
    return int(out.weight.numel())


def count_with_transformers(raw: Mapping[str, Any], cfg: Any | None = None) -> tuple[int, int, str]:
    """(total, embedding, architecture class) from a meta-device model."""
    cfg = cfg if cfg is not None else build_config(raw)
    model = _instantiate_on_meta(cfg)
    head = _untied_head_params(raw, cfg, model)
    total = sum(p.numel() for p in model.parameters()) + head
    return int(total), int(_embedding_params(model)) + head, type(model).__name__


def transformers_config(raw: Mapping[str, Any], source: str) -> Any | None:
    """transformers' config object, or None for a model type it does not know."""
    try:
        return build_config(raw)
    except (ValueError, KeyError, TypeError) as exc:
        log.warning(
            "%s: transformers cannot parse model_type %r (%s); using the generic decoder "
            "closed form, which assumes a Llama- or GPT-like layout",
            source,
            raw.get("model_type"),
            exc,
        )
        return None
