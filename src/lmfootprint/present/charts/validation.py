"""The serving model held against others' figures: ML.ENERGY's measurements (held out) and
the peers' estimates, each a scatter against the y = x line."""

from __future__ import annotations

import altair as alt
import polars as pl

from lmfootprint.answer.headlines import Headlines
from lmfootprint.present.charts.shapes import LOG, diagonal, extent, log_x
from lmfootprint.present.figure import MODEL, PROVENANCE, title_from, titled, tooltips


def peers_chart(peers: pl.DataFrame, headlines: Headlines) -> alt.LayerChart:
    lo, hi = extent(peers, "ours_j_per_token", "peer_j_per_token")
    band = pl.DataFrame(
        {"a": [lo, hi], "b": [lo, hi], "lo": [lo / 2, hi / 2], "hi": [lo * 2, hi * 2]}
    )
    peers = peers.with_columns(
        provenance=pl.lit("ours estimated; ML.ENERGY measured; EcoLogits estimated (published)")
    )
    points = (
        alt.Chart(peers)
        .mark_point(filled=True)
        .encode(
            x=log_x("peer_j_per_token:Q", title="Peer's figure (J/token)"),
            y=alt.Y("ours_j_per_token:Q", title="Ours (J/token)", scale=LOG),
            color=alt.Color("peer:N", title="peer"),
            tooltip=tooltips(
                MODEL,
                ("peer:N", "peer"),
                ("setting:N", "setting"),
                ("ours_j_per_token:Q", "ours (J/token)", ",.3~g"),
                ("peer_j_per_token:Q", "peer (J/token)", ",.3~g"),
                ("ours_over_peer:Q", "ours / peer", ".2f"),
                ("boundary:N", "boundary"),
                ("explanation:N", "why (gap over 2x)"),
                PROVENANCE,
            ),
        )
    )
    area = (
        alt.Chart(band)
        .mark_area(opacity=0.12, color="#888")
        .encode(x=log_x("a:Q"), y=alt.Y("lo:Q", scale=LOG), y2="hi:Q")
    )
    title = title_from(
        [headlines.get("peers.n_over_2x"), headlines.get("peers.n_rows")],
        lambda far, n: (
            f"Our estimates against ML.ENERGY's measurements and EcoLogits: {far['value']:.0f} "
            f"of {n['value']:.0f} rows differ by more than 2x (each explained in the report)"
        ),
        "Our estimates against ML.ENERGY's measurements and EcoLogits",
    )
    return titled(
        alt.layer(area, diagonal(band), points),
        title,
        subtitle="Shaded: within 2x. ML.ENERGY rows predicted by fits that never saw the "
        "model's family (v3) or the release (v2); EcoLogits on its own boundary",
        description="Our J/token against the peers' for the same model and setting",
    )


def fit_chart(cv: pl.DataFrame, fit: dict, headlines: Headlines) -> alt.LayerChart:
    held = cv.filter(~pl.col("held_out").str.starts_with("none")).with_columns(
        provenance=pl.lit("measured by ML.ENERGY (Zeus, GPU); predicted: estimated, held out")
    )
    title = title_from(
        [
            headlines.get("fit.family_holdout_error"),
            headlines.get("fit.n_models"),
            headlines.get("fit.n_rows.ml_energy_v3"),
        ],
        lambda err, models, rows: (
            f"The serving model predicts a family it never saw within a median "
            f"{err['value']:.0%} of ML.ENERGY's J/token "
            f"({models['value']:.0f} models, {rows['value']:.0f} rows)"
        ),
        "The serving model against ML.ENERGY's measurements, held out",
    )
    lo, hi = extent(held, "j_per_token", "predicted_j_per_token")
    points = (
        alt.Chart(held)
        .mark_point(filled=True, opacity=0.7)
        .encode(
            x=log_x("predicted_j_per_token:Q", title="Predicted, held out (J/token)"),
            y=alt.Y("j_per_token:Q", title="Measured by ML.ENERGY (J/token)", scale=LOG),
            color=alt.Color("held_out:N", title="held out"),
            shape=alt.Shape("hardware_id:N", title="GPU"),
            tooltip=tooltips(
                ("model:N", "model"),
                ("hardware_id:N", "GPU"),
                ("devices:Q", "GPUs"),
                ("batch:Q", "average batch", ",.0f"),
                ("j_per_token:Q", "measured J/token", ",.3~g"),
                ("predicted_j_per_token:Q", "predicted J/token", ",.3~g"),
                ("power_w:Q", "measured W", ",.0f"),
                ("predicted_power_w:Q", "predicted W", ",.0f"),
                ("abs_error:Q", "error", ".0%"),
                ("source:N", "source"),
                PROVENANCE,
            ),
        )
    )
    return titled(
        alt.layer(diagonal(pl.DataFrame({"a": [lo, hi], "b": [lo, hi]})), points),
        title,
        subtitle=fit["formula"],
        description="Measured J/token of each ML.ENERGY row against the serving model's "
        "prediction from a fit that held out its family, its GPU, or (v2) the whole release",
    )
