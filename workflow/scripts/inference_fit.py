"""Calibrate the serving model on ML.ENERGY v3 and v2's sub-8B rows, validate it held out by
family and on v2's 8B+ rows -> fit, cv, and the held-out errors per quantity and size."""

from lmfootprint.core.io import write_json, write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.core.validation import read_parquet_checked
from lmfootprint.estimates.inference_fit import (
    fit_serving,
    load_shapes,
    peer_rows,
    small_model_errors,
    v2_rows,
)
from lmfootprint.reference.schemas import HardwareSchema

with log_to(snakemake.log[0]):
    hardware = read_parquet_checked(snakemake.input.hardware, HardwareSchema)
    shapes = load_shapes(snakemake.input.shapes)
    fit, cv = fit_serving(
        peer_rows(snakemake.input.v3, shapes, hardware),
        v2_rows(snakemake.input.v2, shapes, hardware),
    )
    write_json(fit.to_dict(), snakemake.output.fit)
    write_parquet(cv, snakemake.output.cv)
    write_parquet(small_model_errors(cv), snakemake.output.errors)
