"""The answer (workflow/rules/answer.smk): ratios, capability, peers, prices."""
