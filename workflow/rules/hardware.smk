rule hardware_table:
    input:
        hardware="resources/hardware.csv",
        code=code("hardware_specs", "schemas"),
    output:
        "results/hardware.parquet",
    log:
        "logs/hardware_table.log",
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    script:
        "../scripts/hardware_table.py"
