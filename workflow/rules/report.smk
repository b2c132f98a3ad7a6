rule report:
    input:
        models="results/models.parquet",
        training="results/training.parquet",
        inference="results/inference.parquet",
        scenarios="results/scenarios.parquet",
        estimates="results/training_estimates.parquet",
        inference_estimates="results/inference_estimates.parquet",
        fit="results/inference_fit.json",
        break_even="results/break_even.parquet",
        rent_vs_buy="results/rent_vs_buy.parquet",
        answer="results/answer.parquet",
        exponent="results/comparison/size_exponent.parquet",
        ladders="results/comparison/ladders.parquet",
        thresholds="results/comparison/threshold_sensitivity.parquet",
        capability="results/comparison/capability.parquet",
        price_sensitivity="results/comparison/price_sensitivity.parquet",
        peers="results/peer_validation.parquet",
        calibration="results/training_calibration.parquet",
        calibration_model="results/training_calibration.json",
        prices="results/gpu_prices.parquet",
        carbon="results/carbon_intensity.parquet",
        tariffs="results/tariffs.parquet",
        headlines=rules.headlines.output[0],
        figures=figure_specs(),
        template=str(PACKAGE_DIR / "present" / "templates" / "report.html.j2"),
        code=code_of("report"),
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
