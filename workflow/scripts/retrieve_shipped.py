"""Offline: copy a source's shipped snapshot files + a manifest saying they are the snapshot."""

from lmfootprint.core.logs import log_to
from lmfootprint.reference.retrieve import retrieve_shipped

with log_to(snakemake.log[0]) as log:
    manifest = retrieve_shipped(
        snakemake.params.source,
        list(
            zip(
                snakemake.input.files,
                snakemake.params.shipped_as,
                snakemake.output.files,
                strict=True,
            )
        ),
        stamp=snakemake.input.stamp,
        manifest=snakemake.output.manifest,
    )
    log.info("snapshot of %s: %d file(s)", manifest["snapshot_date"], len(manifest["files"]))
