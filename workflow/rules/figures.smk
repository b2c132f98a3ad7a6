rule figure_training:
    input:
        training="results/training.parquet",
        code=code("figures", "theme"),
    output:
        html=report(
            "results/figures/training_footprint.html",
            caption="../report/training_footprint.rst",
            category="Figures",
            labels={"figure": "training energy and CO2e vs parameters"},
        ),
        png="results/figures/training_footprint.png",
        spec="results/figures/training_footprint.vl.json",
    log:
        "logs/figures/training_footprint.log",
    benchmark:
        "benchmarks/figures/training_footprint.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    script:
        "../scripts/figure_training.py"


rule figure_inference:
    input:
        inference="results/inference.parquet",
        code=code("figures", "theme"),
    output:
        html=report(
            "results/figures/inference.html",
            caption="../report/inference.rst",
            category="Figures",
            labels={"figure": "inference throughput and energy per token"},
        ),
        png="results/figures/inference.png",
        spec="results/figures/inference.vl.json",
    log:
        "logs/figures/inference.log",
    benchmark:
        "benchmarks/figures/inference.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    script:
        "../scripts/figure_inference.py"
