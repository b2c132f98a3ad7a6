"""Presentation (workflow/rules/figures.smk, report.smk): figures and the report."""
