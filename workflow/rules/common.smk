# Helpers only: config validation, the model list, input functions.
import json
import os
import re
from types import SimpleNamespace
from pathlib import Path

import lmfootprint
from snakemake.exceptions import WorkflowError
from snakemake.logging import logger
from snakemake.utils import validate

from lmfootprint.core.code_deps import module_closure
from lmfootprint.core.config import (
    apply_defaults,
    benchmark_threads,
    check_config,
    check_parsed,
    coerce_booleans,
    load_schema,
)
from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.redact import redact
from lmfootprint.benchmark.budget import closed_form_total, over_budget
from lmfootprint.benchmark.device import Device
from lmfootprint.benchmark.registry import missing_engines
from lmfootprint.benchmark.same_compute import same_compute
from lmfootprint.models.pins import (
    pinned_models,
    pinned_revision,
    resolve_endpoint,
    snapshot_config_path,
)
from lmfootprint.core.ids import (
    SLUG_PATTERN,
    ModelRef,
    device_slug,
    parse_model_entries,
    shard_of,
    slug_of_hub_id,
)

# The workflow's own folder (where the Snakefile is), read from this file's place so that it
# is right also when the workflow runs as a module of another one: what the workflow ships
# (schemas, resources, scripts) comes from here; config, results and logs from the working
# directory.
WORKFLOW_DIR = Path(workflow.current_basedir).parents[1]
CONFIG_SCHEMA = WORKFLOW_DIR / "workflow" / "schemas" / "config.schema.yaml"
PACKAGE_DIR = Path(lmfootprint.__file__).parent


def shipped(path):
    """A file the workflow ships, e.g. ``shipped("resources/hardware.csv")``, relative to the
    working directory (plain ``resources/...`` when the workflow runs from its own folder).
    A path that exists from the working directory (a user's own table named in the config)
    is taken as it is."""
    if os.path.isabs(path) or os.path.exists(path):
        return path
    return os.path.relpath(WORKFLOW_DIR / path)


RESOURCES = Path(os.path.relpath(WORKFLOW_DIR / "resources"))
PROMPT_SAMPLE = "resources/prompts/prompt_sample.csv"


def hub_query_snapshot(cfg=config):
    """The pinned snapshot of the configured hub_query, resources/hub_queries/<name>.csv."""
    name = cfg["hub_query"]["name"] or "unset"
    return shipped(f"resources/hub_queries/{name}.csv")


def _load_models(cfg):
    """Validate the config (all problems in one message), then resolve every model: the
    configured ones, then those the pinned hub_query snapshot adds (each once).
    Returns the models and {slug: pinned sha} of the discovered ones."""
    schema = load_schema(CONFIG_SCHEMA)
    try:
        coerce_booleans(cfg, schema)
        check_config(cfg, schema)
        apply_defaults(cfg, schema)
        check_parsed(
            cfg,
            hardware_csv=shipped("resources/hardware.csv"),
            checks=[missing_engines],
        )
        refs = parse_model_entries(cfg["models"], Path.cwd())
        found, warning = [], None
        if cfg["hub_query"]["name"]:
            found, warning = pinned_models(
                cfg["hub_query"], hub_query_snapshot(cfg), online=cfg["online"]
            )
    except LmFootprintError as exc:
        raise WorkflowError(f"lmfootprint: {exc}") from None
    if warning:
        logger.warning(f"lmfootprint: {warning}")
    discovered = {}
    for repo_id, sha in found:
        slug = slug_of_hub_id(repo_id)
        refs.setdefault(slug, ModelRef(repo_id, slug))
        discovered[slug] = sha
    missing = [
        r.model_id
        for r in refs.values()
        if not r.is_local
        and not cfg["online"]
        and not snapshot_config_path(RESOURCES, r.slug).is_file()
    ]
    if missing:
        from_query = [m for m in missing if m not in cfg["models"]]
        raise WorkflowError(
            "lmfootprint: model(s) not found: "
            + ", ".join(repr(m) for m in missing)
            + ". A Hub id is read offline from resources/hub/<org>--<name>/config.json. "
            "To add one, put its config.json there (with a source.json saying where it came "
            "from), set `online: true` to fetch it from the Hub, or list a local directory "
            "that holds a config.json."
            + (
                f" {len(from_query)} of them come from hub_query "
                f"{cfg['hub_query']['name']!r} ({hub_query_snapshot(cfg)}): with "
                "`online: true` they are fetched at their pinned commit; `make refresh-hub` "
                "with online: true and hub.write_snapshot: true stores them in resources/hub/."
                if from_query
                else ""
            )
        )
    return refs, discovered


MODELS, DISCOVERED = _load_models(config)
validate(config, schema=str(CONFIG_SCHEMA))
DEVICES = {device_slug(d): d for d in config["benchmark"]["devices"]}


def code_of(script):
    """The package modules a rule's script runs, read from its imports (lmfootprint.core.code_deps),
    as the rule's inputs: editing one re-runs exactly the jobs that import it."""
    path = WORKFLOW_DIR / "workflow" / "scripts" / f"{script}.py"
    return list(module_closure(str(path), str(PACKAGE_DIR)))


def fetched_from_hub(ref):
    """Online, every Hub model is fetched, except records of models that are not on the Hub."""
    if not config["online"] or ref.is_local:
        return False
    source = snapshot_config_path(RESOURCES, ref.slug).with_name("source.json")
    return not (
        source.is_file() and json.loads(source.read_text()).get("on_hub") is False
    )


def configured(wildcards):
    """The model a job's {model} names (the wildcard accepts any slug: see model_slug_pattern)."""
    try:
        return MODELS[wildcards.model]
    except KeyError:
        raise WorkflowError(
            f"lmfootprint: {wildcards.model!r} is not a model of this config "
            f"(config/config.yaml models, or the hub_query snapshot)"
        ) from None


def model_config_json(wildcards):
    ref = configured(wildcards)
    if fetched_from_hub(ref):
        return f"results/hub/{ref.slug}/config.json"
    return str(config_json_before_run(ref))


def config_json_before_run(ref):
    """The config.json a model reads that exists before any job runs (a local folder's or
    the shipped snapshot's); None for one fetched from the Hub during the run."""
    if ref.is_local:
        return ref.local_dir / "config.json"
    if fetched_from_hub(ref):
        return None
    return snapshot_config_path(RESOURCES, ref.slug)


# benchmark.only_models: the others get a skip row saying so, not a job
_ONLY = config["benchmark"]["only_models"]
NOT_SELECTED = (
    [slug for slug, ref in MODELS.items() if ref.model_id not in _ONLY] if _ONLY else []
)
# Models above benchmark.max_params whose exact size the closed form gives now get no
# benchmark job (lmfootprint.benchmark.budget); the inference table writes their skip rows.
# (Nothing to read when no device is benchmarked: a study of thousands of models pays nothing.)
OVER_BUDGET = (
    over_budget(
        {slug: config_json_before_run(ref) for slug, ref in MODELS.items()},
        config["benchmark"]["max_params"],
    )
    if config["benchmark"]["devices"]
    else {}
)
# Hub models (random-init weights) of the same architecture and shapes are measured once
# (lmfootprint.benchmark.same_compute): {slug: slug of the model measured for it}.
SAME_COMPUTE = (
    same_compute(
        {
            slug: config_json_before_run(ref)
            for slug, ref in MODELS.items()
            if slug not in OVER_BUDGET and slug not in NOT_SELECTED and not ref.is_local
        }
    )
    if config["benchmark"]["devices"]
    else {}
)
BENCHMARKED = [
    slug
    for slug in MODELS
    if slug not in OVER_BUDGET and slug not in SAME_COMPUTE and slug not in NOT_SELECTED
]
# benchmark.only_workloads, else every configured workload
WORKLOADS = [
    name
    for name in config["benchmark"]["workloads"]
    if name
    in (config["benchmark"]["only_workloads"] or config["benchmark"]["workloads"])
]


def skips_without_job():
    """The (model, device, workload) rows of the models given no benchmark job."""
    return [
        {
            "slug": slug,
            "device": device,
            "workload": workload,
            "dtype": dtype_of(SimpleNamespace(device=device)),
            "measured_as": SAME_COMPUTE.get(slug),
            "not_selected": slug in NOT_SELECTED,
        }
        for slug in dict.fromkeys([*NOT_SELECTED, *OVER_BUDGET, *SAME_COMPUTE])
        for device in DEVICES
        for workload in WORKLOADS
    ]


def hub_info_of(wildcards):
    ref = configured(wildcards)
    return f"results/hub/{ref.slug}/info.json" if fetched_from_hub(ref) else []


def pinned_revision_of(wildcards):
    """The shipped snapshot's pin, else the commit the hub_query snapshot pinned."""
    return pinned_revision(RESOURCES / "hub" / wildcards.model) or DISCOVERED.get(
        wildcards.model
    )


def snapshot_dir_of(wildcards):
    return str(RESOURCES / "hub" / wildcards.model)


def hub_endpoint():
    return resolve_endpoint(config["hub"]["endpoint"])


def hub_models():
    """(model_id, slug) of every configured Hub model, for refresh_hub."""
    return [(r.model_id, r.slug) for r in MODELS.values() if fetched_from_hub(r)]


def model_source_json(wildcards):
    ref = configured(wildcards)
    if ref.is_local or not snapshot_config_path(RESOURCES, ref.slug).is_file():
        return []
    return str(snapshot_config_path(RESOURCES, ref.slug).with_name("source.json"))


def model_id_of(wildcards):
    return configured(wildcards).model_id


def local_dir_of(wildcards):
    ref = configured(wildcards)
    return str(ref.local_dir) if ref.is_local else ""


def model_slug_pattern():
    """Wildcard constraint: any slug (<org>--<name>, no slash). Not the list of configured models:
    Snakemake compiles the constraint into every {model} rule's regex, and a 10,000-way
    alternation made each re-run parse for seconds; an unconfigured slug is refused by
    `configured`."""
    return SLUG_PATTERN


def device_of(wildcards):
    return DEVICES[wildcards.device]


def device_slug_pattern():
    return "|".join(DEVICES)


def workload_pattern():
    return "|".join(re.escape(w) for w in WORKLOADS)


def workload_of(wildcards):
    return config["benchmark"]["workloads"][wildcards.workload]


def prompts_of(wildcards):
    """The prompt sample, for a workload that replays it (its edit re-runs those only)."""
    if config["benchmark"]["workloads"][wildcards.workload].get("replay"):
        return shipped(PROMPT_SAMPLE)
    return []


def replayed_prompts():
    """The prompt sample, when any workload replays it (the skip rows build workloads)."""
    replays = any(config["benchmark"]["workloads"][w].get("replay") for w in WORKLOADS)
    return shipped(PROMPT_SAMPLE) if replays else []


def dtype_of(wildcards):
    device = Device.parse(DEVICES[wildcards.device])
    return config["benchmark"]["dtype"]["cuda" if device.is_gpu else "cpu"]


def gpus_of(wildcards):
    return 1 if Device.parse(DEVICES[wildcards.device]).is_gpu else 0


def bench_threads():
    """benchmark.threads, else the machine's physical cores (Snakemake caps it at --cores)."""
    return benchmark_threads(config)


def all_cores():
    """Every core Snakemake may use (--cores), or the machine's when none is set (--unlock, -n)."""
    try:
        return workflow.cores
    except WorkflowError:
        return os.cpu_count() or 1


def bench_mem_mb(wildcards, input):
    """Memory to ask the scheduler for: the model's fp32 weights + 50% + 2 GB.

    The size comes from the closed form on the job's config.json; where it has none (or the
    file comes from the Hub during the run), from benchmark.max_params, the most a measured
    model may have. A model above the budget is skipped by the job, which then needs little.
    """
    max_params = config["benchmark"]["max_params"]
    total = closed_form_total(Path(input.config_json))
    if total is not None and total > max_params:
        return 1000
    return int((total or max_params) * 4 / 1e9 * 1.5 * 1000) + 2000


def benchmark_outputs(suffix=".parquet"):
    """One file per benchmark job (the models within the budget, or not known to exceed it)."""
    return expand(
        f"results/benchmarks/{{model}}/{{device}}/{{workload}}{suffix}",
        model=BENCHMARKED,
        device=list(DEVICES),
        workload=WORKLOADS,
    )


def benchmark_tables():
    return benchmark_outputs(".parquet")


def source_online(source):
    """Per-source switch (reference.online.<source>), defaulting to the global `online`."""
    value = config["reference"]["online"].get(source)
    return config["online"] if value is None else value


def benchmark_grid_scenarios():
    """Only the scenario whose grid the benchmark machine draws from (benchmark.grid_scenario,
    else the first local one), so that editing another scenario re-runs no emissions job. An
    unknown name passes every scenario on, for the job to name the problem."""
    name = config["benchmark"]["grid_scenario"]
    scenarios = config["scenarios"]
    if name is None:
        name = next(
            (n for n, sc in scenarios.items() if sc.get("kind") == "local"), None
        )
    return {name: scenarios[name]} if name in scenarios else scenarios


def metadata_shards():
    """{shard name: [slugs]} when metadata_shards > 0 (lmfootprint.core.ids.shard_of)."""
    shards = {}
    for slug in MODELS:
        k = shard_of(slug, config["metadata_shards"])
        shards.setdefault(f"{k:04d}", []).append(slug)
    return dict(sorted(shards.items()))


def shard_inputs(slugs):
    """The inputs of one metadata shard: each model's config.json, source and Hub record."""
    files = {"config_json": [], "source": [], "hub_info": []}
    for slug in slugs:
        w = SimpleNamespace(model=slug)  # what the per-model input functions read
        files["config_json"].append(model_config_json(w))
        files["source"] += [model_source_json(w)] if model_source_json(w) else []
        files["hub_info"] += [hub_info_of(w)] if hub_info_of(w) else []
    return files


def metadata_models(slugs):
    """What the metadata script needs per model: its ids, local folder and the files it reads."""
    out = []
    for slug in slugs:
        w = SimpleNamespace(model=slug)  # what the per-model input functions read
        out.append(
            {
                "slug": slug,
                "model_id": model_id_of(w),
                "local_dir": local_dir_of(w),
                "config_json": model_config_json(w),
                "source": model_source_json(w) or None,
                "hub_info": hub_info_of(w) or None,
            }
        )
    return out


def model_tables():
    """Each model's row: what a benchmark job reads and the README lists."""
    return expand("results/models/{model}.parquet", model=list(MODELS))


def shard_table(shard):
    return f"results/models/shards/{shard}.parquet"


def shard_tables():
    """Each metadata shard's table (none when metadata is not sharded)."""
    if not config["metadata_shards"]:
        return []
    return [shard_table(shard) for shard in metadata_shards()]


def model_table_parts():
    """What the models table concatenates: the shard tables when metadata is sharded (16 files
    instead of 10,000: Snakemake's DAG check grows with the square of the files one job reads),
    else each model's row."""
    return shard_tables() or model_tables()


# Reference data (retrieve.smk, then the build rules prices/carbon/tariffs.smk): which
# retrieved files a build rule reads, live or shipped, by the source's online switch.
# The shipped snapshot of each source, as named in resources/ (and in every row's source).
SHIPPED_REFERENCE = {
    "prices": ["resources/gpu_prices.csv"],
    "carbon": [
        "resources/carbon/countries_owid_via_codecarbon.csv",
        "resources/carbon/owid_grapher_2024.csv",
        "resources/carbon/google_region_2024.csv",
    ],
    "tariffs": ["resources/tariffs/tariffs.csv"],
}
# The year of Google's region-carbon-info file (shipped: google_region_2024.csv).
GOOGLE_YEAR = 2024


def shipped_copies(source):
    """Where the offline retrieval puts the copies of a source's shipped files."""
    return [
        f"results/raw/{source}/shipped/{Path(p).name}"
        for p in SHIPPED_REFERENCE[source]
    ]


def carbon_files():
    if source_online("carbon"):
        live = rules.retrieve_carbon_live.output
        return {"owid": live.owid, "google": live.google, "manifest": live.manifest}
    snapshot = rules.retrieve_carbon_shipped.output
    return {
        "countries": snapshot.files[:2],
        "google": snapshot.files[2],
        "manifest": snapshot.manifest,
    }


def price_files():
    if source_online("prices"):
        live = rules.retrieve_prices_live.output
        return {"azure": live.azure, "aws": live.aws, "manifest": live.manifest}
    snapshot = rules.retrieve_prices_shipped.output
    return {"snapshot": snapshot.files[0], "manifest": snapshot.manifest}


def tariff_files():
    snapshot = rules.retrieve_tariffs_shipped.output
    files = {"snapshot": snapshot.files[0], "snapshot_manifest": snapshot.manifest}
    if source_online("tariffs"):
        live = rules.retrieve_tariffs_live.output
        files |= {
            "household": live.household,
            "non_household": live.non_household,
            "manifest": live.manifest,
        }
    return files


# Figures (figures.smk holds FIGURES: each figure's inputs by name).
def figure_caption_file(wildcards):
    return str(
        WORKFLOW_DIR / "workflow" / "report" / "figures" / f"{wildcards.figure}.rst"
    )


def figure_caption(wildcards):
    """The caption's text, for the one caption file Snakemake's report takes per rule."""
    return " ".join(
        Path(figure_caption_file(wildcards)).read_text(encoding="utf-8").split()
    )


def figure_specs():
    return expand("results/figures/{figure}.vl.json", figure=list(FIGURES))


# models_on_error: skip (models.smk)
SKIP_BROKEN = config["models_on_error"] == "skip"


def skipped_output(path):
    return {"skipped": path} if SKIP_BROKEN else {}


def skipped_tables():
    if not SKIP_BROKEN:
        return []
    if config["metadata_shards"]:
        return [
            shard_table(shard).replace(".parquet", ".skipped.parquet")
            for shard in metadata_shards()
        ]
    return expand("results/models/skipped/{model}.parquet", model=list(MODELS))


def skipped_models_input():
    """The report's list of the models left out (models_on_error: skip); none by default."""
    return {"models_skipped": "results/models_skipped.parquet"} if SKIP_BROKEN else {}


def masked_endpoints():
    """The source URLs as a job's params, credentials masked: Snakemake records params in
    .snakemake/metadata (and re-runs a job when they change). The scripts read the URLs
    they request, credentials included, from the config."""
    return {name: redact(url) for name, url in config["reference"]["endpoints"].items()}
