"""The README's answer block: rendered from headline rows, rewritten between its markers."""

from __future__ import annotations

from pathlib import Path

import pytest

from lmfootprint.answer.headlines import HeadlineMissingError, Headlines, _row
from lmfootprint.answer.schemas import HeadlineSchema
from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.validation import frame_from_rows
from lmfootprint.present import readme_answer
from lmfootprint.present.readme_answer import END, START, AnswerRow, block_of, render, replaced

ROOT = Path(__file__).resolve().parents[3]


def headlines(*rows: dict) -> Headlines:
    return Headlines(frame_from_rows(HeadlineSchema, list(rows)))


def ratio_row(key: str, value: float, low: float, high: float) -> dict:
    return _row(key, value, "x", key, "results/answer.parquet", "estimated", low=low, high=high)


def test_a_row_reads_its_ratio_and_interval_as_the_report_formats_them() -> None:
    h = headlines(ratio_row("answer.x", 13.4, 5.52, 26.3))
    table = render(h, (AnswerRow("inference", lambda h: readme_answer.interval(h, "answer.x")),))
    assert table.splitlines()[-1] == "| inference | **13x** (5.5x-26x) |"


def test_a_missing_headline_fails_instead_of_printing_a_stale_number() -> None:
    with pytest.raises(HeadlineMissingError):
        render(headlines(), readme_answer.ROWS)


def test_the_block_is_replaced_between_its_markers_and_nothing_else_moves() -> None:
    text = f"# title\n\nbefore\n{START}\n| old |\n{END}\nafter\n"
    new = replaced(text, "| new |")
    assert block_of(new) == "| new |"
    assert new.startswith("# title\n\nbefore\n") and new.endswith(f"{END}\nafter\n")


def test_a_readme_without_markers_is_refused() -> None:
    with pytest.raises(LmFootprintError, match="answer block"):
        block_of("# no markers here")


def test_the_shipped_readme_has_one_answer_block() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    assert block_of(text).startswith("| question | answer |")
