"""Live tariffs: Eurostat nrg_pc_204/205 as JSON-stat, as served, + a manifest."""

from lmfootprint.core.logs import log_to
from lmfootprint.reference.retrieve import retrieve_tariffs

with log_to(snakemake.log[0]) as log:
    manifest = retrieve_tariffs(
        endpoints=snakemake.config["reference"]["endpoints"],  # params: masked
        geos=snakemake.params.geos,
        since=snakemake.params.since,
        outs={
            "household": snakemake.output.household,
            "non_household": snakemake.output.non_household,
        },
        manifest=snakemake.output.manifest,
        timeouts=snakemake.params.timeouts,
    )
    log.info("retrieved %d file(s) at %s", len(manifest["files"]), manifest["retrieved_at"])
