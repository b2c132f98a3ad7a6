"""Memory needed to hold and serve a model: weights per dtype plus the KV cache.

Weights: parameters x bytes per parameter of the dtype (int4 packs two per byte; the
scales and zero points of real quantisation formats add a few percent, not counted here).
KV cache: 2 (K and V) x decoder layers x KV heads x head dim x tokens x batch x bytes,
for the self-attention cache that autoregressive decoding keeps.
"""

from __future__ import annotations

# The one table of bytes per parameter, read by the memory columns, the benchmark's memory
# check and the serving fit. llama.cpp's GGUF quantisations are at their bits per weight
# (llama-quantize --help), which include the per-block scales.
BYTES_PER_PARAM: dict[str, float] = {
    "fp32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "int4": 0.5,
    "f16": 2.0,
    "q8_0": 8.5 / 8,
    "q4_0": 4.5 / 8,
    "q4_k_m": 4.89 / 8,
    "q5_k_m": 5.69 / 8,
    "q6_k": 6.56 / 8,
}
# the names torch and published tables use for the same dtypes
DTYPE_ALIASES = {"float32": "fp32", "bfloat16": "bf16", "float16": "fp16"}
GB = 1e9  # decimal gigabytes, as GPU vendors state memory; 1 GiB = 1.073741824 GB


def bytes_per_param(dtype: str) -> float:
    """Bytes one parameter takes in ``dtype`` (an alias such as 'bfloat16' is accepted)."""
    try:
        return BYTES_PER_PARAM[DTYPE_ALIASES.get(dtype, dtype)]
    except KeyError as exc:
        raise ValueError(f"unknown dtype {dtype!r}; known: {sorted(BYTES_PER_PARAM)}") from exc


def weight_bytes(params_total: int, dtype: str) -> float:
    return params_total * bytes_per_param(dtype)


def kv_cache_bytes(
    n_decoder_layers: int,
    n_kv_heads: int,
    head_dim: int,
    context_tokens: int,
    batch_size: int,
    dtype: str = "bf16",
) -> float:
    if min(n_decoder_layers, n_kv_heads, head_dim, context_tokens, batch_size) < 0:
        raise ValueError("shapes, context and batch must be non-negative")
    return (
        2.0
        * n_decoder_layers
        * n_kv_heads
        * head_dim
        * context_tokens
        * batch_size
        * bytes_per_param(dtype)
    )


def serving_bytes(
    params_total: int,
    n_decoder_layers: int,
    n_kv_heads: int,
    head_dim: int,
    context_tokens: int,
    batch_size: int,
    weight_dtype: str,
    kv_dtype: str = "bf16",
) -> float:
    """Weights plus KV cache; activations and allocator overhead are not included."""
    return weight_bytes(params_total, weight_dtype) + kv_cache_bytes(
        n_decoder_layers, n_kv_heads, head_dim, context_tokens, batch_size, kv_dtype
    )
