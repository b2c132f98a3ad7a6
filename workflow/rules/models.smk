# One metadata job per model (metadata_shards: 0), or a fixed number of shards, each a job
# over the models whose slug digest falls in it (common.smk: metadata_shards) that writes the
# shard's table, which the models table concatenates, and a cheap job per shard that writes each
# of its models' rows from that table (model_rows.py says why it is a job of its own).
# With models_on_error: skip, each metadata job also writes the models it could not read, with
# why (an empty row stands for each), and the models table lists them all in
# results/models_skipped.parquet (no such outputs by default: a 10,000-model study pays nothing;
# common.smk: skipped_output, skipped_tables).


if not config["metadata_shards"]:

    rule model_metadata:
        input:
            config_json=model_config_json,
            source=model_source_json,
            hub_info=hub_info_of,
            cards=shipped("resources/hub/model_cards.csv"),
            code=code_of("model_metadata"),
        output:
            **skipped_output("results/models/skipped/{model}.parquet"),
            row="results/models/{model}.parquet",
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
            models=lambda wildcards: metadata_models([wildcards.model]),
            memory=config["memory"],
            slm_max_params=config["slm_max_params"],
            on_error=config["models_on_error"],
        script:
            "../scripts/model_metadata.py"

else:
    for shard, slugs in metadata_shards().items():

        rule:
            name:
                f"model_metadata_{shard}"
            input:
                **shard_inputs(slugs),
                cards=shipped("resources/hub/model_cards.csv"),
                code=code_of("model_metadata"),
            output:
                **skipped_output(
                    shard_table(shard).replace(".parquet", ".skipped.parquet")
                ),
                shard=shard_table(shard),
            log:
                f"logs/model_metadata/shard-{shard}.log",
            benchmark:
                f"benchmarks/model_metadata/shard-{shard}.tsv"
            conda:
                "../envs/lmfootprint.yaml"
            threads: 1
            resources:
                mem_mb=2000,
                runtime=10 + len(slugs) // 20,
            params:
                models=metadata_models(slugs),
                memory=config["memory"],
                slm_max_params=config["slm_max_params"],
                on_error=config["models_on_error"],
            script:
                "../scripts/model_metadata.py"

        rule:
            name:
                f"model_rows_{shard}"
            input:
                **skipped_output(
                    shard_table(shard).replace(".parquet", ".skipped.parquet")
                ),
                shard=shard_table(shard),
                code=code_of("model_rows"),
            output:
                models=[f"results/models/{slug}.parquet" for slug in slugs],
            log:
                f"logs/model_rows/shard-{shard}.log",
            benchmark:
                f"benchmarks/model_rows/shard-{shard}.tsv"
            localrule: True
            conda:
                "../envs/lmfootprint.yaml"
            threads: 1
            resources:
                mem_mb=1000,
                runtime=5,
            params:
                slugs=slugs,
            script:
                "../scripts/model_rows.py"


rule models_table:
    input:
        models=model_table_parts(),
        skipped=skipped_tables(),
        code=code_of("models_table"),
    output:
        **skipped_output("results/models_skipped.parquet"),
        # by name: output[0] is the skipped table when there is one (snakefmt puts ** first)
        models="results/models.parquet",
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
    params:
        # config order, which the shard tables (in digest order) do not keep
        order=list(MODELS),
    script:
        "../scripts/models_table.py"
