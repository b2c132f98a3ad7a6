"""Model metadata stage (rules in workflow/rules/hub.smk, models.smk)."""
