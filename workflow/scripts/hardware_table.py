"""resources/hardware.csv, validated -> results/hardware.parquet."""

from lmfootprint.hardware_specs import load_hardware
from lmfootprint.io import write_parquet
from lmfootprint.logs import log_to

with log_to(snakemake.log[0]):
    write_parquet(load_hardware(snakemake.input.hardware), snakemake.output[0])
