# The answer (lmfootprint.answer): LLM/SLM ratios, ladders, capability, peers, headlines.
rule answer:
    input:
        models=rules.models_table.output.models,
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


# The study's third question: the same models at home and in the cloud, and a small model at
# home against a large one in the cloud, each row naming what differs.
rule cloud_vs_local:
    input:
        estimates=rules.inference_estimates.output[0],
        published=shipped("resources/local/published_local.csv"),
        code=code_of("cloud_vs_local"),
    output:
        "results/cloud_vs_local.parquet",
    log:
        "logs/cloud_vs_local.log",
    benchmark:
        "benchmarks/cloud_vs_local.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        settings=config["comparison"]["cloud_vs_local"],
    script:
        "../scripts/cloud_vs_local.py"


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
    summarises, so that titles and the report format numbers and never compute them; and
    how many rows of each output are measured, estimated or published (answer.provenance).
    """
    input:
        models=rules.models_table.output.models,
        scenarios=rules.scenarios.output[0],
        training=rules.training_footprint.output[0],
        estimates=rules.training_estimates.output.estimates,
        inference=rules.inference_table.output[0],
        answer=rules.answer.output.answer,
        exponent=rules.answer.output.exponent,
        inference_estimates=rules.inference_estimates.output[0],
        break_even=rules.break_even.output[0],
        rent_vs_buy=rules.rent_vs_buy.output.table,
        peers=rules.peer_validation.output[0],
        fit=rules.inference_fit.output.fit,
        calibration_model=rules.training_estimates.output.model,
        capability=rules.answer.output.capability,
        code=code_of("headlines"),
    output:
        headlines="results/headlines.parquet",
        provenance="results/provenance.parquet",
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
