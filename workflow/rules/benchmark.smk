# A description of the host that runs the workflow (the submit host on a cluster): benchmark
# jobs detect the machine they run on themselves and never trust this record for presence.
rule detect_hardware:
    input:
        code=code_of("detect_hardware"),
    output:
        "results/hardware/{device}.json",
    log:
        "logs/detect_hardware/{device}.log",
    benchmark:
        "benchmarks/detect_hardware/{device}.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=2,
    params:
        device=device_of,
    script:
        "../scripts/detect_hardware.py"


# What a benchmark reads of its model, from the model's own files: re-run when they change,
# not when a shard-mate's row is rewritten; a config.json that cannot be read fails here, before
# the benchmark's outputs are removed.
rule benchmark_model:
    input:
        config_json=model_config_json,
        source=model_source_json,
        hub_info=hub_info_of,
        code=code_of("benchmark_model"),
    output:
        "results/benchmarks/{model}/model.parquet",
    log:
        "logs/benchmark_model/{model}.log",
    benchmark:
        "benchmarks/benchmark_model/{model}.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        model_id=model_id_of,
        local_dir=local_dir_of,
        memory=config["memory"],
        slm_max_params=config["slm_max_params"],
        on_error=config["models_on_error"],
    script:
        "../scripts/benchmark_model.py"


# Measurements run alone: the job takes every core, so no other job runs beside it. It detects
# the hardware it holds (hardware output) and asks the scheduler for a GPU on cuda devices only.
rule benchmark_inference:
    input:
        # What the measurement reads of the model comes from benchmark_model (below), not
        # from results/models/{model}.parquet: that row is rewritten whenever a shard-mate is
        # added, and taking it as ancient() let Snakemake skip this job's params and code
        # checks in any run that rewrote it (the run said "100% done" and the next dry run
        # re-planned the benchmark).
        model=rules.benchmark_model.output[0],
        config_json=model_config_json,
        cpu_tdp=shipped("resources/hardware/cpu_tdp_codecarbon.csv"),
        specs="results/hardware.parquet",
        prompts=prompts_of,
        code=code_of("benchmark_inference"),
    output:
        summary="results/benchmarks/{model}/{device}/{workload}.parquet",
        raw="results/benchmarks/{model}/{device}/{workload}.raw.parquet",
        hardware="results/benchmarks/{model}/{device}/{workload}.hardware.json",
    log:
        "logs/benchmark_inference/{model}/{device}/{workload}.log",
    benchmark:
        "benchmarks/benchmark_inference/{model}/{device}/{workload}.tsv"
    conda:
        "../envs/lmfootprint.yaml"
    # the reservation: every core Snakemake may use, so nothing runs beside a measurement
    threads: all_cores()
    resources:
        gpu=gpus_of,
        mem_mb=bench_mem_mb,
        runtime=60,
    params:
        device=device_of,
        workload=workload_of,
        dtype=dtype_of,
        weights_dir=local_dir_of,
        max_params=config["benchmark"]["max_params"],
        # the threads the measurement uses: the same whatever --cores the launcher passed
        threads=bench_threads(),
        cpu_tdp_w=config["benchmark"]["cpu_tdp_w"],
        ram_w_per_gb=config["benchmark"]["ram_w_per_gb"],
        idle_seconds_max=config["benchmark"]["idle_seconds_max"],
        seed=config["benchmark"]["seed"],
        bandwidth=config["benchmark"]["memory_bandwidth_gbps"],
        skip_missing_devices=config["benchmark"]["skip_missing_devices"],
        gguf_cache=config["benchmark"]["gguf_cache"],
        memory=config["memory"],
        slm_max_params=config["slm_max_params"],
    script:
        "../scripts/benchmark_inference.py"


# A measurement's energy and emissions in CodeCarbon's columns, at the benchmark machine's grid:
# apart from the measurement, so that editing a scenario or the grid never re-measures.
rule benchmark_emissions:
    input:
        summary=rules.benchmark_inference.output.summary,
        raw=rules.benchmark_inference.output.raw,
        hardware=rules.benchmark_inference.output.hardware,
        carbon="results/carbon_intensity.parquet",
        countries=shipped("resources/carbon/countries_owid_via_codecarbon.csv"),
        code=code_of("benchmark_emissions"),
    output:
        "results/benchmarks/{model}/{device}/{workload}.emissions.csv",
    log:
        "logs/benchmark_emissions/{model}/{device}/{workload}.log",
    benchmark:
        "benchmarks/benchmark_emissions/{model}/{device}/{workload}.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        grid_scenario=config["benchmark"]["grid_scenario"],
        scenarios=benchmark_grid_scenarios(),
        carbon_basis=config["reference"]["carbon_basis"],
    script:
        "../scripts/benchmark_emissions.py"


# This machine's memory bandwidth (a copy probe): what the local-device model divides a
# decode step's bytes by for the rows measured here.
rule measure_bandwidth:
    input:
        code=code_of("measure_bandwidth"),
    output:
        "results/hardware/cpu_bandwidth.json",
    log:
        "logs/measure_bandwidth.log",
    benchmark:
        "benchmarks/measure_bandwidth.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: all_cores()
    resources:
        mem_mb=2000,
        runtime=5,
    script:
        "../scripts/measure_bandwidth.py"


rule inference_table:
    input:
        tables=benchmark_tables(),
        # for the skip rows of the models that got no job
        models=rules.models_table.output.models,
        hardware=expand(rules.detect_hardware.output[0], device=list(DEVICES)),
        prompts=replayed_prompts(),
        code=code_of("inference_table"),
    output:
        "results/inference.parquet",
    log:
        "logs/inference_table.log",
    benchmark:
        "benchmarks/inference_table.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        without_job=skips_without_job(),
        devices=list(DEVICES),
        workloads={name: config["benchmark"]["workloads"][name] for name in WORKLOADS},
        threads=bench_threads(),
        max_params=config["benchmark"]["max_params"],
    script:
        "../scripts/inference_table.py"
