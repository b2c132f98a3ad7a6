# Runs before `configfile:`: the package must be importable (it is not when the workflow is
# used as a module from an environment that lacks it), malformed YAML and keys written twice
# are reported with their file and line, and the folders the run writes must be folders.
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError

# A module fetched from a hosting provider (snakedeploy's github(...) declaration) reaches
# Snakemake file by file; this workflow reads what it ships (resources/, schemas) from disk.
if not getattr(workflow.current_basedir, "is_local", True):
    raise WorkflowError(
        "lmfootprint: this workflow runs as a module from a local copy only (it reads "
        "resources/ and its schemas from disk). Clone a release and deploy from the clone:\n"
        "    git clone --branch v<version> <repository URL> lmfootprint-src\n"
        "    snakedeploy deploy-workflow lmfootprint-src <your study>\n"
        "then set the module's snakefile: to the clone's workflow/Snakefile (README: Deploy)."
    )

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
