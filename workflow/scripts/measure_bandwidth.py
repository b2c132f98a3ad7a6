"""This machine's memory bandwidth -> results/hardware/cpu_bandwidth.json."""

from lmfootprint.benchmark.bandwidth import measure_bandwidth_gbps
from lmfootprint.core.io import write_json
from lmfootprint.core.logs import log_to

with log_to(snakemake.log[0]) as log:
    found = measure_bandwidth_gbps()
    log.info("memory bandwidth %.1f GB/s (%s)", found["gbps"], found["method"])
    write_json(found, snakemake.output[0])
