"""The conda environment of the rules, generated from the exact pins of requirements/base.lock.

``python -m lmfootprint.core.conda_env requirements/base.lock workflow/envs/lmfootprint.yaml``
(run by ``make lock``) writes it; a test fails when the two disagree, so ``--sdm conda``
installs exactly what ``make install`` does.
"""

from __future__ import annotations

import sys
from pathlib import Path

HEADER = """\
# Generated from requirements/base.lock by `make lock` (python -m lmfootprint.core.conda_env);
# do not edit by hand. Only used with `--sdm conda`; by default rules run in the interpreter
# that runs Snakemake (the project's .venv). Every dependency is pinned as in the lock, so
# installing the package itself resolves nothing new; torch is the CPU build, from PyTorch's
# CPU index (the package index's build would bring the CUDA runtime, which no lock pins here).
channels:
  - conda-forge
  - nodefaults
dependencies:
  - python=3.11
  - pip
  - pip:
      - --extra-index-url https://download.pytorch.org/whl/cpu
"""


def pins(lock_text: str) -> list[str]:
    """``name==version`` lines of a pip lock, comments and blanks dropped."""
    out = []
    for line in lock_text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and "==" in line:
            out.append(line)
    return out


def render_env(lock_text: str) -> str:
    lines = [f"      - {pin}" for pin in pins(lock_text)]
    lines.append("      - -e ../..")
    return HEADER + "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python -m lmfootprint.core.conda_env LOCK ENV_YAML")
    lock, env = (Path(a) for a in sys.argv[1:])
    env.write_text(render_env(lock.read_text(encoding="utf-8")), encoding="utf-8")
