"""Our cost per million tokens beside published API prices (answer.cost_vs_market)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from builders import FIT, SCENARIOS, SHAPES, models

from lmfootprint.answer.cost_vs_market import cost_vs_market, load_api_prices, market_band
from lmfootprint.answer.headlines import market_headlines
from lmfootprint.answer.schemas import ApiPriceSchema
from lmfootprint.core.errors import TableValidationError
from lmfootprint.core.validation import validate_frame
from lmfootprint.estimates.inference_estimates import estimate_inference
from lmfootprint.estimates.token_prices import UtilisationBand

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "resources/prices/api_prices.csv"
BAND = UtilisationBand(0.3, 0.5, 0.7)


def price(provider: str, model_id: str, inp: float, out: float, **over: str) -> dict:
    return {
        "provider": provider,
        "api_model": f"{model_id}-Instruct",
        "model_id": model_id,
        "input_usd_per_m_tokens": inp,
        "output_usd_per_m_tokens": out,
        "source_url": "https://example.org/pricing",
        "source_title": "Pricing",
        "source_date": "2026-07-24",
        "quote": f"${inp} in, ${out} out",
        "quote_location": "pricing table",
        "notes": None,
        **over,
    }


PRICES = pl.DataFrame(
    [
        price("a", "meta-llama/Llama-3.1-8B", 0.02, 0.05),
        price("b", "meta-llama/Llama-3.1-8B", 0.10, 0.10),
        price("c", "meta-llama/Llama-3.1-8B", 0.22, 0.22),
        price("a", "meta-llama/Llama-3.1-70B", 0.13, 0.40),
    ]
)


def test_every_shipped_api_price_has_a_source_a_date_and_a_quote() -> None:
    prices = load_api_prices(SHIPPED)
    assert prices.height >= 20
    for col in ("source_url", "source_title", "source_date", "quote", "quote_location"):
        assert prices[col].null_count() == 0 and (prices[col].str.len_chars() > 0).all(), col
    # the quote holds the very numbers of the row (LiteLLM quotes USD per token)
    for r in prices.iter_rows(named=True):
        per_token = [float(x) for x in r["quote"].replace(",", " ").split() if x[0].isdigit()]
        assert per_token == pytest.approx(
            [r["input_usd_per_m_tokens"] / 1e6, r["output_usd_per_m_tokens"] / 1e6]
        ), r["api_model"]
    # the models the reviewer named are all priced by several providers
    counts = dict(market_band(prices).select("model_id", "market_providers").iter_rows())
    for model in ("meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-70B", "Qwen/Qwen2.5-72B"):
        assert counts[model] >= 3, model


@pytest.mark.parametrize("column", ["source_url", "source_date", "quote"])
def test_a_price_without_its_source_date_or_quote_is_refused(column: str) -> None:
    bad = PRICES.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    with pytest.raises(TableValidationError, match=column):
        validate_frame(ApiPriceSchema, bad, "api_prices.csv")


def test_a_price_with_an_undated_or_blank_source_is_refused() -> None:
    undated = PRICES.with_columns(source_date=pl.lit("July 2026"))
    with pytest.raises(TableValidationError, match="source_date"):
        validate_frame(ApiPriceSchema, undated, "api_prices.csv")
    blank = PRICES.with_columns(quote=pl.lit(""))
    with pytest.raises(TableValidationError, match="quote"):
        validate_frame(ApiPriceSchema, blank, "api_prices.csv")


def test_ours_sits_beside_the_market_band_of_the_same_model() -> None:
    est = estimate_inference(models(SHAPES), SCENARIOS, FIT, utilisation=BAND)
    table = cost_vs_market(est, PRICES, SCENARIOS, BAND)
    # the cloud scenarios in their reference mode, for the two models with a price
    assert set(table["model_id"]) == {"meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-70B"}
    assert set(table["scenario"]) == {"cloud-h100", "cloud-a100"}
    assert set(table["serving"]) == {"throughput"}
    r = table.filter(
        (pl.col("scenario") == "cloud-h100") & (pl.col("model_id") == "meta-llama/Llama-3.1-8B")
    ).row(0, named=True)
    assert (r["market_providers"], r["market_output_usd_per_m_min"]) == (3, 0.05)
    assert (r["market_output_usd_per_m"], r["market_output_usd_per_m_max"]) == (0.10, 0.22)
    assert r["output_ours_over_market_median"] == pytest.approx(r["ours_output_usd_per_m"] / 0.10)
    # at 100% busy, input folded into output tokens, the table's own column; the central
    # band at 50% busy, input apart: output alone costs less than twice the folded figure
    assert r["ours_output_usd_per_m"] < 2 * r["ours_output_usd_per_m_at_100pct"]
    assert r["ours_input_usd_per_m"] < r["ours_output_usd_per_m"]

    rows = {h["key"]: h for h in market_headlines(table, "t")}
    key = "cost_vs_market.cloud_h100.meta_llama_llama_3_1_8b"
    assert rows[f"{key}.market_output"]["low"] == 0.05
    assert rows[f"{key}.ours_input"]["provenance"] == "estimated"
    gap = rows["cost_vs_market.output_gap.cloud_h100"]
    assert gap["low"] <= gap["value"] <= gap["high"]


def test_the_report_sets_ours_beside_the_market_and_says_how_far_apart() -> None:
    from lmfootprint.answer.headlines import Headlines, headlines_table
    from lmfootprint.benchmark.benchmark_inference import inference_table
    from lmfootprint.core.ids import parse_model_entry
    from lmfootprint.estimates.training_footprint import load_published, recompute_training
    from lmfootprint.models.model_metadata import model_record
    from lmfootprint.present.charts.market import cost_vs_market_chart
    from lmfootprint.present.report import render_report
    from lmfootprint.present.text import ratio

    est = estimate_inference(models(SHAPES), SCENARIOS, FIT, utilisation=BAND)
    table = cost_vs_market(est, PRICES, SCENARIOS, BAND)
    heads = headlines_table({"cost_vs_market": table}, {"cost_vs_market": "t"}, 8e9)
    gap = Headlines(heads)["cost_vs_market.output_gap.cloud_h100"]
    assert Headlines(heads)["cost_vs_market.input_gap.cloud_h100"]["value"] < gap["value"]
    chart = cost_vs_market_chart(table, Headlines(heads)).to_dict()
    assert len(chart["hconcat"]) == 2  # input and output tokens, side by side
    ref = parse_model_entry("EleutherAI/pythia-14m", ROOT)
    html = render_report(
        tables={
            "models": model_record(ref, ROOT / "resources/hub" / ref.slug / "config.json"),
            "training": recompute_training(
                load_published(ROOT / "resources/published_training.csv")
            ),
            "inference": inference_table([]),
            "cost_vs_market": table,
        },
        figures={},
        template_path=ROOT / "src/lmfootprint/present/templates/report.html.j2",
        title="t",
        headlines=heads,
    )
    section = html.split('id="cost-vs-market"', 1)[1]
    assert 'id="cost-vs-market-table"' in section
    assert "30%-70%" in section and "Why they differ" in section
    assert f"output tokens is {ratio(gap['value'])} the median published API price" in section
