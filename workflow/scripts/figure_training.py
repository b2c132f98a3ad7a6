"""Training energy and CO2e vs parameters -> HTML (offline), PNG and Vega-Lite spec."""

from lmfootprint.figures import save_figure, training_chart
from lmfootprint.logs import log_to
from lmfootprint.training import load_training

with log_to(snakemake.log[0]):
    chart = training_chart(load_training(snakemake.input.training))
    save_figure(
        chart, html=snakemake.output.html, png=snakemake.output.png, spec=snakemake.output.spec
    )
