# Runs before `configfile:`: the package must be importable (it is not when the workflow is
# used as a module from an environment that lacks it), malformed YAML and keys written twice
# are reported with their file and line, and the folders the run writes must be folders.
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError

try:
    from lmfootprint.core.config import check_yaml_file
    from lmfootprint.core.errors import LmFootprintError
    from lmfootprint.core.workdir import check_run_folders
except ImportError:
    raise WorkflowError(
        "lmfootprint: the workflow's Python package is not importable by the Python that runs "
        f"Snakemake ({sys.executable}). Install it into that environment with:\n"
        f"    {sys.executable} -m pip install -e {Path(workflow.current_basedir).parents[1]}"
    ) from None

try:
    check_run_folders(".")
    check_yaml_file("config/config.yaml")
    for extra in workflow.overwrite_configfiles or ():
        check_yaml_file(extra)
except LmFootprintError as exc:
    raise WorkflowError(f"lmfootprint: {exc}") from None
