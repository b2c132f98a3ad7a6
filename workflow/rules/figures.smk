# One rule draws every figure of lmfootprint.present.charts.FIGURES: its inputs and caption
# come from that registry, so adding a figure is adding an entry there.
rule figure:
    input:
        unpack(figure_inputs),
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
