"""One GET from the Hub under one wall-clock deadline, its answer's size capped.

Why not huggingface_hub's download: its own retries (five resumes per file, its own backoff)
nested inside ours, and an httpx timeout bounds each socket read, not a request, so a Hub that
sent half of config.json and stalled took 270 s for ``timeout_s: 10, attempts: 4``. Here
``hub.timeout_s`` is what one request may take in all, as ``reference.timeout_s`` is for the
reference sources (lmfootprint.core.http): every attempt (connection, headers and the whole
body), every retry wait. An attempt is cancelled when the deadline comes (asyncio, so a server
trickling bytes cannot stretch it), no retry waits or starts past it, the workflow's
RetryPolicy is the only retry, and the message names the deadline and the setting. A body above
its cap is refused by its Content-Length before it is read, and while it streams otherwise.

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


def _why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "no complete answer before the deadline"
    if isinstance(exc, HfHubHTTPError):
        return f"HTTP {getattr(exc.response, 'status_code', '?')}"
    return f"{type(exc).__name__} (connection failed or the answer was cut short)"


async def _get(
    url: str, what: str, params: Any, policy: RetryPolicy, timeout_s: float, max_bytes: int
) -> Answer:
    start = time.monotonic()
    end = start + timeout_s
    async with get_async_session() as client:
        attempt = 0
        while True:
            attempt += 1
            try:
                async with asyncio.timeout_at(asyncio.get_running_loop().time() + _left(end)):
                    return await _once(client, url, what, params, max_bytes)
            except Exception as exc:
                if not _retryable(exc, policy):
                    raise
                failure = exc
            headers = getattr(getattr(failure, "response", None), "headers", None)
            wait = policy.wait_s(attempt, retry_after_seconds(headers))
            left = _left(end)
            if attempt >= policy.attempts or wait >= left:
                _give_up(
                    failure, what, attempt, policy.attempts, timeout_s, time.monotonic() - start
                )
            log.warning(
                "%s: attempt %d of %d failed (%s); retrying in %.3g s (%.3g s left of the "
                "%g s this request may take, hub.timeout_s)",
                what,
                attempt,
                policy.attempts,
                _why(failure),
                wait,
                left,
                timeout_s,
            )
            await asyncio.sleep(wait)


def _left(end: float) -> float:
    return max(0.0, end - time.monotonic())


def _give_up(
    failure: BaseException, what: str, attempt: int, attempts: int, timeout_s: float, took: float
) -> None:
    """Raise the last failure: the Hub's own error as huggingface_hub types it, or ours, each
    naming the deadline that was kept."""
    tries = f"{attempt} attempt{'s' if attempt != 1 else ''}"
    early = "" if attempt >= attempts else f" of {attempts} (no time left for another)"
    gave_up = f"gave up after {tries}{early} in {took:.3g} s"
    setting = f"hub.timeout_s = {timeout_s:g} s, what one request may take in all"
    if isinstance(failure, HfHubHTTPError):
        failure.add_note(f"{gave_up} ({setting})")  # for a traceback reader; hub.py words it
        raise failure
    if isinstance(failure, TimeoutError):
        raise HubRequestError(
            f"{what} timed out: no complete answer within {setting} (attempts, retry waits "
            f"and body, wall-clock); {gave_up}"
        ) from None
    raise HubRequestError(f"{what}: {_why(failure)}; {gave_up} ({setting})") from None


def hub_get(
    url: str,
    *,
    what: str,
    policy: RetryPolicy,
    timeout_s: float,
    max_bytes: int,
    params: Any = None,
) -> Answer:
    """GET ``url`` within ``timeout_s`` seconds of wall-clock time in all; ``what`` names it in
    messages. Raises huggingface_hub's HfHubHTTPError (typed) or HubRequestError."""
    return asyncio.run(_get(url, what, params, policy, timeout_s, max_bytes))
