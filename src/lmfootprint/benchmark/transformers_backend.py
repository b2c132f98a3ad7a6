"""transformers backend: causal LMs in the configured dtype, greedy forced-length generation.

The dtype is chosen, never inherited from config.json. Real safetensors weights are loaded
when the model's directory has them, else the architecture is built with random weights:
runtime and energy depend on the shapes, not on the weight values. Remote code is never run
(trust_remote_code=False), so a model_type transformers does not know is a skip, not a crash.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from lmfootprint.benchmark.backend import BackendJob, Prepared
from lmfootprint.benchmark.detect_hardware import Machine
from lmfootprint.benchmark.workload import Workload, predicted_memory_gb
from lmfootprint.models.architecture import read_config_json
from lmfootprint.models.memory import DTYPE_ALIASES, GB, weight_bytes

# fp32 -> float32 etc.: torch's attribute names for the dtypes of the memory table
TORCH_DTYPES = {short: long for long, short in DTYPE_ALIASES.items()}


def has_local_weights(model_dir: Path | None) -> bool:
    return bool(model_dir) and any(Path(model_dir).glob("*.safetensors"))


def causal_lm_problem(raw: dict[str, Any]) -> str | None:
    """Why transformers cannot build a causal LM from this config.json without remote code,
    or None. The metadata stage counts such a model in closed form; running it needs a class."""
    import transformers
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES
    from transformers.models.auto.modeling_auto import MODEL_FOR_CAUSAL_LM_MAPPING_NAMES

    model_type = raw.get("model_type")
    custom = (
        "; its auto_map points at custom code, which is never run (trust_remote_code=False)"
        if raw.get("auto_map")
        else ""
    )
    if model_type not in CONFIG_MAPPING_NAMES:
        return (
            f"transformers {transformers.__version__} does not know model_type {model_type!r}"
            f"{custom}"
        )
    if model_type not in MODEL_FOR_CAUSAL_LM_MAPPING_NAMES:
        return (
            f"transformers {transformers.__version__} has no causal-LM class for model_type "
            f"{model_type!r}{custom}"
        )
    return None


def load_model(config_path: Path, weights_dir: Path | None, dtype: str, device: str, seed: int):
    """Real safetensors weights when present, else the architecture with random weights."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    torch_dtype = getattr(torch, TORCH_DTYPES[dtype])
    if has_local_weights(weights_dir):
        # from_pretrained reads the folder's config.json itself: check it first, so a bad
        # field (a torch_dtype of "bf16") is one message naming it, not a torch traceback
        read_config_json(Path(weights_dir) / "config.json")
        model = AutoModelForCausalLM.from_pretrained(
            weights_dir,
            dtype=torch_dtype,
            use_safetensors=True,
            trust_remote_code=False,
            local_files_only=True,
        )
        weights = "real"
    else:
        from transformers.initialization import no_init_weights

        raw = read_config_json(config_path)
        clean = {k: v for k, v in raw.items() if k not in ("auto_map", "_name_or_path")}
        cfg = AutoConfig.for_model(clean.pop("model_type"), **clean)
        # built without initialising (torch's default init, then transformers' own: two
        # passes, 5.7 s for a 360M model on 2 cores), then initialised once as transformers
        # does it for these models
        with no_init_weights():
            model = AutoModelForCausalLM.from_config(
                cfg, dtype=torch_dtype, trust_remote_code=False
            )
        model.tie_weights()  # post_init's tying is skipped with the init: tied heads share again
        random_init(model, getattr(cfg, "initializer_range", 0.02), seed)
        weights = "random-init"
    return model.to(device).eval(), weights


def random_init(model: Any, std: float, seed: int) -> None:
    """Matrices and embeddings ~ N(0, std), biases 0, norm scales 1 (transformers' init for
    decoder LMs), from a seeded generator: the same seed gives the same weights."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if param.dim() >= 2:
                param.normal_(0.0, std, generator=generator)
            elif name.endswith("bias"):
                param.zero_()
            else:
                param.fill_(1.0)


def make_prompt(vocab_size: int, batch: int, tokens: int, seed: int, device: str):
    import torch

    gen = torch.Generator().manual_seed(seed)
    ids = torch.randint(10, max(11, vocab_size - 1), (batch, tokens), generator=gen)
    return ids.to(device), torch.ones_like(ids).to(device)


def generate(model, ids, mask, new_tokens: int) -> int:
    """Exactly ``new_tokens`` greedy tokens per sequence; returns how many were produced."""
    import torch

    with torch.inference_mode():
        out = model.generate(
            input_ids=ids,
            attention_mask=mask,
            do_sample=False,
            min_new_tokens=new_tokens,
            max_new_tokens=new_tokens,
            eos_token_id=None,
            pad_token_id=0,
        )
    return int(out.shape[1] - ids.shape[1])


class TransformersGenerator:
    """A loaded model and its prompts (cached per batch size): forced-length generation."""

    name: ClassVar[str] = "transformers"

    def __init__(self, model, *, vocab_size: int, device: str, input_tokens: int, seed: int = 0):
        self.model, self.vocab_size, self.device = model, vocab_size, device
        self.input_tokens, self.seed = input_tokens, seed
        self._prompts: dict[tuple[int, int], tuple] = {}

    def generate(self, batch: int, new_tokens: int, prompt_tokens: int | None = None) -> int:
        key = (batch, prompt_tokens or self.input_tokens)
        if key not in self._prompts:
            self._prompts[key] = make_prompt(self.vocab_size, *key, self.seed, self.device)
        ids, mask = self._prompts[key]
        return generate(self.model, ids, mask, new_tokens)


class TransformersBackend:
    """The Backend of benchmark/backend.py for transformers."""

    name: ClassVar[str] = "transformers"
    batching: ClassVar[str] = "static"

    def __init__(self, job: BackendJob) -> None:
        self.job = job
        self._generator: TransformersGenerator | None = None
        self._prepared: Prepared | None = None

    @classmethod
    def workload_problem(cls, workload: Workload) -> str | None:
        return None

    @property
    def dtype(self) -> str:
        return self.job.dtype

    def _config_file(self) -> Path:
        """The config.json transformers will read: the weights' own when they are local."""
        if has_local_weights(self.job.weights_dir):
            return Path(self.job.weights_dir) / "config.json"  # type: ignore[arg-type]
        return self.job.config_path

    def skip_reason(self, machine: Machine) -> str | None:
        if machine.target.kind == "mps":
            import torch

            if not torch.backends.mps.is_available():
                return "torch here has no MPS backend (Apple silicon GPU)"
        return causal_lm_problem(read_config_json(self._config_file()))

    def predicted_memory_gb(self, batch: int) -> float:
        return predicted_memory_gb(
            self.job.model, self.dtype, self.job.workload.cache_tokens(batch)
        )

    def prepare(self, scratch: Path) -> Prepared:
        import torch

        job = self.job
        torch.set_num_threads(job.threads)
        net, weights = load_model(
            job.config_path, job.weights_dir, self.dtype, job.device, job.seed
        )
        self._generator = TransformersGenerator(
            net,
            vocab_size=job.model["vocab_size"],
            device=job.device,
            input_tokens=job.workload.input_tokens,
            seed=job.seed,
        )
        self._prepared = Prepared(weights, weight_bytes(job.model["params_total"], self.dtype) / GB)
        return self._prepared

    def generate(self, batch: int, new_tokens: int, prompt_tokens: int | None = None) -> int:
        if self._generator is None:
            raise RuntimeError("TransformersBackend.generate before prepare()")
        return self._generator.generate(batch, new_tokens, prompt_tokens)

    def describe(self) -> str:
        import transformers

        weights = self._prepared.weights if self._prepared else "unloaded"
        return (
            f"transformers {transformers.__version__} backend, {weights} weights, {self.dtype}, "
            f"{self.job.threads} threads on {self.job.device}"
        )

    def close(self) -> None:
        self._generator = None
