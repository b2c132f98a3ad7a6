# GPU prices per GPU-hour, built from the retrieved files (retrieve.smk): live or shipped.
rule gpu_prices:
    input:
        **price_files(),
        skus=shipped("resources/gpu_skus.csv"),
        hardware=shipped("resources/hardware.csv"),
        fx=shipped("resources/tariffs/fx_rates.csv"),
        code=code_of("gpu_prices"),
    output:
        "results/gpu_prices.parquet",
    log:
        "logs/gpu_prices.log",
    benchmark:
        "benchmarks/gpu_prices.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        live=source_online("prices"),
    script:
        "../scripts/gpu_prices.py"
