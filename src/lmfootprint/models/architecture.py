"""Architecture facts of a model from its config.json: exact parameter counts and shapes.

The count comes from transformers itself: the model class is instantiated on the ``meta``
device (no weights allocated) and ``sum(p.numel() for p in model.parameters())`` is taken,
which counts tied embeddings once. A closed form for decoder-only transformers is kept as a
fallback for model types transformers does not know; tests check it against transformers.
Remote code is never executed: a config with ``auto_map`` is read as data only.
"""

from __future__ import annotations

import json
import logging
import math
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lmfootprint.core.errors import LmFootprintError

log = logging.getLogger(__name__)

METHOD_TRANSFORMERS = "transformers-meta"
METHOD_CLOSED_FORM = "closed-form"


class ConfigJsonError(LmFootprintError):
    """config.json cannot be read or lacks what the count needs."""


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


def read_config_json(path: Path) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigJsonError(f"{path}: file not found") from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigJsonError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(raw, dict):
        raise ConfigJsonError(f"{path}: expected a JSON object, got {type(raw).__name__}")
    if not isinstance(raw.get("model_type"), str):
        raise ConfigJsonError(f"{path}: missing required field 'model_type'")
    return raw


def _first(raw: dict[str, Any], *keys: str, default: Any = None) -> Any:
    for key in keys:
        if raw.get(key) is not None:
            return raw[key]
    return default


STATED_SHAPES = {
    "hidden_size": ("hidden_size", "n_embd", "n_embed", "d_model"),
    "num_attention_heads": ("num_attention_heads", "n_head", "num_heads"),
    "num_hidden_layers": ("num_hidden_layers", "n_layer", "num_layers"),
    "vocab_size": ("vocab_size",),
}


def _shape_facts(raw: dict[str, Any], cfg: Any | None) -> dict[str, Any]:
    """Shapes read through transformers' attribute maps when a config object exists."""

    def get(attr: str, *raw_keys: str) -> Any:
        if cfg is not None:
            value = getattr(cfg, attr, None)
            if value is not None:
                return value
        return _first(raw, attr, *raw_keys)

    # the file must state the shapes: transformers would otherwise fill in its class defaults
    # (GPT-NeoX's 6,144 hidden, 44 layers) and the count would describe another model
    unstated = [
        name for name, keys in STATED_SHAPES.items() if all(raw.get(k) is None for k in keys)
    ]
    if unstated:
        raise ConfigJsonError(
            "missing required fields: "
            + ", ".join(
                f"{n} (or {' / '.join(STATED_SHAPES[n][1:])})" if len(STATED_SHAPES[n]) > 1 else n
                for n in unstated
            )
        )
    hidden = get(*STATED_SHAPES["hidden_size"])
    heads = get(*STATED_SHAPES["num_attention_heads"])
    layers = get(*STATED_SHAPES["num_hidden_layers"])
    vocab = get("vocab_size")
    missing = [
        n
        for n, v in {
            "hidden_size": hidden,
            "num_attention_heads": heads,
            "num_hidden_layers": layers,
            "vocab_size": vocab,
        }.items()
        if not isinstance(v, int) or v <= 0
    ]
    if missing:
        raise ConfigJsonError(f"missing or non-positive required fields: {', '.join(missing)}")
    kv_heads = get("num_key_value_heads", "n_head_kv", "num_kv_heads") or heads
    head_dim = get("head_dim", "d_kv") or hidden // heads
    context = _first(
        raw, "max_position_embeddings", "n_positions", "seq_length", "max_sequence_length"
    )
    is_enc_dec = bool(raw.get("is_encoder_decoder", False))
    n_dec = _first(raw, "num_decoder_layers", default=layers) if is_enc_dec else layers
    return {
        "hidden_size": int(hidden),
        "n_heads": int(heads),
        "n_layers": int(layers),
        "vocab_size": int(vocab),
        "n_kv_heads": int(kv_heads),
        "head_dim": int(head_dim),
        "context_length": int(context) if context else None,
        "is_encoder_decoder": is_enc_dec,
        "n_decoder_layers": int(n_dec),
    }


def _build_config(raw: dict[str, Any]) -> Any:
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


def _untied_head_params(raw: dict[str, Any], cfg: Any, model: Any) -> int:
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


def count_with_transformers(raw: dict[str, Any], cfg: Any | None = None) -> tuple[int, int, str]:
    """(total, embedding, architecture class) from a meta-device model."""
    cfg = cfg if cfg is not None else _build_config(raw)
    model = _instantiate_on_meta(cfg)
    head = _untied_head_params(raw, cfg, model)
    total = sum(p.numel() for p in model.parameters()) + head
    return int(total), int(_embedding_params(model)) + head, type(model).__name__


def closed_form_params(raw: dict[str, Any]) -> tuple[int, int]:
    """(total, embedding) for a decoder-only transformer, from shapes alone.

    Covers the Llama/Mistral/Qwen2 family (gated MLP, RMSNorm, no biases) and the
    GPT-NeoX/BLOOM/GPT-2 family (dense MLP, LayerNorm, biases). Used only when transformers
    cannot build the model; the result is labelled ``closed-form``.
    """
    s = _shape_facts(raw, None)
    h, L, V = s["hidden_size"], s["n_layers"], s["vocab_size"]
    q_dim = s["n_heads"] * s["head_dim"]
    kv_dim = s["n_kv_heads"] * s["head_dim"]
    inter = _first(raw, "intermediate_size", "n_inner", "ffn_dim") or 4 * h
    tie = bool(raw.get("tie_word_embeddings", True))
    gated = raw.get("hidden_act", raw.get("activation_function", "")) in ("silu", "swiglu") or (
        raw.get("model_type") in ("llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2", "phi3")
    )
    if gated:  # RMSNorm (weight only), no biases unless attention_bias
        attn_bias = bool(raw.get("attention_bias", False)) or raw.get("model_type") == "qwen2"
        attn = h * q_dim + 2 * h * kv_dim + q_dim * h
        if attn_bias:
            attn += q_dim + 2 * kv_dim
        mlp = 3 * h * inter
        per_layer = attn + mlp + 2 * h
        final_norm = h
    else:  # LayerNorm (weight+bias), biases everywhere
        attn = h * (q_dim + 2 * kv_dim) + (q_dim + 2 * kv_dim) + q_dim * h + h
        mlp = 2 * h * inter + inter + h
        per_layer = attn + mlp + 4 * h
        final_norm = 2 * h
    embed = V * h * (1 if tie else 2)
    extra = 0
    if raw.get("model_type") == "bloom":  # embedding LayerNorm
        extra += 2 * h
    if raw.get("model_type") == "gpt2":  # learned positions
        extra += int(_first(raw, "n_positions", default=1024)) * h
    total = embed + L * per_layer + final_norm + extra
    return int(total), int(embed)


def architecture_from_config(raw: dict[str, Any], source: str = "config.json") -> Architecture:
    """All architecture facts of one config.json; see the module docstring for the method."""
    try:
        cfg = _build_config(raw)
    except (ValueError, KeyError, TypeError) as exc:
        log.warning(
            "%s: transformers cannot parse model_type %r (%s); using the closed form",
            source,
            raw.get("model_type"),
            exc,
        )
        cfg = None
    try:
        shapes = _shape_facts(raw, cfg)
    except ConfigJsonError as exc:
        raise ConfigJsonError(f"{source}: {exc}") from exc
    if cfg is not None:
        total, embedding, arch_name = count_with_transformers(raw, cfg)
        method = METHOD_TRANSFORMERS
        tie = bool(raw.get("tie_word_embeddings", getattr(cfg, "tie_word_embeddings", False)))
    else:
        total, embedding = closed_form_params(raw)
        arch_name = (raw.get("architectures") or [raw["model_type"]])[0]
        method = METHOD_CLOSED_FORM
        tie = bool(raw.get("tie_word_embeddings", True))
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


def human_params(n: float) -> str:
    """135M, 1.7B, 405B: the labels people use."""
    if n <= 0 or math.isnan(n):
        return "?"
    for unit, div in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= div:
            v = n / div
            return f"{v:.4g}{unit}"
    return str(int(n))
