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
