"""A GGUF file with a model's architecture and random weights, written from its config.json.

llama.cpp runs GGUF files; without the real weights, the benchmark times the same work on a
file of the same shapes (and, once quantised by llama.cpp, the same tensor types).

Covers the llama.cpp architectures the local ladders need, with tensor names from gguf's own
tables (``gguf.MODEL_TENSORS``) and metadata as llama.cpp's convert_hf_to_gguf.py writes it:

- ``llama`` for model_type llama and mistral (Llama 2/3, SmolLM, Mistral; optional q/k/v/o and
  MLP biases of Llama configs; Llama 3 rope scaling as its ``rope_freqs`` tensor);
- ``qwen2`` (q/k/v biases; tied embeddings on the small ones);
- ``gemma2`` (post-attention and post-FFN norms, logit soft-capping, sliding window, head_dim
  from the config; the output always shares the token embedding);
- ``phi3`` (fused ``attn_qkv`` and fused gate/up ``ffn_up`` of twice the FFN width).

Shapes come from :func:`lmfootprint.models.architecture.family_count`'s resolved fields, so the
file holds exactly the closed-form parameter count. The vocabulary is a placeholder
SentencePiece one of ``vocab_size`` tokens (llama.cpp takes an SPM vocabulary for every
architecture here; the benchmark feeds token ids). Weights are float16 slices of one seeded
pool of normal values, written tensor by tensor, so an 8B file needs one tensor in memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lmfootprint.models.architecture import family_count

# llama.cpp's file types (llama.h: enum llama_ftype); their bytes per weight are in
# lmfootprint.models.memory.BYTES_PER_PARAM with every other dtype
FTYPES = {"f16": 1, "q8_0": 7, "q4_0": 2, "q4_k_m": 15, "q5_k_m": 17, "q6_k": 18}

# model_type -> llama.cpp architecture (gguf.MODEL_ARCH member name)
ARCHES = {
    "llama": "LLAMA",
    "mistral": "LLAMA",
    "qwen2": "QWEN2",
    "gemma2": "GEMMA2",
    "phi3": "PHI3",
}
SUPPORTED = tuple(sorted(ARCHES))

# the transformers config classes' defaults for the fields read here beyond the shapes
_DEFAULTS: dict[str, dict[str, Any]] = {
    "llama": {"rms_norm_eps": 1e-6, "rope_theta": 10000.0, "max_position_embeddings": 2048},
    "mistral": {"rms_norm_eps": 1e-6, "rope_theta": 10000.0, "max_position_embeddings": 131072},
    "qwen2": {"rms_norm_eps": 1e-6, "rope_theta": 10000.0, "max_position_embeddings": 32768},
    "gemma2": {
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0,
        "max_position_embeddings": 8192,
        "attn_logit_softcapping": 50.0,
        "final_logit_softcapping": 30.0,
        "sliding_window": 4096,
    },
    "phi3": {"rms_norm_eps": 1e-5, "rope_theta": 10000.0, "max_position_embeddings": 4096},
}

_POOL = 1 << 22  # values in the random pool every weight is sliced from (8 MiB of float16)


@dataclass(frozen=True)
class TensorPlan:
    """One tensor of the file: its GGUF name and numpy shape (out, in), as llama.cpp's
    reader shows it reversed (in, out)."""

    name: str
    shape: tuple[int, ...]
    kind: str  # 'weight' (float16, random) | 'norm' (float32 ones) | 'bias' | 'rope'

    @property
    def n_elements(self) -> int:
        return math.prod(self.shape)


def unsupported_reason(raw: dict[str, Any]) -> str | None:
    """Why a config cannot be written as a random-init GGUF here, or None."""
    model_type = raw.get("model_type")
    if model_type not in ARCHES:
        return (
            f"llama_cpp backend writes random-init GGUF for model_type {list(SUPPORTED)} "
            f"only (got {model_type!r}); put a real .gguf in the model's directory"
        )
    count = family_count(raw)
    if count is None:
        return (
            f"llama_cpp backend: the {model_type} config's shapes are not certain "
            "(a conflicting spelling or a null field); the GGUF writer needs them exact"
        )
    f = count.fields
    h, heads = f["hidden_size"], f["num_attention_heads"]
    if model_type in ("qwen2", "phi3") and f["head_dim"] * heads != h:
        return (
            f"llama_cpp backend: llama.cpp's {model_type} needs head_dim * heads == hidden_size "
            f"(got {f['head_dim']} * {heads} != {h})"
        )
    if model_type == "gemma2":
        if not f["tie_word_embeddings"]:
            return (
                "llama_cpp backend: llama.cpp's gemma2 always shares the output with the embedding"
            )
        if f["attention_bias"]:
            return "llama_cpp backend: llama.cpp's gemma2 has no attention biases"
    rope_kind, rope = _rope(raw)
    if model_type == "phi3" and rope_kind in ("su", "longrope") and rope.get("long_factor"):
        half = int(_rotary_fraction(raw) * h) // heads // 2
        got = (len(rope["long_factor"]), len(rope.get("short_factor") or ()))
        if got != (half, half):
            return (
                f"llama_cpp backend: phi3 rope long/short factors need {half} values each "
                f"(got {got[0]} and {got[1]})"
            )
    return None


def _rope(raw: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(rope type, its parameters) from ``rope_scaling`` or the newer ``rope_parameters``."""
    params = raw.get("rope_scaling") or raw.get("rope_parameters") or {}
    if not isinstance(params, dict):
        return "", {}
    kind = str(params.get("rope_type") or params.get("type") or "").lower()
    return kind, params


def _rotary_fraction(raw: dict[str, Any]) -> float:
    """phi3's partial_rotary_factor (1.0: rope over the whole head)."""
    value = _rope(raw)[1].get("partial_rotary_factor", raw.get("partial_rotary_factor"))
    return float(value if value is not None else 1.0)


def _get(raw: dict[str, Any], key: str) -> Any:
    """A config field, else the transformers default of its model_type."""
    value = raw.get(key)
    if value is None and key == "rope_theta":
        value = _rope(raw)[1].get("rope_theta")
    return value if value is not None else _DEFAULTS[raw["model_type"]].get(key)


def tensor_plan(raw: dict[str, Any]) -> list[TensorPlan]:
    """Every tensor the GGUF of ``raw`` holds, in file order (pure: writes nothing)."""
    import gguf

    reason = unsupported_reason(raw)
    if reason:
        raise ValueError(reason)
    count = family_count(raw)
    assert count is not None
    f = count.fields
    model_type = raw["model_type"]
    arch = gguf.MODEL_ARCH[ARCHES[model_type]]
    h, layers, vocab = f["hidden_size"], f["num_hidden_layers"], f["vocab_size"]
    q = f["num_attention_heads"] * f["head_dim"]
    kv = f["num_key_value_heads"] * f["head_dim"]
    ffn = f["intermediate_size"]
    names = gguf.TENSOR_NAMES
    T = gguf.MODEL_TENSOR
    attn_bias = model_type == "qwen2" or (model_type == "llama" and f["attention_bias"])
    out_bias = model_type == "llama" and f["attention_bias"]
    mlp_bias = model_type == "llama" and f["mlp_bias"]

    plan: list[TensorPlan] = []

    def add(tensor: gguf.MODEL_TENSOR, shape: tuple[int, ...], kind: str = "weight",
            bid: int | None = None, suffix: str = "weight") -> None:  # fmt: skip
        if tensor not in gguf.MODEL_TENSORS[arch]:  # pragma: no cover - a wrong table here
            raise AssertionError(f"{names[tensor]} is not a {arch.name} tensor in gguf")
        base = names[tensor].format(bid=bid) if bid is not None else names[tensor]
        plan.append(TensorPlan(f"{base}.{suffix}", shape, kind))

    add(T.TOKEN_EMBD, (vocab, h))
    add(T.OUTPUT_NORM, (h,), "norm")
    if not f["tie_word_embeddings"]:
        add(T.OUTPUT, (vocab, h))
    rope_kind, rope = _rope(raw)
    if model_type in ("llama", "mistral") and rope_kind == "llama3":
        add(T.ROPE_FREQS, (f["head_dim"] // 2,), "rope")
    if model_type == "phi3" and rope_kind in ("su", "longrope") and rope.get("long_factor"):
        add(T.ROPE_FACTORS_LONG, (len(rope["long_factor"]),), "rope")
        add(T.ROPE_FACTORS_SHORT, (len(rope["short_factor"]),), "rope")
    for i in range(layers):
        add(T.ATTN_NORM, (h,), "norm", i)
        if model_type == "phi3":
            add(T.ATTN_QKV, (q + 2 * kv, h), bid=i)
        else:
            add(T.ATTN_Q, (q, h), bid=i)
            add(T.ATTN_K, (kv, h), bid=i)
            add(T.ATTN_V, (kv, h), bid=i)
            if attn_bias:
                add(T.ATTN_Q, (q,), "bias", i, "bias")
                add(T.ATTN_K, (kv,), "bias", i, "bias")
                add(T.ATTN_V, (kv,), "bias", i, "bias")
        add(T.ATTN_OUT, (h, q), bid=i)
        if out_bias:
            add(T.ATTN_OUT, (h,), "bias", i, "bias")
        if model_type == "gemma2":
            add(T.ATTN_POST_NORM, (h,), "norm", i)
        # gemma2's pre_feedforward_layernorm: the same blk.N.ffn_norm name, its own member
        add(T.FFN_PRE_NORM if model_type == "gemma2" else T.FFN_NORM, (h,), "norm", i)
        if model_type == "phi3":
            add(T.FFN_UP, (2 * ffn, h), bid=i)  # gate and up, fused
        else:
            add(T.FFN_GATE, (ffn, h), bid=i)
            add(T.FFN_UP, (ffn, h), bid=i)
        add(T.FFN_DOWN, (h, ffn), bid=i)
        if mlp_bias:
            add(T.FFN_GATE, (ffn,), "bias", i, "bias")
            add(T.FFN_UP, (ffn,), "bias", i, "bias")
            add(T.FFN_DOWN, (h,), "bias", i, "bias")
        if model_type == "gemma2":
            add(T.FFN_POST_NORM, (h,), "norm", i)
    return plan


def _vocab(n: int) -> tuple[list[bytes], list[float], list[int]]:
    """A placeholder SentencePiece vocabulary of ``n`` tokens: the benchmark feeds token ids,
    so only the size matters (unk, bos, eos, 256 byte tokens, ``<|endoftext|>``, then filler
    pieces). llama.cpp looks ``<|endoftext|>`` up in any model whose general.name says
    phi-3 or phi3 (llama-vocab.cpp, per-token attributes) and fails to load without it."""
    from gguf import TokenType

    tokens = [b"<unk>", b"<s>", b"</s>"] + [f"<0x{i:02X}>".encode() for i in range(256)]
    types = [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL] + [TokenType.BYTE] * 256
    tokens.append(b"<|endoftext|>")
    types.append(TokenType.CONTROL)
    tokens += [f"t{i}".encode() for i in range(len(tokens), n)]
    types += [TokenType.NORMAL] * (n - len(types))
    return tokens[:n], [0.0] * n, [int(t) for t in types[:n]]


def _llama3_rope_factors(raw: dict[str, Any], head_dim: int) -> np.ndarray:
    """Llama 3's rope frequency factors, as convert_hf_to_gguf.py computes them."""
    rope = _rope(raw)[1]
    base = float(_get(raw, "rope_theta"))
    freqs = 1.0 / (base ** (np.arange(0, head_dim, 2, dtype=np.float32) / head_dim))
    factor = rope.get("factor", 8.0)
    low, high = rope.get("low_freq_factor", 1.0), rope.get("high_freq_factor", 4.0)
    old = rope.get("original_max_position_embeddings", 8192)
    out = []
    for freq in freqs:
        wavelen = 2 * math.pi / freq
        if wavelen < old / high:
            out.append(1.0)
        elif wavelen > old / low:
            out.append(factor)
        else:
            smooth = (old / wavelen - low) / (high - low)
            out.append(1 / ((1 - smooth) / factor + smooth))
    return np.asarray(out, dtype=np.float32)


def _metadata(writer: Any, raw: dict[str, Any], f: dict[str, Any]) -> None:
    """The hyperparameters llama.cpp reads for the architecture (convert_hf_to_gguf.py's)."""
    import gguf

    model_type = raw["model_type"]
    h, heads, head_dim = f["hidden_size"], f["num_attention_heads"], f["head_dim"]
    writer.add_name(f"random-init {raw.get('_name_or_path') or model_type}")
    writer.add_context_length(int(_get(raw, "max_position_embeddings")))
    writer.add_embedding_length(h)
    writer.add_block_count(f["num_hidden_layers"])
    writer.add_feed_forward_length(f["intermediate_size"])
    writer.add_head_count(heads)
    writer.add_head_count_kv(f["num_key_value_heads"])
    writer.add_layer_norm_rms_eps(float(_get(raw, "rms_norm_eps")))
    writer.add_rope_freq_base(float(_get(raw, "rope_theta")))
    if head_dim * heads != h or model_type == "gemma2":
        writer.add_key_length(head_dim)
        writer.add_value_length(head_dim)
    rope_kind, rope = _rope(raw)
    if model_type in ("llama", "mistral"):
        writer.add_vocab_size(f["vocab_size"])
        writer.add_rope_dimension_count(head_dim)
    if model_type == "gemma2":
        writer.add_attn_logit_softcapping(float(_get(raw, "attn_logit_softcapping")))
        writer.add_final_logit_softcapping(float(_get(raw, "final_logit_softcapping")))
        writer.add_sliding_window(int(_get(raw, "sliding_window")))
    if model_type == "phi3":
        rot = _rotary_fraction(raw)
        max_pos = int(_get(raw, "max_position_embeddings"))
        orig = int(raw.get("original_max_position_embeddings") or max_pos)
        writer.add_rope_scaling_orig_ctx_len(orig)
        writer.add_rope_dimension_count(int(rot * h) // heads)
        writer.add_sliding_window(int(raw.get("sliding_window") or 0))
        if rope.get("long_factor") and rope_kind in ("su", "longrope"):
            scale = max_pos / orig
            attn = math.sqrt(1 + math.log(scale) / math.log(orig)) if scale > 1 else 1.0
            writer.add_rope_scaling_attn_factors(attn)
    elif rope_kind in ("linear", "yarn") and rope.get("factor") is not None:
        # other kinds (dynamic NTK, ...) are left out as convert_hf_to_gguf.py leaves them:
        # the rope's cost is the same
        linear = rope_kind == "linear"
        kind = gguf.RopeScalingType.LINEAR if linear else gguf.RopeScalingType.YARN
        writer.add_rope_scaling_type(kind)
        writer.add_rope_scaling_factor(float(rope["factor"]))
        if not linear and rope.get("original_max_position_embeddings"):
            writer.add_rope_scaling_orig_ctx_len(int(rope["original_max_position_embeddings"]))
    writer.add_file_type(FTYPES["f16"])
    tokens, scores, types = _vocab(f["vocab_size"])
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    if model_type == "gemma2":
        writer.add_add_space_prefix(False)


class _Weights:
    """Random float16 weights (std 0.02) cut from one seeded pool at random offsets: the
    timing needs shapes and tensor types, not fresh randomness for billions of values."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        pool = (self.rng.standard_normal(_POOL, dtype=np.float32) * 0.02).astype(np.float16)
        self.pool = np.concatenate([pool, pool])  # any [off, off + _POOL) slice is contiguous

    def take(self, shape: tuple[int, ...]) -> np.ndarray:
        """A small tensor as an array (biases)."""
        n = math.prod(shape)
        return np.resize(self.pool[int(self.rng.integers(0, _POOL)) :][:_POOL], n).reshape(shape)

    def stream(self, shape: tuple[int, ...]) -> _Stream:
        """A weight tensor written slice by slice, never whole in memory."""
        n = math.prod(shape)
        offsets = [int(o) for o in self.rng.integers(0, _POOL, size=-(-n // _POOL))]
        return _Stream(self.pool, n, offsets)


class _Stream:
    """What GGUFWriter.write_tensor_data reads of an array (``nbytes``, ``tofile``), over
    pool slices: writing an 8B model then costs the disk, not page faults on 16 GB."""

    def __init__(self, pool: np.ndarray, n: int, offsets: list[int]) -> None:
        self.pool, self.n, self.offsets = pool, n, offsets
        self.nbytes = n * pool.itemsize

    def tofile(self, fout: Any) -> None:
        left = self.n
        for off in self.offsets:
            size = min(_POOL, left)
            fout.write(self.pool[off : off + size].data)
            left -= size


def write_random_gguf(raw: dict[str, Any], path: Path, *, seed: int = 0) -> Path:
    """An f16 GGUF with the architecture of ``raw`` (a config.json) and random weights."""
    import gguf

    plan = tensor_plan(raw)  # raises ValueError with unsupported_reason's text
    count = family_count(raw)
    assert count is not None
    f = count.fields
    weights = _Weights(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    arch = gguf.MODEL_ARCH_NAMES[gguf.MODEL_ARCH[ARCHES[raw["model_type"]]]]
    writer = gguf.GGUFWriter(str(path), arch)
    _metadata(writer, raw, f)
    f32 = np.dtype(np.float32)
    for t in plan:
        dtype = np.dtype(np.float16) if t.kind == "weight" else f32
        writer.add_tensor_info(t.name, t.shape, dtype, t.n_elements * dtype.itemsize)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    rope = _rope(raw)[1]
    for t in plan:
        if t.kind == "weight":
            data: Any = weights.stream(t.shape)
        elif t.kind == "norm":
            data = np.ones(t.shape, dtype=np.float32)
        elif t.kind == "bias":
            data = weights.take(t.shape).astype(np.float32)
        elif t.name.startswith(gguf.TENSOR_NAMES[gguf.MODEL_TENSOR.ROPE_FREQS]):
            data = _llama3_rope_factors(raw, f["head_dim"])
        else:  # phi3's long / short rope factors, from the config
            key = "long_factor" if "long" in t.name else "short_factor"
            data = np.asarray(rope[key], dtype=np.float32)
        writer.write_tensor_data(data)
    writer.close()
    return path
