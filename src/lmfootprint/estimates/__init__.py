"""Estimates stage: training and inference footprints, fits, break-even, rent vs buy."""
