"""Exact parameter counts in closed form, for the decoder families the shipped configs use.

For Llama, Mistral, Qwen2/3, Gemma/Gemma 2, Phi-3, StarCoder2, GPT-2, GPT-NeoX and BLOOM the
count is a closed form over the shapes, reading absent fields at transformers' own class
defaults; a unit test checks it equal, to the parameter, to ``sum(p.numel() for p in
model.parameters())`` of the transformers model built on the ``meta`` device, for every
shipped config and for variants of each option the form reads. It needs neither torch nor
transformers, so a metadata job costs a fraction of a second instead of the ~10 s of
importing them. :func:`generic_count` is the generic decoder form: the assumption for a model
type transformers does not know, and the size estimate that bounds a config before
transformers builds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lmfootprint.models.config_json import first_stated, shape_facts, show

METHOD_CLOSED_FORM = "closed-form"


FROM_HEADS = "<num_attention_heads>"  # a default the config class derives from the heads
FROM_SHAPE = "<hidden_size // num_attention_heads>"


@dataclass(frozen=True)
class Family:
    """What one transformers model class builds, as far as its parameter count goes.

    ``defaults`` are the config class's defaults for every field the count reads (checked
    against transformers in the tests); ``aliases`` the other spellings the class accepts;
    ``null_ok`` the fields whose explicit null the class resolves (others are left to
    transformers). Layer kinds: ``gated`` (q/k/v/o, gate/up/down MLP, RMSNorm weights),
    ``starcoder2``, ``gpt_neox``, ``gpt2``, ``bloom`` (LayerNorm with bias, dense MLP).
    """

    causal_lm: str
    kind: str
    defaults: Mapping[str, Any]
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    null_ok: frozenset[str] = frozenset({"num_key_value_heads"})
    attn_bias: str | None = None  # 'attention_bias' (q,k,v,o) | 'qkv' (always q,k,v) | None
    mlp_bias: bool = False  # reads mlp_bias (gate, up, down)
    norms_per_layer: int = 2
    qk_norm: bool = False  # per-head RMSNorm on q and k (Qwen3)


_CORE = ("hidden_size", "num_attention_heads", "num_hidden_layers", "vocab_size")
_LLAMA_ALIKE = {"head_dim": FROM_SHAPE, "num_key_value_heads": FROM_HEADS}

FAMILIES: dict[str, Family] = {
    "llama": Family(
        "LlamaForCausalLM",
        "gated",
        {**_LLAMA_ALIKE, "intermediate_size": 11008, "tie_word_embeddings": False,
         "attention_bias": False, "mlp_bias": False},
        null_ok=frozenset({"num_key_value_heads", "head_dim"}),
        attn_bias="attention_bias",
        mlp_bias=True,
    ),
    "mistral": Family(
        "MistralForCausalLM",
        "gated",
        {"head_dim": FROM_SHAPE, "num_key_value_heads": 8, "intermediate_size": 14336,
         "tie_word_embeddings": False},
        null_ok=frozenset({"head_dim"}),
    ),
    "qwen2": Family(
        "Qwen2ForCausalLM",
        "gated",
        {"head_dim": FROM_SHAPE, "num_key_value_heads": 32, "intermediate_size": 22016,
         "tie_word_embeddings": False},
        attn_bias="qkv",
    ),
    "qwen3": Family(
        "Qwen3ForCausalLM",
        "gated",
        {"head_dim": 128, "num_key_value_heads": 32, "intermediate_size": 22016,
         "tie_word_embeddings": False, "attention_bias": False},
        attn_bias="attention_bias",
        qk_norm=True,
    ),
    "gemma": Family(
        "GemmaForCausalLM",
        "gated",
        {"head_dim": 256, "num_key_value_heads": 16, "intermediate_size": 24576,
         "tie_word_embeddings": True, "attention_bias": False},
        null_ok=frozenset(),
        attn_bias="attention_bias",
    ),
    "gemma2": Family(
        "Gemma2ForCausalLM",
        "gated",
        {"head_dim": 256, "num_key_value_heads": 4, "intermediate_size": 9216,
         "tie_word_embeddings": True, "attention_bias": False},
        null_ok=frozenset(),
        attn_bias="attention_bias",
        norms_per_layer=4,
    ),
    "phi3": Family(
        "Phi3ForCausalLM",
        "gated",
        {"head_dim": FROM_SHAPE, "num_key_value_heads": FROM_HEADS, "intermediate_size": 8192,
         "tie_word_embeddings": False},
    ),
    "starcoder2": Family(
        "Starcoder2ForCausalLM",
        "starcoder2",
        {"head_dim": FROM_SHAPE, "num_key_value_heads": 2, "intermediate_size": 12288,
         "tie_word_embeddings": True, "use_bias": True},
        null_ok=frozenset(),
    ),
    "gpt_neox": Family(
        "GPTNeoXForCausalLM",
        "gpt_neox",
        {"intermediate_size": 24576, "tie_word_embeddings": False, "attention_bias": True},
        null_ok=frozenset(),
    ),
    "gpt2": Family(
        "GPT2LMHeadModel",
        "gpt2",
        {"n_inner": None, "max_position_embeddings": 1024, "tie_word_embeddings": True,
         "add_cross_attention": False},
        aliases={
            "hidden_size": ("n_embd",),
            "num_attention_heads": ("n_head",),
            "num_hidden_layers": ("n_layer",),
            "max_position_embeddings": ("n_positions",),
        },
        null_ok=frozenset({"n_inner"}),
    ),
    "bloom": Family(
        "BloomForCausalLM",
        "bloom",
        {"tie_word_embeddings": True},
        aliases={
            "hidden_size": ("n_embed",),
            "num_attention_heads": ("n_head",),
            "num_hidden_layers": ("n_layer",),
        },
        null_ok=frozenset(),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Count:
    total: int
    embedding: int
    architecture: str
    fields: dict[str, Any]  # the resolved fields, as the config object would hold them


def _resolve(raw: Mapping[str, Any], fam: Family) -> dict[str, Any] | None:
    """Every field the count reads, as transformers' config class would hold it; None when
    that is not certain (a spelling conflict, a null the class does not resolve, a core
    shape stated only under a name this class ignores)."""
    out: dict[str, Any] = {}
    for name in (*_CORE, *fam.defaults):
        keys = (name, *fam.aliases.get(name, ()))
        stated = {k: raw[k] for k in keys if k in raw}
        if len({show(v, 10**6) for v in stated.values()}) > 1:
            return None
        if stated:
            value = next(iter(stated.values()))
            if value is None and name not in fam.null_ok:
                return None
        elif name in _CORE:
            return None
        else:
            value = fam.defaults[name]
        out[name] = value
    heads, hidden = out["num_attention_heads"], out["hidden_size"]
    if out.get("num_key_value_heads", 0) in (None, FROM_HEADS):
        out["num_key_value_heads"] = heads
    if "head_dim" in out and out["head_dim"] in (None, FROM_SHAPE):
        out["head_dim"] = hidden // heads
    return out


def family_count(raw: Mapping[str, Any]) -> Count | None:
    """Exact (total, embedding) for a known family, or None (unknown family or an option
    the form does not cover): the caller then builds the model with transformers."""
    fam = FAMILIES.get(str(raw.get("model_type")))
    f = _resolve(raw, fam) if fam else None
    if fam is None or f is None:
        return None
    h, L, V, H = f["hidden_size"], f["num_hidden_layers"], f["vocab_size"], f["num_attention_heads"]
    tie = f["tie_word_embeddings"]
    if fam.kind in ("gated", "starcoder2"):
        d = f["head_dim"]
        q, kv, inter = H * d, f["num_key_value_heads"] * d, f["intermediate_size"]
        attn = h * q + 2 * h * kv + q * h
        if fam.kind == "starcoder2":
            bias = f["use_bias"]
            attn += (q + 2 * kv + h) if bias else 0
            mlp = 2 * h * inter + ((inter + h) if bias else 0)
            norms, final = 2 * 2 * h, 2 * h
        else:
            if fam.attn_bias == "qkv" or (fam.attn_bias and f[fam.attn_bias]):
                attn += q + 2 * kv + (h if fam.attn_bias == "attention_bias" else 0)
            mlp = 3 * h * inter + ((2 * inter + h) if fam.mlp_bias and f["mlp_bias"] else 0)
            norms = fam.norms_per_layer * h + (2 * d if fam.qk_norm else 0)
            final = h
        per_layer, extra = attn + mlp + norms, 0
    elif fam.kind == "gpt_neox":
        inter = f["intermediate_size"]
        attn = 3 * h * h + h * h + ((3 * h + h) if f["attention_bias"] else 0)
        per_layer = attn + 2 * h * inter + inter + h + 2 * 2 * h
        final, extra = 2 * h, 0
    elif fam.kind == "gpt2":
        if f["add_cross_attention"]:
            return None
        inter = f["n_inner"] if f["n_inner"] is not None else 4 * h
        per_layer = 2 * 2 * h + (3 * h * h + 3 * h) + (h * h + h) + (2 * h * inter + inter + h)
        final, extra = 2 * h, f["max_position_embeddings"] * h  # learned positions
    elif fam.kind == "bloom":
        inter = 4 * h
        per_layer = 2 * 2 * h + (3 * h * h + 3 * h) + (h * h + h) + (2 * h * inter + inter + h)
        final, extra = 2 * h, 2 * h  # embedding LayerNorm
    else:  # pragma: no cover - FAMILIES only names the kinds above
        raise AssertionError(fam.kind)
    embedding = V * h * (1 if tie else 2)
    total = embedding + L * per_layer + final + extra
    return Count(int(total), int(embedding), fam.causal_lm, f)


def generic_count(raw: Mapping[str, Any]) -> tuple[int, int]:
    """(total, embedding) of a generic decoder-only transformer, from shapes alone.

    For model types transformers does not know (an assumption, labelled ``closed-form`` and
    warned about), and as the size estimate that bounds a config before transformers builds
    it (encoder layers and experts are added for that). Covers the Llama/Mistral/Qwen2 family
    (gated MLP, RMSNorm, no biases) and the GPT-NeoX/BLOOM/GPT-2 family (dense MLP,
    LayerNorm, biases).
    """
    s = shape_facts(raw, None)
    h, L, V = s["hidden_size"], s["n_layers"], s["vocab_size"]
    if s["is_encoder_decoder"]:
        L += s["n_decoder_layers"]
    q_dim = s["n_heads"] * s["head_dim"]
    kv_dim = s["n_kv_heads"] * s["head_dim"]
    inter = first_stated(raw, "intermediate_size", "n_inner", "ffn_dim", "d_ff") or 4 * h
    experts = max(1, first_stated(raw, "num_local_experts", "num_experts", "n_routed_experts") or 1)
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
        per_layer = attn + experts * mlp + 2 * h
        final_norm = h
    else:  # LayerNorm (weight+bias), biases everywhere
        attn = h * (q_dim + 2 * kv_dim) + (q_dim + 2 * kv_dim) + q_dim * h + h
        mlp = 2 * h * inter + inter + h
        per_layer = attn + experts * mlp + 4 * h
        final_norm = 2 * h
    embed = V * h * (1 if tie else 2)
    extra = 0
    if raw.get("model_type") == "bloom":  # embedding LayerNorm
        extra += 2 * h
    if raw.get("model_type") == "gpt2":  # learned positions
        extra += int(first_stated(raw, "n_positions", default=1024)) * h
    return int(embed + L * per_layer + final_norm + extra), int(embed)


def closed_form_params(raw: Mapping[str, Any]) -> tuple[int, int]:
    """(total, embedding) without building anything: the family form, else the generic one."""
    exact = family_count(raw)
    return (exact.total, exact.embedding) if exact else generic_count(raw)
