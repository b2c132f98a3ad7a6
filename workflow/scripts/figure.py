"""One figure -> standalone HTML (JavaScript inlined), PNG, Vega-Lite spec. Its inputs come
by name from workflow/rules/figures.smk and are its builder's arguments."""

from lmfootprint.core.logs import log_to
from lmfootprint.present.charts import draw
from lmfootprint.present.figure import save_figure

with log_to(snakemake.log[0]):
    chart = draw(
        snakemake.wildcards.figure,
        {n: p for n, p in snakemake.input.items() if n not in ("code", "bundle")},
    )
    save_figure(
        chart,
        html=snakemake.output.html,
        png=snakemake.output.png,
        spec=snakemake.output.spec,
        bundle=snakemake.input.bundle,
    )
