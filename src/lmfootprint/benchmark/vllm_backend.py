"""vLLM backend: the offline engine (``vllm.LLM``) under continuous batching, as served.

ML.ENERGY's leaderboard v3 measures vLLM at a sweep of ``max_num_seqs`` (how many sequences
the scheduler runs per step). Here the workload's batch_sizes are that sweep: the engine is
built once with max_num_seqs = the largest point, and each point submits exactly ``batch``
equal-length requests at once, so every step runs ``batch`` sequences, as an engine capped at
max_num_seqs = batch does under a saturating load. Output length is forced
(min_tokens = max_tokens, ignore_eos), prompts are token ids (no tokenizer: random-init
models have none), and prefix caching is off so a repeat pays its prefill again. Without real
weights the engine loads random ones (load_format="dummy"): runtime and energy depend on the
shapes. vllm is the optional ``vllm`` extra; without it, or without a GPU, the job is a skip
row saying so.
"""

from __future__ import annotations

import gc
import importlib.util
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from lmfootprint.benchmark.backend import BackendJob, Prepared
from lmfootprint.benchmark.transformers_backend import TORCH_DTYPES, has_local_weights
from lmfootprint.benchmark.workload import predicted_memory_gb
from lmfootprint.models.architecture import read_config_json
from lmfootprint.models.memory import GB, weight_bytes

if TYPE_CHECKING:
    from lmfootprint.benchmark.detect_hardware import Machine
    from lmfootprint.benchmark.workload import Workload

INSTALL_HINT = "pip install -e '.[vllm]' (the vllm extra)"
# the share of GPU memory the engine may reserve for weights, activations and KV cache
GPU_MEMORY_UTILIZATION = 0.9


def vllm_installed() -> bool:
    """Whether vllm can be imported, without importing it (that loads torch and CUDA)."""
    return importlib.util.find_spec("vllm") is not None


def prompt_ids(vocab_size: int, batch: int, tokens: int, seed: int) -> list[dict[str, list[int]]]:
    """``batch`` different random prompts of ``tokens`` ids each, as vLLM's TokensPrompt."""
    import numpy as np

    rng = np.random.default_rng(seed)
    ids = rng.integers(10, max(11, vocab_size - 1), size=(batch, tokens))
    return [{"prompt_token_ids": row.tolist()} for row in ids]


def forced_sampling(new_tokens: int, seed: int):
    """Greedy, exactly ``new_tokens`` tokens, EOS ignored, no detokenisation."""
    from vllm import SamplingParams

    return SamplingParams(
        n=1,
        temperature=0.0,
        min_tokens=new_tokens,
        max_tokens=new_tokens,
        ignore_eos=True,
        detokenize=False,
        seed=seed,
    )


class VllmBackend:
    """The Backend of benchmark/backend.py for vLLM's offline engine."""

    name: ClassVar[str] = "vllm"
    batching: ClassVar[str] = "continuous"

    def __init__(self, job: BackendJob) -> None:
        self.job = job
        self._llm: Any = None
        self._prepared: Prepared | None = None
        self._prompts: dict[int, list[dict[str, list[int]]]] = {}

    @classmethod
    def workload_problem(cls, workload: Workload) -> str | None:
        if workload.quantization is not None:
            return "the vllm backend runs unquantised weights: set quantization to null"
        if workload.replay:
            return "the vllm backend serves many requests at once: replay is for batch 1 backends"
        return None

    @property
    def dtype(self) -> str:
        return self.job.dtype

    def skip_reason(self, machine: Machine) -> str | None:
        if machine.gpu is None:
            return f"the vllm backend needs a GPU; device {machine.device} is not one"
        if machine.target.index != 0:
            return (
                "the vllm backend runs on the first visible GPU (cuda:0); select another GPU "
                "with CUDA_VISIBLE_DEVICES"
            )
        if not vllm_installed():
            return f"vllm is not installed: {INSTALL_HINT}"
        return self._architecture_problem()

    def _architecture_problem(self) -> str | None:
        from vllm import ModelRegistry

        archs = read_config_json(self._config_file()).get("architectures") or []
        supported = set(ModelRegistry.get_supported_archs())
        if not any(a in supported for a in archs):
            return f"vllm has no model class for architectures {archs}"
        return None

    def _config_file(self) -> Path:
        if has_local_weights(self.job.weights_dir):
            return Path(self.job.weights_dir) / "config.json"  # type: ignore[arg-type]
        return self.job.config_path

    def predicted_memory_gb(self, batch: int) -> float:
        return predicted_memory_gb(
            self.job.model, self.dtype, self.job.workload.cache_tokens(batch)
        )

    def _model_dir(self, scratch: Path) -> tuple[Path, str, str]:
        """(directory vLLM loads, load_format, weights): real safetensors when local, else the
        config.json alone (without remote-code pointers) and dummy weights."""
        if has_local_weights(self.job.weights_dir):
            return Path(self.job.weights_dir), "auto", "real"  # type: ignore[arg-type]
        raw = read_config_json(self.job.config_path)
        clean = {k: v for k, v in raw.items() if k not in ("auto_map", "_name_or_path")}
        model_dir = scratch / "vllm-model"
        model_dir.mkdir(parents=True, exist_ok=True)
        (model_dir / "config.json").write_text(json.dumps(clean, indent=1), encoding="utf-8")
        return model_dir, "dummy", "random-init"

    def prepare(self, scratch: Path) -> Prepared:
        from vllm import LLM

        job = self.job
        model_dir, load_format, weights = self._model_dir(scratch)
        self._llm = LLM(
            model=str(model_dir),
            skip_tokenizer_init=True,
            load_format=load_format,
            dtype=TORCH_DTYPES[self.dtype],
            max_num_seqs=max(job.workload.batch_sizes),
            max_model_len=job.workload.input_tokens + job.workload.output_tokens,
            enable_prefix_caching=False,
            gpu_memory_utilization=GPU_MEMORY_UTILIZATION,
            trust_remote_code=False,
            seed=job.seed,
        )
        self._prepared = Prepared(weights, weight_bytes(job.model["params_total"], self.dtype) / GB)
        return self._prepared

    def generate(self, batch: int, new_tokens: int, prompt_tokens: int | None = None) -> int:
        """Exactly ``new_tokens`` tokens for each of ``batch`` requests submitted at once;
        returns the fewest any request got (the harness checks it)."""
        if self._llm is None:
            raise RuntimeError("VllmBackend.generate before prepare()")
        if batch not in self._prompts:
            self._prompts[batch] = prompt_ids(
                self.job.model["vocab_size"], batch, self.job.workload.input_tokens, self.job.seed
            )
        outputs = self._llm.generate(
            self._prompts[batch], forced_sampling(new_tokens, self.job.seed), use_tqdm=False
        )
        if len(outputs) != batch:
            raise RuntimeError(f"vllm returned {len(outputs)} outputs for {batch} requests")
        return min(len(o.outputs[0].token_ids) for o in outputs)

    def describe(self) -> str:
        import vllm

        weights = self._prepared.weights if self._prepared else "unloaded"
        return (
            f"vllm {vllm.__version__} backend (offline engine, continuous batching, "
            f"max_num_seqs {max(self.job.workload.batch_sizes)}, prefix caching off), "
            f"{weights} weights, {self.dtype} on {self.job.device}"
        )

    def close(self) -> None:
        """Shut the engine down so the idle baseline runs without it holding the GPU."""
        self._llm = None
        self._prompts.clear()
        gc.collect()
        try:
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        except ImportError:
            pass
