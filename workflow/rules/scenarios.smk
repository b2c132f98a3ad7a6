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


# Writes the (live-fetched) reference tables back into resources/ as the new shipped snapshot.
# Run with online: true (or the per-source switches): `make refresh-reference`.
rule refresh_reference:
    input:
        prices="results/gpu_prices.parquet",
        carbon="results/carbon_intensity.parquet",
        tariffs="results/tariffs.parquet",
        code=code_of("refresh_reference"),
    output:
        "results/raw/refresh_reference.json",
    log:
        "logs/refresh_reference.log",
    benchmark:
        "benchmarks/refresh_reference.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        resources="resources",
    script:
        "../scripts/refresh_reference.py"
