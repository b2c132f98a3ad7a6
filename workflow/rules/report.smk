rule report:
    input:
        **skipped_models_input(),
        models=rules.models_table.output.models,
        # models_on_error: skip: the models left out, listed with why
        training=rules.training_footprint.output[0],
        inference=rules.inference_table.output[0],
        scenarios=rules.scenarios.output[0],
        estimates=rules.training_estimates.output.estimates,
        inference_estimates=rules.inference_estimates.output[0],
        fit=rules.inference_fit.output.fit,
        break_even=rules.break_even.output[0],
        rent_vs_buy=rules.rent_vs_buy.output.table,
        answer=rules.answer.output.answer,
        exponent=rules.answer.output.exponent,
        ladders=rules.answer.output.ladders,
        matched_pairs=rules.answer.output.matched_pairs,
        thresholds=rules.answer.output.thresholds,
        capability=rules.answer.output.capability,
        price_sensitivity=rules.answer.output.prices,
        cost_vs_market=rules.cost_vs_market.output[0],
        peers=rules.peer_validation.output[0],
        cloud_vs_local=rules.cloud_vs_local.output[0],
        local_ladder=rules.local_calibration.output.ladder,
        local_errors=rules.local_calibration.output.errors,
        local_efficiencies=rules.local_calibration.output.efficiencies,
        serving_errors=rules.inference_fit.output.errors,
        calibration=rules.training_estimates.output.calibration,
        calibration_model=rules.training_estimates.output.model,
        prices=rules.gpu_prices.output[0],
        carbon=rules.carbon_intensity.output[0],
        tariffs=rules.tariffs.output[0],
        headlines=rules.headlines.output[0],
        # names the country of a local scenario ("an M1 Pro laptop in France")
        countries=shipped("resources/carbon/countries_owid_via_codecarbon.csv"),
        provenance=rules.headlines.output.provenance,
        decision_options=rules.decision_table.output[0],
        prompts=shipped(PROMPT_SAMPLE),
        figures=figure_specs(),
        bundle=rules.vega_bundle.output[0],
        template=str(PACKAGE_DIR / "present" / "templates" / "report.html.j2"),
        decision_template=str(
            PACKAGE_DIR / "present" / "templates" / "decision.html.j2"
        ),
        code=code_of("report"),
    output:
        "results/report.html",
    log:
        "logs/report.log",
    benchmark:
        "benchmarks/report.tsv"
    localrule: True
    conda:
        "../envs/lmfootprint.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    params:
        title=config["report"]["title"],
    script:
        "../scripts/report.py"
