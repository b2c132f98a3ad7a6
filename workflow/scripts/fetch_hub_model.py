"""Model info, config.json and card from the Hub at the pinned commit -> results/hub/{model}/."""

from pathlib import Path

from lmfootprint.core.logs import log_to
from lmfootprint.models.hub import fetch_or_fallback

with log_to(snakemake.log[0]):
    hub = snakemake.params.hub
    fetch_or_fallback(
        snakemake.params.model_id,
        revision=snakemake.params.revision,
        endpoint=snakemake.params.endpoint,
        out_dir=Path(snakemake.output.config_json).parent,
        snapshot_dir=snakemake.params.snapshot_dir,
        fallback=hub["fallback_to_snapshot"],
        timeout_s=hub["timeout_s"],
        attempts=hub["attempts"],
        backoff_s=hub["backoff_s"],
    )
