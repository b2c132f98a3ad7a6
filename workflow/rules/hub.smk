# Live Hub metadata (online: true only). A normal run fetches each model at its pinned commit
# (resources/hub/<slug>/source.json); `snakemake refresh_hub` re-resolves the pins.
rule fetch_hub_model:
    input:
        code=code_of("fetch_hub_model"),
    output:
        config_json="results/hub/{model}/config.json",
        info="results/hub/{model}/info.json",
    log:
        "logs/fetch_hub_model/{model}.log",
    benchmark:
        "benchmarks/fetch_hub_model/{model}.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    resources:
        hub_api=1,
        mem_mb=500,
        runtime=10,
    params:
        model_id=model_id_of,
        revision=pinned_revision_of,
        snapshot_dir=snapshot_dir_of,
        endpoint=hub_endpoint(),
        hub=config["hub"],
    script:
        "../scripts/fetch_hub_model.py"


rule refresh_hub:
    input:
        code=code_of("refresh_hub"),
    output:
        "results/hub/refresh.json",
    log:
        "logs/refresh_hub.log",
    benchmark:
        "benchmarks/refresh_hub.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        models=hub_models(),
        resources_hub=shipped("resources/hub"),
        endpoint=hub_endpoint(),
        hub=config["hub"],
    script:
        "../scripts/refresh_hub.py"
