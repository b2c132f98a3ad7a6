"""The numbers figure titles and the report state -> results/headlines.parquet, and how many
rows of each output are measured, estimated or published -> results/provenance.parquet."""

import polars as pl

from lmfootprint.answer.headlines import SOURCES, headlines_table, read_inputs
from lmfootprint.answer.provenance import TABLES, provenance_counts
from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to

with log_to(snakemake.log[0]):
    paths = {name: snakemake.input[name] for name in SOURCES}
    table = headlines_table(
        read_inputs(paths),
        {name: str(path) for name, path in paths.items()},
        snakemake.params.slm_max_params,
    )
    write_parquet(table, snakemake.output.headlines)
    counted = {k: pl.read_parquet(snakemake.input[k], columns=["provenance"]) for k in TABLES}
    write_parquet(provenance_counts(counted), snakemake.output.provenance)
