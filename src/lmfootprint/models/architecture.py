"""Architecture facts of a model from its config.json: exact parameter counts and shapes.

The count is exact. For the decoder families the shipped configs use (Llama, Mistral, Qwen2/3,
Gemma/Gemma 2, Phi-3, StarCoder2, GPT-2, GPT-NeoX, BLOOM) it is a closed form over the shapes,
reading absent fields at transformers' own class defaults; a unit test checks it equal, to the
parameter, to ``sum(p.numel() for p in model.parameters())`` of the transformers model built
on the ``meta`` device, for every shipped config and for variants of each option the form
reads. It needs neither torch nor transformers, so a metadata job costs a fraction of a second
instead of the ~10 s of importing them. Other model types (T5, Falcon, ...) are built on the
meta device as before (labelled ``transformers-meta``); a model type transformers does not know
gets the generic decoder closed form, an assumption, and a warning in the log.

Shapes are bounded before anything is built or multiplied (:func:`check_shapes`), so a typo
like a billion layers is one message naming the field instead of an out-of-memory crash.
Remote code is never executed: a config with ``auto_map`` is read as data only.
"""

from __future__ import annotations

import json
import logging
import math
import re
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.limits import (
    MAX_CONFIG_BYTES,
    MAX_DIM,
    MAX_JSON_DEPTH,
    MAX_LAYERS,
    MAX_PARAMS,
)
from lmfootprint.core.paths import not_a_file

log = logging.getLogger(__name__)

METHOD_TRANSFORMERS = "transformers-meta"
METHOD_CLOSED_FORM = "closed-form"


class ConfigJsonError(LmFootprintError):
    """config.json cannot be read, lacks what the count needs, or describes no real model."""


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


# -- reading ---------------------------------------------------------------------------------


def _show(value: Any, limit: int = 60) -> str:
    """A value as the file spells it (JSON), cut short."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_TOKEN_RE = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')


def _deep_field(text: str, limit: int = MAX_JSON_DEPTH) -> str:
    """The field where JSON text first nests deeper than ``limit`` (scanned, not parsed: the
    parser itself is what fails on such input)."""
    stack: list[str] = []  # one entry per open container: its field name or '[i]'
    key: str | None = None
    for match in _TOKEN_RE.finditer(text):
        token = match.group()
        if token in "{[":
            if key is not None:
                stack.append(key)
            elif stack and stack[-1].startswith("["):
                stack.append("[0]")
            else:
                stack.append("[0]" if stack else "")
            key = None
            if len(stack) > limit:
                break
        elif token in "}]":
            if stack:
                stack.pop()
            key = None
        elif token.startswith('"'):
            key = token[1:-1]
        elif token == ",":
            key = None
    shown = "".join(p if p.startswith("[") else f".{p}" for p in stack[1 : 1 + 6] if p)
    return (shown.lstrip(".") + ("..." if len(stack) > 7 else "")) or "<top level>"


def _depth(obj: Any) -> tuple[int, str]:
    """Deepest nesting of parsed JSON and the top-level field it is under (iterative)."""
    deepest, where = 0, ""
    todo: list[tuple[Any, int, str]] = [(obj, 1, "")]
    while todo:
        node, depth, top = todo.pop()
        if depth > deepest:
            deepest, where = depth, top
        if depth > MAX_JSON_DEPTH:
            break
        if isinstance(node, dict):
            todo.extend((v, depth + 1, top or str(k)) for k, v in node.items() if _nests(v))
        elif isinstance(node, list):
            todo.extend((v, depth + 1, top) for v in node if _nests(v))
    return deepest, where


def _nests(value: Any) -> bool:
    return isinstance(value, dict | list)


def read_config_json(path: Path) -> dict[str, Any]:
    """The parsed config.json; a file that is too large, not UTF-8, not JSON or nested
    absurdly deep is one ConfigJsonError naming the file and what is wrong."""
    path = Path(path)
    problem = not_a_file(path)
    if problem is not None:  # a FIFO would block the read forever; a directory is no file
        raise ConfigJsonError(f"{path}: {problem}")
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigJsonError(
                f"{path}: {size:,} bytes, more than the {MAX_CONFIG_BYTES:,} a config.json may "
                "have (real ones are a few kB); is this the model's config.json?"
            )
        with path.open("rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError as exc:
        raise ConfigJsonError(f"{path}: file not found") from exc
    except IsADirectoryError as exc:
        raise ConfigJsonError(f"{path}: is a directory, not a config.json file") from exc
    except OSError as exc:
        raise ConfigJsonError(f"{path}: cannot be read ({exc.strerror})") from None
    if len(data) > MAX_CONFIG_BYTES:  # grew after the stat
        raise ConfigJsonError(f"{path}: more than the {MAX_CONFIG_BYTES:,} bytes allowed")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigJsonError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "a config.json is JSON text, is this a binary file?"
        ) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigJsonError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise ConfigJsonError(
            f"{path}: field '{_deep_field(text)}' is nested more than {MAX_JSON_DEPTH} levels "
            "deep; a config.json nests a few levels"
        ) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise ConfigJsonError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise ConfigJsonError(f"{path}: expected a JSON object, got {type(raw).__name__}")
    depth, top = _depth(raw)
    if depth > MAX_JSON_DEPTH:
        raise ConfigJsonError(
            f"{path}: field '{top}' is nested more than {MAX_JSON_DEPTH} levels deep; "
            "a config.json nests a few levels"
        )
    if not isinstance(raw.get("model_type"), str):
        got = f" (got {_show(raw['model_type'])})" if "model_type" in raw else ""
        raise ConfigJsonError(f"{path}: missing required field 'model_type'{got}")
    problems = dtype_problems(raw)
    if problems:
        raise ConfigJsonError(f"{path}: " + "; ".join(problems))
    return raw


# -- dtype names -----------------------------------------------------------------------------

# The names transformers accepts for a config's ``torch_dtype`` / ``dtype``: it turns the string
# into ``getattr(torch, name)``, so exactly torch's dtype attributes (torch 2.13; a unit test
# checks this list against the installed torch). Kept here so that reading a config.json needs
# no torch import; any other spelling ("bf16", "auto") is an AttributeError deep in transformers.
TORCH_DTYPE_NAMES = frozenset((
    "bfloat16", "bit", "bits16", "bits1x8", "bits2x4", "bits4x2", "bits8", "bool", "cdouble",
    "cfloat", "chalf", "complex128", "complex32", "complex64", "double", "float", "float16",
    "float32", "float4_e2m1fn_x2", "float64", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2",
    "float8_e5m2fnuz", "float8_e8m0fnu", "half", "int", "int1", "int16", "int2", "int3", "int32",
    "int4", "int5", "int6", "int64", "int7", "int8", "long", "qint32", "qint8", "quint2x4",
    "quint4x2", "quint8", "short", "uint1", "uint16", "uint2", "uint3", "uint32", "uint4", "uint5",
    "uint6", "uint64", "uint7", "uint8",
))  # fmt: skip
DTYPE_FIELDS = ("torch_dtype", "dtype")
# what people write for the names transformers wants
DTYPE_SPELLINGS = {
    "bf16": "bfloat16", "fp16": "float16", "f16": "float16", "fp32": "float32",
    "f32": "float32", "fp64": "float64", "f64": "float64", "i8": "int8",
}  # fmt: skip


def _dtype_problem(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and value in TORCH_DTYPE_NAMES):
        return None
    if not isinstance(value, str):
        return 'expected a torch dtype name such as "bfloat16"'
    hint = DTYPE_SPELLINGS.get(value.lower())
    if hint is None and value.lower() in TORCH_DTYPE_NAMES:
        hint = value.lower()
    return "not a dtype name transformers accepts" + (
        f' (write "{hint}")' if hint else ' (such as "bfloat16", "float16", "float32")'
    )


def dtype_problems(raw: Mapping[str, Any], prefix: str = "") -> list[str]:
    """'field = value: what is wrong' for each ``torch_dtype`` / ``dtype`` that transformers would
    fail on, here and in sub-configs (``text_config``, ...); a per-sub-config dict of names is
    checked name by name."""
    problems = []
    for key, value in raw.items():
        where = f"{prefix}{key}"
        if key in DTYPE_FIELDS and isinstance(value, dict):
            for sub, name in value.items():
                if name is not None and not isinstance(name, dict):
                    problem = _dtype_problem(name)
                    if problem:
                        problems.append(f"field '{where}.{sub}' = {_show(name)}: {problem}")
        elif key in DTYPE_FIELDS and not (prefix and isinstance(value, int)):
            # (a nested "dtype": <int> is a token id of a vocabulary map, not a dtype)
            problem = _dtype_problem(value)
            if problem:
                problems.append(f"field '{where}' = {_show(value)}: {problem}")
        elif isinstance(value, dict) and key.endswith("config"):
            problems += dtype_problems(value, f"{where}.")
    return problems


# -- bounds ----------------------------------------------------------------------------------

# widths, head counts, vocabularies, positions: positive whole numbers up to MAX_DIM
DIM_FIELDS = (
    "hidden_size", "n_embd", "n_embed", "d_model", "intermediate_size", "n_inner", "ffn_dim",
    "d_ff", "num_attention_heads", "n_head", "num_heads", "num_key_value_heads", "n_head_kv",
    "num_kv_heads", "head_dim", "d_kv", "vocab_size", "max_position_embeddings",
    "n_positions", "seq_length", "max_sequence_length", "moe_intermediate_size",
)  # fmt: skip
# counts of built modules: positive up to MAX_LAYERS
LAYER_FIELDS = ("num_hidden_layers", "n_layer", "num_layers")
# counts that may be 0 (an encoder-only stack, a dense model's expert count)
COUNT_FIELDS = (
    "num_decoder_layers", "num_encoder_layers", "num_local_experts", "num_experts",
    "n_routed_experts", "num_experts_per_tok",
)  # fmt: skip
BOOL_FIELDS = (
    "tie_word_embeddings", "attention_bias", "mlp_bias", "use_bias", "add_cross_attention",
    "is_encoder_decoder", "qkv_bias", "bias", "parallel_attn", "new_decoder_architecture",
    "multi_query",
)  # fmt: skip


def _field_problem(name: str, value: Any) -> str | None:
    if value is None:
        return None  # absent: the class default applies
    if name in BOOL_FIELDS:
        return None if isinstance(value, bool) else "expected true or false"
    if isinstance(value, bool) or not isinstance(value, int):
        return "expected a whole number"
    lowest = 0 if name in COUNT_FIELDS else 1
    highest = MAX_DIM if name in DIM_FIELDS else MAX_LAYERS
    if value < lowest:
        return f"expected at least {lowest}"
    if value > highest:
        what = "any width or size" if name in DIM_FIELDS else "a count of layers or experts"
        return f"expected at most {highest:,} ({what}; the largest real models are far below)"
    return None


def shape_problems(raw: Mapping[str, Any], prefix: str = "") -> list[str]:
    """'field = value: what is wrong' for every shape field, here and in nested sub-configs
    (text_config, ...), that is not a sane whole number (or, for flags, not true/false)."""
    problems = []
    for key, value in raw.items():
        where = f"{prefix}{key}"
        if isinstance(value, dict):
            problems += shape_problems(value, f"{where}.")
        elif key in BOOL_FIELDS and prefix:
            continue  # a nested 'bias' may be a quantiser's string, not the model's flag
        elif key in DIM_FIELDS or key in LAYER_FIELDS or key in COUNT_FIELDS or key in BOOL_FIELDS:
            problem = _field_problem(key, value)
            if problem:
                problems.append(f"field '{where}' = {_show(value)}: {problem}")
    return problems


def check_shapes(raw: Mapping[str, Any], source: str) -> None:
    """Refuse, before any count or build, shapes no model has (see core.limits)."""
    problems = shape_problems(raw)
    if problems:
        raise ConfigJsonError(f"{source}: " + "; ".join(problems))


# the largest value of each shape among published dense models (Llama 3.1 405B, PaLM 540B,
# Megatron-Turing 530B, Gemma 3): a field far above its mark is the likely typo
PUBLISHED_MAX = {
    "hidden_size": 20_480, "n_embd": 20_480, "n_embed": 20_480, "d_model": 20_480,
    "intermediate_size": 73_728, "n_inner": 73_728, "ffn_dim": 73_728, "d_ff": 73_728,
    "num_hidden_layers": 128, "n_layer": 128, "num_layers": 128, "num_decoder_layers": 128,
    "vocab_size": 262_144, "num_attention_heads": 128, "n_head": 128, "num_heads": 128,
    "num_key_value_heads": 128, "head_dim": 256, "d_kv": 256,
    "n_positions": 1_048_576, "max_position_embeddings": 1_048_576,
}  # fmt: skip


def _check_total(total: int, raw: Mapping[str, Any], source: str) -> None:
    """Refuse a count above MAX_PARAMS, naming the field furthest above published models."""
    if total <= MAX_PARAMS:
        return
    stated = {
        k: v
        for k, v in raw.items()
        if k in PUBLISHED_MAX and isinstance(v, int) and not isinstance(v, bool)
    }
    worst = max(stated, key=lambda k: stated[k] / PUBLISHED_MAX[k], default=None)
    blame = (
        f"; field '{worst}' = {stated[worst]:,} is {stated[worst] / PUBLISHED_MAX[worst]:,.0f}x "
        f"the largest published ({PUBLISHED_MAX[worst]:,}), the likely typo"
        if worst is not None and stated[worst] > PUBLISHED_MAX[worst]
        else ""
    )
    shapes = ", ".join(f"{k} = {v:,}" for k, v in stated.items())
    raise ConfigJsonError(
        f"{source}: these shapes ({shapes}) give {total:.3g} parameters, more than the "
        f"{MAX_PARAMS:.0e} of any real model{blame}"
    )


# -- shapes ----------------------------------------------------------------------------------


def _first(raw: Mapping[str, Any], *keys: str, default: Any = None) -> Any:
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


def _require_stated(raw: Mapping[str, Any]) -> None:
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


def _shape_facts(raw: Mapping[str, Any], cfg: Any | None) -> dict[str, Any]:
    """Shapes read through the config object's attributes (transformers' config, or the
    closed form's resolved fields) where there is one, else from the file."""

    def get(attr: str, *raw_keys: str) -> Any:
        if cfg is not None:
            value = getattr(cfg, attr, None)
            if value is not None:
                return value
        return _first(raw, attr, *raw_keys)

    _require_stated(raw)
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
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0
    ]
    if missing:
        raise ConfigJsonError(f"missing or non-positive required fields: {', '.join(missing)}")
    kv_heads = get("num_key_value_heads", "n_head_kv", "num_kv_heads") or heads
    head_dim = get("head_dim", "d_kv") or hidden // heads
    if head_dim <= 0:
        raise ConfigJsonError(
            f"field 'num_attention_heads' = {heads:,} is more than field 'hidden_size' = "
            f"{hidden:,}: each head would have width 0"
        )
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


# -- closed form -----------------------------------------------------------------------------

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
        if len({_show(v, 10**6) for v in stated.values()}) > 1:
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
    s = _shape_facts(raw, None)
    h, L, V = s["hidden_size"], s["n_layers"], s["vocab_size"]
    if s["is_encoder_decoder"]:
        L += s["n_decoder_layers"]
    q_dim = s["n_heads"] * s["head_dim"]
    kv_dim = s["n_kv_heads"] * s["head_dim"]
    inter = _first(raw, "intermediate_size", "n_inner", "ffn_dim", "d_ff") or 4 * h
    experts = max(1, _first(raw, "num_local_experts", "num_experts", "n_routed_experts") or 1)
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
        extra += int(_first(raw, "n_positions", default=1024)) * h
    return int(embed + L * per_layer + final_norm + extra), int(embed)


def closed_form_params(raw: Mapping[str, Any]) -> tuple[int, int]:
    """(total, embedding) without building anything: the family form, else the generic one."""
    exact = family_count(raw)
    return (exact.total, exact.embedding) if exact else generic_count(raw)


# -- transformers ----------------------------------------------------------------------------


def _build_config(raw: Mapping[str, Any]) -> Any:
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
    cfg = cfg if cfg is not None else _build_config(raw)
    model = _instantiate_on_meta(cfg)
    head = _untied_head_params(raw, cfg, model)
    total = sum(p.numel() for p in model.parameters()) + head
    return int(total), int(_embedding_params(model)) + head, type(model).__name__


# -- the facts -------------------------------------------------------------------------------


def architecture_from_config(raw: Mapping[str, Any], source: str = "config.json") -> Architecture:
    """All architecture facts of one config.json; see the module docstring for the method."""
    check_shapes(raw, source)
    try:
        _require_stated(raw)
    except ConfigJsonError as exc:
        raise ConfigJsonError(f"{source}: {exc}") from None
    exact = family_count(raw)
    if exact is not None:
        _check_total(exact.total, raw, source)
        cfg: Any = SimpleNamespace(**{**raw, **exact.fields})
        total, embedding, arch_name = exact.total, exact.embedding, exact.architecture
        method = METHOD_CLOSED_FORM
        tie = bool(exact.fields["tie_word_embeddings"])
    else:
        _check_total(_guarded(generic_count, raw, source)[0], raw, source)
        cfg = _transformers_config(raw, source)
        if cfg is not None:
            total, embedding, arch_name = _guarded(count_with_transformers, raw, source, cfg)
            method = METHOD_TRANSFORMERS
            tie = bool(raw.get("tie_word_embeddings", getattr(cfg, "tie_word_embeddings", False)))
        else:
            total, embedding = generic_count(raw)
            arch_name = (raw.get("architectures") or [raw["model_type"]])[0]
            method = METHOD_CLOSED_FORM
            tie = bool(raw.get("tie_word_embeddings", True))
    shapes = _guarded(_shape_facts, raw, source, cfg)
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


def _transformers_config(raw: Mapping[str, Any], source: str) -> Any | None:
    """transformers' config object, or None for a model type it does not know."""
    try:
        return _build_config(raw)
    except (ValueError, KeyError, TypeError) as exc:
        log.warning(
            "%s: transformers cannot parse model_type %r (%s); using the generic decoder "
            "closed form, which assumes a Llama- or GPT-like layout",
            source,
            raw.get("model_type"),
            exc,
        )
        return None


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


def human_params(n: float) -> str:
    """135M, 1.7B, 405B: the labels people use."""
    if n <= 0 or math.isnan(n):
        return "?"
    for unit, div in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= div:
            v = n / div
            return f"{v:.4g}{unit}"
    return str(int(n))
