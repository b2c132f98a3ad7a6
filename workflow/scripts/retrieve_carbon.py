"""Live grid intensity: OWID's country CSV and Google's region file, as served, + a manifest."""

from lmfootprint.core.logs import log_to
from lmfootprint.reference.retrieve import retrieve_carbon

with log_to(snakemake.log[0]) as log:
    manifest = retrieve_carbon(
        endpoints=snakemake.config["reference"]["endpoints"],  # params: masked
        google_year=snakemake.params.google_year,
        owid_out=snakemake.output.owid,
        google_out=snakemake.output.google,
        manifest=snakemake.output.manifest,
        timeouts=snakemake.params.timeouts,
    )
    log.info("retrieved %d file(s) at %s", len(manifest["files"]), manifest["retrieved_at"])
