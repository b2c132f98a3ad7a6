# Estimates (lmfootprint.estimates): training footprints recomputed from their sources and
# estimated for every model (6ND, calibrated MFU), the serving model calibrated on ML.ENERGY,
# inference per scenario, break-even and rent vs buy.
rule training_footprint:
    input:
        published=shipped(config["training"]["published"]),
        derived_hours=shipped(config["training"]["derived_gpu_hours"]),
        models=rules.models_table.output.models,
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
        pue=config["footprint"]["pue"],
    script:
        "../scripts/training_footprint.py"


rule training_estimates:
    input:
        models=rules.models_table.output.models,
        training=rules.training_footprint.output[0],
        tokens=shipped(config["training"]["tokens"]),
        derived_hours=shipped(config["training"]["derived_gpu_hours"]),
        distillation=shipped(config["training"]["distillation"]),
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


rule inference_fit:
    input:
        v3=shipped("resources/inference/mlenergy_v3.csv"),
        v2=shipped("resources/inference/mlenergy_v2_sweeps.csv"),
        shapes=shipped("resources/inference/peer_model_shapes.csv"),
        hardware=rules.hardware_table.output[0],
        code=code_of("inference_fit"),
    output:
        fit="results/inference_fit.json",
        cv="results/inference_fit_cv.parquet",
        errors="results/inference_fit_errors.parquet",
    log:
        "logs/inference_fit.log",
    benchmark:
        "benchmarks/inference_fit.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    script:
        "../scripts/inference_fit.py"


# The local-device model's calibration rows: published local measurements, the ladder recorded
# on this project's machine, and this run's own llama.cpp rows (which replace the recorded
# ones of the same machine).
rule local_calibration:
    input:
        published=shipped("resources/local/published_local.csv"),
        recorded=shipped("resources/local/measured_here_ladder.csv"),
        inference="results/inference.parquet",
        bandwidth=rules.measure_bandwidth.output[0],
        code=code_of("local_calibration"),
    output:
        rows="results/local/calibration.parquet",
        errors="results/local/heldout_errors.parquet",
        efficiencies="results/local/efficiencies.parquet",
        ladder="results/local/ladder.parquet",
    log:
        "logs/local_calibration.log",
    benchmark:
        "benchmarks/local_calibration.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        bandwidth=config["benchmark"]["memory_bandwidth_gbps"],
    script:
        "../scripts/local_calibration.py"


rule inference_estimates:
    input:
        models=rules.models_table.output.models,
        scenarios=rules.scenarios.output[0],
        fit=rules.inference_fit.output.fit,
        local=rules.local_calibration.output.rows,
        code=code_of("inference_estimates"),
    output:
        "results/inference_estimates.parquet",
    log:
        "logs/inference_estimates.log",
    benchmark:
        "benchmarks/inference_estimates.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        settings=config["footprint"]["inference"],
    script:
        "../scripts/inference_estimates.py"


rule break_even:
    input:
        training=rules.training_footprint.output[0],
        estimates=rules.training_estimates.output.estimates,
        inference=rules.inference_estimates.output[0],
        code=code_of("break_even"),
    output:
        "results/break_even.parquet",
    log:
        "logs/break_even.log",
    benchmark:
        "benchmarks/break_even.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    script:
        "../scripts/break_even.py"


rule rent_vs_buy:
    input:
        inference=rules.inference_estimates.output[0],
        estimates=rules.training_estimates.output.estimates,
        scenarios=rules.scenarios.output[0],
        hardware=rules.hardware_table.output[0],
        tariffs=rules.tariffs.output[0],
        mfu_model=rules.training_estimates.output.model,
        code=code_of("rent_vs_buy"),
    output:
        table="results/rent_vs_buy.parquet",
        # the rent_vs_buy figure's cost curves: a GPU-year of both options along utilisation
        curves="results/rent_vs_buy_curves.parquet",
    log:
        "logs/rent_vs_buy.log",
    benchmark:
        "benchmarks/rent_vs_buy.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        settings=config["footprint"]["rent_vs_buy"],
        mfu=config["footprint"]["mfu"],
    script:
        "../scripts/rent_vs_buy.py"
