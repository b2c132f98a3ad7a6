"""Credentials in URLs never leave the process: one helper masks them in any text.

A configured source URL may carry a secret (``https://user:pass@host/`` or ``?token=...``). The
request uses the URL as given; everything written to results/, logs/ or the terminal (error
messages, manifests, provenance columns, urllib3's retry warnings) goes through :func:`redact`.
"""

from __future__ import annotations

import logging
import re

MASK = "***"
# user[:password]@ right after the scheme
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s'\"]+@")
# a query parameter whose name says it is a secret (token, api_key, sig, X-Amz-Credential, ...)
_SECRET_PARAM = re.compile(
    r"(?P<lead>[?&;](?:[^=&#\s'\"]*?)"
    r"(?:token|key|secret|pass|pwd|sig|auth|cred|session|code)[^=&#\s'\"]*=)"
    r"[^&#\s'\"]*",
    re.IGNORECASE,
)


def redact(text: object) -> str:
    """``text`` with URL credentials and secret query values replaced by ``***``."""
    masked = _USERINFO.sub(rf"\g<scheme>{MASK}@", str(text))
    return _SECRET_PARAM.sub(rf"\g<lead>{MASK}", masked)


class RedactingFilter(logging.Filter):
    """Masks credentials in a log record before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def redact_logger(name: str) -> None:
    """Mask credentials in everything ``name`` logs (e.g. urllib3's retry warnings, which
    print the request's path and query)."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
