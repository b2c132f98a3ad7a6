"""Paths the config names: what is there when it is not a regular file, and whether Snakemake
can take the path as a job's input.

Why: "does not exist" for a directory or a named pipe called config.json sends the user looking
for a missing file; and opening a FIFO blocks forever. Snakemake (9.x) rewrites every
``<name>`` in an input path as a path variable (``pathvars``) with no way to escape it: an
unknown name fails the whole run with UndefinedPathvarException, and a known one (``<results>``)
silently becomes another path. Standard library only: this runs while the workflow is parsed.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

# snakemake.pathvars.PATHVAR_REGEX, repeated so that parsing a config does not import Snakemake
PATHVAR_RE = re.compile(r"<(?P<name>[a-z][a-z0-9_]*)>")


def not_a_file(path: Path) -> str | None:
    """What ``path`` is when it is not a readable regular file (following links), e.g. 'is a
    directory', 'is a named pipe (FIFO)', 'does not exist'; None for a regular file."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            return f"is a symbolic link to {os.readlink(path)!r}, which does not exist"
        return "does not exist"
    except PermissionError:
        return "cannot be examined (permission denied on a folder above it)"
    except OSError as exc:
        return f"cannot be examined ({exc.strerror})"
    if stat.S_ISREG(mode):
        return None
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    )
    kind = next((name for test, name in kinds if test(mode)), "not a regular file")
    return f"is {kind}, not a file"


def pathvar_problem(path: str | Path, what: str) -> str | None:
    """Why Snakemake cannot take ``path`` as an input (a ``<name>`` in it), or None."""
    found = PATHVAR_RE.search(str(path))
    if found is None:
        return None
    return (
        f"{what} {str(path)!r} holds {found.group(0)!r}, which Snakemake reads as a path "
        "variable (pathvars) in every input path and cannot escape: it would fail the run "
        "(undefined pathvar) or silently name another path. Rename the folder, or link it "
        "from a path without '<' and '>' (ln -s) and list the link"
    )
