rule carbon_intensity:
    input:
        regions="resources/carbon/cloud_regions.csv",
        countries=[
            "resources/carbon/countries_owid_via_codecarbon.csv",
            "resources/carbon/owid_grapher_2024.csv",
        ],
        google="resources/carbon/google_region_2024.csv",
        stamp="resources/reference_snapshot.json",
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
