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


def interval(h: Headlines, key: str) -> str:
    """'**13x** (5.5x-26x)': a ratio and its 80% interval, as the report writes it."""
    row = h[key]
    return f"**{ratio(row['value'])}** ({ratio(row['low'])}-{ratio(row['high'])})"


def count(h: Headlines, key: str) -> str:
    return f"{h.value(key):,.0f}"


@dataclass(frozen=True)
class AnswerRow:
    """One README line: the question it answers and how its headline keys read."""

    question: str
    answer: Callable[[Headlines], str]


def _training_matched(h: Headlines) -> str:
    return (
        f"{interval(h, 'matched.training_energy_per_10x')} "
        f"({count(h, 'matched.training_energy_per_10x.n_steps')} published steps at fixed data "
        f"and hardware, {count(h, 'matched.training_energy_per_10x.n_families')} families)"
    )


def _training_class(h: Headlines) -> str:
    return (
        f"{interval(h, 'answer.training_energy')} "
        f"({count(h, 'answer.training_energy.n_slm')} SLM and "
        f"{count(h, 'answer.training_energy.n_llm')} LLM architectures)"
    )


def _quality(h: Headlines) -> str:
    parts = []
    for row in h.group("capability.share_of_reference"):
        above = h.get(row["key"].replace("share_of_reference", "share_above_chance"))
        energy = h.get(row["key"].replace("share_of_reference", "energy_share"))
        text = f"{row['subject']} reaches {pct(row['value'])} of {row['versus']}'s MMLU"
        if above:
            text += f" ({pct(above['value'])} above chance)"
        if energy:
            text += f" at {pct(energy['value'], 1 if energy['value'] < 0.1 else 0)} of its energy"
            text += " per token"
        parts.append(text)
    return "; ".join(parts) or "–"


ROWS: tuple[AnswerRow, ...] = (
    AnswerRow("training energy per 10x parameters, matched ladders", _training_matched),
    AnswerRow("training energy, LLM median / SLM median", _training_class),
    AnswerRow(
        "inference energy per token, LLM / SLM, H100 cloud, loaded server",
        lambda h: interval(h, "answer.inference_energy.cloud_h100_us_east_1_throughput"),
    ),
    AnswerRow(
        "same, one request at a time",
        lambda h: interval(h, "answer.inference_energy.cloud_h100_us_east_1_interactive"),
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
