"""Which engine each benchmark backend needs, and how to install the ones that are missing.

llama.cpp and vLLM are extras, not in every install. A workload naming one whose engine is
absent would fail only when its job runs; the config check names it before anything runs.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Engine:
    """The module a backend imports, the package that ships it, and how to install it."""

    module: str
    package: str
    install: str


ENGINES: dict[str, Engine] = {
    "llama_cpp": Engine(
        "llama_cpp",
        "llama-cpp-python",
        "run `make install-llama` (builds llama.cpp, about 5 minutes on 2 cores)",
    ),
    "vllm": Engine(
        "vllm",
        "vllm",
        "on a GPU machine run `make install-gpu`, then `.venv/bin/python -m pip install "
        "-e '.[vllm]'` (the vllm extra)",
    ),
}


def engine_installed(engine: Engine) -> bool:
    """Whether the engine's module can be imported, without importing it (vllm loads CUDA)."""
    return importlib.util.find_spec(engine.module) is not None


def missing_engines(config: dict[str, Any]) -> list[str]:
    """One line per backend whose engine is missing, naming the workloads that use it."""
    workloads = (config.get("benchmark") or {}).get("workloads") or {}
    lines = []
    for backend, engine in ENGINES.items():
        users = sorted(n for n, w in workloads.items() if (w or {}).get("backend") == backend)
        if users and not engine_installed(engine):
            lines.append(
                f"benchmark.workloads {users} use backend {backend}, but {engine.package} (the "
                f"Python module {engine.module!r}) is not installed: {engine.install}"
            )
    return lines
