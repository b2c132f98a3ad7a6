# The answer (lmfootprint.answer): LLM/SLM ratios, ladders, capability, peers, headlines.
rule answer:
    input:
        models=rules.models_table.output.models,
        families=shipped(config["comparison"]["families"]),
        quality=shipped(config["comparison"]["quality"]),
        training=rules.training_footprint.output[0],
        estimates=rules.training_estimates.output.estimates,
        tokens=shipped(config["training"]["tokens"]),
        inference=rules.inference_estimates.output[0],
        prices=rules.gpu_prices.output[0],
        code=code_of("answer"),
    output:
        answer="results/answer.parquet",
        metrics="results/comparison/model_metrics.parquet",
        ladders="results/comparison/ladders.parquet",
        matched_pairs="results/comparison/matched_pairs.parquet",
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


# What should we run? Every (model, deployment) option with its prefill and decode rates,
# grid, quality and fit: the table the report's decision page ranks in the browser.
rule decision_table:
    input:
        models=rules.models_table.output.models,
        scenarios=rules.scenarios.output[0],
        fit=rules.inference_fit.output.fit,
        local=rules.local_calibration.output.rows,
        inference=rules.inference_estimates.output[0],
        rent_vs_buy=rules.rent_vs_buy.output.table,
        quality=shipped(config["comparison"]["quality"]),
        families=shipped(config["comparison"]["families"]),
        code=code_of("decision_table"),
    output:
        "results/decision/options.parquet",
    log:
        "logs/decision_table.log",
    benchmark:
        "benchmarks/decision_table.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        settings=config["footprint"]["inference"],
    script:
        "../scripts/decision_table.py"


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


# What a token costs us on a rented server at a utilisation band, beside what API providers
# charge for the same open model (resources/prices/api_prices.csv).
rule cost_vs_market:
    input:
        estimates=rules.inference_estimates.output[0],
        scenarios=rules.scenarios.output[0],
        api_prices=shipped(config["comparison"]["api_prices"]),
        code=code_of("cost_vs_market"),
    output:
        "results/comparison/cost_vs_market.parquet",
    log:
        "logs/cost_vs_market.log",
    benchmark:
        "benchmarks/cost_vs_market.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        utilisation=config["footprint"]["inference"]["utilisation"],
    script:
        "../scripts/cost_vs_market.py"


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
        ladders=rules.answer.output.ladders,
        matched_pairs=rules.answer.output.matched_pairs,
        thresholds=rules.answer.output.thresholds,
        inference_estimates=rules.inference_estimates.output[0],
        break_even=rules.break_even.output[0],
        rent_vs_buy=rules.rent_vs_buy.output.table,
        peers=rules.peer_validation.output[0],
        cloud_vs_local=rules.cloud_vs_local.output[0],
        fit=rules.inference_fit.output.fit,
        calibration_model=rules.training_estimates.output.model,
        cost_vs_market=rules.cost_vs_market.output[0],
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
