# Grid carbon intensity, built from the retrieved files (retrieve.smk): live or shipped.
rule carbon_intensity:
    input:
        **carbon_files(),
        regions=shipped("resources/carbon/cloud_regions.csv"),
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
        live=source_online("carbon"),
        google_year=GOOGLE_YEAR,
    script:
        "../scripts/carbon_intensity.py"
