rule inference_fit:
    input:
        v3=shipped("resources/inference/mlenergy_v3.csv"),
        v2=shipped("resources/inference/mlenergy_v2_sweeps.csv"),
        shapes=shipped("resources/inference/peer_model_shapes.csv"),
        hardware=rules.hardware_table.output[0],
        code=code_of("inference_fit"),
    output:
        fit="results/inference_fit.json",
        cv="results/inference_fit_cv.parquet",
    log:
        "logs/inference_fit.log",
    benchmark:
        "benchmarks/inference_fit.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    script:
        "../scripts/inference_fit.py"


rule inference_estimates:
    input:
        models=rules.models_table.output[0],
        scenarios=rules.scenarios.output[0],
        fit=rules.inference_fit.output.fit,
        code=code_of("inference_estimates"),
    output:
        "results/inference_estimates.parquet",
    log:
        "logs/inference_estimates.log",
    benchmark:
        "benchmarks/inference_estimates.tsv"
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
        training=rules.training_footprint.output[0],
        estimates=rules.training_estimates.output.estimates,
        inference=rules.inference_estimates.output[0],
        code=code_of("break_even"),
    output:
        "results/break_even.parquet",
    log:
        "logs/break_even.log",
    benchmark:
        "benchmarks/break_even.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    script:
        "../scripts/break_even.py"


rule rent_vs_buy:
    input:
        inference=rules.inference_estimates.output[0],
        estimates=rules.training_estimates.output.estimates,
        scenarios=rules.scenarios.output[0],
        hardware=rules.hardware_table.output[0],
        tariffs=rules.tariffs.output[0],
        mfu_model=rules.training_estimates.output.model,
        code=code_of("rent_vs_buy"),
    output:
        "results/rent_vs_buy.parquet",
    log:
        "logs/rent_vs_buy.log",
    benchmark:
        "benchmarks/rent_vs_buy.tsv"
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
        models=rules.models_table.output[0],
        families=shipped(config["comparison"]["families"]),
        quality=shipped(config["comparison"]["quality"]),
        training=rules.training_footprint.output[0],
        estimates=rules.training_estimates.output.estimates,
        inference=rules.inference_estimates.output[0],
        prices=rules.gpu_prices.output[0],
        code=code_of("answer"),
    output:
        answer="results/answer.parquet",
        metrics="results/comparison/model_metrics.parquet",
        ladders="results/comparison/ladders.parquet",
        exponent="results/comparison/size_exponent.parquet",
        thresholds="results/comparison/threshold_sensitivity.parquet",
        capability="results/comparison/capability.parquet",
        prices="results/comparison/price_sensitivity.parquet",
    log:
        "logs/answer.log",
    benchmark:
        "benchmarks/answer.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        threshold=config["slm_max_params"],
        thresholds=config["comparison"]["thresholds"],
        scenarios=config["scenarios"],
    script:
        "../scripts/answer.py"


rule peer_validation:
    input:
        cv=rules.inference_fit.output.cv,
        peer_map=shipped(config["comparison"]["peer_map"]),
        ecologits=shipped(config["comparison"]["ecologits"]),
        inference=rules.inference_estimates.output[0],
        code=code_of("peer_validation"),
    output:
        "results/peer_validation.parquet",
    log:
        "logs/peer_validation.log",
    benchmark:
        "benchmarks/peer_validation.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    script:
        "../scripts/peer_validation.py"


rule headlines:
    """Every number a figure title or the report states, computed once from the table it
    summarises, so that titles and the report format numbers and never compute them."""
    input:
        models=rules.models_table.output[0],
        scenarios=rules.scenarios.output[0],
        training=rules.training_footprint.output[0],
        inference=rules.inference_table.output[0],
        answer=rules.answer.output.answer,
        exponent=rules.answer.output.exponent,
        inference_estimates=rules.inference_estimates.output[0],
        break_even=rules.break_even.output[0],
        rent_vs_buy=rules.rent_vs_buy.output[0],
        peers=rules.peer_validation.output[0],
        fit=rules.inference_fit.output.fit,
        calibration_model=rules.training_estimates.output.model,
        code=code_of("headlines"),
    output:
        "results/headlines.parquet",
    log:
        "logs/headlines.log",
    benchmark:
        "benchmarks/headlines.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        slm_max_params=config["slm_max_params"],
    script:
        "../scripts/headlines.py"
