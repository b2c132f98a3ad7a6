"""llama.cpp backend: quantised GGUF models, run through llama-cpp-python.

People who run models locally use llama.cpp with 4- and 8-bit GGUF files. Without a GGUF of
the model here, one is written from its config.json with random weights
(benchmark/gguf_writer.py, f16), then quantised by llama.cpp's own quantiser
(``llama_model_quantize``), so the file has the tensor types a real q8_0 / q4_k_m file has.
Runtime and energy depend on the architecture, the quantisation and the forced output
length, not on the weight values.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from lmfootprint.benchmark.backend import BackendJob, Prepared
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

    def generate(self, batch: int, new_tokens: int, prompt_tokens: int | None = None) -> int:
        if batch != 1:
            raise ValueError("the llama_cpp backend decodes one sequence (batch size 1)")
        self.llm.reset()
        # prefill (a replayed request's own length); its logits give the first new token
        self.llm.eval(self.prompt[:prompt_tokens] if prompt_tokens else self.prompt)
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
