"""Record the hardware of one benchmark device -> results/hardware/{device}.json."""

from lmfootprint.benchmark.detect_hardware import detect
from lmfootprint.core.io import write_json
from lmfootprint.core.logs import log_to

with log_to(snakemake.log[0]) as log:
    record = detect(snakemake.params.device)
    log.info("detected %s", record["hardware"])
    write_json(record, snakemake.output[0])
