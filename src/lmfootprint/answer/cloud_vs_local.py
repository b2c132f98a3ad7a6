"""The study's third question, answered directly: the same models at home and in the cloud, and
a small model at home against a large one in the cloud.

Every row is one (model, setting) from the inference estimates at the same prompt and response
lengths; each names what differs from the home row it is compared with (device, batch,
precision, grid), so no ratio hides a change of conditions.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from lmfootprint.answer.schemas import CloudVsLocalSchema
from lmfootprint.core.validation import frame_from_rows, validate_frame

LADDER = ("meta-llama/Llama-3.2-1B", "meta-llama/Llama-3.2-3B", "meta-llama/Llama-3.1-8B")
LARGE = "meta-llama/Llama-3.1-70B"
SETTINGS = {
    ("local", "interactive"): "at home, one request at a time",
    ("cloud", "interactive"): "in the cloud, one request at a time",
    ("cloud", "throughput"): "in the cloud, a loaded server",
}


def _setting(r: dict[str, Any]) -> str:
    where = SETTINGS.get((r["kind"], r["serving"]), f"{r['kind']}, {r['serving']}")
    return f"{where} ({r['hardware_id']}, {r['scenario']})"


def _differs(r: dict[str, Any], home: dict[str, Any]) -> str:
    """What differs from the home row, said once per condition."""
    out = []
    if r["model_id"] != home["model_id"]:
        out.append(f"model {r['model_id']} vs {home['model_id']}")
    if r["hardware_id"] != home["hardware_id"]:
        out.append(f"device {r['hardware_id']} vs {home['hardware_id']}")
    if r["batch_size"] != home["batch_size"]:
        out.append(f"batch {r['batch_size']} vs {home['batch_size']}")
    if r["precision"] != home["precision"]:
        out.append(f"precision {r['precision']} vs {home['precision']}")
    if r["intensity_g_per_kwh"] != home["intensity_g_per_kwh"]:
        out.append(
            f"grid {r['intensity_g_per_kwh']:.0f} vs {home['intensity_g_per_kwh']:.0f} gCO2e/kWh"
        )
    if (r["pue"] or 1.0) != (home["pue"] or 1.0):
        out.append(f"PUE {r['pue']:g} vs {home['pue'] or 1.0:g}")
    return "; ".join(out) or "nothing: this is the home row"


def _published(r: dict[str, Any], published: pl.DataFrame | None) -> dict[str, Any]:
    """A home row's published measurement on the same device and model size (the 004 study's
    laptop), to set the model against: tokens/s, J/token where measured, and its source."""
    none = {"published_tokens_per_s": None, "published_j_per_token": None, "published_source": None}
    if published is None or r["kind"] != "local":
        return none
    # resources/hardware.csv's M1-Pro-16c is published_local.csv's apple-m1-pro-16c
    same = published.filter(
        pl.col("device_id").str.ends_with(r["hardware_id"].lower())
        & (pl.col("origin") == "published")
        & (((pl.col("params") / r["params_total"]) - 1).abs() < 0.05)
    )
    if same.is_empty():
        return none
    p = same.row(0, named=True)
    j = p["power_w"] / p["decode_tps"] if p["power_w"] else None
    return {
        "published_tokens_per_s": p["decode_tps"],
        "published_j_per_token": j,
        "published_source": f"{p['model']}, {p['precision']}, {p['engine']}: {p['source']}",
    }


def cloud_vs_local(
    estimates: pl.DataFrame,
    *,
    ladder: tuple[str, ...] = LADDER,
    large: str = LARGE,
    local_scenario: str | None = None,
    cloud_scenario: str | None = None,
    published: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """For each ladder model: at home, in the cloud one request at a time, in the cloud
    loaded; then each ladder model at home against ``large`` in the cloud (loaded). Ratios
    are the row's J/token over its home row's. Scenarios default to the first local and the
    first cloud scenario of the estimates."""
    ok = estimates.filter(pl.col("status") == "estimated")
    scenarios = ok.select("scenario", "kind").unique(maintain_order=True)
    local = local_scenario or next(
        iter(scenarios.filter(pl.col("kind") == "local")["scenario"]), None
    )
    cloud = cloud_scenario or next(
        iter(scenarios.filter(pl.col("kind") == "cloud")["scenario"]), None
    )
    if local is None or cloud is None:
        return validate_frame(CloudVsLocalSchema, frame_from_rows(CloudVsLocalSchema, []), "")

    def pick(model: str, scenario: str, serving: str) -> dict[str, Any] | None:
        sub = ok.filter(
            (pl.col("model_id") == model)
            & (pl.col("scenario") == scenario)
            & (pl.col("serving") == serving)
        )
        return sub.row(0, named=True) if sub.height else None

    rows: list[dict[str, Any]] = []

    def add(question: str, r: dict[str, Any], home: dict[str, Any]) -> None:
        rows.append(
            {
                "question": question,
                "model_id": r["model_id"],
                "params_total": r["params_total"],
                "setting": _setting(r),
                "scenario": r["scenario"],
                "kind": r["kind"],
                "serving": r["serving"],
                "batch_size": r["batch_size"],
                "precision": r["precision"],
                "intensity_g_per_kwh": r["intensity_g_per_kwh"],
                "tokens_per_s": r["tokens_per_s"],
                "seconds_per_response": r["seconds_per_response"],
                "j_per_response": r["j_per_response"],
                "j_per_token_low": r["j_per_token_low"],
                "j_per_token": r["j_per_token"],
                "j_per_token_high": r["j_per_token_high"],
                "gco2e_per_1k_tokens": r["gco2e_per_1k_tokens"],
                "usd_per_1k_tokens": r["usd_per_1k_tokens"],
                "j_per_token_vs_home": r["j_per_token"] / home["j_per_token"],
                "differs_from_home": _differs(r, home),
                "method": r["method"],
                **_published(r, published),
            }
        )

    for model in ladder:
        home = pick(model, local, "interactive")
        if home is None:
            continue
        for kind_scenario, serving in (
            (local, "interactive"),
            (cloud, "interactive"),
            (cloud, "throughput"),
        ):
            r = pick(model, kind_scenario, serving)
            if r is not None:
                add("same model, home vs cloud", r, home)
    big = pick(large, cloud, "throughput")
    if big is not None:
        for model in ladder:
            home = pick(model, local, "interactive")
            if home is not None:
                add(f"small at home vs {large} in the cloud", home, home)
                add(f"small at home vs {large} in the cloud", big, home)
    return validate_frame(CloudVsLocalSchema, frame_from_rows(CloudVsLocalSchema, rows), "")
