rule model_metadata:
    input:
        config_json=model_config_json,
        source=model_source_json,
        hub_info=hub_info_of,
        cards=shipped("resources/hub/model_cards.csv"),
        code=code_of("model_metadata"),
    output:
        "results/models/{model}.parquet",
    log:
        "logs/model_metadata/{model}.log",
    benchmark:
        "benchmarks/model_metadata/{model}.tsv"
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        model_id=model_id_of,
        local_dir=local_dir_of,
        memory=config["memory"],
        slm_max_params=config["slm_max_params"],
    script:
        "../scripts/model_metadata.py"


rule models_table:
    input:
        models=model_tables(),
        code=code_of("models_table"),
    output:
        "results/models.parquet",
    log:
        "logs/models_table.log",
    benchmark:
        "benchmarks/models_table.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/models_table.py"
