rule training_footprint:
    input:
        published=config["training"]["published"],
        models="results/models.parquet",
        code=code("training", "units", "schemas", "validation"),
    output:
        "results/training.parquet",
    log:
        "logs/training_footprint.log",
    benchmark:
        "benchmarks/training_footprint.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        intensity_band=config["training"]["intensity_band_g_per_kwh"],
        tolerance=config["training"]["tolerance"],
    script:
        "../scripts/training_footprint.py"


rule training_estimates:
    input:
        models="results/models.parquet",
        published=config["training"]["published"],
        hardware="results/hardware.parquet",
        carbon="results/carbon_intensity.parquet",
        code=code("footprint", "schemas"),
    output:
        "results/training_estimates.parquet",
    log:
        "logs/training_estimates.log",
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        settings=config["footprint"],
        basis=config["reference"]["carbon_basis"],
    script:
        "../scripts/training_estimates.py"
