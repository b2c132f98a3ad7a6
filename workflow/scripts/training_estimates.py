"""Calibrated 6ND training estimates with bounds -> training_estimates (+ the calibration)."""

from lmfootprint.core.io import write_json, write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.core.validation import read_parquet_checked
from lmfootprint.estimates.training_calibration import (
    calibrate,
    calibration_runs,
    calibration_table,
)
from lmfootprint.estimates.training_distillation import load_distillation
from lmfootprint.estimates.training_estimates import estimate_training, intensity_for
from lmfootprint.estimates.training_footprint import load_training
from lmfootprint.estimates.training_tokens import load_derived_hours, load_tokens
from lmfootprint.models.schemas import ModelsSchema
from lmfootprint.reference.schemas import CarbonIntensitySchema, HardwareSchema

with log_to(snakemake.log[0]):
    s = snakemake.params.settings
    hardware = read_parquet_checked(snakemake.input.hardware, HardwareSchema)
    tokens = load_tokens(snakemake.input.tokens)
    runs = calibration_runs(
        load_training(snakemake.input.training),
        tokens,
        hardware,
        load_derived_hours(snakemake.input.derived_hours),
    )
    mfu_model, held_out = calibrate(runs)
    intensity, label = intensity_for(
        read_parquet_checked(snakemake.input.carbon, CarbonIntensitySchema),
        s["grid_country"],
        snakemake.params.basis,
    )
    table = estimate_training(
        read_parquet_checked(snakemake.input.models, ModelsSchema),
        runs,
        held_out,
        mfu_model,
        tokens,
        hardware,
        intensity,
        label,
        default_hardware=s["training_hardware"],
        pue=s["pue"],
        lifetime_years=s["lifetime_years"],
        tokens_override=s["training_tokens"],
        pue_range=tuple(s["pue_range"]),
        distillation=load_distillation(snakemake.input.distillation),
    )
    write_parquet(table, snakemake.output.estimates)
    write_parquet(calibration_table(runs, held_out), snakemake.output.calibration)
    write_json(mfu_model.to_dict(), snakemake.output.model)
