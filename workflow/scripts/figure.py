"""One figure of the registry -> standalone HTML (JavaScript inlined), PNG, Vega-Lite spec."""

from lmfootprint.figures import save_figure
from lmfootprint.logs import log_to
from lmfootprint.study_figures import FIGURES

with log_to(snakemake.log[0]):
    figure = FIGURES[snakemake.wildcards.figure]
    chart = figure.chart({name: snakemake.input[name] for name in figure.inputs})
    save_figure(
        chart, html=snakemake.output.html, png=snakemake.output.png, spec=snakemake.output.spec
    )
