"""Architecture facts and memory needs of one model -> results/models/{model}.parquet, or of
every model of a metadata shard (params.models) -> its table, results/models/shards/{shard}.parquet
(from which model_rows.py writes the rows)."""

from lmfootprint.core.io import write_parquet
from lmfootprint.core.limits import memory_limit
from lmfootprint.core.logs import log_to
from lmfootprint.models.model_metadata import metadata_tables

models = snakemake.params.models
memory = snakemake.params.memory
what = f"model {models[0]['slug']}" if len(models) == 1 else f"{len(models)} models"
with (
    log_to(snakemake.log[0]) as log,
    # a config that slips past the shape bounds ends here with one message, not a swap storm
    memory_limit(snakemake.resources.get("mem_mb"), what, rule=snakemake.rule),
):
    table, skipped = metadata_tables(
        models,
        on_error=snakemake.params.on_error,
        cards_csv=snakemake.input.cards,
        context_tokens=memory["context_tokens"],
        batch_size=memory["batch_size"],
        kv_dtype=memory["kv_dtype"],
        slm_max_params=snakemake.params.slm_max_params,
    )
    # a shard writes its table (its rows are model_rows.py's job), a single model its row
    # (empty when it was skipped: models_on_error: skip)
    write_parquet(table, snakemake.output.get("shard") or snakemake.output.row)
    if snakemake.output.get("skipped"):
        write_parquet(skipped, snakemake.output.skipped)
    log.info("%s: metadata written (%d skipped)", what, skipped.height)
