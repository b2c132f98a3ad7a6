"""Estimates stage (workflow/rules/estimates.smk): training and inference footprints, the
calibrated fits, break-even, rent vs buy."""
