"""Reference data (workflow/rules/retrieve.smk, then prices, carbon, tariffs, hardware,
scenarios.smk): GPU prices, grid carbon intensity, tariffs, hardware specs, scenarios."""
