rule scenarios:
    input:
        hardware="results/hardware.parquet",
        carbon="results/carbon_intensity.parquet",
        tariffs="results/tariffs.parquet",
        prices="results/gpu_prices.parquet",
        code=code_of("scenarios"),
    output:
        "results/scenarios.parquet",
    log:
        "logs/scenarios.log",
    benchmark:
        "benchmarks/scenarios.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        scenarios=config["scenarios"],
        basis=config["reference"]["carbon_basis"],
    script:
        "../scripts/scenarios.py"
