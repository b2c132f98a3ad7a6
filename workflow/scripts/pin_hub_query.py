"""Pin a refreshed hub_query snapshot as resources/hub_queries/<name>.csv (read by every run)."""

from lmfootprint.core.logs import log_to
from lmfootprint.models.hub_query import pin

with log_to(snakemake.log[0]) as log:
    added = pin(snakemake.input.snapshot, snakemake.output[0])
    log.info("pinned %s: %d model(s) join the model list", snakemake.output[0], added)
