"""The README's answer table, written from a run's ``results/headlines.parquet``.

The README states the default run's numbers; typed by hand they drift from what the workflow
computes. This renders them from the same headline rows, with the same formatter, as the
report, between two markers in README.md: ``python -m lmfootprint readme-answer`` rewrites the
block, and an end-to-end test fails when a default run's block differs from the README's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lmfootprint.answer.headlines import Headlines, load_headlines
from lmfootprint.core.errors import LmFootprintError
from lmfootprint.present.text import pct, ratio

START = "<!-- answer:start (python -m lmfootprint readme-answer) -->"
END = "<!-- answer:end -->"


def interval(h: Headlines, key: str, extra: str = "") -> str:
    """'**13x** (5.5x-26x)': a ratio and its 80% interval, as the report writes it."""
    row = h[key]
    tail = f"; {extra}" if extra else ""
    return f"**{ratio(row['value'])}** ({ratio(row['low'])}-{ratio(row['high'])}{tail})"


def count(h: Headlines, key: str) -> str:
    return f"{h.value(key):,.0f}"


def usd(value: float) -> str:
    return f"${value:.2f}" if value < 10 else f"${value:,.0f}"


@dataclass(frozen=True)
class AnswerRow:
    """One README line: the question it answers and how its headline keys read."""

    question: str
    answer: Callable[[Headlines], str]


H100 = "cloud_h100_us_east_1"
# the pairs the README names: a small model against the largest of its family
QUALITY_PAIRS = ("qwen_qwen2_5_7b", "meta_llama_llama_3_1_8b")
MARKET_MODELS = ("meta_llama_llama_3_1_8b", "meta_llama_llama_3_1_70b")
THRESHOLDS = ("3b", "7b", "8b", "9b", "13b")


def _training_matched(h: Headlines) -> str:
    return interval(
        h,
        "matched.training_energy_per_10x",
        f"{count(h, 'matched.training_energy_per_10x.n_steps')} published steps at fixed data "
        f"and GPUs, {count(h, 'matched.training_energy_per_10x.n_families')} families",
    )


def _training_class(h: Headlines) -> str:
    line = interval(
        h,
        "answer.training_energy",
        f"{count(h, 'answer.training_energy.n_slm')} SLM and "
        f"{count(h, 'answer.training_energy.n_llm')} LLM architectures",
    )
    moves = [
        f"{t.upper()} {ratio(r['value'])}"
        for t in THRESHOLDS
        if (r := h.get(f"thresholds.training_energy.slm_le_{t}")) is not None
    ]
    return f"{line}; the line at " + ", ".join(moves) if moves else line


def _market(h: Headlines) -> str:
    parts = []
    for m in MARKET_MODELS:
        ours = h[f"cost_vs_market.{H100}.{m}.ours_output"]
        market = h[f"cost_vs_market.{H100}.{m}.market_output"]
        parts.append(
            f"{ours['subject'].split('/')[-1]} {usd(ours['value'])} ({usd(ours['low'])}-"
            f"{usd(ours['high'])}) against {usd(market['value'])} ({usd(market['low'])}-"
            f"{usd(market['high'])})"
        )
    gap = h[f"cost_vs_market.output_gap.{H100}"]
    return (
        f"{'; '.join(parts)}; over {gap['subject']}, ours is **{ratio(gap['value'])}** the "
        f"median API price ({ratio(gap['low'])}-{ratio(gap['high'])})"
    )


def _quality(h: Headlines) -> str:
    parts = []
    for m in QUALITY_PAIRS:
        share = h[f"capability.quality_share.{m}"]
        above = h[f"capability.quality_share_above_chance.{m}"]
        energy = h[f"capability.energy_share.{m}"]
        parts.append(
            f"{share['subject'].split('/')[-1]} reaches {pct(share['value'])} of "
            f"{share['versus'].split('/')[-1]}'s MMLU ({pct(above['value'])} of its margin "
            f"above chance) at {pct(energy['value'], 1 if energy['value'] < 0.1 else 0)} of "
            f"its energy per token"
        )
    return "; ".join(parts) + " (base 5-shot, loaded H100)"


ROWS: tuple[AnswerRow, ...] = (
    AnswerRow(
        "training energy per 10x parameters, matched ladders (same family, data and GPUs; "
        "both runs published)",
        _training_matched,
    ),
    AnswerRow(
        "training energy, LLM median / SLM median (SLM up to 9B: '8B' models are small)",
        _training_class,
    ),
    AnswerRow(
        "inference energy per token, LLM / SLM, an H100 in AWS us-east-1, loaded server",
        lambda h: interval(h, f"answer.inference_energy.{H100}_throughput"),
    ),
    AnswerRow(
        "same, one request at a time",
        lambda h: interval(h, f"answer.inference_energy.{H100}_interactive"),
    ),
    AnswerRow(
        "a small model at home: Llama 3.2 1B on an M1 Pro laptop, against the same model on "
        "a loaded H100 / one request at a time",
        lambda h: (
            f"{interval(h, 'home.cloud_loaded_over_home')} / "
            f"{interval(h, 'home.cloud_one_request_over_home')} the laptop's energy per token"
        ),
    ),
    AnswerRow(
        "USD per million output tokens, H100 on demand at 30-70% utilisation, against "
        "open-model API prices (median, min-max)",
        _market,
    ),
    AnswerRow("quality for the energy", _quality),
)


def render(h: Headlines, rows: tuple[AnswerRow, ...] = ROWS) -> str:
    lines = ["| question | answer |", "| --- | --- |"]
    lines += [f"| {r.question} | {r.answer(h)} |" for r in rows]
    return "\n".join(lines)


def block_of(text: str) -> str:
    """The table between the markers (without them)."""
    if START not in text or END not in text:
        raise LmFootprintError(f"README has no answer block: add the lines {START!r} and {END!r}")
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n")


def replaced(text: str, table: str) -> str:
    head, rest = text.split(START, 1)
    return f"{head}{START}\n{table}\n{END}{rest.split(END, 1)[1]}"


def write(readme: Path, headlines: Path) -> bool:
    """Rewrite README's block from a run's headlines; True when it changed."""
    text = readme.read_text(encoding="utf-8")
    block_of(text)
    new = replaced(text, render(Headlines(load_headlines(headlines))))
    if new != text:
        readme.write_text(new, encoding="utf-8")
    return new != text
