rule tariffs:
    input:
        table=shipped("resources/tariffs/tariffs.csv"),
        fx=shipped("resources/tariffs/fx_rates.csv"),
        stamp=shipped("resources/reference_snapshot.json"),
        code=code_of("tariffs"),
    output:
        "results/tariffs.parquet",
    log:
        "logs/tariffs.log",
    benchmark:
        "benchmarks/tariffs.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        online=source_online("tariffs"),
        raw_dir="results/raw/tariffs",
        settings=config["reference"],
    script:
        "../scripts/tariffs.py"
