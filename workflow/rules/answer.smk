rule answer:
    input:
        models="results/models.parquet",
        scenarios="results/scenarios.parquet",
        training="results/training.parquet",
        estimates="results/training_estimates.parquet",
        code=code("inference_estimates", "schemas"),
    output:
        inference="results/inference_estimates.parquet",
        answer="results/answer.parquet",
    log:
        "logs/answer.log",
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        settings=config["footprint"]["inference"],
    script:
        "../scripts/answer.py"
