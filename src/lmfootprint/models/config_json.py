"""Reading and validating a model's config.json, before anything is counted or built.

:func:`read_config_json` refuses a file that is too large, not UTF-8, not JSON, nested absurdly
deep, without a ``model_type`` or with a ``torch_dtype`` transformers would fail on: one
:class:`ConfigJsonError` naming the file and what is wrong. :func:`check_shapes` bounds every
shape field (a typo like a billion layers is one message naming the field instead of an
out-of-memory crash) and :func:`check_total` the count they give; :func:`shape_facts` reads the
shapes as the count and the models table use them. Remote code is never executed: a config
with ``auto_map`` is read as data only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
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


class ConfigJsonError(LmFootprintError):
    """config.json cannot be read, lacks what the count needs, or describes no real model."""


# -- reading ---------------------------------------------------------------------------------


def show(value: Any, limit: int = 60) -> str:
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
        got = f" (got {show(raw['model_type'])})" if "model_type" in raw else ""
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
                        problems.append(f"field '{where}.{sub}' = {show(name)}: {problem}")
        elif key in DTYPE_FIELDS and not (prefix and isinstance(value, int)):
            # (a nested "dtype": <int> is a token id of a vocabulary map, not a dtype)
            problem = _dtype_problem(value)
            if problem:
                problems.append(f"field '{where}' = {show(value)}: {problem}")
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
                problems.append(f"field '{where}' = {show(value)}: {problem}")
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


def check_total(total: int, raw: Mapping[str, Any], source: str) -> None:
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


def first_stated(raw: Mapping[str, Any], *keys: str, default: Any = None) -> Any:
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


def require_stated(raw: Mapping[str, Any]) -> None:
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


def shape_facts(raw: Mapping[str, Any], cfg: Any | None) -> dict[str, Any]:
    """Shapes read through the config object's attributes (transformers' config, or the
    closed form's resolved fields) where there is one, else from the file."""

    def get(attr: str, *raw_keys: str) -> Any:
        if cfg is not None:
            value = getattr(cfg, attr, None)
            if value is not None:
                return value
        return first_stated(raw, attr, *raw_keys)

    require_stated(raw)
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
    context = first_stated(
        raw, "max_position_embeddings", "n_positions", "seq_length", "max_sequence_length"
    )
    is_enc_dec = bool(raw.get("is_encoder_decoder", False))
    n_dec = first_stated(raw, "num_decoder_layers", default=layers) if is_enc_dec else layers
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
