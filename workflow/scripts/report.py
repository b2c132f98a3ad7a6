"""Tables and figure specs -> results/report.html, one file that opens offline."""

from lmfootprint.logs import log_to
from lmfootprint.report import write_report

with log_to(snakemake.log[0]):
    write_report(
        out=snakemake.output[0],
        models_path=snakemake.input.models,
        training_path=snakemake.input.training,
        inference_path=snakemake.input.inference,
        scenarios_path=snakemake.input.scenarios,
        estimates_path=snakemake.input.estimates,
        answer_path=snakemake.input.answer,
        figure_specs=list(snakemake.input.figures),
        template_path=snakemake.input.template,
        title=snakemake.params.title,
    )
