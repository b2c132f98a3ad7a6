"""The benchmark's backends by name: which class runs each, whether its engine is installed
here, and how to install it.

The top of the benchmark stage: it imports the backends, none of them imports it, and nothing
outside ``lmfootprint.benchmark`` names a backend (the config check asks ``missing_engines``,
the schema reads ``BACKEND_NAMES``). A new backend is one module and one entry here.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any

import polars as pl

from lmfootprint.benchmark.backend import Backend, BackendJob
from lmfootprint.benchmark.llama_cpp import LlamaCppBackend
from lmfootprint.benchmark.transformers_backend import TransformersBackend
from lmfootprint.benchmark.vllm_backend import VllmBackend
from lmfootprint.benchmark.workload import Workload, WorkloadError


@dataclass(frozen=True)
class Entry:
    """A backend class, the module its engine imports, the package that ships it, and the
    command that installs it."""

    backend: type[Backend]
    module: str
    package: str
    install: str

    @property
    def installed(self) -> bool:
        """Whether the engine's module can be imported, without importing it (vllm loads CUDA)."""
        return importlib.util.find_spec(self.module) is not None


ENTRIES: dict[str, Entry] = {
    "transformers": Entry(
        TransformersBackend, "transformers", "transformers", "run `make install` (the base set)"
    ),
    "llama_cpp": Entry(
        LlamaCppBackend,
        "llama_cpp",
        "llama-cpp-python",
        "run `make install-llama` (builds llama.cpp, about 5-10 minutes on 2 cores)",
    ),
    "vllm": Entry(
        VllmBackend,
        "vllm",
        "vllm",
        "on a GPU machine run `make install-gpu`, then `.venv/bin/python -m pip install "
        "-e '.[vllm]'` (the vllm extra)",
    ),
}
BACKEND_NAMES: tuple[str, ...] = tuple(ENTRIES)


def backend_class(name: str) -> type[Backend]:
    try:
        return ENTRIES[name].backend
    except KeyError:
        raise WorkloadError(f"unknown backend {name!r}; known: {sorted(ENTRIES)}") from None


def checked_workload(workload: Workload) -> Workload:
    """The workload, once its backend exists and can run it as written."""
    try:
        problem = backend_class(workload.backend).workload_problem(workload)
    except WorkloadError as exc:
        raise WorkloadError(f"workload {workload.name}: {exc}") from None
    if problem:
        raise WorkloadError(f"workload {workload.name}: {problem}")
    return workload


def workload_from_spec(
    name: str, spec: dict[str, Any], prompts: pl.DataFrame | None = None
) -> Workload:
    """A configured workload (benchmark.workloads.<name>), checked against its backend;
    ``prompts`` is the prompt sample a replay reads."""
    return checked_workload(Workload.from_spec(name, spec, prompts))


def make_backend(job: BackendJob) -> Backend:
    """The backend the job's workload names, constructed (nothing loaded yet)."""
    return backend_class(checked_workload(job.workload).backend)(job)


def missing_engines(config: dict[str, Any]) -> list[str]:
    """One line per backend whose engine is missing, naming the workloads that use it."""
    workloads = (config.get("benchmark") or {}).get("workloads") or {}
    lines = []
    for name, entry in ENTRIES.items():
        users = sorted(n for n, w in workloads.items() if (w or {}).get("backend") == name)
        if users and not entry.installed:
            lines.append(
                f"benchmark.workloads {users} use backend {name}, but {entry.package} (the "
                f"Python module {entry.module!r}) is not installed: {entry.install}"
            )
    return lines
