"""Secret values from the environment are sent, never written.

huggingface_hub reads HF_TOKEN by itself and the workflow never prints it, but an exception
from a client can carry a header, a URL or a request that holds a secret. Every job logs
through lmfootprint.core.logs, which masks these values (and the URL credentials that
lmfootprint.core.redact masks) in its log file and on the terminal.
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from collections.abc import Mapping

from lmfootprint.core.redact import MASK, redact

# environment variables whose value is a secret: HF_TOKEN, HUGGING_FACE_HUB_TOKEN,
# AWS_SECRET_ACCESS_KEY, ..._PASSWORD, ..._API_KEY
SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|ACCESS_KEY)$", re.IGNORECASE)
# shorter values ("1", "true") would mask ordinary words
MIN_SECRET_CHARS = 8


def secret_values(env: Mapping[str, str] | None = None) -> list[str]:
    """The values of the environment's secret variables, longest first."""
    env = os.environ if env is None else env
    values = {v for k, v in env.items() if SECRET_NAME.search(k) and len(v) >= MIN_SECRET_CHARS}
    return sorted(values, key=len, reverse=True)


def mask_secrets(text: object, env: Mapping[str, str] | None = None) -> str:
    """``text`` with URL credentials and the environment's secret values as ``***``."""
    masked = redact(text)
    for value in secret_values(env):
        masked = masked.replace(value, MASK)
    return masked


class SecretFilter(logging.Filter):
    """Masks secrets in a record, its traceback included, before a handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + "".join(traceback.format_exception(*record.exc_info))
            record.exc_info, record.exc_text = None, None
        clean = mask_secrets(message)
        if clean != record.msg or record.args:
            record.msg, record.args = clean, None
        return True
