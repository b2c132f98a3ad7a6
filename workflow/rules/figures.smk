# Each figure: the tables its builder (lmfootprint.present.charts.FIGURES) takes, by name, and
# its caption, workflow/report/figures/<name>.rst. Adding a figure: an entry here, a builder
# there, a caption file. Titles read their numbers from the headlines table.
HEADLINES = rules.headlines.output[0]
FIGURES = {
    "answer": {"answer": rules.answer.output.answer, "headlines": HEADLINES},
    # the answer's first screen: one chart per sentence
    "answer_training": {"headlines": HEADLINES},
    "answer_cloud": {
        "answer": rules.answer.output.answer,
        "scenarios": rules.scenarios.output[0],
        "estimates": rules.inference_estimates.output[0],
        "headlines": HEADLINES,
    },
    "answer_home": {
        "cloud_vs_local": rules.cloud_vs_local.output[0],
        "scenarios": rules.scenarios.output[0],
        "estimates": rules.inference_estimates.output[0],
        "countries": shipped("resources/carbon/countries_owid_via_codecarbon.csv"),
        "headlines": HEADLINES,
    },
    "training_footprint": {
        "training": rules.training_footprint.output[0],
        "headlines": HEADLINES,
    },
    "inference": {"inference": rules.inference_table.output[0], "headlines": HEADLINES},
    "prefill_decode": {
        "inference": rules.inference_table.output[0],
        "headlines": HEADLINES,
    },
    "energy_fit": {
        "cv": rules.inference_fit.output.cv,
        "fit": rules.inference_fit.output.fit,
        "headlines": HEADLINES,
    },
    "size_exponent": {"exponent": rules.answer.output.exponent, "headlines": HEADLINES},
    "capability": {"capability": rules.answer.output.capability},
    "peers": {"peers": rules.peer_validation.output[0], "headlines": HEADLINES},
    "break_even": {"break_even": rules.break_even.output[0], "headlines": HEADLINES},
    "memory": {
        "models": rules.models_table.output.models,
        "scenarios": rules.scenarios.output[0],
        "headlines": HEADLINES,
    },
    "cost": {"estimates": rules.inference_estimates.output[0], "headlines": HEADLINES},
    "cost_vs_market": {
        "cost_vs_market": rules.cost_vs_market.output[0],
        "headlines": HEADLINES,
    },
    "carbon": {
        "estimates": rules.inference_estimates.output[0],
        "headlines": HEADLINES,
    },
    "rent_vs_buy": {
        "rvb": rules.rent_vs_buy.output.table,
        "curves": rules.rent_vs_buy.output.curves,
        "headlines": HEADLINES,
    },
}


# The JavaScript every page inlines, built once (vl-convert takes seconds per build).
rule vega_bundle:
    input:
        code=code_of("vega_bundle"),
    output:
        "results/figures/vega-embed.js",
    log:
        "logs/vega_bundle.log",
    benchmark:
        "benchmarks/vega_bundle.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/vega_bundle.py"


rule figure:
    """One rule draws every figure: its inputs by name from FIGURES, its caption from a file."""
    input:
        unpack(lambda wildcards: FIGURES[wildcards.figure]),
        bundle=rules.vega_bundle.output[0],
        code=code_of("figure"),
    output:
        html=report(
            "results/figures/{figure}.html",
            caption="../report/figure.rst",
            category="Figures",
            labels={"figure": "{figure}"},
        ),
        png="results/figures/{figure}.png",
        spec="results/figures/{figure}.vl.json",
    log:
        "logs/figures/{figure}.log",
    benchmark:
        "benchmarks/figures/{figure}.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    params:
        caption=figure_caption,
    script:
        "../scripts/figure.py"
