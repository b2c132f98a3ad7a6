# Retrieval of the reference sources, apart from building the tables (as PyPSA-Eur separates
# retrieve.smk from its build rules). Each source has two retrieve rules writing raw files and
# a manifest (URL or shipped file, date, sha256, bytes, the source's version) under
# results/raw/<source>/:
#   retrieve_<source>_live     fetches from the source (online);
#   retrieve_<source>_shipped  copies the dated snapshot from resources/ (offline).
# The build rules (prices.smk, carbon.smk, tariffs.smk) take one or the other, by the source's
# online switch (reference.online.<source>, else `online`).
rule retrieve_prices_live:
    input:
        skus=shipped("resources/gpu_skus.csv"),
        code=code_of("retrieve_prices"),
    output:
        azure="results/raw/prices/live/azure.json",
        aws=expand(
            "results/raw/prices/live/aws_{region}.csv",
            region=config["reference"]["aws_regions"],
        ),
        manifest="results/raw/prices/live/manifest.json",
    log:
        "logs/retrieve_prices_live.log",
    benchmark:
        "benchmarks/retrieve_prices_live.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        azure_regions=config["reference"]["azure_regions"],
        aws_regions=config["reference"]["aws_regions"],
        endpoints=masked_endpoints(),
        timeouts=config["reference"]["timeout_s"],
    script:
        "../scripts/retrieve_prices.py"


rule retrieve_carbon_live:
    input:
        code=code_of("retrieve_carbon"),
    output:
        owid="results/raw/carbon/live/owid_carbon_intensity.csv",
        google=f"results/raw/carbon/live/google_{GOOGLE_YEAR}.csv",
        manifest="results/raw/carbon/live/manifest.json",
    log:
        "logs/retrieve_carbon_live.log",
    benchmark:
        "benchmarks/retrieve_carbon_live.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        endpoints=masked_endpoints(),
        timeouts=config["reference"]["timeout_s"],
        google_year=GOOGLE_YEAR,
    script:
        "../scripts/retrieve_carbon.py"


rule retrieve_tariffs_live:
    input:
        code=code_of("retrieve_tariffs"),
    output:
        household="results/raw/tariffs/live/eurostat_household.json",
        non_household="results/raw/tariffs/live/eurostat_non_household.json",
        manifest="results/raw/tariffs/live/manifest.json",
    log:
        "logs/retrieve_tariffs_live.log",
    benchmark:
        "benchmarks/retrieve_tariffs_live.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        endpoints=masked_endpoints(),
        timeouts=config["reference"]["timeout_s"],
        geos=config["reference"]["tariff_geos"],
        since=config["reference"]["tariff_since"],
    script:
        "../scripts/retrieve_tariffs.py"


rule retrieve_prices_shipped:
    input:
        files=[shipped(p) for p in SHIPPED_REFERENCE["prices"]],
        stamp=shipped("resources/reference_snapshot.json"),
        code=code_of("retrieve_shipped"),
    output:
        files=shipped_copies("prices"),
        manifest="results/raw/prices/shipped/manifest.json",
    log:
        "logs/retrieve_prices_shipped.log",
    benchmark:
        "benchmarks/retrieve_prices_shipped.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        source="prices",
        shipped_as=SHIPPED_REFERENCE["prices"],
    script:
        "../scripts/retrieve_shipped.py"


use rule retrieve_prices_shipped as retrieve_carbon_shipped with:
    input:
        files=[shipped(p) for p in SHIPPED_REFERENCE["carbon"]],
        stamp=shipped("resources/reference_snapshot.json"),
        code=code_of("retrieve_shipped"),
    output:
        files=shipped_copies("carbon"),
        manifest="results/raw/carbon/shipped/manifest.json",
    log:
        "logs/retrieve_carbon_shipped.log",
    benchmark:
        "benchmarks/retrieve_carbon_shipped.tsv"
    params:
        source="carbon",
        shipped_as=SHIPPED_REFERENCE["carbon"],


use rule retrieve_prices_shipped as retrieve_tariffs_shipped with:
    input:
        files=[shipped(p) for p in SHIPPED_REFERENCE["tariffs"]],
        stamp=shipped("resources/reference_snapshot.json"),
        code=code_of("retrieve_shipped"),
    output:
        files=shipped_copies("tariffs"),
        manifest="results/raw/tariffs/shipped/manifest.json",
    log:
        "logs/retrieve_tariffs_shipped.log",
    benchmark:
        "benchmarks/retrieve_tariffs_shipped.tsv"
    params:
        source="tariffs",
        shipped_as=SHIPPED_REFERENCE["tariffs"],


# A new snapshot from the built tables (run with the sources online: `make refresh-reference`),
# in the shipped files' formats, written to results/reference_refresh/ (mirroring resources/):
# only declared outputs; copying them over resources/ is the Makefile's visible step. A snapshot
# covering less than the shipped one fails here (writing nothing) unless
# reference.allow_coverage_loss names the source.
rule refresh_reference:
    input:
        prices="results/gpu_prices.parquet",
        carbon="results/carbon_intensity.parquet",
        tariffs="results/tariffs.parquet",
        current_prices=shipped("resources/gpu_prices.csv"),
        current_countries=shipped("resources/carbon/owid_grapher_2024.csv"),
        current_google=shipped("resources/carbon/google_region_2024.csv"),
        current_tariffs=shipped("resources/tariffs/tariffs.csv"),
        current_stamp=shipped("resources/reference_snapshot.json"),
        code=code_of("refresh_reference"),
    output:
        prices="results/reference_refresh/gpu_prices.csv",
        countries="results/reference_refresh/carbon/owid_grapher_2024.csv",
        google="results/reference_refresh/carbon/google_region_2024.csv",
        tariffs="results/reference_refresh/tariffs/tariffs.csv",
        stamp="results/reference_refresh/reference_snapshot.json",
    log:
        "logs/refresh_reference.log",
    benchmark:
        "benchmarks/refresh_reference.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    params:
        allow_loss=config["reference"]["allow_coverage_loss"],
    script:
        "../scripts/refresh_reference.py"
