rule report:
    input:
        models="results/models.parquet",
        training="results/training.parquet",
        inference="results/inference.parquet",
        scenarios="results/scenarios.parquet",
        estimates="results/training_estimates.parquet",
        answer="results/answer.parquet",
        figures=[
            "results/figures/training_footprint.vl.json",
            "results/figures/inference.vl.json",
        ],
        template=str(PACKAGE_DIR / "templates" / "report.html.j2"),
        code=code("report", "figures"),
    output:
        "results/report.html",
    log:
        "logs/report.log",
    benchmark:
        "benchmarks/report.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    params:
        title=config["report"]["title"],
    script:
        "../scripts/report.py"
