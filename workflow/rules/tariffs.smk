# Electricity tariffs, built from the retrieved files (retrieve.smk): live Eurostat (with the
# shipped table's US rows) or the shipped snapshot alone.
def tariff_files():
    snapshot = rules.retrieve_tariffs_shipped.output
    files = {"snapshot": snapshot.files[0], "snapshot_manifest": snapshot.manifest}
    if source_online("tariffs"):
        live = rules.retrieve_tariffs_live.output
        files |= {
            "household": live.household,
            "non_household": live.non_household,
            "manifest": live.manifest,
        }
    return files


rule tariffs:
    input:
        **tariff_files(),
        fx=shipped("resources/tariffs/fx_rates.csv"),
        code=code_of("tariffs"),
    output:
        "results/tariffs.parquet",
    log:
        "logs/tariffs.log",
    benchmark:
        "benchmarks/tariffs.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        live=source_online("tariffs"),
    script:
        "../scripts/tariffs.py"
