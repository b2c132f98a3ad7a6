"""One GET from the Hub under one stated wall-clock deadline, its answer's size capped.

Why not huggingface_hub's download: its own retries (five resumes per file, its own backoff)
nested inside ours, and an httpx timeout bounds each socket read, not a request, so a Hub that
sent half of config.json and stalled took 270 s for ``timeout_s: 10, attempts: 4``. Here each
attempt is cancelled at ``timeout_s`` of wall-clock time (connection, headers and the whole
body), the workflow's RetryPolicy is the only retry, and the request as a whole has a deadline
stated before it starts (attempts x timeout_s plus the backoff waits) that no attempt or wait
passes. A body above its cap is refused by its Content-Length before it is read, and while it
streams when the length is not stated.

The client is huggingface_hub's own (its proxies, offline switch and request ids), the token
comes from its standard locations (HF_TOKEN, the stored login) and is never logged, and error
answers become huggingface_hub's typed errors (gated, not found, ...) by its own mapping.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.utils import build_hf_headers, get_async_session, hf_raise_for_status

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.http import RetryPolicy, retry_after_seconds

log = logging.getLogger(__name__)


class HubRequestError(LmFootprintError):
    """A request that failed for a reason of its own (timed out, too large, cut off); the
    message says what happened and what bound was kept."""


class HubTooLargeError(HubRequestError):
    """The answer is larger than what was asked for may be (never retried)."""


def deadline_s(policy: RetryPolicy, timeout_s: float) -> float:
    """The most one request may take: every attempt at its limit, plus the backoff waits."""
    waits = sum(policy.wait_s(i) for i in range(1, policy.attempts))
    return policy.attempts * timeout_s + waits


@dataclass(frozen=True)
class Answer:
    body: bytes
    status: int
    commits: tuple[str, ...]  # X-Repo-Commit of each response of the chain (redirects too)


def _transport_error(exc: BaseException) -> bool:
    """httpx's connection and protocol errors (a body cut short, a refused connection), known
    by name: huggingface_hub uses httpx or its fork httpx2 depending on its version."""
    return any(c.__name__ == "TransportError" for c in type(exc).__mro__)


def _size(n: int) -> str:
    return f"{n:,} bytes"


async def _read(response: Any, what: str, max_bytes: int) -> bytes:
    stated = response.headers.get("Content-Length")
    if stated and stated.isdigit() and int(stated) > max_bytes:
        raise HubTooLargeError(
            f"{what} is {_size(int(stated))} (Content-Length), more than the "
            f"{_size(max_bytes)} it may have; not downloaded"
        )
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise HubTooLargeError(
                f"{what} is more than the {_size(max_bytes)} it may have; download stopped "
                f"at {_size(len(body))}"
            )
    return bytes(body)


async def _once(client: Any, url: str, what: str, params: Any, max_bytes: int) -> Answer:
    headers = build_hf_headers()  # the token from huggingface_hub's standard locations
    async with client.stream("GET", url, params=params, headers=headers) as response:
        if response.status_code >= 400:
            hf_raise_for_status(response)
        body = await _read(response, what, max_bytes)
        chain = (*response.history, response)
        commits = tuple(c for r in chain if (c := r.headers.get("X-Repo-Commit")))
        return Answer(body, response.status_code, commits)


def _retryable(exc: BaseException, policy: RetryPolicy) -> bool:
    if isinstance(exc, HubTooLargeError):
        return False
    if isinstance(exc, HfHubHTTPError):
        status = getattr(exc.response, "status_code", None)
        return status is not None and policy.retries_status(status)
    return isinstance(exc, TimeoutError) or _transport_error(exc)


def _why(exc: BaseException, limit_s: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"no complete answer within {limit_s:g} s"
    if isinstance(exc, HfHubHTTPError):
        return f"HTTP {getattr(exc.response, 'status_code', '?')}"
    return f"{type(exc).__name__} (connection failed or the answer was cut short)"


async def _get(
    url: str, what: str, params: Any, policy: RetryPolicy, timeout_s: float, max_bytes: int
) -> Answer:
    budget = deadline_s(policy, timeout_s)
    start = time.monotonic()
    end = start + budget
    async with get_async_session() as client:
        attempt = 0
        while True:
            attempt += 1
            limit = min(timeout_s, max(0.0, end - time.monotonic()))
            try:
                async with asyncio.timeout(limit):
                    return await _once(client, url, what, params, max_bytes)
            except Exception as exc:
                if not _retryable(exc, policy):
                    raise
                failure = exc
            hinted = retry_after_seconds(
                getattr(getattr(failure, "response", None), "headers", None)
            )
            wait = policy.wait_s(attempt, hinted)
            left = end - time.monotonic()
            if attempt >= policy.attempts or wait + min(timeout_s, 0.05) >= left:
                _give_up(failure, what, attempt, timeout_s, budget, time.monotonic() - start)
            log.warning(
                "%s: attempt %d of %d failed (%s); retrying in %.3g s (%.3g s left of the "
                "request's %.3g s deadline)",
                what,
                attempt,
                policy.attempts,
                _why(failure, limit),
                wait,
                left,
                budget,
            )
            await asyncio.sleep(wait)


def _give_up(
    failure: BaseException, what: str, attempts: int, timeout_s: float, budget: float, took: float
) -> None:
    """Raise the last failure: the Hub's own error as huggingface_hub types it, or ours, each
    naming the bound that was kept."""
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    bound = (
        f"gave up after {tries} in {took:.3g} s (this request's deadline: {budget:.3g} s, "
        "hub.attempts x hub.timeout_s plus backoff)"
    )
    if isinstance(failure, HfHubHTTPError):
        failure.add_note(bound)  # hub.py words the status; the note is for a traceback reader
        raise failure
    if isinstance(failure, TimeoutError):
        raise HubRequestError(
            f"{what} timed out: no complete answer within {timeout_s:g} s per attempt "
            f"(hub.timeout_s, wall-clock: connection, headers and body together); {bound}"
        ) from None
    raise HubRequestError(f"{what}: {_why(failure, timeout_s)}; {bound}") from None


def hub_get(
    url: str,
    *,
    what: str,
    policy: RetryPolicy,
    timeout_s: float,
    max_bytes: int,
    params: Any = None,
) -> Answer:
    """GET ``url`` within ``deadline_s(policy, timeout_s)`` of wall-clock time; ``what`` names
    it in messages. Raises huggingface_hub's HfHubHTTPError (typed) or HubRequestError."""
    return asyncio.run(_get(url, what, params, policy, timeout_s, max_bytes))
