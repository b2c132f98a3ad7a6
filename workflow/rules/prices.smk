rule gpu_prices:
    input:
        skus="resources/gpu_skus.csv",
        hardware="resources/hardware.csv",
        snapshot="resources/gpu_prices.csv",
        stamp="resources/reference_snapshot.json",
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
