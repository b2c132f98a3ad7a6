rule scenarios:
    input:
        hardware=rules.hardware_table.output[0],
        carbon=rules.carbon_intensity.output[0],
        tariffs=rules.tariffs.output[0],
        prices=rules.gpu_prices.output[0],
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
