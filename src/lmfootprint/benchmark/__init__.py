"""Benchmark stage (workflow/rules/benchmark.smk): measured inference energy."""
