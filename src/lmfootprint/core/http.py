"""One HTTP retry policy for every source the workflow reaches: reference data and the Hub.

A request is retried on 429 and 5xx answers, timeouts and refused connections, with
exponential backoff (``backoff_s`` doubling, capped at ``backoff_cap_s``) and never sooner than
the server's ``Retry-After`` (or ``RateLimit: ...;t=<s>``). Reference sources are fetched with
:func:`session`, a requests client whose urllib3 ``Retry`` applies this policy; the Hub client
(httpx, inside huggingface_hub) applies the same :class:`RetryPolicy` through tenacity
(lmfootprint.models.hub). Nothing here loops by hand.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from lmfootprint.core.errors import LmFootprintError

USER_AGENT = "lmfootprint (https://github.com/lmfootprint; reference-data fetch)"
# 429 (rate limited) and every 5xx answer are worth another attempt; other 4xx are not
RETRY_STATUSES = frozenset({429, *range(500, 600)})


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

    def sleep(self, response=None) -> None:
        hinted = retry_after_seconds(response.headers) if response is not None else None
        wait = self.policy.wait_s(max(1, len(self.history)), hinted)
        if wait > 0:
            time.sleep(wait)


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
) -> requests.Response:
    """GET with the policy's retries; an error answer or a dead source is a FetchError."""
    sess = sess or session()
    try:
        response = sess.get(url, params=params, timeout=timeout_s)
    except requests.RequestException as exc:
        raise FetchError(f"{url}: {type(exc).__name__}") from None
    if response.status_code >= 400:
        raise FetchError(f"{response.url}: HTTP {response.status_code}: {response.text[:300]}")
    return response
