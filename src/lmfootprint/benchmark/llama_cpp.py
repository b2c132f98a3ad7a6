"""llama.cpp backend: quantised GGUF models, run through llama-cpp-python.

People who run models locally use llama.cpp with 4- and 8-bit GGUF files. Without a GGUF of
the model here, one is written from its config.json with random weights
(benchmark/gguf_writer.py, f16), then quantised by llama.cpp's own quantiser
(``llama_model_quantize``), so the file has the tensor types a real q8_0 / q4_k_m file has.
Runtime and energy depend on the architecture, the quantisation and the forced output
length, not on the weight values.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from lmfootprint.benchmark import gguf_writer
from lmfootprint.benchmark.backend import BackendJob, Prepared
from lmfootprint.benchmark.device import Device
from lmfootprint.benchmark.gguf_writer import FTYPES, unsupported_reason, write_random_gguf
from lmfootprint.benchmark.workload import predicted_memory_gb
from lmfootprint.models.architecture import read_config_json

if TYPE_CHECKING:
    from lmfootprint.benchmark.detect_hardware import Machine
    from lmfootprint.benchmark.workload import Workload

log = logging.getLogger(__name__)


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


def gpu_offload() -> bool:
    """Whether this llama.cpp build can run layers on a GPU (Metal on macOS)."""
    import llama_cpp

    return bool(llama_cpp.llama_supports_gpu_offload())


def cache_key(raw: dict[str, Any], quantization: str, seed: int) -> str:
    """What a random-init file depends on: the config, the format, the seed and the writer's
    own code (a changed writer never reuses an old file)."""
    writer = Path(gguf_writer.__file__).read_bytes()
    blob = json.dumps(raw, sort_keys=True).encode() + f"|{quantization}|{seed}|".encode()
    return hashlib.sha256(blob + writer).hexdigest()[:20]


def prepare_gguf(
    raw: dict[str, Any],
    model_dir: Path | None,
    quantization: str,
    workdir: Path,
    *,
    threads: int,
    seed: int = 0,
    cache_dir: Path | None = None,
) -> tuple[Path, str]:
    """(GGUF path, weights label): a real local file of that quantisation when there is one,
    else a random-init file written and quantised here, or taken from ``cache_dir``
    (benchmark.gguf_cache), where another job of the same model and format left it:
    quantising an 8B model takes minutes, and every workload would pay it again."""
    local = local_gguf(model_dir, quantization)
    if local is not None:
        return local, "real"
    cached = None
    if cache_dir is not None:
        cached = Path(cache_dir) / f"{cache_key(raw, quantization, seed)}-{quantization}.gguf"
        if cached.is_file():
            log.info("random-init %s GGUF from the cache: %s", quantization, cached)
            return cached, "random-init"
    f16 = write_random_gguf(raw, workdir / "model-f16.gguf", seed=seed)
    made = quantize(f16, workdir / f"model-{quantization}.gguf", quantization, threads)
    if cached is None:
        return made, "random-init"
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.partial")
    shutil.copyfile(made, partial)
    os.replace(partial, cached)  # whole or absent: a concurrent job never reads half a file
    return cached, "random-init"


class LlamaCppGenerator:
    """Forced-length greedy decoding through llama.cpp, one sequence (batch 1)."""

    name: ClassVar[str] = "llama_cpp"

    def __init__(
        self,
        gguf_path: Path,
        *,
        threads: int,
        input_tokens: int,
        output_tokens: int,
        seed: int = 0,
        gpu_layers: int = 0,
    ):
        """``gpu_layers``: layers offloaded to the GPU (-1: all, as on ``mps``, where llama.cpp
        runs through Metal; 0: the CPU alone)."""
        from llama_cpp import Llama

        self.n_batch = max(8, input_tokens)
        self.llm = Llama(
            model_path=str(gguf_path),
            n_ctx=input_tokens + output_tokens + 8,
            n_batch=self.n_batch,
            n_threads=threads,
            n_threads_batch=threads,
            n_gpu_layers=gpu_layers,
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
            llama_cpp.llama_get_logits_ith(self.llm.ctx, -1), shape=(self.vocab,)
        )
        return int(logits.argmax())

    def _decode(self, tokens: list[int]) -> None:
        import llama_cpp

        ids = (llama_cpp.llama_token * len(tokens))(*tokens)
        status = llama_cpp.llama_decode(self.llm.ctx, llama_cpp.llama_batch_get_one(ids, len(ids)))
        if status != 0:
            raise RuntimeError(f"llama_decode failed ({status})")

    def generate(self, batch: int, new_tokens: int, prompt_tokens: int | None = None) -> int:
        """Straight on llama.cpp's C API (llama_decode), as llama.cpp's own examples decode:
        the high-level ``Llama.eval`` copies every step's logits into Python arrays, which
        halved decode speed on a 135M model (bench/llama_cpp_overhead.py)."""
        import llama_cpp

        if batch != 1:
            raise ValueError("the llama_cpp backend decodes one sequence (batch size 1)")
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(self.llm.ctx), True)
        # prefill (a replayed request's own length) in chunks of n_batch; its logits give the
        # first new token
        prompt = self.prompt[:prompt_tokens] if prompt_tokens else self.prompt
        for start in range(0, len(prompt), self.n_batch):
            self._decode(prompt[start : start + self.n_batch])
        produced, token = 1, self._next_token()
        while produced < new_tokens:
            self._decode([token])
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
        if machine.target.kind == "mps" and not gpu_offload():
            return "llama-cpp-python here was built without Metal: reinstall it on macOS"
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
            cache_dir=job.cache_dir,
        )
        self._generator = LlamaCppGenerator(
            path,
            threads=job.threads,
            input_tokens=job.workload.input_tokens,
            output_tokens=job.workload.output_tokens,
            seed=job.seed,
            # on an Apple silicon GPU every layer runs through Metal, as local tools run them
            gpu_layers=-1 if Device.parse(job.device).kind == "mps" else 0,
        )
        self._path = path
        # the file as llama.cpp maps it: its real tensor types, fallbacks included
        self._prepared = Prepared(weights, path.stat().st_size / 1e9)
        return self._prepared

    def generate(self, batch: int, new_tokens: int, prompt_tokens: int | None = None) -> int:
        if self._generator is None:
            raise RuntimeError("LlamaCppBackend.generate before prepare()")
        return self._generator.generate(batch, new_tokens, prompt_tokens)

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
