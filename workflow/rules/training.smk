rule training_footprint:
    input:
        published=shipped(config["training"]["published"]),
        derived_hours=shipped(config["training"]["derived_gpu_hours"]),
        models=rules.models_table.output[0],
        code=code_of("training_footprint"),
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
        models=rules.models_table.output[0],
        training=rules.training_footprint.output[0],
        tokens=shipped(config["training"]["tokens"]),
        derived_hours=shipped(config["training"]["derived_gpu_hours"]),
        hardware=rules.hardware_table.output[0],
        carbon=rules.carbon_intensity.output[0],
        code=code_of("training_estimates"),
    output:
        estimates="results/training_estimates.parquet",
        calibration="results/training_calibration.parquet",
        model="results/training_calibration.json",
    log:
        "logs/training_estimates.log",
    benchmark:
        "benchmarks/training_estimates.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        settings=config["footprint"],
        basis=config["reference"]["carbon_basis"],
    script:
        "../scripts/training_estimates.py"
