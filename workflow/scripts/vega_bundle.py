"""The JavaScript bundle (vega, vega-lite, vega-embed) that the figures and the report inline."""

from lmfootprint.core.logs import log_to
from lmfootprint.present.bundle import write_bundle

with log_to(snakemake.log[0]):
    write_bundle(snakemake.output[0])
