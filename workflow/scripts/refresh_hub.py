"""Re-resolve every Hub model's commit; optionally write the snapshot back -> refresh.json."""

from lmfootprint.core.io import write_json
from lmfootprint.core.logs import log_to
from lmfootprint.models.hub import refresh_pins

with log_to(snakemake.log[0]) as log:
    hub = snakemake.params.hub
    report = refresh_pins(
        snakemake.params.models,
        resources_hub=snakemake.params.resources_hub,
        endpoint=snakemake.params.endpoint,
        write_snapshot=hub["write_snapshot"],
        timeout_s=hub["timeout_s"],
        attempts=hub["attempts"],
    )
    changed = [m for m, r in report.items() if r.get("changed")]
    log.info("%d model(s) moved on the Hub: %s", len(changed), ", ".join(changed) or "none")
    write_json(report, snakemake.output[0])
