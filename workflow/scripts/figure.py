"""One figure of the registry -> standalone HTML (JavaScript inlined), PNG, Vega-Lite spec."""

from lmfootprint.core.logs import log_to
from lmfootprint.present.charts import FIGURES
from lmfootprint.present.figure import save_figure

with log_to(snakemake.log[0]):
    figure = FIGURES[snakemake.wildcards.figure]
    chart = figure.chart({name: snakemake.input[name] for name in figure.inputs})
    save_figure(
        chart, html=snakemake.output.html, png=snakemake.output.png, spec=snakemake.output.spec
    )
