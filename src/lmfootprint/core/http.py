"""One HTTP retry policy for every source the workflow reaches: reference data and the Hub.

A request is retried on 429 and 5xx answers, timeouts and refused connections, with
exponential backoff (``backoff_s`` doubling, capped at ``backoff_cap_s``) and never sooner than
the server's ``Retry-After`` (or ``RateLimit: ...;t=<s>``). Reference sources are fetched with
:func:`session`, a requests client whose urllib3 ``Retry`` applies this policy; the Hub client
(httpx, inside huggingface_hub) applies the same :class:`RetryPolicy` through tenacity
(lmfootprint.models.hub). Nothing here loops by hand.

A reference request has one deadline, a wall-clock total over every attempt, its waits and the
body: each attempt's connect and read timeouts are what is left of it, no retry starts or waits
past it, and the body is read in chunks checked against it. A source that never answers is
reported once, naming the URL and the deadline, instead of after attempts x timeout + backoff.
URLs in messages and in urllib3's retry warnings go through lmfootprint.core.redact.
"""

from __future__ import annotations

import contextvars
import email.utils
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry
from urllib3.util.timeout import Timeout

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.redact import redact, redact_logger

USER_AGENT = "lmfootprint (https://github.com/lmfootprint; reference-data fetch)"
# 429 (rate limited) and every 5xx answer are worth another attempt; other 4xx are not
RETRY_STATUSES = frozenset({429, *range(500, 600)})
CHUNK_BYTES = 1 << 16
# an attempt is not started with less time than this before the deadline
MIN_ATTEMPT_S = 0.1
# the deadline (time.monotonic()) of the request in progress in this thread/context, if any
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "lmfootprint_http_deadline", default=None
)
for _name in ("urllib3.connectionpool", "urllib3.util.retry"):
    redact_logger(_name)


class FetchError(LmFootprintError):
    """A source could not be fetched; the message names the URL and the reason."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a request is retried (the config's hub.attempts/backoff_s)."""

    attempts: int = 4
    backoff_s: float = 1.0
    backoff_cap_s: float = 30.0

    def retries_status(self, status: int) -> bool:
        return status in RETRY_STATUSES

    def wait_s(self, failures: int, retry_after_s: float | None = None) -> float:
        """Seconds to wait after the ``failures``-th failed attempt (1-based)."""
        backoff = min(self.backoff_cap_s, self.backoff_s * 2 ** (failures - 1))
        if retry_after_s is None:
            return backoff
        return min(self.backoff_cap_s, max(backoff, retry_after_s))

    def urllib3_retry(self) -> Retry:
        return _PolicyRetry(
            total=self.attempts - 1,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=("GET", "HEAD"),
            respect_retry_after_header=True,
            raise_on_status=False,
            policy=self,
        )


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """The wait a server asks for: ``Retry-After`` (seconds or an HTTP date), else the
    ``t=`` of an IETF ``RateLimit`` header. None when it asks for none."""
    if not headers:
        return None
    value = (headers.get("Retry-After") or "").strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    if value:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None and when.tzinfo is not None:
            return max(0.0, when.timestamp() - time.time())
    match = re.search(r";t=(\d+)", headers.get("RateLimit") or "")
    return float(match.group(1)) if match else None


class _PolicyRetry(Retry):
    """urllib3's Retry, waiting as the policy says (the same waits as the Hub client)."""

    def __init__(self, *args, policy: RetryPolicy | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.policy = policy or RetryPolicy()

    def new(self, **kwargs) -> _PolicyRetry:
        retry = super().new(**kwargs)
        retry.policy = self.policy
        return retry

    def is_exhausted(self) -> bool:
        """Out of attempts, or out of time: no attempt starts unless, after its backoff, it
        still has MIN_ATTEMPT_S before the request's deadline."""
        left = _left_s()
        if left is None:
            return super().is_exhausted()
        backoff = self.policy.wait_s(max(1, len(self.history)))
        return super().is_exhausted() or left <= backoff + MIN_ATTEMPT_S

    def sleep(self, response=None) -> None:
        hinted = retry_after_seconds(response.headers) if response is not None else None
        wait = self.policy.wait_s(max(1, len(self.history)), hinted)
        left = _left_s()
        if left is not None and wait + MIN_ATTEMPT_S >= left:
            # the server asks for a longer wait than the deadline leaves: stop here
            raise _OutOfTime(response.status if response is not None else None, wait)
        if wait > 0:
            time.sleep(wait)


class _OutOfTime(Exception):
    """The wait a server asks for (Retry-After) reaches past the request's deadline."""

    def __init__(self, status: int | None, wait_s: float) -> None:
        super().__init__(status, wait_s)
        self.status, self.wait_s = status, wait_s


def _left_s() -> float | None:
    """Seconds left before the current request's deadline (None: no deadline set)."""
    deadline = _DEADLINE.get()
    return None if deadline is None else max(0.0, deadline - time.monotonic())


class _DeadlineTimeout(Timeout):
    """Connect and read timeouts of each attempt: whatever is left of one fixed deadline, so
    that retries never add up to more than it (urllib3 clones the timeout per attempt)."""

    def __init__(self, deadline: float) -> None:
        super().__init__(connect=None, read=None)
        self.deadline = deadline

    def clone(self) -> _DeadlineTimeout:
        return _DeadlineTimeout(self.deadline)

    def _left(self) -> float:
        return max(0.001, self.deadline - time.monotonic())

    @property
    def connect_timeout(self) -> float:
        return self._left()

    @property
    def read_timeout(self) -> float:
        return self._left()


def session(policy: RetryPolicy | None = None) -> requests.Session:
    """The requests client every reference source is fetched with."""
    adapter = HTTPAdapter(max_retries=(policy or RetryPolicy()).urllib3_retry())
    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s


def get(
    url: str,
    *,
    params: dict | list | None = None,
    timeout_s: float = 30.0,
    sess: requests.Session | None = None,
    timeout_name: str | None = None,
) -> requests.Response:
    """GET with the policy's retries, all within ``timeout_s`` seconds of wall-clock time
    (attempts, waits and body together); an error answer, a dead source or the deadline is a
    FetchError. ``timeout_name`` is the setting the deadline comes from, for the message."""
    sess = sess or session()
    deadline = time.monotonic() + timeout_s
    token = _DEADLINE.set(deadline)
    try:
        response = sess.get(url, params=params, timeout=_DeadlineTimeout(deadline), stream=True)
        _read_body(response, deadline)  # an error body too: it is quoted in the message
    except requests.RequestException as exc:
        if time.monotonic() >= deadline:
            raise _late(url, timeout_s, timeout_name) from None
        spent = timeout_s - (deadline - time.monotonic())
        setting = f", {timeout_name}" if timeout_name else ""
        raise FetchError(
            redact(
                f"{url}: {type(exc).__name__} "
                f"(gave up after {spent:.1f} s of {timeout_s:g} s{setting})"
            )
        ) from None
    except _OutOfTime as stop:
        setting = f" ({timeout_name})" if timeout_name else ""
        raise FetchError(
            redact(
                f"{url}: HTTP {stop.status}, asked to retry in {stop.wait_s:g} s, past the "
                f"{timeout_s:g} s deadline{setting}"
            )
        ) from None
    finally:
        _DEADLINE.reset(token)
    if response.status_code >= 400:
        raise FetchError(
            redact(f"{response.url}: HTTP {response.status_code}: {response.text[:300]}")
        )
    return response


def _late(url: str, timeout_s: float, timeout_name: str | None) -> FetchError:
    setting = f" ({timeout_name})" if timeout_name else ""
    return FetchError(redact(f"no answer from {url} within {timeout_s:g} s{setting}"))


def _read_body(response: requests.Response, deadline: float) -> None:
    """Read the streamed body as it arrives, stopping at the deadline: a server may send its
    headers at once and then stall or trickle. ``read1`` returns whatever has come in (never
    waiting for a full chunk), and the socket's timeout is set to what is left each time."""
    raw, chunks = response.raw, []
    try:
        while True:
            # past the deadline, stop unless the body is known complete (Content-Length read)
            left = deadline - time.monotonic()
            if left <= 0 and getattr(raw, "length_remaining", None) != 0:
                raise requests.ReadTimeout("body not read before the deadline")
            sock = getattr(getattr(raw, "connection", None), "sock", None)
            if sock is not None:  # a stalled body waits no longer than the deadline
                sock.settimeout(max(0.001, left))
            chunk = raw.read1(CHUNK_BYTES, decode_content=True)
            if not chunk:
                break
            chunks.append(chunk)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        response.close()
        raise requests.ConnectionError(type(exc).__name__) from None
    except requests.ReadTimeout:
        response.close()
        raise
    # requests keeps a read body here; .content, .text and .json() then use it
    response._content = b"".join(chunks)
    response._content_consumed = True
