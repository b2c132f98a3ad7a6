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


include: "workflow/rules/hub.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/benchmark.smk"
include: "workflow/rules/retrieve.smk"
include: "workflow/rules/prices.smk"
include: "workflow/rules/hardware.smk"
include: "workflow/rules/carbon.smk"
include: "workflow/rules/tariffs.smk"
include: "workflow/rules/scenarios.smk"
include: "workflow/rules/estimates.smk"
include: "workflow/rules/answer.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"


# the figures are known once figures.smk has listed their inputs
wildcard_constraints:
    figure="|".join(FIGURES),


# Every output the README lists: a plain `snakemake` rebuilds any of them that is missing,
# not only the report.
rule all:
    default_target: True
    input:
        rules.report.output,
        rules.models_table.output,
        shard_tables(),
        # each model's row, though only benchmark jobs read it: Snakemake re-runs a job for a
        # missing output only when that output is requested
        model_tables(),
        rules.inference_table.output,
        benchmark_tables(),
        benchmark_outputs(".raw.parquet"),
        benchmark_outputs(".emissions.csv"),
        expand("results/hardware/{device}.json", device=list(DEVICES)),
        rules.training_footprint.output,
        rules.training_estimates.output,
        rules.inference_fit.output,
        rules.inference_estimates.output,
        rules.break_even.output,
        rules.rent_vs_buy.output,
        rules.answer.output,
        rules.peer_validation.output,
        rules.headlines.output,
        rules.gpu_prices.output,
        rules.hardware_table.output,
        rules.carbon_intensity.output,
        rules.tariffs.output,
        rules.scenarios.output,
        expand(
            "results/figures/{figure}.{ext}",
            figure=list(FIGURES),
            ext=("html", "png", "vl.json"),
        ),
    localrule: True
