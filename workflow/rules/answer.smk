rule inference_fit:
    input:
        measured="results/inference.parquet",
        published="resources/inference/published_inference.csv",
        hardware="results/hardware.parquet",
        code=code("inference_fit", "schemas"),
    output:
        fit="results/inference_fit.json",
        cv="results/inference_fit_cv.parquet",
    log:
        "logs/inference_fit.log",
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    script:
        "../scripts/inference_fit.py"


rule inference_estimates:
    input:
        models="results/models.parquet",
        scenarios="results/scenarios.parquet",
        fit="results/inference_fit.json",
        code=code("inference_estimates", "inference_fit", "schemas"),
    output:
        "results/inference_estimates.parquet",
    log:
        "logs/inference_estimates.log",
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        settings=config["footprint"]["inference"],
    script:
        "../scripts/inference_estimates.py"


rule break_even:
    input:
        training="results/training.parquet",
        estimates="results/training_estimates.parquet",
        inference="results/inference_estimates.parquet",
        code=code("break_even", "footprint", "schemas"),
    output:
        "results/break_even.parquet",
    log:
        "logs/break_even.log",
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    script:
        "../scripts/break_even.py"


rule rent_vs_buy:
    input:
        inference="results/inference_estimates.parquet",
        estimates="results/training_estimates.parquet",
        scenarios="results/scenarios.parquet",
        hardware="results/hardware.parquet",
        tariffs="results/tariffs.parquet",
        code=code("rent_vs_buy", "tariffs", "schemas"),
    output:
        "results/rent_vs_buy.parquet",
    log:
        "logs/rent_vs_buy.log",
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        settings=config["footprint"]["rent_vs_buy"],
        mfu=config["footprint"]["mfu"],
    script:
        "../scripts/rent_vs_buy.py"


rule answer:
    input:
        training="results/training.parquet",
        estimates="results/training_estimates.parquet",
        inference="results/inference_estimates.parquet",
        code=code("answer", "footprint", "schemas"),
    output:
        "results/answer.parquet",
    log:
        "logs/answer.log",
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    script:
        "../scripts/answer.py"
