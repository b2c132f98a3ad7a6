rule hardware_table:
    input:
        hardware=shipped("resources/hardware.csv"),
        code=code_of("hardware_table"),
    output:
        "results/hardware.parquet",
    log:
        "logs/hardware_table.log",
    benchmark:
        "benchmarks/hardware_table.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    script:
        "../scripts/hardware_table.py"
