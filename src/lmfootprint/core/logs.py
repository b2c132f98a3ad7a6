"""Route a rule's logging and errors to its log file, as Snakemake scripts should."""

from __future__ import annotations

import contextlib
import logging
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

from lmfootprint.core.errors import LmFootprintError


@contextlib.contextmanager
def log_to(path: str | Path) -> Iterator[logging.Logger]:
    """Log to ``path`` and stderr; a user error is logged as one clear line, then re-raised."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(fmt)
    err = logging.StreamHandler(sys.stderr)
    err.setFormatter(fmt)
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
        raise SystemExit(f"lmfootprint: {exc}") from None
    except BaseException:
        root.error("unexpected error:\n%s", traceback.format_exc())
        raise
    finally:
        root.removeHandler(handler)
        root.removeHandler(err)
        handler.close()
