rule carbon_intensity:
    input:
        regions=shipped("resources/carbon/cloud_regions.csv"),
        countries=[
            shipped("resources/carbon/countries_owid_via_codecarbon.csv"),
            shipped("resources/carbon/owid_grapher_2024.csv"),
        ],
        google=shipped("resources/carbon/google_region_2024.csv"),
        stamp=shipped("resources/reference_snapshot.json"),
        code=code_of("carbon_intensity"),
    output:
        "results/carbon_intensity.parquet",
    log:
        "logs/carbon_intensity.log",
    benchmark:
        "benchmarks/carbon_intensity.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        online=source_online("carbon"),
        raw_dir="results/raw/carbon",
        settings=config["reference"],
        google_year=2024,
    script:
        "../scripts/carbon_intensity.py"
