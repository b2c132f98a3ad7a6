"""The folders a run writes into must be folders, checked before the first job.

A regular file named ``results`` (a stray download, a `> results` typo) otherwise surfaces as
a NotADirectoryError traceback from whichever job first writes there.
"""

from __future__ import annotations

from pathlib import Path

from lmfootprint.core.errors import LmFootprintError

# what the workflow writes, relative to the working directory
RUN_FOLDERS = ("results", "logs", "benchmarks", ".snakemake")


class WorkdirError(LmFootprintError):
    """A folder the run writes into is something else."""


def check_run_folders(workdir: str | Path = ".") -> None:
    """Each of RUN_FOLDERS is absent (created by the run) or a directory."""
    problems = []
    for name in RUN_FOLDERS:
        path = Path(workdir) / name
        if path.is_symlink() and not path.exists():
            problems.append(
                f"{name}/ is a link to {path.readlink()}, which does not exist: create the "
                "target directory or remove the link"
            )
        elif path.exists() and not path.is_dir():
            problems.append(
                f"{name}/ is a file, not a directory: the workflow writes its {name} there; "
                f"move or remove the file {path.resolve()}"
            )
    if problems:
        raise WorkdirError("; ".join(problems))
