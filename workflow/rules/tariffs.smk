# Electricity tariffs, built from the retrieved files (retrieve.smk): live Eurostat (with the
# shipped table's US rows) or the shipped snapshot alone.
rule tariffs:
    input:
        **tariff_files(),
        fx=shipped("resources/tariffs/fx_rates.csv"),
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
        live=source_online("tariffs"),
    script:
        "../scripts/tariffs.py"
