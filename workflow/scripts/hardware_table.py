"""resources/hardware.csv, validated -> results/hardware.parquet."""

from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.reference.hardware_table import load_hardware

with log_to(snakemake.log[0]):
    write_parquet(load_hardware(snakemake.input.hardware), snakemake.output[0])
