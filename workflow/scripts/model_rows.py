"""One metadata shard's table -> each of its models' rows, results/models/{model}.parquet.

A job of its own, not more outputs of the shard job: Snakemake keeps one metadata record per
output holding the job's every input, so a shard writing its k rows beside reading its k configs
costs k^2 to check at each run; this job reads one file."""

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.models.model_metadata import load_skipped, shard_rows

with log_to(snakemake.log[0]) as log:
    # models_on_error: skip: a skipped model's row is empty
    found = snakemake.input.get("skipped")
    skipped = load_skipped([found])["slug"].to_list() if found else []
    rows = shard_rows(snakemake.input.shard, snakemake.params.slugs, skipped)
    for row, out in zip(rows, snakemake.output.models, strict=True):
        write_parquet(row, out)
    log.info("%d model rows written from %s", len(rows), snakemake.input.shard)
