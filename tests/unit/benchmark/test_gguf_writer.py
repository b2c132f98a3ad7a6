"""The random-init GGUF writer: every architecture the local ladders need, with llama.cpp's
tensor names, the closed-form parameter count, and files llama.cpp loads and runs.

The pure tests need only the gguf package; the ones that load files need llama-cpp-python
(make install-llama) and are skipped without it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lmfootprint.benchmark.gguf_writer import (
    ARCHES,
    SUPPORTED,
    tensor_plan,
    unsupported_reason,
    write_random_gguf,
)
from lmfootprint.models.closed_form import closed_form_params, family_count

gguf = pytest.importorskip("gguf")

HUB = Path(__file__).resolve().parents[3] / "resources" / "hub"
# the local ladders' models, one per shape family the writer covers
REAL = [
    "Qwen--Qwen2.5-0.5B",  # qwen2, tied embeddings
    "Qwen--Qwen2.5-7B",  # qwen2, separate output
    "google--gemma-2-2b",  # gemma2, head_dim 256 != hidden / heads
    "microsoft--Phi-3-mini-4k-instruct",  # phi3, MHA
    "microsoft--Phi-3-medium-4k-instruct",  # phi3, GQA
    "meta-llama--Llama-3.2-1B",  # llama, tied
    "meta-llama--Llama-3.2-3B",  # llama, tied, head_dim stated
    "meta-llama--Llama-3.1-8B",
    "HuggingFaceTB--SmolLM-135M",
    "mistralai--Mistral-7B-v0.1",
]


# Phi-3-mini-128k's rope scaling, shaped for a head of 96 (real) and of 16 (shrunk)
LONGROPE_ROPE = {"rope_type": "longrope", "long_factor": [1.5] * 48, "short_factor": [1.0] * 48}
LONGROPE = {"rope_type": "longrope", "long_factor": [1.5] * 8, "short_factor": [1.0] * 8}
SHORT_LONG_FACTOR = {**LONGROPE_ROPE, "long_factor": [1.0]}


def real(slug: str) -> dict[str, Any]:
    return json.loads((HUB / slug / "config.json").read_text())


def shrink(raw: dict[str, Any]) -> dict[str, Any]:
    """The real config with its shape fields shrunk (2 layers, hidden 64, vocab 512); what
    makes the architecture what it is (GQA or not, head_dim apart from hidden / heads, tied
    embeddings, biases) is kept."""
    heads, kv = raw["num_attention_heads"], raw.get("num_key_value_heads")
    tiny = {
        **raw,
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "vocab_size": 512,
    }
    if kv is not None:
        tiny["num_key_value_heads"] = 4 if kv == heads else 2
    if raw.get("head_dim") is not None:
        own = raw["head_dim"] * heads != raw["hidden_size"]
        tiny["head_dim"] = 32 if own else 16
    return tiny


def arch_of(raw: dict[str, Any]) -> Any:
    return gguf.MODEL_ARCH[ARCHES[raw["model_type"]]]


def allowed_names(raw: dict[str, Any], layers: int) -> set[str]:
    """Every tensor name gguf's table gives the architecture (weights and biases)."""
    out = set()
    for t in gguf.MODEL_TENSORS[arch_of(raw)]:
        for bid in range(layers):
            base = gguf.TENSOR_NAMES[t].format(bid=bid)
            out |= {f"{base}.weight", f"{base}.bias"}
    return out


# -- pure: names, shapes and counts -----------------------------------------------------------


@pytest.mark.parametrize("slug", REAL)
def test_plan_of_the_real_config_has_the_closed_form_count(slug: str) -> None:
    raw = real(slug)
    assert unsupported_reason(raw) is None
    plan = tensor_plan(raw)
    assert sum(t.n_elements for t in plan) == closed_form_params(raw)[0]
    assert {t.name for t in plan} <= allowed_names(raw, raw["num_hidden_layers"])
    assert len({t.name for t in plan}) == len(plan)


@pytest.mark.parametrize("slug", REAL)
def test_written_tiny_file_holds_the_planned_tensors(slug: str, tmp_path: Path) -> None:
    raw = shrink(real(slug))
    path = write_random_gguf(raw, tmp_path / "tiny.gguf")
    reader = gguf.GGUFReader(str(path))
    arch = gguf.MODEL_ARCH_NAMES[arch_of(raw)]
    assert bytes(reader.fields["general.architecture"].parts[-1]).decode() == arch
    # GGUF stores dims innermost-first: (in, out)
    written = {t.name: tuple(int(d) for d in t.shape) for t in reader.tensors}
    planned = {t.name: tuple(reversed(t.shape)) for t in tensor_plan(raw)}
    assert written == planned
    assert set(written) <= allowed_names(raw, 2)
    n_params = sum(int(t.n_elements) for t in reader.tensors)
    assert n_params == closed_form_params(raw)[0] == family_count(raw).total
    types = {t.name: t.tensor_type for t in reader.tensors}
    assert types["token_embd.weight"] == gguf.GGMLQuantizationType.F16
    assert types["output_norm.weight"] == gguf.GGMLQuantizationType.F32
    tied = raw.get("tie_word_embeddings", raw["model_type"] == "gemma2")
    assert ("output.weight" in written) is (not tied)
    data = next(t for t in reader.tensors if t.name == "blk.1.ffn_down.weight").data
    assert 0.01 < float(np.std(data.astype(np.float32))) < 0.03  # random, not zeros


def fields(path: Path) -> dict[str, Any]:
    reader = gguf.GGUFReader(str(path))
    return {k: f.contents() for k, f in reader.fields.items() if not k.startswith("tokenizer.")}


def test_architecture_metadata_follows_convert_hf_to_gguf(tmp_path: Path) -> None:
    gemma = fields(write_random_gguf(shrink(real("google--gemma-2-2b")), tmp_path / "g.gguf"))
    assert gemma["gemma2.attn_logit_softcapping"] == pytest.approx(50.0)
    assert gemma["gemma2.final_logit_softcapping"] == pytest.approx(30.0)
    assert gemma["gemma2.attention.sliding_window"] == 4096
    assert gemma["gemma2.attention.key_length"] == gemma["gemma2.attention.value_length"] == 32
    names = {t.name for t in tensor_plan(shrink(real("google--gemma-2-2b")))}
    assert {"blk.0.post_attention_norm.weight", "blk.0.post_ffw_norm.weight"} <= names
    phi_raw = shrink(real("microsoft--Phi-3-medium-4k-instruct"))
    phi = fields(write_random_gguf(phi_raw, tmp_path / "p.gguf"))
    assert phi["phi3.rope.dimension_count"] == 16
    assert phi["phi3.rope.scaling.original_context_length"] == 4096
    assert phi["phi3.attention.sliding_window"] == 2047
    qwen = fields(write_random_gguf(shrink(real("Qwen--Qwen2.5-0.5B")), tmp_path / "q.gguf"))
    assert qwen["qwen2.rope.freq_base"] == pytest.approx(1e6)
    assert qwen["qwen2.attention.layer_norm_rms_epsilon"] == pytest.approx(1e-6)
    plan = {t.name: t.shape for t in tensor_plan(shrink(real("Qwen--Qwen2.5-0.5B")))}
    assert plan["blk.0.attn_k.bias"] == (2 * 16,)
    llama = fields(write_random_gguf(shrink(real("meta-llama--Llama-3.2-3B")), tmp_path / "l.gguf"))
    assert llama["llama.rope.dimension_count"] == 16
    assert llama["llama.vocab_size"] == 512


def test_phi3_fuses_qkv_and_gate_up() -> None:
    raw = shrink(real("microsoft--Phi-3-medium-4k-instruct"))
    plan = {t.name: t.shape for t in tensor_plan(raw)}
    assert plan["blk.0.attn_qkv.weight"] == (64 + 2 * 2 * 16, 64)
    assert plan["blk.0.ffn_up.weight"] == (2 * 128, 64)
    assert "blk.0.ffn_gate.weight" not in plan and "blk.0.attn_q.weight" not in plan


def test_llama_biases_and_rope_scaling_are_written(tmp_path: Path) -> None:
    raw = {
        **shrink(real("meta-llama--Llama-3.1-8B")),
        "attention_bias": True,
        "mlp_bias": True,
        "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                         "high_freq_factor": 4.0, "original_max_position_embeddings": 8192},
    }  # fmt: skip
    plan = {t.name: t.shape for t in tensor_plan(raw)}
    assert plan["blk.1.attn_output.bias"] == (64,) and plan["blk.1.ffn_gate.bias"] == (128,)
    assert plan["rope_freqs.weight"] == (8,)
    # the rope factors are the frequencies' scaling, not parameters of the model
    weights = [int(np.prod(s)) for n, s in plan.items() if n != "rope_freqs.weight"]
    assert sum(weights) == closed_form_params(raw)[0]
    reader = gguf.GGUFReader(str(write_random_gguf(raw, tmp_path / "b.gguf")))
    rope = next(t for t in reader.tensors if t.name == "rope_freqs.weight").data
    assert rope[0] == 1.0 and rope[-1] == 8.0


def test_the_seed_decides_the_weights(tmp_path: Path) -> None:
    raw = shrink(real("HuggingFaceTB--SmolLM-135M"))
    a = write_random_gguf(raw, tmp_path / "a.gguf", seed=1).read_bytes()
    assert a == write_random_gguf(raw, tmp_path / "b.gguf", seed=1).read_bytes()
    assert a != write_random_gguf(raw, tmp_path / "c.gguf", seed=2).read_bytes()


@pytest.mark.parametrize("model_type", ["gpt_neox", "t5", "bloom", None])
def test_other_model_types_get_a_reason_naming_the_supported_ones(
    model_type: str | None, tmp_path: Path
) -> None:
    raw = {**real("EleutherAI--pythia-160m"), "model_type": model_type}
    reason = unsupported_reason(raw)
    assert reason is not None and repr(model_type) in reason
    assert all(repr(t) in reason for t in SUPPORTED)
    assert set(SUPPORTED) == {"llama", "mistral", "qwen2", "gemma2", "phi3"}
    with pytest.raises(ValueError, match="random-init GGUF for model_type"):
        write_random_gguf(raw, tmp_path / "x.gguf")


@pytest.mark.parametrize(
    ("slug", "change", "words"),
    [
        ("google--gemma-2-2b", {"tie_word_embeddings": False}, "shares the output"),
        ("google--gemma-2-2b", {"attention_bias": True}, "no attention biases"),
        ("Qwen--Qwen2.5-0.5B", {"head_dim": 128}, "head_dim * heads == hidden_size"),
        ("microsoft--Phi-3-mini-4k-instruct", {"head_dim": 64}, "head_dim * heads"),
        ("microsoft--Phi-3-mini-4k-instruct", {"rope_scaling": SHORT_LONG_FACTOR},
         "need 48 values each (got 1 and 48)"),
        ("google--gemma-2-2b", {"head_dim": None}, "not certain"),  # null: left to transformers
    ],
)  # fmt: skip
def test_what_llama_cpp_cannot_hold_is_refused(slug: str, change: dict, words: str) -> None:
    raw = {**real(slug), **change}
    reason = unsupported_reason(raw)
    assert reason is not None and words in reason


# -- llama.cpp loads and runs every architecture ----------------------------------------------


@pytest.mark.parametrize("slug", REAL)
def test_llama_cpp_loads_and_generates(slug: str, tmp_path: Path) -> None:
    llama_cpp = pytest.importorskip("llama_cpp")
    raw = shrink(real(slug))
    path = write_random_gguf(raw, tmp_path / "tiny.gguf")
    llm = llama_cpp.Llama(model_path=str(path), n_ctx=64, n_threads=1, verbose=False)
    try:
        assert llama_cpp.llama_model_n_params(llm.model) == closed_form_params(raw)[0]
        assert llm.n_vocab() == 512
        llm.eval([1, 300, 301, 302])
        logits = np.asarray(llm.scores[llm.n_tokens - 1])
        assert logits.shape == (512,) and np.isfinite(logits).all()
        gen = llm.generate([1, 300, 301], temp=0.0)
        tokens = [next(gen) for _ in range(4)]
        assert len(tokens) == 4 and all(0 <= t < 512 for t in tokens)
    finally:
        llm.close()


VARIANTS = {
    "llama biases, llama3 rope": {
        **shrink(real("meta-llama--Llama-3.1-8B")),
        "attention_bias": True,
        "mlp_bias": True,
        "rope_scaling": {
            "rope_type": "llama3",
            "factor": 8.0,
            "original_max_position_embeddings": 8192,
        },
    },
    "llama dynamic rope (left out)": {
        **shrink(real("meta-llama--Llama-3.2-1B")),
        "rope_scaling": {"rope_type": "dynamic", "factor": 2.0},
    },
    "qwen2 yarn": {
        **shrink(real("Qwen--Qwen2.5-7B")),
        "rope_scaling": {"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768},
    },
    "phi3 longrope (128k)": {
        **shrink(real("microsoft--Phi-3-mini-4k-instruct")),
        "max_position_embeddings": 131072,
        "rope_scaling": LONGROPE,
    },
}


@pytest.mark.parametrize("name", VARIANTS)
def test_llama_cpp_loads_the_variants_and_their_quantisations(name: str, tmp_path: Path) -> None:
    llama_cpp = pytest.importorskip("llama_cpp")
    from lmfootprint.benchmark.llama_cpp import quantize

    raw = VARIANTS[name]
    f16 = write_random_gguf(raw, tmp_path / "f16.gguf")
    for path in (f16, quantize(f16, tmp_path / "q4.gguf", "q4_k_m", threads=1)):
        llm = llama_cpp.Llama(model_path=str(path), n_ctx=64, n_threads=1, verbose=False)
        try:
            n_params = llama_cpp.llama_model_n_params(llm.model)
            rope = sum(t.n_elements for t in tensor_plan(raw) if t.kind == "rope")
            assert n_params == closed_form_params(raw)[0] + rope
            llm.eval([1, 300, 301])
            assert np.isfinite(np.asarray(llm.scores[llm.n_tokens - 1])).all()
        finally:
            llm.close()


def test_phi3_128k_rope_factors_come_from_the_config() -> None:
    raw = {
        **real("microsoft--Phi-3-mini-4k-instruct"),
        "max_position_embeddings": 131072,
        "rope_scaling": LONGROPE_ROPE,
    }
    assert unsupported_reason(raw) is None
    plan = {t.name: t for t in tensor_plan(raw)}
    assert (
        plan["rope_factors_long.weight"].shape == plan["rope_factors_short.weight"].shape == (48,)
    )
    weights = sum(t.n_elements for t in plan.values() if t.kind != "rope")
    assert weights == closed_form_params(raw)[0]
