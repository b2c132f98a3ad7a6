"""Atomic writes: a reader (or a re-run after a crash) never sees a half-written file."""

from __future__ import annotations

import errno
import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from lmfootprint.core.errors import LmFootprintError

# errors that mean "the disk is full": ENOSPC, a quota (EDQUOT), a too-large file (EFBIG)
DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
# polars (Rust) reports an IO error inside its own exception: "... (os error 28)"
_OS_ERROR_RE = re.compile(r"\(os error (\d+)\)")


class OutputWriteError(LmFootprintError):
    """An output file could not be written (disk full, no permission, name too long)."""


def _errno_of(exc: BaseException) -> int | None:
    if isinstance(exc, OSError) and exc.errno is not None:
        return exc.errno
    found = _OS_ERROR_RE.search(str(exc))
    return int(found.group(1)) if found else None


def _write_error(
    path: Path, exc: BaseException, ours: bool, cleanup: str
) -> OutputWriteError | None:
    """The user-facing error for a failed write, or None to let ``exc`` through unchanged.

    ``ours``: the error came from creating, moving or writing the target itself (not, say,
    from reading the source that the write callable copies); a full disk is always ours.
    """
    code = _errno_of(exc)
    if code is None or not (ours or code in DISK_FULL):
        return None
    reason = os.strerror(code)
    if code in DISK_FULL:
        hint = f"free space on the file system holding {path.parent} and run again"
    elif code == errno.ENAMETOOLONG:
        hint = f"the name has {len(path.name.encode())} bytes; shorten the model or folder name"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        hint = f"make {path.parent} writable and run again"
    else:
        hint = "fix the cause and run again"
    return OutputWriteError(
        f"{path}: could not be written ({reason}); nothing was half-written: the previous "
        f"file, if any, is unchanged and {cleanup}. To fix: {hint}."
    )


def _about(exc: BaseException, tmp: Path | None) -> bool:
    """True when an OSError names the temporary file (the write callable failed writing)."""
    names = {getattr(exc, "filename", None), getattr(exc, "filename2", None)}
    return tmp is not None and (str(tmp) in names or tmp in names)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> None:
    """Write beside the target, then rename. The file gets the mode a plain open() would give
    (0666 minus the umask), not mkstemp's owner-only 0600, so colleagues sharing the project
    folder can read the results. An IO failure (a full disk) is one OutputWriteError naming
    the file; the temporary file is removed whatever happens."""
    path = Path(path)
    tmp: Path | None = None
    writing = False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{_stem(path)}.", suffix=".tmp")
        tmp = Path(name)
        os.close(fd)
        writing = True
        write(tmp)
        writing = False
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
        tmp = None
    except Exception as exc:
        ours = not writing or _about(exc, tmp)
        if tmp is None:
            cleanup = "no temporary file was made"
        elif _remove(tmp):
            cleanup = "the partial temporary file was removed"
        else:
            cleanup = f"the partial temporary file {tmp} could not be removed; delete it"
        tmp = None
        clear = _write_error(path, exc, ours, cleanup)
        if clear is None:
            raise
        raise clear from None
    finally:  # KeyboardInterrupt, SystemExit
        if tmp is not None:
            _remove(tmp)


def _stem(path: Path) -> str:
    """The target's name for the temporary file, cut so that '.<name>.<8 random>.tmp' stays
    within 255 bytes even when the target's own name nearly fills them."""
    return path.name.encode()[:240].decode(errors="ignore")


def _remove(tmp: Path) -> bool:
    """Remove a temporary file; False (not an exception) when that fails too, so the failure
    being reported is not replaced by this one."""
    try:
        tmp.unlink(missing_ok=True)
    except OSError:
        return False
    return True


def write_parquet(df: pl.DataFrame, path: str | Path) -> None:
    # statistics off and fixed compression keep the bytes identical between runs
    atomic_write(path, lambda p: df.write_parquet(p, compression="zstd", statistics=False))


def write_text(text: str, path: str | Path) -> None:
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_json(obj: Any, path: str | Path) -> None:
    write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", path)
