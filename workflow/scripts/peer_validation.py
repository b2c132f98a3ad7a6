"""Our estimates beside ML.ENERGY's measurements and EcoLogits' figures -> peer_validation."""

from lmfootprint.answer.peer_validation import load_ecologits, load_map, peer_table
from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.core.validation import read_parquet_checked
from lmfootprint.estimates.schemas import FitRowsSchema, InferenceEstimateSchema

with log_to(snakemake.log[0]):
    table = peer_table(
        read_parquet_checked(snakemake.input.cv, FitRowsSchema),
        load_map(snakemake.input.peer_map),
        load_ecologits(snakemake.input.ecologits),
        read_parquet_checked(snakemake.input.inference, InferenceEstimateSchema),
    )
    write_parquet(table, snakemake.output[0])
