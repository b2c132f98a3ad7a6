"""USD per million input and per million output tokens, from GPU-hours at a utilisation band.

A server's bill runs by the hour whether it is busy or not, so a token's share of it is the
GPU-seconds the token takes divided by the share of the hours the GPUs are busy
(``utilisation``). Inference providers run their fleets well below 100%: production serving
sits around 30-60% busy (GMI Cloud, "Cost Per Million Tokens Explained", 2026-05-28; Mohith G,
"GPU economics for AI inference", 2026-06-30), which the default band 0.3 / 0.5 / 0.7 spans.

The serving model's decode step (estimates.serving_model) carries each request's prefill
FLOPs inside its compute time; the prefill part of that time is what the request's input
tokens cost, the rest (weights streamed, decode FLOPs, overheads) what its output tokens
cost. The two prices add back to the step's whole cost, so nothing is counted twice. A
common utilisation divides every model's cost alike: the LLM/SLM ratios do not move with it.
"""

from __future__ import annotations

from dataclasses import dataclass

SECONDS_PER_HOUR = 3600.0
PER_MILLION = 1e6


@dataclass(frozen=True)
class UtilisationBand:
    """Share of the hours the rented GPUs serve tokens: low, central, high."""

    low: float = 0.3
    mid: float = 0.5
    high: float = 0.7

    def __post_init__(self) -> None:
        if not 0 < self.low <= self.mid <= self.high <= 1:
            raise ValueError(
                f"utilisation band must be 0 < low <= mid <= high <= 1, got "
                f"{self.low}, {self.mid}, {self.high}"
            )


def usd_per_million(per_hour_usd: float, seconds_per_token: float, utilisation: float) -> float:
    """USD per million tokens of a server costing ``per_hour_usd`` that spends
    ``seconds_per_token`` of wall time on each token while busy ``utilisation`` of the time."""
    if not 0 < utilisation <= 1:
        raise ValueError(f"utilisation must be in (0, 1], got {utilisation}")
    return per_hour_usd / SECONDS_PER_HOUR * seconds_per_token / utilisation * PER_MILLION


def split_step_seconds(
    step_s: float, prefill_s: float, batch: int, prompt_tokens: int, output_tokens: int
) -> tuple[float, float]:
    """(seconds per input token, seconds per output token) of a decode step of ``batch``
    sequences that also carries ``prefill_s`` of prefill compute (its sequences' prompts
    spread over their output tokens, as the serving model counts them)."""
    if not 0 <= prefill_s < step_s:
        raise ValueError(f"prefill time {prefill_s} must lie in [0, step time {step_s})")
    inputs_per_step = batch * prompt_tokens / output_tokens
    return prefill_s / inputs_per_step, (step_s - prefill_s) / batch


def token_prices(
    per_hour_usd: float,
    step_s: float,
    prefill_s: float,
    *,
    batch: int,
    prompt_tokens: int,
    output_tokens: int,
    band: UtilisationBand,
    speed_band: tuple[float, float, float],
) -> dict[str, float]:
    """USD per million input and output tokens (``_low``, central, ``_high``).

    The interval joins the utilisation band (busier is cheaper) with the serving model's own
    interval on tokens/s, ``speed_band`` = (low, central, high) tokens/s: the low cost is
    the fast end at the high utilisation, the high cost the slow end at the low one."""
    per_in, per_out = split_step_seconds(step_s, prefill_s, batch, prompt_tokens, output_tokens)
    slow, central, fast = speed_band
    out: dict[str, float] = {}
    for name, seconds in (("input", per_in), ("output", per_out)):
        column = f"usd_per_m_{name}_tokens"
        out[f"{column}_low"] = usd_per_million(per_hour_usd, seconds * central / fast, band.high)
        out[column] = usd_per_million(per_hour_usd, seconds, band.mid)
        out[f"{column}_high"] = usd_per_million(per_hour_usd, seconds * central / slow, band.low)
    return out
