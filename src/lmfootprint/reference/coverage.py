"""A refresh may not shrink what the shipped snapshot covers, unless the config allows it.

A live source can answer with less than before (an empty Azure page, a country missing from
OWID) and still parse: written over resources/, that snapshot would make the next offline run
fail, far from the cause. Each refreshed file is compared, by its key columns, with the shipped
file it replaces; keys present before and absent now fail the refresh, naming the file, the
keys and the setting that accepts the loss (``reference.allow_coverage_loss``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from lmfootprint.core.errors import LmFootprintError

log = logging.getLogger(__name__)
SETTING = "reference.allow_coverage_loss"
SHOWN = 8


class CoverageLossError(LmFootprintError):
    """A refreshed snapshot file covers less than the shipped file it would replace."""


@dataclass(frozen=True)
class Loss:
    """Keys of one shipped file that its refreshed version no longer has."""

    source: str  # prices, carbon or tariffs: the name reference.allow_coverage_loss uses
    file: str  # the shipped file
    keys: list[str]
    before: int  # distinct keys in the shipped file
    lost: pl.DataFrame  # the lost keys
    remaining: frozenset[str]  # values of the first key column the refreshed file still has

    def describe(self) -> str:
        """One line per value of the first key (e.g. provider), saying whether it is absent
        now, then the lost keys under it (the first few)."""
        first, rest = self.keys[0], self.keys[1:]
        lines = [
            f"{self.source}: {self.file}: {self.lost.height} of {self.before} "
            f"({'/'.join(self.keys)}) present before and absent now:"
        ]
        for (value,), group in self.lost.sort(self.keys).group_by(first, maintain_order=True):
            gone = "" if value in self.remaining else " (absent now)"
            shown = [
                " ".join(f"{k}={v}" for k, v in zip(rest, row, strict=True))
                for row in group.select(rest).head(SHOWN).iter_rows()
            ]
            more = f"; and {group.height - SHOWN} more" if group.height > SHOWN else ""
            lines.append(f"    {first}={value}{gone}: {'; '.join(shown)}{more}".rstrip(": "))
        return "\n".join(lines)


def lost_keys(
    source: str, file: str, before: pl.DataFrame, after: pl.DataFrame, keys: list[str]
) -> Loss | None:
    """The ``keys`` combinations of ``before`` (the shipped file) missing from ``after``."""
    old = before.select(pl.col(k).cast(pl.String) for k in keys).unique()
    new = after.select(pl.col(k).cast(pl.String) for k in keys).unique()
    lost = old.join(new, on=keys, how="anti", nulls_equal=True)
    if lost.height == 0:
        return None
    return Loss(source, file, keys, old.height, lost, frozenset(new[keys[0]].to_list()))


def check(losses: Iterable[Loss | None], allow: Iterable[str] = ()) -> list[Loss]:
    """Fail on every loss of a source not in ``allow``; log the allowed ones. Returns them."""
    allow = set(allow)
    found = [loss for loss in losses if loss is not None]
    refused = [loss for loss in found if loss.source not in allow]
    if refused:
        sources = sorted({loss.source for loss in refused})
        raise CoverageLossError(
            "the refreshed reference snapshot covers less than the shipped one it would "
            "replace, so nothing was written:\n  "
            + "\n  ".join(loss.describe() for loss in refused)
            + "\nA source answered with less than before (check its raw files and manifest in "
            f"results/raw/). To accept the loss, set {SETTING}: {sources}"
        )
    for loss in found:
        log.warning("accepted (%s): %s", SETTING, loss.describe())
    return found
