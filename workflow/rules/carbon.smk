# Grid carbon intensity, built from the retrieved files (retrieve.smk): live or shipped.
def carbon_files():
    if source_online("carbon"):
        live = rules.retrieve_carbon_live.output
        return {"owid": live.owid, "google": live.google, "manifest": live.manifest}
    snapshot = rules.retrieve_carbon_shipped.output
    return {
        "countries": snapshot.files[:2],
        "google": snapshot.files[2],
        "manifest": snapshot.manifest,
    }


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
