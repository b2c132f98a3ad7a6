"""llama.cpp backend: the random-init GGUF writer, llama.cpp's quantiser, forced decoding."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from lmfootprint.benchmark.device import Device
from lmfootprint.benchmark.gguf_writer import unsupported_reason, write_random_gguf
from lmfootprint.benchmark.harness import run_benchmark
from lmfootprint.benchmark.llama_cpp import LlamaCppGenerator, prepare_gguf, quantize
from lmfootprint.benchmark.meters import meter_for
from lmfootprint.benchmark.registry import checked_workload
from lmfootprint.benchmark.workload import Workload
from lmfootprint.models.architecture import architecture_from_config
from lmfootprint.models.memory import weight_bytes

# llama.cpp itself is the `llama` extra (make install-llama); the GGUF writer needs only gguf
needs_llama_cpp = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None,
    reason="llama-cpp-python not installed (make install-llama)",
)

TINY = {
    "model_type": "llama",
    "architectures": ["LlamaForCausalLM"],
    "hidden_size": 256,
    "intermediate_size": 512,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 512,
    "max_position_embeddings": 256,
    "rms_norm_eps": 1e-5,
    "tie_word_embeddings": True,
}


def test_gguf_has_the_architecture_of_the_config(tmp_path: Path) -> None:
    import gguf

    path = write_random_gguf(TINY, tmp_path / "tiny.gguf")
    reader = gguf.GGUFReader(str(path))
    tensors = {t.name: tuple(int(d) for d in t.shape) for t in reader.tensors}
    # GGUF stores dims innermost-first: (in, out)
    assert tensors["token_embd.weight"] == (256, 512)
    assert tensors["blk.0.attn_k.weight"] == (256, 2 * 64)  # grouped-query: 2 KV heads
    assert tensors["blk.1.ffn_down.weight"] == (512, 256)
    assert "output.weight" not in tensors  # tied embeddings are not written twice
    n_params = sum(int(t.n_elements) for t in reader.tensors)
    assert n_params == architecture_from_config(TINY).params_total  # same count as transformers
    field = reader.fields["llama.block_count"]
    assert int(field.parts[field.data[0]][0]) == 2


@needs_llama_cpp
def test_quantised_file_size_matches_the_memory_model(tmp_path: Path) -> None:
    f16 = write_random_gguf(TINY, tmp_path / "f16.gguf")
    q8 = quantize(f16, tmp_path / "q8.gguf", "q8_0", threads=1)
    params = architecture_from_config(TINY).params_total
    for path, quant in ((f16, "f16"), (q8, "q8_0")):
        predicted = weight_bytes(params, quant)
        assert path.stat().st_size == pytest.approx(predicted, rel=0.15), quant
    assert q8.stat().st_size < 0.6 * f16.stat().st_size
    with pytest.raises(ValueError, match="quantization 'q3_xx'"):
        quantize(f16, tmp_path / "x.gguf", "q3_xx", threads=1)


@needs_llama_cpp
def test_runner_generates_exactly_the_forced_length(tmp_path: Path) -> None:
    path, weights = prepare_gguf(TINY, None, "q8_0", tmp_path, threads=1)
    assert weights == "random-init" and path.name == "model-q8_0.gguf"
    runner = LlamaCppGenerator(path, threads=1, input_tokens=8, output_tokens=5)
    assert runner.generate(1, 5) == 5
    assert runner.generate(1, 1) == 1
    with pytest.raises(ValueError, match="batch size 1"):
        runner.generate(2, 5)
    meter = meter_for(
        Device.parse("cpu"), cpu_tdp_w=8.0, tdp_source="test", ram_gb=1.0, ram_w_per_gb=0.375
    )
    rows = run_benchmark(
        runner,
        workload=Workload(
            "w", 8, 5, (1,), warmup=1, repeats=3, backend="llama_cpp", quantization="q8_0"
        ),
        meter=meter,
    )
    assert [r["phase"] for r in rows] == ["prefill", "full"] * 3


def test_real_local_gguf_is_used_as_it_is(tmp_path: Path) -> None:
    real = write_random_gguf(TINY, tmp_path / "weights" / "tiny-Q4_K_M.gguf")
    path, weights = prepare_gguf(TINY, tmp_path / "weights", "q4_k_m", tmp_path, threads=1)
    assert path == real and weights == "real"


def test_what_the_writer_does_not_cover_is_named() -> None:
    neox = json.loads(
        (
            Path(__file__).resolve().parents[3] / "resources/hub/EleutherAI--pythia-14m/config.json"
        ).read_text()
    )
    assert "only (got 'gpt_neox')" in unsupported_reason(neox)
    assert unsupported_reason(TINY) is None
    with pytest.raises(ValueError, match="batch_sizes \\[1\\]"):
        checked_workload(Workload("w", 8, 4, (1, 4), backend="llama_cpp", quantization="q8_0"))
    with pytest.raises(ValueError, match="needs a quantization"):
        checked_workload(Workload("w", 8, 4, (1,), backend="llama_cpp"))


def test_llama_cpp_workload_without_the_extra_names_the_make_target(monkeypatch) -> None:
    import importlib.util as iu

    from lmfootprint.benchmark.registry import missing_engines
    from lmfootprint.core.config import check_parsed
    from lmfootprint.core.errors import LmFootprintError

    config = {"benchmark": {"workloads": {"q": {"backend": "llama_cpp"}, "t": {}}}}
    monkeypatch.setattr(iu, "find_spec", lambda name: None)
    with pytest.raises(
        LmFootprintError, match=r"\['q'\] use backend llama_cpp.*make install-llama"
    ):
        check_parsed(config, env={}, checks=[missing_engines])
    assert missing_engines({"benchmark": {"workloads": {"t": {}}}}) == []  # no llama_cpp: fine


def test_a_cached_gguf_is_written_once_and_rewritten_when_its_inputs_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("llama_cpp")
    import lmfootprint.benchmark.llama_cpp as backend

    written = []
    real = backend.write_random_gguf
    monkeypatch.setattr(
        backend, "write_random_gguf", lambda *a, **k: written.append(a[1]) or real(*a, **k)
    )
    cache = tmp_path / "cache"
    first, label = prepare_gguf(TINY, None, "q8_0", tmp_path / "a", threads=1, cache_dir=cache)
    again, _ = prepare_gguf(TINY, None, "q8_0", tmp_path / "b", threads=1, cache_dir=cache)
    assert (first, label) == (again, "random-init") and first.parent == cache
    assert len(written) == 1 and not list(cache.glob("*.partial"))
    # another seed, another format: another file
    prepare_gguf(TINY, None, "q8_0", tmp_path / "c", threads=1, seed=1, cache_dir=cache)
    prepare_gguf(TINY, None, "q4_0", tmp_path / "d", threads=1, cache_dir=cache)
    assert len(written) == 3 and len(list(cache.glob("*.gguf"))) == 3


@pytest.mark.parametrize(("device", "layers"), [("cpu", 0), ("mps", -1)])
def test_on_an_apple_gpu_every_layer_runs_through_metal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, device: str, layers: int
) -> None:
    import lmfootprint.benchmark.llama_cpp as backend
    from lmfootprint.benchmark.backend import BackendJob

    asked = {}

    class Recording:
        def __init__(self, path: Path, **kw) -> None:
            asked.update(kw)

    gguf = tmp_path / "model-q4_k_m.gguf"
    gguf.write_bytes(b"GGUF")
    monkeypatch.setattr(backend, "LlamaCppGenerator", Recording)
    monkeypatch.setattr(backend, "prepare_gguf", lambda *a, **k: (gguf, "random-init"))
    config = tmp_path / "config.json"
    config.write_text(json.dumps(TINY))
    job = BackendJob(
        model={"params_total": 1000, "kv_cache_gb": 0.0},
        config_path=config,
        weights_dir=None,
        workload=Workload("q", 8, 4, (1,), backend="llama_cpp", quantization="q4_k_m"),
        dtype="fp32",
        device=device,
        threads=1,
    )
    backend.LlamaCppBackend(job).prepare(tmp_path)
    assert asked["gpu_layers"] == layers
