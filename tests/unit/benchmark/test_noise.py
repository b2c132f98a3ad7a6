"""Benchmark noise is caught: repeats go on while the times disagree, and a row that stays
noisy, or whose larger batch runs slower than batch 1, says so in its flags."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from lmfootprint.benchmark.harness import noise, run_benchmark, summarise
from lmfootprint.benchmark.meters import Reading
from lmfootprint.benchmark.workload import Workload


class ScriptedMeter:
    """A meter whose windows last the scripted seconds (prefill windows 10% of the next)."""

    kind, method, domains = "estimated", "scripted", "cpu"

    def __init__(self, full_seconds: Iterator[float]) -> None:
        self.full = full_seconds
        self.calls = 0

    def start(self) -> None:
        self.calls += 1

    def stop(self) -> Reading:
        if self.calls % 2:  # prefill
            return Reading(joules=1.0, seconds=0.01)
        seconds = next(self.full)
        return Reading(joules=10.0 * seconds, seconds=seconds)


class Counting:
    name = "counting"

    def generate(self, batch: int, new_tokens: int, prompt_tokens: int | None = None) -> int:
        return new_tokens


def run(times: list[float], **kw) -> pl.DataFrame:
    workload = Workload("w", 4, 8, (1,), warmup=0, repeats=3, **kw)
    rows = run_benchmark(Counting(), workload=workload, meter=ScriptedMeter(iter(times)))
    raw = pl.DataFrame(rows)
    return summarise(raw, output_tokens=8, idle_power_w=0.0, target_noise=workload.target_noise)


def test_noise_is_the_median_deviation_over_the_median() -> None:
    assert noise([1.0, 1.0, 1.0]) == 0.0
    assert noise([1.0, 2.0, 3.0]) == 0.5
    # one outlier moves it little; a range would be 4.0
    assert noise([1.0, 1.0, 1.02, 5.0, 1.01]) < 0.02


def test_quiet_repeats_stop_at_repeats() -> None:
    out = run([1.0, 1.01, 0.99, 9.0])
    assert out["repeats"].to_list() == [3]
    assert out["flags"].to_list() == [None]


def test_noisy_repeats_go_on_until_the_noise_settles() -> None:
    # 2.0 and 3.7 around 2.5: noise 0.2; two more quiet repeats bring it to 1%
    out = run([2.0, 2.5, 3.7, 2.52, 2.49, 2.5, 99.0], target_noise=0.1)
    assert out["repeats"].to_list() == [5]
    assert out["flags"].to_list() == [None]
    assert out["seconds_median"].to_list() == [2.5]


def test_a_row_that_stays_noisy_is_flagged_at_the_bound() -> None:
    times = [1.0, 2.0, 4.0] * 10
    out = run(times, max_repeats=6, target_noise=0.1)
    assert out["repeats"].to_list() == [6]
    (flag,) = out["flags"].to_list()
    assert flag.startswith("noisy: 50% median deviation after 6 repeats (target 10%)")


def test_a_batch_slower_than_batch_1_is_flagged() -> None:
    workload = Workload("w", 4, 8, (1, 4), warmup=0, repeats=3)
    # batch 1: 8 tokens in 1 s; batch 4: 32 tokens in 8 s (4 tokens/s < 8)
    meter = ScriptedMeter(iter([1.0, 1.0, 1.0, 8.0, 8.0, 8.0]))
    raw = pl.DataFrame(run_benchmark(Counting(), workload=workload, meter=meter))
    out = summarise(raw, output_tokens=8, idle_power_w=0.0)
    assert out["flags"][0] is None
    assert "batch 4 ran 4 tokens/s, below batch 1's 8" in out["flags"][1]
