"""Architecture facts and memory needs of one model -> results/models/{model}.parquet."""

from pathlib import Path

from lmfootprint.core.ids import ModelRef
from lmfootprint.core.io import write_parquet
from lmfootprint.core.limits import memory_limit
from lmfootprint.core.logs import log_to
from lmfootprint.models.model_metadata import model_record

model = snakemake.wildcards.model
with (
    log_to(snakemake.log[0]),
    # a config that slips past the shape bounds ends here with one message, not a swap storm
    memory_limit(snakemake.resources.get("mem_mb"), f"model {model}", rule="model_metadata"),
):
    local_dir = snakemake.params.local_dir
    ref = ModelRef(snakemake.params.model_id, model, Path(local_dir) if local_dir else None)
    memory = snakemake.params.memory
    row = model_record(
        ref,
        snakemake.input.config_json,
        source_path=snakemake.input.source or None,
        cards_csv=snakemake.input.cards,
        context_tokens=memory["context_tokens"],
        batch_size=memory["batch_size"],
        kv_dtype=memory["kv_dtype"],
        slm_max_params=snakemake.params.slm_max_params,
        hub_info_path=snakemake.input.hub_info or None,
    )
    write_parquet(row, snakemake.output[0])
