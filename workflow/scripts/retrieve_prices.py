"""Live GPU prices: Azure Retail Prices pages and AWS offer CSVs, as served, + a manifest."""

from lmfootprint.core.logs import log_to
from lmfootprint.reference.retrieve import retrieve_prices

with log_to(snakemake.log[0]) as log:
    manifest = retrieve_prices(
        skus_path=snakemake.input.skus,
        azure_regions=snakemake.params.azure_regions,
        aws_regions=snakemake.params.aws_regions,
        endpoints=snakemake.config["reference"]["endpoints"],  # params: masked
        azure_out=snakemake.output.azure,
        aws_out=list(snakemake.output.aws),
        manifest=snakemake.output.manifest,
        timeouts=snakemake.params.timeouts,
    )
    log.info("retrieved %d file(s) at %s", len(manifest["files"]), manifest["retrieved_at"])
