"""Record the hardware of one benchmark device -> results/hardware/{device}.json."""

from lmfootprint.benchmark.detect_hardware import detect
from lmfootprint.core.logs import log_to

with log_to(snakemake.log[0]) as log:
    machine = detect(snakemake.params.device)
    log.info("detected %s", machine.hardware)
    machine.to_json(snakemake.output[0])
