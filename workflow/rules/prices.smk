rule gpu_prices:
    input:
        skus=shipped("resources/gpu_skus.csv"),
        hardware=shipped("resources/hardware.csv"),
        snapshot=shipped("resources/gpu_prices.csv"),
        stamp=shipped("resources/reference_snapshot.json"),
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
        online=source_online("prices"),
        raw_dir="results/raw/prices",
        settings=config["reference"],
    script:
        "../scripts/gpu_prices.py"
