# lmfootprint: how much more energy-, carbon- and cost-efficient are small language
# models than large ones? See README.md; rules per stage live in workflow/rules/.
from snakemake.utils import min_version

min_version("9.19")


include: "workflow/rules/preflight.smk"


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"


wildcard_constraints:
    model=model_slug_pattern(),
    device=device_slug_pattern(),
    workload=workload_pattern(),
    figure="|".join(FIGURES),


include: "workflow/rules/hub.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/benchmark.smk"
include: "workflow/rules/prices.smk"
include: "workflow/rules/hardware.smk"
include: "workflow/rules/carbon.smk"
include: "workflow/rules/tariffs.smk"
include: "workflow/rules/scenarios.smk"
include: "workflow/rules/training.smk"
include: "workflow/rules/answer.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        "results/report.html",
    localrule: True
