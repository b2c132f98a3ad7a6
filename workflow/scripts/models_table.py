"""The per-model rows or the shard tables -> results/models.parquet (validated as a whole, in
config order)."""

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.models.model_metadata import aggregate_models, load_skipped

with log_to(snakemake.log[0]) as log:
    # models_on_error: skip: the models the metadata jobs could not read, and why
    skipped = load_skipped(list(snakemake.input.skipped)) if snakemake.input.skipped else None
    gone = skipped["slug"].to_list() if skipped is not None else []
    order = snakemake.params.order
    table = aggregate_models(list(snakemake.input.models), order=order, skipped=gone)
    write_parquet(table, snakemake.output.models)
    if skipped is not None:
        write_parquet(skipped, snakemake.output.skipped)
        for row in skipped.iter_rows(named=True):
            log.warning("%s: skipped: %s", row["model_id"], row["reason"])
