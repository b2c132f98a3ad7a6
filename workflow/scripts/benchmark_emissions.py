"""One benchmark job's energy and emissions in CodeCarbon's emissions.csv columns, at the grid
of the scenario the benchmark machine draws from (benchmark.grid_scenario)."""

from lmfootprint.benchmark.detect_hardware import Machine
from lmfootprint.benchmark.emissions import (
    country_names,
    emissions_rows,
    grid_for,
    write_emissions_csv,
)
from lmfootprint.benchmark.schemas import InferenceSchema
from lmfootprint.core.logs import log_to
from lmfootprint.core.validation import read_parquet_checked
from lmfootprint.reference.schemas import CarbonIntensitySchema

with log_to(snakemake.log[0]) as log:
    import polars as pl

    grid = grid_for(
        snakemake.params.scenarios,
        snakemake.params.grid_scenario,
        read_parquet_checked(snakemake.input.carbon, CarbonIntensitySchema),
        basis=snakemake.params.carbon_basis,
        country_names=country_names(snakemake.input.countries),
    )
    log.info("emissions at the grid of %s (%s g/kWh)", grid.label, grid.g_per_kwh)
    summary = read_parquet_checked(snakemake.input.summary, InferenceSchema)
    raw = pl.read_parquet(snakemake.input.raw)
    rows = []
    if not raw.is_empty():
        first = summary.row(0, named=True)
        w = snakemake.wildcards
        rows = emissions_rows(
            raw,
            grid=grid,
            machine=Machine.from_json(snakemake.input.hardware),
            experiment=f"{w.model}/{w.device}/{w.workload}",
            timestamp=first["measured_at"].rstrip("Z"),
            peak_memory_gb=first["peak_memory_gb"],
        )
    write_emissions_csv(rows, snakemake.output[0])
