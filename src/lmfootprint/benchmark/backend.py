"""The one interface every inference backend implements, and the data it is given.

A benchmark job names its backend in the workload (``backend: transformers``); the registry
(benchmark/registry.py) finds the class, never an ``if backend == ...``, so a new backend is
one module and one registry entry. The harness (benchmark/harness.py) times, meters and
summarises the same way whichever backend generates. This module imports no backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from lmfootprint.benchmark.detect_hardware import Machine
    from lmfootprint.benchmark.workload import Workload


@dataclass(frozen=True)
class BackendJob:
    """What a backend is asked to run: one model, on one device, for one workload."""

    model: dict[str, Any]  # a row of results/models/{model}.parquet
    config_path: Path  # the model's config.json
    weights_dir: Path | None  # a local directory with real weights, if any
    workload: Workload
    dtype: str  # the configured dtype of this device; a backend may run at another
    device: str
    threads: int
    seed: int = 0
    # where a backend may keep files it derives from the model across jobs (GGUF), or None
    cache_dir: Path | None = None


@dataclass(frozen=True)
class Prepared:
    """What prepare() loaded: real or random-init weights, and their size in GB."""

    weights: str  # "real" or "random-init"
    weights_gb: float


class Generator(Protocol):
    """What the metered loop needs: exactly ``new_tokens`` tokens for ``batch`` sequences, after
    a prompt of ``prompt_tokens`` tokens (None: the workload's input_tokens)."""

    name: ClassVar[str]

    def generate(self, batch: int, new_tokens: int, prompt_tokens: int | None = None) -> int: ...


class Backend(Generator, Protocol):
    """One inference backend. Constructing it is cheap (nothing loaded): the job asks it
    why it cannot run, what memory it needs and which dtype it runs at before anything heavy
    happens, so a skip costs no load."""

    job: BackendJob
    # "static": one batch of batch_size sequences; "continuous": a scheduler running up to
    # max_num_seqs = batch_size sequences per step (its rows fill max_num_seqs)
    batching: ClassVar[str]

    def __init__(self, job: BackendJob) -> None: ...

    @classmethod
    def workload_problem(cls, workload: Workload) -> str | None:
        """What in a workload this backend cannot run as written, or None."""
        ...

    @property
    def dtype(self) -> str:
        """The dtype (or quantisation) the weights are held in, as the table records it."""
        ...

    def skip_reason(self, machine: Machine) -> str | None:
        """Why this backend cannot run this model on this machine, or None."""
        ...

    def predicted_memory_gb(self, batch: int) -> float:
        """Weights plus KV cache at ``batch`` sequences of the workload, no margin."""
        ...

    def prepare(self, scratch: Path) -> Prepared:
        """Load the model (files it writes go under ``scratch``, removed after the job)."""
        ...

    def describe(self) -> str:
        """One line for the job log: backend, version, weights, dtype, threads."""
        ...

    def close(self) -> None:
        """Release the model, so the idle baseline runs without it in memory."""
        ...
