"""Tables and figure specs -> results/report.html, one file that opens offline."""

from lmfootprint.core.logs import log_to
from lmfootprint.present.report import write_report

with log_to(snakemake.log[0]):
    write_report(
        out=snakemake.output[0],
        paths={
            k: v
            for k, v in snakemake.input.items()
            if k not in ("figures", "template", "decision_template", "code", "bundle")
        },
        figure_specs=list(snakemake.input.figures),
        template_path=snakemake.input.template,
        title=snakemake.params.title,
        bundle=snakemake.input.bundle,
    )
