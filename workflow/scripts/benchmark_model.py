"""What a benchmark reads of its model -> results/benchmarks/{model}/model.parquet, derived
from the model's own config.json (and snapshot source or Hub record) with the metadata job's
function.

A job of its own, between the model's files and its benchmarks: it re-runs only when those
files, the code or the memory settings change, never when a shard-mate's row is rewritten
(benchmark.smk says why the benchmark does not read results/models/{model}.parquet); and a
config.json that cannot be read fails here, so the benchmark's last results are kept."""

from pathlib import Path

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.ids import ModelRef
from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.core.validation import frame_from_rows
from lmfootprint.models.model_metadata import model_record
from lmfootprint.models.schemas import ModelsSchema

with log_to(snakemake.log[0]) as log:
    local_dir = snakemake.params.local_dir
    memory = snakemake.params.memory
    try:
        row = model_record(
            ModelRef(
                snakemake.params.model_id,
                snakemake.wildcards.model,
                Path(local_dir) if local_dir else None,
            ),
            snakemake.input.config_json,
            source_path=snakemake.input.get("source") or None,
            hub_info_path=snakemake.input.get("hub_info") or None,
            context_tokens=memory["context_tokens"],
            batch_size=memory["batch_size"],
            kv_dtype=memory["kv_dtype"],
            slm_max_params=snakemake.params.slm_max_params,
        )
    except (LmFootprintError, OSError) as exc:
        if snakemake.params.on_error != "skip":
            raise
        # the metadata stage lists it in results/models_skipped.parquet; no row, no measurement
        log.warning(
            "%s: not benchmarked (models_on_error: skip): %s", snakemake.params.model_id, exc
        )
        row = frame_from_rows(ModelsSchema, [])
    write_parquet(row, snakemake.output[0])
    log.info("%s: %d benchmark row written", snakemake.params.model_id, row.height)
