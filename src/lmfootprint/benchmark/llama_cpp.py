"""llama.cpp backend: quantised GGUF models, run through llama-cpp-python.

People who run models locally use llama.cpp with 4- and 8-bit GGUF files. Without a GGUF of
the model here, one is written from its config.json with random weights (gguf package, f16),
then quantised by llama.cpp's own quantiser (``llama_model_quantize``), so the file has the
tensor types a real q8_0 / q4_k_m file has. Runtime and energy depend on the architecture,
the quantisation and the forced output length, not on the weight values. The writer covers
the ``llama`` architecture (Llama, SmolLM, Mistral-style configs without biases).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from lmfootprint.benchmark.backend import BackendJob, Prepared
from lmfootprint.benchmark.harness import predicted_memory_gb
from lmfootprint.models.architecture import read_config_json

if TYPE_CHECKING:
    from lmfootprint.benchmark.detect_hardware import Machine
    from lmfootprint.benchmark.harness import Workload

log = logging.getLogger(__name__)

# llama.cpp's file types (llama.h: enum llama_ftype); their bytes per weight are in
# lmfootprint.models.memory.BYTES_PER_PARAM with every other dtype
FTYPES = {"f16": 1, "q8_0": 7, "q4_0": 2, "q4_k_m": 15, "q5_k_m": 17, "q6_k": 18}
LLAMA_TYPES = {"llama", "mistral"}


def unsupported_reason(raw: dict[str, Any]) -> str | None:
    """Why a config cannot be written as a random-init GGUF here, or None."""
    if raw.get("model_type") not in LLAMA_TYPES:
        return (
            f"llama_cpp backend writes random-init GGUF for model_type {sorted(LLAMA_TYPES)} "
            f"only (got {raw.get('model_type')!r}); put a real .gguf in the model's directory"
        )
    if raw.get("attention_bias") or raw.get("mlp_bias"):
        return "llama_cpp backend: attention or MLP biases are not written by the GGUF writer"
    return None


def _vocab(n: int) -> tuple[list[bytes], list[float], list[int]]:
    """A placeholder SentencePiece vocabulary of ``n`` tokens: the benchmark feeds token ids,
    so only the size matters (unk, bos, eos, 256 byte tokens, then filler pieces)."""
    from gguf import TokenType

    tokens = [b"<unk>", b"<s>", b"</s>"] + [f"<0x{i:02X}>".encode() for i in range(256)]
    types = [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL] + [TokenType.BYTE] * 256
    tokens += [f"t{i}".encode() for i in range(len(tokens), n)]
    types += [TokenType.NORMAL] * (n - len(types))
    return tokens[:n], [0.0] * n, [int(t) for t in types[:n]]


def write_random_gguf(raw: dict[str, Any], path: Path, *, seed: int = 0) -> Path:
    """An f16 GGUF with the architecture of ``raw`` (a config.json) and random weights."""
    import gguf

    reason = unsupported_reason(raw)
    if reason:
        raise ValueError(reason)
    hidden = raw["hidden_size"]
    layers = raw["num_hidden_layers"]
    heads = raw["num_attention_heads"]
    kv_heads = raw.get("num_key_value_heads") or heads
    head_dim = raw.get("head_dim") or hidden // heads
    ffn = raw["intermediate_size"]
    vocab = raw["vocab_size"]
    rng = np.random.default_rng(seed)

    def weight(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape, dtype=np.float32) * 0.02).astype(np.float16)

    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name(f"random-init {raw.get('_name_or_path') or 'llama'}")
    writer.add_context_length(int(raw.get("max_position_embeddings") or 2048))
    writer.add_embedding_length(hidden)
    writer.add_block_count(layers)
    writer.add_feed_forward_length(ffn)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_rope_dimension_count(head_dim)
    writer.add_layer_norm_rms_eps(float(raw.get("rms_norm_eps") or 1e-5))
    writer.add_rope_freq_base(float(raw.get("rope_theta") or 10000.0))
    writer.add_file_type(FTYPES["f16"])
    tokens, scores, types = _vocab(vocab)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    norm = np.ones(hidden, dtype=np.float32)
    writer.add_tensor("token_embd.weight", weight(vocab, hidden))
    writer.add_tensor("output_norm.weight", norm)
    if not raw.get("tie_word_embeddings", False):
        writer.add_tensor("output.weight", weight(vocab, hidden))
    for i in range(layers):
        writer.add_tensor(f"blk.{i}.attn_norm.weight", norm)
        writer.add_tensor(f"blk.{i}.attn_q.weight", weight(heads * head_dim, hidden))
        writer.add_tensor(f"blk.{i}.attn_k.weight", weight(kv_heads * head_dim, hidden))
        writer.add_tensor(f"blk.{i}.attn_v.weight", weight(kv_heads * head_dim, hidden))
        writer.add_tensor(f"blk.{i}.attn_output.weight", weight(hidden, heads * head_dim))
        writer.add_tensor(f"blk.{i}.ffn_norm.weight", norm)
        writer.add_tensor(f"blk.{i}.ffn_gate.weight", weight(ffn, hidden))
        writer.add_tensor(f"blk.{i}.ffn_up.weight", weight(ffn, hidden))
        writer.add_tensor(f"blk.{i}.ffn_down.weight", weight(hidden, ffn))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def quantize(source: Path, target: Path, quantization: str, threads: int) -> Path:
    """llama.cpp's own quantiser: the result has the tensor types a published file has."""
    import llama_cpp

    if quantization not in FTYPES:
        raise ValueError(f"quantization {quantization!r}: choose one of {sorted(FTYPES)}")
    if quantization == "f16":
        return source
    from llama_cpp._utils import suppress_stdout_stderr

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = FTYPES[quantization]
    params.nthread = threads
    with suppress_stdout_stderr(disable=False):  # one warning line per fallback tensor
        status = llama_cpp.llama_model_quantize(
            str(source).encode(), str(target).encode(), llama_cpp.byref(params)
        )
    log.info(
        "quantized to %s with llama.cpp (%.0f MB); tensors whose width is not a multiple of "
        "the block size fall back to another type, as in published files",
        quantization,
        target.stat().st_size / 1e6,
    )
    if status != 0:
        raise RuntimeError(f"llama.cpp could not quantize {source} to {quantization} ({status})")
    return target


def local_gguf(model_dir: Path | None, quantization: str) -> Path | None:
    """A .gguf in the model's directory whose name contains the quantisation, if any."""
    if model_dir:
        for candidate in sorted(Path(model_dir).glob("*.gguf")):
            if quantization.lower() in candidate.name.lower():
                return candidate
    return None


def prepare_gguf(
    raw: dict[str, Any],
    model_dir: Path | None,
    quantization: str,
    workdir: Path,
    *,
    threads: int,
    seed: int = 0,
) -> tuple[Path, str]:
    """(GGUF path, weights label): a real local file of that quantisation when there is one,
    else a random-init file written and quantised here."""
    local = local_gguf(model_dir, quantization)
    if local is not None:
        return local, "real"
    f16 = write_random_gguf(raw, workdir / "model-f16.gguf", seed=seed)
    return quantize(
        f16, workdir / f"model-{quantization}.gguf", quantization, threads
    ), "random-init"


class LlamaCppGenerator:
    """Forced-length greedy decoding through llama.cpp, one sequence (batch 1)."""

    name: ClassVar[str] = "llama_cpp"

    def __init__(
        self, gguf_path: Path, *, threads: int, input_tokens: int, output_tokens: int, seed: int = 0
    ):
        from llama_cpp import Llama

        self.llm = Llama(
            model_path=str(gguf_path),
            n_ctx=input_tokens + output_tokens + 8,
            n_batch=max(8, input_tokens),
            n_threads=threads,
            n_threads_batch=threads,
            seed=seed,
            verbose=False,
        )
        self.vocab = self.llm.n_vocab()
        rng = np.random.default_rng(seed)
        self.prompt = [int(t) for t in rng.integers(10, max(11, self.vocab - 1), input_tokens)]

    def _next_token(self) -> int:
        """Greedy: the argmax of the last position's logits (the only ones computed)."""
        import llama_cpp

        logits = np.ctypeslib.as_array(
            llama_cpp.llama_get_logits(self.llm.ctx), shape=(self.vocab,)
        )
        return int(logits.argmax())

    def generate(self, batch: int, new_tokens: int) -> int:
        if batch != 1:
            raise ValueError("the llama_cpp backend decodes one sequence (batch size 1)")
        self.llm.reset()
        self.llm.eval(self.prompt)  # prefill; its logits give the first new token
        produced, token = 1, self._next_token()
        while produced < new_tokens:
            self.llm.eval([token])
            token = self._next_token()
            produced += 1
        return produced


class LlamaCppBackend:
    """The Backend of benchmark/backend.py for llama.cpp: GGUF weights, CPU, batch size 1."""

    name: ClassVar[str] = "llama_cpp"
    batching: ClassVar[str] = "static"

    def __init__(self, job: BackendJob) -> None:
        self.job = job
        self._generator: LlamaCppGenerator | None = None
        self._prepared: Prepared | None = None
        self._path: Path | None = None

    @classmethod
    def workload_problem(cls, workload: Workload) -> str | None:
        if workload.quantization is None or set(workload.batch_sizes) != {1}:
            return (
                f"backend llama_cpp needs a quantization and batch_sizes [1] "
                f"(got {workload.quantization!r}, {list(workload.batch_sizes)})"
            )
        if workload.quantization not in FTYPES:
            return f"quantization {workload.quantization!r}: choose one of {sorted(FTYPES)}"
        return None

    @property
    def dtype(self) -> str:
        """The quantisation: it, not the device's configured dtype, sets the weight bytes."""
        return self.job.workload.quantization or "f16"

    def skip_reason(self, machine: Machine) -> str | None:
        if machine.gpu is not None:
            return "the llama_cpp backend runs on the CPU here (built without CUDA)"
        if local_gguf(self.job.weights_dir, self.dtype) is not None:
            return None
        return unsupported_reason(read_config_json(self.job.config_path))

    def predicted_memory_gb(self, batch: int) -> float:
        return predicted_memory_gb(
            self.job.model, self.dtype, self.job.workload.cache_tokens(batch)
        )

    def prepare(self, scratch: Path) -> Prepared:
        job = self.job
        path, weights = prepare_gguf(
            read_config_json(job.config_path),
            job.weights_dir,
            self.dtype,
            scratch,
            threads=job.threads,
            seed=job.seed,
        )
        self._generator = LlamaCppGenerator(
            path,
            threads=job.threads,
            input_tokens=job.workload.input_tokens,
            output_tokens=job.workload.output_tokens,
            seed=job.seed,
        )
        self._path = path
        # the file as llama.cpp maps it: its real tensor types, fallbacks included
        self._prepared = Prepared(weights, path.stat().st_size / 1e9)
        return self._prepared

    def generate(self, batch: int, new_tokens: int) -> int:
        if self._generator is None:
            raise RuntimeError("LlamaCppBackend.generate before prepare()")
        return self._generator.generate(batch, new_tokens)

    def describe(self) -> str:
        import llama_cpp

        weights = self._prepared.weights if self._prepared else "unloaded"
        name = self._path.name if self._path else "no file yet"
        return (
            f"llama_cpp backend (llama-cpp-python {llama_cpp.__version__}), {weights} weights, "
            f"{self.dtype} GGUF {name}, {self.job.threads} threads on {self.job.device}"
        )

    def close(self) -> None:
        self._generator = None
