# lmfootprint, run from a clone: the workflow itself is workflow/Snakefile (where snakedeploy
# and the Snakemake workflow catalog look for it).


include: "workflow/Snakefile"


# An include leaves the including file's default target as it was (none): a plain `snakemake`
# builds the study's, rule all.
workflow.default_target = "all"
