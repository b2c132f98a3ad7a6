"""Memory needed to hold and serve a model: weights per dtype plus the KV cache.

Weights: parameters x bytes per parameter of the dtype (int4 packs two per byte; the
scales and zero points of real quantisation formats add a few percent, not counted here).
KV cache: 2 (K and V) x decoder layers x KV heads x head dim x tokens x batch x bytes,
for the self-attention cache that autoregressive decoding keeps.
"""

from __future__ import annotations

BYTES_PER_PARAM: dict[str, float] = {
    "fp32": 4.0,
    "bf16": 2.0,
    "fp16": 2.0,
    "int8": 1.0,
    "int4": 0.5,
}
GB = 1e9  # decimal gigabytes, as GPU vendors state memory; 1 GiB = 1.073741824 GB


def weight_bytes(params_total: int, dtype: str) -> float:
    try:
        return params_total * BYTES_PER_PARAM[dtype]
    except KeyError as exc:
        raise ValueError(f"unknown dtype {dtype!r}; known: {sorted(BYTES_PER_PARAM)}") from exc


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
        * BYTES_PER_PARAM[dtype]
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
