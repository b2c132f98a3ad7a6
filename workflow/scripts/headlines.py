"""The numbers figure titles and the report state -> results/headlines.parquet."""

from lmfootprint.answer.headlines import SOURCES, headlines_table, read_inputs
from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to

with log_to(snakemake.log[0]):
    paths = {name: snakemake.input[name] for name in SOURCES}
    table = headlines_table(
        read_inputs(paths),
        {name: str(path) for name, path in paths.items()},
        snakemake.params.slm_max_params,
    )
    write_parquet(table, snakemake.output[0])
