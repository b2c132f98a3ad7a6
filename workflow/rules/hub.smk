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


# Discovery (hub_query in the config): `make discover` lists the query on the Hub into
# results/hub_queries/<name>.csv (+ .changes.json: what joined, left, moved), then pins it as
# resources/hub_queries/<name>.csv, which every run reads at parse time.
rule refresh_hub_query:
    input:
        code=code_of("refresh_hub_query"),
    output:
        snapshot=f"results/hub_queries/{Path(hub_query_snapshot()).name}",
        changes=f"results/hub_queries/{Path(hub_query_snapshot()).stem}.changes.json",
    log:
        "logs/refresh_hub_query.log",
    benchmark:
        "benchmarks/refresh_hub_query.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    resources:
        hub_api=1,
        mem_mb=500,
        runtime=10,
    params:
        query=config["hub_query"],
        previous=hub_query_snapshot(),
        online=config["online"],
        endpoint=hub_endpoint(),
    script:
        "../scripts/refresh_hub_query.py"


rule pin_hub_query:
    input:
        snapshot=rules.refresh_hub_query.output.snapshot,
        changes=rules.refresh_hub_query.output.changes,
        code=code_of("pin_hub_query"),
    output:
        f"resources/hub_queries/{Path(hub_query_snapshot()).name}",
    log:
        "logs/pin_hub_query.log",
    benchmark:
        "benchmarks/pin_hub_query.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    script:
        "../scripts/pin_hub_query.py"
