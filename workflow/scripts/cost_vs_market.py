"""Our USD per million input and output tokens beside the published API price band
-> results/comparison/cost_vs_market.parquet."""

from lmfootprint.answer.cost_vs_market import cost_vs_market, load_api_prices
from lmfootprint.core.io import write_parquet
from lmfootprint.core.logs import log_to
from lmfootprint.core.validation import read_parquet_checked
from lmfootprint.estimates.schemas import InferenceEstimateSchema
from lmfootprint.estimates.token_prices import UtilisationBand
from lmfootprint.reference.schemas import ScenarioSchema

with log_to(snakemake.log[0]):
    table = cost_vs_market(
        read_parquet_checked(snakemake.input.estimates, InferenceEstimateSchema),
        load_api_prices(snakemake.input.api_prices),
        read_parquet_checked(snakemake.input.scenarios, ScenarioSchema),
        UtilisationBand(**snakemake.params.utilisation),
    )
    write_parquet(table, snakemake.output[0])
