"""Model metadata stage: one validated row of architecture facts per configured model."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import polars as pl

from lmfootprint.core.errors import LmFootprintError, TableValidationError
from lmfootprint.core.ids import ModelRef
from lmfootprint.core.validation import (
    concat_parquets_checked,
    frame_from_rows,
    read_parquet_checked,
    validate_frame,
    validate_parts,
)
from lmfootprint.models.architecture import architecture_from_config
from lmfootprint.models.config_json import read_config_json
from lmfootprint.models.memory import GB, kv_cache_bytes, weight_bytes
from lmfootprint.models.schemas import ModelsSchema, SkippedModelsSchema

log = logging.getLogger(__name__)

DTYPES = ("fp32", "bf16", "int8", "int4")
# models_on_error: a model whose metadata cannot be read fails the run, or is skipped with its
# reason (results/models_skipped.parquet) while the study goes on
ON_ERROR = ("fail", "skip")


def read_source_record(path: str | Path | None) -> dict[str, Any]:
    """The snapshot's record of where a config came from (absent for local models)."""
    if path is None or not Path(path).is_file():
        return {}
    return json.loads(Path(path).read_text(encoding="utf-8"))


def card_facts(cards_csv: str | Path | None, model_id: str) -> dict[str, str | None]:
    """License and training tokens from the shipped model-card facts, when present."""
    if cards_csv is None or not Path(cards_csv).is_file():
        return {"license": None, "training_tokens": None}
    cards = pl.read_csv(cards_csv, infer_schema=False).filter(pl.col("repo_id") == model_id)
    if cards.height == 0:
        return {"license": None, "training_tokens": None}
    row = cards.row(0, named=True)
    return {
        "license": row.get("license") or None,
        "training_tokens": row.get("training_tokens") or None,
    }


def model_record(ref: ModelRef, config_path: str | Path, **options: Any) -> pl.DataFrame:
    """Architecture facts, memory needs and provenance of one model, validated (``options``
    as for model_row)."""
    row = model_row(ref, config_path, **options)
    return validate_frame(ModelsSchema, frame_from_rows(ModelsSchema, [row]), config_path)


def model_records(rows: list[dict[str, Any]], config_paths: list[str | Path]) -> pl.DataFrame:
    """The rows of a metadata shard, validated in one call; an error names the config.json."""
    parts = [
        (frame_from_rows(ModelsSchema, [row]), path)
        for row, path in zip(rows, config_paths, strict=True)
    ]
    return validate_parts(ModelsSchema, parts, "metadata shard")


def metadata_tables(
    models: list[dict[str, Any]], *, on_error: str = "fail", **options: Any
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows, skipped) of a metadata job's models, each given as the workflow's
    metadata_models lists them (slug, model_id, local_dir, config_json, source, hub_info);
    ``options`` as for model_row. With ``on_error="fail"`` the first model that cannot be read
    raises its one message; with ``"skip"`` it becomes a skipped row naming why and the others
    go on (a 2,000-model study is not stopped by one broken config.json)."""
    if on_error not in ON_ERROR:
        raise ValueError(f"models_on_error: expected one of {ON_ERROR}, got {on_error!r}")
    read: list[tuple[dict[str, Any], dict[str, Any]]] = []
    skipped: list[dict[str, Any]] = []

    def skip(model: dict[str, Any], exc: Exception) -> None:
        reason = str(exc) if isinstance(exc, LmFootprintError) else f"{type(exc).__name__}: {exc}"
        log.warning("%s: skipped (models_on_error: skip): %s", model["model_id"], reason)
        skipped.append(
            {
                "model_id": model["model_id"],
                "slug": model["slug"],
                "config_json": str(model["config_json"]),
                "reason": reason,
            }
        )

    for model in models:
        local = model.get("local_dir")
        ref = ModelRef(model["model_id"], model["slug"], Path(local) if local else None)
        try:
            row = model_row(
                ref,
                model["config_json"],
                source_path=model.get("source"),
                hub_info_path=model.get("hub_info"),
                **options,
            )
        except (LmFootprintError, OSError) as exc:
            if on_error == "fail":
                raise
            skip(model, exc)
            continue
        read.append((model, row))
    try:  # one validation for all (per row, it would cost 0.1-0.25 s each)
        table = model_records([r for _, r in read], [m["config_json"] for m, _ in read])
    except TableValidationError:
        if on_error == "fail":
            raise
        kept = []
        for model, row in read:  # find the rows at fault: each is its model's skip reason
            try:
                validate_frame(
                    ModelsSchema, frame_from_rows(ModelsSchema, [row]), model["config_json"]
                )
                kept.append((model, row))
            except TableValidationError as exc:
                skip(model, exc)
        table = model_records([r for _, r in kept], [m["config_json"] for m, _ in kept])
    skipped_table = validate_frame(
        SkippedModelsSchema, frame_from_rows(SkippedModelsSchema, skipped), "skipped models"
    )
    return table, skipped_table


def model_row(
    ref: ModelRef,
    config_path: str | Path,
    *,
    source_path: str | Path | None = None,
    cards_csv: str | Path | None = None,
    context_tokens: int = 2048,
    batch_size: int = 1,
    kv_dtype: str = "bf16",
    slm_max_params: float = 9e9,
    hub_info_path: str | Path | None = None,
) -> dict[str, Any]:
    """Architecture facts, memory needs and provenance of one model, not yet validated."""
    config_path = Path(config_path)
    raw = read_config_json(config_path)
    arch = architecture_from_config(raw, source=str(config_path))
    source = read_source_record(source_path)
    hub = read_source_record(hub_info_path)
    if ref.is_local:
        config_source, provenance, metadata_source = "local", "local", "local"
    elif hub.get("fallback_reason"):
        config_source = "snapshot-fallback"
        provenance = source.get("kind", "hub-config")
        metadata_source = f"snapshot {source.get('date')} (Hub failed: {hub['fallback_reason']})"
    elif hub:
        config_source, provenance = "hub", "hub-config"
        metadata_source = f"hub {hub['retrieved_at'][:10]}"
        source = {
            "revision": hub["sha"],
            "date": hub["retrieved_at"][:10],
            "url": f"{hub['endpoint']}/{ref.model_id}/blob/{hub['sha']}/config.json",
        }
    else:
        config_source = "snapshot"
        provenance = source.get("kind", "hub-config")
        metadata_source = f"snapshot {source.get('date')}"
    kv = kv_cache_bytes(
        arch.n_decoder_layers, arch.n_kv_heads, arch.head_dim, context_tokens, batch_size, kv_dtype
    )
    row: dict[str, Any] = {
        "model_id": ref.model_id,
        "slug": ref.slug,
        "config_source": config_source,
        "config_provenance": provenance,
        "config_sha256": hashlib.sha256(config_path.read_bytes()).hexdigest(),
        "revision": source.get("revision"),
        "source_url": source.get("url"),
        "source_date": source.get("date"),
        **{k: v for k, v in arch.as_dict().items()},
        "size_class": "SLM" if arch.params_total <= slm_max_params else "LLM",
        **{f"weights_gb_{d}": weight_bytes(arch.params_total, d) / GB for d in DTYPES},
        "memory_context_tokens": context_tokens,
        "memory_batch_size": batch_size,
        "kv_cache_gb": kv / GB,
        "serve_gb_bf16": (weight_bytes(arch.params_total, "bf16") + kv) / GB,
        **card_facts(cards_csv, ref.model_id),
        "metadata_source": metadata_source,
        **hub_facts(hub, arch.params_total),
    }
    if hub.get("license"):
        row["license"] = hub["license"]
    log.info(
        "%s: %s parameters (%s), %s",
        ref.model_id,
        f"{arch.params_total:,}",
        arch.params_method,
        arch.architecture,
    )
    return row


def hub_facts(hub: dict[str, Any], params_total: int, tolerance: float = 0.001) -> dict[str, Any]:
    """Hub-side facts; a safetensors total that disagrees with config.json is kept and flagged."""
    st = hub.get("safetensors_total")
    flag = None
    if st and abs(st - params_total) > tolerance * params_total:
        flag = (
            f"Hub safetensors total {st:,} differs from the config.json count {params_total:,} "
            f"by {st / params_total - 1:+.1%} (quantised, multimodal or extra tensors?)"
        )
    gated = hub.get("gated")
    return {
        "hub_retrieved_at": hub.get("retrieved_at"),
        "params_safetensors": st,
        "params_flag": flag,
        "gated": None if gated is None else str(gated).lower(),
        "downloads": hub.get("downloads"),
        "likes": hub.get("likes"),
        "pipeline_tag": hub.get("pipeline_tag"),
        "library_name": hub.get("library_name"),
        "card_co2_g": hub.get("co2_emissions"),
        "card_co2_source": hub.get("co2_source"),
    }


def _require_models(table: pl.DataFrame, wanted: list[str], what: str, extra_is: str) -> None:
    """A table must hold exactly the models it is expected to: a stale table with a removed
    model, or one missing a model, is an error naming a few of each."""
    held = table.get_column("slug").to_list()
    if sorted(held) != sorted(wanted):
        extra, missing = sorted(set(held) - set(wanted)), sorted(set(wanted) - set(held))
        raise TableValidationError(
            f"{what} (not {extra_is}: {extra[:5]}; without a row: {missing[:5]})"
        )


def aggregate_models(
    paths: list[str | Path], order: list[str] | None = None, skipped: list[str] = ()
) -> pl.DataFrame:
    """Concatenate per-model rows or shard tables, validate the whole table, and put its rows
    in `order` (the configured slugs; shard tables come in digest order), which it must match
    exactly but for the `skipped` slugs (models_on_error: skip)."""
    table = concat_parquets_checked(paths, ModelsSchema, "results/models.parquet")
    if order is None:
        return table
    gone = set(skipped)
    order = [slug for slug in order if slug not in gone]
    _require_models(
        table,
        order,
        "results/models.parquet: the model tables hold other models than the config",
        "configured",
    )
    rank = pl.DataFrame({"slug": order, "_rank": range(len(order))})
    return table.join(rank, on="slug").sort("_rank").drop("_rank")


def shard_rows(path: str | Path, slugs: list[str], skipped: list[str] = ()) -> list[pl.DataFrame]:
    """Each model's row of a shard table, in the order of `slugs` (the shard's configured models,
    which the table must hold exactly, but for the `skipped` ones, whose rows are empty)."""
    table = read_parquet_checked(path, ModelsSchema)
    gone = set(skipped)
    _require_models(
        table,
        [slug for slug in slugs if slug not in gone],
        f"{path}: the shard table holds other models than its shard",
        "in the shard",
    )
    index = {slug: i for i, slug in enumerate(table.get_column("slug").to_list())}
    return [table.slice(index[slug], 1) if slug not in gone else table.clear() for slug in slugs]


def load_skipped(paths: list[str | Path]) -> pl.DataFrame:
    """The skipped-model tables of the metadata jobs as one (models_on_error: skip)."""
    return concat_parquets_checked(paths, SkippedModelsSchema, "results/models_skipped.parquet")


def load_models(path: str | Path) -> pl.DataFrame:
    return read_parquet_checked(path, ModelsSchema)
