"""Route a rule's logging and errors to its log file, as Snakemake scripts should."""

from __future__ import annotations

import contextlib
import logging
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

from lmfootprint.core.errors import LmFootprintError
from lmfootprint.core.secrets import SecretFilter, mask_secrets


@contextlib.contextmanager
def log_to(path: str | Path) -> Iterator[logging.Logger]:
    """Log to ``path`` (everything) and stderr (warnings and errors: the terminal shows a line
    per job, the details stay in the log), secrets masked (core.secrets); a user error is logged as
    one clear line, then re-raised. An unexpected error's traceback is logged; it is re-raised
    as it is unless it holds a secret, which only the masked log copy then shows."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(fmt)
    err = logging.StreamHandler(sys.stderr)
    err.setFormatter(fmt)
    err.setLevel(logging.WARNING)
    for h in (handler, err):  # on the handlers: records of every logger pass through them
        h.addFilter(SecretFilter())
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    root.addHandler(err)
    for noisy in ("httpx", "httpcore", "urllib3", "filelock"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        yield logging.getLogger("lmfootprint")
    except LmFootprintError as exc:
        root.error("%s", exc)
        raise SystemExit(f"lmfootprint: {mask_secrets(exc)}") from None
    except BaseException:
        text = traceback.format_exc()
        root.error("unexpected error:\n%s", text)
        if mask_secrets(text) != text:
            raise SystemExit(
                f"lmfootprint: unexpected error; its traceback (secrets masked) is in {path}"
            ) from None
        raise
    finally:
        root.removeHandler(handler)
        root.removeHandler(err)
        handler.close()
