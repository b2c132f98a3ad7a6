"""List the configured hub_query on the Hub -> a new snapshot + what joined, left and moved."""

from lmfootprint.core.logs import log_to
from lmfootprint.models.hub_query import HubQueryError, refresh

with log_to(snakemake.log[0]):
    if not snakemake.params.online:
        raise HubQueryError(
            "refresh_hub_query lists the Hub: run it with `online: true` (`make discover` does)"
        )
    refresh(
        snakemake.params.query,
        endpoint=snakemake.params.endpoint,
        previous_path=snakemake.params.previous,
        out_csv=snakemake.output.snapshot,
        out_changes=snakemake.output.changes,
    )
