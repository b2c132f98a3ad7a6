# Runs before `configfile:` so that malformed YAML is reported with its line and column.
from snakemake.exceptions import WorkflowError

from lmfootprint.core.config import check_yaml_file
from lmfootprint.core.errors import ConfigError

try:
    check_yaml_file("config/config.yaml")
except ConfigError as exc:
    raise WorkflowError(f"lmfootprint: {exc}") from None
